"""Rosters (名册) and meetings of named people: the 应到 of a meeting from the roster of its day,
实到 from each person's mark, 委托 and 书面意见, the minutes and the 签到表 with names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from exports.minutes import blank_minutes_document, minutes_document
from procedures import roster as rules
from procedures.meetings import MeetingKind
from store import overview, shapes
from store.errors import BadInput, Refused
from store.site import Site
from tests.accounts import CADRE_SOUTH, SUPERVISOR, open_as, register
from tests.docx_helpers import saved, text_of
from tests.sites import NOW, new_site
from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]  # the fixture, used by name


def _valid_id() -> str:
    from procedures import idnumber

    body = "11010119900307001"
    return body + idnumber.check_char(body)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def member(site: Site, name: str, role: str, since: str = "2024-01-01", **more: Any) -> dict[str, Any]:
    detail = more.pop("detail", "")
    until = more.pop("until", "")
    return site.roster.add(
        site.operator,
        NOW,
        more.pop("village", "城关村"),
        {"name": name, **more, "memberships": [{"role": role, "since": since, "until": until, "detail": detail}]},
    )


def representatives(site: Site, count: int = 9) -> list[dict[str, Any]]:
    people = [member(site, f"代表{i}", "村民代表", household=f"0{i}") for i in range(1, count + 1)]
    people.append(member(site, "周主任", "村委会委员", detail="主任"))
    return people


def meeting(site: Site, **fields: Any) -> dict[str, Any]:
    base = {
        "kind": "村民代表会议",
        "title": "审议村道硬化",
        "start": "2026-11-20 09:00",
        "host": "周主任",
        "recorder": "王文书",
    }
    return site.meetings.new(site.operator, NOW, "城关村", {**base, **fields})


def vote(ayes: int, nays: int = 0, abstain: int = 0, resolution: str = "") -> list[dict[str, Any]]:
    return [
        {"title": "村道硬化方案", "vote": {"ayes": ayes, "nays": nays, "abstain": abstain}, "resolution": resolution}
    ]


# ---------------------------------------------------------------- the roster itself


def test_memberships_are_dated_and_a_day_shows_that_day_s_roster(site: Site) -> None:
    person = member(site, "张三", "预备党员", since="2025-03-01")
    person = site.roster.leave(site.operator, NOW, person["number"], person["rev"], "预备党员", "2026-02-28")
    person = site.roster.join(
        site.operator, NOW, person["number"], person["rev"], {"role": "正式党员", "since": "2026-03-01"}
    )
    stored = site.roster.people("城关村")[0]
    assert rules.holds(stored, rules.Role.PROBATIONARY, dt.date(2026, 2, 28))
    assert not rules.holds(stored, rules.Role.FULL_MEMBER, dt.date(2026, 2, 28))
    assert rules.holds(stored, rules.Role.FULL_MEMBER, dt.date(2026, 3, 1))
    assert [m.label() for m in rules.roles_on(stored, dt.date(2026, 3, 1))] == ["正式党员 2026-03-01 起"]
    with pytest.raises(BadInput, match="同一时间既是正式党员又是预备党员"):
        site.roster.join(
            site.operator, NOW, person["number"], person["rev"], {"role": "预备党员", "since": "2026-06-01"}
        )


def test_a_person_is_entered_once_and_their_id_number_never_leaves_unmasked(site: Site) -> None:
    number = _valid_id()
    person = member(site, "李四", "村民代表", id_number=number, household="012")
    assert person["birth"] == "1990-03-07", "the birth date is read from the ID number"
    with pytest.raises(BadInput, match=r"李四已在名册中.*身份证号相同"):
        member(site, "李 四", "村民", id_number=number)  # a space between Chinese characters is dropped
    with pytest.raises(BadInput, match=r"冒名的身份证号与名册中的李四（城关村-2026-RY0001）相同"):
        member(site, "冒名", "村民", id_number=number)
    with pytest.raises(BadInput, match="户号 012 中已有同名的人"):
        member(site, "李四", "村民", household="012")
    shown = json.dumps(shapes.person(person), ensure_ascii=False)
    assert number not in shown and number[:6] in shown
    assert number not in json.dumps(site.roster.people("城关村"), ensure_ascii=False), "the overview keeps no ID"
    with pytest.raises(BadInput, match="身份证号"):
        member(site, "王五", "村民", id_number="110101199003077778")


def test_roster_saves_are_journaled_verified_and_kept_in_the_overview(site: Site) -> None:
    people = representatives(site, 3)
    site.roster.leave(site.operator, NOW, people[0]["number"], None, "村民代表", "2026-06-30")
    part = site.store.partition("城关村", NOW.year)
    kept = site.store.overview_for(part)
    assert kept == overview.build(
        part.storage.read() or {}, kept["source"] and tuple(kept["source"]), site.store.recurring
    )
    assert kept["people"][people[0]["number"]]["memberships"][0]["until"] == "2026-06-30"
    assert kept["people"][people[0]["number"]]["memberships"][0]["ended_on"] == NOW.date().isoformat()
    actions = [json.loads(line)["action"] for line in (site.root / "journal.jsonl").read_text().splitlines()]
    assert actions.count("person.new") == 4 and "person.leave" in actions
    assert site.verify().ok


def test_a_cadre_of_another_village_and_a_supervisor_cannot_change_a_roster(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    register(root)
    for account in (CADRE_SOUTH, SUPERVISOR):
        other = open_as(root, account)
        before = (root / "journal.jsonl").read_bytes()
        with pytest.raises(Refused):
            other.roster.add(other.operator, NOW, "城关村", {"name": "张三", "memberships": []})
        assert (root / "journal.jsonl").read_bytes() == before


# ---------------------------------------------------------------- meetings of named people


def test_a_representatives_meeting_counts_from_the_roster_and_its_marks(site: Site) -> None:
    representatives(site)
    record = meeting(
        site,
        marks=[{"who": "代表1", "mark": "缺席", "note": "外出务工"}, {"who": "代表2", "mark": "缺席", "note": "生病"}],
        others="出席",
        items=vote(6, 1, 1, "同意实施"),
    )
    assert (record["expected"], record["present"], record["counts_from"]) == (10, 8, "roster")
    assert [r["name"] for r in record["roll"]][-1] == "周主任", "村民委员会成员 sit in the 村民代表会议 too"
    assert record["items"][0]["arithmetic"].startswith("实到 8/应到 10 ≥ 2/3；赞成 6 > 8/2")
    assert record["absent"] == [{"name": "代表1", "reason": "外出务工"}, {"name": "代表2", "reason": "生病"}]


def test_the_quorum_fails_when_too_few_are_marked_present(site: Site) -> None:
    representatives(site)
    absent = [{"who": f"代表{i}", "mark": "缺席", "note": "外出"} for i in range(1, 5)]
    record = meeting(site, marks=absent, others="出席", items=vote(6))
    assert (record["expected"], record["present"]) == (10, 6)
    item = record["items"][0]
    assert item["passed"] is False and "实到 6/应到 10 < 2/3" in item["arithmetic"]
    assert "未达到法定人数" in item["arithmetic"]


def test_typed_counts_are_refused_where_the_roster_has_the_people(site: Site) -> None:
    representatives(site)
    before = (site.root / "journal.jsonl").read_bytes()
    with pytest.raises(BadInput, match="由名册和每人的出席登记得出，不能手填"):
        meeting(site, expected=10, present=9)
    with pytest.raises(BadInput, match="不在这次会议的应到名单中"):
        meeting(site, marks=[{"who": "路人甲", "mark": "出席"}])
    assert (site.root / "journal.jsonl").read_bytes() == before


def test_a_meeting_dated_before_a_member_joined_does_not_count_them(site: Site) -> None:
    representatives(site, 5)
    member(site, "新代表", "村民代表", since="2026-11-01")
    member(site, "老代表", "村民代表", since="2020-01-01", until="2026-10-31")
    october = meeting(site, start="2026-10-20 09:00")
    november = meeting(site, start="2026-11-20 09:00")
    assert "新代表" not in [r["name"] for r in october["roll"]] and "老代表" in [r["name"] for r in october["roll"]]
    assert "新代表" in [r["name"] for r in november["roll"]] and "老代表" not in [r["name"] for r in november["roll"]]
    assert (october["expected"], november["expected"]) == (7, 7)


def test_a_proxy_vote_is_counted_as_cast_on_behalf_never_for_the_quorum(site: Site) -> None:
    representatives(site)
    record = meeting(
        site,
        marks=[{"who": "代表1", "mark": "委托", "note": "代表2"}, {"who": "代表3", "mark": "缺席", "note": "外出"}],
        others="出席",
        items=vote(7, 1, 0),
    )
    assert (record["expected"], record["present"]) == (10, 8)
    assert {"name": "代表1", "reason": "委托代表2代为表决"} in record["absent"]
    assert "赞成 7 > (8+委托1)/2" in record["items"][0]["arithmetic"]
    assert "委托表决" in record["rule"]
    with pytest.raises(BadInput, match="多于实到 8 人加委托 1 人"):
        site.meetings.edit(site.operator, NOW, record["number"], record["rev"], {"items": vote(8, 1, 1)})
    with pytest.raises(BadInput, match="不在本次会议的出席名单中"):
        meeting(site, marks=[{"who": "代表1", "mark": "委托", "note": "代表3"}, {"who": "代表3", "mark": "缺席"}])


def test_a_party_meeting_takes_no_proxy_but_written_opinions(site: Site) -> None:
    for name in ("党员甲", "党员乙", "党员丙"):
        member(site, name, "正式党员", since="2010-07-01")
    member(site, "预备丁", "预备党员", since="2026-01-01")
    with pytest.raises(BadInput, match="党组织的会议不能委托他人代为表决"):
        meeting(site, kind="支部党员大会", marks=[{"who": "党员甲", "mark": "委托", "note": "党员乙"}], others="出席")
    record = meeting(
        site,
        kind="支部党员大会",
        marks=[{"who": "党员丙", "mark": "书面意见", "note": "同意"}],
        others="出席",
        items=[{"title": "接收预备党员", "vote": {"ayes": 2, "nays": 0, "abstain": 0, "written_ayes": 1}}],
    )
    assert (record["expected"], record["present"]) == (3, 2), "预备党员 have no vote: not in 应到"
    assert record["written"] == [{"name": "党员丙", "opinion": "同意"}]
    assert record["items"][0]["passed"] is True


def test_confirming_needs_every_person_marked_and_edits_keep_the_marks(site: Site) -> None:
    representatives(site, 4)
    record = meeting(site, marks=[{"who": "代表1", "mark": "出席"}])
    with pytest.raises(Refused, match="出席登记（代表2、代表3、代表4、周主任未登记出席情况）"):
        site.meetings.confirm(site.operator, NOW, record["number"])
    record = site.meetings.edit(
        site.operator, NOW, record["number"], record["rev"], {"others": "出席", "items": vote(4, resolution="同意")}
    )
    assert record["present"] == 5 and record["roll"][0]["mark"] == "出席"
    record = site.meetings.edit(
        site.operator, NOW, record["number"], record["rev"], {"marks": [{"who": "代表4", "mark": "缺席", "note": "病"}]}
    )
    assert (record["present"], record["absent"]) == (4, [{"name": "代表4", "reason": "病"}])
    assert site.meetings.confirm(site.operator, NOW, record["number"])["state"] == "confirmed"


def test_a_kind_the_roster_does_not_cover_is_counted_by_hand_and_the_minutes_say_so(site: Site, tmp_path: Path) -> None:
    record = meeting(site, expected=30, present=25, items=vote(20, resolution="同意"))
    assert record["counts_from"] == "typed" and record["roll"] == []
    text = text_of(saved(minutes_document(site, record["number"]), tmp_path, "记录"))
    assert "本村名册中没有村委会委员、村民代表，应到、实到人数为手工填写" in text


# ---------------------------------------------------------------- paper


def sign_in(doc: Any) -> str:
    """The 签到表's cells, row by row."""
    (grid,) = [g for g in doc.tables if [c.text for c in g.rows[0].cells][:3] == ["序号", "姓名", "签字"]]
    return "\n".join(" | ".join(c.text for c in row.cells) for row in grid.rows)


