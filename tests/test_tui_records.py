"""Meeting, notice, objection and seal forms and their registers: Pilot at 80×24 with a fixed date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Select

from procedures import idnumber
from store.errors import BadInput
from store.site import Site
from tests.sites import NOW, at, decided_meeting, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog
from tui.screens.home import HomeScreen
from tui.screens.meeting_form import arithmetic, meeting_fields
from tui.screens.notice_forms import entry_rows, mask_text, unmask_text, unmasking
from tui.screens.records import (
    DecisionFormScreen,
    MeetingDetailScreen,
    MeetingFormScreen,
    MeetingListScreen,
    NoticeDetailScreen,
    NoticeFormScreen,
    NoticeSealListScreen,
    ObjectionFormScreen,
    SealFormScreen,
)

SIZE = (80, 24)
ID = "11010519491231002X"


async def type_into(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    """Focus a field and type ``text`` (newlines as Enter)."""
    app.screen.query_one(selector).focus()
    await pilot.pause()
    for ch in text:
        await pilot.press("enter" if ch == "\n" else ("space" if ch == " " else ch))
    await pilot.pause()


def current(app: CunwuApp) -> Screen[Any]:
    """The screen on top (a call, so that mypy does not carry an isinstance over the awaits)."""
    return app.screen


def shown_arithmetic(app: CunwuApp) -> str:
    return str(app.screen.query_one("#arithmetic").render())


def table_text(table: DataTable[object]) -> str:
    """What the table draws on the terminal (after any markup parsing), line by line."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def low_income_case(site: Site) -> str:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    return number


async def test_quorum_not_met_is_shown_live_and_stored_as_not_passed(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "n", "1")  # meetings, new, the first village
        await pilot.pause()
        form = current(app)
        assert isinstance(form, MeetingFormScreen) and form.village == "城关村"
        assert "请先选择会议类别" in shown_arithmetic(app)
        await pilot.press("enter", *["down"] * 9, "enter")  # the kind, from the keyboard
        await pilot.pause()
        assert app.screen.query_one("#kind", Select).value == "村民代表会议"
        await type_into(pilot, app, "#title", "审议村道硬化方案")
        await type_into(pilot, app, "#host", "张书记")
        await type_into(pilot, app, "#recorder", "李文书")
        await type_into(pilot, app, "#expected", "39")
        assert "填写应到、实到人数后" in shown_arithmetic(app)
        await type_into(pilot, app, "#present", "25")
        assert "实到 25/应到 39 < 2/3" in shown_arithmetic(app) and "未达到法定人数" in shown_arithmetic(app)
        await type_into(pilot, app, "#items", "村道硬化方案")
        await type_into(pilot, app, "#votes", "1 20 3 2")
        assert "议题1：" in shown_arithmetic(app) and "→ 未达到法定人数，不能表决" in shown_arithmetic(app)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MeetingListScreen)
        assert "1项：1未通过" in screen_text(app)
    [meeting] = site.meetings.find()
    item = meeting["items"][0]
    assert (meeting["expected"], meeting["present"], meeting["state"]) == (39, 25, "draft")
    assert item["passed"] is False and "未达到法定人数" in item["arithmetic"]
    assert item["vote"]["ayes"] == 20


async def test_quorum_met_and_majority_shows_passed(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingFormScreen("南石村", title="审议收益分配方案", kind="村民代表会议"))
        await pilot.pause()
        await type_into(pilot, app, "#expected", "39")
        await type_into(pilot, app, "#present", "26")
        assert "实到 26/应到 39 ≥ 2/3 → 已达到" in shown_arithmetic(app)
        await type_into(pilot, app, "#items", "收益分配方案\n其他事项")
        await type_into(pilot, app, "#votes", "1 14 9 3")
        assert "议题1：实到 26/应到 39 ≥ 2/3；赞成 14 > 26/2（反对 9，弃权 3）→ 通过" in shown_arithmetic(app)
        await type_into(pilot, app, "#votes", "\n2 13 10 3")
        assert "议题2：" in shown_arithmetic(app) and "赞成 13 ≤ 26/2" in shown_arithmetic(app)
        await type_into(pilot, app, "#resolutions", "1:同意按方案分配")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(current(app), MeetingFormScreen)
    [meeting] = site.meetings.find()
    assert meeting["village"] == "南石村" and meeting["title"] == "审议收益分配方案"
    assert meeting["start"] == "2026-11-27T09:00"
    assert [i["passed"] for i in meeting["items"]] == [True, False]
    assert meeting["items"][0]["resolution"] == "同意按方案分配"


