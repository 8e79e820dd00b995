"""Lists that stay put: fixed column widths whatever the filter leaves, and a highlight that
stays on its record when the list is re-read (Enter must open the case the person sees)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Select

from tests.sites import NOW, new_site
from tests.tui_helpers import Clock, make, visible_text

SIZE = (80, 24)


def detail_line(seen: str) -> str:
    """The line under the list that spells out the highlighted case."""
    return next(line for line in seen.splitlines() if "事由：" in line)


def header_line(seen: str) -> str:
    return next(line for line in seen.splitlines() if "办件编号" in line)


async def test_highlight_follows_the_case_when_another_user_adds_one(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "甲户低保")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "乙户低保")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        before = detail_line(visible_text(app))
        chosen = "甲户低保" if "甲户低保" in before else "乙户低保"
        assert f"事由：{chosen}" in before and "（2/2）" in before
        # Another clerk opens a case that sorts first; the list is re-read (F5).
        site.cases.open(site.operator, NOW, "dibao", "南石村", "丙户低保")
        await pilot.press("f5")
        await pilot.pause()
        after = detail_line(visible_text(app))
        assert f"事由：{chosen}" in after and "/3）" in after, after


async def test_columns_keep_their_widths_when_a_filter_leaves_short_rows(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "一位申请人的很长很长的事由说明")
    site.cases.open(site.operator, NOW, "dibao", "南石村", "短")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        wide = header_line(visible_text(app))
        app.screen.query_one("#village", Select).value = "南石村"
        await pilot.pause()
        narrow = header_line(visible_text(app))
        app.screen.query_one("#status", Select).value = "done"  # nothing done yet: no rows at all
        await pilot.pause()
        empty = header_line(visible_text(app))
        app.screen.query_one("#status", Select).value = "open"
        await pilot.pause()
        assert narrow == wide == empty == header_line(visible_text(app))
        # Every row fits the 80 columns: no column runs off the right edge.
        assert all(len(line) <= 80 for line in visible_text(app).splitlines())
        assert "时限" in wide


SEAL = {"seal": "党支部", "document": "党员身份证明", "purpose": "办理转接", "copies": 1, "routine": True}


async def test_seal_register_highlight_stays_on_its_record_after_a_refresh(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    use = {**SEAL, "approver": "李书记", "keeper": "王文书"}
    first = site.seals.new(site.operator, NOW, "城关村", {**use, "date": "2026-11-20"})["number"]
    second = site.seals.new(site.operator, NOW, "城关村", {**use, "date": "2026-11-21"})["number"]
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("tab", "down")  # the seal table, its second row: the older use
        await pilot.pause()
        # Another clerk registers a newer use, which sorts first; the list is re-read.
        site.seals.new(site.operator, NOW, "城关村", {**use, "date": "2026-11-22"})
        await pilot.press("f5", "enter")
        await pilot.pause()
        seen = visible_text(app)
        assert first in seen and second not in seen, seen


async def test_focus_is_shown_in_one_colour_that_is_not_the_error_colour(tmp_path: Path) -> None:
    """The focused list's edge is drawn in the theme's focus colour ($border), never in the accent
    (orange, which reads as red on the cadres' terminals) or the error colour."""
    from textual.color import Color
    from textual.widgets import OptionList

    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        steps = app.screen.query_one("#steps", OptionList)
        steps.focus()
        await pilot.pause()
        variables = app.get_css_variables()
        edge = steps.styles.border_left[1]
        assert edge == Color.parse(variables["border"])
        assert edge not in (Color.parse(variables["accent"]), Color.parse(variables["error"]))


def test_a_count_typed_wrong_says_what_to_type() -> None:
    import pytest

    from store.errors import BadInput
    from tui.screens.record_common import count

    assert count("１２", "份数") == 12 and count(" ", "份数") is None
    with pytest.raises(BadInput, match="份数不能是负数：填写了“-1”，请填 0 或更大的整数，如 1。未保存。"):
        count("-1", "份数")
    with pytest.raises(BadInput, match="份数只能填数字：填写了“两份”"):
        count("两份", "份数")


async def test_every_tab_stop_is_a_field_or_a_list(tmp_path: Path) -> None:
    """Tab never stops on an invisible scrolling container (the next key went nowhere)."""
    from textual.containers import VerticalScroll

    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    app = make(tmp_path / "data")
    stops: dict[str, list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        for where, keys in (
            ("case", ()),
            ("seal form", ("escape", "g", "tab", "n", "1")),
            ("meeting form", ("escape", "escape", "m", "n", "1")),
        ):
            if where == "case":
                app.open_case(number)
            await pilot.press(*keys)
            await pilot.pause()
            seen = []
            for _ in range(16):
                await pilot.press("tab")
                await pilot.pause()
                assert app.focused is not None
                seen.append(type(app.focused).__name__)
                assert not isinstance(app.focused, VerticalScroll), (where, seen)
            stops[where] = seen
    assert "Input" in stops["seal form"] and "OptionList" in stops["case"]


async def test_home_s_highlight_follows_the_case_when_another_user_adds_one(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "xinfang", "城关村", "甲某来访")
    site.cases.open(site.operator, NOW, "xinfang", "南石村", "乙某来访")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [line for line in visible_text(app).splitlines() if "来访" in line]
        assert "甲某来访" in rows[0] and "乙某来访" in rows[1]
        await pilot.press("down")  # on 乙某来访
        # Another clerk opens a case of 城关村 the same day: it is listed before 乙某来访.
        site.cases.open(site.operator, NOW, "xinfang", "城关村", "丙某来访")
        await pilot.press("f5")
        await pilot.pause()
        rows = [line for line in visible_text(app).splitlines() if "来访" in line]
        assert "丙某来访" in rows[1] and "乙某来访" in rows[2]
        await pilot.press("enter")
        await pilot.pause()
        assert "乙某来访" in visible_text(app) and "丙某来访" not in visible_text(app)


async def test_a_long_list_is_shown_a_page_at_a_time_to_its_end(tmp_path: Path) -> None:
    from tui.tables import PAGE

    site = new_site(tmp_path / "data")
    total = PAGE * 2 + 50
    with site.store.transaction(site.operator, NOW):
        for n in range(total):
            site.cases.open(site.operator, NOW, "xinfang", "城关村", f"第{n + 1:03d}号来访")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert f"（1/{total}）" in detail_line(visible_text(app))
        assert app.screen.query_one("#cases").row_count == PAGE, "one page in the table, not every case"
        for _ in range(3):  # Ctrl+End goes to the last row shown; the next page comes as it nears it
            await pilot.press("ctrl+end")
            await pilot.pause()
        seen = visible_text(app)
        assert f"（{total}/{total}）" in detail_line(seen) and f"第{total:03d}号来访" in detail_line(seen)


async def test_the_year_filter_lists_that_year_s_cases(tmp_path: Path) -> None:
    import datetime as dt

    from tests.sites import at

    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "xinfang", "城关村", "去年的来访")
    site.cases.open(site.operator, at(dt.date(2027, 1, 5)), "xinfang", "城关村", "今年的来访")
    app = make(tmp_path / "data", Clock(dt.date(2027, 1, 6)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert "去年的来访" in visible_text(app) or "（1/2）" in detail_line(visible_text(app))
        await pilot.click("#year")
        await pilot.pause()
        assert "2026年" in visible_text(app) and "2027年" in visible_text(app)
        await pilot.press("down", "down", "enter")  # 全部年份 → 2027年 → 2026年
        await pilot.pause()
        seen = visible_text(app)
        assert "（1/1）" in detail_line(seen) and "去年的来访" in detail_line(seen)


async def test_home_shows_the_most_urgent_and_counts_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from tests.sites import walk_to
    from tui.screens import home
    from tui.screens.cases import CaseListScreen
    from tui.screens.meeting_list import MeetingListScreen

    monkeypatch.setattr(home, "CASES_SHOWN", 3)
    monkeypatch.setattr(home, "DRAFTS_SHOWN", 2)
    site = new_site(tmp_path / "data")
    for n in range(5):
        number = site.cases.open(site.operator, NOW, "xinfang", "城关村", f"第{n + 1}号来访").number
        walk_to(site, number, "transfer", choose={"entry": "接待"})
    fields = {"kind": "支委会", "title": "支委会", "start": "2026-11-20 09:00", "host": "李书记"}
    for _ in range(4):
        site.meetings.new(site.operator, NOW, "南石村", fields)
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 2)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = visible_text(app)
        assert "超期 5" in seen, "the line above counts every one"
        assert "另有 2 个时限：回车或按 b 看办件列表（可只看超期）" in seen
        assert "另有 2 份草稿：回车或按 m 看会议记录" in seen
        rows = [line for line in seen.splitlines() if "城关村-2026-00" in line]
        assert len(rows) == 3, seen
        await pilot.press("down", "down", "down", "enter")  # the 另有 … row of time limits
        await pilot.pause()
        assert isinstance(app.screen, CaseListScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")  # from 另有 … 时限 (kept) to 另有 … 草稿
        await pilot.pause()
        assert isinstance(app.screen, MeetingListScreen)
