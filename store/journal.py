"""The journal: every change appended to a hash-chained JSON-lines file.

Each line is one entry: ``seq``, ``ts``, ``os_user``, ``operator``, ``ssh``, ``action``,
``target`` (a business id such as a case number, never a TinyDB doc_id), ``digest`` (the
SHA-256 of the record after the change), ``detail``, ``txn``, ``prev`` and ``hash``.
``hash = sha256(b"CUNWU-JOURNAL-v1\\0" + canonical JSON of the entry without hash)``, so an
entry cannot change without breaking its hash, and cannot be removed, inserted or moved
without breaking the next entry's ``prev``. No personal data goes into the journal, only
digests.

Entries are appended before the data file is replaced (write-ahead): a crash in between
leaves an entry whose change never reached the data, which the next transaction detects
and records as ``recovered``. An append that fails part-way (a full disk) is cut off again
before the error is raised, so no torn line is left behind; one left by a crash is cut by the
next transaction (``drop_torn_tail``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from store import resources
from store.files import append_whole, collector_held

GENESIS = "0" * 64
DOMAIN = b"CUNWU-JOURNAL-v1\x00"
FIELDS = {"seq", "ts", "os_user", "operator", "ssh", "action", "target", "digest", "detail", "txn", "prev", "hash"}


def canonical(value: Any) -> bytes:
    """The one byte form used for every digest: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex. hashlib is imported on the first save or check, not at
    start-up: it loads OpenSSL's hashes (0.6 MB) that the first screen does not need."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def digest(record: Any) -> str:
    return sha256(canonical(record))


