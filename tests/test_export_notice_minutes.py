"""Word exports of notices (公示, 公示结果) and minutes (会议记录 and the blank paper version)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from exports.minutes import blank_minutes_document, minutes_document, rule_lines
from exports.notice import notice_document, notice_result_document, period_text, result_title
from store.site import Site
from tests.docx_helpers import CLEAN, HOSTILE, ID, LONG_TEXT, MASKED, WHOLE_ID, assert_house_style, saved, text_of
from tests.sites import ADMIN_NAME, NOW, at, new_site, post_notice, walk_to

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def low_income_notice(site: Site, **fields: Any) -> dict[str, Any]:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    entries = [
        {"name": "王某某", "id_number": ID, "household": "3", "amount": "500元/月"},
        {"name": "李某", "household": "2", "amount": "300元/月", "note": "续保"},
    ]
    return post_notice(site, number, D(2026, 11, 27), **{"entries": entries, **fields})


def test_notice_masks_ids_and_shows_period_phone_and_issuer(site: Site, tmp_path: Path) -> None:
    site.init(NOW, None, [], phone="0355-1234567")
    notice = low_income_notice(site, content=f"经民主评议，王某某（{ID}）拟纳入低保", place="城关村村委会公开栏")
    doc = saved(notice_document(site, notice["number"]), tmp_path, "公示")
    assert_house_style(doc)
    text = text_of(doc)
    assert MASKED in text and not WHOLE_ID.search(text)
    assert doc.paragraphs[0].text == "关于王某某低保申请的公示"
    assert "公示期：2026年11月28日至2026年12月4日，共7日" in text
    assert "监督举报电话：0355-1234567" in text
    assert "公示依据：救助救灾（城乡低保申请审核和确认）办理流程“公示7日”。" in text
    assert "城关村村民委员会" in text and "（张贴地点：城关村村委会公开栏）" in text
    headers = [c.text for c in doc.tables[0].rows[0].cells]
    assert headers == ["序号", "户主姓名", "身份证号", "保障人数", "拟保障金额", "备注"]
    assert [c.text for c in doc.tables[0].rows[2].cells] == ["2", "李某", "", "2", "300.00/月", "续保"]


def test_notice_without_ids_or_phone(site: Site, tmp_path: Path) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "张某低保申请").number
    walk_to(site, number, "publicize")
    notice = post_notice(site, number, entries=[{"name": "张某", "household": "1", "amount": "200元"}])
    doc = saved(notice_document(site, str(notice["number"])), tmp_path, "公示")
    assert "身份证号" not in [c.text for c in doc.tables[0].rows[0].cells]
    assert "监督举报电话：________" in text_of(doc)
    bare = saved(notice_document(site, str(post_notice(site, number, entries=[])["number"])), tmp_path, "公示")
    assert not bare.tables


def test_notice_names_the_meeting_decision_before_it(site: Site, tmp_path: Path) -> None:
    notice = low_income_notice(site)
    meeting = next(n for n in site.cases.get(notice["case"]).records() if "HY" in n)
    rev = site.meetings.get(meeting)["rev"]
    vote = {"title": "民主评议", "vote": {"ayes": 20, "nays": 0, "abstain": 0}, "resolution": "同意"}
    site.meetings.edit(site.operator, NOW, meeting, rev, {"expected": 30, "present": 25, "items": [vote]})
    text = text_of(saved(notice_document(site, notice["number"]), tmp_path, "公示"))
    assert f"本事项已经2026年11月27日村民代表会议决议（会议记录编号：{meeting}）" in text


def test_issuers() -> None:
    from exports.notice import issuer
    from procedures.loader import load_catalog

    catalog = load_catalog()
    assert issuer("城关村", catalog.get("dibao")) == "城关村村民委员会"
    assert issuer("东城社区", catalog.get("dibao")) == "东城社区居民委员会"
    assert issuer("城关村", catalog.get("fazhan-dangyuan")) == "中共城关村支部委员会"


def test_notice_text_keeps_full_width_punctuation(site: Site, tmp_path: Path) -> None:
    notice = low_income_notice(site, content="经民主评议，王某某（户主）拟纳入低保：现予公示。")
    text = text_of(saved(notice_document(site, notice["number"]), tmp_path, "公示"))
    assert "经民主评议，王某某（户主）拟纳入低保：现予公示。" in text


def test_period_without_a_minimum() -> None:
    assert period_text({"posted_on": "2026-11-27", "min_amount": 0}) == "公示时间：2026年11月27日起"
    assert result_title("低保名单") == "低保名单公示结果记录"


def test_notice_result_after_an_objection(site: Site, tmp_path: Path) -> None:
    notice = low_income_notice(site)
    pending = text_of(saved(notice_result_document(site, notice["number"]), tmp_path, "结果"))
    assert "公示尚未结束" in pending and "0 条" in pending
    site.notices.object(
        site.operator, at(D(2026, 11, 30)), notice["number"], D(2026, 11, 30), "赵某", f"{ID}有车辆", "转乡镇核实"
    )
    site.cases.complete_step(site.operator, at(D(2026, 12, 5)), notice["case"], "有异议")
    doc = saved(notice_result_document(site, notice["number"]), tmp_path, "结果")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "关于王某某低保申请的公示结果记录"
    assert "1 条" in text and "日期：2026年11月30日" in text and "异议人：赵某" in text
    assert "处理情况：转乡镇核实" in text and "核实结果：待核实" in text and MASKED in text
    assert "异议待核实（2026年12月5日公示结束）" in text and "2026年11月28日至2026年12月4日，共7日" in text
    assert "异议不成立" not in text
    assert "村务监督委员会（签字）" in text and not WHOLE_ID.search(text)


def representatives(present: int, ayes: int, nays: int, abstain: int, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "村民代表会议",
        "title": "审议村道硬化方案",
        "start": "2026-11-20 09:00",
        "end": "2026-11-20 11:30",
        "place": "村委会议室",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 39,
        "present": present,
        "absent": [{"name": "赵某", "reason": "外出务工"}],
        "attendees": ["村务监督委员会主任刘某"],
        "items": [
            {
                "title": "村道硬化方案",
                "speeches": [{"name": "张某", "summary": "同意，建议先修南段"}],
                "vote": {"ayes": ayes, "nays": nays, "abstain": abstain},
                "resolution": "同意实施村道硬化",
            }
        ],
        **extra,
    }


def test_minutes_show_attendance_vote_and_arithmetic(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 14, 9, 3))
    doc = saved(minutes_document(site, meeting["number"]), tmp_path, "记录")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "村民代表会议记录"
    assert "应到 39 人，实到 26 人" in text and "赵某（外出务工）" in text and "村务监督委员会主任刘某" in text
    assert "2026年11月20日 09:00—11:30" in text and "张某：同意，建议先修南段" in text
    assert "表决方式：举手；赞成 14 票，反对 9 票，弃权 3 票" in text
    assert "实到 26/应到 39 ≥ 2/3；赞成 14 > 26/2" in text
    assert "决议：同意实施村道硬化" in text and "（未通过）" not in text
    assert "村民委员会组织法》第二十六条" in text and "记录状态：草稿" in text
    assert "主持人（签字）" in text and "记录人（签字）" in text and "参会人员签字见附后签到表" in text
    assert "计票人（签字）" in text and "监票人（签字）" in text


def decisions(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("决议：")]


@pytest.fixture
def stored_before_the_wording_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Minutes saved before a resolution's wording was checked against its vote (a failed item
    may carry 同意…): the store no longer accepts them, but the documents still meet them."""
    monkeypatch.setattr("store.meetings.resolution_conflict", lambda *_: None)


