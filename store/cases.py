"""Cases (办件): a matter carried out for a village and a subject, step by step.

A case's number is ``村名-年份-序号`` (``城关村-2026-0012``). Every record carries ``rev``:
a save names the rev it was based on, and a different stored rev is a conflict, never a
silent overwrite. A step that produces a record gets it when it is done: a notice step
needs its posted notice (whose date starts the period), a seal step its seal-register
entry, a meeting step its minutes (an existing meeting, or a draft made for it).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procedures import engine
from procedures.engine import CaseState, CaseStatus, FlowError
from procedures.meetings import MeetingKind
from procedures.model import Catalog, Matter, Produces, Step
from procedures.workdays import WorkCalendar
from store.db import Store, Transaction
from store.errors import (
    BadInput,
    Needed,
    NeedsRecord,
    NoSuchMatter,
    NoSuchVillage,
    Refused,
    StepMismatch,
    TooEarly,
    VerdictContradicts,
)
from store.identity import Operator, who_did
from store.meetings import Meetings
from store.meetings import build as build_meeting
from store.notices import Notices, pending_objections, result_for
from store.records import RecordBook, prefix_of
from store.sanitize import LONG, sanitize
from store.seals import Seals
from store.settings import Settings

KIND = "case"

if TYPE_CHECKING:
    from procedures.views import CaseView


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

    def view(self) -> CaseView:
        """What ``procedures`` reads of the case."""
        from procedures.views import CaseView  # what a case screen or the checks read: not at start-up

        return CaseView.from_record(self.record)

    def state(self) -> CaseState:
        return engine.state_of(self.view())

    def step_states(self, matter: Matter) -> list[tuple[str, str]]:
        """(step id, pending | active | done | skipped) for every step of the flow."""
        done = {h["step_id"] for h in self.record["history"]}
        ahead: set[str] = set()
        todo = [self.record["current"]] if self.record["current"] else []
        while todo:
            for target in matter.step(todo.pop()).targets:
                if target not in ahead:
                    ahead.add(target)
                    todo.append(target)
        # A case stored at a step a correction removed stands at its replacement (Matter.former_steps).
        active = matter.step(self.record["current"]).id if self.record["current"] else ""
        out = []
        for step in matter.steps:
            if step.id == active:
                out.append((step.id, "active"))
            elif step.id in done:
                out.append((step.id, "done"))
            elif step.id in ahead:
                out.append((step.id, "pending"))
            else:
                out.append((step.id, "skipped"))
        return out

    def records(self) -> list[str]:
        """Numbers of every record linked to the case (meetings, notices, seal uses): those of
        its finished steps, then the current step's (its posted notice, and what a reopened
        step carried back: ``store.amendments``)."""
        linked = [n for h in self.record["history"] for n in h.get("records", [])]
        progress = self.record.get("progress") or {}
        pending = [progress.get("notice") or "", *progress.get("records", [])]
        return [*linked, *dict.fromkeys(n for n in pending if n and n not in linked)]

    @property
    def amendments(self) -> list[dict[str, Any]]:
        """What was undone or corrected in the case, oldest first (``store.amendments``)."""
        return list(self.record.get("amendments") or [])

    @property
    def closed_on(self) -> str:
        """The day the case closed (ISO), "" while it is open: withdrawn or terminated by a
        person on that day, else the day its last step was finished."""
        if self.record["current"]:
            return ""
        closing = [a for a in self.amendments if a.get("kind") in ("withdraw", "terminate")]
        if closing:
            return str(closing[-1]["at"])[:10]
        return max((str(h["finished"]) for h in self.record["history"]), default="")


KEYWORDS: tuple[tuple[str, MeetingKind], ...] = (
    ("党员大会", MeetingKind.BRANCH_ASSEMBLY),
    ("支部大会", MeetingKind.BRANCH_ASSEMBLY),
    ("支委会", MeetingKind.BRANCH_COMMITTEE),
    ("支部委员会", MeetingKind.BRANCH_COMMITTEE),
    ("党小组", MeetingKind.PARTY_GROUP),
    ("两委", MeetingKind.JOINT_MEETING),
    ("村民代表", MeetingKind.REPRESENTATIVES),
    ("民代表会议", MeetingKind.REPRESENTATIVES),
    ("村民会议", MeetingKind.VILLAGERS),
    ("监委会", MeetingKind.SUPERVISORS),
    ("监督委员会", MeetingKind.SUPERVISORS),
)


def meeting_kind_for(matter: Matter, step: Step) -> MeetingKind:
    """The kind of meeting a step holds: the matter's own, else read from the step's words."""
    if matter.meeting_kind:
        return MeetingKind(matter.meeting_kind)
    words = f"{step.title}{step.actor}"
    return next((kind for key, kind in KEYWORDS if key in words), MeetingKind.OTHER)


def _claims_no_objection(label: str) -> bool:
    return ("无异议" in label or "无质疑" in label) and "或" not in label


def _claims_objection(label: str) -> bool:
    return any(w in label for w in ("有异议", "异议成立", "属实", "提出质疑")) and "或" not in label


def _claims_not_upheld(label: str) -> bool:
    return "异议不成立" in label or "不影响" in label


def _claims_upheld(label: str) -> bool:
    return "异议成立" in label and "或" not in label


def _verifies_objections(step: Step) -> bool:
    """A step whose outcomes are the 核实结果 of a notice's objections (核实异议)."""
    return any("异议成立" in o.label or "异议不成立" in o.label for o in step.outcomes)


