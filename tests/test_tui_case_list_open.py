"""The case list's open cases, their time limits worked out only where one may run
(``store.worklist.steps``): every open case shows the time limits the engine says run on it,
including one counted from a step finished before the step the case is at; a case saved by
another process is listed when the list is opened again after Esc; home, under the list, keeps
its footer as it is. Pilot at 80×24, reading the rendered text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from procedures import engine
from store.site import Site
from tests.sites import NOW, new_site, walk_to
from tests.test_tui_lists import SIZE, detail_line
from tests.tui_helpers import Clock, make, visible_text
from tui.screens.cases import CaseListScreen, timer_text
from tui.screens.home import HomeScreen
from tui.widgets import KeyFooter

WIDE = (200, 24)
"""Wide enough for the line under the list to hold every time limit in full."""


def township(root: Path) -> dict[str, str]:
    """Open cases at steps with a time limit of their own, with one counted from a step already
    finished (发展党员 at 联系人, the 培养 period running from 积极分子), and with none."""
    site = new_site(root)
    op = site.operator
    made = {
        "transfer": site.cases.open(op, NOW, "xinfang", "城关村", "周某来访转办").number,
        "supervise": site.cases.open(op, NOW, "xinfang", "南石村", "吴某来访督办").number,
        "posted": site.cases.open(op, NOW, "dibao", "南石村", "孙某低保申请").number,
        "counted": site.cases.open(op, NOW, "fazhan-dangyuan", "城关村", "郑某入党申请").number,
        "plain": site.cases.open(op, NOW, "dibao", "城关村", "王某低保申请").number,
        "visit": site.cases.open(op, NOW, "xinfang", "南石村", "冯某来访").number,
    }
    walk_to(site, made["transfer"], "transfer", choose={"entry": "接待"})
    walk_to(site, made["supervise"], "supervise", choose={"entry": "接待"})
    walk_to(site, made["posted"], "publicize")
    site.cases.post_notice(op, NOW, made["posted"], {"posted_on": NOW.date(), "content": "申请人家庭情况"})
    walk_to(site, made["counted"], "contact")
    return made


def expected_when(site: Site, number: str, today: dt.date) -> str:
    """The time limits of a case in the list's words, worked out from its full record."""
    case = site.cases.get(number)
    running = engine.running_timers(site.catalog.get(case.matter_id), case.state(), today, site.cal)
    return "；".join(timer_text(t) for t in running) if running else "无时限"


@pytest.mark.parametrize("day", [dt.date(2026, 11, 27), dt.date(2026, 12, 20), dt.date(2027, 12, 10)])
async def test_every_open_case_shows_the_time_limits_running_on_it(tmp_path: Path, day: dt.date) -> None:
    made = township(tmp_path / "data")
    site = Site(tmp_path / "data", environ={})
    app = make(tmp_path / "data", Clock(day))
    subjects = {number: site.cases.get(number).subject for number in made.values()}
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        shown: dict[str, str] = {}
        for _ in made:
            line = detail_line(visible_text(app)).strip()
            (number,) = [n for n, subject in subjects.items() if f"｜事由：{subject}｜" in line]
            shown[number] = line
            await pilot.press("down")
            await pilot.pause()
    assert set(shown) == set(made.values())
    for number, line in shown.items():
        assert line.endswith("｜" + expected_when(site, number, day)), (number, line)
    # the period counted from 积极分子 runs at 联系人, a step with no time limit of its own
    assert not shown[made["counted"]].endswith("无时限") and shown[made["plain"]].endswith("无时限")


async def test_a_case_saved_by_another_process_is_listed_after_esc_and_back(tmp_path: Path) -> None:
    township(tmp_path / "data")
    app = make(tmp_path / "data", Clock(NOW.date()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert "（1/6）" in detail_line(visible_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        other = Site(tmp_path / "data", environ={})  # another clerk's process
        other.cases.open(other.operator, NOW, "xinfang", "城关村", "褚某来访")
        await pilot.press("b")
        await pilot.pause()
        assert "（1/7）" in detail_line(visible_text(app))
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert any("褚某来访" in line for line in visible_text(app).splitlines())


async def test_home_s_footer_is_left_alone_under_the_case_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    township(tmp_path / "data")
    built: list[object] = []
    compose = KeyFooter.compose

    def counted(self: KeyFooter):  # type: ignore[no-untyped-def]
        if isinstance(self.screen, HomeScreen):
            built.append(self)
        return compose(self)

    app = make(tmp_path / "data", Clock(NOW.date()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        before = visible_text(app).splitlines()[-1]
        assert "退出" in before and "返回" not in before
        monkeypatch.setattr(KeyFooter, "compose", counted)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CaseListScreen)
        assert "返回" in visible_text(app).splitlines()[-1], "the list offers Esc back to home"
        assert "返回" not in {b.binding.description for b in home.active_bindings.values()}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home and visible_text(app).splitlines()[-1] == before
    assert built == [], "home's footer was built again while hidden or on coming back"


async def test_the_list_s_footer_is_built_once_with_its_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    township(tmp_path / "data")
    built: list[int] = []
    compose = KeyFooter.compose

    def counted(self: KeyFooter):  # type: ignore[no-untyped-def]
        if isinstance(self.screen, CaseListScreen):
            built.append(len(list(compose(self))))
        return compose(self)

    monkeypatch.setattr(KeyFooter, "compose", counted)
    app = make(tmp_path / "data", Clock(NOW.date()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        footer = visible_text(app).splitlines()[-1]
        assert "返回" in footer and "筛选" in footer, footer
    assert len(built) == 1 and built[0] > 3, "composed once, with the keys (a second build redraws the screen)"
