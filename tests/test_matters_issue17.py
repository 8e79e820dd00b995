"""Issue 17: the audit's corrections of matter flows against the county document.

Each test names the seed lines it rests on and fails on the flow as it was before the correction.
"""

from __future__ import annotations

import datetime as dt

from procedures import engine
from procedures.engine import CaseState, CaseStatus
from procedures.model import Matter
from procedures.workdays import WorkCalendar
from tests.flows import builtin, paths

D = dt.date


def titles(matter: Matter) -> list[str]:
    return [s.title for s in matter.steps]


def owns_line(matter: Matter, line: int) -> bool:
    return any(a <= line <= b for a, b in matter.source_lines)


# 3. L3860 乡（镇）备案 continues #30's reversed run (L3866–L3899); #29 ends at 入账 and 公开.
def test_township_filing_is_the_last_step_of_30_not_29() -> None:
    zijin, zichan = builtin("jiti-zijin"), builtin("jiti-zichan-ziyuan")
    assert "乡（镇）备案" not in titles(zijin)
    assert not owns_line(zijin, 3860) and owns_line(zichan, 3860)
    assert zijin.step("publish").end
    contract = zichan.step("contract")
    assert not contract.end and zichan.step(contract.next).title == "乡（镇）备案"
    assert zichan.step(contract.next).end


def test_a_29_case_stored_at_the_removed_filing_step_still_walks(cal: WorkCalendar) -> None:
    zijin = builtin("jiti-zijin")
    day = D(2026, 12, 1)
    stored = CaseState(zijin.id, day, "file", day)  # a case saved before the correction
    assert zijin.step("file").id == "publish"
    [choice] = engine.choices(zijin, stored)
    done = engine.advance(zijin, stored, day, cal, choice.label)
    assert done.status is CaseStatus.DONE and done.history[-1].step_id == "publish"


def test_every_walk_of_30_ends_filed_or_stopped() -> None:
    zichan = builtin("jiti-zichan-ziyuan")
    ends = {walk[-1][0] for walk in paths(zichan)}
    assert ends == {"file", "not-passed"}


# 4. L3599: the 网格员 verifies and "各相关职能单位人员协助问题处理": 事件分转 → 人员调度, one after the other.
def test_26_transfer_then_dispatch_then_track() -> None:
    wangge = builtin("wanggehua")
    order = [step_id for step_id, _ in next(iter(paths(wangge)))]
    assert len(list(paths(builtin("wanggehua")))) == 11  # one walk per 事件来源, no other branch
    i = order.index("register")
    assert order[i : i + 4] == ["register", "transfer", "dispatch", "track"]
    assert (wangge.step("transfer").title, wangge.step("dispatch").title) == ("事件分转", "人员调度")


# 5. The inline text of #47 orders 审核 (L1526) → 上报乡（镇） (L1529) → 公开 (L1531).
def test_47_reviews_reports_then_publicizes() -> None:
    butie = builtin("canjiren-butie")
    walks = [[step_id for step_id, _ in walk] for walk in paths(butie)]
    granted = [w for w in walks if w[-1] != "not-eligible"]
    assert granted == [["apply", "accept", "review", "report", "publicize"]]
    publicize = butie.step("publicize")
    assert publicize.end and publicize.timer is not None and publicize.timer.amount == 7


# 6. 组织法 第二十一条 binds a 村民会议 only; L4007 allows "“一事一议”议事会或村民代表会".
def test_33_ten_day_notice_only_on_the_villagers_meeting_path() -> None:
    yiyi = builtin("yishi-yiyi")
    announce = yiyi.step("announce")
    assert announce.timer is None
    by_label = {o.label: o.goto for o in announce.outcomes}
    assert by_label["召开村民代表会"] == "meeting"
    notify = yiyi.step(by_label["召开“一事一议”议事会（村民会议）"])
    assert notify.timer is not None and notify.timer.amount == 10 and notify.next == "meeting"
    for walk in paths(yiyi):
        timed = [s for s, _ in walk if (timer := yiyi.step(s).timer) is not None and timer.amount == 10]
        assert bool(timed) == (walk[0] == ("announce", "召开“一事一议”议事会（村民会议）"))


# 7. L2099, L2105, L2111: the county's 40%/60% split is in the flow, not only in a note.
def test_2_county_split_is_a_checklist_of_the_township_step() -> None:
    township = builtin("dangfei").step("township")
    for line in (
        "县委组织部收缴、上交市委组织部",
        "县委组织部按规定比例（40%）向市委组织部上交党费",
        "经集体讨论后，县委组织部留存60%党费和上级下拨党费，负责管理使用",
    ):
        assert line in township.checklist


# 2. L2867 总结表彰，教育处置, L2873 整改存在问题, L2879 综合分析评定 sit between #11's last content box
# (L2861) and its stage headers (L2885–L2897): they are #11's. #11's 会中 agenda follows L2849→L2813.
ELEVEN_BOXES = ("总结表彰，教育处置", "整改存在问题", "综合分析评定")


def test_11_owns_the_three_boxes_and_12_does_not() -> None:
    eleven, twelve = builtin("zuzhi-shenghuohui"), builtin("minzhu-pingyi-dangyuan")
    for line in (2867, 2873, 2879):
        assert owns_line(eleven, line) and not owns_line(twelve, line)
    assert set(ELEVEN_BOXES) <= set(titles(eleven))
    assert not set(ELEVEN_BOXES) & set(titles(twelve))
    after = [s for s in eleven.steps if s.phase == "会后"]
    assert not any("整改措施" in item for s in after for item in s.checklist)


