"""Typed, read-only views of stored records: what the pure layer reads of them.

The store keeps records as plain dicts (``store.codec`` says what each kind may hold); the
flow engine and the risk checks read these views instead, so that the storage keys are
known in ``procedures/`` in one place, the ``from_record`` of each view here. A view holds
only the fields ``procedures`` reads, with their types: days as ``datetime.date``, a
meeting's start as ``datetime.datetime``, counts as ``int``, what may be unset as ``X | None``.

``from_record`` reads tolerantly whatever a version of the store wrote: a key added later
(a step's ``records``, a seal's ``irregular``) is absent from older records and read as
empty; a day may be a date or the date part of a date and time; a count may be text from
before the codec ("3", "3人"). Days the codec lets be blank ("") read as ``None``. The only
days read as required are a case's (opened, current step since, each step's start and
end): every version wrote them from the flow engine's own dates, and a case without them
has no flow to judge; ``from_record`` then names the case and the field (``ValueError``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from procedures.engine import CaseStatus
from procedures.roster import Membership, Role

_LEADING_DIGITS = re.compile(r"\s*(\d{1,9})")


def _text(value: object) -> str:
    return "" if value is None else str(value)


_LISTS = (list, tuple)


def _texts(value: object) -> tuple[str, ...]:
    return tuple(map(str, value)) if value and isinstance(value, _LISTS) else ()


def _rows(value: object) -> tuple[Mapping[str, Any], ...]:
    return tuple(v for v in value if isinstance(v, Mapping)) if value and isinstance(value, _LISTS) else ()


def _day(value: object) -> dt.date | None:
    """A stored day ("2026-11-27", or the day of "2026-11-27T09:00"); None when blank or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value if len(value) == 10 else value[:10])
    except ValueError:
        return None


def _moment(value: object) -> dt.datetime | None:
    """A stored date and time ("2026-11-27T09:00"; a bare day is its midnight); None when blank."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        day = _day(value)
        return None if day is None else dt.datetime.combine(day, dt.time())


def _count(value: object) -> int:
    """A stored count: an int, or text from before the codec ("3", "3人"); 0 when none is readable."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    match = _LEADING_DIGITS.match(value) if isinstance(value, str) else None
    return int(match[1]) if match else 0


_STATUSES = {s.value: s for s in CaseStatus}


def _status(value: object, current: str) -> CaseStatus:
    """The stored status; one the engine does not know is read from the step (none: closed)."""
    status = _STATUSES.get(value) if isinstance(value, str) else None
    return status or (CaseStatus.OPEN if current else CaseStatus.DONE)


def _required_day(record: Mapping[str, Any], key: str, number: str, step: int = 0) -> dt.date:
    day = _day(record.get(key))
    if day is None:
        where = f"办件 {number}" + (f"第{step}步" if step else "")
        raise ValueError(f"{where}的{key}“{_text(record.get(key))[:30]}”不是日期")
    return day


@dataclass(frozen=True, slots=True)
class StepView:
    """One finished step of a case, as its history keeps it."""

    step_id: str
    started: dt.date
    """The day the step became current."""
    finished: dt.date
    """The day it was completed."""
    outcome: str
    """The choice taken (an outcome label, or 完成)."""
    forced_reason: str = ""
    """Why a time rule was overridden; empty when none was."""
    by: str = ""
    """The account that completed it."""
    records: tuple[str, ...] = ()
    """Numbers of the records the step produced (minutes, notice, seal use)."""
    materials: tuple[str, ...] = ()
    """The materials ticked as received."""

    @classmethod
    def from_record(cls, entry: Mapping[str, Any], number: str = "", step: int = 0) -> StepView:
        """A history entry; ``number`` and ``step`` (1-based) name it when a day is missing."""
        return cls(
            step_id=_text(entry.get("step_id")),
            started=_required_day(entry, "started", number, step),
            finished=_required_day(entry, "finished", number, step),
            outcome=_text(entry.get("outcome")),
            forced_reason=_text(entry.get("forced_reason")),
            by=_text(entry.get("by")),
            records=_texts(entry.get("records")),
            materials=_texts(entry.get("materials")),
        )