def test_the_blank_minutes_of_a_branch_assembly_print_every_full_member(site: Site, tmp_path: Path) -> None:
    names = [f"党员{c}" for c in "甲乙丙丁戊"]
    for name in names:
        member(site, name, "正式党员", since="2001-07-01")
    member(site, "预备己", "预备党员", since="2026-01-01")
    member(site, "离开庚", "正式党员", since="2001-07-01", until="2026-06-30")
    planned = meeting(site, kind="支部党员大会", title="讨论接收预备党员", start="2026-12-05 09:00")
    doc = saved(blank_minutes_document(site, planned["number"]), tmp_path, "空白")
    text, sheet = text_of(doc), sign_in(doc)
    for name in names:
        assert name in sheet
    assert "预备己" not in sheet and "离开庚" not in sheet
    assert "应到 5 人" in text


def test_the_filled_minutes_list_present_absent_written_and_proxy(site: Site, tmp_path: Path) -> None:
    representatives(site, 8)
    record = meeting(
        site,
        marks=[
            {"who": "代表1", "mark": "缺席", "note": "外出务工"},
            {"who": "代表2", "mark": "书面意见", "note": "同意硬化"},
            {"who": "代表3", "mark": "委托", "note": "代表4"},
        ],
        others="出席",
        items=vote(5, 0, 0, "同意实施"),
    )
    doc = saved(minutes_document(site, record["number"]), tmp_path, "记录")
    text, sheet = text_of(doc), sign_in(doc)
    assert "代表4、代表5、代表6、代表7、代表8、周主任" in text
    assert "代表1（外出务工）" in text and "代表3（委托代表4代为表决）" in text
    assert "代表2：同意硬化" in text
    assert "（应到按会议当天的名册，实到按逐人登记）" in text
    assert "缺席（外出务工）" in sheet and "书面意见（见记录）" in sheet and "委托代表4代为表决" in sheet
    assert "同意硬化" not in sheet
    assert "1 | 代表1 |  | 缺席（外出务工）" in sheet and "9 | 周主任 |  | " in sheet


