"""Refresh only what changed (issue 19): another user's save reads a screen again only when it
shows records of that village; the minute's tick reads nothing until the day turns; a focused
text field does not blink (a blinking cursor redraws it twice a second down a slow link)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from store.journal import Watch
from tests.sites import NOW, new_site
from tests.test_tui_terminal import Terminal
from tests.tui_helpers import Clock, make, visible_text
from tui.screens.case import CaseScreen

SIZE = (80, 24)


def test_the_watch_names_what_was_saved_since_the_last_look(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    watch = Watch(site.store.journal.path)
    assert watch.changes() == set(), "what was saved before it is on the screens already"
    number = site.cases.open(site.operator, NOW, "dibao", "南石村", "周某").number
    assert watch.changes() == {f"case:{number}"}
    assert watch.changes() == set()
    # A journal put back from a copy (a restore): anything may have changed.
    copy = tmp_path / "journal.copy"
    shutil.copy(site.store.journal.path, copy)
    copy.replace(site.store.journal.path)
    assert watch.changes() is None


async def test_a_save_in_another_village_leaves_the_case_screen_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = new_site(tmp_path / "data")
    mine = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    app = make(tmp_path / "data", Clock())
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(mine)
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        reads: list[str] = []
        original = CaseScreen.refresh_data
        monkeypatch.setattr(CaseScreen, "refresh_data", lambda self: (reads.append(self.number), original(self)))
        site.cases.open(site.operator, NOW, "dibao", "南石村", "吴某")
        app.watch_store()
        await pilot.pause()
        assert reads == [], "a 南石村 save is not this 城关村 case's"
        other = site.cases.get(mine)
        site.cases.save_progress(site.operator, NOW, mine, other.rev, [], note="另一人的备注")
        app.watch_store()
        await pilot.pause()
        assert reads == [mine]
        assert "另一人的备注" in visible_text(app)


async def test_home_shows_another_user_s_case_and_the_new_day(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    clock = Clock(dt.date(2026, 11, 27))
    app = make(tmp_path / "data", clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "11月27日" in visible_text(app)
        site.cases.open(site.operator, NOW, "xinfang", "南石村", "孙某来访")
        app.watch_store()
        await pilot.pause()
        assert "孙某来访" in visible_text(app)
        app.new_day()  # the minute's tick, same day: nothing read
        await pilot.pause()
        assert "11月27日" in visible_text(app)
        clock.to(dt.date(2026, 11, 28))
        app.new_day()
        await pilot.pause()
        assert "11月28日" in visible_text(app) and "11月27日" not in visible_text(app)


def test_a_focused_text_field_sends_nothing_while_idle(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    term = Terminal(tmp_path / "data")
    try:
        assert term.read_until("退出", 30)
        term.send(b"c")  # the catalogue: its search field has the focus
        assert term.read_until("事项目录", 30)
        term.send("低保".encode())
        assert term.read_until("低保", 10)
        term.read_until("\x00never\x00", 1.0)  # let the screen settle
        before = len(term.seen)
        term.read_until("\x00never\x00", 2.5)
        assert len(term.seen) - before == 0, term.seen[before:][:200]
    finally:
        term.kill()


async def test_the_case_list_is_read_once_when_opened_once_per_filter_and_after_a_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Select

    from tui.screens.cases import CaseListScreen

    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "周某").number
    reads: list[int] = []
    original = CaseListScreen._rows
    monkeypatch.setattr(CaseListScreen, "_rows", lambda self: (reads.append(1), original(self))[1])
    app = make(tmp_path / "data", Clock())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert len(reads) == 1, "the drop-downs' first values are not filter changes"
        app.open_case(number)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(reads) == 1 and "周某" in visible_text(app), "nothing was saved: nothing to read again"
        app.open_case(number)
        await pilot.pause()
        await pilot.press("space", "f2")  # a tick saved on the case screen
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert len(reads) == 2, "back from a save: read again"
        app.screen.query_one("#status", Select).value = "done"
        await pilot.pause()
        assert len(reads) == 3 and "没有符合条件的办件" in visible_text(app)


async def test_the_case_list_reads_again_only_the_files_saved_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.db import Store
    from tui.screens.cases import CaseListScreen

    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "xinfang", "城关村", "甲某来访")
    site.cases.open(site.operator, NOW, "xinfang", "南石村", "乙某来访")
    read: list[str] = []
    original = Store.overview_or_skip
    monkeypatch.setattr(Store, "overview_or_skip", lambda self, p, v: (read.append(p.village), original(self, p, v))[1])
    clock = Clock()
    app = make(tmp_path / "data", clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CaseListScreen) and "（1/2）" in visible_text(app)
        read.clear()
        await pilot.press("escape", "b")  # opened again: nothing saved since, nothing read
        await pilot.pause()
        assert read == [] and "（1/2）" in visible_text(app)
        site.cases.open(site.operator, NOW, "xinfang", "南石村", "丙某来访")  # another user
        app.watch_store()
        await pilot.pause()
        assert read == ["南石村"] and "（1/3）" in visible_text(app)
        read.clear()
        clock.to(dt.date(2026, 11, 28))
        app.new_day()
        await pilot.pause()
        assert sorted(read) == ["南石村", "城关村"], "a new day: every file's time limits again"