@pytest.mark.usefixtures("stored_before_the_wording_check")
def test_a_failed_vote_never_reads_agreed(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 13, 10, 3))
    text = text_of(saved(minutes_document(site, meeting["number"]), tmp_path, "记录"))
    assert decisions(text) == ["决议：未通过（赞成 13 票，反对 10 票，弃权 3 票，未达到通过条件）"]
    assert "→ 未通过" in text


@pytest.mark.usefixtures("stored_before_the_wording_check")
def test_short_of_quorum_no_decision_was_made(site: Site, tmp_path: Path) -> None:
    fields = representatives(25, 20, 5, 0)
    fields["items"][0]["resolution"] = "同意"
    meeting = site.meetings.new(site.operator, NOW, "城关村", fields)
    text = text_of(saved(minutes_document(site, meeting["number"]), tmp_path, "记录"))
    assert decisions(text) == ["决议：不足法定人数，未形成决议（应到 39 人，实到 25 人）"]
    assert "同意（未通过）" not in text and "决议：同意" not in text


def test_party_branch_meetings_are_the_branchs(site: Site, tmp_path: Path) -> None:
    from exports.minutes import convener

    for kind in ("支部党员大会", "支委会", "党小组会", "党课"):
        fields = {**representatives(5, 4, 1, 0), "kind": kind, "expected": 7, "absent": []}
        meeting = site.meetings.new(site.operator, NOW, "城关村", fields)
        header = saved(minutes_document(site, meeting["number"]), tmp_path, "记录").tables[0]
        shown = {row.cells[0].text: row.cells[1].text for row in header.rows}
        assert shown["召集单位"] == "中共城关村支部委员会", kind
    assert convener("城关村", "村民代表会议") == "城关村村民委员会"
    assert convener("东城社区", "村民会议") == "东城社区居民委员会"
    assert convener("城关村", "两委联席会议") == "中共城关村支部委员会、城关村村民委员会"


