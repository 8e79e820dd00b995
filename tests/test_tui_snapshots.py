"""SVG snapshots at 80×24 with the clock fixed (Textual pinned in constraints.txt).

Update after an intended change of the look: `.venv/bin/python -m pytest tests/test_tui_snapshots.py --snapshot-update`,
then look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.sites import NOW, new_site, walk_to
from tests.tui_helpers import Clock, make
from tui.screens.supervision import Verifier

Compare = Callable[..., bool]


def overdue_site(root: Path) -> None:
    site = new_site(root)
    petition = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某反映道路问题").number
    walk_to(site, petition, "transfer", choose={"entry": "接待"})
    notice = site.cases.open(site.operator, NOW, "dibao", "南石村", "王某某低保申请").number
    walk_to(site, notice, "publicize")
    site.cases.post_notice(site.operator, NOW, notice, {"posted_on": NOW.date()})


def test_home_with_overdue_items(snap_compare: Compare, tmp_path: Path) -> None:
    overdue_site(tmp_path / "data")
    assert snap_compare(make(tmp_path / "data", Clock(dt.date(2026, 12, 2))), terminal_size=(80, 24))


def test_home_in_16_colours(snap_compare: Compare, tmp_path: Path) -> None:
    overdue_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 2)))

    async def ansi(pilot: Any) -> None:
        pilot.app.theme = "ansi-dark"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=ansi)


def test_case_at_a_branch(snap_compare: Compare, tmp_path: Path) -> None:
    overdue_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 4)))

    async def open_case(pilot: Any) -> None:
        pilot.app.open_case("南石村-2026-0001")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_case)


def test_catalogue_search_in_ascii_mode(snap_compare: Compare, tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", ascii_borders=True)
    assert snap_compare(app, terminal_size=(80, 24), press=["c", "f3", "d", "b", "s", "q"])


def test_supervision_screen(snap_compare: Compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overdue_site(tmp_path / "data")
    # The chain head changes with every run (transaction ids): the look is what is compared here.
    report = {"ok": True, "entries": 9, "head": "ab12" * 16, "clock": [], "interrupted": [], "changes": []}
    monkeypatch.setattr(Verifier, "run", lambda *_: report)  # cunwu verify --json, in its own process
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 10)))

    async def supervise(pilot: Any) -> None:
        await pilot.press("j")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=supervise)
