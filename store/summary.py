"""乡镇汇总: for a period, one row of figures per village, the same figures for the period before
beside them, and the findings behind them. Every figure is a count of what the clerks already
registered (no score, no ranking, villages in the configured order), counted by the same rules
the rest of the system uses:

- 定期事项 (三会一课等组织生活, 其他定期工作): the windows of the village's own recurring duties
  (``procedures.recurring``) that end in the period, are over by the day of the summary or were
  met, and are judged as the risk check ``recurring-missed`` and the 三会一课登记 judge them;
  each window is counted once, in the period it ends in;
- 公示: those posted in the period (posted by the day of the summary), and of them those with no
  ``notice-late`` finding; those whose period ended in the period (not stopped with their case),
  and of them those with no ``notice-short`` finding; the 公示 not posted in time and still not
  posted are the ``notice-late`` findings of no notice;
- 步骤超期: the ``deadline-missed`` findings, still overdue (red) or completed late (amber);
- 风险提示 红/黄: every finding of the period (``procedures.risks.in_period``);
- 整改: opened, 销号 and 无需整改 in the period; open (not 销号 or waived) at its end, and of them
  overdue then (``store.rectifications``: from the day after the deadline while not done);
- 办件: opened, finished, terminated or withdrawn in the period, and open at its end (by status,
  and by matter);
- 监督意见, 签字: the 监委会's opinions and countersignatures dated in the period.

The findings are those of the risk checks on the day of the summary; "its end" is the period's
last day, or the day of the summary when the period has not ended. A village this account does
not see is not in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procedures.engine import CaseStatus
from procedures.periods import add_months, format_date
from procedures.recurring import ObligationState, judged, obligations
from store import rectifications as rect
from store import roles
from store.errors import BadInput

if TYPE_CHECKING:
    from procedures.risks import Finding
    from store.site import Site

FIRST_DAY = dt.date(2000, 1, 1)
"""The earliest first day a summary is made for (a year typed as 0001 is a typing error)."""
LONGEST_YEARS = 5
"""The longest period a summary covers (its end before the same day five years on)."""


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    header: str
    """The column's header in the Word tables and the spreadsheet."""
    how: str
    """How it is counted, for the 说明 of the Word document and the spreadsheet."""