async def test_bad_counts_show_a_note_and_save_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingFormScreen("城关村", title="x", kind="支委会"))
        await pilot.pause()
        await type_into(pilot, app, "#expected", "7")
        await type_into(pilot, app, "#present", "9")
        assert "实到 9 人多于应到 7 人" in shown_arithmetic(app)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "多于应到" in screen_text(app)
        await pilot.press("enter")
        assert isinstance(current(app), MeetingFormScreen)
    assert site.meetings.find() == []


async def test_markup_in_a_meeting_title_is_shown_literally(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    fields = {"kind": "支委会", "title": "[bold]x[/]", "start": "2026-11-26 09:00", "expected": 5, "present": 5}
    number = site.meetings.new(site.operator, NOW, "城关村", fields)["number"]
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        [row] = [line for line in table_text(app.screen.query_one(DataTable)).splitlines() if number in line]
        assert "2026-11-26" in row and "支委会·[bold]x[/]" in row and "草稿" in row and "无议题" in row
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), MeetingDetailScreen)
        assert "名称：[bold]x[/]" in screen_text(app)
        assert app.is_running


async def test_meeting_page_edit_confirm_lock_and_correct(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    fields = {
        "kind": "村民代表会议",
        "title": "审议村道",
        "start": "2026-11-26 09:00",
        "expected": 39,
        "present": 26,
        "items": [{"title": "村道", "speeches": [{"name": "王某", "summary": "赞成"}], "vote": None}],
    }
    number = site.meetings.new(site.operator, NOW, "城关村", fields)["number"]
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingDetailScreen(number))
        await pilot.pause()
        await pilot.press("f6", "down", "enter")  # 确认: refused, host and recorder missing
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "主持人、记录人" in screen_text(app)
        await pilot.press("enter", "e")
        await pilot.pause()
        assert isinstance(current(app), MeetingFormScreen)
        assert app.screen.query_one("#expected").value == "39"  # type: ignore[attr-defined]
        await type_into(pilot, app, "#host", "张书记")
        await type_into(pilot, app, "#recorder", "李文书")
        await type_into(pilot, app, "#votes", "1 14 9 3")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MeetingDetailScreen)
        assert "结果：[通过]" in screen_text(app) and "发言：王某：赞成" in screen_text(app)
        await pilot.press("d", "down", "enter")  # 确认
        await pilot.pause()
        assert site.meetings.get(number)["state"] == "confirmed"
        await pilot.press("e")
        assert isinstance(current(app), MeetingDetailScreen), "a confirmed minute is neither edited nor corrected"
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "锁定后会议记录永久保持原样" in screen_text(app)
        await pilot.press("enter")  # the default: 取消
        await pilot.pause()
        assert site.meetings.get(number)["state"] == "confirmed"
        await pilot.press("f6", "down", "enter", "e")  # 锁定（永久）, then a correction
        await pilot.pause()
        assert isinstance(current(app), TextDialog)
        await pilot.press(*"缺席人员赵某应为赵某某", "enter")
        await pilot.pause()
        assert "更正说明：" in screen_text(app) and "缺席人员赵某应为赵某某" in screen_text(app)
    stored = site.meetings.get(number)
    assert stored["state"] == "locked" and stored["host"] == "张书记"
    assert stored["items"][0]["speeches"] == [{"name": "王某", "summary": "赞成"}]
    assert [c["text"] for c in stored["corrections"]] == ["缺席人员赵某应为赵某某"]


async def test_seal_approver_who_keeps_the_seal_is_refused(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(current(app), NoticeSealListScreen)
        await pilot.press("tab", "n", "2")  # the seal table, new, 南石村
        await pilot.pause()
        form = current(app)
        assert isinstance(form, SealFormScreen) and form.village == "南石村"
        app.screen.query_one("#seal", Select).value = "村委会"
        await type_into(pilot, app, "#document", "低保申请审核表")
        await type_into(pilot, app, "#purpose", "报镇政府")
        await type_into(pilot, app, "#approver", "张三")
        await type_into(pilot, app, "#keeper", "张三")
        app.screen.query_one("#basis").focus()
        await pilot.press("enter", "down", "down", "enter")  # the second basis, from the keyboard
        await pilot.pause()
        assert "一般常规业务资料，经负责人审阅同意" in visible_text(app)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "不能是同一人" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(current(app), SealFormScreen)
        assert site.seals.find() == []
        app.screen.query_one("#keeper").value = "李四"  # type: ignore[attr-defined]
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), NoticeSealListScreen)
        assert "低保申请审核表" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "批准人：张三    保管人：李四" in screen_text(app)
    [use] = site.seals.find()
    assert (use["village"], use["seal"], use["basis"]["kind"]) == ("南石村", "村委会", "routine")


