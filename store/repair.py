"""``cunwu repair``: rebuild a village-year data file with every acknowledged save back.

A data file can be damaged (cut short by a full disk or a bad sector, overwritten), removed,
or hold records edited by hand. A restore of the newest backup would lose every save since
that backup (backups keep one version an hour); the journal alone holds only digests. But
each save also kept its after-images (``store.images``), and the journal says, for every
record, the digest of what it must hold now. So each record is rebuilt from whatever source
has a version with exactly that digest: the file itself (records that are still right), the
after-image log, every backup of the file. A record found nowhere is named as lost, never
guessed. The counters go past every number the journal ever named.

Repair is a 管理员's work, journaled as one ``repair`` entry per file with what it brought
back from where; the damaged file is kept in ``backups/damaged/``. Other villages' files are
never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from store import backups, images, roles
from store.db import APPLIED, META_TABLE, PARTITIONS_DIR, SCHEMA_VERSION, records_of
from store.errors import BadInput, DataDamaged, NotFound
from store.files import atomic_write, make_dirs
from store.journal import digest, scan

if TYPE_CHECKING:
    from store.records import RecordBook
    from store.site import Site

DAMAGED_DIR = (backups.BACKUP_DIR, "damaged")
ACTION = "repair"


@dataclass(slots=True)
class FileRepair:
    """What repairing one data file does."""

    village: str
    year: int
    path: Path
    state: str
    """damaged (cannot be read), missing (the journal names records in it) or mismatch (records
    that differ from the journal, or are missing from the file)."""
    reason: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The rebuilt file's records, by journal target."""
    from_file: int = 0
    from_changes: int = 0
    from_backups: int = 0
    wrong: list[str] = field(default_factory=list)
    """Records the file held that differ from the journal (put back as the journal says; the
    file as it was is kept aside)."""
    lost: list[str] = field(default_factory=list)
    """Records the journal says exist but no source holds (not rebuilt)."""
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def rel(self) -> str:
        return f"{PARTITIONS_DIR}/{self.village}/{self.year}.json"

    def lines(self) -> list[str]:
        state = {"damaged": "已损坏", "missing": "不见了", "mismatch": "有记录与日志不符"}[self.state]
        out = [f"{self.rel}：{state}（{self.reason}）"]
        out.append(
            f"  重建后 {len(self.records)} 条记录：文件中完好的 {self.from_file} 条，"
            f"从改动记录补回 {self.from_changes} 条，从备份找回 {self.from_backups} 条"
        )
        if self.wrong:
            out.append(f"  与日志不符、按日志恢复的记录：{'、'.join(_numbers(self.wrong))}")
        if self.lost:
            out.append(f"  找不到内容、无法补回的记录：{'、'.join(_numbers(self.lost))}")
        return out

    def detail(self) -> dict[str, Any]:
        return {
            "file": self.rel,
            "state": self.state,
            "records": len(self.records),
            "from_file": self.from_file,
            "from_changes": self.from_changes,
            "from_backups": self.from_backups,
            "wrong": _numbers(self.wrong),
            "lost": _numbers(self.lost),
        }


def _numbers(targets: Iterable[str]) -> list[str]:
    return [t.partition(":")[2] or t for t in targets]


def plan(site: Site, village: str | None = None) -> list[FileRepair]:
    """What a repair would do, file by file (only files that need it); nothing is written."""
    roles.require_admin(site.operator, "恢复备份和修复数据")
    if village is not None and village not in site.settings.villages:
        raise NotFound(f"没有村“{village}”（设置中的村：{'、'.join(site.settings.villages)}）")
    books = site.books
    entries, broken = scan(site.store.journal.path)
    if broken is not None:
        raise DataDamaged(
            f"日志第 {broken.line} 行：{broken.message}。日志不完整时无法判断每条记录应有的内容，修复未进行，"
            "未做任何改动；请先校验数据，日志损坏须从备份恢复。"
        )
    expected, named = _journal_says(entries, books)
    places = {(p.village, p.year) for p in site.store.partitions()} | set(named)
    out = []
    for place in sorted(places):
        if village is not None and place[0] != village:
            continue
        found = _repair_of(site, books, place, expected.get(place, {}), named.get(place, {}))
        if found is not None:
            out.append(found)
    return out


def _journal_says(
    entries: list[dict[str, Any]], books: Sequence[RecordBook]
) -> tuple[dict[tuple[str, int], dict[str, str]], dict[tuple[str, int], dict[str, int]]]:
    """Per data file: each record's digest as the journal last says (only those that exist), and
    per kind the highest number the journal ever named."""
    by_kind = {book.kind: book for book in books}
    latest: dict[str, str | None] = {}
    for entry in entries:
        latest[entry["target"]] = entry["digest"]
    expected: dict[tuple[str, int], dict[str, str]] = {}
    named: dict[tuple[str, int], dict[str, int]] = {}
    for target, held in latest.items():
        kind, _, key = target.partition(":")
        book = by_kind.get(kind)
        if book is None:
            continue
        try:
            number = book.number(key)
        except BadInput:
            continue  # a number that cannot be read back: verify names it
        place = (number.village, number.year)
        counts = named.setdefault(place, {})
        counts[kind] = max(counts.get(kind, 0), number.seq)
        if held is not None:
            expected.setdefault(place, {})[target] = held
    return expected, named