@dataclass(frozen=True, slots=True)
class AmendmentView:
    """A step reopened, a case withdrawn or terminated, or its 事由 corrected, by a person with
    a reason (``store.amendments``)."""

    kind: str
    """reopen | withdraw | terminate | subject."""
    day: dt.date | None
    """The day it was done."""
    by: str
    """The name of who did it, as they were named then."""
    reason: str
    step_id: str = ""
    """The step reopened, or the step the case stood at when withdrawn or terminated."""
    outcome: str = ""
    """The outcome a reopening undid."""
    old: str = ""
    """The 事由 as it was worded before a correction."""
    new: str = ""
    forced_reason: str = ""
    """A reopened step that had been completed by force: the reason it was forced."""

    @classmethod
    def from_record(cls, entry: Mapping[str, Any]) -> AmendmentView:
        undone = entry.get("undone")
        return cls(
            kind=_text(entry.get("kind")),
            day=_day(entry.get("at")),
            by=_text(entry.get("by_name") or entry.get("by")),
            reason=_text(entry.get("reason")),
            step_id=_text(entry.get("step_id")),
            outcome=_text(entry.get("outcome")),
            old=_text(entry.get("old")),
            new=_text(entry.get("new")),
            forced_reason=_text(undone.get("forced_reason")) if isinstance(undone, Mapping) else "",
        )


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case (办件) as the engine and the checks read it."""

    number: str
    village: str
    matter_id: str
    status: CaseStatus
    current: str
    """The current step's id; empty once the case is closed."""
    opened_on: dt.date
    current_since: dt.date
    """The day the current step started (for a posted 公示: the posting day)."""
    history: tuple[StepView, ...] = ()
    pending_notice: str = ""
    """The number of the notice posted for the current step, not yet part of the history."""
    amendments: tuple[AmendmentView, ...] = ()
    """Steps reopened, the case withdrawn or terminated, its 事由 corrected, oldest first."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CaseView:
        number = _text(record.get("number"))
        progress = record.get("progress")
        current = _text(record.get("current"))
        return cls(
            number=number,
            village=_text(record.get("village")),
            matter_id=_text(record.get("matter_id")),
            status=_status(record.get("status"), current),
            current=current,
            opened_on=_required_day(record, "opened_on", number),
            current_since=_required_day(record, "current_since", number),
            history=tuple(StepView.from_record(h, number, i) for i, h in enumerate(_rows(record.get("history")), 1)),
            pending_notice=_text(progress.get("notice")) if isinstance(progress, Mapping) else "",
            amendments=tuple(AmendmentView.from_record(a) for a in _rows(record.get("amendments"))),
        )


@dataclass(frozen=True, slots=True)
class VoteView:
    """One agenda item of a meeting, as far as its vote goes."""

    passed: bool | None
    """None: not voted on (or the counts not entered yet)."""
    arithmetic: str
    """The vote's sums against its rule, e.g. "赞成 20 > 27/2"."""


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting's minutes (会议记录) as the checks read them."""

    number: str
    village: str
    kind: str
    """The meeting kind's name (支委会, 村民代表会议 ...)."""
    title: str
    start: dt.datetime | None
    state: str
    """draft | confirmed | locked."""
    expected: int
    """应到; 0 while not entered (a draft made when a case step was done)."""
    items: tuple[VoteView, ...] = ()
    case: str = ""
    end: dt.datetime | None = None
    """None when the minutes give no end."""
    by_household: bool = False
    """A 村民会议 counted by households (its roster is the 户代表)."""
    roll: tuple[RollView, ...] = ()
    """The attendance, one row per person the roster expected on the day (empty: typed counts)."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> MeetingView:
        return cls(
            number=_text(record.get("number")),
            village=_text(record.get("village")),
            kind=_text(record.get("kind")),
            title=_text(record.get("title")),
            start=_moment(record.get("start")),
            state=_text(record.get("state")),
            expected=_count(record.get("expected")),
            items=tuple(
                VoteView(None if i.get("passed") is None else bool(i["passed"]), _text(i.get("arithmetic")))
                for i in _rows(record.get("items"))
            ),
            case=_text(record.get("case")),
            end=_moment(record.get("end")),
            by_household=bool(record.get("by_household")),
            roll=tuple(RollView.from_record(r) for r in _rows(record.get("roll"))),
        )


@dataclass(frozen=True, slots=True)
class RollView:
    """One person's row of a meeting's attendance."""

    person: str
    """The person's roster number (城关村-2026-RY0001)."""
    name: str
    mark: str
    """出席, 缺席, 书面意见, 委托, or "" while unmarked."""
    note: str = ""
    """The reason for an absence, the written opinion, the proxy's name."""

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> RollView:
        return cls(_text(row.get("person")), _text(row.get("name")), _text(row.get("mark")), _text(row.get("note")))


@dataclass(frozen=True, slots=True)
class ObjectionView:
    """An objection (异议) received while a notice stood."""

    received: dt.date | None
    upheld: bool | None
    """None: not yet checked."""
    late: bool
    """Received after the notice's earliest end."""

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> ObjectionView:
        upheld = row.get("upheld")
        return cls(_day(row.get("received")), None if upheld is None else bool(upheld), bool(row.get("late")))


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice (公示) as the checks read it."""

    number: str
    village: str
    case: str
    matter_id: str
    step: str
    """The id of the case step it was posted for."""
    posted_on: dt.date | None
    entered_on: dt.date | None
    """The day it was registered; later than ``posted_on`` when entered after the fact."""
    backdated: bool
    rule: str
    """The period's rule as people read it (公示期不少于7日)."""
    min_amount: int
    """The period's length in its unit; 0 when the step has no minimum period."""
    earliest_end: dt.date | None
    closed_on: dt.date | None
    """None while it stands."""
    objections: tuple[ObjectionView, ...] = ()
    stopped: bool = False
    """Closed because its case was withdrawn or terminated (公示中止), not because its period ran."""
    entries: tuple[EntryView, ...] = ()
    """The rows of its table (the people it names: applicants, recipients)."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> NoticeView:
        return cls(
            number=_text(record.get("number")),
            village=_text(record.get("village")),
            case=_text(record.get("case")),
            matter_id=_text(record.get("matter_id")),
            step=_text(record.get("step")),
            posted_on=_day(record.get("posted_on")),
            entered_on=_day(record.get("entered_on")),
            backdated=bool(record.get("backdated")),
            rule=_text(record.get("rule")),
            min_amount=_count(record.get("min_amount")),
            earliest_end=_day(record.get("earliest_end")),
            closed_on=_day(record.get("closed_on")),
            objections=tuple(ObjectionView.from_record(o) for o in _rows(record.get("objections"))),
            stopped=bool(record.get("stopped")),
            entries=tuple(EntryView.from_record(e) for e in _rows(record.get("entries"))),
        )


@dataclass(frozen=True, slots=True)
class EntryView:
    """One row of a notice's table, as far as the checks match it to the roster."""

    name: str
    id_number: str = field(default="", repr=False)
    """"" when not given; read only to match, never shown."""

    @classmethod
    def from_record(cls, row: Mapping[str, Any]) -> EntryView:
        return cls(_text(row.get("name")).strip(), _text(row.get("id_number")).strip())


