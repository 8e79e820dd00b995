"""我的工作 (home and ``cunwu due``): the open cases first — overdue, due soon, waiting periods
that have run, meeting minutes left as drafts, cases with no running time limit — then the
recurring duties, one row per duty for all the villages.

Computed here, once, so that the app's home screen and the command line list the same things
with the same words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procedures.model import TimerKind
from procedures.recurring import OBLIGATION_LABELS, DutySummary, Obligation, ObligationState, short_name, summarise
from store import overview
from store.meetings import STATES as MEETING_STATES
from store.site import DueItem

if TYPE_CHECKING:
    from procedures.model import Catalog, Matter, Step
    from store.site import Site

DAYS = 7
"""The days ahead home lists time limits for (and ``cunwu due`` unless told otherwise)."""

STATE_LABELS: dict[str, str] = {
    "overdue": "已超期",
    "missed": OBLIGATION_LABELS[ObligationState.MISSED],
    "ready": "可完成",
    "running": "计时中",
    "due": OBLIGATION_LABELS[ObligationState.DUE],
    "waiting": "公示中",
    "planned": "待张贴",
    "draft": MEETING_STATES["draft"],
    "open": "无时限",
    "fix": "整改逾期",
}
"""One word for each state a line of the work list can be in, the same on every screen and in
the command line: 待完成 is a recurring duty not yet done in its current period; 可完成 a step
whose waiting period (a 公示's days) has run and that may now be completed."""


@dataclass(frozen=True, slots=True)
class LateFix:
    """A 整改事项 still open after its deadline."""

    number: str
    village: str
    deadline: dt.date
    problem: str
    """Its first words."""


@dataclass(frozen=True, slots=True)
class Draft:
    """Meeting minutes saved as a draft: still to be completed and confirmed."""

    number: str
    village: str
    kind: str
    title: str
    day: dt.date
    """The meeting's day."""
    case: str = ""
    """The case the meeting was recorded for, if any."""

    def describe(self) -> str:
        what = f"{self.kind}“{self.title}”" if self.title else self.kind
        return f"{self.number} {what}：补全后确认"


@dataclass(frozen=True, slots=True)
class OpenCase:
    """An open case with no time limit running at its current step: nothing else would bring it
    to anyone's attention. (A case whose time limit runs out later is listed when it is near.)"""

    number: str
    village: str
    matter: str
    step: str
    subject: str
    since: dt.date
    """The day the case reached its current step."""

    def describe(self) -> str:
        return f"{self.number} {self.subject}：{short_name(self.matter)}·{self.step}"


@dataclass(frozen=True, slots=True)
class WorkList:
    """What there is to do, most urgent first."""

    today: dt.date
    cases: tuple[DueItem, ...]
    """Time limits of open cases: overdue, may be completed now, due within the days asked for."""
    drafts: tuple[Draft, ...]
    undated: tuple[OpenCase, ...]
    """Open cases with no time limit running, the longest waiting first."""
    duties: tuple[DutySummary, ...]
    """Recurring duties not yet done in their current window (ending by the end of the month or
    within the days asked for, whichever is later), or missed last time: one per duty."""
    fixes: tuple[LateFix, ...] = ()
    """整改事项 overdue (open after their deadline), the longest overdue first."""

    def counts(self) -> str:
        """The list in one short line: 超期 1，可完成 1，近期到期 2，草稿 1，无时限 3；周期性工作待完成 4 项
        (only what there is; empty when there is nothing)."""
        overdue = sum(1 for i in self.cases if i.state == "overdue")
        ready = sum(1 for i in self.cases if i.state == "ready")
        cases = [
            (overdue, f"{STATE_LABELS['overdue'].removeprefix('已')} {overdue}"),
            (ready, f"{STATE_LABELS['ready']} {ready}"),
            (len(self.cases) - overdue - ready, f"近期到期 {len(self.cases) - overdue - ready}"),
            (len(self.drafts), f"{STATE_LABELS['draft']} {len(self.drafts)}"),
            (len(self.undated), f"{STATE_LABELS['open']} {len(self.undated)}"),
        ]
        cases.append((len(self.fixes), f"{STATE_LABELS['fix']} {len(self.fixes)}"))
        text = "，".join(t for n, t in cases if n)
        if self.duties:
            text += f"{'；' if text else ''}周期性工作{STATE_LABELS['due']} {len(self.duties)} 项"
        return text


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


FIRST = operator.itemgetter(0)


@dataclass(frozen=True, slots=True)
class PartWork:
    """What one village-year data file adds to the work list on a day: its time limits, its open
    cases with none running, its meeting drafts."""

    items: tuple[DueItem, ...]
    undated: tuple[tuple[tuple[object, ...], OpenCase], ...]
    """With the key they are listed by (since when, the village's place, number), in that order."""
    drafts: tuple[tuple[tuple[object, ...], Draft], ...]
    """With the key they are listed by (the meeting's day, the village's place, number), in order."""
    steps: tuple[tuple[str, str, str, str], ...]
    """(village, matter, step, day finished) of the recurring matters' steps (duties met)."""
    meetings: tuple[tuple[str, str, str], ...]
    """(village, kind, start) of every meeting (duties met by meetings held)."""
    fixes: tuple[tuple[tuple[object, ...], LateFix], ...] = ()
    """整改事项 overdue, with the key they are listed by (deadline, the village's place, number)."""


StepOf = Callable[[str, str], "tuple[Matter, Step, bool]"]
"""``steps(catalog)``: a matter id and a step id to the matter, the step and whether a time limit
may run on an open case at that step."""


def steps(catalog: Catalog) -> StepOf:
    """The matter and step of each (matter id, step id) met, and whether a time limit may run on
    an open case there, looked up once each (KeyError for a matter or step the catalogue does not
    have). A timer runs only at its own step or counted from a step already finished
    (``engine.running_timers``): most open cases (at a step with no time limit, of a matter
    with no 预备期-like count) need no state, no dates and no timers worked out."""
    found: dict[tuple[str, str], tuple[Matter, Step, bool]] = {}

    def step_of(matter_id: str, step_id: str) -> tuple[Matter, Step, bool]:
        known = found.get((matter_id, step_id))
        if known is None:
            matter = catalog.get(matter_id)
            step = matter.step(step_id)  # a former step id stands for its replacement
            may = any(
                timer.kind is not TimerKind.RECURRING and (at.id == step.id or bool(timer.counts_from))
                for at, timer in matter.timers
            )
            known = found[(matter_id, step_id)] = (matter, step, may)
        return known

    return step_of


def part_work(
    site: Site, name: str, found: overview.Overview, today: dt.date, horizon: dt.date, whole: bool = True
) -> PartWork:
    """``PartWork`` of one overview (of village ``name``); without the open cases with no time
    limit running and the drafts unless ``whole`` (``due_items`` has no use for them). The
    overdue 整改事项 always: ``cunwu due --json`` lists them as home does."""
    step_of = steps(site.catalog)
    rows = overview.open_rows(found, name)
    timed = site.case_timers(today, [case for case in rows if step_of(case.matter_id, case.current)[2]])
    items = site.case_items(today, horizon, timed)
    listed = {i.number for i in items}
    running = {case.number for case, _matter, _state, timers in timed if timers}
    place = site.settings.villages.index(name) if name in site.settings.villages else len(site.settings.villages)
    undated = []
    for case in rows if whole else ():
        if case.number in listed or case.number in running or not case.current:
            continue
        matter, step, _ = step_of(case.matter_id, case.current)
        undated.append(
            (
                (case.current_since, place, case.number),
                OpenCase(case.number, case.village, matter.name, step.title, case.subject, case.current_since),
            )
        )
    undated.sort(key=FIRST)
    drafts = []
    for d in overview.drafts(found, name) if whole else ():
        day = dt.datetime.fromisoformat(d.start).date()
        drafts.append(((day, place, d.number), Draft(d.number, d.village, d.kind, d.title, day, d.case)))
    drafts.sort(key=FIRST)
    steps_done, meetings = overview.duties_met(found, name)
    fixes = sorted(
        ((deadline, place, number), LateFix(number, name, dt.date.fromisoformat(deadline), problem))
        for number, deadline, problem in overview.rectifications_late(found, today)
    )
    return PartWork(tuple(items), tuple(undated), tuple(drafts), steps_done, meetings, tuple(fixes))


def work_parts(site: Site, today: dt.date, horizon: dt.date, village: str | None = None) -> list[PartWork]:
    """``PartWork`` of every data file of ``village`` (of every village this session sees),
    kept in ``Site.work_parts`` while the file, the day and the days ahead are the same."""
    return site.store.by_file(
        site.work_parts,
        (today, horizon, tuple(site.settings.villages)),  # the keys listed by hold each village's place
        lambda name, found: part_work(site, name, found, today, horizon),
        village,
    )


def work_list(site: Site, today: dt.date, within: int = DAYS, village: str | None = None) -> WorkList:
    """Everything the villages this session sees (or ``village``) have to do, as of ``today``.

    Worked out per village-year data file and kept (``Site.work_parts``, emptied when the settings
    change the time limits) while that file (its signature), the day and the days ahead are the
    same: after another user's save in one village only that village's file is read and worked
    out again, and the overviews themselves are not kept."""
    horizon = today + dt.timedelta(days=within)
    parts = work_parts(site, today, horizon, village)
    items = site.in_order([i for p in parts for i in p.items])
    # Runs already in order, one a file: merged by their keys (no key worked out again).
    undated = [c for _, c in sorted((u for p in parts for u in p.undated), key=FIRST)]
    drafts = [d for _, d in sorted((d for p in parts for d in p.drafts), key=FIRST)]
    until = max(month_end(today), horizon)
    done = site.done_from((s for p in parts for s in p.steps), (m for p in parts for m in p.meetings), today)
    duties = summarise(site.duty_windows(today, until, village, done))
    fixes = [f for _, f in sorted((f for p in parts for f in p.fixes), key=FIRST)]
    return WorkList(today, tuple(items), tuple(drafts), tuple(undated), duties, tuple(fixes))


def due_items(site: Site, today: dt.date, within: int = DAYS, village: str | None = None) -> list[DueItem]:
    """``Site.due`` (what ``cunwu due --json`` lists) from one read of each overview: the time
    limits of open cases and the recurring duties' windows both come from the same parts as
    the work list's (``Site.due`` reads every overview twice, once for each)."""
    horizon = today + dt.timedelta(days=within)
    # Not kept in ``Site.work_parts``: these parts are not whole (a command reads each file once).
    parts = site.store.by_file({}, (), lambda name, found: part_work(site, name, found, today, horizon, False), village)
    items = [i for p in parts for i in p.items]
    items += [fix_item(f, today) for p in parts for _, f in p.fixes]
    done = site.done_from((s for p in parts for s in p.steps), (m for p in parts for m in p.meetings), today)
    items += [
        duty_item(name, o, today) for name, found in site.duty_windows(today, horizon, village, done) for o in found
    ]
    return site.in_order(items)


def fix_item(fix: LateFix, today: dt.date) -> DueItem:
    """An overdue 整改事项 as ``cunwu due --json`` lists it (kind ``rectification``)."""
    late = (today - fix.deadline).days
    return DueItem(
        kind="rectification",
        state="overdue",
        due=fix.deadline,
        days_left=-late,
        village=fix.village,
        matter_id="",
        matter="整改",
        step_id="",
        step="",
        rule="整改期限",
        text=f"整改 {fix.number}：{fix.problem}（期限 {fix.deadline.isoformat()}，已超期 {late} 日）",
        number=fix.number,
    )


def duty_item(village: str, o: Obligation, today: dt.date) -> DueItem:
    """A recurring duty's window as ``cunwu due`` lists it."""
    return DueItem(
        kind="recurring",
        state=o.state.value,
        due=o.window_end,
        days_left=(o.window_end - today).days,
        village=village,
        matter_id=o.matter.id,
        matter=o.matter.name,
        step_id=o.step.id,
        step=o.step.title,
        rule=o.timer.describe(),
        text=o.describe(),
    )
