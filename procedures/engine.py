"""The flow engine: pure functions over immutable case state, with ``today`` passed in.

It never reads the clock and does no I/O. The store keeps the state; the app shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from procedures.model import UNIT_LABELS, Closing, Matter, Step, Timer, TimerKind
from procedures.periods import PeriodEnd, format_date, format_short, period_end
from procedures.workdays import WorkCalendar

if TYPE_CHECKING:  # views import CaseStatus from here
    from procedures.views import CaseView

DONE_LABEL = "完成"
"""The single choice at a step without branches."""


class CaseStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    STOPPED = "stopped"
    """已终止: by a flow branch (``closes_as = "stopped"``) or by a person, with a reason."""
    WITHDRAWN = "withdrawn"
    """已撤回: withdrawn by a person, with a reason (``store.amendments``)."""


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.OPEN: "办理中",
    CaseStatus.DONE: "已办结",
    CaseStatus.STOPPED: "已终止",
    CaseStatus.WITHDRAWN: "已撤回",
}


@dataclass(frozen=True, slots=True)
class StepEntry:
    """One finished step in a case's history."""

    step_id: str
    started: dt.date
    """The day the step became current."""
    finished: dt.date
    """The day it was completed."""
    outcome: str
    """The choice taken (an outcome label, or 完成)."""
    forced_reason: str = ""
    """Why a time rule was overridden; empty when none was."""


@dataclass(frozen=True, slots=True)
class CaseState:
    """Where a case stands in its matter's flow."""

    matter_id: str
    opened: dt.date
    """The day the case was opened."""
    current: str
    """The current step's id; empty once the case is closed."""
    current_since: dt.date
    """The day the current step started (for a 公示: the posting day)."""
    history: tuple[StepEntry, ...] = ()
    status: CaseStatus = CaseStatus.OPEN

    def finished_on(self, step_id: str) -> dt.date | None:
        """The last day the step was completed, if it was."""
        for entry in reversed(self.history):
            if entry.step_id == step_id:
                return entry.finished
        return None


@dataclass(frozen=True, slots=True)
class Choice:
    """What can be done at the current step."""

    label: str
    goto: str
    """The next step's id; empty when the choice closes the case."""


class FlowError(Exception):
    """A request the flow refuses; the message says why and what to do, in Chinese."""


class TooEarly(FlowError):
    """A min_wait step completed before its first allowed day, without a forced reason."""

    def __init__(self, step: Step, timer: Timer, end: PeriodEnd):
        self.step, self.timer, self.end = step, timer, end
        super().__init__(
            f"“{step.title}”未满时限（{timer.describe()}）：期间到{format_date(end.last_day)}当日结束，"
            f"{format_date(end.free_from)}起方可完成{end.caveat()}。"
            "如确需提前，请填写理由强制完成（将记入日志并提示监督）。"
        )


def state_of(case: CaseView) -> CaseState:
    """The state of a stored case, from its view (``procedures.views.CaseView.from_record``)."""
    return CaseState(
        matter_id=case.matter_id,
        opened=case.opened_on,
        current=case.current,
        current_since=case.current_since,
        history=tuple(StepEntry(h.step_id, h.started, h.finished, h.outcome, h.forced_reason) for h in case.history),
        status=case.status,
    )


def start(matter: Matter, today: dt.date) -> CaseState:
    """A new case of ``matter`` opened on ``today``, at its first step."""
    return CaseState(matter.id, today, matter.first_step.id, today)


def choices(matter: Matter, state: CaseState) -> tuple[Choice, ...]:
    """The choices at the current step: its outcomes, or a single 完成."""
    if state.status is not CaseStatus.OPEN:
        return ()
    step = matter.step(state.current)
    if step.outcomes:
        return tuple(Choice(o.label, o.goto) for o in step.outcomes)
    label = DONE_LABEL if not step.end else ("办结" if step.closes_as is Closing.DONE else "终止")
    return (Choice(label, step.next),)


def earliest_finish(matter: Matter, state: CaseState, cal: WorkCalendar) -> PeriodEnd | None:
    """The current step's minimum period, when a min_wait rule applies; it may be completed
    from the period's ``free_from`` day (the day after its last day)."""
    if state.status is not CaseStatus.OPEN:
        return None
    step = matter.step(state.current)
    if step.timer is None or step.timer.kind is not TimerKind.MIN_WAIT:
        return None
    begin = _count_start(state, step.timer)
    return None if begin is None else period_end(begin, step.timer.amount, step.timer.unit, cal)


