"""After-images: what each save made of a record, kept beside its village-year file.

The journal holds only digests (no personal data), so on its own it can say that a record is
wrong but not what it should be. Each save therefore also appends, before its journal entry,
the records it wrote to ``cases/<村>/<年>.changes.jsonl`` (same permissions as the data file):
one line ``{"seq": …, "target": …, "record": {…}}`` per changed record. A damaged or lost
data file can then be rebuilt from its newest good backup and these images, every
acknowledged save included (``store.repair``): an image counts only when the journal's last
entry for its record has the image's digest.

The log keeps what a rebuild needs, not every version: when it grows past a few times the
size of its data file it is rewritten with each record's two newest images only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from store.files import append_whole, atomic_write
from store.journal import canonical

SUFFIX = ".changes.jsonl"
COMPACT_FACTOR = 4
"""Rewrite a log once it is this many times its data file's size (and at least COMPACT_MIN)."""
COMPACT_MIN = 1 << 20


def log_path(data_file: Path) -> Path:
    """cases/城关村/2026.json → cases/城关村/2026.changes.jsonl"""
    return data_file.with_name(data_file.stem + SUFFIX)


def encode(seq: int, target: str, record: Mapping[str, Any]) -> bytes:
    return canonical({"seq": seq, "target": target, "record": record}) + b"\n"


def append(path: Path, body: bytes, mode: int) -> int:
    """Append ``body`` (lines made by ``encode``) and fsync; on any failure the file is cut back
    to where it was, so no partial line is left. Returns the size it had before."""
    return append_whole(path, body, mode)


def cut_back(sizes: Mapping[Path, int]) -> None:
    """Undo ``append``s (log → its size before) of a save whose journal entries were not written."""
    for path, size in sizes.items():
        with contextlib.suppress(OSError), path.open("r+b") as fh:
            fh.truncate(size)
            os.fsync(fh.fileno())


def read(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(seq, target, record) of every whole, readable line; a torn or damaged line is skipped
    (its record is then looked for in the backups)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return
    for line in raw.split(b"\n"):
        try:
            item = orjson.loads(line)
            seq, target, record = item["seq"], item["target"], item["record"]
        except (ValueError, TypeError, KeyError):
            continue
        if isinstance(seq, int) and isinstance(target, str) and isinstance(record, dict):
            yield seq, target, record


def maybe_compact(path: Path, data_size: int, mode: int) -> bool:
    """Keep only each record's newest image once the log is large (under the write lock)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size < max(COMPACT_MIN, COMPACT_FACTOR * data_size):
        return False
    kept: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for seq, target, record in read(path):
        # The newest two: the newest may be of a save cut off before its journal entry, or one
        # recorded as interrupted, and then the one before is what the journal says.
        kept[target] = [*kept.get(target, [])[-1:], (seq, record)]
    lines = sorted(((s, t, r) for t, pair in kept.items() for s, r in pair), key=lambda line: (line[0], line[1]))
    atomic_write(path, b"".join(encode(seq, target, record) for seq, target, record in lines), mode)
    return True


def group(lines: Sequence[tuple[Path, bytes]]) -> dict[Path, bytes]:
    """Lines for several logs, joined per log in their order."""
    out: dict[Path, list[bytes]] = {}
    for path, line in lines:
        out.setdefault(path, []).append(line)
    return {path: b"".join(parts) for path, parts in out.items()}