def entry_hash(entry: Mapping[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return sha256(DOMAIN + canonical(body))


_HASH_MEMBER = b',"hash":"'


def _hashes_as_written(raw: bytes, entry: Mapping[str, Any]) -> bool:
    """Whether the line, as written, is the entry's canonical bytes with its hash: its bytes
    without the one ``"hash"`` member hash to that hash. Every line cunwu writes is (its keys
    sorted, ``hash`` never first), so ``scan`` need not serialise each entry again to check it; a
    line that is not (written otherwise, or with another ``"hash"`` inside) is checked the long way."""
    at = raw.find(_HASH_MEMBER)
    if at < 0 or raw.find(b'"hash":"', at + 2) >= 0 or raw.find(b'"hash":"') != at + 1:
        return False
    value = raw[at + len(_HASH_MEMBER) : at + len(_HASH_MEMBER) + 65]
    expected = entry.get("hash")
    if not isinstance(expected, str) or value != expected.encode() + b'"':
        return False
    body = raw[:at] + raw[at + len(_HASH_MEMBER) + 65 :]
    return sha256(DOMAIN + body) == expected


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the journal is not what it should be."""

    kind: str
    """torn_tail, bad_json, seq_gap, modified_entry, broken_link, missing_fields."""
    line: int
    """1-based line number."""
    seq: int | None
    message: str


KIND_LABELS = {
    "torn_tail": "最后一行不完整（多为写入时断电或被强行结束）",
    "bad_json": "不是有效的 JSON",
    "missing_fields": "缺少字段",
    "seq_gap": "序号不连续（有记录被删除或插入）",
    "modified_entry": "内容被改动（哈希不符）",
    "broken_link": "与上一条的链接断开（记录被删除、调换或拼接）",
}


def read_lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, raw line without newline, ends with newline) for every line."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            complete = raw.endswith(b"\n")
            yield number, raw.rstrip(b"\n"), complete


def scan(path: Path) -> tuple[list[dict[str, Any]], Break | None]:
    """Every entry up to the first break, and that break (None when the chain is whole)."""
    with collector_held():  # a decade's entries: hundreds of thousands of dicts, none in a cycle
        return _scan(path)


def _scan(path: Path) -> tuple[list[dict[str, Any]], Break | None]:
    entries: list[dict[str, Any]] = []
    prev, expected_seq = GENESIS, 1
    lines = list(read_lines(path))
    for index, (number, raw, complete) in enumerate(lines):
        last = index == len(lines) - 1
        try:
            try:
                entry = orjson.loads(raw)
            except orjson.JSONDecodeError:
                entry = json.loads(raw.decode("utf-8"))  # what orjson refuses (NaN …) as it was read
            if not isinstance(entry, dict):
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            kind = "torn_tail" if last and not complete else "bad_json"
            return entries, Break(kind, number, None, KIND_LABELS[kind])
        if last and not complete:
            return entries, Break("torn_tail", number, entry.get("seq"), KIND_LABELS["torn_tail"])
        if not set(entry) >= FIELDS:
            missing = "、".join(sorted(FIELDS - set(entry)))
            return entries, Break(
                "missing_fields", number, entry.get("seq"), f"{KIND_LABELS['missing_fields']}：{missing}"
            )
        seq = entry["seq"]
        if not _hashes_as_written(raw, entry) and entry_hash(entry) != entry["hash"]:
            return entries, Break("modified_entry", number, seq, KIND_LABELS["modified_entry"])
        if seq != expected_seq:
            return entries, Break("seq_gap", number, seq, f"{KIND_LABELS['seq_gap']}：应为 {expected_seq}")
        if entry["prev"] != prev:
            return entries, Break("broken_link", number, seq, KIND_LABELS["broken_link"])
        entries.append(entry)
        prev, expected_seq = entry["hash"], seq + 1
    return entries, None


def tail(path: Path, block: int = 65536) -> tuple[dict[str, Any] | None, int, bool]:
    """The last complete entry, the byte offset where it ends, and whether a torn line follows it."""
    if not path.exists():
        return None, 0, False
    size = path.stat().st_size
    if size == 0:
        return None, 0, False
    with path.open("rb") as fh:
        start = max(0, size - block)
        while True:
            fh.seek(start)
            chunk = fh.read(size - start)
            body_end = chunk.rfind(b"\n") + 1  # bytes after this are a torn line
            torn = body_end < len(chunk)
            body = chunk[:body_end].rstrip(b"\n")
            cut = body.rfind(b"\n")
            if cut >= 0 or start == 0:
                line = body[cut + 1 :]
                if not line:
                    return None, start + body_end, torn
                return json.loads(line.decode("utf-8")), start + body_end, torn
            start = max(0, start - block)


class Journal:
    """Appends entries to one journal file; the caller holds the store's write lock."""

    def __init__(self, path: Path, mode: int = 0o600):
        self.path = path
        self.mode = mode

    def last(self) -> dict[str, Any] | None:
        entry, _, _ = tail(self.path)
        return entry

    def drop_torn_tail(self) -> bool:
        """Cut an incomplete last line left by a crash during append (it was never acknowledged)."""
        _, end, torn = tail(self.path)
        if torn:
            with resources.guard(self.path), self.path.open("r+b") as fh:
                fh.truncate(end)
                os.fsync(fh.fileno())
        return torn

    def recent(self, txn: str) -> list[dict[str, Any]]:
        """The entries of transaction ``txn`` at the end of the journal."""
        out: list[dict[str, Any]] = []
        entries, _ = _tail_entries(self.path, 64)
        for entry in reversed(entries):
            if entry.get("txn") != txn:
                break
            out.insert(0, entry)
        return out

    def append(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chain and write ``entries`` (without seq/prev/hash) in one fsynced append; when the
        write or the fsync fails, the file is cut back to where it ended before, then the error
        is raised (a ``ResourceProblem`` for a full disk, no permission …)."""
        if not entries:
            return []
        chained = chain(entries, self.last())
        self.write(chained)
        return chained

    def write(self, chained: Sequence[Mapping[str, Any]]) -> None:
        """Write entries already chained after the journal's last one (``chain``), as ``append`` does."""
        append_whole(self.path, b"".join(canonical(e) + b"\n" for e in chained), self.mode)


def chain(entries: Sequence[Mapping[str, Any]], last: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """``entries`` (without seq/prev/hash) chained after ``last`` (None: at the start)."""
    prev = last["hash"] if last else GENESIS
    seq = last["seq"] + 1 if last else 1
    out = []
    for entry in entries:
        full = {**entry, "seq": seq, "prev": prev}
        full["hash"] = entry_hash(full)
        out.append(full)
        prev, seq = full["hash"], seq + 1
    return out


def _tail_entries(path: Path, count: int) -> tuple[list[dict[str, Any]], int]:
    if not path.exists():
        return [], 0
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 65536))
        chunk = fh.read()
    lines = chunk.split(b"\n")
    out = []
    for raw in lines[-count - 1 :]:
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            out.append(value)
    return out, size


def appended(path: Path, inode: int, offset: int) -> tuple[int, int, list[bytes] | None]:
    """The whole lines written to the journal at ``path`` after byte ``offset`` of the file with
    ``inode``: (its inode, the offset after them, the lines). An entry still being written is read
    once it is whole. Lines None when the journal is gone (inode -1), replaced (a restore) or cut
    back (a torn line removed): the offset is then the file's size, to start over from."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return -1, 0, None
    if st.st_ino != inode or st.st_size < offset:
        return st.st_ino, st.st_size, None
    if st.st_size == offset:
        return inode, offset, []
    with path.open("rb") as fh:
        fh.seek(offset)
        chunk = fh.read(st.st_size - offset)
    end = chunk.rfind(b"\n") + 1
    return inode, offset + end, chunk[:end].splitlines()


class Watch:
    """What other sessions have saved since the last look: the journal's targets appended since
    (one ``stat`` when nothing was), so that a screen is read again only when a record it shows
    changed. Starts at the journal's end: what was saved before it is already on the screens."""

    def __init__(self, path: Path):
        self.path = path
        self._inode, self._offset, _ = appended(path, -2, 0)

    def changes(self) -> set[str] | None:
        """The targets (``case:城关村-2026-0001``, ``settings``…) of the entries appended since the
        last call; None when the journal was replaced or cut back (a restore): anything may have
        changed."""
        self._inode, self._offset, lines = appended(self.path, self._inode, self._offset)
        if lines is None:
            return None
        targets = set()
        for line in lines:
            try:
                target = orjson.loads(line).get("target")
            except (ValueError, AttributeError):
                return None  # not an entry: verify's to name; here, read everything again
            if isinstance(target, str):
                targets.add(target)
        return targets
