"""Restores (``cunwu restore``): an archive is data from outside, and anyone can edit one and
tar it again, so a restore trusts nothing in it. Only a 管理员 restores (checked before the
archive is opened), and only what ``cunwu backup`` made of this very data directory:

- its journal's chain is whole, and it is a prefix of the current journal's verified part (the
  chain is hash-linked, so the archive's last hash at that seq in the current journal proves
  every entry before it); when the data directory was lost (no journal, or an empty one), the
  archive's journal must end exactly at the anchored head (the configured anchor, or a copy
  given with ``--anchor``), and then becomes the journal; with no anchor configured at all
  (a one-PC install) it is accepted, and the journal entry says nothing could be checked;
- every record in it has the digest its journal last recorded for it, every record that
  journal says exists is in it, and its settings load (``settings.parse``) and match theirs;
- its size and members pass ``store.archive``'s reading.

Anything else is refused, saying why, and nothing changes. How a restore is carried out, all
or nothing, is ``store.restore_commit``'s.

The archive comes from a path or from standard input (``cunwu restore -``), and an anchor copy
likewise (``--anchor -``). In shared mode (the service account reads for the person, and can
read every village's data) a path is taken only under the data directory's ``backups/`` or the
person's own export folder, and an anchor copy only from standard input: the service account
does not open paths a person names. A single rotated data-file backup
(``backups/hourly|daily/…``, which the damaged-file message names) may be restored too when
every record in it is a version the current journal recorded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from procedures.loader import CatalogError
from store import anchor as anchor_mod
from store import backups, outputs, resources, roles
from store import settings as settings_mod
from store.archive import (
    PARTITION,
    STDIN_NAME,
    partition_files,
    read_archive,
    read_archive_stream,
    read_data_file,
    refuse,
)
from store.db import JOURNAL_FILE, META_TABLE, MIGRATIONS, PARTITIONS_DIR, SCHEMA_VERSION
from store.errors import BadInput, DataDamaged, JournalUnchecked, Refused, StdinOnly
from store.journal import FIELDS, GENESIS, digest, entry_hash, scan
from store.records import RecordBook
from store.restore_commit import stage_and_journal
from store.settings import SETTINGS_FILE, SETTINGS_TARGET, Settings

if TYPE_CHECKING:
    from store.site import Site

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
            numbers = [number_of(t) for t in targets if t != SETTINGS_TARGET]
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


def number_of(target: str) -> str:
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


STDIN_ANCHOR = "标准输入中的锚点副本"
"""How an anchor copy given on standard input (``--anchor -``) is named in messages."""


def restore(
    site: Site,
    now: dt.datetime,
    source: Path | IO[bytes],
    *,
    dry_run: bool = False,
    anchor_file: Path | bytes | None = None,
) -> Plan:
    """Put a backup back (see the module's doc); ``dry_run``: only say what would change.

    ``source``: the archive's path, or a stream it is read from (standard input, a
    whole-directory archive). ``anchor_file``: a copy of the anchor to check a lost data
    directory's archive against, as a path or as the copy's bytes (read from standard input).
    Refused (nothing changed) for anyone but a 管理员, and for an archive that does not check
    out; returns what was (or would be) changed."""
    roles.require_admin(site.operator, "恢复备份")
    if site.operator.via_sudo and isinstance(anchor_file, Path):
        raise shared_anchor_refusal()
    if isinstance(source, Path):
        if site.operator.via_sudo:
            source = _shared_source(site, source)
        source = outputs.given_path(source, "备份文件")
        name = source.name
        whole = name.endswith((".tar.gz", ".tgz"))
        incoming = read_archive(site, source) if whole else read_data_file(site, source)
    else:
        name, whole = STDIN_NAME, True
        incoming = read_archive_stream(site, source)
    plan = _plan(site, name, whole, incoming, anchor_file)
    if dry_run or plan.empty:
        return plan
    with resources.part_of(resources.RESTORE), site.store.transaction(site.operator, now) as txn:
        plan = _plan(site, name, whole, incoming, anchor_file)  # again, under the lock
        if plan.empty:
            return plan
        stage_and_journal(site, txn, plan, now)
    # The files go into place under the lock of the next transaction: its first step
    # (``recover``) finishes a restore whose entries are in the journal, as after a crash.
    with resources.part_of(resources.RESTORE_FINISH), site.store.transaction(site.operator, now):
        pass
    return plan


def shared_anchor_refusal() -> StdinOnly:
    """The refusal of ``--anchor PATH`` in shared mode."""
    return StdinOnly(
        "在共享服务器上，锚点副本只能从标准输入读取（--anchor 只能写 -）："
        "cunwu 以服务账号运行，能读所有村的数据，不替你打开你指定的路径。未做任何改动",
        what="anchor",
    )


def _shared_source(site: Site, source: Path) -> Path:
    """In shared mode, a backup by path only from the data directory's ``backups/`` or the
    person's own export folder (symlinks resolved): the service account must not open a file
    a person names. Refused otherwise, before anything is opened."""
    root = site.root.resolve()
    allowed = (root / backups.BACKUP_DIR, outputs.own_folder(site))

    def inside(path: Path) -> bool:
        return any(path != folder and path.is_relative_to(folder) for folder in allowed)

    # As typed first (the service account looks at no part of any other path), then with
    # symlinks resolved.
    if inside(outputs.given_path(source, "备份文件")):
        full = outputs.resolved(source, "备份文件")
        if inside(full):
            return full
    raise StdinOnly(
        f"在共享服务器上，cunwu 以服务账号运行，能读所有村的数据，只打开数据目录 {root / backups.BACKUP_DIR}/ 下的备份"
        f"和你本人导出目录 {allowed[1]}/ 中的备份，不替你打开 {outputs.shown(source)}。未做任何改动。"
        "请从标准输入提供备份",
        what="backup",
    )


# ------------------------------------------------------------------------------- checking contents


def _journal_of(raw: bytes, name: str) -> list[dict[str, Any]]:
    """Every entry of an archive's journal, the whole chain checked (any fault refuses it)."""
    if not raw.endswith(b"\n"):
        raise refuse(name, "备份中的日志最后一行不完整")
    entries: list[dict[str, Any]] = []
    prev, expected = GENESIS, 1
    for number, line in enumerate(raw.split(b"\n")[:-1], start=1):
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise refuse(name, f"备份中的日志第 {number} 行不是有效的 JSON") from None
        where = f"备份中的日志第 {number} 行"
        if not isinstance(entry, dict) or not set(entry) >= FIELDS:
            raise refuse(name, f"{where}缺少字段")
        if not (
            isinstance(entry["target"], str)
            and (entry["digest"] is None or isinstance(entry["digest"], str))
            and isinstance(entry["hash"], str)
            and isinstance(entry["detail"], dict)
        ):
            raise refuse(name, f"{where}字段类型不对")
        if entry_hash(entry) != entry["hash"]:
            raise refuse(name, f"{where}内容被改动（哈希不符）")
        if entry["seq"] != expected:
            raise refuse(name, f"{where}序号不连续（应为 {expected}）")
        if entry["prev"] != prev:
            raise refuse(name, f"{where}与上一条的链接断开")
        entries.append(entry)
        prev, expected = entry["hash"], expected + 1
    if not entries:
        raise refuse(name, "备份中的日志是空的")
    return entries