FIGURES: tuple[Figure, ...] = (
    Figure("meetings_due", "三会一课等应开", "三会一课等组织生活在本期结束的各期（已过期或已开的）"),
    Figure("meetings_held", "三会一课等已开", "其中有会议记录或办件记录的期数"),
    Figure("duties_due", "其他定期工作应办", "其他定期工作在本期结束的各期（已过期或已办的）"),
    Figure("duties_done", "其他定期工作已办", "其中有办件记录的期数"),
    Figure("notices_posted", "公示张贴", "本期张贴的公示"),
    Figure("notices_on_time", "其中按时张贴", "其中没有“公示未按时张贴”提示的"),
    Figure("notices_unposted", "逾期未张贴", "公示步骤开始后逾期仍未登记张贴的（“公示未按时张贴”提示）"),
    Figure("notices_ended", "公示期间结束", "本期结束的公示（办件撤回或终止而中止的不计）"),
    Figure("notices_full", "其中期满结束", "其中没有“公示期不足”提示的"),
    Figure("steps_late_open", "步骤超期未办", "有办理时限的步骤超期仍未完成（“超过办理时限”红色提示）"),
    Figure("steps_late_done", "步骤超期办结", "超期后才完成（“超过办理时限”黄色提示）"),
    Figure(
        "findings_red",
        "风险提示红",
        "本期出现的、此前出现至今仍存在的红色风险提示，整改已销号或认定无需整改的也计入（监督屏幕的提示列表不再列出这些）",
    ),
    Figure("findings_amber", "风险提示黄", "同上，黄色风险提示"),
    Figure("fixes_new", "整改新增", "本期登记的整改事项"),
    Figure("fixes_closed", "整改销号", "本期销号的"),
    Figure("fixes_waived", "无需整改", "本期由乡镇认定无需整改的"),
    Figure("fixes_open", "整改未销号", "期末未销号的（整改中或已完成待销号）"),
    Figure("fixes_overdue", "整改逾期", "其中期末已过整改期限仍未完成的"),
    Figure("cases_opened", "办件受理", "本期立案的办件"),
    Figure("cases_done", "办件办结", "本期办结的"),
    Figure("cases_stopped", "办件终止撤回", "本期终止或撤回的"),
    Figure("cases_open", "办件期末在办", "期末仍在办理的"),
    Figure("opinions", "审核意见", "监委会、乡镇本期填写的审核意见"),
    Figure("countersigns", "公示签字", "监委会本期对公示的签字"),
)
KEYS = tuple(f.key for f in FIGURES)
CASE_KEYS = ("cases_opened", "cases_done", "cases_stopped", "cases_open")
RATES = (("notices_on_time", "notices_posted", "公示按时张贴率"), ("notices_full", "notices_ended", "公示期满率"))
"""(part, whole, name): the shares the documents print beside the counts."""


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: dt.date, end: dt.date, today: dt.date) -> Period:
        """A period to sum up on ``today``: it has begun (a paper to sign states what happened),
        starts in 2000 or later and is at most five years long; its end may be later than today
        (this month, this year: counted to today)."""
        if end < start:
            raise BadInput(f"截止日期 {end.isoformat()} 早于起始日期 {start.isoformat()}，请检查输入的日期。")
        if start < FIRST_DAY:
            raise BadInput(f"起始日期 {start.isoformat()} 早于 {FIRST_DAY.year} 年，请检查输入的年份。")
        if start > today:
            raise BadInput(
                f"汇总期间从 {start.isoformat()} 开始，还没有到（今天是 {today.isoformat()}）：请汇总今天或以前开始的期间。"
            )
        if end >= add_months(start, 12 * LONGEST_YEARS):
            raise BadInput(
                f"汇总期间最长 {LONGEST_YEARS} 年（{start.isoformat()} 至 {end.isoformat()} 超过了），请分段汇总。"
            )
        return cls(start, end)

    @property
    def whole_months(self) -> int:
        """How many calendar months the period is, when it runs from a month's first day to a
        month's last; 0 otherwise."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period just before: as many calendar months (a month, a quarter, a year) when this
        one is whole months; the same days as many months before when it starts on a month's first
        day (本月至今 against the month before to the same day, 本年至今 against last year's); else
        as many days just before."""
        months = self.whole_months
        if months:
            start = add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        if self.start.day == 1:
            spanned = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return Period(add_months(self.start, -spanned), add_months(self.end, -spanned))
        days = (self.end - self.start).days + 1
        return Period(self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1))

    def text(self) -> str:
        return f"{format_date(self.start)}至{format_date(self.end)}"

    def has(self, day: str | dt.date) -> bool:
        """Whether ``day`` (a date or its ISO text; a longer ISO stamp is read by its date) is in the period."""
        text = day.isoformat() if isinstance(day, dt.date) else day[:10]
        return self.start.isoformat() <= text <= self.end.isoformat()


@dataclass(slots=True)
class VillageFigures:
    """One village's figures for one period."""

    village: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    matters: dict[str, dict[str, int]] = field(default_factory=dict)
    """Matter id → its CASE_KEYS counts (matters with a case counted only)."""
    duties: dict[str, list[Any]] = field(default_factory=dict)
    """Duty key (matter.step) → [name, due, met] (duties with a window counted only)."""

    def rate(self, part: str, whole: str) -> str:
        """``part`` of ``whole`` in per cent, "—" when there is nothing to divide."""
        total = self.counts[whole]
        return f"{round(100 * self.counts[part] / total)}%" if total else "—"


@dataclass(frozen=True, slots=True)
class Fix:
    number: str
    state: str
    deadline: str


@dataclass(frozen=True, slots=True)
class FixRow:
    """A 整改事项 the period's 整改 figures count: registered, 销号 or waived in it, or open at its end."""

    number: str
    village: str
    source: str
    """来源 in words (风险提示, 监督意见, 检查发现)."""
    problem: str
    """As typed: mask ID numbers before printing it."""
    responsible: str
    deadline: str
    state: str
    """Its state at the period's end (``store.rectifications.STATES`` words)."""
    overdue: bool
    """Overdue at the period's end."""
    registered: str
    done: str
    """The day 完成 was registered ("" before the period's end)."""
    closed: str
    """The day of its 销号 or 无需整改 ("" before the period's end)."""


