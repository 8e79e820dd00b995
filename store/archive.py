"""Whole-directory backups (``cunwu backup``) and restores (``cunwu restore``).

A backup is one ``.tar.gz`` of the settings, the journal and every data file, taken under the
write lock so it is consistent. Its journal already ends with the backup's own entry (the
entry is chained in advance and the archive is kept only when the journal then holds exactly
that entry), so the newest backup ends at the anchored chain head.

A restore trusts nothing in the archive: an archive is data from outside, and anyone can
edit one and tar it again. Only a 管理员 restores (checked before the archive is opened), and
only what ``cunwu backup`` made of this very data directory:

- its journal's chain is whole, and it is a prefix of the current journal's verified part (the
  chain is hash-linked, so the archive's last hash at that seq in the current journal proves
  every entry before it); when the data directory was lost (no journal, or an empty one), the
  archive's journal must end exactly at the anchored head (the configured anchor, or a copy
  given with ``--anchor``), and then becomes the journal; with no anchor configured at all
  (a one-PC install) it is accepted, and the journal entry says nothing could be checked;
- every record in it has the digest its journal last recorded for it, every record that
  journal says exists is in it, and its settings load (``settings.parse``) and match theirs;
- its size unpacked is bounded before anything is read into memory (``limit``), it holds
  only regular files with the expected names, each once.

Anything else is refused, saying why, and nothing changes. A restore is all-or-nothing: the
new files are staged beside their targets (fsynced), a manifest names them, the ``restored``
entries are journaled (write-ahead: the commit point), then the files are renamed into place.
A process that dies on the way leaves the manifest: the next transaction (``recover``, run
first by ``Store._recover``) finishes the restore when the journal holds its entries and
undoes it otherwise. Every file replaced or moved away is kept under ``backups/pre-restore``.
The journal itself is never rolled back.

A single rotated data-file backup (``backups/hourly|daily/…``, which the damaged-file message
names) may be restored too when every record in it is a version the current journal recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import stat
import tarfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

import orjson

from procedures.loader import CatalogError
from store import anchor as anchor_mod
from store import backups, outputs, roles
from store import settings as settings_mod
from store.db import JOURNAL_FILE, META_TABLE, MIGRATIONS, PARTITIONS_DIR, SCHEMA_VERSION, Store, Transaction
from store.errors import BadInput, DataDamaged, Refused
from store.files import atomic_write, fsync_dir, make_dirs
from store.journal import FIELDS, GENESIS, Journal, canonical, chain, digest, entry_hash, scan
from store.records import RecordBook
from store.settings import SETTINGS_FILE, SETTINGS_TARGET, Settings

if TYPE_CHECKING:
    from store.site import Site

MIB = 1024 * 1024
LIMIT_FLOOR = 256 * MIB
"""The smallest bound on an archive's unpacked size (see ``limit``)."""
LIMIT_FACTOR = 4
PAX_LIMIT = 64 * 1024
"""A pax extended header (non-ASCII member names) is a few hundred bytes; tarfile reads it whole."""
MANIFEST = "restore-pending.json"
"""A restore under way: what is staged where (``recover``)."""
STAGED = ".restore-"
ASIDE = (backups.BACKUP_DIR, "pre-restore")
ROTATED = frozenset({"hourly", "daily", "pre-restore", "pre-migration"})
"""Folders under ``backups/`` whose files are single data-file versions."""
_PARTITION = re.compile(rf"^{PARTITIONS_DIR}/(?P<village>[^/]+)/(?P<year>\d{{4}})\.json$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_REGULAR = (b"0", b"\0")
_PAX = b"x"


# --------------------------------------------------------------------------------------- backup


def backup(site: Site, now: dt.datetime, out: Path | None = None) -> Path:
    """Write a consistent archive of the data directory; returns its path.

    Only a 管理员 or 乡镇 account (an archive holds every village's records), refused before
    anything is written; ``out`` follows ``store.outputs`` (never inside the data directory,
    and only the person's export folder in shared mode). The archive's journal ends with this
    backup's own entry."""
    roles.check(site.operator, "backup")
    if out is None:
        place, name = outputs.place(site, None, outputs.BACKUP), f"cunwu-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    else:
        place, name = outputs.file_place(site, out, outputs.BACKUP)
    if not name.endswith((".tar.gz", ".tgz")):
        raise BadInput(f"备份文件名“{name}”应以 .tar.gz 结尾（cunwu restore 按此识别整目录备份）")
    if place.exists(name):
        raise BadInput(f"{place.file(name)} 已存在，请换一个文件名（不会覆盖已有文件）")
    root, written = site.root, False
    try:
        with site.store.transaction(site.operator, now) as txn:
            partitions = _partition_files(root)
            present = [p for p in (root / SETTINGS_FILE, root / JOURNAL_FILE) if p.exists()]
            txn.record("backup", f"backup:{name}", None, {"files": len(present) + len(partitions)})
            (own,) = chain(txn.entries[-1:], site.store.journal.last())
            journal = site.store.journal.path.read_bytes() if site.store.journal.path.exists() else b""
            try:
                with place.create(name) as fh:
                    written = True
                    with tarfile.open(fileobj=fh, mode="w:gz") as tar:
                        _add(tar, SETTINGS_FILE, root / SETTINGS_FILE)
                        _add_bytes(tar, JOURNAL_FILE, journal + canonical(own) + b"\n")
                        for path in partitions:
                            _add(tar, path.relative_to(root).as_posix(), path)
            except FileExistsError:
                written = False
                raise BadInput(f"{place.file(name)} 已存在，请换一个文件名（不会覆盖已有文件）") from None
        last = site.store.journal.last()
        if last is None or last["hash"] != own["hash"]:
            raise DataDamaged(f"备份未完成：日志没有按预期记下这次备份（{place.file(name)} 已删除）。请重试。")
    except BaseException:
        if written:
            with contextlib.suppress(OSError):
                place.file(name).unlink()
        raise
    return place.file(name)


def _partition_files(root: Path) -> list[Path]:
    base = root / PARTITIONS_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*/*.json") if _PARTITION.match(p.relative_to(root).as_posix()) and p.is_file())


def _add(tar: tarfile.TarFile, name: str, path: Path) -> None:
    if path.exists():
        _add_bytes(tar, name, path.read_bytes(), path.stat().st_mtime)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float | None = None) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(mtime if mtime is not None else dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# ------------------------------------------------------------------------------ what a restore does


@dataclass
class Plan:
    """What a restore changes (``--dry-run`` prints it; a restore carries it out)."""

    source: str
    """The archive's (or data-file backup's) file name."""
    whole: bool
    """A whole-directory archive (else one data file)."""
    lost: bool = False
    """The data directory had no journal: the archive's journal becomes it."""
    anchor_note: str = ""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    realigned: list[str] = field(default_factory=list)
    """Records whose data is already the archive's but whose last journal entry is not."""
    settings_lines: list[str] = field(default_factory=list)
    writes: dict[str, bytes] = field(default_factory=dict)
    """Files to write (relative to the data directory) and their content."""
    removes: list[str] = field(default_factory=list)
    """Data files to move aside (not in the archive)."""
    entries: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    """(target, record after or None, detail) of each ``restored`` journal entry."""
    journal: list[dict[str, Any]] = field(default_factory=list)
    """The archive's journal (when ``lost``: it becomes the journal)."""
    file_mode: int = 0o600
    dir_mode: int = 0o700

    @property
    def files(self) -> list[str]:
        """Every data file written or moved away."""
        return sorted([*self.writes, *self.removes])

    @property
    def empty(self) -> bool:
        return not (self.entries or self.writes or self.removes or self.lost)

    def lines(self) -> list[str]:
        """What changes, in Chinese, one line each (record numbers, never their content)."""
        out = []
        for label, targets in (
            ("新增记录", self.added),
            ("改动记录", self.changed),
            ("删除记录", self.removed),
            ("与日志对齐（数据不变）", self.realigned),
        ):
            numbers = [_shown(t) for t in targets if t != SETTINGS_TARGET]
            if numbers:
                out.append(f"{label} {len(numbers)} 条：{'、'.join(numbers)}")
        if self.settings_lines:
            out.append("设置：" + "；".join(self.settings_lines))
        elif SETTINGS_TARGET in (*self.added, *self.changed, *self.realigned):
            out.append("设置：与日志对齐")
        replaced = sorted(self.writes)
        if self.lost:
            out.append("日志：数据目录没有日志，将使用备份中的日志（已核验哈希链）")
        if replaced:
            out.append(f"写入文件 {len(replaced)} 个：{'、'.join(replaced)}")
        if self.removes:
            out.append(f"移走不在备份中的数据文件 {len(self.removes)} 个：{'、'.join(self.removes)}")
        if self.anchor_note:
            out.append(self.anchor_note)
        return out


def _shown(target: str) -> str:
    return "设置" if target == SETTINGS_TARGET else target.partition(":")[2]


@dataclass
class _Contents:
    """A data directory's contents as read from bytes: settings, data files, records by target."""

    settings_raw: bytes | None = None
    settings: Settings | None = None
    partitions: dict[str, bytes] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    damaged: set[str] = field(default_factory=set)
    """Data files that could not be read (their records are unknown)."""


def restore(
    site: Site, now: dt.datetime, source: Path, *, dry_run: bool = False, anchor_file: Path | None = None
) -> Plan:
    """Put a backup back (see the module's doc); ``dry_run``: only say what would change.

    Refused (nothing changed) for anyone but a 管理员, and for an archive that does not check
    out; returns what was (or would be) changed."""
    roles.require_admin(site.operator, "恢复备份")
    source = source.expanduser()
    whole = source.name.endswith((".tar.gz", ".tgz"))
    incoming = _read_archive(site, source) if whole else _read_data_file(site, source)
    plan = _plan(site, source.name, whole, incoming, anchor_file)
    if dry_run or plan.empty:
        return plan
    with site.store.transaction(site.operator, now) as txn:
        plan = _plan(site, source.name, whole, incoming, anchor_file)  # again, under the lock
        if plan.empty:
            return plan
        _stage_and_journal(site, txn, plan, now)
    # The files go into place under the lock of the next transaction: its first step
    # (``recover``) finishes a restore whose entries are in the journal, as after a crash.
    with site.store.transaction(site.operator, now):
        pass
    return plan


def limit(root: Path) -> int:
    """The largest unpacked archive accepted: max(256 MiB, 4 × the data directory's size now).

    A genuine archive is a copy of this data directory at an earlier time, so it is normally no
    bigger than the directory is now; 4× leaves room for data that shrank since (drafts
    removed), and 256 MiB for a lost or new directory (about 500,000 journal entries and
    10,000s of cases). The archive is held in memory while it is checked (nothing is written
    before every check passes), so this also bounds the memory a restore uses."""
    size = sum(p.stat().st_size for p in (root / SETTINGS_FILE, root / JOURNAL_FILE) if p.exists())
    size += sum(p.stat().st_size for p in _partition_files(root))
    return max(LIMIT_FLOOR, LIMIT_FACTOR * size)


def _refuse(name: str, why: str) -> DataDamaged:
    return DataDamaged(f"备份 {name} 未通过核验，已拒绝恢复，未做任何改动：{why}")


def _read_archive(site: Site, source: Path) -> dict[str, bytes]:
    """The members of an archive, each checked for kind, name and size before it is read."""
    name, bound = source.name, limit(site.root)
    try:
        fh = source.open("rb")
    except FileNotFoundError:
        raise BadInput(f"备份文件 {source} 不存在") from None
    except OSError as exc:
        raise BadInput(f"备份文件 {source} 无法打开（{exc.strerror}）") from None
    with fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{source} 不是文件")
        if info.st_size > bound:
            raise _refuse(name, f"文件大小 {info.st_size // MIB} MiB 超过上限 {bound // MIB} MiB")
        try:
            _scan_headers(fh, bound, name)
            fh.seek(0)
            return _members(fh, bound, name)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise _refuse(name, f"文件已损坏或不是 cunwu backup 生成的 .tar.gz（{exc}）") from None


def _scan_headers(fh: IO[bytes], bound: int, name: str) -> None:
    """Walk the tar headers in the unpacked stream without keeping it: refuse a member of another
    kind, a large pax header, or sizes adding up to more than ``bound``, as soon as its header
    is seen (a 1 MB archive holding a 1 GiB member is refused before that member is unpacked)."""
    total = 0
    with gzip.GzipFile(fileobj=fh, mode="rb") as stream:
        while True:
            block = stream.read(512)
            total += 512
            if len(block) < 512:
                raise _refuse(name, "文件不完整（tar 结尾缺失）")
            if block == bytes(512):
                return
            kind, size = block[156:157], _header_size(block[124:136], name)
            if kind not in (*_REGULAR, _PAX):
                raise _refuse(name, "含有普通文件以外的内容（目录、链接或设备），不是 cunwu backup 生成的")
            if kind == _PAX and size > PAX_LIMIT:
                raise _refuse(name, f"含有 {size} 字节的扩展头，不是 cunwu backup 生成的")
            padded = -(-size // 512) * 512
            if total + padded > bound:
                raise _refuse(name, f"解压后超过上限 {bound // MIB} MiB（其中一项声明 {size // MIB} MiB）")
            left = padded
            while left:
                chunk = stream.read(min(left, MIB))
                if not chunk:
                    raise _refuse(name, "文件不完整")
                left -= len(chunk)
            total += padded


def _header_size(field_: bytes, name: str) -> int:
    if field_[:1] and field_[0] & 0x80:
        raise _refuse(name, "含有超大的项（base-256 长度）")
    text = field_.split(b"\0", 1)[0].strip()
    try:
        return int(text.decode("ascii") or "0", 8)
    except (UnicodeDecodeError, ValueError):
        raise _refuse(name, "tar 头中的长度无效") from None


def _members(fh: IO[bytes], bound: int, name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    with tarfile.open(fileobj=fh, mode="r:gz") as tar:
        for member in tar:
            rel = member.name
            if not member.isreg():
                raise _refuse(name, f"“{rel}”不是普通文件")
            if not _expected_name(rel):
                raise _refuse(
                    name, f"含有不应有的文件“{rel}”（只应有 settings.toml、journal.jsonl 和 cases/村/年.json）"
                )
            if rel in files:
                raise _refuse(name, f"“{rel}”出现了不止一次")
            total += member.size
            if total > bound:
                raise _refuse(name, f"解压后超过上限 {bound // MIB} MiB")
            extracted = tar.extractfile(member)
            data = extracted.read(member.size + 1) if extracted is not None else b""
            if len(data) != member.size:
                raise _refuse(name, f"“{rel}”不完整")
            files[rel] = data
    return files


def _expected_name(rel: str) -> bool:
    if rel in (SETTINGS_FILE, JOURNAL_FILE):
        return True
    match = _PARTITION.match(rel)
    return match is not None and PurePosixPath(rel).as_posix() == rel and match["village"] not in (".", "..")


def _read_data_file(site: Site, source: Path) -> dict[str, bytes]:
    """A rotated version of one data file (``backups/hourly|daily/…``), by its original path."""
    root = site.root.resolve()
    resolved = source.resolve()
    folder = resolved.parent
    if folder.parent != root / backups.BACKUP_DIR or folder.name not in ROTATED:
        raise BadInput(
            f"{source} 不是本数据目录 backups/ 下某个数据文件的备份，也不是 cunwu backup 生成的 .tar.gz，不能恢复"
        )
    rel = backups.original_path(root, resolved).relative_to(root).as_posix()
    if not _expected_name(rel) or rel == SETTINGS_FILE:
        raise BadInput(f"{source} 不是数据文件（cases/村/年.json）的备份，不能单独恢复")
    try:
        info = resolved.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{source} 不是文件")
        if info.st_size > limit(site.root):
            raise _refuse(source.name, "文件过大")
        return {rel: resolved.read_bytes()}
    except FileNotFoundError:
        raise BadInput(f"备份文件 {source} 不存在") from None


# ------------------------------------------------------------------------------- checking contents


def _books(site: Site) -> list[RecordBook]:
    return [site.cases.book, site.meetings.book, site.notices.book, site.seals.book, site.opinions.book]


def _journal_of(raw: bytes, name: str) -> list[dict[str, Any]]:
    """Every entry of an archive's journal, the whole chain checked (any fault refuses it)."""
    if not raw.endswith(b"\n"):
        raise _refuse(name, "备份中的日志最后一行不完整")
    entries: list[dict[str, Any]] = []
    prev, expected = GENESIS, 1
    for number, line in enumerate(raw.split(b"\n")[:-1], start=1):
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _refuse(name, f"备份中的日志第 {number} 行不是有效的 JSON") from None
        where = f"备份中的日志第 {number} 行"
        if not isinstance(entry, dict) or not set(entry) >= FIELDS:
            raise _refuse(name, f"{where}缺少字段")
        if not (
            isinstance(entry["target"], str)
            and (entry["digest"] is None or isinstance(entry["digest"], str))
            and isinstance(entry["hash"], str)
            and isinstance(entry["detail"], dict)
        ):
            raise _refuse(name, f"{where}字段类型不对")
        if entry_hash(entry) != entry["hash"]:
            raise _refuse(name, f"{where}内容被改动（哈希不符）")
        if entry["seq"] != expected:
            raise _refuse(name, f"{where}序号不连续（应为 {expected}）")
        if entry["prev"] != prev:
            raise _refuse(name, f"{where}与上一条的链接断开")
        entries.append(entry)
        prev, expected = entry["hash"], expected + 1
    if not entries:
        raise _refuse(name, "备份中的日志是空的")
    return entries


def _latest(entries: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    latest: dict[str, str | None] = {}
    for entry in entries:
        latest[entry["target"]] = entry["digest"]
    return latest


def _records_in(rel: str, raw: bytes, books: Sequence[RecordBook], strict: bool) -> dict[str, Any]:
    """The records of one data file by target. ``strict`` (a file from a backup): every table
    known, every record in the file its number belongs to, counters ahead of every number."""
    match = _PARTITION.match(rel)
    assert match is not None
    village, year = match["village"], int(match["year"])
    try:
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("顶层不是对象")
    except ValueError as exc:
        raise DataDamaged(f"{rel} 无法读取（{exc}）") from None
    meta = data.get(META_TABLE, {}).get("1", {}) if isinstance(data.get(META_TABLE), dict) else {}
    version = meta.get("schema_version", 1) if isinstance(meta, dict) else 1
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise DataDamaged(f"{rel} 的格式版本 {version} 不是本程序能读的（{SCHEMA_VERSION}）")
    for target_version in range(version + 1, SCHEMA_VERSION + 1):
        data = MIGRATIONS[target_version](data)
    by_table = {book.table: book for book in books}
    out: dict[str, Any] = {}
    highest: dict[str, int] = {}
    for table, docs in data.items():
        if table == META_TABLE:
            continue
        book = by_table.get(table)
        if book is None or not isinstance(docs, dict):
            if strict:
                raise DataDamaged(f"{rel} 含有未知的表“{table}”")
            continue
        for doc_id, record in docs.items():
            number = record.get("number") if isinstance(record, dict) else None
            if not isinstance(number, str):
                raise DataDamaged(f"{rel} 的表 {table} 中有一项没有编号")
            if strict:
                try:
                    parsed = book.number(number)
                except BadInput:
                    raise DataDamaged(f"{rel} 中的编号“{number}”无效") from None
                if (parsed.village, parsed.year, str(parsed.seq), str(parsed)) != (village, year, doc_id, number):
                    raise DataDamaged(f"记录 {number} 不在它所属的数据文件或位置（{rel}）")
                highest[book.kind] = max(highest.get(book.kind, 0), parsed.seq)
            target = book.target(number)
            if target in out:
                raise DataDamaged(f"记录 {number} 在 {rel} 中出现了不止一次")
            out[target] = record
    if strict:
        for kind, seq in highest.items():
            counter = meta.get(f"next_{kind}") if isinstance(meta, dict) else None
            if not isinstance(counter, int) or counter <= seq:
                raise DataDamaged(f"{rel} 的编号计数器（next_{kind}）落后于已有的编号 {seq}")
    return out


def _incoming(site: Site, files: Mapping[str, bytes], name: str, whole: bool) -> _Contents:
    """The archive's contents, every check that needs only the archive done."""
    books = _books(site)
    contents = _Contents()
    for rel, raw in files.items():
        if rel in (SETTINGS_FILE, JOURNAL_FILE):
            continue
        try:
            found = _records_in(rel, raw, books, strict=True)
        except DataDamaged as exc:
            raise _refuse(name, str(exc)) from None
        clash = set(found) & set(contents.records)
        if clash:
            raise _refuse(name, f"记录 {_shown(min(clash))} 出现在两个数据文件中")
        contents.records.update(found)
        contents.partitions[rel] = raw
    if not whole:
        return contents
    if SETTINGS_FILE not in files:
        raise _refuse(name, "缺少设置文件 settings.toml")
    contents.settings_raw = files[SETTINGS_FILE]
    try:
        contents.settings = settings_mod.parse(contents.settings_raw, f"{name}:{SETTINGS_FILE}")
    except DataDamaged as exc:
        raise _refuse(name, str(exc)) from None
    except CatalogError as exc:
        raise _refuse(name, f"其中的设置文件无效：{exc.report()}") from None
    contents.records[SETTINGS_TARGET] = contents.settings.as_dict()
    villages = {rel.split("/")[1] for rel in contents.partitions}
    unknown = sorted(villages - set(contents.settings.villages))
    if unknown:
        raise _refuse(name, f"数据文件所属的村 {'、'.join(unknown)} 不在其设置的村名单中")
    return contents


def _current(site: Site) -> _Contents:
    """What the data directory holds now (read from the files, around damaged ones)."""
    books, root = _books(site), site.root
    contents = _Contents()
    for path in _partition_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            raw = path.read_bytes()
        except OSError:
            contents.damaged.add(rel)
            continue
        contents.partitions[rel] = raw
        try:
            contents.records.update(_records_in(rel, raw, books, strict=False))
        except DataDamaged:
            contents.damaged.add(rel)
    settings_path = root / SETTINGS_FILE
    if settings_path.exists():
        try:
            contents.settings_raw = settings_path.read_bytes()
            contents.settings = settings_mod.parse(contents.settings_raw, str(settings_path))
            contents.records[SETTINGS_TARGET] = contents.settings.as_dict()
        except (OSError, DataDamaged, CatalogError):
            contents.damaged.add(SETTINGS_FILE)
    return contents


def _partition_of(target: str, books: Sequence[RecordBook]) -> str | None:
    kind, _, key = target.partition(":")
    for book in books:
        if book.kind == kind:
            try:
                number = book.number(key)
            except BadInput:
                return None
            return f"{PARTITIONS_DIR}/{number.village}/{number.year}.json"
    return SETTINGS_FILE if target == SETTINGS_TARGET else None


def _plan(site: Site, name: str, whole: bool, files: Mapping[str, bytes], anchor_file: Path | None) -> Plan:
    """Check a backup's contents against its own journal and the current one; what restoring it changes."""
    books = _books(site)
    incoming = _incoming(site, files, name, whole)
    current = _current(site)
    journal_path = site.store.journal.path
    lost = not journal_path.exists() or journal_path.stat().st_size == 0
    mine, broken = ([], None) if lost else scan(journal_path)
    plan = Plan(name, whole, file_mode=site.store.file_mode, dir_mode=site.store.dir_mode)
    if whole:
        if JOURNAL_FILE not in files:
            raise _refuse(name, "缺少日志 journal.jsonl")
        theirs = _journal_of(files[JOURNAL_FILE], name)
        latest = _latest(theirs)
        _check_against_journal(incoming, latest, name)
        if lost:
            plan.lost, plan.journal = True, theirs
            plan.anchor_note = _check_anchor(site, incoming, theirs, anchor_file, name)
            latest_now = latest
            if incoming.settings is not None and incoming.settings.group_shared:
                plan.file_mode, plan.dir_mode = 0o660, 0o2770
        else:
            _check_prefix(theirs, mine, broken is not None, name)
            latest_now = _latest(mine)
        scope: set[str] | None = None
    else:
        if lost or not mine:
            raise Refused(
                f"数据目录没有可核验的日志，无法确认 {name} 中的记录；只能从 cunwu backup 生成的整目录备份恢复"
            )
        recorded: dict[str, set[str]] = {}
        for entry in mine:
            if entry["digest"] is not None:
                recorded.setdefault(entry["target"], set()).add(entry["digest"])
        for target, record in sorted(incoming.records.items()):
            if digest(record) not in recorded.get(target, set()):
                raise _refuse(name, f"记录 {_shown(target)} 的这一版本从未记入日志（备份被改动过，或不是本数据目录的）")
        latest_now = _latest(mine)
        scope = set(incoming.partitions)
    _compare(plan, incoming, current, latest_now, books, scope)
    return plan


def _check_against_journal(incoming: _Contents, latest: Mapping[str, str | None], name: str) -> None:
    for target, record in sorted(incoming.records.items()):
        if target not in latest:
            raise _refuse(name, f"记录 {_shown(target)} 在备份的日志中没有记录（备份被改动过）")
        if latest[target] != digest(record):
            raise _refuse(name, f"记录 {_shown(target)} 与备份中日志最后记录的内容不符（备份被改动过）")
    missing = sorted(t for t, d in latest.items() if d is not None and t not in incoming.records)
    if missing:
        shown = "、".join(_shown(t) for t in missing[:5]) + ("等" if len(missing) > 5 else "")
        raise _refuse(name, f"备份的日志记有 {shown}，备份中却没有（共 {len(missing)} 项，备份不完整或被改动过）")


def _check_prefix(theirs: list[dict[str, Any]], mine: list[dict[str, Any]], broken: bool, name: str) -> None:
    """The archive's journal must be a prefix of the current journal's verified part."""
    if not mine:
        raise Refused(
            f"当前日志从第 1 行起就无法核验，无法确认 {name} 是本数据目录的备份，未做任何改动。"
            "请先运行 cunwu verify 查明原因；如日志确已毁坏，请管理员把它移出数据目录后，凭锚点恢复"
        )
    last = theirs[-1]
    if last["seq"] > len(mine):
        where = f"当前日志在序号 {len(mine)} 之后已断开" if broken else f"当前日志只有 {len(mine)} 条"
        raise _refuse(
            name,
            f"备份的日志有 {last['seq']} 条，{where}：它不是本数据目录较早时的备份"
            + ("，或当前日志断开处之后的内容无法核验" if broken else ""),
        )
    if mine[last["seq"] - 1]["hash"] != last["hash"]:
        raise _refuse(
            name,
            f"备份的日志在序号 {last['seq']} 处与当前日志不同：它不是本数据目录的 cunwu backup 生成的，或日志被改写过",
        )


def _check_anchor(
    site: Site, incoming: _Contents, theirs: list[dict[str, Any]], anchor_file: Path | None, name: str
) -> str:
    """A lost data directory: the archive must end exactly at the anchored head."""
    path = anchor_file
    if path is None:  # the session's environment, the process's (where commits write it), the settings
        path = anchor_mod.location(site.root, site.environ) or anchor_mod.location(site.root)
    if path is None and incoming.settings is not None and incoming.settings.anchor.strip():
        configured = Path(incoming.settings.anchor.strip()).expanduser()
        path = configured if configured.is_absolute() else site.root / configured
    if path is None:
        return (
            "注意：没有配置锚点，无法核对这份备份是不是数据目录丢失前最后的状态"
            "（只核验了备份自身的日志链和每条记录）；这一点已记入日志"
        )
    try:
        anchored = anchor_mod.read(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Refused(f"锚点文件 {path} 无法读取（{reason}），无法核对备份 {name}，未做任何改动") from None
    if anchored is None:
        raise Refused(
            f"锚点文件 {path} 不存在，无法核对备份 {name}，未做任何改动。如有锚点副本，请用 --anchor 副本文件 指定"
        )
    last = theirs[-1]
    if (last["seq"], last["hash"]) != (anchored.seq, anchored.hash):
        raise _refuse(
            name,
            f"数据目录的日志已丢失，备份的日志须正好结束于锚点记录的链头：锚点 {path} 是序号 {anchored.seq}"
            f"（{anchored.hash[:16]}），备份却结束于序号 {last['seq']}（{last['hash'][:16]}）。"
            "请用丢失前最后一次 cunwu backup 生成的备份，或用 --anchor 指定与这份备份相符的锚点副本",
        )
    return f"已与锚点 {path} 核对：备份的日志结束于锚点记录的序号 {anchored.seq}"


def _compare(
    plan: Plan,
    incoming: _Contents,
    current: _Contents,
    latest: Mapping[str, str | None],
    books: Sequence[RecordBook],
    scope: set[str] | None,
) -> None:
    """Fill ``plan``: which records change (and each ``restored`` entry), which files are written."""

    def inside(target: str) -> bool:
        return scope is None or _partition_of(target, books) in scope

    targets = {t for t in (*incoming.records, *current.records) if inside(t)}
    targets |= {t for t, d in latest.items() if d is not None and inside(t) and _partition_of(t, books)}
    for target in sorted(targets):
        after = incoming.records.get(target)
        after_digest = None if after is None else digest(after)
        before = current.records.get(target)
        before_digest = None if before is None else digest(before)
        unreadable = _partition_of(target, books) in current.damaged
        journaled = latest.get(target)
        if after_digest == before_digest == journaled and not unreadable:
            continue
        detail: dict[str, Any] = {"from": plan.source, "before": before_digest, "after": after_digest}
        if journaled != before_digest:
            detail["journaled"] = journaled
        if unreadable:
            detail["note"] = "原数据文件已损坏，无法读取"
        if plan.lost:
            detail["anchor"] = plan.anchor_note
        if after is None:
            plan.removed.append(target)
        elif before is None and not unreadable:
            plan.added.append(target)
        elif after_digest != before_digest or unreadable:
            plan.changed.append(target)
        else:
            plan.realigned.append(target)
        if target == SETTINGS_TARGET and incoming.settings is not None:
            lines = settings_mod.describe(current.settings or Settings(), incoming.settings)
            plan.settings_lines = lines
            if lines:
                detail["changes"] = lines
        plan.entries.append((target, after, detail))
    for rel, raw in sorted(incoming.partitions.items()):
        if current.partitions.get(rel) != raw:
            plan.writes[rel] = raw
    if scope is None:
        if incoming.settings_raw is not None and current.settings_raw != incoming.settings_raw:
            plan.writes[SETTINGS_FILE] = incoming.settings_raw
        plan.removes = sorted(rel for rel in (*current.partitions, *current.damaged) if rel not in incoming.partitions)
        plan.removes = [rel for rel in plan.removes if rel != SETTINGS_FILE]


# ----------------------------------------------------------------------------- carrying it out


def _stage_and_journal(site: Site, txn: Transaction, plan: Plan, now: dt.datetime) -> None:
    """Inside the restore's transaction: the journal entries (role-checked), the manifest, the
    staged files; then the commit point — the journal (appended by the transaction's commit,
    or, for a lost directory, the archive's journal with the entries renamed into place)."""
    store, root = site.store, site.root
    summary = {
        "from": plan.source,
        "added": len(plan.added),
        "changed": len(plan.changed),
        "removed": len(plan.removed),
        "files": plan.files,
    }
    if plan.lost:
        summary["anchor"] = plan.anchor_note
    for target, after, detail in plan.entries:
        txn.record("restored", target, after, detail)
    txn.record("restore", f"restore:{plan.source}", None, summary)
    if plan.lost:
        base: Mapping[str, Any] | None = plan.journal[-1]
        entries = list(txn.entries)
        txn.entries.clear()  # they go into the new journal below, after the archive's
    else:
        base, entries = store.journal.last(), txn.entries
    chained = chain(entries, base)
    stamp = f"{now.strftime('%Y%m%d%H%M%S')}-{txn.id[:8]}"
    staged: dict[str, bytes] = {}
    steps: list[dict[str, Any]] = []
    if plan.lost:
        body = b"".join(canonical(e) + b"\n" for e in plan.journal)
        staged[JOURNAL_FILE] = body
        steps.append(_step("journal", JOURNAL_FILE, txn.id, stamp, body))
    for rel, raw in sorted(plan.writes.items()):
        staged[rel] = raw
        steps.append(_step("replace", rel, txn.id, stamp, raw))
    steps += [_step("remove", rel, txn.id, stamp) for rel in plan.removes]
    manifest = {
        "version": 1,
        "txn": txn.id,
        "seq": chained[-1]["seq"],
        "head": chained[-1]["hash"],
        "source": plan.source,
        "anchor": plan.lost,
        "steps": steps,
    }
    atomic_write(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"), plan.file_mode)
    try:
        for step in steps:
            if "staged" in step:
                target = root / step["staged"]
                make_dirs(target.parent, plan.dir_mode)
                _write_new(target, staged[step["target"]], plan.file_mode)
        if plan.lost:
            Journal(root / steps[0]["staged"], plan.file_mode).append(entries)
            os.replace(root / steps[0]["staged"], root / JOURNAL_FILE)  # the commit point
    except BaseException:
        _roll_back(root, manifest)
        raise
    if plan.lost:
        fsync_dir(root)
        assert store.journal.last() == chained[-1]


def _step(op: str, rel: str, txn: str, stamp: str, body: bytes | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"op": op, "target": rel}
    if body is not None:
        folder, _, file = rel.rpartition("/")
        step["staged"] = f"{folder + '/' if folder else ''}{STAGED}{txn}-{file}"
        step["sha256"] = hashlib.sha256(body).hexdigest()
    if op != "journal":
        step["aside"] = "/".join([*ASIDE, f"{backups.SEP.join(rel.split('/'))}.{stamp}"])
    return step


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(store: Store) -> None:
    """Finish or undo a restore that stopped part-way (called first by ``Store._recover``,
    under the write lock): finished when the journal holds its entries, undone otherwise."""
    path = store.root / MANIFEST
    if not path.exists():
        return
    try:
        manifest = _valid_manifest(json.loads(path.read_bytes().decode("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError):
        aside = store.root.joinpath(*ASIDE)
        make_dirs(aside, store.dir_mode)
        os.replace(path, aside / f"{MANIFEST}.invalid-{os.getpid()}")
        return
    if _committed(store.journal, manifest["seq"], manifest["head"]):
        _roll_forward(store, manifest)
    else:
        _roll_back(store.root, manifest)


def _valid_manifest(value: Any) -> dict[str, Any]:
    """A manifest whose every path is one a restore writes (the data directory may be shared)."""
    if not isinstance(value, dict) or value.get("version") != 1:
        raise ValueError("manifest")
    txn, seq, head, steps = value.get("txn"), value.get("seq"), value.get("head"), value.get("steps")
    if not (isinstance(txn, str) and re.fullmatch(r"[0-9a-f]{8,32}", txn)):
        raise ValueError("txn")
    if not (isinstance(seq, int) and isinstance(head, str) and _HEX64.match(head) and isinstance(steps, list)):
        raise ValueError("head")
    for step in steps:
        if not isinstance(step, dict) or step.get("op") not in ("journal", "replace", "remove"):
            raise ValueError("step")
        rel = step.get("target")
        if not isinstance(rel, str) or not _expected_name(rel) or (rel == JOURNAL_FILE) != (step["op"] == "journal"):
            raise ValueError("target")
        expected = {"op", "target"}
        if step["op"] != "remove":
            expected |= {"staged", "sha256"}
            folder, _, file = rel.rpartition("/")
            if step.get("staged") != f"{folder + '/' if folder else ''}{STAGED}{txn}-{file}":
                raise ValueError("staged")
            if not (isinstance(step.get("sha256"), str) and _HEX64.match(step["sha256"])):
                raise ValueError("sha256")
        if step["op"] != "journal":
            expected.add("aside")
            aside = step.get("aside")
            prefix = "/".join(ASIDE) + "/"
            if not (isinstance(aside, str) and aside.startswith(prefix) and "/" not in aside[len(prefix) :]):
                raise ValueError("aside")
            if aside[len(prefix) :] in ("", ".", ".."):
                raise ValueError("aside")
        if set(step) != expected:
            raise ValueError("keys")
    return value


def _committed(journal: Journal, seq: int, head: str) -> bool:
    last = journal.last()
    if last is None or last["seq"] < seq:
        return False
    if last["seq"] == seq:
        return bool(last["hash"] == head)
    entries, _ = scan(journal.path)
    return len(entries) >= seq and entries[seq - 1]["hash"] == head


def _roll_forward(store: Store, manifest: Mapping[str, Any]) -> None:
    root = store.root
    for step in manifest["steps"]:
        target = root / step["target"]
        if step["op"] == "remove":
            if target.exists():
                _keep(root, target, root / step["aside"], store.dir_mode)
                target.unlink()
                fsync_dir(target.parent)
            continue
        staged = root / step["staged"]
        if not staged.exists():
            continue  # already in place
        if hashlib.sha256(staged.read_bytes()).hexdigest() != step["sha256"]:
            raise DataDamaged(
                f"恢复未能完成：暂存文件 {staged} 与恢复记录 {root / MANIFEST} 不符（可能被改动）。"
                f"请管理员查明后删除这两个文件，再运行 cunwu verify。"
            )
        if step["op"] == "replace" and target.exists():
            _keep(root, target, root / step["aside"], store.dir_mode)
        os.replace(staged, target)
        fsync_dir(target.parent)
    (root / MANIFEST).unlink()
    fsync_dir(root)
    if manifest["anchor"]:
        last = store.journal.last()
        if last is not None:
            anchor_mod.after_commit(store, [last])


def _keep(root: Path, target: Path, aside: Path, dir_mode: int) -> None:
    """Keep the version being replaced or removed under backups/pre-restore (a hard link)."""
    make_dirs(aside.parent, dir_mode)
    if not aside.exists():
        os.link(target, aside)


def _roll_back(root: Path, manifest: Mapping[str, Any]) -> None:
    for step in manifest["steps"]:
        if "staged" in step:
            with contextlib.suppress(FileNotFoundError):
                (root / step["staged"]).unlink()
    with contextlib.suppress(FileNotFoundError):
        (root / MANIFEST).unlink()
    fsync_dir(root)
