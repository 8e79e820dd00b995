"""Forms never lose work (issue 18 item 1): Esc, F10 and Ctrl+Q leave a form with unsaved
changes only after 保存 / 放弃 / 继续编辑, whose default is 继续编辑, so that an Escape meant
for the input method, then Enter, keeps the work. Pilot at 80×24, reading the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

from store.site import Site
from tests.sites import NOW, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog
from tui.screens.case import CaseScreen
from tui.screens.cases import NewCaseDialog
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.records import MeetingFormScreen, MeetingListScreen, NoticeDetailScreen, ObjectionFormScreen

SIZE = (80, 24)


def current(app: CunwuApp) -> Screen[Any]:
    """The screen on top (a call, so that mypy does not carry an isinstance over the awaits)."""
    return app.screen


async def type_into(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


async def open_meeting_form(pilot: Pilot[None], app: CunwuApp) -> None:
    await pilot.press("m", "n", "1")  # 会议, 新登记, the first village
    await pilot.pause()
    assert isinstance(current(app), MeetingFormScreen)


def asks_to_keep(app: CunwuApp) -> bool:
    shown = screen_text(app)
    return isinstance(current(app), ChoiceDialog) and all(w in shown for w in ("保存", "放弃", "继续编辑", "未保存"))


async def test_esc_in_a_filled_meeting_form_asks_and_esc_enter_keeps_the_form(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting_form(pilot, app)
        await type_into(pilot, app, "#title", "审议村道硬化方案")
        await type_into(pilot, app, "#items", "村道硬化")
        await pilot.press("escape")  # what an input method's cancel may leave behind
        await pilot.pause()
        assert asks_to_keep(app)
        assert "> [ 继续编辑 ]" in visible_text(app), "the default answer is marked, not only coloured"
        await pilot.press("enter")  # the default: 继续编辑
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen)
        assert app.screen.query_one("#title").value == "审议村道硬化方案"  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")  # a second stray Escape answers 继续编辑 too
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen)
        assert "村道硬化" in visible_text(app)  # the field being typed in, as visible_text
        await pilot.press("escape", "up", "enter")  # 放弃, chosen on purpose
        await pilot.pause()
        assert isinstance(current(app), MeetingListScreen)
    assert site.meetings.find() == []


async def test_esc_in_a_form_without_changes_leaves_at_once(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting_form(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(current(app), MeetingListScreen)


async def test_save_from_the_question_checks_first_and_a_refusal_keeps_the_form(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting_form(pilot, app)
        await type_into(pilot, app, "#title", "未选类别的会议")
        await pilot.press("escape", "up", "up", "enter")  # 保存: the kind is missing
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen)
        assert app.screen.query_one("#title").value == "未选类别的会议"  # type: ignore[attr-defined]
    assert site.meetings.find() == []


async def test_f10_with_a_dirty_form_asks_and_keeps_it(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting_form(pilot, app)
        await type_into(pilot, app, "#title", "审议村道硬化方案")
        await pilot.press("f10")
        await pilot.pause()
        assert asks_to_keep(app) and "登记会议记录" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen) and app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen) and app.return_code is None
        await pilot.press("f10", "up", "enter")  # 放弃, then the app ends
        await pilot.pause()
        assert app.return_code == 0


async def test_f10_without_changes_quits_at_once(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_meeting_form(pilot, app)
        await pilot.press("f10")
        await pilot.pause()
        assert app.return_code == 0


async def test_quitting_with_save_stores_the_objection_then_ends(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    walk_to(site, number, "publicize")
    notice = str(post_notice(site, number)["number"])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(NoticeDetailScreen(notice))
        await pilot.pause()
        await pilot.press("f7")  # 登记异议
        await pilot.pause()
        assert isinstance(current(app), ObjectionFormScreen)
        await type_into(pilot, app, "#from", "王某")
        await type_into(pilot, app, "#content", "收入未如实申报")
        await pilot.press("f10")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("up", "up", "enter")  # 保存
        await pilot.pause()
        assert app.return_code == 0
    [objection] = site.notices.get(notice)["objections"]
    assert (objection["from"], objection["content"]) == ("王某", "收入未如实申报")


async def test_unsaved_ticks_on_the_case_screen_are_asked_about(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    walk_to(site, number, "accept")
    app = make(tmp_path / "data", Clock())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "enter")
        await pilot.pause()
        assert isinstance(current(app), CaseScreen)
        await pilot.press("space")  # tick, not saved
        await pilot.press("escape")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), CaseScreen) and "[√] 核对申请材料是否齐全" in visible_text(app)
        await pilot.press("escape", "up", "up", "enter")  # 保存: the ticks are kept, then back
        await pilot.pause()
        assert not isinstance(current(app), CaseScreen)
    assert site.cases.get(number).record["progress"]["checklist"] == ["核对申请材料是否齐全"]


async def test_the_new_case_dialog_asks_before_dropping_a_typed_subject(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(current(app), NewCaseDialog)
        await pilot.press("escape")  # nothing typed: it closes
        await pilot.pause()
        assert isinstance(current(app), HomeScreen)
        await pilot.press("n", *"dbsq")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), NewCaseDialog) and "城乡低保" in screen_text(app)
    assert site.cases.find() == []


async def test_a_typed_reason_is_not_dropped_by_one_escape(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    answers: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TextDialog("追加更正说明", "写明更正的内容："), answers.append)
        await pilot.pause()
        await pilot.press(*"缺席人员应为赵某某", "escape")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), TextDialog) and answers == []
        await pilot.press("escape", "up", "up", "enter")  # 保存 = the answer, as Enter would give it
        await pilot.pause()
    assert answers == ["缺席人员应为赵某某"]


async def test_help_promises_only_what_is_true(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(current(app), HelpScreen)
        shown = screen_text(app)
        assert "已保存的内容不会丢失" not in shown
        assert "退出程序（有未保存的内容时先询问：保存、放弃或继续编辑）" in shown


async def test_quitting_the_first_run_with_a_typed_township_asks_and_save_sets_up(tmp_path: Path) -> None:
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"沁河镇", "enter", *"城关村", "enter", *"王文书")
        await pilot.press("f10")
        await pilot.pause()
        assert asks_to_keep(app)
        await pilot.press("enter")  # 继续编辑
        await pilot.pause()
        assert app.return_code is None and "沁河镇" in visible_text(app)
        await pilot.press("f10", "up", "up", "enter")  # 保存, then the app ends
        await pilot.pause()
        assert app.return_code == 0
    assert Site(tmp_path / "data", environ={}).settings.villages == ("城关村",)


async def test_save_from_the_question_saves_and_goes_back(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    walk_to(site, number, "publicize")
    notice = str(post_notice(site, number)["number"])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(NoticeDetailScreen(notice))
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, app, "#from", "王某")
        await type_into(pilot, app, "#content", "收入未如实申报")
        await pilot.press("escape")
        await pilot.pause()
        assert "“登记异议 · " in screen_text(app)  # the question names the form
        await pilot.press("up", "up", "enter")  # 保存
        await pilot.pause()
        assert isinstance(current(app), NoticeDetailScreen)
        assert "王某：收入未如实申报" in screen_text(app)
    assert len(site.notices.get(notice)["objections"]) == 1


async def test_the_first_run_footer_offers_save_and_quit(tmp_path: Path) -> None:
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = visible_text(app).splitlines()[-1]
        assert "F2/^S 保存" in footer and "F10 退出" in footer and "返回" not in footer, footer
