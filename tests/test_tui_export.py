"""Exporting from the screens: the Word file is written in a worker and its path shown."""

from __future__ import annotations

from pathlib import Path

from tests.sites import NOW, new_site, walk_to
from tests.tui_helpers import make, screen_text
from tui.dialogs import MessageDialog
from tui.screens.case import CaseScreen


async def test_case_archive_export_from_the_case_screen(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    walk_to(site, number, "publicize")
    app = make(tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CaseScreen(number))
        await pilot.pause()
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "归档卷宗已保存到" in screen_text(app)
    written = list((tmp_path / "data" / "exports").rglob("*.docx"))
    assert len(written) == 1 and number in written[0].name
