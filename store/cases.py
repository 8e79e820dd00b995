"""Cases (办件): a matter carried out for a village and a subject, step by step.

A case's number is ``村名-年份-序号`` (``城关村-2026-0012``), allocated under the write
lock from the partition's counter; it never depends on TinyDB's doc_id. Every record
carries ``rev``: a save names the rev it was based on, and a different stored rev is a
conflict, never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tinydb.table import Document

from procedures import engine
from procedures.engine import CaseState, CaseStatus, FlowError, StepEntry, TooEarly
from procedures.model import Catalog, Matter
from procedures.workdays import WorkCalendar
from store.db import Partition, Store
from store.errors import BadInput, Conflict, DataDamaged, NotFound, Refused, SchemaTooNew
from store.identity import Operator
from store.sanitize import LONG, sanitize
from store.settings import Settings

KIND = "case"
TABLE = "cases"


@dataclass(frozen=True, slots=True)
class CaseNumber:
    village: str
    year: int
    seq: int

    def __str__(self) -> str:
        return f"{self.village}-{self.year}-{self.seq:04d}"

    @classmethod
    def parse(cls, text: str) -> CaseNumber:
        """Read a case number as typed (full-width digits and hyphens accepted)."""
        clean = unicodedata.normalize("NFKC", text or "").strip().replace("—", "-").replace("－", "-")
        parts = clean.rsplit("-", 2)
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit() or not parts[2].isdigit():
            raise BadInput(f"办件编号“{text}”格式不对，应为 村名-年份-序号，如 城关村-2026-0012")
        return cls(parts[0], int(parts[1]), int(parts[2]))


@dataclass(frozen=True, slots=True)
class Case:
    """A read-only view of a stored case."""

    record: dict[str, Any]

    @property
    def number(self) -> str:
        return str(self.record["number"])

    @property
    def matter_id(self) -> str:
        return str(self.record["matter_id"])

    @property
    def village(self) -> str:
        return str(self.record["village"])

    @property
    def subject(self) -> str:
        return str(self.record["subject"])

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.record["status"])

    @property
    def rev(self) -> int:
        return int(self.record["rev"])

    def state(self) -> CaseState:
        r = self.record
        return CaseState(
            matter_id=r["matter_id"],
            opened=dt.date.fromisoformat(r["opened_on"]),
            current=r["current"],
            current_since=dt.date.fromisoformat(r["current_since"]),
            history=tuple(
                StepEntry(
                    h["step_id"],
                    dt.date.fromisoformat(h["started"]),
                    dt.date.fromisoformat(h["finished"]),
                    h["outcome"],
                    h.get("forced_reason", ""),
                )
                for h in r["history"]
            ),
            status=CaseStatus(r["status"]),
        )

    def step_states(self, matter: Matter) -> list[tuple[str, str]]:
        """(step id, pending | active | done | skipped) for every step of the flow."""
        done = {h["step_id"] for h in self.record["history"]}
        ahead: set[str] = set()
        if self.record["current"]:
            todo = [self.record["current"]]
            while todo:
                step = matter.step(todo.pop())
                for target in step.targets:
                    if target not in ahead:
                        ahead.add(target)
                        todo.append(target)
        out = []
        for step in matter.steps:
            if step.id == self.record["current"]:
                out.append((step.id, "active"))
            elif step.id in done:
                out.append((step.id, "done"))
            elif step.id in ahead:
                out.append((step.id, "pending"))
            else:
                out.append((step.id, "skipped"))
        return out


class Cases:
    """Opening, reading and advancing cases in a store."""

    def __init__(self, store: Store, catalog: Catalog, settings: Settings, cal: WorkCalendar):
        self.store, self.catalog, self.settings, self.cal = store, catalog, settings, cal
        store.resolvers[KIND] = self._raw

    def _matter(self, matter_id: str) -> Matter:
        try:
            return self.catalog.get(matter_id)
        except KeyError:
            raise NotFound(f"没有编号为“{matter_id}”的事项；用 cunwu matters 查看全部编号") from None

    def _village(self, village: str) -> str:
        name = sanitize(village, "村名", limit=30, required=True)
        if name not in self.settings.villages:
            known = "、".join(self.settings.villages) or "（尚未设置）"
            raise NotFound(f"“{name}”不在本乡镇的村名单中（{known}）；新增村请运行 cunwu init --village {name}")
        return name

    def _partition(self, number: CaseNumber) -> Partition:
        return self.store.partition(number.village, number.year)

    def _raw(self, key: str) -> dict[str, Any] | None:
        number = CaseNumber.parse(key)
        if not (self.store.root / "cases" / number.village / f"{number.year}.json").exists():
            return None
        doc = self._partition(number).table(TABLE).get(doc_id=number.seq)
        return dict(doc) if doc is not None else None

    def get(self, number: str) -> Case:
        parsed = CaseNumber.parse(number)
        record = self._raw(str(parsed))
        if record is None:
            raise NotFound(f"没有编号为“{parsed}”的办件；用 cunwu case list 查看")
        return Case(record)

    def all(self, *, skip_damaged: bool = False) -> list[Case]:
        """Every case of every village and year, by number."""
        out = []
        for partition in self.store.partitions():
            try:
                docs = partition.table(TABLE).all()
            except (DataDamaged, SchemaTooNew):
                if not skip_damaged:
                    raise
                continue
            out += [Case(dict(doc)) for doc in docs]
        return out

    def find(self, village: str | None = None, matter: str | None = None, status: str | None = None) -> list[Case]:
        cases = self.all()
        if village:
            cases = [c for c in cases if c.village == village.strip()]
        if matter:
            cases = [c for c in cases if c.matter_id == matter.strip()]
        if status:
            wanted = _status(status)
            cases = [c for c in cases if c.status is wanted]
        return cases

    def open(self, operator: Operator, now: dt.datetime, matter_id: str, village: str, subject: str) -> Case:
        """Open a case at the matter's first step; the number is allocated under the lock."""
        matter = self._matter(matter_id)
        name = self._village(village)
        text = sanitize(subject, "办件事由", required=True)
        today = now.date()
        state = engine.start(matter, today)
        with self.store.transaction(operator, now) as txn:
            partition = self.store.partition(name, today.year)
            seq = partition.next_seq(KIND)
            number = str(CaseNumber(name, today.year, seq))
            record: dict[str, Any] = {
                "number": number,
                "matter_id": matter.id,
                "village": name,
                "year": today.year,
                "seq": seq,
                "subject": text,
                "opened_on": today.isoformat(),
                "opened_at": now.isoformat(timespec="seconds"),
                "opened_by": operator.account,
                "status": state.status.value,
                "current": state.current,
                "current_since": state.current_since.isoformat(),
                "progress": {"checklist": [], "materials": [], "note": ""},
                "history": [],
                "rev": 1,
                "updated_at": now.isoformat(timespec="seconds"),
                "updated_by": operator.account,
            }
            partition.table(TABLE).insert(Document(record, doc_id=seq))
            txn.record("case.open", f"{KIND}:{number}", record, {"matter": matter.id})
        return Case(record)

    def save_progress(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        expected_rev: int,
        checklist: Iterable[str] = (),
        materials: Iterable[str] = (),
        note: str = "",
    ) -> Case:
        """Save what has been ticked and received at the current step, without completing it."""
        with self.store.transaction(operator, now) as txn:
            case = self._for_update(number, expected_rev)
            record = dict(case.record)
            step = self._matter(case.matter_id).step(record["current"])
            record["progress"] = {
                "checklist": _subset(checklist, step.checklist, "清单项"),
                "materials": _subset(materials, step.materials, "材料"),
                "note": sanitize(note, "备注", limit=LONG, multiline=True),
            }
            self._write(txn, record, operator, now, "case.progress", {"step": step.id})
        return Case(record)

    def complete_step(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        outcome: str = "",
        note: str = "",
        force_reason: str = "",
        expected_rev: int | None = None,
    ) -> Case:
        """Complete the current step on ``now``'s date with ``outcome``.

        Raises Refused when a time rule forbids it (unless ``force_reason`` is given, which
        is journaled and flagged), Conflict when ``expected_rev`` is stale.
        """
        note = sanitize(note, "备注", limit=LONG, multiline=True)
        reason = sanitize(force_reason, "强制完成理由", limit=LONG, multiline=True)
        label = sanitize(outcome, "办理结果", limit=100)
        with self.store.transaction(operator, now) as txn:
            case = self._for_update(number, expected_rev)
            matter = self._matter(case.matter_id)
            try:
                state = engine.advance(matter, case.state(), now.date(), self.cal, label, force_reason=reason)
            except TooEarly as exc:
                raise Refused(str(exc)) from None
            except FlowError as exc:
                raise Refused(f"办件 {case.number}：{exc}") from None
            entry = state.history[-1]
            record = dict(case.record)
            progress = record.get("progress") or {}
            record["history"] = [
                *record["history"],
                {
                    "step_id": entry.step_id,
                    "started": entry.started.isoformat(),
                    "finished": entry.finished.isoformat(),
                    "outcome": entry.outcome,
                    "note": note or progress.get("note", ""),
                    "checklist": list(progress.get("checklist", [])),
                    "materials": list(progress.get("materials", [])),
                    "by": operator.account,
                    "at": now.isoformat(timespec="seconds"),
                    "forced_reason": entry.forced_reason,
                },
            ]
            record.update(
                status=state.status.value,
                current=state.current,
                current_since=state.current_since.isoformat(),
                progress={"checklist": [], "materials": [], "note": ""},
            )
            detail: dict[str, Any] = {"step": entry.step_id, "outcome": entry.outcome}
            action = "case.step"
            if entry.forced_reason:
                action = "case.step.forced"
                detail.update(forced=True, reason=entry.forced_reason)
            self._write(txn, record, operator, now, action, detail)
        return Case(record)

    def _for_update(self, number: str, expected_rev: int | None) -> Case:
        case = self.get(number)
        if expected_rev is not None and case.rev != expected_rev:
            by = case.record.get("updated_by", "")
            at = case.record.get("updated_at", "")
            raise Conflict(
                f"办件 {case.number} 已被 {by} 于 {at} 修改（你打开的是第 {expected_rev} 版，现在是第 {case.rev} 版）。"
                "请重新打开办件查看最新内容后再办理。"
            )
        return case

    def _write(
        self,
        txn: Any,
        record: dict[str, Any],
        operator: Operator,
        now: dt.datetime,
        action: str,
        detail: dict[str, Any],
    ) -> None:
        record["rev"] = int(record["rev"]) + 1
        record["updated_at"] = now.isoformat(timespec="seconds")
        record["updated_by"] = operator.account
        number = CaseNumber.parse(record["number"])
        self._partition(number).table(TABLE).update(_replace_with(record), doc_ids=[number.seq])
        txn.record(action, f"{KIND}:{record['number']}", record, detail)


def _replace_with(record: dict[str, Any]) -> Any:
    def apply(doc: dict[str, Any]) -> None:
        doc.clear()
        doc.update(record)

    return apply


def _subset(chosen: Iterable[str], allowed: tuple[str, ...], what: str) -> list[str]:
    items = list(dict.fromkeys(chosen))
    unknown = [i for i in items if i not in allowed]
    if unknown:
        raise BadInput(f"本步骤没有这些{what}：{'、'.join(unknown)}")
    return items


STATUS_WORDS = {"办理中": CaseStatus.OPEN, "已办结": CaseStatus.DONE, "已终止": CaseStatus.STOPPED}


def _status(text: str) -> CaseStatus:
    text = text.strip()
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    try:
        return CaseStatus(text)
    except ValueError:
        raise BadInput(f"状态“{text}”无效，应为：办理中、已办结、已终止（或 open、done、stopped）") from None
