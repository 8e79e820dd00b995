"""乡镇汇总 (issue 21, item 2): a summary over two villages and two periods (November and December
2026, seen on 2027-01-04), every figure checked against what was built through the API here."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from exports import documents
from procedures.risks import Severity
from store.errors import BadInput, Refused
from store.site import Site
from store.summary import KEYS, Period, Summary, summarise
from tests.accounts import CADRE, CADRE_SOUTH, STAFF, STRANGER, SUPERVISOR, TOWNSHIP, env, open_as, register
from tests.docx_helpers import ID, MASKED, assert_house_style, text_of
from tests.sites import at, new_site, walk_to
from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]

D = dt.date
TODAY = D(2027, 1, 4)
NOV, DEC = Period(D(2026, 11, 1), D(2026, 11, 30)), Period(D(2026, 12, 1), D(2026, 12, 31))
MEDIATE = {"dispute": "当事人申请受理"}
FIX = {"source": "inspection", "problem": "财务公开栏未更新", "measure": "更新并拍照留存", "responsible": "王文书"}


def meeting(site: Site, village: str, kind: str, day: D) -> None:
    site.meetings.new(
        site.operator,
        at(day),
        village,
        {
            "kind": kind,
            "title": f"{day.month}月{kind}",
            "start": f"{day.isoformat()} 09:00",
            "host": "张书记",
            "recorder": "李文书",
            "expected": 5,
            "present": 5,
            "items": [],
        },
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("summary") / "data")


def build(root: Path) -> Path:
    """Records kept since 2026-01-01 in 城关村 and 南石村.

    城关村: a 低保 case opened 11-02, its 公示 registered and counter-signed on 11-03, posted 11-04 (on time), ended 11-12
    (its seven days run); a 调解 received 11-25 whose month ran out on 12-25 (still open); a
    支委会 held in November and a 支委会 and a 主题党日 in December; a 整改 opened 11-10 (deadline
    11-20), done 11-25, 销号 12-02; a second opened 12-05 (deadline 12-15) still open; an opinion
    on 12-10; a 整改 opened on 12-28 from the 调解's overdue step.
    南石村: a 低保 case opened 11-02 whose 公示 was posted only on 11-20 (late) and ended by force on
    11-23 (short); a 卫生宣传 case opened and finished in November; a 低保 case opened 12-01 and
    withdrawn 12-03; a 整改 opened 11-12 and waived 11-15 by the 乡镇."""
    admin = new_site(root, at(D(2026, 1, 1)))
    admin.init(at(D(2026, 1, 1)), None, [], staff=list(STAFF))
    cadre, south = open_as(root, CADRE), open_as(root, CADRE_SOUTH)
    committee, township = open_as(root, SUPERVISOR), open_as(root, TOWNSHIP)
    # In the order of the days (a save dated before the last one is refused).
    first = admin.cases.open(admin.operator, at(D(2026, 11, 2)), "dibao", "城关村", "王某低保申请").number
    walk_to(admin, first, "publicize", at(D(2026, 11, 2)))
    late = south.cases.open(south.operator, at(D(2026, 11, 2)), "dibao", "南石村", "李某低保申请").number
    walk_to(south, late, "publicize", at(D(2026, 11, 2)))
    admin.cases.post_notice(admin.operator, at(D(2026, 11, 3)), first, {"posted_on": D(2026, 11, 4), "content": "王某"})
    committee.opinions.countersign(committee.operator, at(D(2026, 11, 3)), first)
    health = south.cases.open(south.operator, at(D(2026, 11, 3)), "weisheng-xuanchuan", "南石村", "冬季卫生宣传").number
    meeting(admin, "城关村", "支委会", D(2026, 11, 6))
    walk_to(south, health, "", at(D(2026, 11, 9)))
    one = township.rectifications.new(
        township.operator, at(D(2026, 11, 10)), "城关村", {**FIX, "deadline": "2026-11-20"}
    )
    admin.cases.complete_step(admin.operator, at(D(2026, 11, 12)), first, "无异议")
    waived = township.rectifications.new(
        township.operator, at(D(2026, 11, 12)), "南石村", {**FIX, "deadline": "2026-11-30"}
    )
    township.rectifications.waive(township.operator, at(D(2026, 11, 15)), waived["number"], "已于检查前整改")
    south.cases.post_notice(
        south.operator, at(D(2026, 11, 20)), late, {"posted_on": D(2026, 11, 20), "content": "李某"}
    )
    south.cases.complete_step(south.operator, at(D(2026, 11, 23)), late, "无异议", force_reason="上级催报")
    mediation = admin.cases.open(admin.operator, at(D(2026, 11, 25)), "maodun-jiufen", "城关村", "邻里纠纷").number
    walk_to(admin, mediation, "mediate", at(D(2026, 11, 25)), MEDIATE)
    cadre.rectifications.finish(cadre.operator, at(D(2026, 11, 25)), one["number"], "已更新")
    gone = south.cases.open(south.operator, at(D(2026, 12, 1)), "dibao", "南石村", "赵某低保申请").number
    committee.rectifications.close(committee.operator, at(D(2026, 12, 2)), one["number"], "核实属实")
    south.amendments.withdraw(south.operator, at(D(2026, 12, 3)), gone, "申请人撤回申请")
    meeting(admin, "城关村", "支委会", D(2026, 12, 4))
    township.rectifications.new(
        township.operator,
        at(D(2026, 12, 5)),
        "城关村",
        {**FIX, "problem": f"低保户 {ID} 未公示", "deadline": "2026-12-15"},
    )
    committee.opinions.add(committee.operator, at(D(2026, 12, 10)), first, "请补充入户调查照片")
    meeting(admin, "城关村", "主题党日", D(2026, 12, 18))
    township.rectifications.new(
        township.operator,
        at(D(2026, 12, 28)),
        "城关村",
        {**FIX, "deadline": "2027-01-10", "source": "finding", "source_key": f"deadline-missed|{mediation}|mediate"},
    )
    return root


@pytest.fixture(scope="module")
def summary(built: Path) -> Summary:
    return summarise(open_as(built, TOWNSHIP), DEC.start, DEC.end, TODAY)


def figures(summary: Summary, village: str, before: bool = False) -> dict[str, int]:
    rows = summary.before if before else summary.current
    (row,) = [r for r in rows if r.village == village]
    return row.counts


def test_the_previous_period_is_as_many_months_or_the_same_days_before() -> None:
    assert DEC.previous() == NOV
    assert Period(D(2026, 1, 1), D(2026, 3, 31)).previous() == Period(D(2025, 10, 1), D(2025, 12, 31))
    assert Period(D(2026, 3, 1), D(2026, 3, 31)).previous() == Period(D(2026, 2, 1), D(2026, 2, 28))
    assert Period(D(2026, 12, 6), D(2026, 12, 12)).previous() == Period(D(2026, 11, 29), D(2026, 12, 5))
    # From a month's first day to a day within: the same days that many months before.
    assert Period(D(2026, 1, 1), D(2026, 12, 6)).previous() == Period(D(2025, 1, 1), D(2025, 12, 6))
    assert Period(D(2026, 12, 1), D(2026, 12, 6)).previous() == Period(D(2026, 11, 1), D(2026, 11, 6))
    assert Period(D(2026, 3, 1), D(2026, 3, 30)).previous() == Period(D(2026, 2, 1), D(2026, 2, 28))


def test_bad_periods_are_refused_with_what_to_do() -> None:
    with pytest.raises(BadInput, match="截止日期 2026-11-01 早于起始日期 2026-12-01"):
        Period.of(D(2026, 12, 1), D(2026, 11, 1), TODAY)
    with pytest.raises(BadInput, match="起始日期 0001-12-01 早于 2000 年"):
        Period.of(D(1, 12, 1), D(2026, 11, 1), TODAY)
    # A period not begun yet is not summed up as if it had happened (year 9999: no crash either).
    for start in (D(2027, 2, 1), D(9999, 12, 31)):
        with pytest.raises(BadInput, match=f"汇总期间从 {start.isoformat()} 开始，还没有到（今天是 2027-01-04）"):
            Period.of(start, start, TODAY)
    with pytest.raises(BadInput, match="最长 5 年"):
        Period.of(D(2021, 12, 31), D(2026, 12, 31), TODAY)
    assert Period.of(D(2022, 1, 1), D(2026, 12, 31), TODAY).end == D(2026, 12, 31)  # five years: to its end
    assert Period.of(D(2027, 1, 1), D(2027, 1, 31), TODAY).end == D(2027, 1, 31)  # this month, begun


def test_the_periods_and_villages_are_the_ones_asked_for(summary: Summary) -> None:
    assert (summary.period, summary.previous) == (DEC, NOV)
    assert summary.villages == ("城关村", "南石村")  # the configured order, never by a figure
    assert set(figures(summary, "城关村")) == set(KEYS)


def test_recurring_duties_count_the_windows_ending_in_each_period(summary: Summary) -> None:
    # November ends four monthly windows: 支委会, 党小组会, 主题党日 (meetings) and 交纳党费;
    # December ends those four, the quarter's (支部党员大会; 村务公开, 财务公开) and the year's
    # (党课, 组织生活会, 民主评议党员; 党费公示, 流动党员年审, 后备干部考核, 参保缴费, 死亡人员名单,
    # 环保宣传计划): records are kept since 2026-01-01, so every one of them is judged.
    assert [figures(summary, "城关村", True)[k] for k in ("meetings_due", "meetings_held")] == [3, 1]
    assert [figures(summary, "城关村")[k] for k in ("meetings_due", "meetings_held")] == [7, 2]
    assert [figures(summary, "城关村", True)[k] for k in ("duties_due", "duties_done")] == [1, 0]
    assert [figures(summary, "城关村")[k] for k in ("duties_due", "duties_done")] == [9, 0]
    assert [figures(summary, "南石村")[k] for k in ("meetings_due", "meetings_held")] == [7, 0]
    (village,) = [r for r in summary.current if r.village == "城关村"]
    assert village.duties["zhibu-weiyuanhui.resolve"] == ["支委会", 1, 1]


def test_notices_posted_on_time_and_run_to_term(summary: Summary) -> None:
    assert {k: figures(summary, "城关村", True)[k] for k in KEYS if k.startswith("notices")} == {
        "notices_posted": 1,
        "notices_on_time": 1,
        "notices_unposted": 0,
        "notices_ended": 1,
        "notices_full": 1,
    }
    # 南石村's: posted 18 days after its step began (late), ended by force after 4 days (short).
    assert {k: figures(summary, "南石村", True)[k] for k in KEYS if k.startswith("notices")} == {
        "notices_posted": 1,
        "notices_on_time": 0,
        "notices_unposted": 0,
        "notices_ended": 1,
        "notices_full": 0,
    }
    assert not any(figures(summary, "南石村")[k] for k in KEYS if k.startswith("notices"))
    assert summary.before[1].rate("notices_full", "notices_ended") == "0%"
    assert summary.before[0].rate("notices_on_time", "notices_posted") == "100%"
    assert summary.current[0].rate("notices_full", "notices_ended") == "—"


def test_steps_overdue_and_findings_are_the_risk_checks_of_the_period(built: Path, summary: Summary) -> None:
    # The 调解's month ran out on 12-25: overdue from 12-26, still open.
    assert figures(summary, "城关村")["steps_late_open"] == 1
    assert figures(summary, "城关村", True)["steps_late_open"] == 0
    township = open_as(built, TOWNSHIP)
    for village in ("城关村", "南石村"):
        for period, before in ((DEC, False), (NOV, True)):
            found = township.risks(TODAY, village, period.start, period.end)
            red = sum(f.severity is Severity.RED for f in found)
            assert figures(summary, village, before)["findings_red"] == red
            assert figures(summary, village, before)["findings_amber"] == len(found) - red
    checks = {(f.village, f.check) for f, _ in summary.findings}
    assert {("城关村", "deadline-missed"), ("城关村", "recurring-missed"), ("南石村", "case-withdrawn")} <= checks
    assert all(DEC.has(f.since) or f.ongoing for f, _ in summary.findings)
    fixed = {f.check: fix for f, fix in summary.findings if f.village == "城关村" and fix is not None}
    assert list(fixed) == ["deadline-missed"]
    assert (fixed["deadline-missed"].number, fixed["deadline-missed"].state) == ("城关村-2026-ZG0003", "open")


def test_rectifications_opened_closed_waived_open_and_overdue(summary: Summary) -> None:
    nov, dec = figures(summary, "城关村", True), figures(summary, "城关村")
    fixes = ("fixes_new", "fixes_closed", "fixes_waived", "fixes_open", "fixes_overdue")
    # November: opened, done on 11-25 (awaiting 销号 at the month's end: open, not overdue).
    assert [nov[k] for k in fixes] == [1, 0, 0, 1, 0]
    # December: 销号 on 12-02; the second past its deadline of 12-15 at the month's end; the
    # third (from the 调解's finding) not yet due.
    assert [dec[k] for k in fixes] == [2, 1, 0, 2, 1]
    assert [figures(summary, "南石村", True)[k] for k in fixes] == [1, 0, 1, 0, 0]


def test_cases_by_status_and_matter(summary: Summary) -> None:
    cases = ("cases_opened", "cases_done", "cases_stopped", "cases_open")
    assert [figures(summary, "城关村", True)[k] for k in cases] == [2, 0, 0, 2]
    assert [figures(summary, "城关村")[k] for k in cases] == [0, 0, 0, 2]
    assert [figures(summary, "南石村", True)[k] for k in cases] == [2, 1, 0, 1]
    assert [figures(summary, "南石村")[k] for k in cases] == [1, 0, 1, 1]
    (south,) = [r for r in summary.current if r.village == "南石村"]
    assert south.matters == {"dibao": {"cases_opened": 1, "cases_done": 0, "cases_stopped": 1, "cases_open": 1}}


def test_opinions_and_countersignatures(summary: Summary) -> None:
    assert [figures(summary, "城关村", True)[k] for k in ("opinions", "countersigns")] == [0, 1]
    assert [figures(summary, "城关村")[k] for k in ("opinions", "countersigns")] == [1, 0]
    assert [figures(summary, "南石村")[k] for k in ("opinions", "countersigns")] == [0, 0]


def test_a_village_cadre_sums_up_their_own_village_only(built: Path) -> None:
    mine = summarise(open_as(built, CADRE), DEC.start, DEC.end, TODAY)
    assert mine.villages == ("城关村",)
    assert all(f.village == "城关村" for f, _ in mine.findings)
    with pytest.raises(Refused, match="不在本数据目录的人员名单中"):
        summarise(open_as(built, STRANGER), DEC.start, DEC.end, TODAY)


# --- the paper and the spreadsheet -------------------------------------------------------------


def cells(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_word_summary_is_landscape_and_prints_the_figures_with_the_period_before(
    built: Path, summary: Summary, tmp_path: Path
) -> None:
    township = Site(built, environ={})  # the 管理员: --out is allowed
    path = documents.export_summary(township, DEC.start, DEC.end, TODAY, tmp_path / "out")
    assert path.name == "20270104_乡镇汇总_全部村_20261201-20261231.docx"
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert_house_style(doc)
    text = text_of(doc)
    assert "沁河镇村级事务办理情况汇总" in text and "不评分、不排名" in text
    assert "2026年12月1日至2026年12月31日（上期：2026年11月1日至2026年11月30日）" in text
    duties = cells(doc.tables[0])
    assert duties[0][:4] == ["村", "期间", "三会一课等已开/应开", "其他定期工作已办/应办"]
    # 城关村 this period, then the period before; 南石村; then the totals.
    assert duties[1][:4] == ["城关村", "本期", "2/7", "0/9"]
    assert duties[2][:6] == ["", "上期", "1/3", "0/1", "1", "1（100%）"]
    assert duties[4][:2] == ["", "上期"] and duties[4][5:9] == ["0（0%）", "0", "1", "0（0%）"]
    assert duties[5][:4] == ["合计", "本期", "2/14", "0/18"]
    work = cells(doc.tables[1])
    assert work[0][2:4] == ["风险提示红", "风险提示黄"]
    fixes = work[0].index("整改新增")
    assert work[1][fixes : fixes + 5] == ["2", "1", "0", "2", "1"]  # 城关村, December
    detail = cells(doc.tables[4])
    assert detail[0] == ["序号", "村", "程度", "风险点", "事项", "办件/记录编号", "起始日期", "状态", "整改"]
    fixed = [row for row in detail if row[-1].startswith("城关村-2026-ZG0003")]
    assert (
        len(fixed) == 1
        and fixed[0][3] == "超过办理时限"
        and fixed[0][-1] == "城关村-2026-ZG0003（整改中，期限2027-01-10）"
    )
    situation = detail[detail.index(fixed[0]) + 1]
    assert situation[0].startswith(
        "情况：“调查、调解、签订协议”一般在一个月内调结，应于2026年12月25日前完成，已超期 10 日"
    )
    assert len(set(situation)) == 1  # one cell merged across the table
    assert len(detail) == 1 + 2 * len(summary.findings)
    # 五、整改事项: each one December's 整改 figures count, with its state on 12-31, ID numbers masked.
    fixes = cells(doc.tables[5])
    assert fixes[0] == [
        "序号",
        "整改编号",
        "来源",
        "问题",
        "责任人",
        "整改期限",
        "期末状态",
        "完成日期",
        "销号或认定日期",
    ]
    assert [r[1:3] + r[5:] for r in fixes[1:]] == [
        ["城关村-2026-ZG0001", "检查发现", "2026-11-20", "已销号", "2026-11-25", "2026-12-02"],
        ["城关村-2026-ZG0002", "检查发现", "2026-12-15", "整改中（已逾期）", "—", "—"],
        ["城关村-2026-ZG0003", "风险提示", "2027-01-10", "整改中", "—", "—"],
    ]
    assert fixes[2][3] == f"低保户 {MASKED} 未公示" and ID not in text_of(doc)


def test_the_spreadsheet_has_its_header_sheet_numbers_and_date_cells(built: Path, tmp_path: Path) -> None:
    township = Site(built, environ={})
    path = documents.export_summary(
        township, DEC.start, DEC.end, TODAY, tmp_path / "out", xlsx=True, exported=dt.datetime(2027, 1, 4, 15, 42)
    )
    assert path.name == "20270104_乡镇汇总_全部村_20261201-20261231.xlsx" and stat.S_IMODE(path.stat().st_mode) == 0o600
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["说明", "各村情况", "办件按村和事项", "定期事项", "整改事项", "风险提示明细"]
    fixes = [[c.value for c in row] for row in workbook["整改事项"].iter_rows()]
    assert fixes[2][2:] == [
        "城关村-2026-ZG0002",
        "检查发现",
        f"低保户 {MASKED} 未公示",
        "王文书",
        dt.datetime(2026, 12, 15),
        "整改中",
        "是",
        dt.datetime(2026, 12, 5),
        None,  # not done, not closed: empty cells
        None,
    ]
    assert workbook["整改事项"]["E3"].number_format == "@"  # text, as typed (masked)
    info = {str(r[0].value): str(r[1].value) for r in workbook["说明"].iter_rows(min_row=2)}
    last = township.store.journal.last()
    assert info["日志链头"] == f"第 {last['seq']} 条，哈希 {last['hash']}"
    assert info["期间"] == "2026-12-01 至 2026-12-31（上期 2026-11-01 至 2026-11-30）"
    assert info["导出时间"] == "2027-01-04 15:42" and "王文书" in info["导出人"]
    rows = [[c.value for c in row] for row in workbook["各村情况"].iter_rows()]
    header = rows[0]
    assert header[:4] == ["村", "期间", "起始日期", "截止日期"]
    assert header[4:8] == ["三会一课等应开", "三会一课等已开", "其他定期工作应办", "其他定期工作已办"]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["村"], first["期间"]) == ("城关村", "本期")
    assert first["起始日期"] == dt.datetime(2026, 12, 1)  # a date cell
    assert (first["三会一课等应开"], first["三会一课等已开"], first["整改逾期"]) == (7, 2, 1)
    before = dict(zip(header, rows[2], strict=True))
    assert (before["期间"], before["截止日期"], before["公示按时张贴率（%）"]) == (
        "上期",
        dt.datetime(2026, 11, 30),
        100,
    )
    assert [r[0] for r in rows[1:]] == ["城关村", "城关村", "南石村", "南石村", "合计", "合计"]
    findings = [[c.value for c in row] for row in workbook["风险提示明细"].iter_rows()]
    late = [r for r in findings if r[9] == "城关村-2026-ZG0003"]
    assert len(late) == 1 and late[0][3] == "超过办理时限" and late[0][7] == dt.datetime(2026, 12, 26)
    assert late[0][10:12] == ["整改中", dt.datetime(2027, 1, 10)]
    matters = [[c.value for c in row] for row in workbook["办件按村和事项"].iter_rows()]
    assert matters[0][-4:] == ["办件受理", "办件办结", "办件终止撤回", "办件期末在办"]
    south = [r for r in matters if r[0] == "南石村" and r[3] == "本期"]
    assert [(r[1], r[-4:]) for r in south] == [("dibao", [1, 0, 1, 1])]


# --- from the command line, as each account -----------------------------------------------------


def test_the_cli_exports_the_summary_of_what_each_account_sees(clock: Clock, tmp_path: Path) -> None:
    init()
    register(tmp_path / "data")
    clock.to(D(2026, 12, 6))
    code, out, err = run("export", "summary", "--from", "2026-11-01", "--to", "2026-11-30", "--json", env=env(TOWNSHIP))
    assert code == 0, err
    assert Path(json.loads(out)["path"]).name == "20261206_乡镇汇总_全部村_20261101-20261130.docx"
    code, out, err = run("export", "summary", "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", env=env(CADRE))
    assert code == 0, err
    assert Path(out.strip().removeprefix("已导出：")).name == "20261206_乡镇汇总_城关村_20261101-20261130.xlsx"
    mine = load_workbook(out.strip().removeprefix("已导出："))
    assert [r[0].value for r in mine["各村情况"].iter_rows(min_row=2)] == ["城关村", "城关村"]  # no totals of one
    # The village's own file can be taken out again by its cadre; the township's by the 乡镇 only.
    code, out, _ = run("export", "files", env=env(CADRE))
    assert "20261206_乡镇汇总_城关村_20261101-20261130.xlsx" in out
    assert documents.scope_of("20261206_乡镇汇总_全部村_20261101-20261130.docx").kind == documents.TOWNSHIP
    code, _, err = run(
        "export", "summary", "--from", "2026-11-01", "--to", "2026-11-30", "--village", "南石村", env=env(CADRE)
    )
    assert code != 0 and "南石村" in err


def test_bad_dates_say_what_to_do_and_write_nothing(clock: Clock, tmp_path: Path) -> None:
    init()
    before = sorted(p.name for p in (tmp_path / "data").rglob("*"))
    for args, said in (
        (("--from", "2026-12-01", "--to", "2026-11-01"), "截止日期 2026-11-01 早于起始日期 2026-12-01"),
        (("--from", "0001-11-01", "--to", "2026-11-30"), "早于 2000 年"),
        (("--from", "2026-13-01", "--to", "2026-11-30"), "起始日期"),
        (("--from", "2020-01-01", "--to", "2026-11-30"), "最长 5 年"),
        (("--from", "9999-01-01", "--to", "9999-01-31"), "还没有到"),
    ):
        code, out, err = run("export", "summary", *args)
        assert code != 0 and said in err and out == ""
    assert sorted(p.name for p in (tmp_path / "data").rglob("*")) == before


def test_a_quiet_period_says_so_instead_of_empty_tables(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data", at(D(2026, 11, 1)))
    path = documents.export_summary(site, D(2026, 11, 1), D(2026, 11, 5), D(2026, 11, 6), tmp_path / "out")
    text = text_of(Document(str(path)))
    for said in (
        "本期和上期都没有受理、办结或在办的办件。",
        "本期未发现风险提示。",
        "本期没有登记、销号或认定无需整改的整改事项，期末也没有未销号的。",
    ):
        assert said in text
