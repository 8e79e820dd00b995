"""Home, catalogue, matter page, help, first run: Pilot at 80×24 with a fixed date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable

from tests.sites import NOW, new_site, walk_to
from tests.tui_helpers import Clock, make, screen_text
from tui.screens.catalog import CatalogScreen
from tui.screens.first_run import FirstRunScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.matter import MatterScreen

SIZE = (80, 24)


async def test_first_run_asks_for_township_and_villages(tmp_path: Path) -> None:
    app = make(tmp_path / "empty")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, FirstRunScreen), "nothing saved without a township"
        await pilot.press(*"沁河镇", "enter", *"城关村", "space", *"南石村", "enter")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen), "nothing saved without the person's name"
        await pilot.press(*"王文书", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert app.site.settings.villages == ("城关村", "南石村")
    assert app.site.settings.staff[app.site.operator.account]["name"] == "王文书"


async def test_home_lists_overdue_first_and_opens_the_case(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某来访").number
    walk_to(site, number, "transfer", choose={"entry": "接待"})
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 2)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        first_row = " ".join(str(c) for c in table.get_row_at(0))
        assert "[已超期]" in first_row and number in first_row
        assert "超期 1" in screen_text(app) and "[待完成]" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CaseScreen"


async def test_pinyin_search_opens_the_matter_and_escape_goes_back(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, CatalogScreen)
        assert "【党建工作】" in screen_text(app)
        await pilot.press("f3", *"dbsq")
        await pilot.pause()
        assert screen_text(app).splitlines()[-1].endswith("救助救灾（城乡低保申请审核和确认）")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatterScreen)
        page = screen_text(app)
        assert "公示7日" in page and "廉政风险点" in page and "虚假公开" in page
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert "新建办件" in screen_text(app)
        for expected in (MatterScreen, CatalogScreen, HomeScreen, HomeScreen):
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, expected)


async def test_unknown_search_says_so(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "f3", *"qqqq")
        await pilot.pause()
        assert "没有找到" in screen_text(app)


async def test_markup_in_a_subject_shows_literally_on_home(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "xinfang", "城关村", "[bold]王[/][@click=app.quit]").number
    walk_to(site, number, "transfer", choose={"entry": "接待"})
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 29)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert number in screen_text(app)
        assert app.is_running


async def test_the_command_palette_offers_the_registry(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"事项目录")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CatalogScreen)
