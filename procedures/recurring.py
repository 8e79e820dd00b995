"""Recurring obligations (三会一课, 主题党日, 年度评议 ...): which are due in a period.

A recurring rule "every N months" is met once in each calendar window: months for
每月, quarters (Jan/Apr/Jul/Oct) for 每季度, calendar years for 每年. Pure: the dates
something was done and ``today`` are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from procedures.model import Catalog, Matter, Step, Timer, TimerKind, Unit
from procedures.periods import add_months, format_short


class ObligationState(StrEnum):
    MISSED = "missed"
    """The window is over and it was not done."""
    DUE = "due"
    """The window is running and it is not done yet."""
    MET = "met"
    """Done in the window."""
    UPCOMING = "upcoming"
    """The window has not started."""


OBLIGATION_LABELS: dict[ObligationState, str] = {
    ObligationState.MISSED: "已逾期",
    ObligationState.DUE: "待完成",
    ObligationState.MET: "已完成",
    ObligationState.UPCOMING: "未开始",
}


@dataclass(frozen=True, slots=True)
class Obligation:
    """One window of one recurring rule."""

    matter: Matter
    step: Step
    timer: Timer
    window_start: dt.date
    window_end: dt.date
    """Last day of the window: the due date."""
    done_on: dt.date | None
    """The first day in the window it was done."""
    state: ObligationState

    @property
    def key(self) -> str:
        return f"{self.matter.id}.{self.step.id}"

    def describe(self) -> str:
        span = f"{format_short(self.window_start)}—{format_short(self.window_end)}"
        return f"{self.matter.name}·{self.step.title}（{self.timer.rule}）{span}：{OBLIGATION_LABELS[self.state]}"


def window(day: dt.date, amount: int, unit: Unit) -> tuple[dt.date, dt.date]:
    """The calendar window of a recurring rule that contains ``day``."""
    if unit in (Unit.MONTH, Unit.YEAR):
        months = amount * (12 if unit is Unit.YEAR else 1)
        index = day.year * 12 + day.month - 1
        first = index - index % months
        begin = dt.date(first // 12, first % 12 + 1, 1)
        return begin, add_months(begin, months) - dt.timedelta(days=1)
    days = amount * (7 if unit is Unit.WEEK else 1)
    # Ordinal 1 (0001-01-01) was a Monday, so counting from it aligns week windows to Mondays.
    offset = (day.toordinal() - 1) % days
    begin = day - dt.timedelta(days=offset)
    return begin, begin + dt.timedelta(days=days - 1)


OUTSIDE_ACTORS = ("乡（镇）", "乡镇", "县", "上一级", "上级", "基层党（工）委", "街道")
"""How a step's 办理主体 begins when the duty is the township's or the county's, not the village's:
乡（镇）党（工）委 自查, 县委组织部 检查, 上一级党组织书记 主持述职评议, 乡（镇）党委 集中培训."""


def village_duty(step: Step) -> bool:
    """Is ``step`` the village's own duty? Its 办理主体 (the county document's words) does not
    begin with a township, county or higher body; "（村党支部配合）" after one does not make it the village's."""
    return not step.actor.strip().startswith(OUTSIDE_ACTORS)


def recurring_rules(catalog: Catalog, village_only: bool = False) -> tuple[tuple[Matter, Step, Timer], ...]:
    """Every recurring rule of the catalog, in the document's order (``village_only``: only the
    village's own duties, see ``village_duty``)."""
    return tuple(
        (matter, step, timer)
        for matter in catalog.matters
        for step, timer in matter.timers
        if timer.kind is TimerKind.RECURRING and (not village_only or village_duty(step))
    )


def obligations(
    catalog: Catalog,
    done: Mapping[str, Iterable[dt.date]],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    village_only: bool = False,
) -> tuple[Obligation, ...]:
    """Every window of every recurring rule that overlaps ``start``..``end``.

    ``done`` maps ``matter-id.step-id`` to the days the step was done (e.g. meetings
    held); ``village_only``: only the village's own duties. The result lists missed windows first, then due ones by due date, then the rest.
    """
    if end < start:
        raise ValueError("结束日期早于开始日期")
    out = []
    for matter, step, timer in recurring_rules(catalog, village_only):
        dates = sorted(done.get(f"{matter.id}.{step.id}", ()))
        day = start
        while day <= end:
            begin, last = window(day, timer.amount, timer.unit)
            hit = next((d for d in dates if begin <= d <= last), None)
            if hit is not None:
                state = ObligationState.MET
            elif last < today:
                state = ObligationState.MISSED
            elif begin > today:
                state = ObligationState.UPCOMING
            else:
                state = ObligationState.DUE
            out.append(Obligation(matter, step, timer, begin, last, hit, state))
            day = last + dt.timedelta(days=1)
    rank = {ObligationState.MISSED: 0, ObligationState.DUE: 1, ObligationState.UPCOMING: 2, ObligationState.MET: 3}
    return tuple(sorted(out, key=lambda o: (rank[o.state], o.window_end, o.matter.order)))
