"""The flow engine: start, choices, advance, timers; every path of every matter can be walked."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from procedures import engine
from procedures.engine import CaseStatus, FlowError, TimerState, TooEarly
from procedures.model import Catalog, Matter
from procedures.workdays import WorkCalendar
from tests.flows import builtin, edge_walks, matter_from_toml, paths

D = dt.date


def advance_to(matter: Matter, step_id: str, day: dt.date, cal: WorkCalendar) -> engine.CaseState:
    state = engine.start(matter, day)
    while state.current != step_id:
        state = engine.advance(matter, state, day, cal)
    return state


def test_dibao_notice_cannot_close_on_day_six_or_on_its_last_day(cal: WorkCalendar) -> None:
    dibao = builtin("dibao")
    posted = D(2026, 11, 27)
    state = advance_to(dibao, "publicize", posted, cal)
    assert state.current_since == posted
    for day in (D(2026, 12, 3), D(2026, 12, 4)):  # the 7th day runs to 24:00
        with pytest.raises(TooEarly) as refused:
            engine.advance(dibao, state, day, cal, "无异议")
        message = str(refused.value)
        assert "公示7日" in message and "期间到2026年12月4日当日结束，2026年12月5日起方可完成" in message
    done = engine.advance(dibao, state, D(2026, 12, 5), cal, "无异议")
    assert done.current == "report"
    assert done.history[-1].outcome == "无异议" and done.history[-1].forced_reason == ""
    closed = engine.advance(dibao, done, D(2026, 12, 5), cal)
    assert closed.status is CaseStatus.DONE and closed.current == ""


def test_forcing_an_early_close_needs_and_records_a_reason(cal: WorkCalendar) -> None:
    dibao = builtin("dibao")
    state = advance_to(dibao, "publicize", D(2026, 11, 27), cal)
    with pytest.raises(TooEarly):
        engine.advance(dibao, state, D(2026, 12, 1), cal, "无异议", force_reason="   ")
    forced = engine.advance(dibao, state, D(2026, 12, 1), cal, "无异议", force_reason="乡镇要求提前上报")
    assert forced.history[-1].forced_reason == "乡镇要求提前上报"


def test_objection_branch_can_stop_the_case(cal: WorkCalendar) -> None:
    dibao = builtin("dibao")
    state = advance_to(dibao, "publicize", D(2026, 11, 27), cal)
    state = engine.advance(dibao, state, D(2026, 12, 5), cal, "有异议")
    assert [c.label for c in engine.choices(dibao, state)] == ["异议不成立", "异议成立"]
    state = engine.advance(dibao, state, D(2026, 12, 5), cal, "异议成立")
    state = engine.advance(dibao, state, D(2026, 12, 5), cal)
    assert state.status is CaseStatus.STOPPED
    with pytest.raises(FlowError, match="已终止"):
        engine.advance(dibao, state, D(2026, 12, 6), cal)


def test_notice_timer_counts_down(cal: WorkCalendar) -> None:
    dibao = builtin("dibao")
    state = advance_to(dibao, "publicize", D(2026, 11, 27), cal)
    (status,) = engine.running_timers(dibao, state, D(2026, 11, 30), cal)
    assert status.state is TimerState.WAITING and status.days_left == 4
    assert status.describe() == "公示7日：剩 4 天，12月4日期满，12月5日起可完成"
    (status,) = engine.running_timers(dibao, state, D(2026, 12, 4), cal)
    assert status.state is TimerState.WAITING and status.due == D(2026, 12, 5)
    assert status.describe() == "公示7日：今天期满，12月5日起可完成"
    (status,) = engine.running_timers(dibao, state, D(2026, 12, 5), cal)
    assert status.state is TimerState.READY


DEADLINES = """
[[steps]]
id = "receive"
title = "接待"
actor = "村（居）委会"

[[steps]]
id = "forward"
title = "转办"
actor = "村（居）委会"
[steps.timer]
kind = "deadline"
amount = 3
unit = "day"
basis = "测试"
confidence = "document"
rule = "三日内转办"

[[steps]]
id = "probation"
title = "预备期满讨论转正"
actor = "党支部"
[steps.timer]
kind = "min_wait"
amount = 1
unit = "year"
from = "receive"
basis = "测试"
confidence = "verified"
rule = "预备期一年"
[[steps.outcomes]]
label = "按期转正"
goto = "done"
[[steps.outcomes]]
label = "重新转办"
goto = "forward"

