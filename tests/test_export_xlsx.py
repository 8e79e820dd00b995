"""Every register and ledger also as .xlsx (issue 21, item 3): 台账, 用印登记簿, 三会一课登记, the
监督检查报告's 风险提示 and the 整改台账, read back with openpyxl — the 说明 sheet (what, villages,
period, exported when and by whom, the journal head), the same rows as the Word register, ID
numbers masked in text cells, dates as date cells, the 整改台账's 是否逾期 from the day after the
deadline; from the command line, files 0600 and never over an existing one."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from exports import documents
from exports.registers import LEDGER_COLUMNS, ledger_document, seal_register_document
from store.errors import Refused
from store.site import Site
from tests.accounts import CADRE, CADRE_SOUTH, TOWNSHIP, open_as, register
from tests.docx_helpers import ID, MASKED, WHOLE_ID
from tests.sites import ADMIN_NAME, NOW, new_site
from tests.test_cli_cases import Clock, clock, init, run
from tests.test_export_archive_registers import SEAL_HEADERS, low_income_case, seal_uses, table_with

__all__ = ["clock"]

D = dt.date
TODAY = D(2026, 12, 10)
AT = dt.datetime(2026, 12, 10, 15, 42)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def book(path: Path) -> Any:
    assert path.suffix == ".xlsx" and stat.S_IMODE(path.stat().st_mode) == 0o600
    return load_workbook(path)


def about(workbook: Any) -> dict[str, str]:
    """The 说明 sheet as label → value (its first row, the title, under 标题)."""
    sheet = workbook["说明"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return {"标题": rows[0][0], **{str(r[0]): str(r[1]) for r in rows[1:]}}


def notes(workbook: Any) -> list[str]:
    """The 说明 sheet's notes (the rows labelled 说明), in order."""
    return [str(row[1].value) for row in workbook["说明"].iter_rows(min_row=2) if row[0].value == "说明"]


