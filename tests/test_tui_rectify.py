"""The 整改 screen (issue 21, item 5): the 整改事项 by village and status, overdue first and red
from the day after the deadline; 完成 by the village and 销号 by the 监委会 or the 乡镇 through
the screen, each refusal in the store's words and changing nothing; a new item from an
inspection; the 整改台账 and the registers as .xlsx from the app. Pilot at 80×24, data built
through the store's API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from store.site import Site
from tests.accounts import CADRE, SUPERVISOR, TOWNSHIP, env, open_as, register
from tests.sites import NOW, new_site
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog
from tui.screens.export_forms import ExportDialog
from tui.screens.rectify import ActDialog, RectifyFormScreen, RectifyScreen

SIZE = (80, 24)
DAY0 = dt.date(2026, 11, 27)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    new_site(data)
    register(data)
    return data


def fields(**more: str) -> dict[str, str]:
    base = {
        "source": "inspection",
        "problem": "会议记录召开 7 日后仍未锁定",
        "measure": "补全会议记录并确认锁定",
        "responsible": "王文书",
        "deadline": "2026-12-10",
    }
    return {**base, **more}


def add(root: Path, village: str = "城关村", **more: str) -> str:
    """A 整改事项 opened by the 乡镇 (包村干部) through the store; returns its number."""
    township = open_as(root, TOWNSHIP)
    return str(township.rectifications.new(township.operator, NOW, village, fields(**more))["number"])


def journal(root: Path) -> bytes:
    return (root / "journal.jsonl").read_bytes()


def current(app: CunwuApp) -> Screen[Any]:
    return app.screen


def rows(app: CunwuApp) -> list[str]:
    """The list's rows as text, one line a row."""
    table = app.screen.query_one("#fixes", DataTable)
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def red_words(app: CunwuApp) -> str:
    """The text the screen draws in red."""
    out = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            color = segment.style.color if segment.style is not None else None
            if color is not None and color.triplet is not None:
                r, g, b = color.triplet
                if r > 150 and g < 100 and b < 100:
                    out.append(segment.text)
    return "".join(out)


async def open_screen(pilot: Pilot[None], app: CunwuApp) -> None:
    await pilot.pause()
    await pilot.press("y")
    await pilot.pause()
    assert isinstance(current(app), RectifyScreen)


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press(ch)
    await pilot.pause()