# ---------------------------------------------------------------- the command line


def test_the_cli_marks_attendance_from_standard_input(clock: Clock, tmp_path: Path) -> None:
    init()
    site = Site(tmp_path / "data", environ={})
    representatives(site, 4)
    code, out, err = run(
        "meeting", "new", "--village", "城关村", "--kind", "村民代表会议", "--title", "审议",
        "--start", "2026-11-20 09:00", "--host", "周主任", "--recorder", "王文书", "--mark", "-", "--json",
        stdin="代表1:缺席:外出\n代表2:出席\n",
    )  # fmt: skip
    assert code == 0, err
    record = json.loads(out)
    assert record["counts_from"] == "roster" and record["present"] == 1
    assert [r["mark"] for r in record["roll"]] == ["缺席", "出席", "", "", ""]
    code, out, _ = run("meeting", "edit", record["number"], "--others", "出席")
    assert code == 0 and "应到 5 人，实到 4 人（应到按会议当天的名册，实到按逐人登记）" in out
    code, _, err = run("meeting", "edit", record["number"], "--present", "5")
    assert code != 0 and "不能手填" in err
    code, out, _ = run("meeting", "show", record["number"])
    assert "出席：代表2、代表3、代表4、周主任" in out and "缺席：代表1（外出）" in out