def header_text(doc: Any) -> str:
    return "\n".join(p.text for s in doc.sections for h in (s.header, s.even_page_header) for p in h.paragraphs)


def test_a_draft_is_marked_and_a_confirmed_minute_is_not(site: Site, tmp_path: Path) -> None:
    number = site.meetings.new(site.operator, NOW, "城关村", representatives(27, 20, 5, 2))["number"]
    draft = saved(minutes_document(site, number), tmp_path, "记录")
    assert "草稿" in header_text(draft)
    site.meetings.confirm(site.operator, NOW, number)
    confirmed = saved(minutes_document(site, number), tmp_path, "记录")
    assert "草稿" not in header_text(confirmed) and "记录状态：已确认" in text_of(confirmed)


def sign_in_table(doc: Any) -> Any:
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[3].text == "备注")


def test_filled_minutes_come_with_their_sign_in_sheet(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 14, 9, 3))
    doc = saved(minutes_document(site, meeting["number"]), tmp_path, "记录")
    assert "签到表" in [p.text for p in doc.paragraphs] and len(doc.sections) == 2
    assert len(sign_in_table(doc).rows) == 1 + 39
    fewer = saved(minutes_document(site, meeting["number"], rows=12), tmp_path, "记录")
    assert len(sign_in_table(fewer).rows) == 1 + 12


def test_a_locked_meeting_shows_its_correction(site: Site, tmp_path: Path) -> None:
    number = site.meetings.new(site.operator, NOW, "城关村", representatives(27, 20, 5, 2))["number"]
    site.meetings.confirm(site.operator, NOW, number)
    site.meetings.lock(site.operator, NOW, number)
    site.meetings.correct(site.operator, at(D(2026, 11, 28)), number, "缺席人员赵某应为赵某某")
    text = text_of(saved(minutes_document(site, number), tmp_path, "记录"))
    assert "记录状态：已锁定" in text
    assert f"更正（2026年11月28日，{ADMIN_NAME}）：缺席人员赵某应为赵某某" in text