async def test_the_list_shows_each_state_and_overdue_only_from_the_day_after_the_deadline(root: Path) -> None:
    late = add(root, deadline="2026-12-10")
    later = add(root, "南石村", deadline="2026-12-20", problem="用印未登记批准人", responsible="李主任")
    done = add(root, deadline="2026-12-05", problem="公示未满七日即撤下")
    cadre = open_as(root, CADRE)
    cadre.rectifications.finish(cadre.operator, NOW, done, "已重新张贴公示七日")
    clock = Clock(dt.date(2026, 12, 10))
    app = make(root, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        seen = visible_text(app)
        assert "村" in seen and "编号" in seen and "状态" in seen and "期限" in seen and "问题" in seen
        assert "【已逾期】" not in seen, "not overdue on its deadline"
        listed = rows(app)
        assert listed[0].startswith("城关村 2026-ZG0002 已完成待销号 2026-12-05")
        assert listed[1].startswith(f"城关村 {late.removeprefix('城关村-')} 整改中 2026-12-10 王文书 会议记录召开")
        assert listed[2].startswith(f"南石村 {later.removeprefix('南石村-')} 整改中 2026-12-20 李主任")
        await pilot.press("escape")
        clock.to(dt.date(2026, 12, 11))
        await pilot.press("y")
        await pilot.pause()
        seen = visible_text(app)
        assert "【已逾期】整改中" in seen and "其中已逾期 1 项" in seen
        assert rows(app)[0].startswith("城关村 2026-ZG0001 【已逾期】整改中 2026-12-10"), "overdue first"
        await pilot.press("down")  # (the highlighted row is drawn in the cursor's colours)
        await pilot.pause()
        assert "【已逾期】" in red_words(app) and "已完成待销号" not in red_words(app)
        await pilot.press("up")
        await pilot.press("enter")  # the item's page
        await pilot.pause()
        assert "整改事项 城关村-2026-ZG0001" in visible_text(app) and "（整改中，已逾期）" in visible_text(app)


async def test_the_village_and_status_dropdowns_filter_the_list(root: Path) -> None:
    add(root, deadline="2026-12-10")
    add(root, "南石村", deadline="2026-12-20", problem="用印未登记批准人", responsible="李主任")
    waived = add(root, deadline="2026-12-30", problem="村务公开栏破损")
    township = open_as(root, TOWNSHIP)
    township.rectifications.waive(township.operator, NOW, waived, "公开栏已在改造计划中")
    app = make(root, Clock(dt.date(2026, 12, 11)))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        assert len(rows(app)) == 3
        await pilot.press("f3", "enter")  # the village drop-down, opened
        await pilot.pause()
        seen = visible_text(app)
        assert "全部村" in seen and "城关村" in seen and "南石村" in seen
        await pilot.press("down", "down", "enter")  # 南石村
        await pilot.pause()
        assert [r.split()[0] for r in rows(app)] == ["南石村"]
        await pilot.press("up", "up", "enter")  # back to 全部村 … (the list opens on the value)
        await pilot.pause()
        await pilot.press("tab", "enter")  # the status drop-down, opened
        await pilot.pause()
        seen = visible_text(app)
        for word in ("全部", "整改中", "已完成待销号", "已销号", "无需整改", "已逾期"):
            assert word in seen, word
        await pilot.press("down", "down", "down", "down", "down", "enter")  # 已逾期
        await pilot.pause()
        assert [r.split()[1] for r in rows(app)] == ["2026-ZG0001"]
        assert "【已逾期】整改中" in visible_text(app)
        await pilot.press("enter", "up", "enter")  # 无需整改
        await pilot.pause()
        assert [r.split()[2] for r in rows(app)] == ["无需整改"]


async def test_done_by_the_village_closed_by_the_committee_and_refused_to_others(root: Path) -> None:
    """王文书 (村干部) registers 完成; he may not 销号 (a 村干部), nor may 赵六 (监委会) where he is
    responsible; 赵六 closes the item 王文书 answers for. Refusals leave the journal as it was."""
    mine = add(root, responsible="王文书")
    his = add(root, responsible="赵六", problem="用印未登记批准人")
    clock = Clock(dt.date(2026, 12, 1))
    cadre = make(root, clock, environ=env(CADRE))
    async with cadre.run_test(size=SIZE) as pilot:
        await open_screen(pilot, cadre)
        for _ in range(2):  # both 完成, with the evidence, chosen on purpose past 取消
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(current(cadre), ActDialog)
            seen = visible_text(cadre)
            assert "登记整改完成" in seen and "不能撤销" in seen and "> [ 取消 ]" in seen
            await type_text(pilot, "已补全并锁定")
            await pilot.press("enter", "down", "enter")
            await pilot.pause()
            assert isinstance(current(cadre), RectifyScreen)
            await pilot.press("down")
        assert [r.split()[2] for r in rows(cadre)] == ["已完成待销号", "已完成待销号"]
        before = journal(root)
        await pilot.press("d")  # 销号 by a 村干部: refused before any text is asked for
        await pilot.pause()
        assert isinstance(current(cadre), MessageDialog)
        assert "整改销号只能由监委会、乡镇或管理员账号办理" in screen_text(cadre)
        assert journal(root) == before
    committee = make(root, clock, environ=env(SUPERVISOR))
    async with committee.run_test(size=SIZE) as pilot:
        await open_screen(pilot, committee)
        table = committee.screen.query_one("#fixes", DataTable)
        table.move_cursor(row=rows(committee).index(next(r for r in rows(committee) if "用印" in r)))
        before = journal(root)
        await pilot.press("d")
        await pilot.pause()
        assert "销号：" + his in visible_text(committee) and "完成佐证：已补全并锁定" in visible_text(committee)
        await type_text(pilot, "同意")
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert isinstance(current(committee), MessageDialog)
        assert f"整改事项 {his} 的责任人“赵六”中有 赵六" in screen_text(committee)
        assert "责任人不能为自己负责的整改销号" in screen_text(committee)
        assert journal(root) == before
        await pilot.press("enter")
        table.move_cursor(row=rows(committee).index(next(r for r in rows(committee) if "会议记录" in r)))
        await pilot.press("d")
        await pilot.pause()
        await type_text(pilot, "经核实已锁定")
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert isinstance(current(committee), RectifyScreen)
        assert any(r.startswith(f"城关村 {mine.removeprefix('城关村-')} 已销号") for r in rows(committee))
    record = Site(root, environ={}).rectifications.get(mine)
    assert record["state"] == "closed" and record["closed"]["by_name"] == "赵六"


async def test_enter_or_escape_on_the_finish_question_changes_nothing(root: Path) -> None:
    number = add(root)
    app = make(root, Clock(dt.date(2026, 12, 1)), environ=env(CADRE))
    before = journal(root)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        await pilot.press("d", "enter")  # nothing typed: Enter is 取消
        await pilot.pause()
        assert isinstance(current(app), RectifyScreen)
        await pilot.press("d")
        await type_text(pilot, "已整改")
        await pilot.press("enter", "enter")  # to the buttons, then the default: 取消
        await pilot.pause()
        assert isinstance(current(app), RectifyScreen)
        await pilot.press("d")
        await type_text(pilot, "已整改")
        await pilot.press("escape")  # typed text: asks first, 继续编辑 the default
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "本页有未保存的内容" in visible_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), ActDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("up", "enter")  # 放弃 (above 继续编辑)
        await pilot.pause()
        assert isinstance(current(app), RectifyScreen)
        assert "整改中" in rows(app)[0]
    assert journal(root) == before
    assert Site(root, environ={}).rectifications.get(number)["state"] == "open"