def test_expected_roles_follow_the_law_for_each_kind() -> None:
    assert rules.expected_roles(MeetingKind.REPRESENTATIVES, False) == (
        rules.Role.VILLAGE_COMMITTEE,
        rules.Role.REPRESENTATIVE,
    )
    assert rules.expected_roles(MeetingKind.VILLAGERS, True) == (rules.Role.HOUSEHOLD_REP,)
    assert rules.expected_roles(MeetingKind.VILLAGERS, False) == tuple(rules.Role), "everyone on the roster"
    assert rules.expected_roles(MeetingKind.BRANCH_ASSEMBLY, False) == (rules.Role.FULL_MEMBER,)
    assert rules.expected_roles(MeetingKind.OTHER, False) == ()
    child = {
        "number": "城关村-2026-RY0001",
        "name": "小明",
        "birth": "2010-05-01",
        "memberships": [{"role": "村民", "since": "2010-05-01", "until": "", "detail": ""}],
    }
    adult = {**child, "number": "城关村-2026-RY0002", "name": "老王", "birth": "1960-01-01"}
    day = dt.date(2026, 11, 20)
    assert [p["name"] for p in rules.expected([child, adult], MeetingKind.VILLAGERS, False, day)] == ["老王"]
    assert [p["name"] for p in rules.expected([child, adult], MeetingKind.VILLAGERS, False, dt.date(2028, 5, 1))] == [
        "小明",
        "老王",
    ]


