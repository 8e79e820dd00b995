"""What the journal last says of each record: the check a save makes before it changes one.

A record edited by hand (valid JSON, in a text editor) no longer has the digest the journal's
last entry for it holds. A save that re-digested it would bless the edit: the next ``verify``
would pass. So before a record is changed, its stored digest is compared with the journal's
last word on it, and a mismatch refuses the save (``store.db.Transaction.record``).

The index is built by reading the journal once per process and then only what other
processes appended since (one ``stat`` when nothing was): the store calls ``refresh`` under
the write lock, where the journal cannot grow under it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson


@dataclass(slots=True)
class Latest:
    """The journal's last entry for one target."""

    seq: int
    digest: str | None


@dataclass(slots=True)
class JournalIndex:
    path: Path
    latest: dict[str, Latest] = field(default_factory=dict)
    _inode: int = -1
    _offset: int = 0
    """Bytes of the journal read so far (always at the end of a complete line)."""

    def refresh(self) -> None:
        """Read what was appended since the last call; start over when the journal was replaced
        (a restore of a lost directory) or cut back (a torn last line removed)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.latest.clear()
            self._inode, self._offset = -1, 0
            return
        if st.st_ino != self._inode or st.st_size < self._offset:
            self.latest.clear()
            self._inode, self._offset = st.st_ino, 0
        if st.st_size == self._offset:
            return
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read(st.st_size - self._offset)
        end = chunk.rfind(b"\n") + 1  # a torn last line is read once it is whole (or cut back)
        for line in chunk[:end].splitlines():
            self._add_line(line)
        self._offset += end

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
        found = self.latest.get(target)
        return None if found is None else found.digest

    def known(self, target: str) -> bool:
        """Has the journal ever named ``target`` (a number once given out is never given again)?"""
        return target in self.latest
