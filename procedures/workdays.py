"""Which days are working days in China (工作日), with 调休 make-up days.

Sources, first that knows the day wins:

1. local overrides (an administrator enters the State Council's notice for a year the
   libraries do not know yet);
2. ``chinesecalendar``: the State Council's published holidays and 调休 days (official);
3. ``holidays.China``: statutory holidays by rule, without the yearly 调休 swaps (estimate);
4. weekends only (estimate).

Nothing here raises for a date outside the libraries' data: an unknown year gives an
estimate, marked as such, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class DaySource(StrEnum):
    """Where a day's working/holiday status came from."""

    OVERRIDE = "override"
    OFFICIAL = "official"
    ESTIMATE = "estimate"
    WEEKENDS = "weekends"


SOURCE_LABELS: dict[DaySource, str] = {
    DaySource.OVERRIDE: "本地设置的放假安排",
    DaySource.OFFICIAL: "国务院办公厅公布的放假安排",
    DaySource.ESTIMATE: "按法定节日规则预估",
    DaySource.WEEKENDS: "仅按周末预估",
}


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One day's status."""

    day: dt.date
    workday: bool
    """True on a working day (including a 调休 Saturday or Sunday)."""
    source: DaySource
    """Which source decided."""

    @property
    def estimated(self) -> bool:
        return self.source in (DaySource.ESTIMATE, DaySource.WEEKENDS)


def estimate_notice(year: int) -> str:
    """The caveat shown beside a date computed from an estimate."""
    return f"（预估，待国务院公布{year}年放假安排后复核）"


class WorkCalendar:
    """Working days from the source chain above. Pure apart from reading the libraries' data."""

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        use_official: bool = True,
        use_estimate: bool = True,
    ) -> None:
        """``overrides`` maps a date to True (working day) or False (day off).

        ``use_official``/``use_estimate`` switch a source off; tests use them to exercise
        the fallbacks, and a site without the libraries gets weekends only.
        """
        self._overrides = dict(overrides or {})
        self._use_official = use_official
        self._use_estimate = use_estimate

    def info(self, day: dt.date) -> DayInfo:
        if day in self._overrides:
            return DayInfo(day, self._overrides[day], DaySource.OVERRIDE)
        if self._use_official:
            official = _official(day)
            if official is not None:
                return DayInfo(day, official, DaySource.OFFICIAL)
        if self._use_estimate:
            estimate = _estimate(day)
            if estimate is not None:
                return DayInfo(day, estimate, DaySource.ESTIMATE)
        return DayInfo(day, day.weekday() < 5, DaySource.WEEKENDS)

    def is_workday(self, day: dt.date) -> bool:
        return self.info(day).workday

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def covers_officially(self, year: int) -> bool:
        """True when the official source (or a full local override) knows the year."""
        probe = dt.date(year, 6, 1)
        return self.info(probe).source in (DaySource.OFFICIAL, DaySource.OVERRIDE)


@lru_cache(maxsize=4096)
def _official(day: dt.date) -> bool | None:
    """The published calendar's word on ``day`` (None: a year it does not cover). Kept per day:
    chinesecalendar works out the span of its whole table on every call (18 µs; 2,760 calls for
    the case list at 50,000 cases), and a running program's calendar never changes."""
    try:
        import chinese_calendar
    except ImportError:
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # chinesecalendar knows only the years the State Council has published.
        return None


def _estimate(day: dt.date) -> bool | None:
    table = _estimate_year(day.year)
    if table is None:
        return None
    holidays_, weekend_workdays = table
    if day in weekend_workdays:
        return True
    return day.weekday() < 5 and day not in holidays_


@lru_cache(maxsize=8)
def _estimate_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]] | None:
    try:
        import holidays
    except ImportError:
        return None
    china = holidays.country_holidays("CN", years=year)
    days = frozenset(d for d in china if d.year == year)
    extra = frozenset(d for d in getattr(china, "weekend_workdays", ()) if d.year == year)
    return days, extra
