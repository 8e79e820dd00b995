"""Deadline arithmetic, table-driven with fixed dates (民法典 第二百零一—二百零三条)."""

from __future__ import annotations

import datetime as dt

import pytest

from procedures.model import Unit
from procedures.periods import add_months, format_date, period_end
from procedures.workdays import DaySource, WorkCalendar

D = dt.date


@pytest.mark.parametrize(
    ("start", "amount", "unit", "last_day", "rolled_from"),
    [
        # A 7-day notice: the start day does not count, the 7th day is the last.
        (D(2026, 11, 27), 7, Unit.DAY, D(2026, 12, 4), None),
        # The 7th day falls in the National Day holiday: the period ends on the next working day.
        (D(2026, 9, 30), 7, Unit.DAY, D(2026, 10, 8), D(2026, 10, 7)),
        # The 7th day is a Sunday: it moves to Monday.
        (D(2026, 11, 22), 7, Unit.DAY, D(2026, 11, 30), D(2026, 11, 29)),
        # One week is seven days.
        (D(2026, 11, 27), 1, Unit.WEEK, D(2026, 12, 4), None),
        # Three days to pass a petition on, from a Friday: Monday.
        (D(2026, 11, 27), 3, Unit.DAY, D(2026, 11, 30), None),
        # Working days across 国庆 2026 (10月1日—7日 off): Wed 9/30 counts, then 10/8, 10/9.
        (D(2026, 9, 29), 3, Unit.WORKDAY, D(2026, 10, 9), None),
        # Working days across 春节 2026 (2月15日—23日 off; Saturday 2月14日 is a 调休 working day).
        (D(2026, 2, 12), 5, Unit.WORKDAY, D(2026, 2, 26), None),
        # Saturday 10月10日 2026 is a 调休 working day and counts.
        (D(2026, 10, 9), 5, Unit.WORKDAY, D(2026, 10, 15), None),
        # Months end on the corresponding day, or the month's last day (第二百零二条);
        # 2026-02-28 is a 调休 Saturday, a working day, so nothing rolls.
        (D(2026, 1, 31), 1, Unit.MONTH, D(2026, 2, 28), None),
        (D(2026, 3, 15), 2, Unit.MONTH, D(2026, 5, 15), None),
        # One year from a National Day lands in the holiday and rolls forward.
        (D(2025, 10, 1), 1, Unit.YEAR, D(2026, 10, 8), D(2026, 10, 1)),
        (D(2024, 2, 29), 1, Unit.YEAR, D(2025, 2, 28), None),
    ],
)
def test_period_end(start: dt.date, amount: int, unit: Unit, last_day: dt.date, rolled_from: dt.date | None) -> None:
    end = period_end(start, amount, unit, WorkCalendar())
    assert (end.last_day, end.rolled_from) == (last_day, rolled_from)
    assert not end.estimated


def test_zero_length_period_is_the_start_day() -> None:
    assert period_end(D(2026, 11, 27), 0, Unit.WORKDAY, WorkCalendar()).last_day == D(2026, 11, 27)


def test_a_2027_date_gives_an_estimate_not_an_error() -> None:
    cal = WorkCalendar()
    end = period_end(D(2026, 12, 28), 7, Unit.DAY, cal)
    assert end.last_day == D(2027, 1, 4)
    assert end.estimated
    assert "预估" in end.caveat() and "2027" in end.caveat()
    # Working days into 2027: 2026-12-31 counts, 2027-01-01 (元旦) is estimated as a day off.
    end = period_end(D(2026, 12, 30), 4, Unit.WORKDAY, cal)
    assert end.last_day == D(2027, 1, 6)
    assert end.estimated
    # Far years still answer.
    assert period_end(D(2031, 9, 30), 10, Unit.WORKDAY, cal).estimated


def test_fallback_chain() -> None:
    national_day = D(2026, 10, 1)
    assert WorkCalendar().info(national_day).source is DaySource.OFFICIAL
    assert not WorkCalendar().is_workday(national_day)
    estimate = WorkCalendar(use_official=False)
    assert estimate.info(national_day).source is DaySource.ESTIMATE
    assert not estimate.is_workday(national_day)
    weekends = WorkCalendar(use_official=False, use_estimate=False)
    info = weekends.info(national_day)
    assert info.source is DaySource.WEEKENDS and info.estimated and info.workday


def test_override_wins() -> None:
    saturday = D(2027, 1, 9)
    cal = WorkCalendar({saturday: True, D(2027, 1, 8): False})
    assert cal.info(saturday).source is DaySource.OVERRIDE
    assert cal.is_workday(saturday)
    assert not cal.is_workday(D(2027, 1, 8))
    # An overridden working Saturday counts in a working-day period.
    assert period_end(D(2027, 1, 7), 1, Unit.WORKDAY, cal).last_day == saturday


def test_official_years() -> None:
    cal = WorkCalendar()
    assert cal.covers_officially(2026)
    assert not cal.covers_officially(2027)
    assert cal.next_workday(D(2026, 9, 30)) == D(2026, 10, 8)


def test_add_months_and_dates() -> None:
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert format_date(D(2026, 1, 5)) == "2026年1月5日"


def test_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="负数"):
        period_end(D(2026, 1, 1), -1, Unit.DAY, WorkCalendar())
