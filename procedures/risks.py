"""The county's 廉政风险点 as checks on the data, for the 村务监督委员会 and the township.

Each matter file says, for every one of its risk phrases, which checks here can see it and
what stays for people to judge (``[[risk_checks]]``, see ``procedures/matters/README.md``).
A check reads the records (cases, meetings, notices, seal uses, as the typed views of
``procedures.views``) and the dates recurring duties were met, all passed in, and yields findings: which case or record, which step,
which rule, how serious (red: a rule was broken; amber: to be looked into), and since
when. Like the flow engine it never reads the clock and does no I/O.

Some checks need a point in time the county document does not fix (how long a 公示 step
may wait for its posting, when minutes should be locked). Those thresholds are this
system's own, named as such in every finding, and listed in ``THRESHOLDS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from procedures import conflicts, engine
from procedures.model import Catalog, Matter, Produces, RiskCheck, Step, TimerKind
from procedures.periods import counted_days, format_date, free_from, period_end
from procedures.recurring import ObligationState, obligations
from procedures.views import CaseView, MeetingView, NoticeView, PersonView, SealView, StepView
from procedures.workdays import WorkCalendar


class Severity(StrEnum):
    RED = "red"
    """A rule was broken (a 公示 closed early, a deadline passed, a seal used without approval)."""
    AMBER = "amber"
    """Something to look into (a back-dated posting, minutes not locked, materials not ticked)."""


STATUS_WORDS: dict[Severity | None, str] = {Severity.RED: "红", Severity.AMBER: "黄", None: "绿"}
"""A village's status by its worst finding (None: nothing found), as a word beside any colour."""
SEVERITY_WORDS: dict[Severity, str] = {Severity.RED: "红（违规）", Severity.AMBER: "黄（待核实）"}

NOTICE_POST_DAYS = 5
"""A 公示 step may wait this many days for its posting before it is flagged."""
SEAL_REGISTER_DAYS = 3
"""A 用印 step may wait this many days for its register entry before it is flagged."""
MINUTES_DAYS = 7
"""Minutes should be locked, and a draft made for a decision filled in, within this many days."""
FOLLOW_UP_DAYS = 30
"""A 回访 step may wait this many days before it is flagged."""