def test_a_draft_counted_by_hand_takes_the_roster_entered_since(site: Site) -> None:
    draft = meeting(site, expected=30, present=25)
    representatives(site, 3)
    changed = site.meetings.edit(site.operator, NOW, draft["number"], draft["rev"], {"others": "出席"})
    assert (changed["counts_from"], changed["expected"], changed["present"]) == ("roster", 4, 4)
    with pytest.raises(BadInput, match="不能手填"):
        site.meetings.edit(site.operator, NOW, draft["number"], changed["rev"], {"present": 3})


def test_an_opinion_can_be_filed_on_a_finding_about_a_person(site: Site) -> None:
    both = site.roster.add(
        site.operator,
        NOW,
        "城关村",
        {
            "name": "赵监督",
            "memberships": [
                {"role": "村务监督委员会委员", "since": "2024-01-01"},
                {"role": "村委会委员", "since": "2024-01-01", "detail": "委员"},
            ],
        },
    )
    (finding,) = [f for f in site.risks(NOW.date()) if f.record == both["number"]]
    assert finding.severity.value == "red"
    opinion = site.opinions.add(site.operator, NOW, both["number"], "请于月底前调整人选", finding=finding.key)
    assert (opinion["target"], opinion["target_kind"]) == (both["number"], "person")


def test_the_roster_s_spreadsheets_never_carry_a_formula(site: Site, tmp_path: Path) -> None:
    """A 村民小组 or a note typed as =HYPERLINK(…) is text in the exports; a name cannot be one."""
    import csv
    import io

    from openpyxl import load_workbook

    from exports import roster_xlsx

    with pytest.raises(BadInput, match="不能以 = \\+ - @ 开头"):
        member(site, '=HYPERLINK("http://x","点")', "村民")
    member(site, "张三", "村民", group='=HYPERLINK("http://x","点")', note="+cmd|x")
    people = site.roster.records("城关村")
    book = load_workbook(io.BytesIO(roster_xlsx.export(people, "城关村", NOW.date())))
    cells = [c for row in book[roster_xlsx.SHEET].iter_rows() for c in row if c.value]
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)
    assert all(c.data_type != "f" for c in cells)
    rows = list(csv.reader(io.StringIO(roster_xlsx.export_csv(people).decode("utf-8-sig"))))
    values = [v for row in rows for v in row]
    assert '\'=HYPERLINK("http://x","点")' in values and "'+cmd|x" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)


