"""Every drop-down of the app, opened as a cadre opens it (Enter on the field) at 80×24, shows
its choices on the screen, and the footer names the key that closes it in Chinese.

These tests read the composed screen (``visible_text``), not the widgets' option lists: the
options were always there while a global stylesheet rule made every open list 0 rows tall.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select

from tests.sites import VILLAGES, new_site
from tests.tui_helpers import make, visible_text
from tui.app import CunwuApp

SIZE = (80, 24)


async def open_dropdown(pilot: Pilot[None], app: CunwuApp, selector: str) -> str:
    """Focus the drop-down, press Enter as a person would, and return what the screen shows."""
    app.screen.query_one(selector, Select).focus()
    await pilot.press("enter")
    await pilot.pause()
    seen = visible_text(app)
    await pilot.press("escape")  # closes the list, leaves the form
    await pilot.pause()
    return seen


def shows_all(seen: str, choices: list[str], *, own_footer: bool = True) -> None:
    """``choices`` are on the screen; a full screen's footer offers 收起 (a dialog shows the
    footer of the screen beneath it, which knows nothing of the open list)."""
    lines = seen.splitlines()
    footer = lines[-1]
    assert "Dismiss" not in seen
    assert "收起" in footer or not own_footer, footer
    body = "\n".join(lines[1:-1])
    missing = [c for c in choices if c not in body]
    assert not missing, f"choices not on the screen: {missing}\n{seen}"


async def test_seal_form_lists_the_seals(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("tab", "n", "2")  # the seal table, new, the second village
        await pilot.pause()
        shows_all(await open_dropdown(pilot, app, "#seal"), ["党支部", "村委会", "村集体经济组织"])


async def test_meeting_form_lists_the_meeting_kinds(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("n", "1")
        await pilot.pause()
        # The first kinds of the twelve; the list scrolls for the rest.
        shows_all(await open_dropdown(pilot, app, "#kind"), ["支部党员大会", "支委会", "党小组会", "党课"])


async def test_case_list_filters_list_villages_and_states(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        shows_all(await open_dropdown(pilot, app, "#village"), ["全部村", *VILLAGES])
        shows_all(await open_dropdown(pilot, app, "#status"), ["办理中", "已办结", "已终止", "全部"])


async def test_supervision_village_filter_lists_villages(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        shows_all(await open_dropdown(pilot, app, "#sv-village"), ["全部村", *VILLAGES])


async def test_new_case_dialog_lists_villages(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        shows_all(await open_dropdown(pilot, app, "#village"), list(VILLAGES), own_footer=False)


async def test_first_run_shows_the_villages_as_typed(tmp_path: Path) -> None:
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#township", Input).focus()
        await pilot.press(*"沁河镇", "enter")
        await pilot.press(*"城关村 南石村")
        await pilot.pause()
        assert "城关村 南石村" in visible_text(app)
