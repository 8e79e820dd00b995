"""Compatibility mode (--ascii) draws nothing but ASCII and Chinese: no ▼ ▲ √ — … “ ”, no box,
block or scrollbar characters, which CJK terminal fonts draw double width and shift the line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from textual.widgets import Select

from tests.sites import NOW, new_site
from tests.tui_helpers import make, visible_text
from tui.ascii import ascii_text

SIZE = (80, 24)


def stray(seen: str) -> set[str]:
    """Characters on the screen that are neither ASCII nor wide (Chinese and its punctuation)."""
    return {ch for ch in seen if not ch.isascii() and unicodedata.east_asian_width(ch) not in ("W", "F")}


def test_every_symbol_becomes_ascii_of_its_width() -> None:
    assert ascii_text("[√] 已办 — 共 3 项…“低保”【公示】▼") == '[x] 已办 - 共 3 项."低保"[ 公示 ]v'
    assert ascii_text("╭──╮│▊▔▁▎") == "+--+||-_|"
    assert ascii_text("城乡低保，（申请）。") == "城乡低保，（申请）。", "Chinese text and punctuation stay"


async def test_no_screen_draws_a_symbol_in_ascii_mode(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某“低保”申请…").number
    app = make(tmp_path / "data", ascii_borders=True)
    seen: dict[str, str] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen["home"] = visible_text(app)
        await pilot.press("b")
        await pilot.pause()
        seen["cases"] = visible_text(app)
        app.screen.query_one("#village", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        seen["open drop-down"] = visible_text(app)
        await pilot.press("escape", "escape")
        await pilot.pause()
        app.open_case(number)
        await pilot.pause()
        await pilot.press("space")  # tick the first checklist item: [√] in normal mode
        await pilot.pause()
        seen["case"] = visible_text(app)
    assert "李某" in seen["cases"] and "全部村" in seen["open drop-down"]
    assert "[x]" in seen["case"], seen["case"]
    for screen, text in seen.items():
        assert not stray(text), (screen, stray(text), text)


async def test_normal_mode_keeps_its_symbols(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert stray(visible_text(app)), "the filter is on only in compatibility mode"
