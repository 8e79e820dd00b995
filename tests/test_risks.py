"""Each risk check: the bad situation, built through the public API, is seen; the good one is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from procedures.risks import CHECKS, Finding, Severity, in_period, village_status
from store.errors import BadInput, Refused
from store.site import Site
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def found(site: Site, today: dt.date, check: str, **narrow: Any) -> list[Finding]:
    return [f for f in site.risks(today, **narrow) if f.check == check]


def low_income(site: Site, subject: str = "王某某低保申请") -> str:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", subject).number
    walk_to(site, number, "publicize")
    return number


SEAL = {"seal": "党支部", "document": "党员身份证明", "purpose": "办理转接", "copies": 1}


def assembly(start: str, ayes: int, present: int = 30) -> dict[str, Any]:
    return {
        "kind": "村民代表会议",
        "title": "审议集体资产发包方案",
        "start": start,
        "host": "李书记",
        "recorder": "王文书",
        "expected": 39,
        "present": present,
        "items": [{"title": "发包方案", "vote": {"ayes": ayes, "nays": 1, "abstain": 0}}],
    }


# --- 公示 ---------------------------------------------------------------------------


def test_a_notice_step_left_unposted_past_five_days_is_amber(site: Site) -> None:
    number = low_income(site)
    assert found(site, D(2026, 12, 2), "notice-late") == []  # day 5: still in time
    (late,) = found(site, D(2026, 12, 3), "notice-late")
    assert (late.case, late.step_id, late.severity, late.since, late.ongoing) == (
        number,
        "publicize",
        Severity.AMBER,
        D(2026, 12, 3),
        True,
    )
    assert "6 日未登记张贴" in late.text and "本系统提示阈值" in late.text


def test_a_notice_posted_late_is_amber_and_one_posted_in_time_is_not(site: Site) -> None:
    on_time, late = low_income(site), low_income(site, "李某某低保申请")
    post_notice(site, on_time, D(2026, 11, 28), now=at(D(2026, 11, 28)))
    notice = post_notice(site, late, D(2026, 12, 5), now=at(D(2026, 12, 5)))
    (finding,) = found(site, D(2026, 12, 20), "notice-late")
    assert (finding.case, finding.record) == (late, notice["number"])
    assert "距步骤开始（2026年11月27日）8 日" in finding.text


def test_a_notice_closed_early_is_red_and_one_closed_on_day_seven_is_not(site: Site) -> None:
    early, full = low_income(site), low_income(site, "李某某低保申请")
    notice = post_notice(site, early)
    post_notice(site, full)
    site.cases.complete_step(site.operator, at(D(2026, 12, 1)), early, "无异议", force_reason="乡镇催报")
    site.cases.complete_step(site.operator, at(D(2026, 12, 5)), full, "无异议")
    (short,) = found(site, D(2026, 12, 10), "notice-short")
    assert (short.record, short.case, short.severity, short.since) == (
        notice["number"],
        early,
        Severity.RED,
        D(2026, 12, 1),
    )
    assert "只公示了 4 日" in short.text
    # The forced close is the notice's finding, not a second one.
    assert found(site, D(2026, 12, 10), "forced-step") == []


def test_a_back_dated_notice_is_amber(site: Site) -> None:
    backdated, same_day = low_income(site), low_income(site, "李某某低保申请")
    notice = post_notice(site, backdated, D(2026, 11, 28), now=at(D(2026, 11, 30)))
    post_notice(site, same_day, D(2026, 11, 30), now=at(D(2026, 11, 30)))
    (finding,) = found(site, D(2026, 12, 1), "notice-backdated")
    assert (finding.record, finding.since, finding.severity) == (notice["number"], D(2026, 11, 30), Severity.AMBER)
    assert "补录 2 日" in finding.text


# --- 时限 ---------------------------------------------------------------------------


def petition(site: Site) -> str:
    number = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某反映排水问题").number
    walk_to(site, number, "transfer", choose={"entry": "接待"})
    return number


def test_a_deadline_passed_is_red_while_open_and_amber_once_done_late(site: Site) -> None:
    number = petition(site)
    assert found(site, D(2026, 11, 30), "deadline-missed") == []  # 三日内转办: the third day
    (overdue,) = found(site, D(2026, 12, 1), "deadline-missed")
    assert (overdue.case, overdue.step_id, overdue.severity, overdue.since, overdue.ongoing) == (
        number,
        "transfer",
        Severity.RED,
        D(2026, 12, 1),
        True,
    )
    site.cases.complete_step(site.operator, at(D(2026, 12, 2)), number)
    (late,) = found(site, D(2026, 12, 3), "deadline-missed")
    assert (late.severity, late.ongoing) == (Severity.AMBER, False)
    assert "超期 2 日" in late.text


def test_a_deadline_met_leaves_no_finding(site: Site) -> None:
    number = petition(site)
    site.cases.complete_step(site.operator, at(D(2026, 11, 30)), number)
    assert found(site, D(2026, 12, 20), "deadline-missed") == []


def test_a_month_without_a_committee_meeting_is_red(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data", now=at(D(2026, 9, 1)))
    held = {"kind": "支委会", "title": "支委会", "host": "李书记", "recorder": "王文书", "expected": 5, "present": 4}
    for month in (9, 10, 11):
        day = D(2026, month, 15)
        site.meetings.new(site.operator, at(day), "南石村", {**held, "start": f"{day} 09:00"})
    site.meetings.new(site.operator, at(D(2026, 10, 15)), "城关村", {**held, "start": "2026-10-15 09:00"})
    missed = found(site, D(2026, 12, 1), "recurring-missed", matter="zhibu-weiyuanhui")
    assert [(f.village, f.since) for f in missed] == [("城关村", D(2026, 10, 1)), ("城关村", D(2026, 12, 1))]
    assert all(f.severity is Severity.RED for f in missed)


# --- 用印 ---------------------------------------------------------------------------


def test_a_seal_used_without_approval_is_registered_with_its_story_and_red(site: Site) -> None:
    with pytest.raises(BadInput, match="情况说明"):
        site.seals.new(site.operator, NOW, "城关村", {**SEAL, "keeper": "王文书", "unapproved": True})
    site.seals.new(site.operator, NOW, "城关村", {**SEAL, "approver": "李书记", "keeper": "王文书", "routine": True})
    assert found(site, NOW.date(), "seal-unapproved") == []
    seal = site.seals.new(
        site.operator,
        NOW,
        "城关村",
        {**SEAL, "keeper": "王文书", "unapproved": True, "irregular": "书记外出，文书先行盖章"},
    )
    (finding,) = found(site, NOW.date(), "seal-unapproved")
    assert (finding.record, finding.severity) == (seal["number"], Severity.RED)
    assert "书记外出，文书先行盖章" in finding.text


def test_an_approver_who_keeps_the_seal_is_refused_unless_told_and_then_red(site: Site) -> None:
    same = {**SEAL, "approver": "李书记", "keeper": "李书记", "routine": True}
    with pytest.raises(Refused, match="不能是同一人"):
        site.seals.new(site.operator, NOW, "城关村", same)
    assert found(site, NOW.date(), "seal-same-person") == []
    seal = site.seals.new(site.operator, NOW, "城关村", {**same, "irregular": "村小，书记兼管印章"})
    (finding,) = found(site, NOW.date(), "seal-same-person")
    assert (finding.record, finding.severity) == (seal["number"], Severity.RED)


def major_seal_case(site: Site, seal_basis: dict[str, Any]) -> str:
    number = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具土地流转证明").number
    site.cases.complete_step(site.operator, NOW, number, "重大事项")
    meeting = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {
            "kind": "支委会",
            "title": "讨论用印",
            "start": "2026-11-27 08:00",
            "expected": 5,
            "present": 5,
            "items": [{"title": "用印", "vote": {"ayes": 5}}],
        },
    )
    site.cases.complete_step(site.operator, NOW, number, "同意用印", meeting=meeting["number"])
    walk_to(site, number, "stamp")
    basis = {"meeting": meeting["number"]} if seal_basis.get("meeting") else seal_basis
    seal = site.seals.new(site.operator, NOW, "城关村", {**SEAL, "approver": "李书记", "keeper": "王文书", **basis})
    site.cases.complete_step(site.operator, NOW, number, seal=seal["number"])
    return number


def test_a_major_matters_seal_without_the_meetings_resolution_is_red(site: Site) -> None:
    major_seal_case(site, {"meeting": True})
    assert found(site, NOW.date(), "seal-basis") == []
    number = major_seal_case(site, {"routine": True})
    (finding,) = found(site, NOW.date(), "seal-basis")
    assert (finding.case, finding.step_id, finding.severity) == (number, "stamp", Severity.RED)


def test_a_stamping_step_left_unregistered_is_amber(site: Site) -> None:
    waiting = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具证明").number
    walk_to(site, waiting, "stamp", choose={"apply": "一般党建常规业务资料", "secretary-review": "同意用印"})
    assert found(site, D(2026, 11, 30), "seal-unregistered") == []
    (finding,) = found(site, D(2026, 12, 1), "seal-unregistered")
    assert (finding.case, finding.step_id, finding.since) == (waiting, "stamp", D(2026, 12, 1))
    seal = site.seals.new(
        site.operator, NOW, "城关村", {**SEAL, "approver": "李书记", "keeper": "王文书", "routine": True}
    )
    site.cases.complete_step(site.operator, at(D(2026, 12, 1)), waiting, seal=seal["number"])
    assert found(site, D(2026, 12, 1), "seal-unregistered") == []


# --- 决策 ---------------------------------------------------------------------------


def test_a_decision_whose_minutes_are_never_filled_in_is_red(site: Site) -> None:
    number = low_income(site)  # 民主评议 completed without minutes: a draft was made for it
    (draft,) = [r for r in site.cases.get(number).records() if "HY" in r]
    assert found(site, D(2026, 12, 4), "decision-no-meeting") == []
    (finding,) = found(site, D(2026, 12, 5), "decision-no-meeting")
    assert (finding.case, finding.step_id, finding.record, finding.severity) == (
        number,
        "appraise",
        draft,
        Severity.RED,
    )
    meeting = site.meetings.get(draft)
    site.meetings.edit(
        site.operator,
        at(D(2026, 12, 5)),
        draft,
        meeting["rev"],
        {**assembly("2026-11-27 09:00", 25), "kind": meeting["kind"]},
    )
    assert found(site, D(2026, 12, 5), "decision-no-meeting") == []


def assets_case(site: Site) -> str:
    number = site.cases.open(site.operator, NOW, "jiti-zichan-ziyuan", "城关村", "鱼塘发包").number
    walk_to(site, number, "decide")
    return number


def test_a_decision_taken_as_passed_on_a_failed_vote(site: Site) -> None:
    failed = site.meetings.new(site.operator, NOW, "城关村", assembly("2026-11-27 09:00", 20, present=25))
    number = assets_case(site)
    with pytest.raises(Refused, match="表决未通过"):
        site.cases.complete_step(site.operator, NOW, number, "通过", meeting=failed["number"])
    # The route the store cannot stop: passed on a draft, whose vote is then recorded as failed.
    site.cases.complete_step(site.operator, NOW, number, "通过")
    (draft,) = [r for r in site.cases.get(number).records() if "HY" in r]
    passed_elsewhere = assets_case(site)
    good = site.meetings.new(site.operator, NOW, "城关村", assembly("2026-11-27 10:00", 25))
    site.cases.complete_step(site.operator, NOW, passed_elsewhere, "通过", meeting=good["number"])
    assert found(site, NOW.date(), "decision-vote-failed") == []
    meeting = site.meetings.get(draft)
    site.meetings.edit(
        site.operator,
        NOW,
        draft,
        meeting["rev"],
        {**assembly("2026-11-27 09:00", 20, present=25), "kind": "村民代表会议"},
    )
    (finding,) = found(site, NOW.date(), "decision-vote-failed")
    assert (finding.case, finding.record, finding.severity) == (number, draft, Severity.RED)
    assert "实到 25/应到 39" in finding.text


def test_minutes_not_locked_a_week_after_the_meeting_are_amber(site: Site) -> None:
    held = {**assembly("2026-11-20 09:00", 25)}
    left = site.meetings.new(site.operator, NOW, "城关村", held)
    locked = site.meetings.new(site.operator, NOW, "城关村", held)
    site.meetings.confirm(site.operator, NOW, locked["number"])
    site.meetings.lock(site.operator, NOW, locked["number"])
    assert found(site, D(2026, 11, 27), "minutes-unlocked") == []
    (finding,) = found(site, D(2026, 11, 28), "minutes-unlocked")
    assert (finding.record, finding.since, finding.severity) == (left["number"], D(2026, 11, 28), Severity.AMBER)
    assert "仍为草稿" in finding.text


# --- 经办 ---------------------------------------------------------------------------


def test_a_step_done_without_its_materials_is_amber(site: Site) -> None:
    matter = site.catalog.get("dibao")
    complete = site.cases.open(site.operator, NOW, "dibao", "城关村", "材料齐全").number
    for step_id in ("apply", "accept", "survey"):
        case = site.cases.get(complete)
        site.cases.save_progress(site.operator, NOW, complete, case.rev, materials=matter.step(step_id).materials)
        site.cases.complete_step(site.operator, NOW, complete)
    assert found(site, NOW.date(), "materials-missing") == []
    missing = site.cases.open(site.operator, NOW, "dibao", "城关村", "材料不全").number
    site.cases.complete_step(site.operator, NOW, missing)
    (finding,) = found(site, NOW.date(), "materials-missing")
    assert (finding.case, finding.step_id, finding.severity) == (missing, "apply", Severity.AMBER)
    assert matter.step("apply").materials[0] in finding.text


def test_a_mediation_without_follow_up_for_a_month_is_amber(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "maodun-jiufen", "城关村", "邻里宅基地纠纷").number
    walk_to(site, number, "follow-up", choose={"dispute": "当事人申请受理", "mediate": "化解"})
    assert found(site, D(2026, 12, 27), "no-follow-up") == []
    (finding,) = found(site, D(2026, 12, 28), "no-follow-up")
    assert (finding.case, finding.step_id) == (number, "follow-up")
    site.cases.complete_step(site.operator, at(D(2026, 12, 28)), number)
    assert found(site, D(2026, 12, 28), "no-follow-up") == []


def test_a_forced_step_is_amber(site: Site) -> None:
    forced = site.cases.open(site.operator, NOW, "fazhan-dangyuan", "城关村", "张某入党").number
    walk_to(site, forced, "cultivate")
    assert found(site, NOW.date(), "forced-step") == []
    site.cases.complete_step(site.operator, NOW, forced, force_reason="县委组织部批准缩短")
    (finding,) = found(site, NOW.date(), "forced-step")
    assert (finding.case, finding.step_id, finding.severity) == (forced, "cultivate", Severity.AMBER)
    assert "县委组织部批准缩短" in finding.text


# --- the whole ----------------------------------------------------------------------


def test_every_check_has_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [c.id for c in CHECKS if f'"{c.id}"' not in source]
    assert untested == []


def test_findings_by_village_period_and_colour(site: Site) -> None:
    low_income(site)
    seal = site.seals.new(
        site.operator, NOW, "南石村", {**SEAL, "keeper": "王文书", "unapproved": True, "irregular": "补登"}
    )
    everything = site.risks(D(2026, 12, 10))
    assert {f.village for f in everything} == {"城关村", "南石村"}
    south = site.risks(D(2026, 12, 10), village="南石村")
    assert [f.record for f in south] == [seal["number"]]
    assert village_status(south) == (Severity.RED, 1, 0)
    assert village_status([]) == (None, 0, 0)
    # An ongoing finding belongs to every later period; a past one only to its own.
    ongoing = next(f for f in everything if f.ongoing)
    assert in_period(ongoing, D(2027, 1, 1), D(2027, 1, 31))
    assert not in_period(south[0], D(2027, 1, 1), D(2027, 1, 31))
    assert not in_period(ongoing, None, ongoing.since - dt.timedelta(days=1))
    assert site.risks(D(2026, 12, 10), start=D(2027, 1, 1)) == [f for f in everything if f.ongoing]
    reds = [f for f in everything if f.severity is Severity.RED]
    assert everything[: len(reds)] == reds, "red first"
