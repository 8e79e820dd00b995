"""The meeting form's attendance by name (issue 20, item 6): where the roster has people for
the meeting's kind on its day, a list of their names with one key per mark; 应到, 实到 and the
quorum arithmetic follow the marks, and the roll is saved. Pilot at 80×24, reading what the
terminal shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select

from store.site import Site
from tests.sites import NOW, new_site
from tests.tui_helpers import make, screen_text, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, TextDialog
from tui.screens.meeting_form import MeetingFormScreen

SIZE = (80, 24)
MEMBERS = ["张一", "李二", "王三", "赵四", "钱五", "孙六"]
"""村民代表会议 expects the 村委会委员 and the 村民代表: two and four here."""


def current(app: CunwuApp) -> Screen[Any]:
    return app.screen


def arithmetic_shown(app: CunwuApp) -> str:
    return str(app.screen.query_one("#arithmetic").render())


def roster(root: Path) -> Site:
    site = new_site(root)
    for n, name in enumerate(MEMBERS):
        role = "村委会委员" if n < 2 else "村民代表"
        fields = {"name": name, "memberships": [{"role": role, "since": "2024-01-01", "detail": ""}]}
        site.roster.add(site.operator, NOW, "城关村", fields)
    late = {"name": "周七", "memberships": [{"role": "村民代表", "since": "2026-12-01", "detail": ""}]}
    site.roster.add(site.operator, NOW, "城关村", late)  # joins after the meeting: not expected
    return site


async def typed(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    app.screen.query_one(selector).focus()
    await pilot.pause()
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await pilot.pause()


async def open_form(pilot: Pilot[None], app: CunwuApp, kind: str = "村民代表会议") -> None:
    app.push_screen(MeetingFormScreen("城关村", title="审议村道硬化方案", kind=kind))
    await pilot.pause()


async def to_roll(pilot: Pilot[None], app: CunwuApp) -> None:
    """Tab from the kind to the list, as a person would."""
    app.screen.query_one("#kind", Select).focus()
    for _ in range(12):
        await pilot.press("tab")
        if app.screen.focused is not None and app.screen.focused.id == "roll":
            break
    await pilot.pause()
    assert app.screen.focused is not None and app.screen.focused.id == "roll"


async def test_the_names_are_listed_and_the_marks_make_the_counts(tmp_path: Path) -> None:
    site = roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await to_roll(pilot, app)
        seen = visible_text(app)
        for name in MEMBERS:
            assert name in seen, seen
        assert "周七" not in seen
        assert "应到人员按本村名册" in seen and "应到人数" not in seen
        assert "出席登记：应到 6 人，实到 0 人，未登记 6 人" in seen
        footer = seen.splitlines()[-1]
        assert "1 出席" in footer and "2 缺席" in footer, footer
        await pilot.press("1", "1", "1")  # 张一 李二 王三 出席: 3 of 6, not 2/3
        await pilot.pause()
        seen = visible_text(app)
        assert "出席登记：应到 6 人，实到 3 人，未登记 3 人" in seen
        assert "实到 3/应到 6 < 2/3 → 未达到法定人数" in seen
        assert [
            line.split()[1] for line in seen.splitlines() if line.split()[:1] in (["张一"], ["王三"], ["赵四"])
        ] == [
            "出席",
            "出席",
            "未登记",
        ]
        await pilot.press("2")  # 赵四 缺席: asks why
        await pilot.pause()
        assert isinstance(current(app), TextDialog) and "赵四的缺席原因" in visible_text(app)
        await pilot.press(*"外出务工", "enter")
        await pilot.pause()
        await pilot.press("4")  # 钱五 委托: chooses among those present
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog)
        assert "1. 张一" in visible_text(app) and "赵四" not in visible_text(app)
        await pilot.press("2")  # 李二
        await pilot.pause()
        await pilot.press("q")  # the rest (孙六) 出席
        await pilot.pause()
        shown = arithmetic_shown(app)
        assert "出席登记：应到 6 人，实到 4 人，委托 1 人，缺席 1 人" in shown
        assert "实到 4/应到 6 ≥ 2/3 → 已达到" in shown
        seen = visible_text(app)
        assert "外出务工" in seen and "李二" in seen
        await typed(pilot, app, "#items", "村道硬化方案")
        await typed(pilot, app, "#votes", "1 4 1 0")
        assert "赞成 4 > (4+委托1)/2" in arithmetic_shown(app) and "→ 通过" in arithmetic_shown(app)
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), MeetingFormScreen)
    [meeting] = site.meetings.find()
    stored = site.meetings.get(meeting["number"])
    assert stored["counts_from"] == "roster"
    assert (stored["expected"], stored["present"]) == (6, 4)
    marks = {r["name"]: (r["mark"], r["note"]) for r in stored["roll"]}
    assert marks == {
        "张一": ("出席", ""),
        "李二": ("出席", ""),
        "王三": ("出席", ""),
        "赵四": ("缺席", "外出务工"),
        "钱五": ("委托", "李二"),
        "孙六": ("出席", ""),
    }
    assert stored["items"][0]["passed"] is True


async def test_too_few_marked_fails_the_quorum_and_a_draft_reopens_with_its_marks(tmp_path: Path) -> None:
    site = roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        await to_roll(pilot, app)
        await pilot.press("1", "1", "1", "3")  # 赵四: 书面意见
        await pilot.pause()
        await pilot.press(*"同意", "enter")
        await pilot.pause()
        await typed(pilot, app, "#items", "村道硬化方案")
        await typed(pilot, app, "#votes", "1 3 0 0")
        shown = arithmetic_shown(app)
        assert "实到 3/应到 6 < 2/3" in shown and "未达到法定人数" in shown
        await pilot.press("ctrl+s")
        await pilot.pause()
    [meeting] = site.meetings.find()
    assert meeting["present"] == 3 and meeting["items"][0]["passed"] is False
    assert [r["mark"] for r in meeting["roll"]] == ["出席", "出席", "出席", "书面意见", "", ""]
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingFormScreen("城关村", number=meeting["number"]))
        await pilot.pause()
        await to_roll(pilot, app)
        seen = visible_text(app)
        assert "书面意见" in seen and "同意" in seen and "未登记 2 人" in seen
        await pilot.press("down", "down", "down", "0")  # 赵四 cleared
        await pilot.pause()
        assert "未登记 3 人" in arithmetic_shown(app)
        await pilot.press("escape")  # a changed mark is unsaved work: asked first
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "有未保存的内容" in visible_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
    again = site.meetings.get(meeting["number"])
    assert [r["mark"] for r in again["roll"]] == ["出席", "出席", "出席", "", "", ""]


async def test_the_list_follows_the_day_and_the_kind(tmp_path: Path) -> None:
    roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        start = app.screen.query_one("#start", Input)
        start.value = "2026-12-02 09:00"  # 周七 is a 村民代表 from 12-01
        await pilot.pause()
        assert "7 人" in visible_text(app) or "应到 7 人" in arithmetic_shown(app)
        await to_roll(pilot, app)
        await pilot.press("1")  # 张一 出席
        start.value = "2023-06-01 09:00"  # before anyone's membership: typed counts
        await pilot.pause()
        seen = visible_text(app)
        assert "本村名册中没有村民代表会议的应到人员" in seen and "应到、实到人数手工填写" in seen
        start.value = "2026-11-27 09:00"  # back: the mark made is still there
        await pilot.pause()
        assert "应到 6 人，实到 1 人" in visible_text(app)


async def test_no_roster_keeps_the_typed_counts(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app)
        seen = visible_text(app)
        assert "本村名册中没有村民代表会议的应到人员（2026-11-27），应到、实到人数手工填写" in seen
        await typed(pilot, app, "#expected", "9")
        await typed(pilot, app, "#present", "7")
        assert "实到 7/应到 9 ≥ 2/3 → 已达到" in arithmetic_shown(app)
        assert "应到人数" in visible_text(app) or app.screen.query_one("#expected").display
        await pilot.press("f2")
        await pilot.pause()
    [meeting] = site.meetings.find()
    assert meeting["counts_from"] == "typed" and (meeting["expected"], meeting["present"]) == (9, 7)


async def test_a_party_meeting_takes_no_proxy(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    for name in ("党员甲", "党员乙"):
        fields = {"name": name, "memberships": [{"role": "正式党员", "since": "2020-01-01", "detail": ""}]}
        site.roster.add(site.operator, NOW, "城关村", fields)
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, kind="支部党员大会")
        await to_roll(pilot, app)
        assert "3 书面意见、0 清除" in screen_text(app), "the hint offers no 委托 at a Party meeting"
        await pilot.press("1", "4")
        await pilot.pause()
        assert not isinstance(current(app), ChoiceDialog)
        assert "未登记 1 人" in arithmetic_shown(app)
