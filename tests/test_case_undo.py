"""Undo where people make mistakes, in the store: reopening the last completed step, withdrawing or
terminating a case, correcting its 事由 — each with a reason, journaled, refused (changing nothing)
when it may not be done, and shown in the archive and to the 监委会."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from exports.archive import archive_document
from exports.notice import notice_result_document
from exports.supervision import supervision_report_document
from procedures import engine
from procedures.risks import RECORD_CHECKS
from store.errors import BadInput, Blocked, CannotReopen, CaseClosed, OutOfScope, Refused
from store.site import Site
from store.verify import verify
from tests.accounts import CADRE, CADRE_SOUTH, SUPERVISOR, open_as, register
from tests.docx_helpers import text_of
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date
DAY8 = at(D(2026, 12, 5))
"""The first day the 7-day 公示 posted on NOW's day may close."""


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def fingerprint(root: Path) -> dict[str, str]:
    """Every file's digest, journal included (the lock and the rotated backups aside)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "backups" not in p.parts and p.name != ".lock"
    }


def journal(site: Site) -> list[dict[str, Any]]:
    return [json.loads(line) for line in site.store.journal.path.read_text(encoding="utf-8").splitlines()]


def low_income(site: Site, subject: str = "王某某低保申请") -> str:
    return site.cases.open(site.operator, NOW, "dibao", "城关村", subject).number


# --- reopening ----------------------------------------------------------------------


def test_reopen_puts_the_step_back_as_it_was_journaled_with_reason_and_who(site: Site) -> None:
    number = low_income(site)
    case = site.cases.get(number)
    site.cases.save_progress(site.operator, NOW, number, case.rev, materials=["低保申请书"], note="材料齐全")
    site.cases.complete_step(site.operator, NOW, number)
    assert site.cases.get(number).record["current"] == "accept"

    reopened = site.amendments.reopen(site.operator, at(D(2026, 11, 28)), number, "误点了完成，申请书还没签字")

    record = reopened.record
    assert (record["current"], record["status"], record["history"]) == ("apply", "open", [])
    assert record["current_since"] == NOW.date().isoformat()
    assert record["progress"]["materials"] == ["低保申请书"] and record["progress"]["note"] == "材料齐全"
    (amendment,) = reopened.amendments
    assert amendment["kind"] == "reopen" and amendment["step_id"] == "apply" and amendment["outcome"] == "完成"
    assert amendment["reason"] == "误点了完成，申请书还没签字" and amendment["by"] == site.operator.account
    assert amendment["undone"]["materials"] == ["低保申请书"], "what was undone stays readable"
    last = journal(site)[-1]
    assert last["action"] == "case.reopen" and last["target"] == f"case:{number}"
    assert last["detail"] == {"step": "apply", "outcome": "完成", "reason": "误点了完成，申请书还没签字"}
    assert last["os_user"] == site.operator.account
    assert verify(site.store, site.records()).ok

    # The engine walks on from there: the step is completed again, the next one follows.
    again = site.cases.complete_step(site.operator, at(D(2026, 11, 28)), number)
    assert again.record["current"] == "accept" and len(again.record["history"]) == 1
    assert again.record["history"][0]["finished"] == "2026-11-28"
    walk_to(site, number, "publicize", at(D(2026, 11, 28)))
    assert verify(site.store, site.records()).ok


def test_reopen_is_refused_with_its_reason_and_changes_nothing(site: Site, tmp_path: Path) -> None:
    root = tmp_path / "data"
    fresh = low_income(site)
    before = fingerprint(root)
    with pytest.raises(CannotReopen) as nothing:
        site.amendments.reopen(site.operator, NOW, fresh, "想重开")
    assert nothing.value.blocked is Blocked.NOTHING_DONE and "还没有完成任何步骤" in str(nothing.value)
    assert fingerprint(root) == before

    ticked = low_income(site, "李某某")
    site.cases.complete_step(site.operator, NOW, ticked)
    rev = site.cases.get(ticked).rev
    site.cases.save_progress(site.operator, NOW, ticked, rev, checklist=["登记受理"], note="已电话联系")
    before = fingerprint(root)
    with pytest.raises(CannotReopen) as recorded:
        site.amendments.reopen(site.operator, NOW, ticked, "申请书未签字")
    exc = recorded.value
    assert exc.blocked is Blocked.RECORDED and exc.step_title == "村（居）委会受理"
    assert exc.recorded == ("已勾选清单：登记受理", "已填写备注") and exc.ticked
    assert "已勾选清单：登记受理" in str(exc) and "cunwu" not in str(exc)
    assert fingerprint(root) == before

    posted = low_income(site, "张某某")
    walk_to(site, posted, "publicize")
    post_notice(site, posted)
    with pytest.raises(CannotReopen) as noticed:
        site.amendments.reopen(site.operator, NOW, posted, "评议结果记错")
    notice = site.cases.get(posted).record["progress"]["notice"]
    assert noticed.value.records == (notice,) and f"已登记公示 {notice}" in str(noticed.value)
    assert not noticed.value.ticked

    closed = low_income(site, "赵某某")
    walk_to(site, closed, "publicize")
    post_notice(site, closed)
    site.cases.complete_step(site.operator, DAY8, closed, "无异议")
    site.cases.complete_step(site.operator, DAY8, closed)
    assert site.cases.get(closed).status is engine.CaseStatus.DONE
    before = fingerprint(root)
    with pytest.raises(CannotReopen) as done:
        site.amendments.reopen(site.operator, DAY8, closed, "上报错了")
    assert done.value.blocked is Blocked.CLOSED and done.value.status == "已办结"
    with pytest.raises(BadInput, match="理由不能为空"):
        site.amendments.reopen(site.operator, DAY8, posted, "  ")
    assert fingerprint(root) == before


def test_a_notice_step_closed_with_the_wrong_outcome_is_reopened_with_its_notice_standing(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    notice_no = str(post_notice(site, number)["number"])
    site.cases.complete_step(site.operator, DAY8, number, "无异议")
    assert site.notices.get(notice_no)["result"]

    case = site.amendments.reopen(site.operator, DAY8, number, "公示期间收到过一条口头异议，漏登")
    assert case.record["current"] == "publicize" and case.record["progress"]["notice"] == notice_no
    assert case.record["current_since"] == NOW.date().isoformat(), "the period counts from the posting again"
    notice = site.notices.get(notice_no)
    assert (notice["result"], notice["closed_on"]) == ("", "")
    assert journal(site)[-1]["action"] == "case.reopen" and journal(site)[-2]["action"] == "notice.reopen"

    # The objection can be registered now, and the branch taken that was missed.
    site.notices.object(site.operator, DAY8, notice_no, D(2026, 11, 30), "张某", "收入情况不实")
    case = site.cases.complete_step(site.operator, DAY8, number, "有异议")
    assert case.record["current"] == "verify-objection"
    assert verify(site.store, site.records()).ok


def test_a_verifying_step_reopened_lets_the_verdicts_be_changed(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    notice_no = str(post_notice(site, number)["number"])
    site.notices.object(site.operator, NOW, notice_no, NOW.date(), "张某", "收入情况不实")
    site.cases.complete_step(site.operator, DAY8, number, "有异议")
    site.notices.decide(site.operator, DAY8, notice_no, 1, False, "经核实收入属实")
    site.cases.complete_step(site.operator, DAY8, number, "异议不成立")
    with pytest.raises(Refused, match="核实完毕"):
        site.notices.decide(site.operator, DAY8, notice_no, 1, True, "重新核实")

    site.amendments.reopen(site.operator, DAY8, number, "核实结论写反了")
    site.notices.decide(site.operator, DAY8, notice_no, 1, True, "重新核实：异议成立")
    case = site.cases.complete_step(site.operator, DAY8, number, "异议成立")
    assert case.record["current"] == "not-reported"


def test_a_meeting_step_reopened_carries_its_minutes_back_instead_of_drafting_again(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    (minutes,) = site.cases.get(number).record["history"][-1]["records"]
    case = site.amendments.reopen(site.operator, NOW, number, "评议结果选错")
    assert case.record["current"] == "appraise" and case.record["progress"]["records"] == [minutes]
    assert minutes in case.records()
    with pytest.raises(CannotReopen, match=f"已登记会议记录 {minutes}"):
        site.amendments.reopen(site.operator, NOW, number, "再往前一步")
    case = site.cases.complete_step(site.operator, NOW, number)
    assert case.record["history"][-1]["records"] == [minutes]
    assert len(site.meetings.find("城关村")) == 1, "no second draft"
    assert "records" not in case.record["progress"]


# --- withdrawing and terminating ----------------------------------------------------


def test_withdraw_closes_the_case_and_stops_its_running_notice(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    notice_no = str(post_notice(site, number)["number"])
    later = at(D(2026, 11, 30))
    case = site.amendments.withdraw(site.operator, later, number, "申请人书面申请撤回")

    assert case.status is engine.CaseStatus.WITHDRAWN and case.record["current"] == ""
    assert engine.STATUS_LABELS[case.status] == "已撤回" and case.closed_on == "2026-11-30"
    (entry,) = case.amendments
    assert (entry["kind"], entry["step_id"], entry["notice"], entry["reason"]) == (
        "withdraw",
        "publicize",
        notice_no,
        "申请人书面申请撤回",
    )
    notice = site.notices.get(notice_no)
    assert notice["result"] == "公示中止（办件已撤回）" and notice["closed_on"] == "2026-11-30"
    assert [e["action"] for e in journal(site)[-2:]] == ["notice.close", "case.withdraw"]
    assert journal(site)[-1]["detail"]["reason"] == "申请人书面申请撤回"
    assert engine.choices(site.catalog.get("dibao"), case.state()) == ()
    assert [c.number for c in site.cases.find(status="已撤回")] == [number]

    findings = [f for f in site.risks(later.date()) if f.case == number and f.check != "materials-missing"]
    assert [f.check for f in findings] == ["case-withdrawn"], "a stopped 公示 is not 公示期不足"
    assert "撤回" in findings[0].text and "申请人书面申请撤回" in findings[0].text
    assert findings[0].severity.value == "amber"

    text = text_of(notice_result_document(site, notice_no))
    assert "公示中止（办件已撤回）（2026年11月30日中止）" in text
    assert "公示中止（办件已撤回）：2026年11月30日中止公示。理由：申请人书面申请撤回" in text
    assert "强制结束" not in text

    with pytest.raises(CaseClosed, match="已撤回，不能再终止"):
        site.amendments.terminate(site.operator, later, number, "再终止一次")
    with pytest.raises(CannotReopen, match="已撤回，不能重开"):
        site.amendments.reopen(site.operator, later, number, "撤回错了")
    report = verify(site.store, site.records())
    assert report.ok and report.amended == 1


def test_terminate_closes_as_stopped_with_the_step_it_stood_at(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "xinfang", "南石村", "张某来访").number
    case = site.amendments.terminate(site.operator, NOW, number, "来访人已通过其他渠道解决")
    assert case.status is engine.CaseStatus.STOPPED and engine.STATUS_LABELS[case.status] == "已终止"
    assert case.amendments[-1]["kind"] == "terminate" and case.amendments[-1]["step_id"]
    assert journal(site)[-1]["action"] == "case.terminate"
    (finding,) = [f for f in site.risks(NOW.date()) if f.check == "case-withdrawn"]
    assert "终止" in finding.text and finding.step


# --- the 事由 ------------------------------------------------------------------------


def test_correcting_the_subject_keeps_the_old_wording(site: Site, tmp_path: Path) -> None:
    number = low_income(site, "王某某低保申请")
    case = site.amendments.correct_subject(site.operator, NOW, number, "王某甲低保申请", "申请人姓名录错")
    assert case.subject == "王某甲低保申请"
    (entry,) = case.amendments
    assert (entry["old"], entry["new"], entry["reason"]) == ("王某某低保申请", "王某甲低保申请", "申请人姓名录错")
    assert journal(site)[-1]["action"] == "case.subject"
    before = fingerprint(tmp_path / "data")
    with pytest.raises(BadInput, match="相同"):
        site.amendments.correct_subject(site.operator, NOW, number, "王某甲低保申请", "再改一次")
    with pytest.raises(BadInput, match="办件事由不能为空"):
        site.amendments.correct_subject(site.operator, NOW, number, " ", "清空")
    assert fingerprint(tmp_path / "data") == before
    (finding,) = [f for f in site.risks(NOW.date()) if f.check == "subject-corrected"]
    assert "原为“王某某低保申请”" in finding.text and "申请人姓名录错" in finding.text


# --- who may ------------------------------------------------------------------------


def test_only_who_may_complete_the_step_may_undo(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    register(root)
    cadre = open_as(root, CADRE)
    number = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "王某某").number
    cadre.cases.complete_step(cadre.operator, NOW, number)
    before = fingerprint(root)
    other = open_as(root, CADRE_SOUTH)
    supervisor = open_as(root, SUPERVISOR)
    for site, refusal in ((other, OutOfScope), (supervisor, Refused)):
        for attempt in (
            lambda s=site: s.amendments.reopen(s.operator, NOW, number, "理由"),
            lambda s=site: s.amendments.withdraw(s.operator, NOW, number, "理由"),
            lambda s=site: s.amendments.terminate(s.operator, NOW, number, "理由"),
            lambda s=site: s.amendments.correct_subject(s.operator, NOW, number, "新事由", "理由"),
        ):
            with pytest.raises(refusal) as refused:
                attempt()
            assert fingerprint(root) == before, str(refused.value)
    with pytest.raises(Refused, match="监委会账号"):
        supervisor.amendments.reopen(supervisor.operator, NOW, number, "理由")
    case = cadre.amendments.reopen(cadre.operator, NOW, number, "误点完成")
    assert case.amendments[-1]["by_name"] == "王文书" and case.amendments[-1]["by_role"] == "村干部"


# --- the archive --------------------------------------------------------------------


def test_the_archive_lists_every_reopening_withdrawal_and_correction(site: Site) -> None:
    number = low_income(site)
    site.cases.complete_step(site.operator, NOW, number)
    site.amendments.reopen(site.operator, at(D(2026, 11, 28)), number, "误点了完成")
    site.amendments.correct_subject(site.operator, at(D(2026, 11, 29)), number, "王某甲低保申请", "姓名录错")
    site.amendments.withdraw(site.operator, at(D(2026, 11, 30)), number, "申请人书面申请撤回")
    text = text_of(archive_document(site, number, D(2026, 12, 1)))

    assert "四、更正记录（重开步骤、撤回、终止、更正事由）" in text
    assert "重开“个人申请”（撤销原办理结果“完成”，原完成日期 2026-11-27）" in text
    assert "2026-11-28 09:00" in text and "误点了完成" in text
    assert "更正事由：原为“王某某低保申请”，改为“王某甲低保申请”" in text and "姓名录错" in text
    assert "撤回办件，办理至“个人申请”" in text and "申请人书面申请撤回" in text
    assert "已撤回（2026-11-30 由" in text and "撤回，理由见“四、更正记录”）" in text
    assert "20261127—20261130" in text, "起止日期 run to the withdrawal"
    assert "重开步骤 1 次，撤回办件 1 次，更正事由 1 次" in text
    assert "事由：王某甲低保申请" in text


def test_an_archive_without_amendments_says_so(site: Site) -> None:
    number = low_income(site)
    text = text_of(archive_document(site, number, NOW.date()))
    assert "本办件没有重开步骤、撤回、终止或更正事由。" in text


def test_the_supervision_report_shows_the_reopening_and_the_record_checks(site: Site) -> None:
    number = low_income(site)
    site.cases.complete_step(site.operator, NOW, number)
    site.amendments.reopen(site.operator, NOW, number, "误点了完成")
    doc = supervision_report_document(site, "城关村", D(2026, 11, 1), D(2026, 11, 30), NOW.date())
    text = text_of(doc)
    assert "重开已完成步骤" in text and "撤销原办理结果“完成”，理由：误点了完成" in text
    for check in RECORD_CHECKS:
        assert check.title in text and check.looks_for in text
    assert "重开步骤、撤回或终止办件、更正事由 1 次。" in text
    outside = text_of(supervision_report_document(site, "城关村", D(2026, 12, 1), D(2026, 12, 31), D(2026, 12, 31)))
    assert "误点了完成" not in outside, "a finding of another period is not this period's"


def test_a_forced_close_reopened_still_shows_that_it_was_forced(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    post_notice(site, number)
    site.cases.complete_step(site.operator, at(D(2026, 11, 30)), number, "无异议", force_reason="乡镇要求提前上报")
    assert [f.check for f in site.risks(D(2026, 11, 30)) if f.check == "notice-short"] == ["notice-short"]
    site.amendments.reopen(site.operator, at(D(2026, 11, 30)), number, "提前结束不妥，继续公示")
    (finding,) = [f for f in site.risks(D(2026, 11, 30)) if f.check == "step-reopened"]
    assert "原为未满时限强制完成，强制理由：乡镇要求提前上报" in finding.text
    assert verify(site.store, site.records()).forced == 1, "the journal still counts the forced close"


def test_a_reopened_meeting_step_completed_with_other_minutes_lets_the_old_draft_go(site: Site) -> None:
    number = low_income(site)
    walk_to(site, number, "publicize")
    (draft,) = site.cases.get(number).record["history"][-1]["records"]
    site.amendments.reopen(site.operator, NOW, number, "评议会议另有记录")
    minutes = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {
            "kind": "村民代表会议",
            "title": "民主评议王某某低保申请",
            "start": "2026-11-27T09:00",
            "host": "李书记",
            "recorder": "王文书",
            "expected": 39,
            "present": 30,
            "items": [{"title": "评议", "vote": {"ayes": 25, "nays": 1, "abstain": 0}}],
        },
    )
    case = site.cases.complete_step(site.operator, NOW, number, meeting=minutes["number"])
    assert case.record["history"][-1]["records"] == [minutes["number"]]
    old = site.meetings.get(draft)
    assert (old["case"], old["step"]) == ("", "")
    assert [e["action"] for e in journal(site)[-3:]] == ["meeting.unlink", "meeting.link", "case.step"]
    assert draft not in case.records() and verify(site.store, site.records()).ok