async def test_progress_and_waive_through_the_screen(root: Path) -> None:
    number = add(root)
    clock = Clock(dt.date(2026, 12, 1))
    cadre = make(root, clock, environ=env(CADRE))
    async with cadre.run_test(size=SIZE) as pilot:
        await open_screen(pilot, cadre)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(current(cadre), TextDialog)
        await type_text(pilot, "已补全议题")
        await pilot.press("enter")
        await pilot.pause()
        before = journal(root)
        await pilot.press("u")  # 无需整改: the 乡镇's
        await pilot.pause()
        assert "认定“无需整改”只能由乡镇或管理员账号办理" in screen_text(cadre)
        assert journal(root) == before
    township = make(root, clock, environ=env(TOWNSHIP))
    async with township.run_test(size=SIZE) as pilot:
        await open_screen(pilot, township)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(current(township), ActDialog) and "> [ 取消 ]" in visible_text(township)
        await type_text(pilot, "已另案处理")
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert rows(township)[0].split()[2] == "无需整改"
    record = Site(root, environ={}).rectifications.get(number)
    assert [p["text"] for p in record["progress"]] == ["已补全议题"] and record["closed"]["note"] == "已另案处理"


async def test_a_new_item_from_an_inspection_appears_in_the_list(root: Path) -> None:
    app = make(root, Clock(dt.date(2026, 12, 1)))  # the 管理员: two villages, asked which
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        assert "没有整改事项" in visible_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "哪个村？" in visible_text(app)
        await pilot.press("2")  # 南石村
        await pilot.pause()
        assert isinstance(current(app), RectifyFormScreen) and "南石村：登记检查发现的问题" in visible_text(app)
        await type_text(pilot, "财务公开不及时")
        await pilot.press("tab")
        await type_text(pilot, "按季度公开")
        await pilot.press("tab")
        await type_text(pilot, "李主任")
        await pilot.press("escape")  # typed work: asks first
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog)
        await pilot.press("enter")  # 继续编辑
        await pilot.pause()
        app.screen.query_one("#deadline").value = "2026-11-30"  # type: ignore[attr-defined]
        await pilot.press("f2")
        await pilot.pause()
        assert "整改期限 2026-11-30 早于今天" in visible_text(app)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#deadline").value = "2026-12-31"  # type: ignore[attr-defined]
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), RectifyScreen)
        assert rows(app)[0].startswith("南石村 2026-ZG0001 整改中 2026-12-31 李主任 财务公开不及时")
    [record] = Site(root, environ={}).rectifications.find()
    assert record["source"] == "inspection" and record["measure"] == "按季度公开"


