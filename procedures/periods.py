"""Counting periods the way the law does.

民法典 第二百零一条: a period counted in days, months or years starts the day after the
start day. 第二百零二条: a period in months or years ends on the corresponding day of the
last month, or the month's last day when there is none. 第二百零三条: when the last day is
a statutory day off, the period ends on the first day after it (here: the next working day,
so that a 调休 Saturday counts as a working day). Periods in 工作日 count working days only
(《行政许可法》第八十二条).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from procedures.model import UNIT_LABELS, Unit
from procedures.workdays import WorkCalendar, estimate_notice


@dataclass(frozen=True, slots=True)
class PeriodEnd:
    """The last day of a period and how it was found."""

    start: dt.date
    """The day the count starts from (not itself counted)."""
    last_day: dt.date
    """The period's last day (it runs until that day's end)."""
    rolled_from: dt.date | None
    """The nominal last day, when 第二百零三条 moved it past a day off."""
    estimated: bool
    """True when a day that decided the result came from an estimate, not the State Council's notice."""

    def caveat(self) -> str:
        """The estimate caveat to show with the date, or an empty string."""
        return estimate_notice(self.last_day.year) if self.estimated else ""

    @property
    def first_day(self) -> dt.date:
        """The period's first counted day: the day after its start (第二百零一条)."""
        return self.start + dt.timedelta(days=1)

    @property
    def free_from(self) -> dt.date:
        """The first day a step that waits the period out may complete (``free_from``)."""
        return free_from(self.last_day)


RULE_START = "《中华人民共和国民法典》第二百零一条"
"""A period counts from the day after the day it starts from."""
RULE_ROLL = "《中华人民共和国民法典》第二百零三条"
"""A period whose last day is a day off ends on the first day after it."""


def free_from(last_day: dt.date) -> dt.date:
    """The first day a step waiting out a minimum period (公示7日) may complete.

    The last day runs to its end (24:00, 第二百零三条), so the step is free the day after it.
    The one rule for the engine, the screens, ``due``, the risk checks and the documents.
    """
    return last_day + dt.timedelta(days=1)


def counted_days(start: dt.date, last_day: dt.date) -> int:
    """Days from the day after ``start`` to ``last_day``, both counted, as a reader counts them."""
    return (last_day - start).days


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the month's last day when there is none (第二百零二条)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, amount: int, unit: Unit, cal: WorkCalendar) -> PeriodEnd:
    """The last day of a period of ``amount`` ``unit`` counted from ``start``."""
    if amount < 0:
        raise ValueError("期间长度不能为负数")
    if unit is Unit.WORKDAY:
        day, estimated, counted = start, False, 0
        while counted < amount:
            day += dt.timedelta(days=1)
            info = cal.info(day)
            estimated |= info.estimated
            counted += info.workday
        return PeriodEnd(start, day, None, estimated)
    if unit is Unit.DAY:
        nominal = start + dt.timedelta(days=amount)
    elif unit is Unit.WEEK:
        nominal = start + dt.timedelta(weeks=amount)
    elif unit is Unit.MONTH:
        nominal = add_months(start, amount)
    else:
        nominal = add_months(start, 12 * amount)
    info = cal.info(nominal)
    if info.workday:
        return PeriodEnd(start, nominal, None, info.estimated)
    last = nominal
    estimated = info.estimated
    while True:
        last += dt.timedelta(days=1)
        nxt = cal.info(last)
        estimated |= nxt.estimated
        if nxt.workday:
            return PeriodEnd(start, last, nominal, estimated)


def format_date(day: dt.date) -> str:
    """A date as Chinese documents write it (GB/T 9704: no zero padding): 2026年11月27日."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_short(day: dt.date) -> str:
    """Month and day only: 12月4日."""
    return f"{day.month}月{day.day}日"


def period_line(start: dt.date, amount: int, unit: Unit, last_day: dt.date, rolled_from: dt.date | None) -> str:
    """A period as a reader counts it: 2026年12月8日至2026年12月14日，共7日.

    The span starts the day after ``start`` (第二百零一条) and runs to the nominal last day, so
    the days add up; a last day moved past a day off says so (第二百零三条) and where to.
    """
    nominal = rolled_from or last_day
    text = f"{format_date(start + dt.timedelta(days=1))}至{format_date(nominal)}，共{amount}{UNIT_LABELS[unit]}"
    if rolled_from is not None:
        text += f"；末日为休息日，顺延至{format_date(last_day)}"
    return text


def period_basis(rolled: bool) -> str:
    """Where the counting rules come from, to print beside a period line."""
    text = f"张贴当日不计入，自次日起算（{RULE_START}）"
    if rolled:
        text += f"；期间最后一日是法定休假日的，以其后的第一个工作日为期间的最后一日（{RULE_ROLL}）"
    return text
