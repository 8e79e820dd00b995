"""``cunwu verify``: the journal's chain, the data files, and that each record is what the journal says.

A record changed by hand (a text editor on the JSON file) no longer has the digest the
journal's last entry for it recorded; a journal entry changed, removed or moved breaks
the chain. The first problem is named with its line, sequence number and reason. A journal
rewritten whole with correct hashes passes the chain check; the anchor (store/anchor.py), a
copy of the chain head kept where the staff cannot write, catches it: ``anchor_mismatch``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store import anchor as anchor_mod
from store.anchor import AnchorCheck
from store.db import Store, place_of
from store.journal import KIND_LABELS, digest, scan
from store.settings import SETTINGS_TARGET

AMENDING = frozenset({"case.reopen", "case.withdraw", "case.terminate", "case.subject"})
"""The journal actions of ``store.amendments``: a person undoing or correcting a case, with a reason."""
CLOCK_TOLERANCE = dt.timedelta(minutes=10)
"""How far back one journal entry's time may be from the one before it (two sessions whose
saves cross in the lock, a clock corrected by NTP) before verify says the clock went back."""


@dataclass(frozen=True, slots=True)
class AdminChange:
    """A change the committee must be able to see: of the settings (who was given which role,
    villages, time limits, phone) or a restore from a backup (which records it put back,
    changed or took away). Who did it keeps the name and role they had then."""

    seq: int
    ts: str
    account: str
    name: str
    role: str
    action: str
    changes: tuple[str, ...]
    """What changed, one line each (``store.settings.describe``; for a restore, the counts and
    the records it removed)."""

    @property
    def kind(self) -> str:
        return {"restore": "恢复", "repair": "修复", "settings.clock": "时钟"}.get(self.action, "设置")

    @property
    def who(self) -> str:
        role = f"，{self.role}" if self.role else ""
        return f"{self.name or self.account}（{self.account}{role}）"

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "kind": self.kind,
            "account": self.account,
            "name": self.name,
            "role": self.role,
            "action": self.action,
            "changes": list(self.changes),
        }


def admin_changes(entries: list[dict[str, Any]], start: str = "", end: str = "") -> list[AdminChange]:
    """Every journaled change of the settings and every restore, oldest first, whose date
    (``YYYY-MM-DD``) falls in ``start``..``end`` when given: a role granted and taken back
    shows as two changes, a restore with the records it removed."""
    removed: dict[str, list[str]] = {}
    for entry in entries:
        if entry["action"] == "restored" and entry["digest"] is None:
            removed.setdefault(entry["txn"], []).append(str(entry["target"]).partition(":")[2])
    found = []
    for entry in entries:
        if entry["action"] == "restore":
            lines = _restore_lines(entry.get("detail") or {}, removed.get(entry["txn"], []))
        elif entry["action"] == "repair":
            lines = _repair_lines(entry.get("detail") or {})
        elif entry["action"] == "settings.clock":
            lines = [str(line) for line in (entry.get("detail") or {}).get("changes", [])] or ["确认服务器时间"]
        elif entry["target"] == SETTINGS_TARGET and entry["action"] != "restored":
            written = (entry.get("detail") or {}).get("changes")
            if isinstance(written, list) and written:
                lines = [str(line) for line in written]
            elif entry["action"] == "recovered":
                lines = ["上一次保存中断，设置改动未写入"]
            else:
                lines = ["设置变更（未记录明细）"]
        else:
            continue
        day = str(entry["ts"])[:10]
        if (start and day < start) or (end and day > end):
            continue
        found.append(
            AdminChange(
                seq=int(entry["seq"]),
                ts=str(entry["ts"]),
                account=str(entry.get("os_user", "")),
                name=str(entry.get("operator", "")),
                role=str(entry.get("role", "")),
                action=str(entry["action"]),
                changes=tuple(str(line) for line in lines),
            )
        )
    return found


def _repair_lines(detail: dict[str, Any]) -> list[str]:
    lines = [
        f"修复数据文件 {detail.get('file', '')}：重建 {detail.get('records', 0)} 条记录（文件中完好的 "
        f"{detail.get('from_file', 0)} 条、改动记录补回 {detail.get('from_changes', 0)} 条、备份找回 "
        f"{detail.get('from_backups', 0)} 条）"
    ]
    for key, words in (("wrong", "与日志不符、按日志改回的记录"), ("lost", "找不到内容、未能补回的记录")):
        shown = [str(n) for n in detail.get(key) or []]
        if shown:
            lines.append(f"{words}：{'、'.join(shown[:20])}{'等' if len(shown) > 20 else ''}")
    return lines


def _restore_lines(detail: dict[str, Any], removed: list[str]) -> list[str]:
    counts = (
        f"新增 {detail.get('added', 0)} 条、改动 {detail.get('changed', 0)} 条、删除 {detail.get('removed', 0)} 条记录"
    )
    lines = [f"从备份 {detail.get('from', '')} 恢复：{counts}"]
    shown = [n for n in removed if n != "site"]
    if shown:
        lines.append(f"恢复后不再有的记录：{'、'.join(shown[:20])}{'等' if len(shown) > 20 else ''}")
    if detail.get("anchor"):
        lines.append(str(detail["anchor"]))
    return lines


def clock_warnings(entries: list[dict[str, Any]], now: dt.datetime | None = None) -> list[str]:
    """Journal entries dated earlier than the one before them by more than ``CLOCK_TOLERANCE``:
    the server's clock was set back, so dates typed or taken in that stretch (a 公示 posted or
    closed) may be wrong; and, given ``now``, the newest entry when it is dated after it (the
    clock ran fast then)."""
    out = []
    if now is not None and entries:
        try:
            newest = dt.datetime.fromisoformat(str(entries[-1]["ts"]))
            if newest.tzinfo is None:
                newest = newest.replace(tzinfo=now.tzinfo or dt.UTC)
            ahead = newest - now > CLOCK_TOLERANCE
        except (TypeError, ValueError):
            ahead = False
        if ahead:
            last = entries[-1]
            out.append(
                f"日志最新一条序号 {last['seq']}（{last['ts']}，{last.get('os_user', '')}）晚于现在"
                f"（{now.isoformat(timespec='seconds')}）：那次保存时服务器时钟偏快，或现在的时钟被调回；"
                "这期间登记的日期请核实"
            )
    previous: tuple[dt.datetime, dict[str, Any]] | None = None
    for entry in entries:
        try:
            when = dt.datetime.fromisoformat(str(entry["ts"]))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        # Each entry against the one just before it: a clock set back shows once where it went
        # back, a clock set ahead once where it came back (naming the entry made ahead).
        if previous is not None and when < previous[0] - CLOCK_TOLERANCE:
            before = previous[1]
            out.append(
                f"日志时间倒退：序号 {entry['seq']}（{entry['ts']}，{entry.get('os_user', '')}）早于上一条序号 "
                f"{before['seq']}（{before['ts']}，{before.get('os_user', '')}）：两者之一登记时服务器时钟不准"
                "（被调回或调快过），这段时间登记的日期（公示张贴、结束、办结等）请核实"
            )
        previous = (when, entry)
    return out


@dataclass(frozen=True, slots=True)
class Report:
    entries: int
    """Journal entries that verified."""
    records: int
    """Data records checked against the journal."""
    head: str
    """The hash of the last good entry (the chain head), to compare with a copy kept elsewhere."""
    problems: list[str] = field(default_factory=list)
    """Every problem found, the first one first."""
    forced: int = 0
    """Steps completed by force (a reason given): not errors, but shown to supervisors."""
    recovered: int = 0
    """Interrupted saves found and recorded."""
    amended: int = 0
    """Steps reopened, cases withdrawn or terminated, 事由 corrected (``AMENDING``): not errors,
    but shown to supervisors."""
    anchor: AnchorCheck = field(default_factory=lambda: AnchorCheck("off"))
    """The journal compared with the anchored chain head (status off when none is configured)."""
    changes: list[AdminChange] = field(default_factory=list)
    """Every journaled change of the settings and every restore (who was given which role, what
    a restore took away), oldest first."""
    clock: list[str] = field(default_factory=list)
    """Where the journal's time goes back (``clock_warnings``): not a break, but to be looked at."""
    interrupted: list[str] = field(default_factory=list)
    """Records behind the journal only because the last save was cut off: a warning, not a
    problem (the next save records it; repair brings the change back)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    store: Store,
    records: dict[str, Any],
    anchor_file: Path | None = None,
    layout: Sequence[str] = (),
    *,
    now: dt.datetime | None = None,
    caches: Sequence[str] = (),
) -> Report:
    """Check the journal and the data; ``records`` maps every target to its current record.

    ``anchor_file``: an anchor to compare with instead of the configured one (e.g. a copy kept
    elsewhere earlier: the journal must still hold the entry it names). ``layout``: problems
    with where the data files and records are (``Site.layout_problems``). ``caches``: kept findings
    that say something else than the records (``Site.findings_problems``).
    """
    entries, broken = scan(store.journal.path)
    problems: list[str] = []
    if broken is not None:
        seq = f"（序号 {broken.seq}）" if broken.seq is not None else ""
        last_good = entries[-1] if entries else None
        after = (
            f"；最后一条完好记录：序号 {last_good['seq']}，{last_good['ts']}，{last_good['os_user']}"
            if last_good
            else ""
        )
        problems.append(f"日志 {store.journal.path} 第 {broken.line} 行{seq}：{broken.message}{after}")
    anchored = anchor_mod.check(anchor_file or anchor_mod.location(store.root), store.root, entries, broken is not None)
    if anchored.problem:
        problems.append(anchored.message)
    problems += store.check_files()
    problems += store.overview_problems()
    problems += caches
    problems += layout
    latest: dict[str, str | None] = {}
    history: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        target = entry["target"]
        if "before" in entry and entry["before"] != latest.get(target):
            problems.append(
                f"日志序号 {entry['seq']}（{entry['ts']}，{entry.get('operator') or entry.get('os_user', '')}）"
                f"保存 {_number(target)} 时，它存储的内容与日志此前记录的不一致：保存之前已被直接改动过数据文件"
            )
        latest[target] = entry["digest"]
        history.setdefault(target, []).append(entry)
    interrupted: list[str] = []
    damaged = {(path.parent.name, int(path.stem)) for path in store.skipped if path.stem.isdigit()}
    if broken is None:
        last_txn = _last_save(entries)
        for target, record in sorted(records.items()):
            held = digest(record)
            if target not in latest:
                problems.append(f"数据记录 {target} 在日志中没有记录（可能是直接改动了数据文件）")
            elif latest[target] != held:
                note = _interrupted(store, history[target], held, last_txn)
                if note:
                    interrupted.append(note)
                else:
                    problems.append(f"数据记录 {target} 与日志最后记录的内容不符（可能是直接改动了数据文件）")
        for target, value in sorted(latest.items()):
            if value is not None and target not in records:
                if place_of(target) in damaged:
                    continue  # its file is damaged: one problem (check_files), not one per record
                note = _interrupted(store, history[target], None, last_txn)
                if note:
                    interrupted.append(note)
                else:
                    problems.append(f"日志记录的 {target} 在数据文件中不存在（可能被删除）")
    return Report(
        entries=len(entries),
        records=len(records),
        head=entries[-1]["hash"] if entries else "",
        problems=problems,
        forced=sum(1 for e in entries if e["detail"].get("forced")),
        recovered=sum(1 for e in entries if e["action"] == "recovered"),
        amended=sum(1 for e in entries if e["action"] in AMENDING),
        anchor=anchored,
        changes=admin_changes(entries),
        clock=clock_warnings(entries, now),
        interrupted=interrupted,
    )


def _number(target: str) -> str:
    return target.partition(":")[2] or target


def _last_save(entries: list[dict[str, Any]]) -> str | None:
    """The transaction of the journal's last entries: the only save that can still be in progress
    or cut off (any later save first records an interrupted one as ``recovered``)."""
    return str(entries[-1]["txn"]) if entries else None


def _interrupted(store: Store, history: list[dict[str, Any]], held: str | None, last_txn: str | None) -> str:
    """Words for a record that differs from the journal only because the last save was cut off
    (killed, a power cut) between its journal entry and its data file: the record still holds
    what the entry before said, and its file was not written since (``Store.cut_off``). Empty
    when it is anything else (a hand edit, a hand-made undo of the last save)."""
    last = history[-1]
    if last["txn"] != last_txn:
        return ""
    earlier = [e for e in history if e["txn"] != last_txn]
    said_before = earlier[-1]["digest"] if earlier else None
    if held != said_before or not store.cut_off(last, held):
        return ""
    who = last.get("operator") or last.get("os_user", "")
    return (
        f"{_number(last['target'])}：上一次保存（日志序号 {last['seq']}，{last['ts']}，{who}）中断，"
        "这项改动没有写入数据文件、没有生效；下一次保存会把这次中断记入日志，需要时请重新办理"
    )


__all__ = ["KIND_LABELS", "AdminChange", "Report", "admin_changes", "clock_warnings", "verify"]