async def test_notice_form_refuses_a_bad_id_number_and_shows_the_end_date(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = low_income_case(site)
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(NoticeFormScreen(number))
        await pilot.pause()
        assert app.screen.query_one("#title").value == "关于王某某低保申请的公示"  # type: ignore[attr-defined]
        assert "公示期2026年11月28日至2026年12月4日，共7日，2026年12月5日起方可结束" in screen_text(app)
        posted = app.screen.query_one("#posted")
        posted.value = "2026-11-28"  # type: ignore[attr-defined]
        await pilot.pause()
        assert "顺延至2026年12月7日，2026年12月8日起" in screen_text(app)  # 12-05 is a Saturday
        posted.value = "2026-11-27"  # type: ignore[attr-defined]
        await type_into(pilot, app, "#entries", f"王某某,{ID[:-1]}3,3,500元")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "校验位不符" in screen_text(app)
        await pilot.press("enter")
        assert site.notices.find() == []
        app.screen.query_one("#entries").text = f"王某某，{ID}，3，500元"  # type: ignore[attr-defined]
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), NoticeFormScreen)
    [notice] = site.notices.find()
    assert notice["entries"][0]["id_number"] == ID and notice["earliest_end"] == "2026-12-04"
    assert site.cases.get(number).record["progress"]["notice"] == notice["number"]


async def test_notice_page_is_masked_and_takes_an_objection(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = low_income_case(site)
    notice = post_notice(
        site, number, content=f"王某某（{ID}）拟纳入低保", entries=[{"name": "王某某", "id_number": ID}]
    )
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 30)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert "公示中" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), NoticeDetailScreen)
        page = screen_text(app)
        assert ID not in page and idnumber.mask(ID) in page and "异议：无" in page
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), ObjectionFormScreen)
        await type_into(pilot, app, "#from", "李某")
        await type_into(pilot, app, "#content", f"申请人有经营收入，身份证 {ID}")
        await type_into(pilot, app, "#handling", "转乡镇核实")
        app.screen.query_one("#upheld", Select).value = "异议成立"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), NoticeDetailScreen)
        page = screen_text(app)
        assert "李某：申请人有经营收入" in page and "核实结果：异议成立" in page and ID not in page
    [objection] = site.notices.get(str(notice["number"]))["objections"]
    assert (objection["received"], objection["upheld"]) == ("2026-11-30", True)


async def test_notice_page_decides_an_objection_after_the_close(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = low_income_case(site)
    notice = str(post_notice(site, number)["number"])
    site.notices.object(site.operator, at(dt.date(2026, 11, 30)), notice, dt.date(2026, 11, 30), "李某", "有车辆")
    site.notices.object(site.operator, at(dt.date(2026, 11, 30)), notice, dt.date(2026, 11, 30), "张某", "有存款")
    site.cases.complete_step(site.operator, at(dt.date(2026, 12, 5)), number, "有异议")
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 6)))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(NoticeDetailScreen(notice))
        await pilot.pause()
        assert "异议待核实" in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(current(app), DecisionFormScreen)
        app.screen.query_one("#objection", Select).value = 2
        app.screen.query_one("#verdict", Select).value = "异议成立"
        await type_into(pilot, app, "#handling", "存款超过标准")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), NoticeDetailScreen)
        assert "处理：存款超过标准；核实结果：异议成立" in screen_text(app)
    first, second = site.notices.get(notice)["objections"]
    assert first["upheld"] is None and (second["upheld"], second["handling"]) == (True, "存款超过标准")