class Cases:
    """Opening, reading and advancing cases in a store."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        settings: Settings,
        cal: WorkCalendar,
        meetings: Meetings,
        notices: Notices,
        seals: Seals,
    ):
        self.store, self.catalog, self.settings, self.cal = store, catalog, settings, cal
        self.meetings, self.notices, self.seals = meetings, notices, seals
        self.book = RecordBook(store, KIND, "cases", "", "办件")

    def _matter(self, matter_id: str) -> Matter:
        try:
            return self.catalog.get(matter_id)
        except KeyError:
            raise NoSuchMatter(matter_id) from None

    def village(self, village: str) -> str:
        name = sanitize(village, "村名", limit=30, required=True)
        if name not in self.settings.villages:
            raise NoSuchVillage(name, tuple(self.settings.villages))
        self.store.require_visible(name)
        return name

    def get(self, number: str) -> Case:
        return Case(self.book.get(number))

    def all(self, *, skip_damaged: bool | None = None, year: int | None = None) -> list[Case]:
        """Every case of every village (the viewer sees), of every year or of ``year``."""
        return [Case(r) for r in self.book.all(skip_damaged=skip_damaged, year=year)]

    def find(
        self, village: str | None = None, matter: str | None = None, status: str | None = None, year: int | None = None
    ) -> list[Case]:
        """The cases of a village (else all the viewer sees), a matter, a status and the year in
        their number (the data files of other years are not read)."""
        # One village: its own file only (a damaged one stops it); all: the others go on.
        cases = [Case(r) for r in self.book.in_village(self.village(village), year)] if village else self.all(year=year)
        if matter:
            cases = [c for c in cases if c.matter_id == matter.strip()]
        if status:
            wanted = _status(status)
            cases = [c for c in cases if c.status is wanted]
        return cases

    def open(self, operator: Operator, now: dt.datetime, matter_id: str, village: str, subject: str) -> Case:
        """Open a case at the matter's first step; the number is allocated under the lock."""
        matter = self._matter(matter_id)
        name = self.village(village)
        text = sanitize(subject, "办件事由", required=True)
        today = now.date()
        state = engine.start(matter, today)
        fields: dict[str, Any] = {
            "matter_id": matter.id,
            "subject": text,
            "opened_on": today.isoformat(),
            "status": state.status.value,
            "current": state.current,
            "current_since": state.current_since.isoformat(),
            "progress": {"checklist": [], "materials": [], "note": "", "notice": ""},
            "history": [],
        }
        with self.store.transaction(operator, now) as txn:
            who = txn.operator.stamp()
            fields.update(opened_by=who["by"], opened_by_name=who["by_name"], opened_by_role=who["by_role"])
            record = self.book.insert(txn, name, today.year, fields, "case.open", {"matter": matter.id})
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
            record = self.book.for_update(number, expected_rev)
            if not record["current"]:
                raise Refused(f"办件 {record['number']} 已结束")
            step = self._matter(record["matter_id"]).step(record["current"])
            record["progress"] = {
                **record["progress"],
                "checklist": _subset(checklist, step.checklist, "清单项"),
                "materials": _subset(materials, step.materials, "材料"),
                "note": sanitize(note, "备注", limit=LONG, multiline=True),
            }
            self.book.save(txn, record, "case.progress", {"step": step.id})
        return Case(record)

    def post_notice(
        self, operator: Operator, now: dt.datetime, number: str, fields: dict[str, Any], expected_rev: int | None = None
    ) -> dict[str, Any]:
        """Register the notice posted for the case's current step; its posting day starts the period.

        Posting again before any objection replaces the details (a typo); after an
        objection the notice stands as posted.
        """
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            matter = self._matter(record["matter_id"])
            body = self.notices.post_fields(matter, record, fields, now.date())
            existing = record["progress"].get("notice", "")
            if existing:
                notice = self.notices.get(existing)
                if notice["objections"]:
                    raise Refused(f"公示 {existing} 已收到异议，不能再修改；如需重新公示，请按流程办理")
                notice.update(body)
                self.notices.book.save(txn, notice, "notice.repost")
            else:
                notice = self.notices.book.insert(
                    txn,
                    record["village"],
                    dt.date.fromisoformat(body["posted_on"]).year,
                    {**body, "objections": [], "result": "", "closed_on": ""},
                    "notice.post",
                    {"case": number, "backdated": body["backdated"]},
                )
            record["current_since"] = body["posted_on"]
            record["progress"] = {**record["progress"], "notice": notice["number"]}
            self.book.save(txn, record, "case.notice", {"notice": notice["number"], "step": record["current"]})
            return notice

    def complete_step(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        outcome: str = "",
        note: str = "",
        force_reason: str = "",
        expected_rev: int | None = None,
        *,
        meeting: str = "",
        seal: str = "",
        step: str = "",
        materials: Iterable[str] = (),
    ) -> Case:
        """Complete the current step on ``now``'s date with ``outcome``; ``materials``: names of
        the step's materials received, ticked besides those saved with ``save_progress``.

        ``step`` (an id of the matter's steps, or its number in the flow) says which step the
        person means to complete: when the case is not at it (someone else completed it
        first), StepMismatch, and nothing changes.

        Raises TooEarly when a time rule forbids it (unless ``force_reason`` is given, which
        is journaled and flagged), NeedsRecord when the step's record is missing, Refused when
        the outcome contradicts the notice's objections; Conflict when ``expected_rev`` is stale.
        """
        note = sanitize(note, "备注", limit=LONG, multiline=True)
        reason = sanitize(force_reason, "强制完成理由", limit=LONG, multiline=True)
        label = sanitize(outcome, "办理结果", limit=100)
        step = sanitize(step, "步骤", limit=100)
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            case = Case(record)
            matter = self._matter(case.matter_id)
            if step:
                _require_step(matter, record, step)
            if not record["current"]:
                raise Refused(f"办件 {case.number} 已结束，不能再办理步骤")
            current = matter.step(record["current"])
            options = engine.choices(matter, case.state())
            if not label and len(options) == 1:
                label = options[0].label
            linked, closing = self._check_record(txn, matter, current, record, label, meeting, seal)
            try:
                state = engine.advance(matter, case.state(), now.date(), self.cal, label, force_reason=reason)
            except engine.TooEarly as exc:
                raise TooEarly(
                    str(exc),
                    case=case.number,
                    step_id=exc.step.id,
                    step_title=exc.step.title,
                    earliest=exc.end.free_from,
                    rule=exc.timer.describe(),
                    outcome=label,
                ) from None
            except FlowError as exc:
                raise Refused(f"办件 {case.number}：{exc}") from None
            entry = state.history[-1]
            if closing is not None:
                self._close_notice(txn, closing, current, entry.forced_reason)
            progress = record.get("progress") or {}
            received = [*progress.get("materials", []), *_subset(materials, current.materials, "材料")]
            record["history"] = [
                *record["history"],
                {
                    "step_id": entry.step_id,
                    "started": entry.started.isoformat(),
                    "finished": entry.finished.isoformat(),
                    "outcome": entry.outcome,
                    "note": note or progress.get("note", ""),
                    "checklist": list(progress.get("checklist", [])),
                    "materials": list(dict.fromkeys(received)),
                    "records": linked,
                    **txn.operator.stamp(),
                    "at": now.isoformat(timespec="seconds"),
                    "forced_reason": entry.forced_reason,
                },
            ]
            record.update(
                status=state.status.value,
                current=state.current,
                current_since=state.current_since.isoformat(),
                progress={"checklist": [], "materials": [], "note": "", "notice": ""},
            )
            detail: dict[str, Any] = {"step": entry.step_id, "outcome": entry.outcome}
            if linked:
                detail["records"] = linked
            action = "case.step"
            if entry.forced_reason:
                action = "case.step.forced"
                detail.update(forced=True, reason=entry.forced_reason)
            self.book.save(txn, record, action, detail)
        return Case(record)

    def _close_notice(self, txn: Transaction, notice: dict[str, Any], step: Step, forced_reason: str) -> None:
        """Close the step's notice (公示期结束) or, at the step verifying its objections, record
        their outcome; a 公示 closed before its period ran keeps the reason it was forced."""
        today = txn.now.date().isoformat()
        if step.produces is Produces.NOTICE:
            notice.update(result=result_for(notice), closed_on=today, forced_reason=forced_reason)
            self.notices.book.save(
                txn, notice, "notice.close", {"result": notice["result"], "early": bool(forced_reason)}
            )
        else:
            notice.update(result=result_for(notice), verified_on=today)
            self.notices.book.save(txn, notice, "notice.verified", {"result": notice["result"], "step": step.id})

    def _case_notice(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The case's last notice with objections, from its finished steps."""
        for entry in reversed(record["history"]):
            for number in reversed(entry.get("records", [])):
                if "GS" in number.rsplit("-", 1)[-1]:
                    notice = self.notices.get(number)
                    if notice["objections"]:
                        return notice
        return None

    def _check_verdicts(self, step: Step, record: dict[str, Any], label: str) -> dict[str, Any] | None:
        """At 核实异议: every objection decided, and the outcome agreeing with them."""
        notice = self._case_notice(record) if _verifies_objections(step) else None
        if notice is None:
            return None
        number, notice_no = record["number"], notice["number"]
        pending = pending_objections(notice)
        if pending:
            listed = "、".join(f"第{i}条" for i in pending)
            raise NeedsRecord(
                f"公示 {notice_no} 的异议（{listed}）尚未登记核实结果（成立或不成立）和处理情况，"
                f"不能完成“{step.title}”；未做任何改动。请先登记每条异议的核实结果。",
                needed=Needed.VERDICT,
                case=number,
                village=record["village"],
                step_id=step.id,
                step_title=step.title,
                notice=notice_no,
                objections=tuple(pending),
            )
        upheld = tuple(i for i, o in enumerate(notice["objections"], start=1) if o.get("upheld"))
        if upheld and _claims_not_upheld(label):
            listed = "、".join(f"第{i}条" for i in upheld)
            message = f"公示 {notice_no} 的{listed}异议核实为成立，不能选择“{label}”；未做任何改动。"
        elif not upheld and _claims_upheld(label):
            message = f"公示 {notice_no} 的异议都核实为不成立，不能选择“{label}”；未做任何改动。"
        else:
            return notice
        raise VerdictContradicts(
            message + "请按核实结果选择，或先更正异议的核实结果。",
            case=number,
            notice=notice_no,
            outcome=label,
            upheld=upheld,
        )

    def _check_record(
        self, txn: Transaction, matter: Matter, step: Step, record: dict[str, Any], label: str, meeting: str, seal: str
    ) -> tuple[list[str], dict[str, Any] | None]:
        """Attach or create the record the step produces; returns the linked numbers, and the
        notice to close (or whose objections' outcome to record) once the step is done."""
        number, village = record["number"], record["village"]
        # A reopened step carries back the meeting or seal use it was completed with: used
        # again unless another one is named.
        carried = list((record.get("progress") or {}).get("records", []))
        meeting = meeting or next((n for n in carried if prefix_of(n) == "HY"), "")
        seal = seal or next((n for n in carried if prefix_of(n) == "YY"), "")
        for other in (n for n in carried if n not in (meeting, seal)):
            book = self.meetings.book if prefix_of(other) == "HY" else self.seals.book
            replaced = book.get(other)
            replaced.update(case="", step="")
            book.save(txn, replaced, f"{book.kind}.unlink", {"case": number, "step": step.id})
        if step.produces is Produces.NOTICE:
            notice_no = record["progress"].get("notice", "")
            if not notice_no:
                raise _needs(
                    f"“{step.title}”须先登记公示（张贴日期、标题、内容），张贴日期起算公示期。",
                    Needed.NOTICE,
                    record,
                    step,
                )
            notice = self.notices.get(notice_no)
            count = len(notice["objections"])
            if count and _claims_no_objection(label):
                raise Refused(f"公示 {notice_no} 期间收到 {count} 条异议，不能选择“{label}”；请按异议的办理结果选择")
            if not count and _claims_objection(label):
                raise _needs(
                    f"公示 {notice_no} 没有登记异议，不能选择“{label}”；请先登记收到的异议。",
                    Needed.OBJECTION,
                    record,
                    step,
                    notice=notice_no,
                )
            if _claims_not_upheld(label) and any(o["upheld"] is not False for o in notice["objections"]):
                raise Refused(
                    f"公示 {notice_no} 有成立或尚未核实的异议，不能选择“{label}”；未做任何改动。"
                    "请先登记每条异议的核实结果，或按流程选择有异议。"
                )
            return [notice_no], notice
        if step.produces is Produces.SEAL_USE:
            if not seal:
                raise _needs(
                    f"“{step.title}”须先登记用印（用印登记簿），再用这条登记完成本步骤。",
                    Needed.SEAL,
                    record,
                    step,
                )
            return [self.seals.book.attach(txn, seal, village, number, step.id)["number"]], None
        if step.produces is Produces.MINUTES:
            if meeting:
                minutes = self.meetings.book.attach(txn, meeting, village, number, step.id)
                from procedures.risks import claims_pass  # loaded when needed: not at start-up

                voted = [i for i in minutes["items"] if i["passed"] is not None]
                if voted and not any(i["passed"] for i in voted) and claims_pass(label):
                    raise Refused(
                        f"会议记录 {minutes['number']} 的表决未通过（{voted[0]['arithmetic']}），不能选择“{label}”"
                    )
                return [minutes["number"]], None
            start = txn.now.replace(tzinfo=None, second=0, microsecond=0)
            draft = {
                "kind": meeting_kind_for(matter, step).value,
                "title": f"{step.title}（{record['subject']}）",
                "start": start,
                "items": [{"title": step.title}],
            }
            body = build_meeting(draft, txn.now.date())
            body.update(state="draft", corrections=[], case=number, step=step.id, auto=True)
            made = self.meetings.book.insert(
                txn, village, start.year, body, "meeting.new", {"kind": body["kind"], "case": number}
            )
            return [made["number"]], None
        if meeting or seal:
            raise BadInput(f"“{step.title}”不形成会议记录或用印登记，不能关联 {meeting or seal}")
        return [], self._check_verdicts(step, record, label)


def _needs(message: str, needed: Needed, record: dict[str, Any], step: Step, notice: str = "") -> NeedsRecord:
    """A step's refusal for want of its record (``needed``), with the case and step it is about."""
    return NeedsRecord(
        message,
        needed=needed,
        case=record["number"],
        village=record["village"],
        step_id=step.id,
        step_title=step.title,
        notice=notice,
    )


def find_step(matter: Matter, key: str) -> Step:
    """A step of ``matter`` by its id, by its number in the flow (1-based, as a case's page
    numbers them; full-width digits too) or by its title as the document words it (民主评议);
    BadInput naming the steps otherwise."""
    key = unicodedata.normalize("NFKC", key).strip()
    if key.isdigit() and 1 <= int(key) <= len(matter.steps):
        return matter.steps[int(key) - 1]
    for step in matter.steps:
        if step.id == key:
            return step
    titled = [step for step in matter.steps if unicodedata.normalize("NFKC", step.title) == key]
    if len(titled) == 1:
        return titled[0]
    listed = "、".join(f"{i} {s.id}（{s.title}）" for i, s in enumerate(matter.steps, start=1))
    raise BadInput(f"事项“{matter.name}”没有步骤“{key}”；它的步骤是：{listed}")


def _require_step(matter: Matter, record: dict[str, Any], key: str) -> None:
    """Refuse (StepMismatch) unless the case is at the step ``key`` names."""
    wanted = find_step(matter, key)
    if record["current"] and wanted.id == matter.step(record["current"]).id:
        return
    position = {s.id: i for i, s in enumerate(matter.steps, start=1)}
    current = matter.step(record["current"]) if record["current"] else None
    done = next((h for h in reversed(record["history"]) if h["step_id"] == wanted.id), None)
    raise StepMismatch(
        case=record["number"],
        wanted=wanted.id,
        wanted_title=wanted.title,
        wanted_position=position[wanted.id],
        current=current.id if current else "",
        current_title=current.title if current else "",
        current_position=position[current.id] if current else 0,
        done_by=who_did(done) if done else "",
        done_at=str(done["at"])[:16].replace("T", " ") if done else "",
        outcome=str(done["outcome"]) if done else "",
    )


def _subset(chosen: Iterable[str], allowed: tuple[str, ...], what: str) -> list[str]:
    items = list(dict.fromkeys(chosen))
    unknown = [i for i in items if i not in allowed]
    if unknown:
        raise BadInput(f"本步骤没有这些{what}：{'、'.join(unknown)}")
    return items


STATUS_WORDS = {
    "办理中": CaseStatus.OPEN,
    "已办结": CaseStatus.DONE,
    "已终止": CaseStatus.STOPPED,
    "已撤回": CaseStatus.WITHDRAWN,
}


def _status(text: str) -> CaseStatus:
    text = text.strip()
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    try:
        return CaseStatus(text)
    except ValueError:
        raise BadInput(
            f"状态“{text}”无效，应为：办理中、已办结、已终止、已撤回（或 open、done、stopped、withdrawn）"
        ) from None
