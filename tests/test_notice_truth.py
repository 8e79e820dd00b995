"""Issue 16 items 2 and 3: the record decides the 公示结果's wording, short or back-dated 公示
say so on paper, and a period is printed, closed, listed as due and checked by one rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from exports.notice import notice_document, notice_result_document
from procedures import risks
from store.errors import Needed, NeedsRecord, Refused, TooEarly, VerdictContradicts
from store.site import Site
from tests.docx_helpers import saved, text_of
from tests.sites import at, new_site, post_notice, walk_to
from tests.test_cli_cases import Clock, clock, init, run  # noqa: F401  (clock is a fixture)

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data", at(D(2026, 12, 1)))


def dibao_at_notice(site: Site, now: dt.datetime, subject: str = "王某某低保申请") -> str:
    number = site.cases.open(site.operator, now, "dibao", "城关村", subject).number
    walk_to(site, number, "publicize", now=now)
    return number


def short_findings(site: Site, today: dt.date) -> list[risks.Finding]:
    return [f for f in site.risks(today) if f.check == "notice-short"]


@pytest.mark.parametrize(
    ("posted", "line", "free"),
    [
        # Monday: 12-08 … 12-14 (a Monday) is seven days; the 14th runs to 24:00.
        (D(2026, 12, 7), "公示期：2026年12月8日至2026年12月14日，共7日", D(2026, 12, 15)),
        # Saturday: 12-06 … 12-12 is seven days, but the 12th is a Saturday: moved to Monday the 14th.
        (
            D(2026, 12, 5),
            "公示期：2026年12月6日至2026年12月12日，共7日；末日为休息日，顺延至2026年12月14日",
            D(2026, 12, 15),
        ),
    ],
)
def test_the_printed_period_the_closing_day_due_and_the_risk_check_agree(
    site: Site, tmp_path: Path, posted: dt.date, line: str, free: dt.date
) -> None:
    number = dibao_at_notice(site, at(posted))
    notice = post_notice(site, number, posted, now=at(posted))
    text = text_of(saved(notice_document(site, str(notice["number"])), tmp_path, "公示"))
    assert line in text
    assert "《中华人民共和国民法典》第二百零一条" in text
    assert ("第二百零三条" in text) is (posted.weekday() == 5)
    last = free - dt.timedelta(days=1)
    # due: the day the step may be completed, while waiting, up to and including the last day.
    (item,) = [i for i in site.due(last, within=7) if i.number == number]
    assert (item.state, item.due) == ("waiting", free)
    # The engine: the last day itself, even late in the evening, is too early.
    with pytest.raises(TooEarly) as early:
        site.cases.complete_step(site.operator, at(last, 22), number, "无异议")
    assert early.value.earliest == free
    assert site.cases.get(number).record["current"] == "publicize", "a refusal changes nothing"
    # Forced on the last day: the risk check calls it short; closed the next day it does not.
    other = dibao_at_notice(site, at(posted), "李某低保申请")
    post_notice(site, other, posted, now=at(posted))
    site.cases.complete_step(site.operator, at(last, 22), other, "无异议", force_reason="乡镇催报")
    site.cases.complete_step(site.operator, at(free), number, "无异议")
    assert [f.case for f in short_findings(site, free)] == [other]
    assert not [i for i in site.due(free, within=7) if i.number == number]


def objected(site: Site) -> tuple[str, str]:
    number = dibao_at_notice(site, at(D(2026, 12, 7)))
    notice = str(post_notice(site, number, D(2026, 12, 7), now=at(D(2026, 12, 7)))["number"])
    for who in ("赵某", "钱某"):
        site.notices.object(site.operator, at(D(2026, 12, 9)), notice, D(2026, 12, 9), who, f"{who}反映有车辆")
    site.cases.complete_step(site.operator, at(D(2026, 12, 15)), number, "有异议")
    return number, notice


def test_pending_objections_block_verification_and_print_as_pending(site: Site, tmp_path: Path) -> None:
    number, notice = objected(site)
    assert site.notices.get(notice)["result"] == "异议待核实"
    text = text_of(saved(notice_result_document(site, notice), tmp_path, "结果"))
    assert "异议待核实（2026年12月15日公示结束）" in text and "异议不成立" not in text
    with pytest.raises(NeedsRecord) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议不成立")
    assert (caught.value.needed, caught.value.notice, caught.value.objections) == (Needed.VERDICT, notice, (1, 2))
    site.notices.decide(site.operator, at(D(2026, 12, 16)), notice, 1, False, "经入户核实，车辆已于2025年转让")
    with pytest.raises(NeedsRecord) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议不成立")
    assert caught.value.objections == (2,)
    assert site.cases.get(number).record["current"] == "verify-objection"


def test_an_upheld_objection_cannot_close_as_not_upheld_and_the_paper_follows_the_record(
    site: Site, tmp_path: Path
) -> None:
    number, notice = objected(site)
    site.notices.decide(site.operator, at(D(2026, 12, 16)), notice, 1, False, "车辆已转让")
    site.notices.decide(site.operator, at(D(2026, 12, 16)), notice, 2, True, "家庭有营运车辆一辆")
    with pytest.raises(VerdictContradicts) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议不成立")
    assert caught.value.upheld == (2,) and "不能选择“异议不成立”" in str(caught.value)
    case = site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议成立")
    assert case.record["current"] == "not-reported"
    stored = site.notices.get(notice)
    assert (stored["result"], stored["verified_on"]) == ("异议成立", "2026-12-16")
    with pytest.raises(Refused, match="核实完毕"):
        site.notices.decide(site.operator, at(D(2026, 12, 17)), notice, 2, False, "改口")
    text = text_of(saved(notice_result_document(site, notice), tmp_path, "结果"))
    assert "处理情况：车辆已转让" in text and "处理情况：家庭有营运车辆一辆" in text
    assert "核实结果：异议不成立" in text and "核实结果：异议成立" in text
    assert "异议成立（2026年12月15日公示结束）" in text and "待核实" not in text


def test_not_upheld_objections_close_as_not_upheld(site: Site) -> None:
    number, notice = objected(site)
    for i in (1, 2):
        site.notices.decide(site.operator, at(D(2026, 12, 16)), notice, i, False, "经核实不属实")
    with pytest.raises(VerdictContradicts):
        site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议成立")
    site.cases.complete_step(site.operator, at(D(2026, 12, 16)), number, "异议不成立")
    assert site.notices.get(notice)["result"] == "异议不成立"
    last = site.store.journal.last()
    assert last is not None
    actions = [e["action"] for e in site.store.journal.recent(last["txn"])]
    assert "notice.verified" in actions and "case.step" in actions


def test_a_forced_close_and_a_late_entry_print_the_real_days_and_the_reason(site: Site, tmp_path: Path) -> None:
    forced = dibao_at_notice(site, at(D(2026, 12, 7)))
    notice = str(post_notice(site, forced, D(2026, 12, 7), now=at(D(2026, 12, 7)))["number"])
    site.cases.complete_step(site.operator, at(D(2026, 12, 12)), forced, "无异议", force_reason="乡镇要求提前上报")
    text = text_of(saved(notice_result_document(site, notice), tmp_path, "结果"))
    assert "未满公示期即强制结束：2026年12月8日至2026年12月12日（结束当日未满），实际公示5日，不足规定的7日" in text
    assert "强制结束理由：乡镇要求提前上报" in text
    assert "未满公示期，期间未收到异议（2026年12月12日公示结束）" in text and "无异议（" not in text

    late = dibao_at_notice(site, at(D(2026, 12, 7)), "李某低保申请")
    fields = {"late_reason": "张贴当天停电未能登记"}
    backdated = str(post_notice(site, late, D(2026, 12, 7), now=at(D(2026, 12, 11)), **fields)["number"])
    site.cases.complete_step(site.operator, at(D(2026, 12, 15)), late, "无异议")
    text = text_of(saved(notice_result_document(site, backdated), tmp_path, "补录"))
    assert "张贴日期2026年12月7日系补录：2026年12月11日才登记（补录4日），登记后至公示结束共4日" in text
    assert "补录原因：张贴当天停电未能登记" in text


def test_notice_decide_command(clock: Clock) -> None:  # noqa: F811
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])[
        "number"
    ]
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    notice = json.loads(run("notice", "post", number, "--posted", "2026-11-27", "--json")[1])["number"]
    clock.to(dt.date(2026, 11, 30))
    assert run("notice", "object", notice, "--from", "李某", "--content", "有经营收入")[0] == 0
    clock.to(dt.date(2026, 12, 5))
    assert run("case", "step", number, "--outcome", "有异议")[0] == 0
    code, _, err = run("case", "step", number, "--outcome", "异议不成立")
    assert code == 1 and f"cunwu notice decide {notice} --objection 1" in err and "未做任何改动" in err
    code, _, err = run("notice", "decide", notice, "--objection", "2", "--upheld", "--handling", "x")
    assert code == 2 and "没有第2条" in err
    code, out, _ = run("notice", "decide", notice, "--objection", "1", "--not-upheld", "--handling", "经营已停止")
    assert code == 0 and "第 1 条异议：异议不成立" in out
    code, out, _ = run("notice", "show", notice)
    assert "第1条异议（2026-11-30，李某）" in out and "经营已停止" in out
    assert "公示期：2026年11月28日至2026年12月4日，共7日" in out
    assert run("case", "step", number, "--outcome", "异议不成立")[0] == 0