def test_a_villagers_meeting_expects_everyone_on_the_roster_aged_eighteen(site: Site, tmp_path: Path) -> None:
    member(site, "户代表甲", "户代表", birth="1970-01-01")
    member(site, "代表乙", "村民代表")  # no birth date: counted
    member(site, "党员丙", "正式党员", birth="1950-05-05")
    member(site, "少年丁", "村民", birth="2010-01-01")
    member(site, "迁出戊", "村民", until="2026-06-30")
    record = meeting(site, kind="村民会议", others="出席")
    assert [r["name"] for r in record["roll"]] == ["户代表甲", "代表乙", "党员丙"]
    empty = new_site(tmp_path / "other")
    typed = empty.meetings.new(
        empty.operator, NOW, "城关村", {"kind": "村民会议", "title": "t", "start": "2026-11-20 09:00", "expected": 300}
    )
    text = text_of(saved(minutes_document(empty, typed["number"]), tmp_path, "记录"))
    assert "本村名册中没有十八周岁以上的村民，应到、实到人数为手工填写" in text


def test_a_person_is_marked_once_and_holds_one_proxy_at_most(site: Site) -> None:
    representatives(site)
    with pytest.raises(BadInput, match="代表1登记了两次出席情况"):
        meeting(site, marks=[{"who": "代表1", "mark": "出席"}, {"who": "代表1", "mark": "缺席", "note": "病"}])
    with pytest.raises(BadInput, match="代表3受了不止一人的委托"):
        meeting(
            site,
            marks=[
                {"who": "代表1", "mark": "委托", "note": "代表3"},
                {"who": "代表2", "mark": "委托", "note": "代表3"},
            ],
            others="出席",
        )


def test_a_draft_moved_before_the_roster_asks_for_typed_counts(site: Site) -> None:
    representatives(site)
    draft = meeting(site, marks=[{"who": "代表1", "mark": "委托", "note": "代表2"}], others="出席")
    moved = site.meetings.edit(site.operator, NOW, draft["number"], draft["rev"], {"start": "2021-01-05 09:00"})
    assert (moved["counts_from"], moved["expected"], moved["present"], moved["absent"]) == ("typed", 0, 0, [])
    assert moved["roll"] == []


def test_the_blank_minutes_carry_names_only_even_after_marks_were_entered(site: Site, tmp_path: Path) -> None:
    representatives(site, 4)
    record = meeting(site, marks=[{"who": "代表1", "mark": "缺席", "note": "病假"}], others="出席")
    blank = saved(blank_minutes_document(site, record["number"]), tmp_path, "空白")
    sheet, text = sign_in(blank), text_of(blank)
    assert "代表1" in sheet and "病假" not in sheet and "缺席" not in sheet
    assert "病假" not in text and "实到 4" not in text
    filled = saved(minutes_document(site, record["number"]), tmp_path, "记录")
    assert "应到 5 人，实到 4 人" in text_of(filled) and "缺席（病假）" in sign_in(filled)


def test_a_rejected_row_s_year_0001_comes_back_as_the_text_typed() -> None:
    import io

    from openpyxl import load_workbook

    from exports import roster_xlsx
    from store.roster_import import SINCE

    sheet = roster_xlsx.read(
        roster_xlsx.export_csv([]) + "1,张三,,,,,,,正式党员,,0001-01-01,,\r\n".encode(), "文件 名册.csv "
    )
    (row,) = sheet.rows
    book = load_workbook(io.BytesIO(roster_xlsx.rejects([row], {row.line: ["起始日期不合理"]})))
    values = [c.value for r in book[roster_xlsx.SHEET].iter_rows(min_row=2) for c in r]
    assert "0001-01-01" in values and row.values[SINCE] == "0001-01-01"
