"""Recurring obligations: calendar windows, met, due, missed."""

from __future__ import annotations

import datetime as dt

import pytest

from procedures.model import Catalog, Unit
from procedures.recurring import ObligationState, obligations, window
from tests.flows import matter_from_toml

D = dt.date

MEETINGS = """
[[steps]]
id = "meet"
title = "召开支部委员会"
actor = "党支部"
[steps.timer]
kind = "recurring"
amount = {amount}
unit = "{unit}"
basis = "测试"
confidence = "verified"
rule = "{rule}"

[[steps]]
id = "file"
title = "整理记录归档"
actor = "组织委员"
end = true
"""


@pytest.mark.parametrize(
    ("day", "amount", "unit", "expected"),
    [
        (D(2026, 11, 27), 1, Unit.MONTH, (D(2026, 11, 1), D(2026, 11, 30))),
        (D(2026, 11, 27), 3, Unit.MONTH, (D(2026, 10, 1), D(2026, 12, 31))),
        (D(2026, 2, 3), 3, Unit.MONTH, (D(2026, 1, 1), D(2026, 3, 31))),
        (D(2026, 8, 1), 6, Unit.MONTH, (D(2026, 7, 1), D(2026, 12, 31))),
        (D(2026, 11, 27), 1, Unit.YEAR, (D(2026, 1, 1), D(2026, 12, 31))),
        (D(2026, 11, 27), 1, Unit.WEEK, (D(2026, 11, 23), D(2026, 11, 29))),
    ],
)
def test_windows(day: dt.date, amount: int, unit: Unit, expected: tuple[dt.date, dt.date]) -> None:
    assert window(day, amount, unit) == expected


def _catalog(amount: int, unit: str, rule: str) -> Catalog:
    return Catalog((matter_from_toml(MEETINGS.format(amount=amount, unit=unit, rule=rule)),))


def test_monthly_meetings_met_missed_due() -> None:
    catalog = _catalog(1, "month", "每月召开一次")
    done = {"sample.meet": [D(2026, 9, 10), D(2026, 9, 25)]}
    result = obligations(catalog, done, D(2026, 9, 1), D(2026, 12, 31), today=D(2026, 11, 27))
    states = {o.window_start.month: o.state for o in result}
    assert states == {
        9: ObligationState.MET,
        10: ObligationState.MISSED,
        11: ObligationState.DUE,
        12: ObligationState.UPCOMING,
    }
    assert [o.window_start.month for o in result][:2] == [10, 11], "missed first, then due"
    met = next(o for o in result if o.state is ObligationState.MET)
    assert met.done_on == D(2026, 9, 10)
    assert "已逾期" in result[0].describe()


def test_quarterly_meeting_in_the_quarter_counts() -> None:
    catalog = _catalog(3, "month", "每季度召开一次")
    result = obligations(catalog, {"sample.meet": [D(2026, 10, 2)]}, D(2026, 11, 1), D(2026, 11, 30), D(2026, 11, 27))
    (only,) = result
    assert only.state is ObligationState.MET
    assert (only.window_start, only.window_end) == (D(2026, 10, 1), D(2026, 12, 31))


def test_reversed_period_is_refused() -> None:
    with pytest.raises(ValueError, match="结束日期早于开始日期"):
        obligations(_catalog(1, "year", "每年一次"), {}, D(2026, 2, 1), D(2026, 1, 1), D(2026, 1, 1))


def test_catalog_recurring_rules_cover_three_meetings_one_lesson(catalog: Catalog) -> None:
    rules = {(m.id, t.amount, t.unit) for m in catalog.matters for _, t in m.timers if t.kind.value == "recurring"}
    assert ("zhibu-weiyuanhui", 1, Unit.MONTH) in rules
    assert ("dangxiaozu-huiyi", 1, Unit.MONTH) in rules
    assert ("dangyuan-dahui", 3, Unit.MONTH) in rules
    assert ("zhuti-dangri", 1, Unit.MONTH) in rules


def test_summarise_gives_one_row_per_duty_in_the_villages_order() -> None:
    from procedures.recurring import summarise

    catalog = _catalog(1, "month", "每月召开一次")
    today = D(2026, 11, 27)
    held = {"西村": {"sample.meet": [D(2026, 11, 3)]}, "东村": {}, "北村": {"sample.meet": [D(2026, 10, 9)]}}
    per_village = [
        (village, obligations(catalog, held[village], D(2026, 10, 1), D(2026, 11, 30), today))
        for village in ("北村", "西村", "东村")  # the configured order, not the code points'
    ]
    (row,) = summarise(per_village)
    assert row.pending == ("北村", "东村") and row.missed == ("西村", "东村")
    assert row.state is ObligationState.MISSED and row.window_end == D(2026, 11, 30)
    assert row.describe() == "测试事项 每月 — 待完成：北村、东村；上期已逾期：西村、东村"
