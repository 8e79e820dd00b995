"""Meetings, notices and seal uses in the store, linked to the case steps that produce them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from procedures import idnumber
from store.errors import BadInput, NeedsRecord, Refused
from store.notices import masked, standing
from store.site import Site
from store.verify import verify
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date
ID = "11010519491231002X"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def representatives(present: int, ayes: int, resolution: str = "同意实施", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "村民代表会议",
        "title": "审议村道硬化方案",
        "start": "2026-11-20 09:00",
        "place": "村委会议室",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 39,
        "present": present,
        "absent": [{"name": "赵某", "reason": "外出务工"}],
        "items": [{"title": "村道硬化方案", "vote": {"ayes": ayes, "nays": 1, "abstain": 0}, "resolution": resolution}],
        **extra,
    }


def test_a_vote_that_fails_the_rule_is_recorded_as_not_passed(site: Site) -> None:
    passed = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 14))
    assert passed["items"][0]["passed"] is True
    assert passed["items"][0]["arithmetic"].startswith("实到 26/应到 39 ≥ 2/3；赞成 14 > 26/2")
    failed = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 13, "未通过"))
    assert failed["items"][0]["passed"] is False and failed["items"][0]["arithmetic"].endswith("→ 未通过")
    no_quorum = site.meetings.new(site.operator, NOW, "城关村", representatives(25, 20, ""))
    assert no_quorum["items"][0]["passed"] is False and "未达到法定人数" in no_quorum["items"][0]["arithmetic"]
    assert passed["number"] == "城关村-2026-HY0001" and failed["number"] == "城关村-2026-HY0002"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"present": 40}, "实到 40 人多于应到 39 人"),
        ({"kind": "茶话会"}, "会议类别“茶话会”无效"),
        ({"start": "2026-13-01 09:00"}, "不是有效日期"),
        ({"start": "2026-12-20 09:00"}, "晚于今天"),
        ({"items": [{"title": "x", "vote": {"ayes": 30, "nays": 5, "abstain": 0}}]}, "多于实到"),
        (
            {"items": [{"title": "x", "vote": {"ayes": 1, "nays": 0, "abstain": 0, "method": "鼓掌"}}]},
            "表决方式“鼓掌”无效",
        ),
        ({"title": "[bold]" + "长" * 300}, "会议名称太长"),
    ],
)
def test_bad_meetings_are_refused_with_a_message(site: Site, change: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        site.meetings.new(site.operator, NOW, "城关村", {**representatives(27, 20), **change})
    assert site.meetings.find() == []


def test_minutes_draft_confirmed_locked_then_only_corrections(site: Site) -> None:
    record = site.meetings.new(site.operator, NOW, "城关村", representatives(27, 20, host=""))
    with pytest.raises(Refused, match="请先补填：主持人。"):
        site.meetings.confirm(site.operator, NOW, record["number"])
    record = site.meetings.edit(site.operator, NOW, record["number"], record["rev"], {"host": "李书记"})
    with pytest.raises(Refused, match="只有已确认的会议记录才能锁定"):
        site.meetings.lock(site.operator, NOW, record["number"])
    site.meetings.confirm(site.operator, NOW, record["number"])
    with pytest.raises(Refused, match="不能再修改"):
        site.meetings.edit(site.operator, NOW, record["number"], record["rev"] + 1, {"present": 30})
    with pytest.raises(Refused, match="尚未锁定"):
        site.meetings.correct(site.operator, NOW, record["number"], "更正")
    locked = site.meetings.lock(site.operator, NOW, record["number"])
    corrected = site.meetings.correct(site.operator, NOW, record["number"], "缺席人员赵某应为赵某某")
    assert corrected["state"] == "locked" and corrected["items"] == locked["items"]
    assert corrected["corrections"][0]["text"] == "缺席人员赵某应为赵某某"
    last = site.store.journal.last()
    assert last is not None and last["action"] == "meeting.correct"
    assert verify(site.store, site.records()).ok


def low_income_case(site: Site) -> str:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    return number


def test_low_income_notice_day_six_refused_day_seven_done(site: Site) -> None:
    number = low_income_case(site)
    notice = post_notice(
        site,
        number,
        D(2026, 11, 27),
        entries=[{"name": "王某某", "id_number": ID, "household": "3", "amount": "500元"}],
    )
    assert notice["earliest_end"] == "2026-12-04" and not notice["backdated"]
    with pytest.raises(Refused, match="2026年12月5日起方可完成"):
        site.cases.complete_step(site.operator, at(D(2026, 12, 4), 23), number, "无异议")
    case = site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "无异议")
    assert case.record["current"] == "report"
    closed = site.notices.get(notice["number"])
    assert (closed["result"], closed["closed_on"]) == ("无异议", "2026-12-05")
    assert notice["number"] in case.records()


def test_an_objection_follows_the_flows_objection_outcome(site: Site) -> None:
    number = low_income_case(site)
    notice = post_notice(site, number)
    with pytest.raises(Refused, match="没有登记异议"):
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "有异议")
    site.notices.object(
        site.operator, at(D(2026, 11, 30)), notice["number"], D(2026, 11, 30), "李某", "申请人有经营收入", "转乡镇核实"
    )
    with pytest.raises(Refused, match="收到 1 条异议，不能选择“无异议”"):
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "无异议")
    case = site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "有异议")
    assert case.record["current"] == "verify-objection"
    assert site.notices.get(notice["number"])["result"] == "异议待核实"  # pending: never counted as not upheld
    with pytest.raises(Refused, match="已于 2026-12-05 结束"):
        site.notices.object(site.operator, at(D(2026, 12, 6)), notice["number"], D(2026, 12, 6), "张某", "晚到的异议")


def test_an_upheld_objection(site: Site) -> None:
    number = low_income_case(site)
    notice = post_notice(site, number)
    site.notices.object(site.operator, NOW, notice["number"], NOW.date(), "李某", "有车辆", "核实属实", upheld=True)
    site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "有异议")
    assert site.notices.get(notice["number"])["result"] == "异议成立"


def test_posting_dates(site: Site) -> None:
    number = low_income_case(site)
    with pytest.raises(BadInput, match="晚于今天 30 天以上"):
        post_notice(site, number, D(2026, 12, 28))
    # Registered before it goes up (the committee signs the text first): 待张贴, its days from then.
    planned = post_notice(site, number, D(2026, 11, 30))
    assert (planned["posted_on"], planned["backdated"]) == ("2026-11-30", False)
    assert standing(planned, D(2026, 11, 27)) == "待张贴（计划 2026-11-30 张贴）"
    assert standing(planned, D(2026, 11, 30)) == "公示中"
    [item] = [i for i in site.due(D(2026, 11, 27), within=30) if i.number == number]
    assert item.state == "planned"
    with pytest.raises(BadInput, match="早于办件立案日期"):
        post_notice(site, number, D(2026, 11, 20))
    late = post_notice(site, number, D(2026, 11, 27), now=at(D(2026, 11, 29)))
    assert late["backdated"] and late["entered_on"] == "2026-11-29" and late["earliest_end"] == "2026-12-04"
    case = site.cases.get(number)
    assert case.record["current_since"] == "2026-11-27", "the posting day starts the period"
    again = post_notice(site, number, D(2026, 11, 28), now=at(D(2026, 11, 29)), title="关于王某某低保的公示（更正）")
    assert again["number"] == late["number"] and again["earliest_end"] == "2026-12-07"  # 12-05 is a Saturday
    with pytest.raises(Refused, match="不是公示步骤"):
        site.cases.post_notice(
            site.operator, NOW, site.cases.open(site.operator, NOW, "dibao", "城关村", "x").number, {}
        )


def test_id_numbers_are_checked_stored_whole_and_shown_masked(site: Site) -> None:
    number = low_income_case(site)
    with pytest.raises(BadInput, match="校验位不符"):
        post_notice(site, number, entries=[{"name": "王某某", "id_number": ID[:-1] + "3"}])
    notice = post_notice(
        site,
        number,
        content=f"王某某（{ID}）拟纳入低保",
        entries=[{"name": "王某某", "id_number": "１１０１０５１９４９１２３１００２ｘ"}],
    )
    assert site.notices.get(notice["number"])["entries"][0]["id_number"] == ID
    shown = masked(site.notices.get(notice["number"]))
    assert shown["entries"][0]["id_number"] == "110105********002X"
    assert ID not in str(shown) and "110105********002X" in shown["content"]


@pytest.mark.parametrize(
    "text",
    ["11010519491231002X", "110105194912310028", "1101051949123100"],
)
def test_id_validation(text: str) -> None:
    if text == "11010519491231002X":
        assert idnumber.validate(text) == text
    else:
        with pytest.raises(idnumber.InvalidId):
            idnumber.validate(text)


def seal_case(site: Site, kind: str) -> str:
    number = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具党员证明").number
    site.cases.complete_step(site.operator, NOW, number, kind)
    return number


def test_seal_use_rules(site: Site) -> None:
    base = {"seal": "党支部", "document": "党员身份证明", "purpose": "办理转接", "copies": 2}
    with pytest.raises(Refused, match="批准人与印章保管人不能是同一人"):
        site.seals.new(
            site.operator, NOW, "城关村", {**base, "approver": "李书记", "keeper": "李书记", "routine": True}
        )
    with pytest.raises(BadInput, match="请写明用印依据"):
        site.seals.new(site.operator, NOW, "城关村", {**base, "approver": "李书记", "keeper": "王文书"})
    failed = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 13, ""))
    with pytest.raises(Refused, match="没有通过的决议"):
        site.seals.new(
            site.operator,
            NOW,
            "城关村",
            {**base, "approver": "李书记", "keeper": "王文书", "meeting": failed["number"]},
        )
    assert site.seals.find() == []
    record = site.seals.new(
        site.operator, NOW, "城关村", {**base, "approver": "李书记", "keeper": "王文书", "routine": True}
    )
    assert record["number"] == "城关村-2026-YY0001" and record["basis"]["kind"] == "routine"
    assert [s["number"] for s in site.seals.find(seal="党支部", start=D(2026, 11, 1), end=D(2026, 11, 30))] == [
        record["number"]
    ]
    assert site.seals.find(seal="村委会") == []


def test_a_stamping_step_needs_its_seal_register_entry(site: Site) -> None:
    number = seal_case(site, "一般党建常规业务资料")
    walk_to(site, number, "stamp", choose={"secretary-review": "同意用印"})
    with pytest.raises(NeedsRecord, match="须先登记用印"):
        site.cases.complete_step(site.operator, NOW, number)
    seal = site.seals.new(
        site.operator,
        NOW,
        "城关村",
        {
            "seal": "党支部",
            "document": "证明",
            "purpose": "转接",
            "approver": "李书记",
            "keeper": "王文书",
            "routine": True,
        },
    )
    case = site.cases.complete_step(site.operator, NOW, number, seal=seal["number"])
    assert case.record["history"][-1]["records"] == [seal["number"]]
    assert site.seals.get(seal["number"])["case"] == number
    other = seal_case(site, "一般党建常规业务资料")
    walk_to(site, other, "stamp", choose={"secretary-review": "同意用印"})
    with pytest.raises(BadInput, match="已关联办件"):
        site.cases.complete_step(site.operator, NOW, other, seal=seal["number"])


def test_a_meeting_step_attaches_minutes_or_makes_a_draft(site: Site) -> None:
    number = seal_case(site, "重大事项")
    meeting = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {
            **representatives(27, 20),
            "kind": "支委会",
            "expected": 7,
            "present": 5,
            "items": [{"title": "用印", "vote": {"ayes": 4, "nays": 1, "abstain": 0}}],
        },
    )
    case = site.cases.complete_step(site.operator, NOW, number, "同意用印", meeting=meeting["number"])
    assert site.meetings.get(meeting["number"])["case"] == number
    assert case.record["history"][-1]["records"] == [meeting["number"]]
    draft_case = seal_case(site, "重大事项")
    case = site.cases.complete_step(site.operator, NOW, draft_case, "同意用印")
    (draft_no,) = case.record["history"][-1]["records"]
    draft = site.meetings.get(draft_no)
    # The step is a 支部 decision: the draft is a 支委会 minute, to be completed.
    assert draft["state"] == "draft" and draft["kind"] == "支委会" and draft["auto"] is True
    assert verify(site.store, site.records()).ok


def test_a_village_without_a_committee_meeting_last_month_is_overdue(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data", now=at(D(2026, 9, 1)))
    held = {
        "kind": "支委会",
        "title": "十月支委会",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 5,
        "present": 4,
        "items": [{"title": "工作安排"}],
    }
    site.meetings.new(site.operator, at(D(2026, 10, 15)), "城关村", {**held, "start": "2026-10-15 09:00"})
    site.meetings.new(site.operator, at(D(2026, 11, 10)), "南石村", {**held, "start": "2026-11-10 09:00"})
    items = site.due(D(2026, 12, 1), within=0)
    committee = [(i.village, i.due, i.state) for i in items if i.matter_id == "zhibu-weiyuanhui"]
    assert ("城关村", D(2026, 11, 30), "missed") in committee, committee
    assert ("南石村", D(2026, 11, 30), "missed") not in committee
    assert items[0].state == "missed", "overdue first"


def test_written_opinions_count_only_for_the_party_assembly(site: Site) -> None:
    assembly = {
        "kind": "支部党员大会", "title": "讨论接收预备党员", "start": "2026-11-20 09:00", "host": "李书记", "recorder": "王文书",
        "expected": 30, "present": 16, "written": [{"name": "赵某", "opinion": "同意"}, {"name": "钱某", "opinion": "同意"}],
        "items": [{"title": "接收张某为预备党员", "vote": {"ayes": 14, "nays": 2, "abstain": 0, "written_ayes": 2, "method": "无记名"}}],
    }  # fmt: skip
    record = site.meetings.new(site.operator, NOW, "城关村", assembly)
    assert record["items"][0]["passed"] is True
    assert "赞成（含书面意见 2） 16 > 30/2" in record["items"][0]["arithmetic"]
    without = {**assembly, "items": [{"title": "x", "vote": {"ayes": 14, "nays": 2, "abstain": 0, "method": "无记名"}}]}
    assert site.meetings.new(site.operator, NOW, "城关村", without)["items"][0]["passed"] is False
    with pytest.raises(BadInput, match="不计书面意见票"):
        site.meetings.new(
            site.operator,
            NOW,
            "城关村",
            {**representatives(27, 20), "items": [{"title": "x", "vote": {"ayes": 20, "written_ayes": 1}}]},
        )
    with pytest.raises(BadInput, match="多于缺席人数"):
        site.meetings.new(
            site.operator,
            NOW,
            "城关村",
            {**assembly, "items": [{"title": "x", "vote": {"ayes": 1, "written_ayes": 15}}]},
        )


def test_schedule_shows_last_met_and_next_due(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data", now=at(D(2026, 9, 1)))
    held = {"kind": "支委会", "title": "支委会", "expected": 5, "present": 4, "items": [{"title": "工作安排"}]}
    site.meetings.new(site.operator, at(D(2026, 10, 15)), "城关村", {**held, "start": "2026-10-15 09:00"})
    site.meetings.new(site.operator, at(D(2026, 12, 2)), "南石村", {**held, "start": "2026-12-02 09:00"})
    rows = {(r["village"], r["matter_id"]): r for r in site.schedule(D(2026, 12, 10))}
    chengguan = rows[("城关村", "zhibu-weiyuanhui")]
    assert (chengguan["state"], chengguan["last_done"], chengguan["next_due"]) == (
        "overdue",
        "2026-10-15",
        "2026-12-31",
    )
    nanshi = rows[("南石村", "zhibu-weiyuanhui")]
    assert (nanshi["state"], nanshi["next_due"]) == ("met", "2027-01-31")
    assert rows[("城关村", "dangyuan-dahui")]["next_due"] == "2026-12-31"
    assert site.schedule(D(2026, 12, 10))[0]["state"] == "overdue"
