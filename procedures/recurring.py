"""Recurring obligations (三会一课, 主题党日, 年度评议 ...): which are due in a period.

A recurring rule "every N months" is met once in each calendar window: months for
每月, quarters (Jan/Apr/Jul/Oct) for 每季度, calendar years for 每年. Pure: the dates
something was done and ``today`` are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from procedures.model import UNIT_LABELS, Catalog, Matter, Step, Timer, TimerKind, Unit
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


def judged(o: Obligation, since: dt.date | None) -> bool:
    """Is the window counted? Not one that began before the system was in use (``since``),
    unless it was met: the risk check ``recurring-missed``, the 三会一课登记 and the 乡镇汇总
    count the same windows."""
    return since is None or o.window_start >= since or o.state is ObligationState.MET


def frequency(timer: Timer) -> str:
    """The rule's period as a cadre says it: 每月, 每季度, 每半年, 每年, 每周, 每3个月 …"""
    months = timer.amount * (12 if timer.unit is Unit.YEAR else 1)
    if timer.unit in (Unit.MONTH, Unit.YEAR):
        named = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}
        return named.get(months, f"每{timer.amount}{UNIT_LABELS[timer.unit]}")
    if timer.unit is Unit.WEEK and timer.amount == 1:
        return "每周"
    return f"每{timer.amount}{UNIT_LABELS[timer.unit]}"


def short_name(matter: Matter | str) -> str:
    """The part of the document's name that tells the matters of a category apart: the words in
    its closing brackets (党的组织生活制度（支部委员会） → 支部委员会), else the whole name."""
    name = (matter if isinstance(matter, str) else matter.name).strip()
    if name.endswith("）") and "（" in name:
        inner = name[name.index("（") + 1 : -1]
        if inner:
            return inner
    return name


def names_of(villages: Sequence[str], most: int = 3) -> str:
    """Villages as one short phrase: all of them up to ``most``, else the first few and how many."""
    if len(villages) <= most:
        return "、".join(villages)
    return f"{'、'.join(villages[: most - 1])}等{len(villages)}个村"


def duty_label(matter: Matter, step: Step, timer: Timer) -> str:
    """A duty's name on a list: the matter's short name and how often (支部委员会 每月), with the
    step's title when the matter has two duties of the same period (后备干部培养: 定期考核 and
    民主评议, each 每年), so that no two rows read alike."""
    period = frequency(timer)
    same = [s for s, t in matter.timers if t.kind is TimerKind.RECURRING and village_duty(s) and frequency(t) == period]
    if len(same) > 1:
        return f"{short_name(matter)}·{step.title} {period}"
    return f"{short_name(matter)} {period}"


@dataclass(frozen=True, slots=True)
class DutySummary:
    """One recurring duty of the villages, summarised: which villages have still to do it in the
    current window (and which missed the last one). One row per duty, never one per village."""

    matter: Matter
    step: Step
    timer: Timer
    window_start: dt.date
    window_end: dt.date
    """The current window: the duty is done for a village once it is met in it."""
    pending: tuple[str, ...]
    """Villages that have not met the duty in the current window, in the configured order."""
    missed: tuple[str, ...] = ()
    """Villages whose last window (since records are kept here) ended unmet, in the configured order."""

    @property
    def key(self) -> str:
        return f"{self.matter.id}.{self.step.id}"

    @property
    def label(self) -> str:
        """What the duty is called on a list (see ``duty_label``)."""
        return duty_label(self.matter, self.step, self.timer)

    @property
    def state(self) -> ObligationState:
        """MISSED when a village missed the last window, else DUE."""
        return ObligationState.MISSED if self.missed else ObligationState.DUE

    def describe(self) -> str:
        """One line: 支部委员会 每月 — 待完成：城关村、南石村（；上期已逾期：…）."""
        return f"{self.label} — {self.status()}"

    def status(self) -> str:
        """Which villages have still to do it: 待完成：城关村、南石村（；上期已逾期：…）."""
        parts = []
        if self.pending:
            parts.append(f"{OBLIGATION_LABELS[ObligationState.DUE]}：{names_of(self.pending)}")
        if self.missed:
            parts.append(f"上期{OBLIGATION_LABELS[ObligationState.MISSED]}：{names_of(self.missed)}")
        return "；".join(parts)

    def how_done(self) -> str:
        """How the duty is marked done: the record that counts for it."""
        span = f"{format_short(self.window_start)}—{format_short(self.window_end)}"
        if self.matter.meeting_kind:
            return (
                f"登记一次“{self.matter.meeting_kind}”会议记录，会议日期在本期（{span}）内，"
                "这一期即记为完成（按村分别计算）。"
            )
        return (
            f"办理“{self.matter.name}”的办件，在本期（{span}）内完成“{self.step.title}”这一步，"
            "这一期即记为完成（按村分别计算）。"
        )


def summarise(per_village: Sequence[tuple[str, Sequence[Obligation]]]) -> tuple[DutySummary, ...]:
    """One summary per duty from each village's obligations, villages in the order given (the
    configured order, not the code points of their names).

    Of each village's obligations only the DUE ones (the current window) and the MISSED ones
    count; the caller chooses which windows to pass (e.g. only the last missed one, only those
    due this month). Missed duties first, then by due date, then in the document's order."""
    current: dict[str, Obligation] = {}
    """Per duty, an obligation of its current window (of the missed one while none is due)."""
    pending: dict[str, list[str]] = {}
    missed: dict[str, list[str]] = {}
    for village, found in per_village:
        for o in found:
            if o.state is ObligationState.DUE:
                if o.key not in pending:
                    current[o.key] = o
                into = pending.setdefault(o.key, [])
            elif o.state is ObligationState.MISSED:
                current.setdefault(o.key, o)
                into = missed.setdefault(o.key, [])
            else:
                continue
            if village not in into:
                into.append(village)
    out = [
        DutySummary(
            o.matter,
            o.step,
            o.timer,
            o.window_start,
            o.window_end,
            tuple(pending.get(key, ())),
            tuple(missed.get(key, ())),
        )
        for key, o in current.items()
    ]
    return tuple(sorted(out, key=lambda s: (s.state is not ObligationState.MISSED, s.window_end, s.matter.order)))