def advance(
    matter: Matter,
    state: CaseState,
    today: dt.date,
    cal: WorkCalendar,
    choice: str = "",
    *,
    force_reason: str = "",
) -> CaseState:
    """Complete the current step on ``today`` with ``choice`` and move on.

    Raises TooEarly when a min_wait rule has not run (unless ``force_reason`` is given,
    which is recorded), and FlowError for a closed case, an unknown choice or a date
    before the step started.
    """
    if state.matter_id != matter.id:
        raise FlowError(f"办件属于事项“{state.matter_id}”，不是“{matter.id}”")
    if state.status is not CaseStatus.OPEN:
        raise FlowError(f"办件{STATUS_LABELS[state.status]}，不能再办理步骤")
    if today < state.current_since:
        raise FlowError(f"完成日期 {format_date(today)} 早于本步骤开始日期 {format_date(state.current_since)}")
    options = choices(matter, state)
    if not choice and len(options) == 1:
        choice = options[0].label
    picked = next((c for c in options if c.label == choice), None)
    if picked is None:
        allowed = "、".join(c.label for c in options)
        raise FlowError(
            f"请选择办理结果：{allowed}" if not choice else f"“{choice}”不是本步骤的选项（可选：{allowed}）"
        )
    step = matter.step(state.current)
    force_reason = force_reason.strip()
    end = earliest_finish(matter, state, cal)
    forced = ""
    if end is not None and today < end.free_from:
        if not force_reason:
            raise TooEarly(step, step.timer, end)  # type: ignore[arg-type]
        forced = force_reason
    entry = StepEntry(step.id, state.current_since, today, picked.label, forced)
    history = (*state.history, entry)
    if not picked.goto:
        status = CaseStatus.DONE if step.closes_as is Closing.DONE else CaseStatus.STOPPED
        return replace(state, current="", current_since=today, history=history, status=status)
    return replace(state, current=picked.goto, current_since=today, history=history)


class TimerState(StrEnum):
    WAITING = "waiting"
    """A min_wait period still running: the step may not finish yet."""
    READY = "ready"
    """A min_wait period has run: the step may finish."""
    RUNNING = "running"
    """A deadline not yet passed."""
    OVERDUE = "overdue"
    """A deadline passed."""


@dataclass(frozen=True, slots=True)
class TimerStatus:
    """A running timer on ``today``."""

    step: Step
    timer: Timer
    end: PeriodEnd
    state: TimerState
    days_left: int
    """Calendar days from today to the period's last day (negative once passed)."""

    @property
    def due(self) -> dt.date:
        """The day that matters: a deadline's last day, or the first day a min_wait step may complete."""
        return self.end.free_from if self.timer.kind is TimerKind.MIN_WAIT else self.end.last_day

    def describe(self) -> str:
        """One line in Chinese, status in words (never by colour alone)."""
        last = format_short(self.end.last_day)
        caveat = self.end.caveat()
        if self.state is TimerState.WAITING:
            free = format_short(self.end.free_from)
            left = "今天期满" if self.days_left == 0 else f"剩 {self.days_left} 天，{last}期满"
            return f"{self.timer.rule}：{left}，{free}起可完成{caveat}"
        if self.state is TimerState.READY:
            return f"{self.timer.rule}：期满（{last}），可以完成{caveat}"
        if self.state is TimerState.RUNNING:
            when = "今天到期" if self.days_left == 0 else f"剩 {self.days_left} 天"
            return f"{self.timer.rule}：{when}，{last}前完成{caveat}"
        return f"{self.timer.rule}：已超期 {-self.days_left} 天（{last}到期）{caveat}"


def running_timers(matter: Matter, state: CaseState, today: dt.date, cal: WorkCalendar) -> tuple[TimerStatus, ...]:
    """Every min_wait and deadline timer running on ``today``.

    That is the current step's timer, and the timers of steps not yet reached whose count
    starts from a step already finished (预备期一年 runs from the 支部大会 on).
    """
    if state.status is not CaseStatus.OPEN:
        return ()
    current = matter.step(state.current).id  # a former step id stands for its replacement
    out = []
    for step, timer in matter.timers:
        if timer.kind is TimerKind.RECURRING:
            continue
        if step.id != current and (not timer.counts_from or state.finished_on(step.id) is not None):
            continue
        begin = _count_start(state, timer)
        if begin is None:
            continue
        end = period_end(begin, timer.amount, timer.unit, cal)
        left = (end.last_day - today).days
        if timer.kind is TimerKind.MIN_WAIT:
            kind = TimerState.WAITING if today < end.free_from else TimerState.READY
        else:
            kind = TimerState.RUNNING if left >= 0 else TimerState.OVERDUE
        out.append(TimerStatus(step, timer, end, kind, left))
    return tuple(out)


def _count_start(state: CaseState, timer: Timer) -> dt.date | None:
    if timer.counts_from:
        return state.finished_on(timer.counts_from)
    return state.current_since


def period_text(timer: Timer) -> str:
    """The period as a phrase, e.g. 7日, 3个月."""
    return f"{timer.amount}{UNIT_LABELS[timer.unit]}"
