"""Undo on the case screen, at 80×24: 重开上一步 through its dialog (default 取消), 撤回/终止,
更正事由 — read off the screen; the keys come from the one command registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from procedures.engine import CaseStatus
from tests.accounts import SUPERVISOR, env, register
from tests.sites import NOW, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.commands import SCREENS
from tui.dialogs import MessageDialog
from tui.screens.case import CaseScreen
from tui.screens.case_undo import ReasonDialog, SubjectDialog

SIZE = (80, 24)
DAY0 = dt.date(2026, 11, 27)


def key(command: str) -> str:
    """The first key of a case-screen command, as the registry binds it."""
    return next(c.keys.split(",")[0] for c in SCREENS["case"] if c.id == command)


def showing(app: CunwuApp, kind: type) -> bool:
    return isinstance(app.screen, kind)


async def test_reopen_through_the_dialog_whose_default_is_cancel(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "survey")  # 个人申请, 受理 done
    rev = site.cases.get(number).rev
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CaseScreen(number))
        await pilot.pause()
        assert "[>] 3. 入户调查" in screen_text(app)

        await pilot.press(key("reopen"))
        await pilot.pause()
        assert showing(app, ReasonDialog)
        shown = screen_text(app)
        assert "重开第2步“村（居）委会受理”：撤销办理结果“完成”" in shown
        assert "不能撤销" in shown and "[ 取消 ]" in shown and "[ 确认重开 ]" in shown
        assert "> [ 取消 ]" in visible_text(app), "the default, marked"
        await pilot.press(*"受理时漏核材料", "enter", "enter")  # Enter, Enter: the default is 取消
        await pilot.pause()
        assert showing(app, CaseScreen)
        assert app.site.cases.get(number).rev == rev, "cancelled: nothing changed"

        await pilot.press(key("reopen"))
        await pilot.pause()
        await pilot.press("tab", "down", "enter")  # 确认重开 chosen without a reason
        await pilot.pause()
        assert showing(app, ReasonDialog), "no reason: not taken"
        assert app.focused is app.screen.query_one("#reason"), "back to the reason"
        await pilot.press("enter")  # Enter with no reason: 取消
        await pilot.pause()
        assert showing(app, CaseScreen)

        await pilot.press(key("reopen"))
        await pilot.pause()
        await pilot.press(*"受理时漏核材料", "enter", "down", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        shown = screen_text(app)
        assert "[>] 2. 村（居）委会受理" in shown and "[ ] 3. 入户调查" in shown
        assert "更正记录：" in shown and "理由：受理时漏核材料" in shown
    case = app.site.cases.get(number)
    assert case.record["current"] == "accept" and case.amendments[-1]["reason"] == "受理时漏核材料"


async def test_reopen_refused_says_what_is_recorded(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    post_notice(site, number)
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CaseScreen(number))
        await pilot.pause()
        await pilot.press(key("reopen"))
        await pilot.pause()
        assert showing(app, MessageDialog)
        shown = screen_text(app)
        assert "已有登记：已登记公示 城关村-2026-GS0001" in shown and "未做任何改动" in shown
        assert "cunwu" not in shown


async def test_withdraw_with_a_running_notice_and_correct_the_subject(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    post_notice(site, number)
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CaseScreen(number))
        await pilot.pause()
        await pilot.press(key("correct"))
        await pilot.pause()
        assert showing(app, SubjectDialog)
        await pilot.press("ctrl+u", *"王某甲低保申请", "enter", *"姓名录错", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        assert "事由：王某甲低保申请" in screen_text(app)
        assert "更正事由：原为“王某某低保申请”，改为“王某甲低保申请”" in screen_text(app)

        await pilot.press(key("withdraw"))
        await pilot.pause()
        shown = screen_text(app)
        assert "正在公示的 城关村-2026-GS0001 将同日中止" in shown
        assert "[ 取消 ]" in shown and "[ 撤回办件 ]" in shown and "[ 终止办件 ]" in shown
        await pilot.press(*"申请人书面申请撤回", "enter", "down", "enter")
        await pilot.pause()
        assert showing(app, CaseScreen)
        shown = screen_text(app)
        assert "[已撤回]" in shown and "办件已撤回（2026-11-27）" in shown
        assert "撤回办件，办理至“公示7日”，公示 城关村-2026-GS0001 同日中止" in shown
    assert app.site.cases.get(number).status is CaseStatus.WITHDRAWN


async def test_the_committee_is_told_it_may_only_look(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    register(tmp_path / "data", f"{SUPERVISOR}=赵六:监委会:城关村")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    site.cases.complete_step(site.operator, NOW, number)
    app = make(tmp_path / "data", Clock(DAY0), environ=env(SUPERVISOR))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CaseScreen(number))
        await pilot.pause()
        for command in ("reopen", "withdraw", "correct"):
            await pilot.press(key(command))
            await pilot.pause()
            assert showing(app, MessageDialog) and "监委会账号" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
    assert app.site.cases.get(number).amendments == []


async def test_the_committee_sees_a_reopened_step_on_the_supervision_screen(tmp_path: Path) -> None:
    from tui.screens.supervision import SupervisionScreen

    site = new_site(tmp_path / "data")
    register(tmp_path / "data", f"{SUPERVISOR}=赵六:监委会:城关村")
    number = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某来访").number
    site.cases.complete_step(site.operator, NOW, number, "接待")
    site.amendments.reopen(site.operator, NOW, number, "应为排查矛盾纠纷")
    app = make(tmp_path / "data", Clock(DAY0), environ=env(SUPERVISOR))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SupervisionScreen())
        await pilot.pause()
        shown = screen_text(app)
        assert "黄（待核实） 城关村" in shown and "重开已完成步骤" in shown
        assert "撤销原办理结果“接待”，理由：应为排查矛盾纠纷" in shown
