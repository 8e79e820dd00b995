"""Home shows what was just done when the cadre comes back to it: a save made on another screen
(the app's own saves do not trigger the journal watch) is on home at once, not after the
minute's tick or F5. Pilot at 80×24, asserting on the rendered text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.sites import CST, new_site
from tests.test_tui_home_today import SIZE, seen
from tests.tui_helpers import Clock, make
from tui.screens.home import HomeScreen


async def test_home_is_refreshed_on_coming_back_to_it(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "[草稿]" not in seen(app)
        await pilot.press("m")  # the meeting list
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen)
        fields = {
            "kind": "支委会",
            "title": "11月支委会",
            "start": "2026-11-27 09:00",
            "host": "李书记",
            "recorder": "王文书",
            "expected": 5,
            "present": 5,
            "items": [{"title": "研究本月重点工作"}],
        }
        when = dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST)
        # Saved as the app saves (through attempt, which marks the journal as already seen).
        saved = app.attempt(lambda: app.site.meetings.new(app.site.operator, when, "城关村", fields))
        assert saved is not None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "[草稿]" in seen(app) and "11月支委会" in seen(app), seen(app)