def test_blank_minutes_have_sign_in_rows_and_a_tally_sheet(site: Site, tmp_path: Path) -> None:
    fields = representatives(0, 0, 0, 0, absent=[], end=None, recorder="")
    fields["items"] = [{"title": "村道硬化方案"}, {"title": "2027年村集体收益分配"}]
    meeting = site.meetings.new(site.operator, NOW, "城关村", fields)
    doc = saved(blank_minutes_document(site, meeting["number"]), tmp_path, "空白")
    assert_house_style(doc)
    text = text_of(doc)
    header, sign_in, tally = doc.tables
    fields_shown = {row.cells[0].text: row.cells[1].text for row in header.rows}
    assert fields_shown["主持人"] == "李书记" and fields_shown["记录人"] == ""
    assert fields_shown["时间"] == "2026年11月20日 09:00—________" and fields_shown["列席人员"] != ""
    assert "应到 39 人，实到 ________ 人" in text
    assert [c.text for c in sign_in.rows[0].cells] == ["序号", "姓名", "签字", "备注"] and len(sign_in.rows) == 1 + 39
    assert [c.text for c in tally.rows[0].cells] == ["序号", "议题", "赞成", "反对", "弃权", "结果"]
    assert [r.cells[1].text for r in tally.rows[1:]] == ["村道硬化方案", "2027年村集体收益分配"]
    assert all(c.text == "" for r in tally.rows[1:] for c in r.cells[2:])
    assert "三分之二以上的组成人员参加方可召开" in text and "实到不少于 26 人" in text
    unknown = site.meetings.new(site.operator, NOW, "城关村", {**fields, "expected": 0, "items": []})
    rows = saved(blank_minutes_document(site, unknown["number"]), tmp_path, "空白").tables[1].rows
    assert len(rows) == 1 + 16  # one page when 应到 is not known
    asked = saved(blank_minutes_document(site, unknown["number"], rows=45), tmp_path, "空白").tables[1].rows
    assert len(asked) == 1 + 45


def test_rule_lines_count_the_threshold() -> None:
    lines = rule_lines({"kind": "村民会议", "expected": 40, "by_household": False})
    assert lines[1] == "通过条件：实到不少于 21 人（超过应到 40 人的 1/2）；赞成超过实到人数的 1/2。"


def test_hostile_text_goes_in_sanitized(site: Site, tmp_path: Path) -> None:
    notice = low_income_notice(
        site,
        title=f"关于{HOSTILE}的公示",
        content=LONG_TEXT,
        place="公开栏/一组<&>",
        entries=[{"name": "王/某<&>", "id_number": ID, "household": "3", "amount": "500", "note": "[bold]500"}],
    )
    site.notices.object(site.operator, NOW, notice["number"], NOW.date(), "李/某", HOSTILE, LONG_TEXT)
    fields = representatives(26, 14, 9, 3, title=HOSTILE, host="张/三<&>")
    fields["items"][0].update(resolution=LONG_TEXT, speeches=[{"name": "赵/四", "summary": HOSTILE}])
    meeting = site.meetings.new(site.operator, NOW, "城关村", fields)
    builders = [
        (notice_document, notice["number"]),
        (notice_result_document, notice["number"]),
        (minutes_document, meeting["number"]),
        (blank_minutes_document, meeting["number"]),
    ]
    for make, number in builders:
        text = text_of(saved(make(site, number), tmp_path, HOSTILE))
        assert CLEAN in text and not WHOLE_ID.search(text), make.__name__
        assert "/" in text and "<&>" in text, make.__name__
        if make is not blank_minutes_document:
            assert LONG_TEXT in text, make.__name__


def test_records_that_bypassed_the_store_still_export(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record with raw control characters (an old file, a hand edit) is cleaned by the export itself."""
    notice = dict(low_income_notice(site))
    notice.update(title=HOSTILE, content=HOSTILE + ID, place=HOSTILE)
    notice["entries"] = [dict(notice["entries"][0], name=HOSTILE, note=HOSTILE)]
    meeting = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 14, 9, 3))
    meeting.update(title=HOSTILE, host=HOSTILE, place=HOSTILE)
    meeting["items"] = [dict(meeting["items"][0], title=HOSTILE, resolution=HOSTILE + ID)]
    monkeypatch.setattr(site.notices, "get", lambda _: notice)
    monkeypatch.setattr(site.meetings, "get", lambda _: meeting)
    for make in (notice_document, notice_result_document, minutes_document, blank_minutes_document):
        text = text_of(saved(make(site, "x"), tmp_path, "原始"))
        assert CLEAN in text and not WHOLE_ID.search(text), make.__name__
