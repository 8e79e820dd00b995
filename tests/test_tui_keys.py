"""One meaning per key (issue 18 item 2): the registry gives every key one kind of action on
every screen; F2 saves and never completes; every irreversible command (F6/d) asks first, with
取消 as the default answer, and Enter after the key changes nothing. Pilot at 80×24."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList

from store.site import Site
from tests.sites import NOW, new_site, post_notice, walk_to
from tests.test_tui_supervision import WAITING, bad_situation, give_role, open_supervision
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.commands import ASKS_FIRST, GLOBAL, KEY_KINDS, SCREENS, Command, Kind, commands_for
from tui.dialogs import ChoiceDialog, MessageDialog
from tui.screens.case import CaseScreen
from tui.screens.case_undo import ReasonDialog
from tui.screens.cases import CaseListScreen
from tui.screens.records import MeetingDetailScreen, MeetingFormScreen, NoticeDetailScreen, ObjectionFormScreen
from tui.screens.rectify import ActDialog

SIZE = (80, 24)
DAY0 = dt.date(2026, 11, 27)


def current(app: CunwuApp) -> Screen[Any]:
    """The screen on top (a call, so that mypy does not carry an isinstance over the awaits)."""
    return app.screen


def every_command() -> list[tuple[str, Command]]:
    return [("*", c) for c in GLOBAL] + [(screen, c) for screen, own in SCREENS.items() for c in own]


def footer(app: CunwuApp) -> str:
    """The footer line as visible_text at 80 columns."""
    return visible_text(app).splitlines()[-1]


# ---- the registry


def test_every_key_has_one_kind_on_every_screen() -> None:
    kinds: defaultdict[str, set[Kind]] = defaultdict(set)
    where: defaultdict[str, list[str]] = defaultdict(list)
    for screen, command in every_command():
        for key in command.keys.split(","):
            kinds[key].add(command.kind)
            where[key].append(f"{screen}:{command.id}（{command.kind}）")
    mixed = {key: where[key] for key, found in kinds.items() if len(found) > 1}
    assert not mixed, f"one key, several kinds of action: {mixed}"
    wrong = {key: where[key] for key, found in kinds.items() if key in KEY_KINDS and found != {KEY_KINDS[key]}}
    assert not wrong, f"keys used against the key scheme: {wrong}"


def test_a_screen_binds_each_key_once() -> None:
    for screen in SCREENS:
        keys = [k for c in commands_for(screen) for k in c.keys.split(",")]
        assert len(keys) == len(set(keys)), screen


def test_f2_saves_and_never_finishes() -> None:
    for screen, command in every_command():
        keys = command.keys.split(",")
        if "f2" in keys or "ctrl+s" in keys:
            assert command.kind is Kind.SAVE, (screen, command.id)
        if command.kind is Kind.FINISH:
            assert keys == ["f6", "d"], (screen, command.id)


def test_export_and_objections_have_one_key_everywhere() -> None:
    exports = {c.keys for _, c in every_command() if c.kind is Kind.EXPORT}
    assert exports == {"f8,x"}
    objections = {c.keys for _, c in every_command() if "登记异议" in c.label}
    assert objections == {"f7,n"}


def test_every_action_has_a_key_besides_an_f_key_and_none_needs_alt() -> None:
    for screen, command in every_command():
        keys = command.keys.split(",")
        assert not any("alt+" in k for k in keys), (screen, command.id)
        assert any(not (k.startswith("f") and k[1:].isdigit()) for k in keys), (screen, command.id)


# ---- every irreversible command asks, and its default is 取消


async def case_at(tmp_path: Path, step: str) -> tuple[CunwuApp, str]:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    walk_to(site, number, step)
    return make(tmp_path / "data", Clock(DAY0)), number


Scenario = Callable[[Path], Awaitable[tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]]]


async def complete_a_step(
    tmp_path: Path,
) -> tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]:
    app, number = await case_at(tmp_path, "accept")

    async def go(pilot: Pilot[None]) -> None:
        app.open_case(number)
        await pilot.pause()

    return app, go, lambda: Site(tmp_path / "data", environ={}).cases.get(number).record


def meeting_in(state: str) -> Scenario:
    async def arrange(
        tmp_path: Path,
    ) -> tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]:
        site = new_site(tmp_path / "data")
        fields = {
            "kind": "支委会",
            "title": "审议发展党员",
            "start": "2026-11-26 09:00",
            "host": "张书记",
            "recorder": "李文书",
            "expected": 5,
            "present": 5,
            "items": [{"title": "发展党员", "vote": {"ayes": 5, "nays": 0, "abstain": 0}}],
        }
        meeting = site.meetings.new(site.operator, NOW, "城关村", fields)
        if state == "confirmed":
            site.meetings.confirm(site.operator, NOW, meeting["number"], int(meeting["rev"]))
        app = make(tmp_path / "data", Clock(DAY0))

        async def go(pilot: Pilot[None]) -> None:
            app.push_screen(MeetingDetailScreen(meeting["number"]))
            await pilot.pause()

        return app, go, lambda: Site(tmp_path / "data", environ={}).meetings.get(meeting["number"])

    return arrange


async def countersign(
    tmp_path: Path,
) -> tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 1)), environ=give_role(tmp_path / "data", "乡镇"))

    async def go(pilot: Pilot[None]) -> None:
        await open_supervision(pilot, app)
        await pilot.press("t")  # the 待张贴公示 list
        await pilot.pause()

    return app, go, lambda: Site(tmp_path / "data", environ={}).opinions.find(target=WAITING)


async def undo_on_a_case(
    tmp_path: Path,
) -> tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]:
    app, number = await case_at(tmp_path, "survey")  # 受理 done: there is a step to reopen

    async def go(pilot: Pilot[None]) -> None:
        app.open_case(number)
        await pilot.pause()

    return app, go, lambda: Site(tmp_path / "data", environ={}).cases.get(number).record


def rectification_in(state: str) -> Scenario:
    """The 整改 screen with one 整改事项 ``open`` (F6/d is 完成, u 无需整改) or ``done`` (F6/d is 销号)."""

    async def arrange(
        tmp_path: Path,
    ) -> tuple[CunwuApp, Callable[[Pilot[None]], Awaitable[None]], Callable[[], object]]:
        site = new_site(tmp_path / "data")
        fields = {
            "problem": "公示未满七日即撤下",
            "measure": "重新张贴",
            "responsible": "李主任",
            "deadline": "2026-12-10",
        }
        number = str(site.rectifications.new(site.operator, NOW, "城关村", fields)["number"])
        if state == "done":
            site.rectifications.finish(site.operator, NOW, number, "已重新张贴七日")
        app = make(tmp_path / "data", Clock(DAY0))

        async def go(pilot: Pilot[None]) -> None:
            app.action_rectifications()
            await pilot.pause()

        return app, go, lambda: Site(tmp_path / "data", environ={}).rectifications.get(number)

    return arrange


SCENARIOS: dict[tuple[str, str], list[Scenario]] = {
    ("case", "complete"): [complete_a_step],
    ("case", "reopen"): [undo_on_a_case],
    ("case", "withdraw"): [undo_on_a_case],
    ("meeting", "finish"): [meeting_in("draft"), meeting_in("confirmed")],
    ("supervision", "countersign"): [countersign],
    ("rectify", "settle"): [rectification_in("open"), rectification_in("done")],
    ("rectify", "waive"): [rectification_in("open")],
}
"""How to reach each irreversible command: a new one fails the test until it has its scenario."""

ASKING = [(screen, c, key) for screen, c in every_command() if c.kind in ASKS_FIRST for key in c.keys.split(",")]


@pytest.mark.parametrize(("screen", "command", "key"), ASKING, ids=[f"{s}:{c.id}:{k}" for s, c, k in ASKING])
async def test_an_irreversible_key_then_enter_changes_nothing(
    tmp_path: Path, screen: str, command: Command, key: str
) -> None:
    assert (screen, command.id) in SCENARIOS, f"add a scenario for {screen}:{command.id}"
    for n, arrange in enumerate(SCENARIOS[screen, command.id]):
        app, go, state = await arrange(tmp_path / str(n))
        before = state()
        async with app.run_test(size=SIZE) as pilot:
            await go(pilot)
            assert getattr(current(app), "COMMANDS_KEY", "") == screen
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(current(app), ChoiceDialog | ReasonDialog | ActDialog)
            shown = screen_text(app)
            assert "不能撤销" in shown and "[ 取消 ]" in shown
            options = app.screen.query_one(OptionList)
            assert options.highlighted is not None
            assert "取消" in str(options.get_option_at_index(options.highlighted).prompt), "the default is 取消"
            assert "> [ 取消 ]" in visible_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert getattr(current(app), "COMMANDS_KEY", "") == screen
        assert state() == before


# ---- the case screen


async def test_f2_on_the_case_screen_saves_the_ticks_and_does_not_complete(tmp_path: Path) -> None:
    app, number = await case_at(tmp_path, "accept")
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("space", "f2", "f2")
        await pilot.pause()
        assert isinstance(current(app), CaseScreen) and "[>] 2. 村（居）委会受理" in screen_text(app)
    case = app.site.cases.get(number)
    assert case.record["current"] == "accept" and case.record["progress"]["checklist"] == ["核对申请材料是否齐全"]


async def test_f6_shows_what_will_be_recorded_and_the_next_step(tmp_path: Path) -> None:
    app, number = await case_at(tmp_path, "accept")
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        assert "F6/d 完成本步" in footer(app) and "F2/^S 暂存" in footer(app)
        await pilot.press("space", "f6")
        await pilot.pause()
        shown = screen_text(app)
        assert "完成“村（居）委会受理”？" in shown
        assert "清单：已勾选 1/2 项" in shown and "备注：（无）" in shown
        assert "下一步：第3步 入户调查" in shown
        await pilot.press("enter")  # 取消
        await pilot.pause()
        assert app.site.cases.get(number).record["current"] == "accept"
        await pilot.press("d", "down", "enter")  # 完成本步, chosen on purpose
        await pilot.pause()
        assert "[>] 3. 入户调查" in screen_text(app)
    entry = app.site.cases.get(number).record["history"][-1]
    assert (entry["step_id"], entry["checklist"]) == ("accept", ["核对申请材料是否齐全"])


async def test_a_branch_shows_the_outcome_chosen(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "赵某").number
    walk_to(site, number, "publicize")
    post_notice(site, number, DAY0)
    app = make(tmp_path / "data", Clock(DAY0 + dt.timedelta(days=8)))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f6", "1")  # 无异议
        await pilot.pause()
        shown = screen_text(app)
        assert "办理结果：无异议" in shown and "下一步：第8步 上报乡（镇）人民政府" in shown
        assert "关联记录：" in shown
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.site.cases.get(number).record["current"] == "report"


async def test_a_step_that_makes_minutes_asks_for_them_instead_of_drafting(tmp_path: Path) -> None:
    app, number = await case_at(tmp_path, "appraise")
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        assert "[未登记会议记录]" in screen_text(app)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "还没有登记会议记录" in screen_text(app)
        await pilot.press("enter")  # 登记会议记录
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen)
        assert app.screen.query_one("#title").value == "民主评议（周某）"  # type: ignore[attr-defined]
    assert app.site.cases.get(number).record["current"] == "appraise"
    assert app.site.meetings.find() == [], "no draft made behind the cadre's back"


async def test_f9_on_a_case_opens_its_records(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "孙某").number
    walk_to(site, number, "publicize")
    notice = str(post_notice(site, number, DAY0)["number"])
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f7")  # 登记: the notice is posted, so an objection
        await pilot.pause()
        assert isinstance(current(app), ObjectionFormScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog)
        choices: list[str] = app.screen.choices  # type: ignore[attr-defined]
        assert any(c.startswith(f"{notice} 公示") for c in choices) and "事项说明" in screen_text(app)
        await pilot.press(str(next(i for i, c in enumerate(choices, start=1) if c.startswith(notice))))
        await pilot.pause()
        assert isinstance(current(app), NoticeDetailScreen)
        assert "F7/n 登记异议" in footer(app) and "Esc 返回" in footer(app)


# ---- the home screen and its footer


async def test_the_home_footer_at_80_columns(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        line = footer(app)
        for shown in ("F1 帮助", "b 办件", "F7 新建", "c 目录", "m 会议", "g 公示用印", "r 名册", "j 监督", "F10 退出"):
            assert shown in line, line
        assert "返回" not in line, "nowhere to go back to from home"
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(current(app), CaseListScreen)
        assert "Esc 返回" in footer(app)
        await pilot.press("escape", "f9")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog)
        assert all(
            w in screen_text(app) for w in ("事项目录", "办件", "会议记录", "公示和用印登记", "监督", "整改（y）")
        )
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(current(app), CaseListScreen)


async def test_a_read_only_home_does_not_offer_new_case(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0), environ=give_role(tmp_path / "data", "监委会"))
    async with app.run_test(size=SIZE) as pilot:
        line = footer(app)
        assert "新建" not in line and "j 监督" in line and "F10 退出" in line, line
        await pilot.press("ctrl+p", *"新建")
        await pilot.pause()
        assert "新建办件" not in visible_text(app)
        await pilot.press("escape")
        await pilot.press("n")  # the key still says why
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "不能“新建办件”" in screen_text(app)


async def test_no_footer_shows_a_key_cut_in_half_at_80_columns(tmp_path: Path) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    walk_to(site, number, "publicize")
    notice = str(post_notice(site, number, DAY0)["number"])
    meeting = site.cases.get(number).records()[0]
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        opened: list[Callable[[], object]] = [
            lambda: None,
            lambda: app.action_cases(),
            lambda: app.open_case(number),
            lambda: app.push_screen(MeetingDetailScreen(meeting)),
            lambda: app.push_screen(NoticeDetailScreen(notice)),
            lambda: app.push_screen(MeetingFormScreen("城关村")),
            lambda: app.action_catalog(),
            lambda: app.open_matter("dibao"),
            lambda: app.action_meetings(),
            lambda: app.action_notices(),
            lambda: app.action_supervision(),
            lambda: app.action_rectifications(),
        ]
        for open_ in opened:
            open_()
            await pilot.pause()
            keys = app.screen.query_one(Footer).query(FooterKey)
            cut = [k.description for k in keys if k.region.x < SIZE[0] < k.region.right]
            assert not cut, (type(app.screen).__name__, cut, footer(app))
            assert footer(app).startswith(" F1 帮助")
            if len(app.screen_stack) > 2:
                assert "Esc 返回" in footer(app), type(app.screen).__name__


async def test_f3_on_home_finds_a_matter(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"dbsq")
        await pilot.pause()
        assert "城乡低保申请审核和确认" in screen_text(app)
        assert "社区矫正" not in screen_text(app), "the list shows what was found, not all 57"


async def test_a_dialog_over_home_leaves_the_home_footer_uncut(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = visible_text(app).splitlines()[-1]
        await pilot.press("n")  # the new-case dialog
        await pilot.pause()
        assert visible_text(app).splitlines()[-1] == footer
        assert footer.rstrip().endswith("F10 退出"), footer


async def test_the_minutes_question_says_what_escape_does(tmp_path: Path) -> None:
    app, number = await case_at(tmp_path, "appraise")  # 民主评议: needs minutes, none registered
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        seen = visible_text(app)
        assert "须先登记会议记录" in seen and "Esc 返回，不做选择" in seen and "Esc 即“登记" not in seen


async def test_help_lines_up_its_keys_and_wraps_text_beside_them(tmp_path: Path) -> None:
    from rich.cells import cell_len

    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        lines = visible_text(app).splitlines()
        await pilot.press("end")  # the global keys come last, below home's own (the list scrolls)
        await pilot.pause()
        ends = visible_text(app).splitlines()

    def column(line: str, text: str) -> int:
        return cell_len(line[: line.index(text)])

    enter = next(line for line in lines if "打开：" in line)  # 回车: two characters, four cells
    help_ = next(line for line in ends if "帮助：" in line)
    assert column(enter, "打开：") == column(help_, "帮助："), (enter, help_)
    # A description too long for one line goes on in its own column, not under the keys.
    at = next(i for i, line in enumerate(lines) if "监督：村务监督" in line)
    rest = lines[at + 1].split("│")[1].strip()
    assert rest and column(lines[at + 1], rest) == column(lines[at], "监督："), lines[at : at + 2]
