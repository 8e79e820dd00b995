"""What the journal last says of each record: the check a save makes before it changes one.

A record edited by hand (valid JSON, in a text editor) no longer has the digest the journal's
last entry for it holds. A save that re-digested it would bless the edit: the next ``verify``
would pass. So before a record is changed, its stored digest is compared with the journal's
last word on it, and a mismatch refuses the save (``store.db.Transaction.record``).

The index is built by reading the journal once per process and then only what other
processes appended since (one ``stat`` when nothing was): the store calls ``refresh`` under
the write lock, where the journal cannot grow under it.

Reading a decade's journal for one save (128 MB, 240,000 entries at 50,000 cases: a second and
336 MB for ``cunwu case step``) is spared by a cache beside it, ``journal.index``: the index as
of a byte offset, with the hash of the entry that ends there. It is used only when the journal
still has that entry there (same file, the chain's hash at that offset), and then only what was
appended after it is read. Whoever reads more than ``SAVE_AFTER`` bytes of journal writes it
again, under the lock. It is a cache, never the authority: verify reads the journal itself, and
an entry records the digest a record held before the save (``before``), so a cache made by hand
to let an edited record through is named by verify all the same.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from store.files import atomic_write
from store.journal import appended
from store.resources import ResourceProblem

CACHE_FILE = "journal.index"
CACHE_VERSION = 1
SAVE_AFTER = 1 << 20
"""Bytes of journal read past the cache before the cache is written again."""


@dataclass(slots=True)
class Latest:
    """The journal's last entry for one target."""

    seq: int
    digest: str | None


@dataclass(slots=True)
class JournalIndex:
    path: Path
    latest: dict[str, Latest] = field(default_factory=dict)
    """What the journal read since the cache says of each target."""
    cached: dict[str, list[object]] = field(default_factory=dict)
    """What the cache says, as it was read (``[seq, digest]``): a save looks up its few records
    in it; turning 68,000 entries into ``Latest`` took longer than the save (50,000 cases)."""
    _inode: int = -1
    _offset: int = 0
    """Bytes of the journal read so far (always at the end of a complete line)."""
    unsaved: int = 0
    """Bytes of journal read since the cache (``journal.index``) was read or written."""

    @property
    def cache(self) -> Path:
        return self.path.with_name(CACHE_FILE)

    def refresh(self) -> None:
        """Read what was appended since the last call; start over when the journal was replaced
        (a restore of a lost directory) or cut back (a torn last line removed)."""
        inode, end, lines = appended(self.path, self._inode, self._offset)
        if lines is None:
            self.latest.clear()
            self.cached = {}
            self._inode, self._offset = inode, 0
            if inode == -1:
                return
            self._load_cache(inode, end)
            inode, end, lines = appended(self.path, self._inode, self._offset)
            if lines is None:
                return  # replaced again meanwhile: read at the next refresh
        for line in lines:
            self._add_line(line)
        self.unsaved += end - self._offset
        self._offset = end

    def _load_cache(self, inode: int, size: int) -> None:
        """Start from the cache when it is of this journal as it still is up to its offset."""
        try:
            cached = orjson.loads(self.cache.read_bytes())
            offset, head, latest = int(cached["offset"]), str(cached["head"]), cached["latest"]
            if cached.get("version") != CACHE_VERSION or cached.get("inode") != inode or not 0 < offset <= size:
                return
            if self._hash_before(offset) != head or not isinstance(latest, dict):
                return
        except (OSError, ValueError, TypeError, KeyError):
            return  # no cache, or not one to trust: the journal is read whole
        self.cached = latest
        self._offset = offset

    def _hash_before(self, offset: int) -> str | None:
        """The hash of the journal entry that ends at byte ``offset`` (None: no whole entry does)."""
        with self.path.open("rb") as fh:
            fh.seek(max(0, offset - 65536))
            block = fh.read(offset - max(0, offset - 65536))
        if not block.endswith(b"\n"):
            return None
        line = block[:-1].rsplit(b"\n", 1)[-1]
        try:
            value = orjson.loads(line).get("hash")
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None

    def save(self, mode: int) -> None:
        """Write the cache as of what has been read (under the lock, after a refresh); a cache
        that cannot be written (a full disk) is simply not there next time."""
        head = self._hash_before(self._offset) if self._offset else None
        if head is None:
            return
        body = {
            "version": CACHE_VERSION,
            "inode": self._inode,
            "offset": self._offset,
            "head": head,
            "latest": {t: [seq, held] for t, (seq, held) in self.entries().items()},
        }
        with contextlib.suppress(OSError, ResourceProblem):
            atomic_write(self.cache, orjson.dumps(body), mode, durable=False)
            self.unsaved = 0

    def _add_line(self, line: bytes) -> None:
        try:
            entry = orjson.loads(line)
            target, seq, held = entry["target"], entry["seq"], entry["digest"]
        except (ValueError, TypeError, KeyError):
            return  # a line that is not an entry is verify's to name, not a reason to stop saves
        if isinstance(target, str) and isinstance(seq, int) and (held is None or isinstance(held, str)):
            self.latest[target] = Latest(seq, held)

    def digest_of(self, target: str) -> str | None:
        """The digest the journal last recorded for ``target`` (None: removed, or never written)."""
        found = self._find(target)
        return None if found is None else found.digest

    def _find(self, target: str) -> Latest | None:
        found = self.latest.get(target)
        if found is not None:
            return found
        if target not in self.cached:
            return None
        raw = self.cached[target]
        if isinstance(raw, list) and len(raw) == 2:
            seq, held = raw
            if isinstance(seq, int) and (held is None or isinstance(held, str)):
                return Latest(seq, held)
        # Not what a cache is written with: none of it is trusted, the journal is read whole.
        self.cached = {}
        self.latest.clear()
        self._offset = 0
        self.refresh()
        return self.latest.get(target)

    def entries(self) -> dict[str, tuple[int, str | None]]:
        """(seq, digest) of the journal's last entry for every target it names."""
        out: dict[str, tuple[int, str | None]] = {}
        for target in self.cached:
            found = self._find(target)
            if found is not None:
                out[target] = (found.seq, found.digest)
        out.update((t, (f.seq, f.digest)) for t, f in self.latest.items())
        return out

    def known(self, target: str) -> bool:
        """Has the journal ever named ``target`` (a number once given out is never given again)?"""
        return self._find(target) is not None
