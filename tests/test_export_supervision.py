"""村务监督检查报告: the risk findings of a village's period, the committee's opinions and
countersignatures, the journal check with its chain head, and what was checked."""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from exports import documents
from exports.supervision import FINDING_COLUMNS, OPINION_COLUMNS, supervision_report_document
from procedures.risks import CHECKS, SEVERITY_WORDS, THRESHOLDS, Severity, village_status
from store.errors import BadInput, NotFound, Refused
from store.site import Site
from store.verify import verify
from tests.accounts import SUPERVISOR as PERSON
from tests.accounts import open_as
from tests.docx_helpers import CLEAN, HOSTILE, ID, MASKED, WHOLE_ID, assert_house_style, saved, text_of
from tests.sites import NOW, at, new_site, post_notice, walk_to
from tests.test_cli_cases import Clock, clock, init, run
from tests.test_export_archive_registers import table_with

__all__ = ["clock"]

D = dt.date
TODAY = D(2026, 12, 30)
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
SUPERVISOR = "张监督"


def finding_table(doc: Any) -> list[tuple[list[str], str]]:
    """Each finding's row (序号 … 状态) with its 情况, the row below it merged across the table."""
    rows = table_with(doc, FINDING_COLUMNS)
    for situation in rows[1::2]:
        assert situation == [situation[0]] * len(FINDING_COLUMNS) and situation[0].startswith("情况：")
    return [(row, situation[0].removeprefix("情况：")) for row, situation in zip(rows[::2], rows[1::2], strict=True)]


def as_supervisor(site: Site) -> Site:
    """The same data directory opened by a 监委会 member of both villages (another account of this
    machine, registered by the 管理员), as the shared-server launcher opens it."""
    site.init(NOW, None, [], staff=[f"{PERSON}={SUPERVISOR}:监委会:城关村,南石村"])
    return open_as(site.root, PERSON)


def bad_situations(site: Site) -> dict[str, str]:
    """城关村: a 公示 closed early, an unapproved seal use, a 谈话 done after its month, a notice
    waiting for its posting; 南石村: an unapproved seal use (never in 城关村's report)."""
    early = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, early, "publicize")
    entries = [{"name": "王某某", "id_number": ID, "household": "3", "amount": "500元/月"}]
    notice = str(post_notice(site, early, D(2026, 11, 27), entries=entries)["number"])
    reason = "乡镇要求月底前上报"
    site.cases.complete_step(site.operator, at(D(2026, 11, 30)), early, "无异议", force_reason=reason)
    seal = {"seal": "村委会", "document": "收入证明", "purpose": "办理贷款", "keeper": "王文书", "unapproved": True}
    unapproved = site.seals.new(site.operator, NOW, "城关村", {**seal, "irregular": "书记外出，电话同意后盖章"})
    elsewhere = site.seals.new(site.operator, NOW, "南石村", {**seal, "irregular": "南石村的情况"})
    talk = site.cases.open(site.operator, NOW, "fazhan-dangyuan", "城关村", "张某入党申请").number
    site.cases.complete_step(site.operator, NOW, talk)
    site.cases.complete_step(site.operator, at(D(2026, 12, 29)), talk)
    waiting = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某低保申请").number
    walk_to(site, waiting, "publicize", at(D(2026, 12, 28)))
    return {
        "early": early,
        "notice": notice,
        "seal": str(unapproved["number"]),
        "elsewhere": str(elsewhere["number"]),
        "talk": talk,
        "waiting": waiting,
    }


@pytest.fixture
def made(tmp_path: Path) -> tuple[Site, dict[str, str]]:
    site = new_site(tmp_path / "data")
    numbers = bad_situations(site)
    supervisor = as_supervisor(site)
    short = next(f for f in supervisor.risks(TODAY, "城关村") if f.check == "notice-short")
    opinion = supervisor.opinions.add(
        supervisor.operator, at(TODAY), numbers["early"], "请村委会书面说明提前结束公示的理由", finding=short.key
    )
    # The waiting case's 公示 registered on the day, to go up two days later: signed before that.
    planned = TODAY + dt.timedelta(days=2)
    post_notice(site, numbers["waiting"], planned, now=at(TODAY), content="李某，2人，每月400元")
    supervisor.opinions.countersign(supervisor.operator, at(TODAY), numbers["waiting"], "同意公示，请按期张贴")
    return supervisor, numbers | {"opinion": str(opinion["number"])}


