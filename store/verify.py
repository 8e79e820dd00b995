"""``cunwu verify``: the journal's chain, the data files, and that each record is what the journal says.

A record changed by hand (a text editor on the JSON file) no longer has the digest the
journal's last entry for it recorded; a journal entry changed, removed or moved breaks
the chain. The first problem is named with its line, sequence number and reason. A journal
rewritten whole with correct hashes passes the chain check; the anchor (store/anchor.py), a
copy of the chain head kept where the staff cannot write, catches it: ``anchor_mismatch``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store import anchor as anchor_mod
from store.anchor import AnchorCheck
from store.db import Store
from store.journal import KIND_LABELS, digest, scan
from store.settings import SETTINGS_TARGET


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """One journaled change of the settings: who (with the name and role they had), when, what."""

    seq: int
    ts: str
    account: str
    name: str
    role: str
    action: str
    changes: tuple[str, ...]
    """What changed, one line each (``store.settings.describe``); a restore or a hand edit says so."""

    @property
    def who(self) -> str:
        role = f"，{self.role}" if self.role else ""
        return f"{self.name or self.account}（{self.account}{role}）"

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "account": self.account,
            "name": self.name,
            "role": self.role,
            "action": self.action,
            "changes": list(self.changes),
        }


def settings_changes(entries: list[dict[str, Any]], start: str = "", end: str = "") -> list[SettingsChange]:
    """Every journaled change of the settings (staff, roles, villages, time limits, phone),
    oldest first, whose date (``YYYY-MM-DD``) falls in ``start``..``end`` when given: a role
    granted and taken back shows as two changes."""
    found = []
    for entry in entries:
        if entry["target"] != SETTINGS_TARGET:
            continue
        day = str(entry["ts"])[:10]
        if (start and day < start) or (end and day > end):
            continue
        detail = entry.get("detail") or {}
        lines = detail.get("changes")
        if not isinstance(lines, list) or not lines:
            lines = {
                "restored": [f"从备份恢复设置（{detail.get('from', '')}）"],
                "recovered": ["上一次保存中断，设置改动未写入"],
            }.get(entry["action"], ["设置变更（未记录明细）"])
        found.append(
            SettingsChange(
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
    anchor: AnchorCheck = field(default_factory=lambda: AnchorCheck("off"))
    """The journal compared with the anchored chain head (status off when none is configured)."""
    settings: list[SettingsChange] = field(default_factory=list)
    """Every journaled change of the settings (who was given which role, when), oldest first."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: Store, records: dict[str, Any], anchor_file: Path | None = None) -> Report:
    """Check the journal and the data; ``records`` maps every target to its current record.

    ``anchor_file``: an anchor to compare with instead of the configured one (e.g. a copy kept
    elsewhere earlier: the journal must still hold the entry it names).
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
    latest: dict[str, str | None] = {}
    for entry in entries:
        latest[entry["target"]] = entry["digest"]
    if broken is None:
        for target, record in sorted(records.items()):
            if target not in latest:
                problems.append(f"数据记录 {target} 在日志中没有记录（可能是直接改动了数据文件）")
            elif latest[target] != digest(record):
                problems.append(f"数据记录 {target} 与日志最后记录的内容不符（可能是直接改动了数据文件）")
        for target, value in sorted(latest.items()):
            if value is not None and target not in records:
                problems.append(f"日志记录的 {target} 在数据文件中不存在（可能被删除）")
    return Report(
        entries=len(entries),
        records=len(records),
        head=entries[-1]["hash"] if entries else "",
        problems=problems,
        forced=sum(1 for e in entries if e["detail"].get("forced")),
        recovered=sum(1 for e in entries if e["action"] == "recovered"),
        anchor=anchored,
        settings=settings_changes(entries),
    )


__all__ = ["KIND_LABELS", "Report", "SettingsChange", "settings_changes", "verify"]