@dataclass(frozen=True, slots=True)
class SealView:
    """A seal use (用印登记) as the checks read it."""

    number: str
    village: str
    seal: str
    """Which seal (村党组织, 村民委员会 ...)."""
    date: dt.date | None
    document: str
    approver: str
    keeper: str
    basis: str
    """What it was used on: meeting (a decision), routine (a sign-off) or none (not approved)."""
    basis_text: str
    """The basis in words, e.g. 会议决议（……）."""
    irregular: str = ""
    """The account of a use that broke the rules; empty for a regular one (and in older records)."""
    case: str = ""
    step: str = ""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SealView:
        basis = record.get("basis")
        basis = basis if isinstance(basis, Mapping) else {}
        return cls(
            number=_text(record.get("number")),
            village=_text(record.get("village")),
            seal=_text(record.get("seal")),
            date=_day(record.get("date")),
            document=_text(record.get("document")),
            approver=_text(record.get("approver")),
            keeper=_text(record.get("keeper")),
            basis=_text(basis.get("kind")),
            basis_text=_text(basis.get("text")),
            irregular=_text(record.get("irregular")),
            case=_text(record.get("case")),
            step=_text(record.get("step")),
        )


@dataclass(frozen=True, slots=True)
class OpinionView:
    """A supervisor's opinion (审核意见) or countersignature (签字), by what it is about."""

    number: str
    village: str
    kind: str
    """opinion | countersign."""
    target: str
    """The number of the case or record it is about; empty for a finding of no record."""
    step: str
    """The step a countersignature signs; empty for an opinion."""
    finding: str
    """The key of the finding it answers (``risks.Finding.key``); empty when none."""
    date: dt.date | None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OpinionView:
        return cls(
            number=_text(record.get("number")),
            village=_text(record.get("village")),
            kind=_text(record.get("kind")),
            target=_text(record.get("target")),
            step=_text(record.get("step")),
            finding=_text(record.get("finding")),
            date=_day(record.get("date")),
        )


def membership(row: Mapping[str, Any]) -> Membership:
    """One of a person's memberships as stored (``role``, ``since``, ``until``, ``detail``);
    KeyError or ValueError for a row no version could have written."""
    until = _text(row.get("until"))
    return Membership(
        Role(_text(row["role"])),
        dt.date.fromisoformat(_text(row["since"])),
        dt.date.fromisoformat(until) if until else None,
        _text(row.get("detail")),
    )


@dataclass(frozen=True, slots=True)
class PersonView:
    """A person of a village's roster (名册) as the checks read them."""

    number: str
    village: str
    name: str
    household: str
    """户号; "" when not recorded."""
    memberships: tuple[Membership, ...] = ()
    """What they held, dated (``procedures.roster``); a row no version could have written is left out."""
    id_number: str = field(default="", repr=False)
    """"" when not recorded; read only to match a notice's row, never shown."""
    ended_on: tuple[dt.date | None, ...] = ()
    """For each of ``memberships``, the day its ending was entered (None: still held, or ended
    before the roster kept that day)."""
    birth: dt.date | None = None
    """None when not recorded."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PersonView:
        held, entered = [], []
        for row in _rows(record.get("memberships")):
            try:
                held.append(membership(row))
            except (KeyError, ValueError):
                continue
            entered.append(_day(row.get("ended_on")) if held[-1].until is not None else None)
        return cls(
            number=_text(record.get("number")),
            village=_text(record.get("village")),
            name=_text(record.get("name")).strip(),
            household=_text(record.get("household")).strip(),
            memberships=tuple(held),
            id_number=_text(record.get("id_number")).strip(),
            ended_on=tuple(entered),
            birth=_day(record.get("birth")),
        )

    def ending_entered(self, membership: Membership) -> dt.date | None:
        """The day the ending of one of this person's ``memberships`` was entered, when known."""
        for held, entered in zip(self.memberships, self.ended_on, strict=False):
            if held is membership:
                return entered
        return None