async def test_reposting_keeps_masked_id_numbers_whole(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = low_income_case(site)
    post_notice(site, number, content=f"王某某（{ID}）", entries=[{"name": "王某某", "id_number": ID, "amount": "500"}])
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(NoticeFormScreen(number))
        await pilot.pause()
        assert ID not in screen_text(app) + app.screen.query_one("#entries").text  # type: ignore[attr-defined]
        app.screen.query_one("#place").value = "村委会门口"  # type: ignore[attr-defined]
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(current(app), NoticeFormScreen)
    [notice] = site.notices.find()
    assert notice["place"] == "村委会门口" and notice["entries"][0]["id_number"] == ID
    assert notice["content"] == f"王某某（{ID}）"


async def test_escape_goes_back_from_every_records_screen(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = low_income_case(site)
    notice = str(post_notice(site, number)["number"])
    meeting = site.meetings.new(site.operator, NOW, "城关村", {"kind": "支委会", "title": "x", "start": "2026-11-26"})
    app = make(tmp_path / "data")
    screens: list[Callable[[], Screen[Any]]] = [
        lambda: MeetingListScreen(),
        lambda: MeetingDetailScreen(meeting["number"]),
        lambda: MeetingFormScreen("城关村"),
        lambda: MeetingFormScreen("城关村", number=meeting["number"]),
        lambda: NoticeSealListScreen(),
        lambda: NoticeDetailScreen(notice),
        lambda: NoticeFormScreen(number),
        lambda: ObjectionFormScreen(notice),
        lambda: SealFormScreen("城关村"),
    ]
    async with app.run_test(size=SIZE) as pilot:
        for build in screens:
            screen = build()
            app.push_screen(screen)
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("tab")  # from a field too, not only the first one
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(current(app), HomeScreen), type(screen).__name__
    assert site.meetings.get(meeting["number"])["rev"] == meeting["rev"]


def test_the_form_arithmetic_matches_the_stored_one(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    values = {
        "kind": "支部党员大会",
        "title": "接收预备党员",
        "start": "2026-11-26 09:00",
        "end": "",
        "place": "",
        "host": "",
        "recorder": "",
        "expected": "３０",  # full-width digits from an IME
        "present": "20",
        "absent": "赵某:外出务工\n钱某：生病",
        "attendees": "",
        "items": "接收张某为预备党员\n接收王某为预备党员",
        "votes": "1 12 6 2 举手 4 1\n\n2：10，8，2",
        "resolutions": "1:同意接收张某\n为预备党员\n2: 暂缓",
    }
    shown = arithmetic_of(values)
    fields = meeting_fields(values, False)
    stored = site.meetings.new(site.operator, NOW, "城关村", fields)
    first, second = stored["items"]
    assert f"议题1：{first['arithmetic']}" in shown and f"议题2：{second['arithmetic']}" in shown
    assert "赞成（含书面意见 4） 16 > 30/2" in first["arithmetic"] and first["passed"]
    assert not second["passed"] and second["vote"]["nays"] == 8
    assert first["resolution"] == "同意接收张某\n为预备党员" and second["resolution"] == "暂缓"
    assert [a["reason"] for a in stored["absent"]] == ["外出务工", "生病"]
    assert "不计书面意见票" in arithmetic_of({**values, "kind": "村民代表会议"})
    assert "表决第1行" in arithmetic_of({**values, "votes": "1 12 6"}) and "议题2" in arithmetic_of(
        {**values, "votes": "1 12 6\n2 10 8 2"}
    )
    with pytest.raises(BadInput, match="只登记了 2 项议题"):
        meeting_fields({**values, "votes": "3 1 1 1"}, False)


def arithmetic_of(values: dict[str, str]) -> str:
    return arithmetic(values["kind"], False, values["expected"], values["present"], values["votes"])


def test_notice_entries_and_masked_text() -> None:
    whole = unmasking([ID])
    rows = entry_rows(f"王某某，{idnumber.mask(ID)}，3，500元\n李某,,1,200元,补发", whole)
    assert rows[0] == {"name": "王某某", "id_number": ID, "household": "3", "amount": "500元", "note": ""}
    assert rows[1]["note"] == "补发" and rows[1]["id_number"] == ""
    with pytest.raises(BadInput, match="已遮蔽"):
        entry_rows("张某,110105********1234,1,1", whole)
    text = f"王某某（{ID}），全角：{ID.translate(str.maketrans('0123456789X', '０１２３４５６７８９Ｘ'))}"
    shown = mask_text(text)
    assert "（" in shown and "19491231" not in shown and "１９４９１２３１" not in shown
    assert unmask_text(mask_text(f"（{ID}）"), whole) == f"（{ID}）"


async def test_a_meeting_page_names_its_case_step_by_title_not_by_id(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某").number
    walk_to(site, number, "appraise")
    meeting = site.meetings.new(site.operator, NOW, "城关村", decided_meeting("民主评议", "2026-11-27 09:00"))["number"]
    site.cases.complete_step(site.operator, NOW, number, meeting=meeting)
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MeetingDetailScreen(meeting))
        await pilot.pause()
        seen = visible_text(app)
        assert f"关联办件：{number}（第4步“民主评议”）" in seen and "appraise" not in seen, seen
