"""The conflict-of-interest checks on the rosters and the attendance (issue 20, item 4): each bad
situation, built through the public API (the roster, meetings with their marks, 公示 with their
rows), is seen through ``Site.risks`` as the 监督 screen and ``cunwu risks`` read it; the good
one next to it is not. Then: the findings on the 监督 screen and in the 监督检查报告, and a
findings file made again when a membership changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from exports.supervision import supervision_report_document
from procedures import conflicts, idnumber
from procedures.loader import load_catalog
from procedures.risks import CHECKS_BY_ID, CONFLICT_CHECKS, Finding, Severity
from store import findings
from store.site import Site
from tests.docx_helpers import saved, text_of
from tests.sites import NOW, at, new_site, post_notice, walk_to
from tests.test_export_supervision import finding_table
from tests.test_tui_supervision import SIZE, detail, open_supervision, rows
from tests.tui_helpers import Clock, make, visible_text

D = dt.date
VILLAGE = "城关村"
TODAY = D(2026, 12, 10)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def an_id(first17: str) -> str:
    """A valid 18-character ID number (沁源县 140431) from its first 17 digits."""
    return first17 + idnumber.check_char(first17)


def held(role: str, since: str, until: str = "", detail: str = "") -> dict[str, str]:
    return {"role": role, "since": since, "until": until, "detail": detail}


def person(
    site: Site,
    name: str,
    *memberships: dict[str, str],
    household: str = "",
    id_number: str = "",
    village: str = VILLAGE,
) -> str:
    fields = {"name": name, "household": household, "id_number": id_number, "memberships": list(memberships)}
    return str(site.roster.add(site.operator, NOW, village, fields)["number"])


def found(site: Site, check: str, today: dt.date = TODAY) -> list[Finding]:
    return [f for f in site.risks(today) if f.check == check]


def no_id_in(text: str, *numbers: str) -> None:
    for number in numbers:
        assert number not in text and number[:14] not in text


# --- 1. 监委会成员兼任两委 ---------------------------------------------------------


def test_a_supervisor_on_the_committees_or_sharing_a_household_with_a_member_is_red(site: Site) -> None:
    zhang = person(site, "张监督", held("村务监督委员会委员", "2024-01-01", detail="主任"), household="0012")
    person(site, "张主任", held("村委会委员", "2021-03-01", detail="主任"), household="0012")
    wang = person(
        site,
        "王监督",
        held("村务监督委员会委员", "2024-01-01"),
        held("支委会委员", "2025-03-01", "2025-12-31", detail="组织委员"),
        household="0013",
    )
    (at_home, himself) = sorted(found(site, "supervisor-on-committee"), key=lambda f: f.record)
    assert (at_home.record, at_home.severity, at_home.since, at_home.ongoing) == (
        zhang,
        Severity.RED,
        D(2024, 1, 1),
        True,
    )
    assert at_home.title == "监委会成员兼任两委" and at_home.village == VILLAGE
    assert "村务监督委员会委员张监督：与其同户（户号 0012）的张主任" in at_home.text
    assert "村委会委员（主任，2021-03-01 起）" in at_home.text and "自2024年1月1日起至今重叠" in at_home.text
    assert "第三十二条" in at_home.text and "同户以外的近亲属" in at_home.text
    assert (himself.record, himself.since, himself.ongoing) == (wang, D(2025, 3, 1), False)
    assert "本人任支委会委员（组织委员，2025-03-01 至 2025-12-31）" in himself.text
    assert "自2025年3月1日起至2025年12月31日重叠" in himself.text
    rule = CHECKS_BY_ID["supervisor-on-committee"].looks_for
    assert "村民委员会成员及其近亲属不得担任村务监督机构成员" in rule and "第三十二条" in rule


def test_a_supervisor_whose_household_left_the_committee_before_or_lives_apart_is_not_flagged(site: Site) -> None:
    person(site, "赵监督", held("村务监督委员会委员", "2024-01-01"), household="0020")
    person(site, "赵前任", held("村委会委员", "2018-01-01", "2023-12-31"), household="0020")  # left the day before
    person(site, "钱监督", held("村务监督委员会委员", "2024-01-01"), household="0021")
    person(site, "钱书记", held("支委会委员", "2021-01-01", detail="书记"), household="0022")  # another household
    person(site, "孙监督", held("村务监督委员会委员", "2024-01-01"))  # no 户号: a household of one
    person(site, "孙主任", held("村委会委员", "2021-01-01"))
    assert found(site, "supervisor-on-committee") == []


# --- 2. 优亲厚友待核实 -------------------------------------------------------------


def low_income_notice(site: Site, entries: list[dict[str, str]]) -> tuple[str, str]:
    """A 低保 case with its 公示 posted on 2026-11-27 naming ``entries``: (case, notice)."""
    number = site.cases.open(site.operator, NOW, "dibao", VILLAGE, "低保申请").number
    walk_to(site, number, "publicize")
    notice = post_notice(site, number, NOW.date(), entries=entries)
    return number, str(notice["number"])


APPLICANT_ID = an_id("14043119800101001")
OTHER_ID = an_id("14043119800101002")


def test_an_applicant_in_a_cadres_household_is_amber_matched_by_id_or_else_by_name(site: Site) -> None:
    applicant = person(site, "李小明", household="0030", id_number=APPLICANT_ID)
    person(site, "李主任", held("村委会委员", "2021-01-01", detail="主任"), household="0030")
    case, notice = low_income_notice(site, [{"name": "李小明", "id_number": APPLICANT_ID, "household": "2"}])
    (f,) = found(site, "cadre-household-applicant")
    assert (f.record, f.case, f.step_id, f.severity, f.since) == (
        notice,
        case,
        "publicize",
        Severity.AMBER,
        D(2026, 11, 27),
    )
    assert f.matter_id == "dibao" and f.title == "优亲厚友待核实"
    assert f"申请人李小明（按身份证号对应名册 {applicant}），同户（户号 0030）的李主任" in f.text
    assert "在张贴当日任村委会委员（主任，2021-01-01 起）" in f.text and "是否优亲厚友" in f.text
    no_id_in(f.text, APPLICANT_ID)

    # A row without an ID number is matched by name, and says so; a cadre applying himself too.
    person(site, "周委员", held("支委会委员", "2021-01-01"), household="0031", id_number=OTHER_ID)
    _, by_name = low_income_notice(site, [{"name": "周委员"}])
    (g,) = [x for x in found(site, "cadre-household-applicant") if x.record == by_name]
    assert "申请人周委员（按姓名对应，同名者须核实名册" in g.text and "本人在张贴当日任支委会委员" in g.text
    no_id_in(g.text, OTHER_ID)


def test_an_applicant_with_another_id_or_after_the_cadre_left_is_not_flagged(site: Site) -> None:
    person(site, "吴小红", household="0040", id_number=APPLICANT_ID)
    person(site, "吴主任", held("村委会委员", "2021-01-01", "2026-11-26"), household="0040")  # left the day before
    person(site, "郑大山", held("村务监督委员会委员", "2024-01-01"), id_number=OTHER_ID)
    low_income_notice(site, [{"name": "吴小红", "id_number": APPLICANT_ID}])
    # Same name, both with ID numbers, not the same: another person.
    low_income_notice(site, [{"name": "郑大山", "id_number": an_id("14043119900101003")}])
    assert found(site, "cadre-household-applicant") == []


def test_the_applicant_matters_are_the_documents_low_income_five_guarantees_subsidies_and_homesteads() -> None:
    catalog = load_catalog()
    assert {m: catalog.get(m).name for m in conflicts.APPLICANT_MATTERS} == conflicts.APPLICANT_MATTERS
    names = "".join(conflicts.APPLICANT_MATTERS.values())
    assert all(word in names for word in ("低保", "特困", "五保", "补贴", "宅基地"))


# --- 3.–5. 出席登记 ---------------------------------------------------------------


def committee(site: Site) -> dict[str, str]:
    """Three 支委会委员 and a 村委会委员, all since 2021."""
    return {
        "张书记": person(site, "张书记", held("支委会委员", "2021-01-01", detail="书记")),
        "李委员": person(site, "李委员", held("支委会委员", "2021-01-01")),
        "王委员": person(site, "王委员", held("支委会委员", "2021-01-01")),
        "陈主任": person(site, "陈主任", held("村委会委员", "2021-01-01", detail="主任")),
    }


def meeting(site: Site, kind: str, title: str, start: str, end: str = "", **marks: Any) -> str:
    fields: dict[str, Any] = {"kind": kind, "title": title, "start": start, "end": end, "host": "张书记"}
    fields.update(recorder="李委员", others=marks.pop("others", "出席"))
    fields["marks"] = [{"who": who, "mark": m[0], "note": m[1]} for who, m in marks.items()]
    return str(site.meetings.new(site.operator, NOW, VILLAGE, fields)["number"])


def test_a_person_present_at_two_meetings_at_once_is_red(site: Site) -> None:
    committee(site)
    first = meeting(site, "支委会", "研究低保评议", "2026-11-20 09:00", "2026-11-20 11:00")
    second = meeting(site, "两委联席会议", "研究道路硬化", "2026-11-20 10:00")  # no end: till 11:00
    (f,) = found(site, "present-twice")
    assert (f.record, f.severity, f.since, f.village) == (second, Severity.RED, D(2026, 11, 20), VILLAGE)
    assert f.title == "同一时间出席两个会议"
    assert "张书记、李委员、王委员同时登记出席支委会“研究低保评议”" in f.text and first in f.text
    assert "2026年11月20日 10:00—11:00，未填结束时间，按 1 小时计" in f.text
    assert "陈主任" not in f.text  # at one meeting only
    rule = CHECKS_BY_ID["present-twice"].looks_for
    assert "按开始后 1 小时计" in rule and "本系统提示阈值" in rule


def test_meetings_one_after_another_or_with_the_person_absent_at_one_are_not_flagged(site: Site) -> None:
    committee(site)
    meeting(site, "支委会", "研究低保评议", "2026-11-20 09:00", "2026-11-20 11:00")
    meeting(site, "两委联席会议", "研究道路硬化", "2026-11-20 11:00")  # starts as the first ends
    meeting(site, "支委会", "学习", "2026-11-21 09:00", "2026-11-21 10:00", others="缺席")
    meeting(site, "两委联席会议", "研究河道", "2026-11-21 09:30", others="缺席", 陈主任=("出席", ""))
    assert found(site, "present-twice") == []


def representatives(site: Site) -> dict[str, str]:
    return {
        "刘代表": person(site, "刘代表", held("村民代表", "2021-01-01", detail="第一村民小组")),
        "何代表": person(site, "何代表", held("村民代表", "2021-01-01", detail="第二村民小组")),
        "陈主任": person(
            site, "陈主任", held("村委会委员", "2021-01-01", detail="主任"), held("村民代表", "2021-01-01")
        ),
    }


def locked_assembly(site: Site, day: str) -> str:
    vote = {"title": "村道硬化方案", "vote": {"ayes": 3, "nays": 0, "abstain": 0}, "resolution": "同意"}
    fields = {"kind": "村民代表会议", "title": "审议村道硬化方案", "start": f"{day} 09:00", "host": "陈主任"}
    fields.update(recorder="刘代表", others="出席", items=[vote])
    number = str(site.meetings.new(site.operator, NOW, VILLAGE, fields)["number"])
    site.meetings.confirm(site.operator, NOW, number)
    site.meetings.lock(site.operator, NOW, number)
    return number


def leave(site: Site, number: str, role: str, until: str) -> None:
    site.roster.leave(site.operator, NOW, number, None, role, until)


def test_a_person_present_after_leaving_the_roster_is_red(site: Site) -> None:
    people = representatives(site)
    number = locked_assembly(site, "2026-11-10")
    assert found(site, "present-after-leaving") == []
    leave(site, people["刘代表"], "村民代表", "2026-11-05")  # the roster corrected after the minutes were locked
    (f,) = found(site, "present-after-leaving")
    assert (f.record, f.severity, f.since) == (number, Severity.RED, D(2026, 11, 10))
    assert f.title == "离任后仍签到"
    assert "村民代表会议“审议村道硬化方案”" in f.text and "登记为出席" in f.text
    assert "刘代表的村民代表（第一村民小组，2021-01-01 至 2026-11-05）已于2026年11月5日终止" in f.text
    assert "（名册于2026年11月27日才登记此终止，晚于会议）" in f.text  # the leave entered on NOW
    assert "会议当天已不是村委会委员、村民代表" in f.text and "何代表" not in f.text


def test_leaving_on_the_meeting_day_or_still_holding_another_expected_role_is_not_flagged(site: Site) -> None:
    people = representatives(site)
    locked_assembly(site, "2026-11-10")
    leave(site, people["刘代表"], "村民代表", "2026-11-10")  # both days included: still a 代表 that morning
    leave(site, people["陈主任"], "村民代表", "2026-11-01")  # still a 村委会委员, expected all the same
    assert found(site, "present-after-leaving") == []


def test_a_member_ended_only_after_the_meeting_and_so_left_out_of_its_roll_is_amber(site: Site) -> None:
    people = representatives(site)
    draft = site.meetings.new(
        site.operator,
        NOW,
        VILLAGE,
        {"kind": "村民代表会议", "title": "审议村道硬化方案", "start": "2026-11-10 09:00", "host": "陈主任"},
    )
    assert [r["name"] for r in draft["roll"]] == ["刘代表", "何代表", "陈主任"]
    # Entered on 11-27, a last day of 11-05: the next change of the draft drops 刘代表 from 应到.
    leave(site, people["刘代表"], "村民代表", "2026-11-05")
    changed = site.meetings.edit(site.operator, NOW, draft["number"], draft["rev"], {"others": "出席"})
    assert (changed["expected"], changed["present"]) == (2, 2)
    (f,) = found(site, "left-after-the-fact")
    assert (f.record, f.severity, f.since) == (draft["number"], Severity.AMBER, D(2026, 11, 10))
    assert f.title == "会后补记离任"
    assert "刘代表的村民代表（第一村民小组，2021-01-01 至 2026-11-05）终止于2026年11月5日" in f.text
    assert "却在2026年11月27日才登记" in f.text and "应到因此少计 1 人" in f.text
    assert found(site, "present-after-leaving") == []


def test_a_member_whose_leaving_was_entered_before_the_meeting_is_not_flagged(site: Site) -> None:
    people = representatives(site)
    site.roster.leave(site.operator, at(D(2026, 11, 6)), people["刘代表"], None, "村民代表", "2026-11-05")
    site.meetings.new(
        site.operator,
        NOW,
        VILLAGE,
        {"kind": "村民代表会议", "title": "审议", "start": "2026-11-10 09:00", "host": "陈主任", "others": "出席"},
    )
    assert found(site, "left-after-the-fact") == []


def test_two_meetings_with_the_same_attendance_list_are_amber(site: Site) -> None:
    committee(site)
    away = {"王委员": ("缺席", "外出务工")}
    first = meeting(site, "支委会", "十一月上旬支委会", "2026-11-03 09:00", **away)
    second = meeting(site, "支委会", "十一月下旬支委会", "2026-11-17 09:00", **away)
    (f,) = found(site, "same-roll")
    assert (f.record, f.severity, f.since) == (second, Severity.AMBER, D(2026, 11, 17))
    assert f.title == "签到名单雷同"
    assert f"支委会“十一月下旬支委会”（{second}" in f.text and f"支委会“十一月上旬支委会”（{first}" in f.text
    assert "应到 3 人，出席 2 人，王委员缺席（外出务工）" in f.text and "重复使用签到表" in f.text
    rule = CHECKS_BY_ID["same-roll"].looks_for
    assert "至少有一人不是出席" in rule and "本系统的记录检查" in rule


def test_full_attendance_twice_or_another_reason_is_not_a_reused_list(site: Site) -> None:
    committee(site)
    meeting(site, "支委会", "十月支委会", "2026-10-08 09:00")
    meeting(site, "支委会", "十月下旬支委会", "2026-10-22 09:00")  # everyone present both times
    meeting(site, "支委会", "十一月上旬支委会", "2026-11-03 09:00", 王委员=("缺席", "外出务工"))
    meeting(site, "支委会", "十一月下旬支委会", "2026-11-17 09:00", 王委员=("缺席", "生病住院"))
    assert found(site, "same-roll") == []


def test_every_conflict_check_says_its_basis() -> None:
    for check in CONFLICT_CHECKS:
        assert "第三十二条" in check.looks_for or "本系统的记录检查" in check.looks_for, check.id
    assert [c.id for c in CONFLICT_CHECKS] == [
        "supervisor-on-committee",
        "cadre-household-applicant",
        "present-twice",
        "present-after-leaving",
        "left-after-the-fact",
        "same-roll",
    ]


# --- Where they show, and the findings file -------------------------------------------


def supervisor_and_cousin(site: Site) -> str:
    number = person(site, "张监督", held("村务监督委员会委员", "2024-01-01"), household="0012")
    person(site, "张主任", held("村委会委员", "2021-03-01", detail="主任"), household="0012")
    return number


async def test_a_conflict_shows_on_the_supervision_screen(tmp_path: Path) -> None:
    number = supervisor_and_cousin(new_site(tmp_path / "data"))
    assert number == f"{VILLAGE}-2026-RY0001"
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        (row,) = rows(app)  # cut to the columns' width at 80 columns
        assert row == ["红（违规）", VILLAGE, "", "2026-RY0..", "监委会成员兼..", "2024-01-01"]
        assert detail(app).startswith(f"（1/1）红（违规）监委会成员兼任两委｜{number}")
        assert "与其同户（户号 0012）的张主任" in detail(app)
        await pilot.press("enter")  # the person the finding is about, from the roster
        await pilot.pause()
        page = visible_text(app)
        assert f"名册：张监督（{number}）" in page and "村务监督委员会委员 2024-01-01 起" in page
        assert "不是会议记录" not in page


def test_a_conflict_is_in_the_supervision_report(site: Site, tmp_path: Path) -> None:
    number = supervisor_and_cousin(site)
    doc = saved(supervision_report_document(site, VILLAGE, D(2026, 1, 1), D(2026, 12, 31), TODAY), tmp_path, "报告")
    text = text_of(doc)
    ((row, situation),) = finding_table(doc)
    assert row[1:] == ["红（违规）", "监委会成员兼任两委", "名册", "—", number, "2024-01-01", "仍存在"]
    assert situation.startswith("村务监督委员会委员张监督：与其同户（户号 0012）的张主任")
    for check in CONFLICT_CHECKS:  # 检查范围 lists them
        assert check.looks_for in text


def test_the_findings_file_is_made_again_when_a_membership_changes(site: Site) -> None:
    zhang = person(site, "张监督", held("村务监督委员会委员", "2024-01-01"), household="0012")
    cousin = person(site, "张主任", household="0012")
    assert found(site, "supervisor-on-committee") == []
    kept = site.root / "cases" / VILLAGE / findings.NAME
    before = kept.read_bytes()
    assert "监委会成员兼任两委".encode() not in before and b"supervisor-on-committee" not in before

    site.roster.join(site.operator, at(D(2026, 11, 28)), cousin, None, held("村委会委员", "2026-11-28"))
    (f,) = found(site, "supervisor-on-committee")
    assert (f.record, f.since) == (zhang, D(2026, 11, 28))
    assert b"supervisor-on-committee" in kept.read_bytes()
    # Read again by another process: from the file, as it now is.
    assert [x.record for x in Site(site.root, environ={}).risks(TODAY) if x.check == f.check] == [zhang]

    site.roster.leave(site.operator, at(D(2026, 11, 29)), cousin, None, "村委会委员", "2026-11-28")
    (f,) = found(site, "supervisor-on-committee")
    assert "自2026年11月28日起至2026年11月28日重叠" in f.text and not f.ongoing


def test_the_findings_file_is_made_again_when_the_conflict_checks_change(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = findings.fingerprint(site.catalog)
    changed = tmp_path / "conflicts.py"
    changed.write_bytes(Path(conflicts.__file__).read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(conflicts, "__file__", str(changed))
    assert findings.fingerprint(site.catalog) != mark