def test_the_report_lists_findings_opinions_and_the_journal_check(
    made: tuple[Site, dict[str, str]], tmp_path: Path
) -> None:
    site, numbers = made
    findings = site.risks(TODAY, "城关村", *YEAR)
    doc = saved(supervision_report_document(site, "城关村", *YEAR, TODAY), tmp_path, "监督检查报告")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "沁河镇城关村村务监督检查报告"
    assert "检查期间：2026年1月1日至2026年12月31日" in text and "制作日期：2026年12月30日" in text
    assert f"制作人：{SUPERVISOR}\n" in text  # the display name, never the login
    assert "本期设置变更、备份恢复和数据修复 2 次（人员、角色、村名单、时限、监督电话、时钟；全乡镇）：" in text
    assert f"新增人员 {PERSON}：{SUPERVISOR}（监委会，城关村、南石村）" in text

    worst, red, amber = village_status(findings)
    assert worst is Severity.RED and red >= 2 and amber >= 1
    assert f"红 {red} 项、黄 {amber} 项" in text and "总体情况：红（" in text

    rows = finding_table(doc)
    assert [r[0] for r, _ in rows] == [str(i) for i in range(1, len(findings) + 1)]
    for f, (row, situation) in zip(findings, rows, strict=True):
        assert row[1] == SEVERITY_WORDS[f.severity] and row[2] == f.title and f.target in row[5]
        assert row[6] == f.since.isoformat() and row[7] == ("仍存在" if f.ongoing else "已过去")
        assert situation == f.text
    by_check = {r[2]: (r, situation) for r, situation in rows}
    short, situation = by_check["公示期不足"]
    assert short[1] == "红（违规）" and short[5] == f"{numbers['early']}\n{numbers['notice']}"
    assert short[3] == "救助救灾（城乡低保申请审核和确认）" and short[4] == "公示7日"
    assert short[6:] == ["2026-11-30", "已过去"] and "只公示了 3 日" in situation
    seal, situation = by_check["未经批准用印"]
    assert seal[1] == "红（违规）" and seal[3:6] == ["用印登记", "—", numbers["seal"]]
    assert "书记外出，电话同意后盖章" in situation
    late, _ = by_check["超过办理时限"]
    assert late[1] == "黄（待核实）" and late[4:6] == ["党组织派人谈话", numbers["talk"]]
    assert numbers["elsewhere"] not in text and "南石村的情况" not in text

    opinions = table_with(doc, OPINION_COLUMNS)
    assert [r[2] for r in opinions] == ["审核意见", "签字"]
    assert opinions[0][1:] == [
        "2026-12-30",
        "审核意见",
        numbers["early"],
        "公示期不足",
        "请村委会书面说明提前结束公示的理由",
        SUPERVISOR,  # the name they had then, never the login
    ]
    assert opinions[1][3:6] == [numbers["waiting"], "—", "同意公示，请按期张贴"]
    assert "本期共有审核意见 1 条，签字 1 条。" in text

    report = verify(site.store, site.records())
    assert report.ok and len(report.head) == 64
    assert "核验结果：通过" in text and report.head in [p.text for p in doc.paragraphs]
    assert f"核验日志 {report.entries} 条、数据记录 {report.records} 条" in text
    assert f"强制完成步骤 {report.forced} 次" in text and report.forced == 1

    for check in CHECKS:
        assert check.title in text and check.looks_for in text
    for name, days in THRESHOLDS.items():
        assert f"{name}：{days} 日" in text
    assert "村务监督委员会主任（签字）：________" in text and "日期：________" in text
    assert not WHOLE_ID.search(text)


def test_the_period_keeps_what_began_in_it_or_still_stands(made: tuple[Site, dict[str, str]], tmp_path: Path) -> None:
    site, numbers = made
    site.opinions.add(site.operator, at(D(2026, 11, 28)), numbers["seal"], "十一月的意见")
    december = (D(2026, 12, 1), D(2026, 12, 31))
    doc = saved(supervision_report_document(site, "城关村", *december, TODAY), tmp_path, "监督检查报告")
    rows = [row for row, _ in finding_table(doc)]
    titles = {r[2] for r in rows}
    assert "超过办理时限" in titles and "公示期不足" not in titles and "未经批准用印" not in titles
    assert all(r[6] >= "2026-12-01" or r[7] == "仍存在" for r in rows)
    assert [r[5] for r in table_with(doc, OPINION_COLUMNS)] == [
        "请村委会书面说明提前结束公示的理由",
        "同意公示，请按期张贴",
    ]
    assert "十一月的意见" not in text_of(doc)
    november = saved(
        supervision_report_document(site, "城关村", D(2026, 11, 1), D(2026, 11, 30), TODAY), tmp_path, "监督检查报告"
    )
    assert "十一月的意见" in text_of(november)
    assert "超过办理时限" not in {r[2] for r, _ in finding_table(november)}