async def test_the_screen_exports_the_ledger_of_the_village_filtered(root: Path) -> None:
    add(root)
    add(root, "南石村", problem="用印未登记批准人", responsible="李主任")
    app = make(root, Clock(dt.date(2026, 12, 11)))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        await pilot.press("f3", "enter", "down", "enter", "x")  # 城关村, then F8/x
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        assert "城关村整改台账（Excel）已保存到" in visible_text(app)
    [written] = (root / "exports").rglob("*.xlsx")
    assert written.name.endswith("整改台账_城关村.xlsx")
    book = load_workbook(written)
    assert book.sheetnames[0] == "说明"
    cells = [str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value is not None]
    assert any("会议记录召开" in c for c in cells) and not any("用印未登记" in c for c in cells)


@pytest.mark.parametrize(
    ("key", "what", "name"),
    [
        ("m", "三会一课登记", "三会一课登记_城关村_2026"),
        ("g", "用印登记簿", "用印登记簿_城关村"),
        ("b", "台账", "台账_45"),
    ],
)
async def test_the_export_dialogs_offer_excel(tmp_path: Path, key: str, what: str, name: str) -> None:
    from tests.test_tui_parity import PASSED, meeting

    site = new_site(tmp_path / "data")
    meeting(site, "城关村", "审议村道硬化方案", [PASSED])
    base = {"seal": "村委会", "document": "收益分配方案", "purpose": "公开", "approver": "李书记"}
    site.seals.new(site.operator, NOW, "城关村", {**base, "keeper": "王文书", "routine": True})
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请")
    app = make(tmp_path / "data", Clock(DAY0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        if key == "g":
            await pilot.press("tab")  # the seal list
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(current(app), ExportDialog)
        seen = visible_text(app)
        assert "格式" in seen and "Word" in seen, seen
        app.screen.query_one("#village").value = "城关村"  # type: ignore[attr-defined]
        app.screen.query_one("#format").focus()
        await pilot.press("enter")  # the format drop-down, opened
        await pilot.pause()
        assert "Excel（.xlsx）" in visible_text(app)
        await pilot.press("down", "enter", "f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        seen = visible_text(app)
        assert f"{what}" in seen and ".xlsx" in seen, seen
    [written] = (tmp_path / "data" / "exports").rglob("*.xlsx")
    assert name in written.name
    book = load_workbook(written)
    assert book.sheetnames[0] == "说明"
    assert list((tmp_path / "data" / "exports").rglob("*.docx")) == []


async def test_typed_words_are_shown_literally(root: Path) -> None:
    add(root, problem="[b]公开栏[/b] [/] [@click=app.quit]破损", responsible="[red]某某")
    app = make(root, Clock(dt.date(2026, 12, 1)))
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, app)
        seen = visible_text(app)
        assert "[red..  [b]公开栏[/b].." in seen, "clipped to the columns, not parsed"
        assert "问题：[b]公开栏[/b] [/] [@click=app.quit]破损" in seen
        await pilot.press("d")
        await pilot.pause()
        assert "问题：[b]公开栏[/b] [/] [@click=app.quit]破损" in visible_text(app)
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert "问题：[b]公开栏[/b] [/] [@click=app.quit]破损" in visible_text(app)  # the item's page