def _repair_of(
    site: Site, books: Sequence[RecordBook], place: tuple[str, int], expected: dict[str, str], named: dict[str, int]
) -> FileRepair | None:
    village, year = place
    path = site.root / PARTITIONS_DIR / village / f"{year}.json"
    current: dict[str, dict[str, Any]] | None = None
    counters: dict[str, int] = {}
    if not path.exists():
        if not expected:
            return None
        state, reason = "missing", "日志中有它的记录，文件却不存在"
    else:
        try:
            data = _load(path)
        except (ValueError, OSError) as exc:
            state, reason = "damaged", str(exc)
        else:
            current, counters = _records(data, books)
            wrong = sorted(t for t, r in current.items() if expected.get(t) != digest(r))
            missing = sorted(set(expected) - set(current))
            if not wrong and not missing:
                return None
            state = "mismatch"
            reason = "、".join(
                part
                for part in (
                    f"{len(wrong)} 条与日志不符" if wrong else "",
                    f"{len(missing)} 条日志中有、文件中没有" if missing else "",
                )
                if part
            )
    found = FileRepair(village, year, path, state, reason)
    by_digest: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    for _, target, record in images.read(images.log_path(path)):
        if expected.get(target) == (held := digest(record)):
            by_digest.setdefault(held, record)
            sources.setdefault(held, "changes")
    for version in backups.versions_of(site.root, path):
        try:
            records, saved = _records(_load(version), books)
        except (ValueError, OSError):
            continue
        for kind, value in saved.items():
            counters[kind] = max(counters.get(kind, 0), value)
        for target, record in records.items():
            if expected.get(target) == (held := digest(record)):
                by_digest.setdefault(held, record)
                sources.setdefault(held, "backups")
    for target, held in sorted(expected.items()):
        if current is not None and target in current and digest(current[target]) == held:
            found.records[target] = current[target]
            found.from_file += 1
        elif held in by_digest:
            found.records[target] = by_digest[held]
            if sources[held] == "changes":
                found.from_changes += 1
            else:
                found.from_backups += 1
        else:
            found.lost.append(target)
    if current is not None:
        found.wrong = sorted(t for t, r in current.items() if expected.get(t) != digest(r))
    for kind, highest in named.items():
        counters[kind] = max(counters.get(kind, 0), highest + 1)
    found.counters = counters
    return found


def _load(path: Path) -> dict[str, Any]:
    data = orjson.loads(path.read_bytes())
    if not isinstance(data, dict):
        raise ValueError("顶层不是对象")
    return data


def _records(data: Mapping[str, Any], books: Sequence[RecordBook]) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """A partition's records by target, and its counters (next number per kind)."""
    records = records_of(data, {book.table: book.kind for book in books})
    meta = data.get(META_TABLE, {})
    first = meta.get("1", {}) if isinstance(meta, dict) else {}
    counters = {}
    if isinstance(first, dict):
        for key, value in first.items():
            if key.startswith("next_") and isinstance(value, int):
                counters[key.removeprefix("next_")] = value
    return records, counters


def carry_out(
    site: Site,
    now: dt.datetime,
    village: str | None = None,
    overviews: list[Path] | None = None,
    findings: list[Path] | None = None,
) -> list[FileRepair]:
    """Plan and write the rebuilt files under the write lock, each journaled (``repair``); the
    file as it was is kept in ``backups/damaged/``. Then every overview (``store.overview``) that
    is missing, stale or says something else than its file is written again (added to
    ``overviews``: a cache, not journaled), and so is every village's kept findings file
    (``store.findings``, added to ``findings``). Planned under the lock, after the
    transaction has recorded any save that was cut off, so that what is rebuilt is what the
    journal then says (a plan made before could bring back a change the journal calls undone)."""
    roles.require_admin(site.operator, "恢复备份和修复数据")
    store = site.store
    books = {book.kind: book for book in site.books}
    with store.transaction(site.operator, now) as txn:
        repairs = plan(site, village)
        last = store.journal.last()
        applied = int(last["seq"]) if last else 0  # the rebuilt files hold every change up to here
        for repair in repairs:
            data: dict[str, Any] = {
                META_TABLE: {
                    "1": {
                        "schema_version": SCHEMA_VERSION,
                        "village": repair.village,
                        "year": repair.year,
                        APPLIED: applied,
                        **{f"next_{kind}": value for kind, value in sorted(repair.counters.items())},
                    }
                }
            }
            for target, record in repair.records.items():
                book = books[target.partition(":")[0]]
                data.setdefault(book.table, {})[str(record["seq"])] = record
            body = orjson.dumps(data)
            txn.record(ACTION, f"{ACTION}:{repair.rel}", None, repair.detail())
            make_dirs(repair.path.parent, store.dir_mode)
            _set_aside(site.root, repair.path, now, store.dir_mode)
            atomic_write(repair.path, body, store.file_mode)
            # The change log from now on holds every record of the file: a later repair needs no backup.
            log = images.log_path(repair.path)
            lines = b"".join(images.encode(0, t, r) for t, r in sorted(repair.records.items()))
            atomic_write(log, lines, store.file_mode)
            store.forget(repair.village, repair.year)
        # What home and ``due`` read of each file, made again from the files as they now are.
        written = store.rewrite_overviews(village)
        found_again = site.rewrite_findings(village)
    if overviews is not None:
        overviews.extend(written)
    if findings is not None:
        findings.extend(found_again)
    return repairs


def _set_aside(root: Path, path: Path, now: dt.datetime, dir_mode: int) -> None:
    if not path.exists():
        return
    folder = root.joinpath(*DAMAGED_DIR)
    make_dirs(folder, dir_mode)
    target = folder / f"{backups.flat_name(root, path)}.{now.strftime('%Y%m%d%H%M%S')}"
    with contextlib.suppress(FileExistsError):
        os.link(path, target)