[[steps]]
id = "done"
title = "归档"
actor = "党支部"
end = true
"""


def test_deadline_turns_overdue_and_later_timers_run_from_their_start_step(cal: WorkCalendar) -> None:
    matter = matter_from_toml(DEADLINES)
    state = engine.start(matter, D(2026, 11, 20))
    state = engine.advance(matter, state, D(2026, 11, 27), cal)  # receive done on Friday 27th
    timers = {t.step.id: t for t in engine.running_timers(matter, state, D(2026, 11, 30), cal)}
    assert timers["forward"].state is TimerState.RUNNING and timers["forward"].days_left == 0
    assert timers["forward"].describe() == "三日内转办：今天到期，11月30日前完成"
    # The probation year counts from the receive step even before its own step is reached.
    assert timers["probation"].end.last_day == D(2027, 11, 29)  # 2027-11-27 is a Saturday
    assert timers["probation"].end.estimated
    late = {t.step.id: t for t in engine.running_timers(matter, state, D(2026, 12, 2), cal)}
    assert late["forward"].state is TimerState.OVERDUE
    assert late["forward"].describe().startswith("三日内转办：已超期 2 天")


def test_loop_restarts_the_step_timer(cal: WorkCalendar) -> None:
    matter = matter_from_toml(DEADLINES)
    state = engine.start(matter, D(2025, 1, 6))
    state = engine.advance(matter, state, D(2025, 1, 6), cal)
    state = engine.advance(matter, state, D(2025, 1, 7), cal)
    with pytest.raises(TooEarly):
        engine.advance(matter, state, D(2025, 12, 1), cal, "按期转正")
    state = engine.advance(matter, state, D(2026, 1, 7), cal, "重新转办")
    assert state.current == "forward" and state.current_since == D(2026, 1, 7)
    (timer,) = (t for t in engine.running_timers(matter, state, D(2026, 1, 7), cal) if t.step.id == "forward")
    assert timer.end.last_day == D(2026, 1, 12)


def test_bad_requests_are_refused_in_chinese(cal: WorkCalendar) -> None:
    dibao = builtin("dibao")
    state = advance_to(dibao, "publicize", D(2026, 11, 27), cal)
    with pytest.raises(FlowError, match="请选择办理结果：无异议、有异议"):
        engine.advance(dibao, state, D(2026, 12, 4), cal)
    with pytest.raises(FlowError, match="不是本步骤的选项"):
        engine.advance(dibao, state, D(2026, 12, 4), cal, "通过")
    with pytest.raises(FlowError, match="早于本步骤开始日期"):
        engine.advance(dibao, state, D(2026, 11, 26), cal, "无异议")
    other = matter_from_toml(DEADLINES)
    with pytest.raises(FlowError, match="办件属于事项"):
        engine.advance(other, state, D(2026, 12, 4), cal)


def test_every_path_of_every_matter_can_be_walked(catalog: Catalog, cal: WorkCalendar) -> None:
    walked = 0
    for matter in catalog.matters:
        taken: set[tuple[str, str]] = set()
        for trail in itertools.chain(paths(matter), edge_walks(matter)):
            taken |= set(trail)
            day = D(2026, 1, 5)
            state = engine.start(matter, day)
            for step_id, label in trail:
                assert state.current == step_id, f"{matter.id}: expected {step_id}, at {state.current}"
                # Jump past any waiting period; every min_wait in the data is shorter than two years.
                end = engine.earliest_finish(matter, state, cal)
                if end is not None:
                    day = max(day, end.free_from)
                state = engine.advance(matter, state, day, cal, label)
                walked += 1
            assert state.status in (CaseStatus.DONE, CaseStatus.STOPPED), matter.id
        outcomes = {(s.id, o.label) for s in matter.steps for o in s.outcomes}
        assert outcomes <= taken, f"{matter.id}: outcomes never walked: {outcomes - taken}"
    assert walked > 57 * 3


def test_path_enumeration_walks_loops() -> None:
    matter = matter_from_toml(DEADLINES)
    walks = [[step for step, _ in trail] for trail in paths(matter)]
    assert ["receive", "forward", "probation", "forward", "probation", "done"] in walks
    assert ["receive", "forward", "probation", "done"] in walks
