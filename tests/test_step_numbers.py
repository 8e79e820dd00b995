"""Steps are numbered once: the 四议两公开 boxes carry their own numbers (1.村党组织提议), and a
list that numbers steps must not print "1. 1.村党组织提议"."""

from __future__ import annotations

from pathlib import Path

from procedures.model import listed
from tests.sites import NOW, new_site
from tests.tui_helpers import make, visible_text


def test_a_title_numbered_by_the_document_is_not_numbered_again() -> None:
    assert listed(1, "1.村党组织提议") == "1.村党组织提议"
    assert listed(3, "入户调查") == "3. 入户调查"
    assert listed(5, "1.村党组织提议") == "5. 1.村党组织提议", "a number that is not the position stays visible"


async def test_the_case_screen_numbers_the_four_deliberations_once(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "siyi-liangkaigong", "城关村", "村内道路硬化").number
    app = make(tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(number)
        await pilot.pause()
        seen = visible_text(app)
    assert "[>] 1.村党组织提议" in seen and "1. 1." not in seen, seen
