"""The case list, the new-case dialog and the case screen: Pilot at 80×24 with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Select, SelectionList

from store.errors import Needed, NeedsRecord, Refused, TooEarly
from tests.sites import NOW, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make, screen_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog
from tui.screens.case import CaseScreen
from tui.screens.cases import CaseListScreen, NewCaseDialog
from tui.screens.home import HomeScreen
from tui.screens.records import ObjectionFormScreen, SealFormScreen

SIZE = (80, 24)


def showing(app: CunwuApp, kind: type) -> bool:
    """The current screen is a ``kind`` (a call, so the type checker does not narrow across awaits)."""
    return isinstance(app.screen, kind)


def ticked(app: CunwuApp) -> list[str]:
    """What the case screen's checklist shows ticked."""
    return list(app.screen.query_one("#checklist", SelectionList).selected)


DAY0 = dt.date(2026, 11, 27)
COMPLETE = ("f6", "down", "enter")
"""完成本步, then 完成本步 in the question (whose default is 取消)."""


async def test_new_case_dialog_opens_a_dibao_case_and_shows_the_subject_literally(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert showing(app, NewCaseDialog)
        await pilot.press("f2")
        await pilot.pause()
        assert showing(app, NewCaseDialog), "nothing is saved without a village and a subject"
        await pilot.press(*"dbsq")
        await pilot.pause()
        assert "事项：救助救灾（城乡低保申请审核和确认）" in screen_text(app)
        await pilot.press("enter")  # the matter found; on to the village
        await pilot.pause()
        village = app.screen.query_one("#village", Select)
        assert app.focused is village
        await pilot.press("enter", "down", "enter")  # open the list, pick 城关村
        await pilot.pause()
        assert village.value == "城关村"
        await pilot.press("tab", *"[bold]王某[/]", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        shown = screen_text(app)
        assert "事由：[bold]王某[/]" in shown
        assert "[>] 1. 个人申请" in shown and "[ ] 5. 公示7日" in shown
    cases = app.site.cases.find(matter="dibao")
    assert [(c.village, c.subject, c.record["current"]) for c in cases] == [("城关村", "[bold]王某[/]", "apply")]


async def test_the_notice_step_refuses_before_day_seven_then_completes(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某申请低保").number
    clock = Clock(DAY0)
    app = make(tmp_path / "data", clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")  # 办件 list
        await pilot.pause()
        assert showing(app, CaseListScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        # Tick the first material and save it without completing the step.
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        assert app.site.cases.get(number).record["progress"]["materials"] == ["低保申请书"]
        await pilot.press(*COMPLETE)  # 个人申请
        await pilot.pause()
        await pilot.press("space", *COMPLETE)  # 受理: a tick not yet saved goes with the completion
        await pilot.pause()
        await pilot.press(*COMPLETE)  # 入户调查
        await pilot.pause()
        await pilot.press("f6", "enter")  # 民主评议 asks for its minutes first
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingFormScreen"
        fields = {"kind": "村民代表会议", "title": "民主评议（李某）", "start": "2026-11-27 09:00"}
        app.screen.dismiss(app.site.meetings.new(app.site.operator, NOW, "城关村", fields)["number"])
        await pilot.pause()
        await pilot.press(*COMPLETE)
        await pilot.pause()
        case = app.site.cases.get(number)
        assert case.record["current"] == "publicize"
        assert case.record["history"][0]["materials"] == ["低保申请书"]
        assert case.record["history"][1]["checklist"] == ["核对申请材料是否齐全"]
        assert case.record["history"][2]["checklist"] == []
        assert "[√] 4. 民主评议" in screen_text(app) and "[>] 5. 公示7日" in screen_text(app)
        assert "[未登记公示]" in screen_text(app)

        post_notice(app.site, number, DAY0)  # the notice form belongs to another screen
        await pilot.press("f5")
        await pilot.pause()
        assert "已登记" in screen_text(app)

        clock.to(DAY0 + dt.timedelta(days=7))  # the last day runs to 24:00
        await pilot.press("f6")
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        assert "无异议" in screen_text(app) and "有异议" in screen_text(app)
        await pilot.press("1", "down", "enter")  # 无异议, then 完成本步
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        refusal = screen_text(app)
        assert "公示7日" in refusal and "2026年12月5日起方可完成" in refusal
        assert "填写理由强制完成" in refusal and "cunwu" not in refusal
        await pilot.press("1")  # 返回
        await pilot.pause()
        assert showing(app, CaseScreen)
        unchanged = app.site.cases.get(number)
        assert unchanged.record["current"] == "publicize" and unchanged.rev == app.site.cases.get(number).rev
        assert len(unchanged.record["history"]) == 4

        clock.to(DAY0 + dt.timedelta(days=8))
        await pilot.press("f6", "1", "down", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        case = app.site.cases.get(number)
        assert case.record["current"] == "report"
        assert case.record["history"][-1]["outcome"] == "无异议"
        assert case.record["history"][-1]["forced_reason"] == ""
        shown = screen_text(app)
        assert "[>] 8. 上报乡（镇）人民政府" in shown
        assert "第8步 上报乡（镇）人民政府" in shown


async def test_forcing_an_early_notice_asks_for_a_reason(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "赵某").number
    walk_to(site, number, "publicize")
    post_notice(site, number, DAY0)
    app = make(tmp_path / "data", Clock(DAY0 + dt.timedelta(days=2)))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        assert "公示7日：剩 5 天，12月4日期满，12月5日起可完成" in screen_text(app)
        await pilot.press("f6", "1", "down", "enter", "2")  # 无异议, 完成本步, then 填写理由强制完成
        await pilot.pause()
        assert showing(app, TextDialog)
        await pilot.press(*"乡镇要求提前上报", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
    entry = app.site.cases.get(number).record["history"][-1]
    assert (entry["step_id"], entry["forced_reason"]) == ("publicize", "乡镇要求提前上报")


async def test_meeting_is_attached_and_a_missing_notice_opens_the_notice_form(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "孙某").number
    walk_to(site, number, "appraise")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f7")  # 登记: this step's minutes
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingFormScreen"
        fields = {"kind": "村民代表会议", "title": "民主评议（孙某）", "start": "2026-11-27 09:00"}
        meeting = app.site.meetings.new(app.site.operator, NOW, "城关村", fields)["number"]
        app.screen.dismiss(meeting)  # as the form does when saved
        await pilot.pause()
        assert f"待关联会议记录 {meeting}" in screen_text(app)
        await pilot.press(*COMPLETE)
        await pilot.pause()
        assert app.site.cases.get(number).record["history"][-1]["records"] == [meeting]

        await pilot.press("f6", "1", "down", "enter")  # 无异议, but no notice is posted yet
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        assert "须先登记公示" in screen_text(app) and "cunwu" not in screen_text(app)
        await pilot.press("1")  # 登记公示
        await pilot.pause()
        assert type(app.screen).__name__ == "NoticeFormScreen"
        await pilot.press("f2")
        await pilot.pause()
        assert showing(app, CaseScreen)
        notice = app.site.cases.get(number).record["progress"]["notice"]
        assert notice and f"形成公示：{notice} 已登记" in screen_text(app)


async def test_another_users_save_shows_and_a_stale_save_is_a_conflict(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    walk_to(site, number, "accept")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        assert ticked(app) == []
        other = site.cases.get(number)
        site.cases.save_progress(site.operator, NOW, number, other.rev, ["核对申请材料是否齐全"])
        app.watch_store()  # what the app's 3-second check does
        await pilot.pause()
        assert ticked(app) == ["核对申请材料是否齐全"]
        checklist = app.screen.query_one("#checklist", SelectionList)
        lines = [checklist.render_line(y).text for y in range(2)]
        assert lines[0].startswith("[√] 核对") and lines[1].startswith("[ ] 登记"), "ticks in words, not colour"

        await pilot.press("down", "space")  # tick 登记受理 here, unsaved
        other = site.cases.get(number)
        site.cases.save_progress(site.operator, NOW, number, other.rev, [], note="另一人的备注")
        app.watch_store()
        await pilot.pause()
        assert "[已被他人修改]" in screen_text(app)
        assert ticked(app) == ["核对申请材料是否齐全", "登记受理"], "the unsaved tick is kept"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "保存冲突" in screen_text(app) and "按 F5/^R 重新读取最新内容" in screen_text(app)
        assert "cunwu" not in screen_text(app)
    assert site.cases.get(number).record["progress"]["note"] == "另一人的备注"


async def test_case_list_puts_overdue_first_and_filters(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    quiet = site.cases.open(site.operator, NOW, "dibao", "南石村", "低保申请").number
    late = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某来访").number
    walk_to(site, late, "transfer", choose={"entry": "接待"})
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 2)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert len(rows) == 2 and late in rows[0] and "[已超期]" in rows[0] and quiet in rows[1]
        app.screen.query_one("#overdue").toggle()  # type: ignore[attr-defined]
        await pilot.pause()
        assert table.row_count == 1 and late in str(table.get_row_at(0)[0])
        app.screen.query_one("#overdue").toggle()  # type: ignore[attr-defined]
        app.screen.query_one("#village", Select).value = "南石村"
        await pilot.pause()
        assert table.row_count == 1 and quiet in str(table.get_row_at(0)[0])


async def test_the_case_list_names_a_village_whose_file_is_damaged_and_lists_the_others(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    other = site.cases.open(site.operator, NOW, "dibao", "南石村", "低保申请").number
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert "已损坏" not in screen_text(app)
        (tmp_path / "data" / "cases" / "城关村" / "2026.json").write_bytes(b"{")
        app.screen.refresh_data()  # type: ignore[attr-defined]
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and other in str(table.get_row_at(0)[0])
        assert "城关村的数据文件已损坏" in screen_text(app)


async def test_escape_goes_back_from_the_dialog_the_list_and_the_case(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7", *"dbsq")
        await pilot.pause()
        assert showing(app, NewCaseDialog)
        await pilot.press("escape")  # something was typed: it asks first
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        await pilot.press("up", "enter")  # 放弃
        await pilot.pause()
        assert showing(app, HomeScreen)
        await pilot.press("b", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        for expected in (CaseListScreen, HomeScreen):
            await pilot.press("escape")
            await pilot.pause()
            assert showing(app, expected)
    assert len(app.site.cases.all()) == 1, "escaping the dialog opened nothing"


async def test_an_objection_outcome_without_an_objection_offers_to_register_one(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "钱某").number
    walk_to(site, number, "publicize")
    post_notice(site, number, DAY0)
    app = make(tmp_path / "data", Clock(DAY0 + dt.timedelta(days=7)))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f6", "2", "down", "enter")  # 有异议, but none is registered
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        shown = screen_text(app)
        assert "没有登记异议" in shown and "1. 登记异议" in shown and "2. 返回" in shown and "cunwu" not in shown
        await pilot.press("1")
        await pilot.pause()
        assert showing(app, ObjectionFormScreen)
    assert app.site.cases.get(number).record["current"] == "publicize"


async def test_a_stamping_step_without_its_seal_use_offers_the_seal_form(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具党员证明").number
    walk_to(site, number, "stamp", choose={"apply": "一般党建常规业务资料", "secretary-review": "同意用印"})
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press(*COMPLETE)
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        shown = screen_text(app)
        assert "须先登记用印" in shown and "1. 登记用印" in shown and "cunwu" not in shown
        await pilot.press("1")
        await pilot.pause()
        assert showing(app, SealFormScreen)
    assert app.site.cases.get(number).record["current"] == "stamp"


async def test_a_refusal_with_nothing_to_offer_is_only_explained(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "吴某").number
    walk_to(site, number, "publicize")
    notice = post_notice(site, number, DAY0)
    site.notices.object(site.operator, NOW, str(notice["number"]), DAY0, "李某", "有经营收入")
    app = make(tmp_path / "data", Clock(DAY0 + dt.timedelta(days=7)))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f6", "1", "down", "enter")  # 无异议, with an objection on file
        await pilot.pause()
        assert showing(app, MessageDialog)
        shown = screen_text(app)
        assert "收到 1 条异议，不能选择“无异议”" in shown and "强制完成" not in shown and "登记" not in shown


async def test_the_case_screen_decides_by_the_refusals_type_never_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain refusal that happens to say 方可完成 offers no forcing; a TooEarly or NeedsRecord
    whose words say nothing of the kind still offers what its type asks for."""
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "郑某").number
    app = make(tmp_path / "data", Clock(DAY0))
    refusals: list[Refused] = [
        Refused("乡镇要求：2026年12月4日起方可完成；须先登记公示；须登记用印；请先登记异议。"),
        TooEarly(
            "暂不能完成。",
            case=number,
            step_id="apply",
            step_title="个人申请",
            earliest=DAY0,
            rule="不少于7日",
            outcome="完成",
        ),
        NeedsRecord(
            "还差一份记录。", needed=Needed.SEAL, case=number, village="城关村", step_id="apply", step_title="个人申请"
        ),
    ]

    def refuse(*args: object, **kwargs: object) -> None:
        raise refusals.pop(0)

    monkeypatch.setattr(app.site.cases, "complete_step", refuse)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press(*COMPLETE)
        await pilot.pause()
        assert showing(app, MessageDialog), "words alone offer nothing"
        shown = screen_text(app)
        assert "乡镇要求：2026年12月4日起方可完成" in shown
        assert "2. 填写理由强制完成" not in shown and "1. 登记公示" not in shown and "1. 登记用印" not in shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(*COMPLETE)
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        assert "暂不能完成。" in screen_text(app) and "2. 填写理由强制完成" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(*COMPLETE)
        await pilot.pause()
        assert showing(app, ChoiceDialog)
        assert "还差一份记录。" in screen_text(app) and "1. 登记用印" in screen_text(app)
    assert refusals == []
