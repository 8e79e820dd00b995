"""Every task the CLI can do, the app can do (issue 18 item 5), and minutes that cannot
contradict themselves (item 6), driven from the keyboard at 80×24 and read off the screen
(``visible_text``: what a person sees, drop-downs and dialogs included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from textual.pilot import Pilot
from textual.screen import Screen

from store.site import Site
from tests.docx_helpers import text_of
from tests.sites import NOW, decided_meeting, new_site
from tests.tui_helpers import make, visible_text
from tui.app import CunwuApp
from tui.dialogs import MessageDialog
from tui.screens.export_forms import ExportDialog
from tui.screens.meeting_pick import MeetingPickDialog
from tui.screens.records import MeetingDetailScreen, MeetingFormScreen, MeetingListScreen, SealFormScreen

SIZE = (80, 24)


def current(app: CunwuApp) -> Screen[Any]:
    return app.screen


async def type_into(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    """Focus a field and type ``text`` key by key (newlines as Enter)."""
    app.screen.query_one(selector).focus()
    await pilot.pause()
    for ch in text:
        await pilot.press("enter" if ch == "\n" else ("space" if ch == " " else ch))
    await pilot.pause()


async def choose(pilot: Pilot[None], app: CunwuApp, selector: str, downs: int) -> str:
    """Open a drop-down with Enter, move ``downs`` rows, pick with Enter; what the open list showed."""
    app.screen.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause()
    seen = visible_text(app)
    await pilot.press(*["down"] * downs, "enter")
    await pilot.pause()
    return seen


def meeting(site: Site, village: str, title: str, items: list[dict[str, Any]], day: str = "2026-11-26") -> str:
    fields = {
        "kind": "村民代表会议",
        "title": title,
        "start": f"{day} 09:00",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 39,
        "present": 26,
        "items": items,
    }
    return str(site.meetings.new(site.operator, NOW, village, fields)["number"])


PASSED = {"title": "村道硬化方案", "vote": {"ayes": 14, "nays": 9, "abstain": 3}, "resolution": "同意实施"}
FAILED = {"title": "路灯安装", "vote": {"ayes": 13, "nays": 13, "abstain": 0}, "resolution": "未通过"}


async def fill_seal_use(pilot: Pilot[None], app: CunwuApp) -> None:
    """The seal (党支部, picked from the open list), the document and the purpose."""
    seen = await choose(pilot, app, "#seal", 1)
    assert all(name in seen for name in ("党支部", "村委会", "村集体经济组织")), seen
    await type_into(pilot, app, "#document", "低保申请审核表")
    await type_into(pilot, app, "#purpose", "报镇政府")


async def test_seal_form_asks_for_the_explanation_when_the_approver_keeps_the_seal(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("tab", "n", "1")  # the seal table, new, 城关村
        await pilot.pause()
        assert isinstance(current(app), SealFormScreen)
        await fill_seal_use(pilot, app)
        seen = await choose(pilot, app, "#basis", 2)
        assert "会议决议（重大事项）" in seen and "未经批准" in seen
        await type_into(pilot, app, "#approver", "张三")
        await type_into(pilot, app, "#keeper", "李四")
        assert "情况说明" not in visible_text(app)
        app.screen.query_one("#keeper").value = ""  # type: ignore[attr-defined]
        await type_into(pilot, app, "#keeper", "张三")
        await pilot.press("tab")  # on to the field that has just appeared
        await pilot.pause()
        seen = visible_text(app)
        assert "批准人与印章保管人是同一人（张三）" in seen and "情况说明（如实写明用印经过" in seen
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        seen = visible_text(app)
        assert "不能是同一人" in seen and "情况说明" in seen
        await pilot.press("enter")
        assert site.seals.find() == []
        await type_into(pilot, app, "#irregular", "书记外出由保管人电话请示后盖章")
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), SealFormScreen)
        assert "低保申请审核表" in visible_text(app)
    [use] = site.seals.find()
    assert (use["approver"], use["keeper"], use["basis"]["kind"]) == ("张三", "张三", "routine")
    assert use["irregular"] == "书记外出由保管人电话请示后盖章"


async def test_seal_form_registers_an_unapproved_use_with_its_explanation(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SealFormScreen("南石村"))
        await pilot.pause()
        await fill_seal_use(pilot, app)
        await choose(pilot, app, "#basis", 3)
        await pilot.press("tab", "tab")  # past 批准人 (left empty) to 印章保管人
        await type_into(pilot, app, "#keeper", "李四")
        await pilot.press("tab")
        await pilot.pause()
        assert "未经批准的用印：请在下面写明情况说明" in visible_text(app)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "须在“情况说明”中写明用印经过" in visible_text(app)
        await pilot.press("enter")
        await type_into(pilot, app, "#irregular", "村委会主任不在先盖章后补批")
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), SealFormScreen)
    [use] = site.seals.find()
    assert (use["approver"], use["basis"]["kind"]) == ("（未经批准）", "none")


async def test_picking_a_meeting_from_the_list_fills_the_field(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    ours = meeting(site, "城关村", "审议村道硬化方案", [PASSED, FAILED])
    older = meeting(site, "城关村", "审议集体收益分配", [PASSED], day="2026-10-10")
    theirs = meeting(site, "南石村", "南石村的会议", [PASSED])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SealFormScreen("城关村"))
        await pilot.pause()
        await fill_seal_use(pilot, app)
        await choose(pilot, app, "#basis", 1)  # 会议决议
        app.screen.query_one("#pick-meeting").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), MeetingPickDialog)
        seen = visible_text(app)
        assert f"{ours}  2026-11-26  [草稿]" in seen and "村民代表会议·审议村道硬化方案  2项：1通过 1未通过" in seen
        assert older in seen and theirs not in seen and seen.index(ours) < seen.index(older)
        await pilot.press("enter")  # the newest, highlighted first
        await pilot.pause()
        assert isinstance(current(app), SealFormScreen)
        assert ours in visible_text(app)
        await type_into(pilot, app, "#approver", "李书记")
        await type_into(pilot, app, "#keeper", "王文书")
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), SealFormScreen)
    [use] = site.seals.find()
    assert use["basis"] == {"kind": "meeting", "meeting": ours, "text": "会议决议（审议村道硬化方案）"}


async def test_the_meeting_list_exports_the_register_of_meetings(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    meeting(site, "南石村", "审议村道硬化方案", [PASSED])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert "F8/x 导出" in visible_text(app).splitlines()[-1]
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(current(app), ExportDialog)
        seen = visible_text(app)
        assert "导出三会一课登记" in seen and "南石村" in seen  # the highlighted meeting's village
        app.screen.query_one("#year").value = ""  # type: ignore[attr-defined]
        await type_into(pilot, app, "#year", "26\n")
        assert "[未导出] 年度“26”无效，请写四位数的年份，如 2026" in visible_text(app)
        assert isinstance(current(app), ExportDialog)
        app.screen.query_one("#year").value = "2026"  # type: ignore[attr-defined]
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        seen = visible_text(app)
        assert "南石村2026年三会一课登记已保存到" in seen
    [written] = (tmp_path / "data" / "exports").rglob("*.docx")
    assert "三会一课登记_南石村_2026" in written.name
    assert "三会一课" in text_of(docx.Document(str(written)))


async def test_the_seal_list_exports_the_register_and_says_what_is_wrong_with_a_date(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    base = {"seal": "村委会", "document": "收益分配方案", "purpose": "公开", "approver": "李书记"}
    site.seals.new(site.operator, NOW, "城关村", {**base, "keeper": "王文书", "routine": True})
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(current(app), ExportDialog)
        seen = visible_text(app)
        assert "导出用印登记簿" in seen and "城关村" in seen and "全部印章" in seen and "2026-01-01" in seen
        app.screen.query_one("#start").value = "2026-13-01"  # type: ignore[attr-defined]
        await pilot.press("f8")
        await pilot.pause()
        assert "[未导出] 起始日期“2026-13-01”不是有效日期，请写成 2026-11-27" in visible_text(app)
        app.screen.query_one("#start").value = "2026-12-01"  # type: ignore[attr-defined]
        await pilot.press("f8")
        await pilot.pause()
        assert "[未导出] 截止日期 2026-11-27 早于起始日期 2026-12-01" in visible_text(app)
        assert list((tmp_path / "data").rglob("*.docx")) == []
        app.screen.query_one("#start").value = "2026-11-01"  # type: ignore[attr-defined]
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "用印登记簿（2026-11-01至2026-11-27）已保存到" in visible_text(app)
    [written] = (tmp_path / "data" / "exports").rglob("*.docx")
    text = text_of(docx.Document(str(written)))
    assert "用印登记簿" in text and "收益分配方案" in text


async def test_the_case_list_exports_a_ledger(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(current(app), ExportDialog)
        name = site.catalog.get("dibao").name
        seen = visible_text(app)
        assert "导出台账" in seen and name in seen  # the highlighted case's matter
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"全部村2026年{name}台账已保存到" in visible_text(app)
    [written] = (tmp_path / "data" / "exports").rglob("*.docx")
    assert "王某某低保申请" in text_of(docx.Document(str(written)))


async def test_the_meeting_list_summarises_every_item(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = meeting(site, "城关村", "审议两项方案", [PASSED, FAILED])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(current(app), MeetingListScreen)
        [row] = [line for line in visible_text(app).splitlines() if number in line]
        assert row.rstrip().endswith("2项：1通过 1未通过"), row


async def test_the_form_refuses_a_resolution_that_contradicts_its_vote(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingFormScreen("城关村", title="审议村道硬化方案", kind="村民代表会议"))
        await pilot.pause()
        await type_into(pilot, app, "#expected", "39")
        await type_into(pilot, app, "#present", "26")
        await type_into(pilot, app, "#items", "村道硬化方案")
        await type_into(pilot, app, "#votes", "1 13 10 3")
        await type_into(pilot, app, "#resolutions", "1:同意实施")
        assert "[与决议不符] 议题1未通过，决议不能写同意/通过" in visible_text(app)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        assert "第1项议题表决未通过，决议却写“同意实施”" in visible_text(app)
        await pilot.press("enter")
        assert isinstance(current(app), MeetingFormScreen) and site.meetings.find() == []


async def test_a_draft_page_says_what_confirming_still_needs(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    fields = {"kind": "支委会", "title": "研究村道", "start": "2026-11-26 09:00", "items": [{"title": "村道"}]}
    number = str(site.meetings.new(site.operator, NOW, "城关村", fields)["number"])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingDetailScreen(number))
        await pilot.pause()
        page = app.screen.query_one("#page")
        page.scroll_end(animate=False)
        await pilot.pause()
        seen = visible_text(app)
        assert (
            "确认前还需补填：主持人、记录人、应到人数、实到人数、表决（支委会至少要登记一项议题的表决）"
            in seen.replace("\n", "").replace(" ", "")
        )


async def test_a_case_step_takes_minutes_picked_from_the_villages_meetings(tmp_path: Path) -> None:
    """At a step that needs minutes, F7/n offers the village's meetings as a list (the meeting
    was held and typed in from the meeting list): no number is typed through the IME."""
    from tests.sites import walk_to

    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    walk_to(site, number, "appraise")
    meeting = site.meetings.new(
        site.operator, NOW, "城关村", decided_meeting("民主评议李某低保申请", "2026-11-26 09:00")
    )["number"]
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(number)
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        seen = visible_text(app)
        assert "从已有会议记录中选择" in seen and "登记新的会议记录" in seen
        await pilot.press("enter")  # the first: pick from the list
        await pilot.pause()
        assert isinstance(app.screen, MeetingPickDialog) and "民主评议李某低保申请" in visible_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert meeting in visible_text(app)
        await pilot.press("f6")  # complete: the question names the picked minutes
        await pilot.pause()
        assert meeting in visible_text(app)
        await pilot.press("down", "enter")
        await pilot.pause()
    done = Site(tmp_path / "data", environ={}).cases.get(number)
    assert done.record["current"] != "appraise" and meeting in done.records()