def test_a_village_with_nothing_found_says_so(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    doc = saved(supervision_report_document(site, "南石村", *YEAR, NOW.date()), tmp_path, "监督检查报告")
    assert_house_style(doc)
    text = text_of(doc)
    assert "本期未发现风险提示。" in text and "总体情况：绿（未发现风险提示）" in text
    assert "红 0 项、黄 0 项" in text and "本期没有填写监督意见或签字。" in text
    assert not [t for t in doc.tables if [c.text for c in t.rows[0].cells] == FINDING_COLUMNS]
    assert "核验结果：通过" in text and "制作人：" in text


def test_a_journal_that_does_not_match_fails_with_each_problem(
    made: tuple[Site, dict[str, str]], tmp_path: Path
) -> None:
    site, numbers = made
    path = site.root / "cases" / "城关村" / "2026.json"
    path.write_text(path.read_text(encoding="utf-8").replace("收入证明", "收入证明（改）"), encoding="utf-8")
    report = verify(site.store, site.records())
    assert not report.ok
    text = text_of(saved(supervision_report_document(site, "城关村", *YEAR, TODAY), tmp_path, "监督检查报告"))
    assert f"核验结果：未通过。发现 {len(report.problems)} 处问题" in text
    assert "1. " in text and numbers["seal"] in text and "与日志最后记录的内容不符" in text
    assert "核验结果：通过" not in text


def test_hostile_text_and_id_numbers_go_in_masked(made: tuple[Site, dict[str, str]], tmp_path: Path) -> None:
    site, numbers = made
    site.opinions.add(site.operator, at(TODAY), numbers["seal"], f"{HOSTILE}\n身份证 {ID}，[red]标记[/red]")
    doc = saved(supervision_report_document(site, "城关村", *YEAR, TODAY), tmp_path, f"{HOSTILE}报告")
    assert_house_style(doc)
    text = text_of(doc)
    assert CLEAN in text and MASKED in text and "[red]标记[/red]" in text and not WHOLE_ID.search(text)


def test_records_that_bypassed_the_store_are_cleaned(
    made: tuple[Site, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An opinion or a finding with raw control characters and a whole ID (an old file, a hand edit)."""
    site, numbers = made
    raw: dict[str, Any] = {
        "number": "城关村-2026-YJ0099",
        "village": "城关村",
        "kind": "opinion",
        "target": numbers["early"],
        "finding": "notice-short|x|y",
        "text": HOSTILE + ID,
        "by": HOSTILE,
        "date": "2026-12-30",
    }
    monkeypatch.setattr(site.opinions, "find", lambda **_: [raw])
    findings = site.risks(TODAY, "城关村", *YEAR)
    dirty = [replace(f, text=HOSTILE + ID, step=HOSTILE) for f in findings]
    monkeypatch.setattr(site, "risks", lambda *_, **__: dirty)
    doc = saved(supervision_report_document(site, "城关村", *YEAR, TODAY), tmp_path, "监督检查报告")
    text = text_of(doc)
    assert CLEAN in text and MASKED in text and not WHOLE_ID.search(text)
    assert table_with(doc, OPINION_COLUMNS)[0][4] == "公示期不足"


def test_export_names_the_file_and_refuses_bad_periods(made: tuple[Site, dict[str, str]], tmp_path: Path) -> None:
    site, _ = made
    # The supervisor works through the shared-server launcher: only their own export folder.
    with pytest.raises(Refused, match="只能写到你本人的导出目录"):
        documents.export_supervision(site, "城关村", *YEAR, TODAY, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    path = documents.export_supervision(site, "城关村", *YEAR, TODAY)
    assert path.name == "20261230_监督检查报告_城关村_20260101-20261231.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = documents.export_supervision(site, "城关村", *YEAR, TODAY, path.parent)
    assert again != path and path.exists()
    assert path.parent == site.root / "exports" / site.operator.account
    with pytest.raises(BadInput, match="截止日期早于起始日期"):
        documents.export_supervision(site, "城关村", D(2026, 12, 31), D(2026, 1, 1), TODAY, tmp_path / "out")
    with pytest.raises(NotFound, match="不在本乡镇的村名单中"):
        documents.export_supervision(site, "北村", *YEAR, TODAY, tmp_path / "out")


def test_cli_writes_the_report_and_prints_its_path(clock: Clock, tmp_path: Path) -> None:
    init()
    code, _, err = run(
        "seal", "new", "--village", "城关村", "--seal", "村委会", "--document", "证明", "--purpose", "上报",
        "--keeper", "王文书", "--unapproved", "--irregular", "未经批准即盖章",
    )  # fmt: skip
    assert code == 0, err
    clock.to(D(2026, 12, 1))
    out = tmp_path / "out"
    args = ["export", "supervision", "--village", "城关村", "--from", "2026-01-01", "--to", "2026-12-31"]
    code, stdout, err = run(*args, "--out", str(out), "--json")
    assert code == 0, err
    path = Path(json.loads(stdout)["path"])
    assert path.name == "20261201_监督检查报告_城关村_20260101-20261231.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    import docx

    text = text_of(docx.Document(str(path)))
    assert "未经批准用印" in text and "未经批准即盖章" in text and "核验结果：通过" in text
    code, stdout, _ = run(*args, "--out", str(out))
    assert code == 0 and "已导出" in stdout and "监督检查报告" in stdout
    code, _, err = run("export", "supervision", "--village", "城关村", "--from", "2026-13-01", "--to", "2026-12-31")
    assert code == 2 and "起始日期“2026-13-01”不是有效日期" in err
    code, _, err = run("export", "supervision", "--village", "城关村", "--from", "2026-12-31", "--to", "2026-01-01")
    assert code == 2 and "截止日期早于起始日期" in err
    code, _, err = run("export", "supervision", "--village", "北村", "--from", "2026-01-01", "--to", "2026-12-31")
    assert code == 2 and "北村" in err
    code, stdout, _ = run("export", "--help")
    assert "supervision" in stdout