def test_11_agenda_follows_the_reversed_run() -> None:
    agenda = builtin("zuzhi-shenghuohui").step("members-meeting").checklist
    assert list(agenda[:7]) == [
        "党支部书记、支部委员、其他党员展开自评",  # L2849
        "党员（群众）对支部班子、其他党员批评",  # L2843
        "支部书记讲评",  # L2837
        "上级党组织领导点评",  # L2831
        "上级领导讲话",  # L2825
        "发放民主测评表进行测评",  # L2819
        "支部书记表态发言",  # L2813
    ]


def test_a_12_case_stored_at_the_removed_rectify_step_still_walks(cal: WorkCalendar) -> None:
    twelve = builtin("minzhu-pingyi-dangyuan")
    day = D(2026, 12, 1)
    stored = CaseState(twelve.id, day, "rectify", day)
    done = engine.advance(twelve, stored, day, cal)
    assert done.status is CaseStatus.DONE and done.history[-1].step_id == "archive"


# 1. #24 has two entries: 接待 → 登记 → 受理 → 转办 → 督办, and 排查矛盾纠纷 (L3395) → 村（社区）登记受理（分类）
# (L3386–L3389) → 调查、调解. A dispute 未化解 may become 信访问题 (L3422) or 案件 (L3446); 录入“零案件”档案
# (L3401–L3404) closes the 化解 branch.
def walks_from(matter: Matter, entry: str) -> list[list[str]]:
    return [[s for s, _ in walk] for walk in paths(matter) if walk[0] == ("entry", entry)]


def test_24_petition_entry_registers_accepts_transfers_and_supervises() -> None:
    xinfang = builtin("xinfang")
    [walk] = walks_from(xinfang, "接待")
    assert walk == ["entry", "reception", "register", "classify", "transfer", "supervise", "record-petition"]
    assert [xinfang.step(s).title for s in walk[1:4]] == ["接待", "登记", "受理"]


def test_24_dispute_entry_unresolved_reaches_transfer_and_resolved_is_zero_case() -> None:
    xinfang = builtin("xinfang")
    walks = walks_from(xinfang, "排查矛盾纠纷")
    assert all(w[1:4] == ["screen-dispute", "dispute-register", "mediate"] for w in walks)
    assert xinfang.step("dispute-register").title == "村（社区）登记受理（分类）"
    labels = {o.label: o.goto for o in xinfang.step("mediate").outcomes}
    unresolved = [label for label in labels if label.startswith("未化解")]
    assert any(labels[label] == "transfer" for label in unresolved)
    assert any(labels[label] == "case" for label in unresolved)
    settled = [w for w in walks if w[w.index("mediate") + 1] == "settled"]
    assert settled and all(w[-1] == "record-case" and "judicial" not in w for w in settled)
    assert xinfang.step("record-case").title == "录入“零案件”档案"
    judicial = [w for w in walks if "judicial" in w]
    assert judicial and all("record-case" not in w for w in judicial)


def test_24_cases_stored_at_any_former_step_still_walk(cal: WorkCalendar) -> None:
    xinfang = builtin("xinfang")
    day = D(2026, 12, 1)
    former = ["reception", "register", "classify", "transfer", "supervise", "record-petition"]
    former += ["screen-dispute", "mediate", "settled", "case", "judicial", "record-case"]
    for step_id in former:
        state = CaseState(xinfang.id, day, step_id, day)
        for _ in range(len(xinfang.steps)):
            if state.status is not CaseStatus.OPEN:
                break
            state = engine.advance(xinfang, state, day, cal, engine.choices(xinfang, state)[0].label)
        assert state.status is CaseStatus.DONE, step_id


def test_the_store_treats_a_former_step_id_as_its_replacement() -> None:
    from store.cases import Case, _require_step

    twelve = builtin("minzhu-pingyi-dangyuan")
    record = {"number": "城关村-2026-0001", "current": "rectify", "history": []}
    states = dict(Case(record).step_states(twelve))
    assert states["archive"] == "active"
    _require_step(twelve, record, "archive")  # the replacement step is where the case stands: no StepMismatch


# 9. #21: the 7-day count starts at posting (L3293 签字并公示 → L3296 公示不少于7日), not when signing begins.
def test_21_publicity_counts_from_posting() -> None:
    butie = builtin("gengdi-butie")
    sign = butie.step("sign-publicize")
    assert sign.timer is None and sign.produces == "notice"
    publicity = butie.step(sign.next)
    assert publicity.title == "公示不少于7日"
    assert publicity.timer is not None and publicity.timer.amount == 7
    assert publicity.timer.counts_from == "sign-publicize"
    assert {o.label for o in publicity.outcomes} == {"无异议", "有异议，重新核实修改信息"}


# 9. #57: every loop box says 村民有合理化建议，重新修改方案 (L4823–L4859); no other loop label is the document's.
def test_57_loop_labels_are_the_documents_words() -> None:
    renju = builtin("renju-huanjing")
    loops = [o.label for s in renju.steps for o in s.outcomes if "重新修改方案" in o.label]
    assert loops and all(label == "村民有合理化建议，重新修改方案" for label in loops)


# 10. #14: loans, guarantees and 发包 are not 党支部 business; no item of the 党支部 seal matter speaks of them.
def test_14_has_no_loan_guarantee_or_contracting_item() -> None:
    seal = builtin("yinzhang-dangzhibu")
    said = [x for s in seal.steps for x in (*s.checklist, s.note)]
    assert not [x for x in said if any(w in x for w in ("贷款", "担保", "发包"))]
