"""Text pasted from another program (a spreadsheet, a terminal, a chat window) may carry terminal
escape sequences: they are removed whole, in the field and in what is stored, never left as
"[D" tails or obeyed as cursor moves that reorder the text."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from store.sanitize import clean, pasted
from tests.sites import NOW, new_site
from tests.tui_helpers import make, visible_text

DIRTY = "李\x1b[D某\x1b[31m申请\x1b[0m低保\x1b]0;标题\x07\x1b[200~（二组）\x1b[201~\x07"


def test_escape_sequences_are_removed_whole() -> None:
    assert clean(DIRTY) == "李某申请低保（二组）"
    assert pasted("第一行\r\n第二行\x1b[1;5D\x00") == "第一行\n第二行"


def test_the_store_keeps_a_pasted_subject_clean(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", DIRTY)
    assert site.cases.get(case.number).subject == "李某申请低保（二组）"


async def test_a_paste_in_the_app_arrives_without_escape_sequences(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")  # the new-case dialog
        await pilot.pause()
        field = app.screen.query_one("#subject", Input)
        field.focus()
        await pilot.pause()
        app.post_message(events.Paste(DIRTY))
        await pilot.pause()
        assert field.value == "李某申请低保（二组）"
        seen = visible_text(app)
        assert "李某申请低保（二组）" in seen and "[D" not in seen and "[31m" not in seen