@dataclass(frozen=True, slots=True)
class Summary:
    period: Period
    previous: Period
    today: dt.date
    villages: tuple[str, ...]
    current: tuple[VillageFigures, ...]
    before: tuple[VillageFigures, ...]
    findings: tuple[tuple[Finding, Fix | None], ...]
    """The findings of the period, village by village (configured order), red first, each with the
    整改事项 opened from it (None when none was)."""
    matter_names: Mapping[str, str]
    since: dt.date | None
    fixes: tuple[FixRow, ...] = ()
    """The 整改事项 the period's 整改 figures count, village by village, by number."""


def summarise(site: Site, start: dt.date, end: dt.date, today: dt.date, village: str | None = None) -> Summary:
    """The 乡镇汇总 of ``start``..``end`` and the period before it, as of ``today``, for ``village``
    or every village this account sees."""
    from procedures.risks import in_period

    if not roles.known(site.operator):
        raise roles.not_listed(site.operator)
    period = Period.of(start, end, today)
    previous = period.previous()
    names = (site.cases.village(village),) if village else tuple(site.villages)
    since = dt.date.fromisoformat(site.settings.since) if site.settings.since else None
    found = [f for f in site.risks(today, village) if f.village in names]
    cases = [c for c in site.cases.find(village) if c.village in names]
    notices = [n for n in site.notices.find(village) if n.get("village") in names]
    fixes = [r for r in site.rectifications.find(village) if r.get("village") in names]
    opinions = [o for o in site.opinions.find(village) if o.get("village") in names]
    done = site.duty_done(today, village)

    def figures(p: Period) -> tuple[VillageFigures, ...]:
        rows = {name: VillageFigures(name) for name in names}
        last = min(p.end, today)
        _duties(site, rows, done, p, today, since)
        _findings(rows, [f for f in found if in_period(f, p.start, p.end)])
        _notices(rows, notices, [f for f in found if f.check in ("notice-late", "notice-short")], p, today)
        _fixes(rows, fixes, p, last)
        _cases(rows, cases, p, last)
        _opinions(rows, opinions, p)
        return tuple(rows.values())

    place = {name: n for n, name in enumerate(names)}
    by_key = site.finding_fixes(village)
    shown = sorted((f for f in found if in_period(f, period.start, period.end)), key=lambda f: place[f.village])
    appendix = tuple((f, _fix(by_key.get(f.key))) for f in shown)
    matter_names = {m.id: m.name for m in site.catalog.matters}
    last = min(period.end, today)
    rows = sorted(
        (row for r in fixes if (row := fix_row(r, period, last)) is not None),
        key=lambda row: (place[row.village], row.number),
    )
    return Summary(
        period, previous, today, names, figures(period), figures(previous), appendix, matter_names, since, tuple(rows)
    )


def fix_row(record: Mapping[str, Any], p: Period, last: dt.date) -> FixRow | None:
    """The 整改事项 as the period's list shows it, or None when the period's figures do not count it."""
    state = state_on(record, last)
    closed = record.get("closed") or {}
    closed_on = str(closed.get("at", ""))[:10] if closed and state in (rect.CLOSED, rect.WAIVED) else ""
    counted = p.has(str(record.get("created_at", ""))) or (closed_on and p.has(closed_on))
    if not (counted or state in (rect.OPEN, rect.DONE)):
        return None
    finished = record.get("done") or {}
    done_on = str(finished.get("at", ""))[:10] if finished and state != rect.OPEN else ""
    deadline = str(record.get("deadline", ""))
    return FixRow(
        number=str(record["number"]),
        village=str(record["village"]),
        source=rect.SOURCES.get(str(record.get("source", "")), ""),
        problem=str(record.get("problem", "")),
        responsible=str(record.get("responsible", "")),
        deadline=deadline,
        state=rect.STATES.get(state, state),
        overdue=rect.late(state, deadline, last),
        registered=str(record.get("created_at", ""))[:10],
        done=done_on,
        closed=closed_on,
    )


def _fix(found: Mapping[str, str] | None) -> Fix | None:
    return None if found is None else Fix(found["number"], found["state"], found["deadline"])


def _duties(
    site: Site,
    rows: Mapping[str, VillageFigures],
    done: Mapping[str, Mapping[str, Iterable[dt.date]]],
    p: Period,
    today: dt.date,
    since: dt.date | None,
) -> None:
    """The windows of each village's own recurring duties that end in ``p`` (over by ``today`` or met)."""
    for name, row in rows.items():
        for o in obligations(site.catalog, done.get(name, {}), p.start, p.end, today, village_only=True):
            if not p.has(o.window_end) or o.state not in (ObligationState.MET, ObligationState.MISSED):
                continue
            if not judged(o, since):
                continue
            met = o.state is ObligationState.MET
            due, held = ("meetings_due", "meetings_held") if o.matter.meeting_kind else ("duties_due", "duties_done")
            row.counts[due] += 1
            row.counts[held] += met
            label = o.matter.meeting_kind or f"{o.matter.name}·{o.step.title}"
            entry = row.duties.setdefault(o.key, [label, 0, 0])
            entry[1] += 1
            entry[2] += met