OWN_THRESHOLD = "本系统提示阈值，县文件未规定"
THRESHOLDS: dict[str, int] = {
    "公示步骤等待张贴": NOTICE_POST_DAYS,
    "用印步骤等待登记": SEAL_REGISTER_DAYS,
    "会议记录锁定、决策会议记录补全": MINUTES_DAYS,
    "回访步骤等待办理": FOLLOW_UP_DAYS,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check saw."""

    check: str
    title: str
    severity: Severity
    since: dt.date
    """The first day the problem stood (a deadline's day after, the day of a back-dated entry ...)."""
    village: str
    text: str
    """What was seen, with dates and numbers, in Chinese."""
    matter_id: str = ""
    matter: str = ""
    case: str = ""
    """The case number, when the finding is about a case."""
    step_id: str = ""
    step: str = ""
    record: str = ""
    """The meeting, notice or seal-use number, when the finding is about one."""
    ongoing: bool = False
    """True while the situation still stands (an open step still waiting, a deadline still running over)."""

    @property
    def key(self) -> str:
        """A stable name for the finding: opinions are filed against it. A finding of no case
        or record (a duty not done) is named by its village, matter and first day."""
        if self.case or self.record:
            return f"{self.check}|{self.case or self.record}|{self.step_id}"
        return f"{self.check}|{self.village}/{self.matter_id}|{self.step_id}|{self.since.isoformat()}"

    @property
    def target(self) -> str:
        """The number to open: the case, else the record."""
        return self.case or self.record

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "check": self.check,
            "title": self.title,
            "rule": CHECKS_BY_ID[self.check].looks_for,
            "severity": self.severity.value,
            "severity_label": SEVERITY_WORDS[self.severity],
            "since": self.since.isoformat(),
            "village": self.village,
            "matter_id": self.matter_id or None,
            "matter": self.matter or None,
            "case": self.case or None,
            "step_id": self.step_id or None,
            "step": self.step or None,
            "record": self.record or None,
            "ongoing": self.ongoing,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Data:
    """What the checks read: the stored records as views, each built once (``procedures.views``)."""

    cases: Sequence[CaseView] = ()
    meetings: Sequence[MeetingView] = ()
    notices: Sequence[NoticeView] = ()
    seals: Sequence[SealView] = ()
    done: Mapping[str, Mapping[str, Iterable[dt.date]]] = field(default_factory=dict)
    """Village → ``matter-id.step-id`` → days a recurring duty was met."""
    since: dt.date | None = None
    """Records have been kept here since this day: recurring windows before it are not judged."""
    people: Sequence[PersonView] = ()
    """The rosters' people (``procedures.conflicts``)."""


@dataclass(frozen=True, slots=True)
class Context:
    catalog: Catalog
    data: Data
    today: dt.date | None
    """None for the checks that do not depend on the day (``settled``)."""
    cal: WorkCalendar
    meetings: Mapping[str, MeetingView]
    notices: Mapping[str, NoticeView]
    seals: Mapping[str, SealView]
    cases: Mapping[str, CaseView]

    def matter(self, case: CaseView) -> Matter | None:
        try:
            return self.catalog.get(case.matter_id)
        except KeyError:
            return None

    @property
    def day(self) -> dt.date:
        """The day the findings are for (only the checks of the day read it)."""
        if self.today is None:
            raise RuntimeError("settled checks do not read the day")
        return self.today


def _none(_: Context) -> Iterator[Finding]:
    return iter(())


@dataclass(frozen=True, slots=True)
class Check:
    """One check: what it looks for, and on which matters it can ever see anything.

    ``run`` sees what the records say whatever the day (a step finished late, a seal used
    without approval); ``of_day`` what depends on the day (an open step waiting too long, a
    deadline running over, a duty not held). A finding of ``run`` stands from its first day on
    when the check ``appears`` (minutes still a draft seven days after the meeting: the same
    finding, there from its ``since`` on), always otherwise. The two halves are apart so that what
    does not depend on the day can be kept between days (``store.findings``)."""

    id: str
    title: str
    looks_for: str
    """The rule, in the words supervisors read, with its source or threshold."""
    applies: Callable[[Matter], bool]
    run: Callable[[Context], Iterator[Finding]] = _none
    of_day: Callable[[Context], Iterator[Finding]] = _none
    appears: bool = False


def _has(produces: Produces) -> Callable[[Matter], bool]:
    return lambda m: any(s.produces is produces for s in m.steps)


def _has_timer(kind: TimerKind) -> Callable[[Matter], bool]:
    return lambda m: any(t.kind is kind for _, t in m.timers)


def _finding(check: str, severity: Severity, since: dt.date, text: str, **where: Any) -> Finding:
    return Finding(check, CHECK_TITLES[check], severity, since, text=text, **where)


def _case_where(case: CaseView, matter: Matter, step: Step | None = None) -> dict[str, Any]:
    return {
        "village": case.village,
        "matter_id": matter.id,
        "matter": matter.name,
        "case": case.number,
        "step_id": step.id if step else "",
        "step": step.title if step else "",
    }


def _step_began(case: CaseView, index: int) -> dt.date:
    """The day the step at ``history[index]`` (or the current step, for index = len) became
    current: the previous step's completion, or the opening. (A posted 公示 moves the step's
    own start to the posting day, so the start is read from the step before.)"""
    return case.history[index - 1].finished if index > 0 else case.opened_on


def _walk(ctx: Context) -> Iterator[tuple[CaseView, Matter]]:
    for case in ctx.data.cases:
        matter = ctx.matter(case)
        if matter is not None:
            yield case, matter


def _current(case: CaseView, matter: Matter) -> Step | None:
    if case.status is not engine.CaseStatus.OPEN or not case.current:
        return None
    try:
        return matter.step(case.current)
    except KeyError:
        return None


def _done_steps(case: CaseView, matter: Matter) -> Iterator[tuple[int, StepView, Step]]:
    for index, entry in enumerate(case.history):
        try:
            yield index, entry, matter.step(entry.step_id)
        except KeyError:
            continue


# --- 公示 ---------------------------------------------------------------------------


def _left_waiting(
    ctx: Context, check: str, days: int, waits: Callable[[CaseView, Step], bool], what: str
) -> Iterator[Finding]:
    """Open cases whose current step ``waits`` (for its posting, its register entry, its visit)
    more than ``days`` after it began: amber, from the day after the grace, while it stands."""
    grace = dt.timedelta(days=days)
    for case, matter in _walk(ctx):
        step = _current(case, matter)
        if step is None or not waits(case, step):
            continue
        began = _step_began(case, len(case.history))
        if ctx.day > began + grace:
            yield _finding(
                check,
                Severity.AMBER,
                began + grace + dt.timedelta(days=1),
                f"“{step.title}”自{format_date(began)}开始，已 {(ctx.day - began).days} 日{what}"
                f"（超过 {days} 日，{OWN_THRESHOLD}）",
                ongoing=True,
                **_case_where(case, matter, step),
            )


def notice_waiting(ctx: Context) -> Iterator[Finding]:
    yield from _left_waiting(
        ctx,
        "notice-late",
        NOTICE_POST_DAYS,
        lambda case, step: step.produces is Produces.NOTICE and not case.pending_notice,
        "未登记张贴",
    )


def notice_posted_late(ctx: Context) -> Iterator[Finding]:
    grace = dt.timedelta(days=NOTICE_POST_DAYS)
    for case, matter in _walk(ctx):
        step = _current(case, matter)
        cases_notices = [(i, h.records, s) for i, h, s in _done_steps(case, matter) if s.produces is Produces.NOTICE]
        if case.pending_notice and step is not None:
            cases_notices.append((len(case.history), (case.pending_notice,), step))
        for index, numbers, done_step in cases_notices:
            began = _step_began(case, index)
            for number in numbers:
                notice = ctx.notices.get(number)
                posted = notice.posted_on if notice is not None else None
                if posted is not None and posted > began + grace:
                    yield _finding(
                        "notice-late",
                        Severity.AMBER,
                        began + grace + dt.timedelta(days=1),
                        f"公示 {number} 于{format_date(posted)}张贴，距步骤开始（{format_date(began)}）"
                        f"{(posted - began).days} 日（超过 {NOTICE_POST_DAYS} 日，{OWN_THRESHOLD}）",
                        record=number,
                        **_case_where(case, matter, done_step),
                    )


def notice_short(ctx: Context) -> Iterator[Finding]:
    for notice in ctx.data.notices:
        closed, earliest, posted = notice.closed_on, notice.earliest_end, notice.posted_on
        if closed is None or earliest is None or posted is None or not notice.min_amount or notice.stopped:
            continue  # a 公示 stopped with its withdrawn case is case-withdrawn's
        if closed < free_from(earliest):
            yield _finding(
                "notice-short",
                Severity.RED,
                closed,
                f"公示 {notice.number} 于{format_date(posted)}张贴，{format_date(closed)}即结束，"
                f"只公示了 {counted_days(posted, closed)} 日（结束当日未满）；规定“{notice.rule}”，"
                f"期间到{format_date(earliest)}当日结束，{format_date(free_from(earliest))}起方可结束",
                record=notice.number,
                **_notice_where(ctx, notice),
            )


def notice_backdated(ctx: Context) -> Iterator[Finding]:
    for notice in ctx.data.notices:
        posted, entered = notice.posted_on, notice.entered_on
        if not notice.backdated or posted is None or entered is None:
            continue
        yield _finding(
            "notice-backdated",
            Severity.AMBER,
            entered,
            f"公示 {notice.number} 的张贴日期写为{format_date(posted)}，"
            f"{format_date(entered)}才登记（补录 {(entered - posted).days} 日），请核实实际张贴日期",
            record=notice.number,
            **_notice_where(ctx, notice),
        )


def _notice_where(ctx: Context, notice: NoticeView) -> dict[str, Any]:
    where: dict[str, Any] = {"village": notice.village, "case": notice.case}
    try:
        matter = ctx.catalog.get(notice.matter_id)
    except KeyError:
        return where
    where.update(matter_id=matter.id, matter=matter.name)
    try:
        step = matter.step(notice.step)
    except KeyError:
        return where
    return {**where, "step_id": step.id, "step": step.title}


# --- 时限 ---------------------------------------------------------------------------


def deadline_running(ctx: Context) -> Iterator[Finding]:
    timed = {m.id for m in ctx.catalog.matters if _has_timer(TimerKind.DEADLINE)(m)}
    for case, matter in _walk(ctx):
        if case.status is not engine.CaseStatus.OPEN or matter.id not in timed:
            continue
        for t in engine.running_timers(matter, engine.state_of(case), ctx.day, ctx.cal):
            if t.state is engine.TimerState.OVERDUE:
                yield _finding(
                    "deadline-missed",
                    Severity.RED,
                    t.end.last_day + dt.timedelta(days=1),
                    f"“{t.step.title}”{t.timer.rule}，应于{format_date(t.end.last_day)}前完成，"
                    f"已超期 {-t.days_left} 日{t.end.caveat()}（{t.timer.basis}）",
                    ongoing=True,
                    **_case_where(case, matter, t.step),
                )


def deadline_finished_late(ctx: Context) -> Iterator[Finding]:
    for case, matter in _walk(ctx):
        state: engine.CaseState | None = None
        for _, entry, step in _done_steps(case, matter):
            timer = step.timer
            if timer is None or timer.kind is not TimerKind.DEADLINE:
                continue
            if timer.counts_from:
                state = state or engine.state_of(case)
                begin = state.finished_on(timer.counts_from)
            else:
                begin = entry.started
            if begin is None:
                continue
            end = period_end(begin, timer.amount, timer.unit, ctx.cal)
            finished = entry.finished
            if finished > end.last_day:
                yield _finding(
                    "deadline-missed",
                    Severity.AMBER,
                    end.last_day + dt.timedelta(days=1),
                    f"“{step.title}”{timer.rule}，应于{format_date(end.last_day)}前完成，"
                    f"{format_date(finished)}才完成，超期 {(finished - end.last_day).days} 日{end.caveat()}",
                    **_case_where(case, matter, step),
                )


def recurring_missed(ctx: Context) -> Iterator[Finding]:
    since, today = ctx.data.since, ctx.day
    if since is None:
        return
    start = max(since, today - dt.timedelta(days=366 * 2))
    if start > today:
        return
    for village, done in ctx.data.done.items():
        for o in obligations(ctx.catalog, done, start, today, today, village_only=True):
            if o.state is not ObligationState.MISSED or o.window_start < since:
                continue
            yield _finding(
                "recurring-missed",
                Severity.RED,
                o.window_end + dt.timedelta(days=1),
                f"{o.timer.rule}：{format_date(o.window_start)}至{format_date(o.window_end)}未见记录（{o.timer.basis}）",
                village=village,
                matter_id=o.matter.id,
                matter=o.matter.name,
                step_id=o.step.id,
                step=o.step.title,
            )


# --- 用印 ---------------------------------------------------------------------------


def _irregular_seals(
    ctx: Context, check: str, broke: Callable[[SealView], bool], how: Callable[[SealView], str]
) -> Iterator[Finding]:
    """Seal uses registered as they happened although they broke the rules (with a 情况说明)."""
    for seal in ctx.data.seals:
        day = seal.date
        if day is not None and broke(seal):
            yield _finding(
                check,
                Severity.RED,
                day,
                f"{format_date(day)}使用{seal.seal}印章（{seal.document}），{how(seal)}：{seal.irregular}",
                record=seal.number,
                **_seal_where(ctx, seal),
            )


def seal_unapproved(ctx: Context) -> Iterator[Finding]:
    yield from _irregular_seals(ctx, "seal-unapproved", lambda seal: seal.basis == "none", lambda _: "登记为未经批准")


def seal_same_person(ctx: Context) -> Iterator[Finding]:
    yield from _irregular_seals(
        ctx,
        "seal-same-person",
        lambda seal: seal.approver == seal.keeper,
        lambda seal: f"批准人与保管人同为{seal.approver}",
    )


def seal_basis(ctx: Context) -> Iterator[Finding]:
    """A case that went through a meeting's decision, whose seal use cites a routine sign-off instead."""
    for case, matter in _walk(ctx):
        decided = False
        for _, entry, step in _done_steps(case, matter):
            if step.produces is Produces.MINUTES:
                decided = True
            if step.produces is not Produces.SEAL_USE or not decided:
                continue
            for number in entry.records:
                seal = ctx.seals.get(number)
                if seal is not None and seal.date is not None and seal.basis != "meeting":
                    yield _finding(
                        "seal-basis",
                        Severity.RED,
                        seal.date,
                        f"本办件经会议讨论决定，用印 {number} 的依据却登记为“{seal.basis_text}”，未关联会议决议",
                        record=number,
                        **_case_where(case, matter, step),
                    )


def seal_unregistered(ctx: Context) -> Iterator[Finding]:
    yield from _left_waiting(
        ctx, "seal-unregistered", SEAL_REGISTER_DAYS, lambda _, step: step.produces is Produces.SEAL_USE, "未见用印登记"
    )


def _seal_where(ctx: Context, seal: SealView) -> dict[str, Any]:
    where: dict[str, Any] = {"village": seal.village, "case": seal.case}
    case = ctx.cases.get(seal.case)
    matter = ctx.matter(case) if case is not None else None
    if matter is None:
        return where
    where.update(matter_id=matter.id, matter=matter.name)
    try:
        step = matter.step(seal.step)
    except KeyError:
        return where
    return {**where, "step_id": step.id, "step": step.title}


# --- 决策 ---------------------------------------------------------------------------

_PASS_WORDS = ("通过", "同意", "批准", "决定")
_FAIL_WORDS = ("未", "不", "否")


def claims_pass(label: str) -> bool:
    """Whether an outcome label says the proposal went through (通过, 同意用印 ...)."""
    return any(w in label for w in _PASS_WORDS) and not any(w in label for w in _FAIL_WORDS)


def decision_no_meeting(ctx: Context) -> Iterator[Finding]:
    grace = dt.timedelta(days=MINUTES_DAYS)
    for case, matter in _walk(ctx):
        for _, entry, step in _done_steps(case, matter):
            if step.produces is not Produces.MINUTES:
                continue
            finished = entry.finished
            for number in entry.records:
                meeting = ctx.meetings.get(number)
                if meeting is None or meeting.state != "draft" or meeting.expected:
                    continue
                yield _finding(  # from the day after the grace on (the check ``appears``)
                    "decision-no-meeting",
                    Severity.RED,
                    finished + grace + dt.timedelta(days=1),
                    f"“{step.title}”于{format_date(finished)}办结为“{entry.outcome}”，会议记录 {number} "
                    f"至今未登记应到、实到和表决（超过 {MINUTES_DAYS} 日，{OWN_THRESHOLD}）",
                    record=number,
                    ongoing=True,
                    **_case_where(case, matter, step),
                )


def decision_vote_failed(ctx: Context) -> Iterator[Finding]:
    for case, matter in _walk(ctx):
        for _, entry, step in _done_steps(case, matter):
            if step.produces is not Produces.MINUTES or not claims_pass(entry.outcome):
                continue
            for number in entry.records:
                meeting = ctx.meetings.get(number)
                if meeting is None:
                    continue
                voted = [i for i in meeting.items if i.passed is not None]
                if voted and not any(i.passed for i in voted):
                    sums = "；".join(i.arithmetic for i in voted)
                    yield _finding(
                        "decision-vote-failed",
                        Severity.RED,
                        entry.finished,
                        f"“{step.title}”办结为“{entry.outcome}”，但会议记录 {number} 的表决未通过：{sums}",
                        record=number,
                        **_case_where(case, matter, step),
                    )


def minutes_unlocked(ctx: Context) -> Iterator[Finding]:
    grace = dt.timedelta(days=MINUTES_DAYS)
    for meeting in ctx.data.meetings:
        if meeting.start is None:
            continue
        held = meeting.start.date()
        if meeting.state == "locked":
            continue  # else from the day after the grace on (the check ``appears``)
        state = "草稿" if meeting.state == "draft" else "已确认未锁定"
        where: dict[str, Any] = {"village": meeting.village, "case": meeting.case}
        case = ctx.cases.get(meeting.case)
        matter = ctx.matter(case) if case is not None else None
        if matter is not None:
            where.update(matter_id=matter.id, matter=matter.name)
        yield _finding(
            "minutes-unlocked",
            Severity.AMBER,
            held + grace + dt.timedelta(days=1),
            f"{meeting.kind}“{meeting.title}”{format_date(held)}召开，会议记录仍为{state}"
            f"（会后 {MINUTES_DAYS} 日内应确认并锁定，{OWN_THRESHOLD}）",
            record=meeting.number,
            ongoing=True,
            **where,
        )


# --- 经办 ---------------------------------------------------------------------------


def materials_missing(ctx: Context) -> Iterator[Finding]:
    for case, matter in _walk(ctx):
        for _, entry, step in _done_steps(case, matter):
            missing = [m for m in step.materials if m not in entry.materials]
            if missing:
                yield _finding(
                    "materials-missing",
                    Severity.AMBER,
                    entry.finished,
                    f"“{step.title}”于{format_date(entry.finished)}办结，未登记收到：" + "、".join(missing),
                    **_case_where(case, matter, step),
                )


def no_follow_up(ctx: Context) -> Iterator[Finding]:
    yield from _left_waiting(ctx, "no-follow-up", FOLLOW_UP_DAYS, lambda _, step: "回访" in step.title, "未记录回访")


def forced_step(ctx: Context) -> Iterator[Finding]:
    for case, matter in _walk(ctx):
        for _, entry, step in _done_steps(case, matter):
            if not entry.forced_reason or step.produces is Produces.NOTICE:
                continue  # a 公示 closed early is notice-short's, and red
            yield _finding(
                "forced-step",
                Severity.AMBER,
                entry.finished,
                f"“{step.title}”未满时限即于{format_date(entry.finished)}强制完成"
                f"（{entry.by}），理由：{entry.forced_reason}",
                **_case_where(case, matter, step),
            )


# --- 记录更正（本系统的记录检查） ---------------------------------------------------


def _amended(ctx: Context, kinds: tuple[str, ...]) -> Iterator[tuple[CaseView, Matter, Any, Step | None]]:
    """(case, matter, amendment, its step) for every amendment of ``kinds`` that has a day."""
    for case, matter in _walk(ctx):
        for amendment in case.amendments:
            if amendment.kind not in kinds or amendment.day is None:
                continue
            try:
                step = matter.step(amendment.step_id) if amendment.step_id else None
            except KeyError:
                step = None
            yield case, matter, amendment, step


def step_reopened(ctx: Context) -> Iterator[Finding]:
    for case, matter, a, step in _amended(ctx, ("reopen",)):
        title = step.title if step else a.step_id
        forced = f"（原为未满时限强制完成，强制理由：{a.forced_reason}）" if a.forced_reason else ""
        yield _finding(
            "step-reopened",
            Severity.AMBER,
            a.day,
            f"“{title}”于{format_date(a.day)}由{a.by}重开，撤销原办理结果“{a.outcome}”{forced}，理由：{a.reason}",
            **_case_where(case, matter, step),
        )


def case_withdrawn(ctx: Context) -> Iterator[Finding]:
    for case, matter, a, step in _amended(ctx, ("withdraw", "terminate")):
        how = "撤回" if a.kind == "withdraw" else "终止"
        where = f"（办理至“{step.title}”）" if step else ""
        yield _finding(
            "case-withdrawn",
            Severity.AMBER,
            a.day,
            f"办件于{format_date(a.day)}由{a.by}{how}{where}，理由：{a.reason}",
            **_case_where(case, matter, step),
        )


def subject_corrected(ctx: Context) -> Iterator[Finding]:
    for case, matter, a, _ in _amended(ctx, ("subject",)):
        yield _finding(
            "subject-corrected",
            Severity.AMBER,
            a.day,
            f"事由于{format_date(a.day)}由{a.by}更正：原为“{a.old}”，改为“{a.new}”，理由：{a.reason}",
            **_case_where(case, matter),
        )


def _any_step(test: Callable[[Step], bool]) -> Callable[[Matter], bool]:
    return lambda m: any(test(s) for s in m.steps)


CHECKS: tuple[Check, ...] = (
    Check(
        "notice-late",
        "公示未按时张贴",
        f"公示步骤开始后 {NOTICE_POST_DAYS} 日内未登记张贴，或张贴日期晚于此（{OWN_THRESHOLD}）",
        _has(Produces.NOTICE),
        notice_posted_late,
        notice_waiting,
    ),
    Check(
        "notice-short",
        "公示期不足",
        "公示在规定期满前结束（强制完成公示步骤）；期限见该步骤的时限规定",
        _has(Produces.NOTICE),
        notice_short,
    ),
    Check(
        "notice-backdated",
        "公示补录",
        "公示的张贴日期早于登记日期（事后补录），须核实实际张贴日期",
        _has(Produces.NOTICE),
        notice_backdated,
    ),
    Check(
        "deadline-missed",
        "超过办理时限",
        "有办理时限的步骤超期未完成（红），或超期后才完成（黄）；时限见该步骤的时限规定",
        _has_timer(TimerKind.DEADLINE),
        deadline_finished_late,
        deadline_running,
    ),
    Check(
        "recurring-missed",
        "未按期开展",
        "本村每月、每季度、每年须开展的事项（三会一课等）在该期间内没有记录（乡镇、县等上级组织的工作不计）",
        _has_timer(TimerKind.RECURRING),
        of_day=recurring_missed,
    ),
    Check(
        "seal-unapproved",
        "未经批准用印",
        "用印登记为未经批准（事后如实登记的情况）",
        _has(Produces.SEAL_USE),
        seal_unapproved,
    ),
    Check(
        "seal-same-person",
        "批准人即保管人",
        "用印登记的批准人与印章保管人是同一人",
        _has(Produces.SEAL_USE),
        seal_same_person,
    ),
    Check(
        "seal-basis",
        "重大事项用印无会议决议",
        "办件经会议讨论决定，用印依据却不是该会议决议",
        lambda m: _has(Produces.SEAL_USE)(m) and _has(Produces.MINUTES)(m),
        seal_basis,
    ),
    Check(
        "seal-unregistered",
        "用印未登记",
        f"用印步骤开始后 {SEAL_REGISTER_DAYS} 日内未登记用印（{OWN_THRESHOLD}）",
        _has(Produces.SEAL_USE),
        of_day=seal_unregistered,
    ),
    Check(
        "decision-no-meeting",
        "决策无会议记录",
        f"会议决定步骤已办结，{MINUTES_DAYS} 日后会议记录仍未登记应到、实到和表决（{OWN_THRESHOLD}）",
        _has(Produces.MINUTES),
        decision_no_meeting,
        appears=True,
    ),
    Check(
        "decision-vote-failed",
        "表决未通过仍按通过办理",
        "步骤办结为通过/同意，关联会议记录的表决却未通过（含到会人数不足）",
        _has(Produces.MINUTES),
        decision_vote_failed,
    ),
    Check(
        "minutes-unlocked",
        "会议记录未锁定",
        f"会议召开 {MINUTES_DAYS} 日后，会议记录仍未确认锁定（{OWN_THRESHOLD}）",
        _has(Produces.MINUTES),
        minutes_unlocked,
        appears=True,
    ),
    Check(
        "materials-missing",
        "经办手续不全",
        "步骤办结时，该步骤规定的材料未全部登记收到",
        _any_step(lambda s: bool(s.materials)),
        materials_missing,
    ),
    Check(
        "no-follow-up",
        "未回访",
        f"回访步骤开始后 {FOLLOW_UP_DAYS} 日未记录回访（{OWN_THRESHOLD}）",
        _any_step(lambda s: "回访" in s.title),
        of_day=no_follow_up,
    ),
    Check(
        "forced-step",
        "强制完成",
        "未满时限的步骤填写理由后强制完成（公示步骤见“公示期不足”）",
        _has_timer(TimerKind.MIN_WAIT),
        forced_step,
    ),
)
OWN_CHECK = "本系统的记录检查，不属县文件所列廉政风险点"
RECORD_CHECKS: tuple[Check, ...] = (
    Check(
        "step-reopened",
        "重开已完成步骤",
        f"已完成的步骤被重开、原办理结果被撤销（须填写理由），请核实理由是否属实（{OWN_CHECK}）",
        lambda _: True,
        step_reopened,
    ),
    Check(
        "case-withdrawn",
        "办件撤回或终止",
        f"办件未走完流程即由经办人撤回或终止（须填写理由），请核实理由是否属实（{OWN_CHECK}）",
        lambda _: True,
        case_withdrawn,
    ),
    Check(
        "subject-corrected",
        "更正办件事由",
        f"办件的事由（申请人、议题等）在立案后被更正（原文保留，须填写理由）（{OWN_CHECK}）",
        lambda _: True,
        subject_corrected,
    ),
)
"""Checks of how the records themselves were kept: not one of the county's 廉政风险点 (so no
matter's ``[[risk_checks]]`` names them), but what the committee must see of every correction."""


def _conflicts(
    check: str, severity: Severity, find: Callable[[Data], Iterable[conflicts.Hit]]
) -> Callable[[Context], Iterator[Finding]]:
    """A check of ``procedures.conflicts`` as findings: on the person, meeting or notice it names
    (a meeting's finding names its case's matter, not the case: one case may hold several meetings)."""

    def run(ctx: Context) -> Iterator[Finding]:
        for hit in find(ctx.data):
            where: dict[str, Any] = {"village": hit.village}
            if hit.notice is not None:
                where = _notice_where(ctx, hit.notice)
            elif hit.meeting is not None:
                case = ctx.cases.get(hit.meeting.case)
                matter = ctx.matter(case) if case is not None else None
                if matter is not None:
                    where.update(matter_id=matter.id, matter=matter.name)
            yield _finding(check, severity, hit.since, hit.text, record=hit.record, ongoing=hit.ongoing, **where)

    return run


CONFLICT_CHECKS: tuple[Check, ...] = (
    Check(
        "supervisor-on-committee",
        "监委会成员兼任两委",
        f"村务监督委员会委员同一时间是支委会委员或村委会委员，或与其同户（户号相同）的人同一时间是；"
        f"依据{conflicts.LAW_32}；{conflicts.HOUSEHOLD_ONLY}",
        lambda _: True,
        _conflicts("supervisor-on-committee", Severity.RED, lambda d: conflicts.supervisor_on_committee(d.people)),
    ),
    Check(
        "cadre-household-applicant",
        "优亲厚友待核实",
        "低保、特困（五保）、补贴、宅基地的公示名单中，有“两委”成员或村务监督委员会委员本人或其同户的人"
        "（公示张贴当日在任；名单与名册按身份证号对应，一方未登记身份证号时按姓名对应）；"
        f"须核实是否符合条件、评议审核时是否回避（{OWN_CHECK}）",
        lambda m: m.id in conflicts.APPLICANT_MATTERS,
        _conflicts(
            "cadre-household-applicant",
            Severity.AMBER,
            lambda d: conflicts.cadre_household_applicant(d.people, d.notices),
        ),
    ),
    Check(
        "present-twice",
        "同一时间出席两个会议",
        f"同一人（名册编号相同）在时间重叠的两个会议上都登记为出席；会议记录未填结束时间的，"
        f"按开始后 {conflicts.MEETING_HOURS} 小时计（{OWN_THRESHOLD}）（{OWN_CHECK}）",
        lambda _: True,
        _conflicts("present-twice", Severity.RED, lambda d: conflicts.present_twice(d.meetings)),
    ),
    Check(
        "present-after-leaving",
        "离任后仍签到",
        "有人登记出席的会议，在其应到该类会议的每一项身份（如村民代表、正式党员）都已终止之后召开"
        f"（出席名单确认后不随名册更改，名册事后改了终止日期也会出现）（{OWN_CHECK}）",
        lambda _: True,
        _conflicts(
            "present-after-leaving",
            Severity.RED,
            lambda d: conflicts.present_after_leaving(d.people, d.meetings),
        ),
    ),
    Check(
        "left-after-the-fact",
        "会后补记离任",
        "按名册计应到的会议，应到名单不含某人：其应到该类会议的身份终止日期早于会议，"
        "却在会议当天或之后才登记终止（事后补记离任会使应到减少、法定人数更易达到）"
        f"（{OWN_CHECK}）",
        lambda _: True,
        _conflicts(
            "left-after-the-fact",
            Severity.AMBER,
            lambda d: conflicts.left_after_the_fact(d.people, d.meetings),
        ),
    ),
    Check(
        "same-roll",
        "签到名单雷同",
        "两次不同会议的出席登记完全相同（每个人、出席情况和说明都一样）；每人都已登记、且至少有一人不是出席"
        "（缺席的人和原因都一样才像复印的签到表；全体出席的小型会议不提示）"
        f"（{OWN_CHECK}）",
        lambda _: True,
        _conflicts("same-roll", Severity.AMBER, lambda d: conflicts.same_roll(d.meetings)),
    ),
)
"""Conflicts of interest in the rosters and the meetings' attendance (``procedures.conflicts``)."""
ALL_CHECKS: tuple[Check, ...] = (*CHECKS, *RECORD_CHECKS, *CONFLICT_CHECKS)
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in ALL_CHECKS}
CHECK_TITLES: dict[str, str] = {c.id: c.title for c in ALL_CHECKS}


def _context(catalog: Catalog, data: Data, today: dt.date | None, cal: WorkCalendar) -> Context:
    return Context(
        catalog,
        data,
        today,
        cal,
        meetings={m.number: m for m in data.meetings},
        notices={n.number: n for n in data.notices},
        seals={s.number: s for s in data.seals},
        cases={c.number: c for c in data.cases},
    )


Settled = list[tuple[Finding, dt.date | None]]
"""Findings that do not depend on the day, each with the day it appears from (None: always)."""


def settled(catalog: Catalog, data: Data, cal: WorkCalendar) -> Settled:
    """What the records say whatever the day (``Check.run``), each finding with the first day it
    stands on for a check that ``appears``. ``data.done`` and ``data.since`` are not read."""
    ctx = _context(catalog, data, None, cal)
    return [(f, f.since if check.appears else None) for check in ALL_CHECKS for f in check.run(ctx)]


def of_day(catalog: Catalog, data: Data, today: dt.date, cal: WorkCalendar) -> list[Finding]:
    """What depends on ``today`` (``Check.of_day``): the open cases' waiting steps and running
    deadlines (only ``data.cases`` that are open are read, and nothing of their records but
    their steps), the recurring duties of ``data.done`` since ``data.since``."""
    ctx = _context(catalog, data, today, cal)
    return [f for check in ALL_CHECKS for f in check.of_day(ctx)]


def standing(found: Settled, today: dt.date) -> list[Finding]:
    """The settled findings that stand on ``today``."""
    return [f for f, appears in found if appears is None or appears <= today]


def ordered(found: Iterable[Finding]) -> list[Finding]:
    """Red first, then the oldest; then by village, number and check (one order, whatever
    order the findings were made in)."""
    rank = {Severity.RED: 0, Severity.AMBER: 1}
    return sorted(
        found, key=lambda f: (rank[f.severity], f.since, f.village, f.target, f.check, f.step_id, f.record, f.text)
    )


def run(catalog: Catalog, data: Data, today: dt.date, cal: WorkCalendar) -> list[Finding]:
    """Every finding on ``today``: red first, then the oldest."""
    return ordered([*standing(settled(catalog, data, cal), today), *of_day(catalog, data, today, cal)])


def in_period(finding: Finding, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether a finding belongs to ``start``..``end``: it began in it, or began before and still stands."""
    if end is not None and finding.since > end:
        return False
    return start is None or finding.since >= start or finding.ongoing


def village_status(findings: Iterable[Finding]) -> tuple[Severity | None, int, int]:
    """(worst severity or None for green, red count, amber count)."""
    red = amber = 0
    for f in findings:
        if f.severity is Severity.RED:
            red += 1
        else:
            amber += 1
    worst = Severity.RED if red else (Severity.AMBER if amber else None)
    return worst, red, amber


def coverage(entry: RiskCheck) -> list[str]:
    """How one risk is watched, in lines for people: the checks' titles, then what stays manual."""
    lines = []
    if entry.checks:
        lines.append("系统检查：" + "、".join(CHECK_TITLES[c] for c in entry.checks))
    if entry.manual:
        lines.append("人工核查：" + entry.manual)
    return lines
