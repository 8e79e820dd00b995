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

from procedures.model import Unit
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