def _findings(rows: Mapping[str, VillageFigures], found: Iterable[Finding]) -> None:
    from procedures.risks import Severity

    for f in found:
        counts = rows[f.village].counts
        counts["findings_red" if f.severity is Severity.RED else "findings_amber"] += 1
        if f.check == "deadline-missed":
            counts["steps_late_open" if f.ongoing else "steps_late_done"] += 1


def _notices(
    rows: Mapping[str, VillageFigures],
    notices: Iterable[Mapping[str, Any]],
    found: Sequence[Finding],
    p: Period,
    today: dt.date,
) -> None:
    from procedures.risks import in_period
    from procedures.views import NoticeView

    late = {f.record for f in found if f.check == "notice-late" and f.record}
    short = {f.record for f in found if f.check == "notice-short"}
    for f in found:
        if f.check == "notice-late" and not f.record and in_period(f, p.start, p.end):
            rows[f.village].counts["notices_unposted"] += 1
    for record in notices:
        notice = NoticeView.from_record(record)
        counts = rows[notice.village].counts
        posted = notice.posted_on
        if posted is not None and posted <= today and p.has(posted):
            counts["notices_posted"] += 1
            counts["notices_on_time"] += notice.number not in late
        closed = notice.closed_on
        if closed is not None and p.has(closed) and not notice.stopped and posted is not None:
            counts["notices_ended"] += 1
            counts["notices_full"] += notice.number not in short


def state_on(record: Mapping[str, Any], day: dt.date) -> str:
    """A 整改事项's state at the end of ``day`` ("" before it was registered)."""
    text = day.isoformat()
    if str(record.get("created_at", ""))[:10] > text:
        return ""
    closed = record.get("closed") or {}
    if closed and str(closed.get("at", ""))[:10] <= text:
        return str(record["state"])
    finished = record.get("done") or {}
    if finished and str(finished.get("at", ""))[:10] <= text:
        return rect.DONE
    return rect.OPEN


def _fixes(rows: Mapping[str, VillageFigures], fixes: Iterable[Mapping[str, Any]], p: Period, last: dt.date) -> None:
    for r in fixes:
        counts = rows[str(r["village"])].counts
        counts["fixes_new"] += p.has(str(r.get("created_at", "")))
        closed = r.get("closed") or {}
        if closed and p.has(str(closed.get("at", ""))):
            counts["fixes_closed" if r["state"] == rect.CLOSED else "fixes_waived"] += 1
        state = state_on(r, last)
        if state in (rect.OPEN, rect.DONE):
            counts["fixes_open"] += 1
            counts["fixes_overdue"] += rect.late(state, str(r["deadline"]), last)


def _cases(rows: Mapping[str, VillageFigures], cases: Iterable[Any], p: Period, last: dt.date) -> None:
    end = last.isoformat()
    for case in cases:
        row = rows[case.village]
        opened, closed = str(case.record["opened_on"]), case.closed_on
        hits = {
            "cases_opened": p.has(opened),
            "cases_done": bool(closed) and p.has(closed) and case.status is CaseStatus.DONE,
            "cases_stopped": bool(closed) and p.has(closed) and case.status is not CaseStatus.DONE,
            "cases_open": opened <= end and (not closed or closed > end),
        }
        if not any(hits.values()):
            continue
        per_matter = row.matters.setdefault(case.matter_id, dict.fromkeys(CASE_KEYS, 0))
        for key, hit in hits.items():
            row.counts[key] += hit
            per_matter[key] += hit


def _opinions(rows: Mapping[str, VillageFigures], opinions: Iterable[Mapping[str, Any]], p: Period) -> None:
    for o in opinions:
        if p.has(str(o.get("date", ""))):
            rows[str(o["village"])].counts["countersigns" if o.get("kind") == "countersign" else "opinions"] += 1


__all__ = ["FIGURES", "KEYS", "RATES", "FixRow", "Period", "Summary", "VillageFigures", "state_on", "summarise"]
