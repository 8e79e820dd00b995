"""我的工作 (``store.worklist``), what home and ``cunwu due`` list: one row per recurring duty for
all the villages in the configured order, the villages' own duties only, a 公示 whose days have
run stays listed until its step is completed, open cases with no time limit are listed too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from procedures.recurring import ObligationState, village_duty
from procedures.search import SYNONYMS, initials_of
from store.site import Site
from store.worklist import STATE_LABELS, work_list
from tests.sites import ADMIN_NAME, NOW, at, post_notice, walk_to

D = dt.date
# Configured order; by code point 东 < 南 < 城, so a sort by name would reverse it.
VILLAGES = ["城关村", "南石村", "东村"]
MONTHLY = {"dangfei.pay", "zhibu-weiyuanhui.resolve", "dangxiaozu-huiyi.resolve", "zhuti-dangri.activity"}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path / "data", environ={})
    site.init(NOW, "沁河镇", VILLAGES, my_name=ADMIN_NAME)
    return site


def committee(day: dt.date, village: str, site: Site) -> None:
    """A 支委会 held in ``village`` on ``day`` (it meets the monthly 支部委员会 duty)."""
    fields = {"kind": "支委会", "title": "支委会", "start": f"{day.isoformat()} 09:00", "host": "李书记"}
    fields |= {"recorder": "王文书", "expected": 5, "present": 4, "items": [{"title": "工作安排"}]}
    site.meetings.new(site.operator, at(day), village, fields)


def test_one_row_per_duty_for_all_villages_in_the_configured_order(site: Site) -> None:
    work = work_list(site, NOW.date())
    # Day one (27 November): this month's duties, each once for the three villages, not 3 × 4 rows.
    assert {d.key for d in work.duties} == MONTHLY
    assert all(d.pending == tuple(VILLAGES) for d in work.duties)
    branch = next(d for d in work.duties if d.key == "zhibu-weiyuanhui.resolve")
    assert branch.describe() == "支部委员会 每月 — 待完成：城关村、南石村、东村"
    assert branch.window_end == D(2026, 11, 30) and branch.state is ObligationState.DUE
    # A village that held its 支委会 is no longer listed; the others keep their order.
    committee(D(2026, 11, 27), "南石村", site)
    branch = next(d for d in work_list(site, NOW.date()).duties if d.key == "zhibu-weiyuanhui.resolve")
    assert branch.pending == ("城关村", "东村")


def test_a_missed_window_is_on_the_duty_s_row(site: Site) -> None:
    committee(D(2026, 12, 3), "城关村", site)
    work = work_list(site, D(2027, 1, 4))
    rows = [d for d in work.duties if d.key == "zhibu-weiyuanhui.resolve"]
    assert len(rows) == 1, "one row per duty, with the missed villages on it"
    (row,) = rows
    assert row.state is ObligationState.MISSED and row.missed == ("南石村", "东村")
    assert row.pending == tuple(VILLAGES)
    assert row.describe() == "支部委员会 每月 — 待完成：城关村、南石村、东村；上期已逾期：南石村、东村"
    assert work.duties[0].state is ObligationState.MISSED, "missed duties first"


def test_only_the_previous_window_counts_as_missed(site: Site) -> None:
    committee(D(2026, 12, 3), "城关村", site)
    for village in VILLAGES:
        committee(D(2027, 1, 10), village, site)
    (row,) = [d for d in work_list(site, D(2027, 2, 10)).duties if d.key == "zhibu-weiyuanhui.resolve"]
    assert row.missed == () and row.state is ObligationState.DUE, "December's miss is not 上期 in February"
    assert not [i for i in site.due(D(2027, 2, 10), 0) if i.state == "missed" and i.matter_id == "zhibu-weiyuanhui"]


def test_township_and_county_duties_are_no_village_s_duty(site: Site) -> None:
    theirs = {"dangfei.self-check", "dangfei.county-check", "shuzhi-pingyi.report-meeting"}
    theirs.add("houbei-ganbu-peiyang.training")
    december = work_list(site, D(2026, 12, 2))
    keys = {d.key for d in december.duties}
    assert keys and not keys & theirs and all(village_duty(d.step) for d in december.duties)
    assert "dangfei.publicize" in keys, "the 支部's own yearly duty of the same matter is listed"
    due = {f"{i.matter_id}.{i.step_id}" for i in site.due(D(2026, 12, 2), within=30) if i.kind == "recurring"}
    assert due == keys and not due & theirs
    scheduled = {f"{r['matter_id']}.{r['step_id']}" for r in site.schedule(D(2026, 12, 2))}
    assert not scheduled & theirs


def test_a_notice_whose_days_have_run_stays_listed_until_its_step_is_completed(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "南石村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    post_notice(site, number)  # 27 November: 7 days, may be completed from 5 December
    for day, state in ((D(2026, 12, 2), "waiting"), (D(2026, 12, 5), "ready"), (D(2026, 12, 20), "ready")):
        listed = [i for i in work_list(site, day).cases if i.number == number]
        assert [(i.state, i.due) for i in listed] == [(state, D(2026, 12, 5))], day
        assert [i.state for i in site.due(day, within=0) if i.number == number] == ([state] if state == "ready" else [])
    assert STATE_LABELS["ready"] == "可完成"
    site.cases.complete_step(site.operator, at(D(2026, 12, 20)), number, "无异议")
    assert not [i for i in work_list(site, D(2026, 12, 20)).cases if i.number == number]


def test_an_open_case_with_no_time_limit_is_listed(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "xinfang", "东村", "张某来访").number
    work = work_list(site, NOW.date())
    assert not [i for i in work.cases if i.number == number], "no time limit runs at 选择入口"
    (listed,) = [c for c in work.undated if c.number == number]
    assert listed.since == NOW.date() and listed.describe() == f"{number} 张某来访：解决群众来信来访问题·选择入口"
    assert "无时限 1" in work.counts()


def test_meeting_drafts_are_listed_to_finish(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")  # the 民主评议 step left its minutes as a draft
    (draft,) = work_list(site, NOW.date()).drafts
    assert draft.case == number and draft.village == "城关村"
    assert draft.describe().endswith("：补全后确认")


def test_the_case_items_of_one_day_follow_the_configured_village_order(site: Site) -> None:
    numbers = {}
    for village in reversed(VILLAGES):
        numbers[village] = site.cases.open(site.operator, NOW, "xinfang", village, "来访").number
        walk_to(site, numbers[village], "transfer", choose={"entry": "接待"})
    overdue = [i.village for i in work_list(site, D(2026, 12, 2)).cases]
    assert overdue == VILLAGES


def test_how_a_duty_is_marked_done_is_said(site: Site) -> None:
    duties = {d.key: d for d in work_list(site, D(2026, 12, 2)).duties}
    meeting = duties["zhibu-weiyuanhui.resolve"].how_done()
    assert "“支委会”会议记录" in meeting and "12月1日—12月31日" in meeting
    case = duties["cunwu-gongkai.plan"].how_done()
    assert "“村务公开”的办件" in case and "这一步" in case


def test_the_command_line_lists_a_duty_once_in_home_s_words(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tui import cli_common
    from tui.cli import app

    monkeypatch.setenv("CUNWU_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(cli_common, "now", lambda: at(D(2026, 11, 27)))
    result = CliRunner().invoke(app, ["due"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("[")]
    assert len(lines) == 4, "one line per duty, not one per village and duty"
    assert "[待完成] 2026-11-30 周期性工作 支部委员会 每月 — 待完成：城关村、南石村、东村" in lines
    assert result.output.splitlines()[-1] == "11月27日共计：周期性工作待完成 4 项。"


@pytest.mark.parametrize("synonym", SYNONYMS, ids=lambda s: s.word)
def test_the_synonyms_initials_are_their_pinyin(synonym: object) -> None:
    from procedures.search import Synonym

    assert isinstance(synonym, Synonym)
    letters = initials_of(synonym.word)
    assert len(letters) == len(synonym.initials)
    assert all(letter in options for letter, options in zip(synonym.initials, letters, strict=True))
    assert synonym.why