def values(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def head(site: Site) -> str:
    last = json.loads((site.root / "journal.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    return f"第 {last['seq']} 条，哈希 {last['hash']}"


def as_text(value: Any) -> str:
    """A cell as the Word register prints it: dates YYYY-MM-DD, numbers as digits."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return "" if value is None else str(value)


def test_the_ledger_has_the_word_ledger_s_rows_ids_masked_in_text_cells_and_dates_as_dates(
    site: Site, tmp_path: Path
) -> None:
    number = low_income_case(site, subject=f"王某某（{ID}）低保申请")
    site.cases.open(site.operator, NOW, "dibao", "城关村", '=HYPERLINK("http://x","点此")')
    path = documents.export_ledger(site, "dibao", 2026, "城关村", TODAY, tmp_path, xlsx=True, exported=AT)
    assert path.name == "20261210_台账_45城乡低保申请审核和确认_2026_城关村.xlsx"
    workbook = book(path)
    assert workbook.sheetnames == ["说明", "台账"]
    lines = about(workbook)
    assert lines["标题"] == "救助救灾（城乡低保申请审核和确认）办件台账（2026年，事项编号 dibao，共 2 件）"
    assert lines["村"] == "沁河镇城关村"
    assert lines["期间"] == "2026年立案的办件（2026-01-01 至 2026-12-31）"
    assert lines["导出时间"] == "2026-12-10 15:42"
    assert lines["导出人"].startswith(f"{site.operator.name}（管理员")
    assert lines["日志链头"] == head(site)
    assert notes(workbook)[0] == "本表与同名 Word 文书取自同样的登记数据，行和序号相同。"
    assert "身份证号已隐去中间 8 位" in notes(workbook)[-1]
    sheet = workbook["台账"]
    rows = values(sheet)
    assert rows[0] == LEDGER_COLUMNS
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    # The same rows as the Word 台账 prints.
    word = table_with(ledger_document(site, "dibao", 2026, "城关村"), LEDGER_COLUMNS)
    assert [[as_text(v) for v in row] for row in rows[1:]] == word
    subject = sheet.cell(row=2, column=LEDGER_COLUMNS.index("事由") + 1)
    assert subject.value == f"王某某（{MASKED}）低保申请" and subject.data_type == "s" and subject.number_format == "@"
    assert sheet.cell(row=2, column=2).value == number
    # Text typed as a formula stays text: nothing runs when the file is opened.
    typed = sheet.cell(row=3, column=LEDGER_COLUMNS.index("事由") + 1)
    assert typed.value == '=HYPERLINK("http://x","点此")' and typed.data_type == "s"
    opened = sheet.cell(row=2, column=LEDGER_COLUMNS.index("立案日期") + 1)
    assert opened.value == dt.datetime(2026, 11, 27) and opened.number_format == "yyyy-mm-dd"
    closed = sheet.cell(row=2, column=LEDGER_COLUMNS.index("办结日期") + 1)
    assert closed.is_date and closed.number_format == "yyyy-mm-dd"
    # A width that fits the Chinese header (two units a character).
    assert sheet.column_dimensions["D"].width >= 2 * len("王某某（") + 18
    for row in rows:
        assert not any(WHOLE_ID.search(str(v)) for v in row)


def test_the_seal_register_the_meetings_register_and_the_findings(site: Site, tmp_path: Path) -> None:
    seal_uses(site)
    path = documents.export_register(
        site, "城关村", "党支部", D(2026, 11, 1), D(2026, 11, 30), TODAY, tmp_path, xlsx=True, exported=AT
    )
    assert path.name == "20261210_用印登记簿_城关村_党支部_20261101-20261130.xlsx"
    workbook = book(path)
    lines = about(workbook)
    assert lines["期间"] == "2026-11-01 至 2026-11-30" and lines["村"] == "沁河镇城关村"
    rows = values(workbook["用印登记簿"])
    word = table_with(seal_register_document(site, "城关村", "党支部", D(2026, 11, 1), D(2026, 11, 30)), SEAL_HEADERS)
    assert [[as_text(v) for v in row] for row in rows[1:]] == word
    used = workbook["用印登记簿"].cell(row=2, column=3)
    assert used.value == dt.datetime(2026, 11, 20) and used.number_format == "yyyy-mm-dd"
    assert workbook["用印登记簿"].cell(row=2, column=5).value == 2  # 份数, a number

    path = documents.export_meetings(site, "城关村", 2026, TODAY, tmp_path, xlsx=True, exported=AT)
    workbook = book(path)
    assert workbook.sheetnames == [
        "说明",
        "会议召开情况",
        "组织生活按期情况",
        "组织生活各期",
        "其他定期工作按期情况",
        "其他定期工作各期",
    ]
    assert about(workbook)["期间"] == "2026年，统计截至 2026-12-10"
    assert notes(workbook)[1].startswith("系统自2026年11月27日起使用，此前的期间不统计")
    held = values(workbook["会议召开情况"])
    assert held[1][1] == dt.datetime(2026, 11, 20) and held[1][3] == "审议村道硬化方案"

    low_income_case(site, forced=True)
    path = documents.export_supervision(site, "城关村", D(2026, 11, 1), TODAY, TODAY, tmp_path, xlsx=True, exported=AT)
    assert path.name == "20261210_监督检查报告_城关村_20261101-20261210.xlsx"
    workbook = book(path)
    assert about(workbook)["期间"] == "2026-11-01 至 2026-12-10"
    findings = values(workbook["风险提示"])
    assert findings[0][-2:] == ["状态", "情况"]
    short = next(row for row in findings[1:] if row[2] == "公示期不足")
    assert short[:2] == [1, "红（违规）"] and short[5] == "城关村-2026-0001\n城关村-2026-GS0001"
    assert short[6] == dt.datetime(2026, 11, 30)  # 起始日期, a date; its 情况 beside it, without the Word "情况："
    assert short[-1].startswith("公示 城关村-2026-GS0001 于2026年11月27日张贴，2026年11月30日即结束")


HEADERS = [
    "序号",
    "整改编号",
    "村",
    "来源",
    "来源编号",
    "针对编号",
    "问题",
    "整改措施",
    "责任人",
    "整改期限",
    "状态",
    "是否逾期",
    "进展",
    "完成日期",
    "完成佐证",
    "销号日期",
    "销号人",
    "销号意见",
    "登记人",
    "登记日期",
]
"""The 整改台账's columns, as a reviewer reads them."""


def rectification(site: Site, village: str = "城关村", **more: str) -> dict[str, Any]:
    fields = {
        "source": "inspection",
        "problem": f"公示名单中身份证号 {ID} 未隐去",
        "measure": "重新张贴隐去身份证号的名单",
        "responsible": "王文书",
        "deadline": "2026-12-10",
        **more,
    }
    return site.rectifications.new(site.operator, NOW, village, fields)


def test_the_rectification_ledger_is_overdue_from_the_day_after_the_deadline(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    admin = register(root)
    first = rectification(admin)
    rectification(admin, "南石村", deadline="2026-12-31")
    town = open_as(root, TOWNSHIP)
    on_the_day = documents.export_rectifications(town, "城关村", TODAY, exported=AT)
    assert on_the_day.name == "20261210_整改台账_城关村.xlsx"
    workbook = book(on_the_day)
    lines = about(workbook)
    assert lines["村"] == "沁河镇城关村" and lines["导出人"] == f"包村干部（乡镇，账号 {TOWNSHIP}）"
    assert lines["日志链头"] == head(town) and "共 1 项，其中逾期 0 项" in lines["标题"]
    rows = [dict(zip(HEADERS, row, strict=True)) for row in values(workbook["整改台账"])]
    assert list(rows[0]) == HEADERS == list(rows[0].values())
    assert rows[1]["整改编号"] == first["number"] and rows[1]["是否逾期"] == "否"
    assert rows[1]["问题"] == f"公示名单中身份证号 {MASKED} 未隐去"
    assert rows[1]["登记人"] == ADMIN_NAME and rows[1]["登记日期"] == dt.datetime(2026, 11, 27)
    deadline = workbook["整改台账"].cell(row=2, column=HEADERS.index("整改期限") + 1)
    assert deadline.value == dt.datetime(2026, 12, 10) and deadline.number_format == "yyyy-mm-dd"

    day_after = documents.export_rectifications(town, "城关村", TODAY + dt.timedelta(days=1), exported=AT)
    row = dict(zip(HEADERS, values(load_workbook(day_after)["整改台账"])[1], strict=True))
    assert row["是否逾期"] == "是" and row["状态"] == "整改中"
    # Progress, done, then closed: no longer overdue; every note, the evidence, the days, who
    # closed it and what they said are there, ID numbers masked.
    cadre = open_as(root, CADRE)
    cadre.rectifications.progress(cadre.operator, NOW, first["number"], f"已撤下原名单（{ID}）")
    cadre.rectifications.progress(cadre.operator, NOW, first["number"], "新名单已打印")
    cadre.rectifications.finish(cadre.operator, NOW, first["number"], f"已重新张贴，照片存档，原件{ID}已销毁")
    town.rectifications.close(town.operator, NOW, first["number"], "核实属实")
    closed = documents.export_rectifications(town, None, TODAY + dt.timedelta(days=1), exported=AT)
    assert closed.name == "20261211_整改台账_全部村.xlsx"
    workbook = load_workbook(closed)
    assert about(workbook)["村"] == "沁河镇全部村（城关村、南石村）"
    rows = [dict(zip(HEADERS, row, strict=True)) for row in values(workbook["整改台账"])]
    assert [r["村"] for r in rows[1:]] == ["城关村", "南石村"]
    day = dt.datetime(2026, 11, 27)
    assert [rows[1][h] for h in HEADERS[10:18]] == [
        "已销号",
        "否",
        f"2026-11-27 王文书：已撤下原名单（{MASKED}）\n2026-11-27 王文书：新名单已打印",
        day,
        f"已重新张贴，照片存档，原件{MASKED}已销毁",
        day,
        "包村干部",
        "核实属实",
    ]
    assert (rows[1]["来源"], rows[1]["来源编号"], rows[1]["针对编号"]) == ("检查发现", None, None)
    assert not any(WHOLE_ID.search(str(v)) for r in rows for v in r.values())
    for column in ("完成日期", "销号日期", "登记日期"):
        cell = workbook["整改台账"].cell(row=2, column=HEADERS.index(column) + 1)
        assert cell.value == day and cell.number_format == "yyyy-mm-dd"
    # A 村干部 sees only their own village's, and it is named by it: theirs to take out.
    south = open_as(root, CADRE_SOUTH)
    theirs = documents.export_rectifications(south, None, TODAY, exported=AT)
    assert theirs.name == "20261210_整改台账_南石村.xlsx" and documents.exported(south) == [theirs]
    workbook = load_workbook(theirs)
    assert about(workbook)["村"] == "沁河镇南石村"
    assert [r[2] for r in values(workbook["整改台账"])[1:]] == ["南石村"]


def test_the_rectification_ledger_names_its_source(tmp_path: Path) -> None:
    root = tmp_path / "data"
    admin = new_site(root)
    number = admin.cases.open(admin.operator, NOW, "dibao", "城关村", "王某低保申请").number
    opinion = admin.opinions.add(admin.operator, NOW, number, "名单中有身份证号")
    rectification(admin, source="opinion", source_key=opinion["number"], target=number)
    rows = values(load_workbook(documents.export_rectifications(admin, "城关村", TODAY, exported=AT))["整改台账"])
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert (row["来源"], row["来源编号"], row["针对编号"]) == ("监督意见", opinion["number"], number)


def test_the_commands_write_xlsx_files_0600_and_never_over_an_existing_one(clock: Clock, tmp_path: Path) -> None:
    init()
    run("case", "new", "dibao", "--village", "城关村", "--subject", f"王某某{ID}低保", "--json")
    out = tmp_path / "out"
    commands = [
        ("register", "--from", "2026-01-01", "--to", "2026-12-31"),
        ("ledger", "--matter", "dibao", "--year", "2026", "--village", "城关村"),
        ("meetings", "--village", "城关村", "--year", "2026"),
        ("supervision", "--village", "城关村", "--from", "2026-11-01", "--to", "2026-11-30"),
    ]
    for command in commands:
        code, stdout, err = run("export", *command, "--xlsx", "--out", str(out), "--json")
        assert code == 0, err
        path = Path(json.loads(stdout)["path"])
        workbook = book(path)
        assert about(workbook)["导出时间"] == "2026-11-27 09:00" and about(workbook)["导出人"].startswith("刘建华")
    ledger = next(out.glob("*_台账_*.xlsx"))
    assert not any(WHOLE_ID.search(str(v)) for row in values(load_workbook(ledger)["台账"]) for v in row)
    code, stdout, err = run("export", "rectifications", "--village", "城关村", "--out", str(out))
    assert code == 0 and "已导出" in stdout, err
    first = out / "20261127_整改台账_城关村.xlsx"
    before = first.read_bytes()
    code, stdout, _ = run("export", "rectifications", "--village", "城关村", "--xlsx", "--out", str(out))
    assert code == 0 and "20261127_整改台账_城关村（2）.xlsx" in stdout
    assert (
        first.read_bytes() == before
        and stat.S_IMODE((out / "20261127_整改台账_城关村（2）.xlsx").stat().st_mode) == 0o600
    )
    assert values(load_workbook(first)["整改台账"]) == [HEADERS]
    # A village the settings do not list is refused, nothing written.
    code, _, err = run("export", "rectifications", "--village", "北村", "--out", str(out))
    assert code != 0 and "北村" in err
    assert len(list(out.glob("*整改台账*"))) == 2


def test_a_village_cadre_cannot_export_another_village_s_sheets(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    admin = register(root)
    rectification(admin)
    north = open_as(root, CADRE)
    with pytest.raises(Refused, match="南石村"):
        documents.export_rectifications(north, "南石村", TODAY, exported=AT)
    with pytest.raises(Refused, match="南石村"):
        documents.export_meetings(north, "南石村", 2026, TODAY, xlsx=True, exported=AT)
    assert documents.exported(north) == []
    # Their own village's, through the launcher as they run it, which they may take out.
    mine = documents.export_rectifications(north, "城关村", TODAY, exported=AT)
    assert mine.name == "20261210_整改台账_城关村.xlsx" and documents.exported(north) == [mine]