def _latest(entries: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    latest: dict[str, str | None] = {}
    for entry in entries:
        latest[entry["target"]] = entry["digest"]
    return latest


def _records_in(rel: str, raw: bytes, books: Sequence[RecordBook], strict: bool) -> dict[str, Any]:
    """The records of one data file by target. ``strict`` (a file from a backup): every table
    known, every record in the file its number belongs to, counters ahead of every number."""
    match = PARTITION.match(rel)
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
    books = site.books
    contents = _Contents()
    for rel, raw in files.items():
        if rel in (SETTINGS_FILE, JOURNAL_FILE):
            continue
        try:
            found = _records_in(rel, raw, books, strict=True)
        except DataDamaged as exc:
            raise refuse(name, str(exc)) from None
        clash = set(found) & set(contents.records)
        if clash:
            raise refuse(name, f"记录 {number_of(min(clash))} 出现在两个数据文件中")
        contents.records.update(found)
        contents.partitions[rel] = raw
    if not whole:
        return contents
    if SETTINGS_FILE not in files:
        raise refuse(name, "缺少设置文件 settings.toml")
    contents.settings_raw = files[SETTINGS_FILE]
    try:
        contents.settings = settings_mod.parse(contents.settings_raw, f"{name}:{SETTINGS_FILE}")
    except DataDamaged as exc:
        raise refuse(name, str(exc)) from None
    except CatalogError as exc:
        raise refuse(name, f"其中的设置文件无效：{exc.report()}") from None
    contents.records[SETTINGS_TARGET] = contents.settings.as_dict()
    villages = {rel.split("/")[1] for rel in contents.partitions}
    unknown = sorted(villages - set(contents.settings.villages))
    if unknown:
        raise refuse(name, f"数据文件所属的村 {'、'.join(unknown)} 不在其设置的村名单中")
    return contents


def _current(site: Site) -> _Contents:
    """What the data directory holds now (read from the files, around damaged ones)."""
    books, root = site.books, site.root
    contents = _Contents()
    for path in partition_files(root):
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


def _plan(site: Site, name: str, whole: bool, files: Mapping[str, bytes], anchor_file: Path | bytes | None) -> Plan:
    """Check a backup's contents against its own journal and the current one; what restoring it changes."""
    books = site.books
    incoming = _incoming(site, files, name, whole)
    current = _current(site)
    journal_path = site.store.journal.path
    lost = not journal_path.exists() or journal_path.stat().st_size == 0
    mine, broken = ([], None) if lost else scan(journal_path)
    plan = Plan(name, whole, file_mode=site.store.file_mode, dir_mode=site.store.dir_mode)
    if whole:
        if JOURNAL_FILE not in files:
            raise refuse(name, "缺少日志 journal.jsonl")
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
            raise Refused(f"数据目录没有可核验的日志，无法确认 {name} 中的记录；只能从整目录备份恢复")
        recorded: dict[str, set[str]] = {}
        for entry in mine:
            if entry["digest"] is not None:
                recorded.setdefault(entry["target"], set()).add(entry["digest"])
        for target, record in sorted(incoming.records.items()):
            if digest(record) not in recorded.get(target, set()):
                raise refuse(
                    name, f"记录 {number_of(target)} 的这一版本从未记入日志（备份被改动过，或不是本数据目录的）"
                )
        latest_now = _latest(mine)
        scope = set(incoming.partitions)
    _compare(plan, incoming, current, latest_now, books, scope)
    _keep_counters(plan, theirs if whole and lost else mine, books, current)
    return plan


def _keep_counters(
    plan: Plan, entries: Sequence[Mapping[str, Any]], books: Sequence[RecordBook], current: _Contents
) -> None:
    """Numbers are never given twice: each data file written keeps its counters past every
    number the journal ever recorded for it, and a data file the archive does not have is
    replaced by one that holds only those counters. (A restore had set them back, and the next
    case got the number of a case the restore removed, which paper copies still quote.)"""
    issued: dict[str, dict[str, int]] = {}
    for entry in entries:
        kind, _, key = str(entry["target"]).partition(":")
        book = next((b for b in books if b.kind == kind), None)
        if book is None:
            continue
        try:
            number = book.number(key)
        except BadInput:
            continue
        rel = f"{PARTITIONS_DIR}/{number.village}/{number.year}.json"
        counters = issued.setdefault(rel, {})
        counters[kind] = max(counters.get(kind, 0), number.seq)
    for rel in list(plan.removes):
        if rel in issued:
            plan.removes.remove(rel)
            plan.writes[rel] = orjson.dumps({META_TABLE: {"1": {"schema_version": SCHEMA_VERSION}}})
    for rel, raw in list(plan.writes.items()):
        if rel not in issued:
            continue
        data = orjson.loads(raw)
        meta = data.setdefault(META_TABLE, {}).setdefault("1", {})
        raised = False
        for kind, seq in issued[rel].items():
            if int(meta.get(f"next_{kind}", 1)) <= seq:
                meta[f"next_{kind}"] = seq + 1
                raised = True
        if raised:
            plan.writes[rel] = orjson.dumps(data)
        if plan.writes[rel] == current.partitions.get(rel):
            del plan.writes[rel]  # already so: nothing to write


def _check_against_journal(incoming: _Contents, latest: Mapping[str, str | None], name: str) -> None:
    for target, record in sorted(incoming.records.items()):
        if target not in latest:
            raise refuse(name, f"记录 {number_of(target)} 在备份的日志中没有记录（备份被改动过）")
        if latest[target] != digest(record):
            raise refuse(name, f"记录 {number_of(target)} 与备份中日志最后记录的内容不符（备份被改动过）")
    missing = sorted(t for t, d in latest.items() if d is not None and t not in incoming.records)
    if missing:
        listed = "、".join(number_of(t) for t in missing[:5]) + ("等" if len(missing) > 5 else "")
        raise refuse(name, f"备份的日志记有 {listed}，备份中却没有（共 {len(missing)} 项，备份不完整或被改动过）")


def _check_prefix(theirs: list[dict[str, Any]], mine: list[dict[str, Any]], broken: bool, name: str) -> None:
    """The archive's journal must be a prefix of the current journal's verified part."""
    if not mine:
        raise JournalUnchecked(
            f"当前日志从第 1 行起就无法核验，无法确认 {name} 是本数据目录的备份，未做任何改动。"
            "请先核验日志查明原因；如日志确已毁坏，请管理员把它移出数据目录后，凭锚点恢复"
        )
    last = theirs[-1]
    if last["seq"] > len(mine):
        where = f"当前日志在序号 {len(mine)} 之后已断开" if broken else f"当前日志只有 {len(mine)} 条"
        raise refuse(
            name,
            f"备份的日志有 {last['seq']} 条，{where}：它不是本数据目录较早时的备份"
            + ("，或当前日志断开处之后的内容无法核验" if broken else ""),
        )
    if mine[last["seq"] - 1]["hash"] != last["hash"]:
        raise refuse(
            name,
            f"备份的日志在序号 {last['seq']} 处与当前日志不同：它不是本数据目录的整目录备份，或日志被改写过",
        )


def _check_anchor(
    site: Site, incoming: _Contents, theirs: list[dict[str, Any]], anchor_file: Path | bytes | None, name: str
) -> str:
    """A lost data directory: the archive must end exactly at the anchored head."""
    if isinstance(anchor_file, bytes):
        where = STDIN_ANCHOR
        try:
            anchored = anchor_mod.parse(anchor_file)
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(f"{STDIN_ANCHOR}无效（{exc}），无法核对备份 {name}，未做任何改动") from None
    else:
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
        where = f"锚点文件 {path} "
        try:
            found = anchor_mod.read(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            why = outputs.reason(exc, site.operator.via_sudo) if isinstance(exc, OSError) else str(exc)
            raise Refused(
                f"锚点文件 {outputs.shown(path)} 无法读取（{why}），无法核对备份 {name}，未做任何改动"
            ) from None
        if found is None:
            raise Refused(
                f"{where}不存在，无法核对备份 {name}，未做任何改动。如有锚点副本，请用 --anchor - < 副本文件 提供"
            )
        anchored = found
    last = theirs[-1]
    if (last["seq"], last["hash"]) != (anchored.seq, anchored.hash):
        raise refuse(
            name,
            f"数据目录的日志已丢失，备份的日志须正好结束于锚点记录的链头：{where}是序号 {anchored.seq}"
            f"（{anchored.hash[:16]}），备份却结束于序号 {last['seq']}（{last['hash'][:16]}）。"
            "请用丢失前最后一次整目录备份，或用 --anchor 指定与这份备份相符的锚点副本",
        )
    note = f"已与{where}核对：备份的日志结束于锚点记录的序号 {anchored.seq}"
    if anchor_file is not None:
        note += _newer_live_anchor(site, anchored)
    return note


def _newer_live_anchor(site: Site, copy: anchor_mod.Anchor) -> str:
    """When an older anchor copy was used while the live anchor names a later head: what was
    lost, said in the journal (the live anchor is overwritten by the restore, and this note is
    then the only trace the committee sees)."""
    path = anchor_mod.location(site.root, site.environ) or anchor_mod.location(site.root)
    if path is None:
        return ""
    try:
        live = anchor_mod.read(path)
    except (OSError, UnicodeDecodeError, ValueError):
        return f"；当前锚点 {path} 无法读取"
    if live is None or (live.seq, live.hash) == (copy.seq, copy.hash):
        return ""
    return (
        f"。注意：当前锚点 {path} 记录的是序号 {live.seq}（{live.ts}，{live.hash[:16]}）；"
        f"备份只到序号 {copy.seq}，其后的日志已丢失，其间的改动无法恢复，也无法核对"
    )


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
