"""Word exports of the 归档卷宗 (DA/T 22) and the registers: 用印登记簿, 台账, 三会一课登记."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from exports.archive import CATALOGUE, STEPS, archive_document
from exports.registers import ledger_document, meetings_register_document, seal_register_document
from exports.supervision import supervision_report_document
from procedures import engine
from procedures.model import Produces
from store import settings as settings_mod
from store.cases import Case
from store.errors import BadInput
from store.site import Site
from tests.docx_helpers import CLEAN, HOSTILE, ID, LONG_TEXT, MASKED, WHOLE_ID, assert_house_style, saved, text_of
from tests.sites import ADMIN_NAME, NOW, at, new_site, post_notice, walk_to

D = dt.date
TODAY = D(2026, 12, 10)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def rows_of(grid: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in grid.rows]


def table_with(doc: Any, headers: list[str]) -> list[list[str]]:
    """The rows (after the header) of the table whose header row is exactly ``headers``."""
    for grid in doc.tables:
        rows = rows_of(grid)
        if rows[0] == headers:
            return rows[1:]
    raise AssertionError(f"no table {headers}: {[rows_of(g)[0] for g in doc.tables]}")


def low_income_case(site: Site, *, forced: bool = False, subject: str = "王某某低保申请", **notice: Any) -> str:
    """A 低保 case with two materials received, walked through its notice (7 days, or forced on day 3)."""
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", subject).number
    rev = site.cases.get(number).rev
    site.cases.save_progress(
        site.operator, NOW, number, rev, materials=["低保申请书", "家庭成员身份证、户口簿"], note="材料齐全"
    )
    walk_to(site, number, "publicize")
    entries = [{"name": "王某某", "id_number": ID, "household": "3", "amount": "500元/月"}]
    post_notice(site, number, D(2026, 11, 27), **{"entries": entries, **notice})
    if forced:
        reason = "乡镇要求月底前上报，经村务监督委员会同意提前结束"
        site.cases.complete_step(site.operator, at(D(2026, 11, 30)), number, "无异议", force_reason=reason)
    else:
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "无异议")
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number)
    return number


def test_archive_cover_catalogue_steps_materials_and_notes(site: Site, tmp_path: Path) -> None:
    number = low_income_case(site)
    case = site.cases.get(number)
    meeting, notice = case.records()
    doc = saved(archive_document(site, number, TODAY), tmp_path, "归档")
    assert_house_style(doc)
    text = text_of(doc)
    cover = dict(rows_of(doc.tables[0])[1:])
    assert doc.paragraphs[0].text == "办件归档文件"
    assert cover["首件档号"] == "（未设全宗号）-WS·2026-D30-城关村-0001"
    assert cover["题名"] == "救助救灾（城乡低保申请审核和确认）（王某某低保申请）"
    assert cover["归档单位"] == "沁河镇城关村" and cover["保管期限"] == "定期30年（D30）"
    assert cover["件号"] == "0001—0003（共 3 件）" and cover["门类"] == "文书（WS）"
    assert cover["起止日期"] == "20261127—20261205" and cover["办件状态"] == "已办结"
    assert "全宗号未设置" in text and "门类代码未设置，暂用 WS" in text and "机构（问题）代码未设置，暂用村名" in text
    assert "卷" not in text, "DA/T 22-2015 files by the 件 and the 盒"

    catalogue = table_with(doc, CATALOGUE)
    assert CATALOGUE == ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    assert [r[0] for r in catalogue] == ["1", "2", "3"]
    assert [r[1] for r in catalogue] == [f"（未设全宗号）-WS·2026-D30-城关村-000{i}" for i in (1, 2, 3)]
    assert all(r[2] == "" for r in catalogue), "文号 is a 发文字号, never a record number"
    assert [r[8].rsplit(" ", 1)[-1] for r in catalogue] == [number, meeting, notice]
    assert all(r[3] == "城关村村民委员会" and r[6] == "" and r[7] == "" for r in catalogue)
    assert "办件记录" in catalogue[0][4] and catalogue[0][5] == "20261127"
    assert catalogue[1][4] == "民主评议（王某某低保申请）" and catalogue[1][8].startswith("会议记录（草稿）")
    assert catalogue[2][4:6] == ["关于王某某低保申请的公示", "20261127"]
    listing = next(
        s for s in doc.sections if "归档文件目录" in "".join(getattr(p, "text", "") for p in s.iter_inner_content())
    )
    assert listing.orientation == WD_ORIENT.LANDSCAPE and listing.page_width > listing.page_height
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT and doc.sections[-1].orientation == WD_ORIENT.PORTRAIT

    steps = table_with(doc, STEPS)
    done = [r for r in steps if r[0] != "—"]
    assert [r[1] for r in done] == [
        "个人申请",
        "村（居）委会受理",
        "入户调查",
        "民主评议",
        "公示7日",
        "上报乡（镇）人民政府",
    ]
    assert done[0][2:7] == [ADMIN_NAME, "20261127", "20261127", "完成", "材料齐全"]
    assert done[4][3:6] == ["20261127", "20261205", "无异议"] and f"关联：{notice}" in done[4][6]
    assert [r[1] for r in steps if r[0] == "—"] == ["核实异议", "不予上报，告知申请人"]
    assert all(r[5] == "未经过" for r in steps if r[0] == "—")
    assert "强制完成" not in text

    marks = {r[2]: r[3] for r in table_with(doc, ["序号", "步骤", "材料", "收取情况"])}
    assert marks["低保申请书"] == "已收" and marks["家庭成员身份证、户口簿"] == "已收"
    assert marks["家庭收入和财产状况书面声明（申请人签字确认）"] == "未收" and marks["入户调查表"] == "未收"

    assert "公示期：2026年11月28日至2026年12月4日，共7日" in text
    assert "公示结果：无异议；收到异议 0 条" in text and "议题1：民主评议；未表决" in text
    assert not WHOLE_ID.search(text)
    assert "本办件归档文件共 3 件（办件记录 1 件，会议记录 1 件，公示 1 件）。办理步骤已完成 6 步。" in text
    assert "整理人：________　　整理日期：2026年12月10日" in text
    assert "检查人：________　　检查日期：____年__月__日" in text


def test_archive_code_with_fonds_category_unit_and_retention(site: Site, tmp_path: Path) -> None:
    number = low_income_case(site)
    site.change_settings(NOW, settings_mod.Change(fonds="J047", category="ws", units=("城关村=CGC",)))
    updated = replace(site.settings, retention={"dibao": "Y", "default": "D10"})
    settings_mod.save(site.root, updated, 0o600)
    reopened = Site(site.root, environ={})
    doc = saved(archive_document(reopened, number, TODAY), tmp_path, "归档")
    cover = dict(rows_of(doc.tables[0])[1:])
    assert cover["首件档号"] == "J047-WS·2026-Y-CGC-0001" and cover["保管期限"] == "永久（Y）"
    assert cover["全宗号"] == "J047" and cover["机构（问题）"] == "CGC"
    assert "未设置" not in text_of(doc)
    assert [r[1] for r in table_with(doc, CATALOGUE)][-1] == "J047-WS·2026-Y-CGC-0003"
    other = reopened.cases.open(reopened.operator, NOW, "fazhan-dangyuan", "南石村", "张某入党申请").number
    doc = saved(archive_document(reopened, other, TODAY), tmp_path, "归档")
    cover = dict(rows_of(doc.tables[0])[1:])
    assert cover["首件档号"] == "J047-WS·2026-D10-南石村-0001" and cover["保管期限"] == "定期10年（D10）"
    assert cover["起止日期"] == "20261127—" and cover["办件状态"].startswith("办理中（当前步骤：")
    assert "件号为暂编" in cover["件号"] and "机构（问题）代码未设置，暂用村名“南石村”" in text_of(doc)
    assert table_with(doc, CATALOGUE)[0][3] == "中共南石村支部委员会"  # a party matter


def test_piece_numbers_run_on_without_gaps_within_year_and_retention(site: Site, tmp_path: Path) -> None:
    """件号 count 件 (a case and each record linked to it), across matters, one run per 保管期限."""
    settings_mod.save(site.root, replace(site.settings, retention={"dibao": "Y"}), 0o600)
    site = Site(site.root, environ={})
    first = low_income_case(site)  # 3 件, Y
    seal = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具证明").number  # D30
    second = low_income_case(site, subject="李某低保申请")  # 3 件, Y, after the first
    codes: list[str] = []
    for number in (first, seal, second):
        doc = saved(archive_document(site, number, TODAY), tmp_path, "归档")
        rows = table_with(doc, CATALOGUE)
        assert len({r[1] for r in rows}) == len(rows), "one 档号 per 件"
        codes += [r[1] for r in rows]
    assert codes[:3] == [f"（未设全宗号）-WS·2026-Y-城关村-000{i}" for i in (1, 2, 3)]
    assert codes[3] == "（未设全宗号）-WS·2026-D30-城关村-0001", "its own run: no gap left by the 低保 cases"
    assert codes[4:] == [f"（未设全宗号）-WS·2026-Y-城关村-000{i}" for i in (4, 5, 6)]
    assert len(set(codes)) == len(codes)


def test_archive_codes_are_set_by_an_admin_and_journaled(site: Site) -> None:
    site.change_settings(NOW, settings_mod.Change(fonds="j047", category="WS", units=("城关村=CGC",)))
    again = Site(site.root, environ={})
    assert (again.settings.fonds, again.settings.category, again.settings.units) == ("J047", "WS", {"城关村": "CGC"})
    assert 'fonds = "J047"' in (site.root / "settings.toml").read_text(encoding="utf-8")
    changes = [line for c in again.verify().changes for line in c.changes]
    assert "全宗号：（空） → J047" in changes and "机构代码 城关村：（村名） → CGC" in changes
    assert again.verify().ok
    for change, message in (
        (settings_mod.Change(fonds="J-47"), "全宗号"),
        (settings_mod.Change(category="文书"), "门类代码"),
        (settings_mod.Change(units=("CGC",)), "请写明是哪个村"),
        (settings_mod.Change(units=("北村=BC",)), "不在村名单中"),
        (settings_mod.Change(units=("城关村=C-G",)), "不能含空格、连字符"),
    ):
        with pytest.raises(BadInput, match=message):
            again.change_settings(NOW, change)


def test_a_forced_step_shows_its_reason_and_the_open_step(site: Site, tmp_path: Path) -> None:
    number = low_income_case(site, forced=True)
    doc = saved(archive_document(site, number, TODAY), tmp_path, "归档")
    steps = table_with(doc, STEPS)
    publicize = next(r for r in steps if r[1] == "公示7日")
    assert publicize[4] == "20261130" and publicize[6].startswith("强制完成：乡镇要求月底前上报")
    assert next(r for r in steps if r[1] == "上报乡（镇）人民政府")[3:6] == ["20261130", "", "办理中"]
    assert "其中强制完成 1 步" in text_of(doc) and "尚未办理 1 步" in text_of(doc)


def seal_uses(site: Site) -> dict[str, str]:
    fields = {
        "kind": "村民代表会议",
        "title": "审议村道硬化方案",
        "start": "2026-11-20 09:00",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 30,
        "present": 25,
        "items": [{"title": "村道硬化", "vote": {"ayes": 20, "nays": 1, "abstain": 0}, "resolution": "同意"}],
    }
    meeting = site.meetings.new(site.operator, NOW, "城关村", fields)["number"]
    base = {"document": "党员身份证明", "purpose": "办理转接", "approver": "李书记", "keeper": "王文书", "copies": 2}
    made = {
        "in": site.seals.new(
            site.operator, NOW, "城关村", {**base, "seal": "党支部", "date": "2026-11-20", "routine": True}
        ),
        "other_seal": site.seals.new(
            site.operator,
            NOW,
            "城关村",
            {**base, "seal": "村委会", "date": "2026-11-21", "document": "村道硬化合同", "meeting": meeting},
        ),
        "other_village": site.seals.new(site.operator, NOW, "南石村", {**base, "seal": "党支部", "routine": True}),
        "too_early": site.seals.new(
            site.operator, NOW, "城关村", {**base, "seal": "党支部", "date": "2026-10-31", "routine": True}
        ),
    }
    return {k: v["number"] for k, v in made.items()} | {"meeting": meeting}


def test_a_use_registered_under_a_bare_account_leaves_the_signature_blank(site: Site, tmp_path: Path) -> None:
    """Records made before accounts had names (or by an account since removed) carry the login
    name only: it is never printed."""
    unnamed = replace(site.operator, account="zhangold", name="")
    base = {"document": "党员身份证明", "purpose": "办理转接", "approver": "李书记", "keeper": "王文书", "copies": 1}
    site.seals.new(unnamed, NOW, "城关村", {**base, "seal": "党支部", "date": "2026-11-20", "routine": True})
    doc = saved(seal_register_document(site, "城关村", "党支部", D(2026, 11, 1), D(2026, 11, 30)), tmp_path, "用印")
    text = text_of(doc)
    assert "其中 1 次的经办人账号没有登记姓名，经办人签字栏留空" in text
    assert table_with(doc, SEAL_HEADERS)[0][8] == "" and "zhangold" not in text


SEAL_HEADERS = [
    "序号",
    "登记编号",
    "日期",
    "用印文件",
    "份数",
    "用途",
    "依据",
    "批准人签字",
    "经办人签字",
    "监印人签字",
]


def test_seal_register_lists_only_the_seal_and_period_asked(site: Site, tmp_path: Path) -> None:
    numbers = seal_uses(site)
    doc = saved(seal_register_document(site, "城关村", "党支部", D(2026, 11, 1), D(2026, 11, 30)), tmp_path, "用印")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "党支部印章用印登记簿"
    assert "登记期间：2026年11月1日至2026年11月30日" in text
    rows = table_with(doc, SEAL_HEADERS)
    assert rows == [
        ["1", "YY0001", "2026-11-20", "党员身份证明", "2", "办理转接", rows[0][6], "李书记", ADMIN_NAME, "王文书"]
    ]
    assert numbers["in"].endswith("-YY0001") and "经负责人审阅同意" in rows[0][6]
    assert "root" not in text and "经办人签字栏留空" not in text
    assert "合计：用印 1 次，共 2 份。" in text and "监印人（签字）：________" in text
    assert numbers["too_early"] and "村道硬化合同" not in text

    council = saved(seal_register_document(site, "城关村", "村委会", D(2026, 11, 1), D(2026, 11, 30)), tmp_path, "用印")
    assert f"会议记录编号：{numbers['meeting']}" in text_of(council)
    every = saved(seal_register_document(site, None, None, D(2026, 1, 1), D(2026, 12, 31)), tmp_path, "用印")
    assert every.paragraphs[0].text == "村级印章用印登记簿"
    rows = rows_of(every.tables[0])
    assert rows[0][:5] == ["序号", "登记编号", "日期", "村", "印章"] and len(rows) == 1 + 4
    assert "合计：用印 4 次，共 8 份。" in text_of(every)


def test_seal_register_is_landscape_with_room_to_sign(site: Site, tmp_path: Path) -> None:
    site.init(NOW, None, [], staff=["clerk=李建国:管理员"])
    clerk = replace(site.operator, account="clerk", name="李建国")
    base = {"purpose": "办理转接", "approver": "欧阳建国", "keeper": "司马文书", "copies": 1, "routine": True}
    for day in range(1, 6):
        fields = {**base, "seal": "党支部", "document": f"证明{day}", "date": f"2026-11-{day:02d}"}
        site.seals.new(clerk, NOW, "城关村", fields)
    for village, seal in (("城关村", "党支部"), ("城关村", None), (None, None)):
        doc = saved(seal_register_document(site, village, seal, D(2026, 11, 1), D(2026, 11, 30)), tmp_path, "用印")
        section = doc.sections[0]
        assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
        usable = section.page_width - section.left_margin - section.right_margin
        grid = doc.tables[0]
        widths = [cell.width for cell in grid.rows[0].cells]
        assert abs(sum(widths) - usable) < Mm(1), "the table fills the landscape 版心"
        headers = [c.text for c in grid.rows[0].cells]
        for label in ("登记编号", "批准人签字", "经办人签字", "监印人签字"):
            # 五号 (10.5 pt ≈ 3.7 mm a character) and 1.9 mm cell margins each side: four characters fit.
            assert widths[headers.index(label)] >= Mm(4 * 3.7 + 3.8), label
        assert all(row.height >= Mm(14.9) for row in grid.rows[1:])  # twips round down
        rows = rows_of(grid)[1:]
        assert [r[headers.index("经办人签字")] for r in rows] == ["李建国"] * 5
        assert {r[headers.index("监印人签字")] for r in rows} == {"司马文书"}
        assert "clerk" not in text_of(doc)
    # 5 rows of at least 15 mm under the title fit the 156 mm of a landscape page.
    assert (section.page_height - section.top_margin - section.bottom_margin) / Mm(1) > 5 * 15 + 40


def test_an_account_without_a_name_is_refused_at_registration(site: Site) -> None:
    before = dict(site.settings.staff)
    for item in ("zhang=:村干部:城关村", "zhang=zhang:村干部:城关村", "zhang= :管理员"):
        with pytest.raises(BadInput, match="不能空着或用账号代替"):
            site.init(NOW, None, [], staff=[item])
    assert site.settings.staff == before


def test_ledger_counts_cases_by_status(site: Site, tmp_path: Path) -> None:
    done = low_income_case(site)
    forced = low_income_case(site, forced=True, subject="李某低保申请")
    stopped = site.cases.open(site.operator, NOW, "dibao", "城关村", "赵某低保申请").number
    walk_to(site, stopped, "publicize")
    notice = post_notice(site, stopped, D(2026, 11, 27))
    site.notices.object(
        site.operator, NOW, str(notice["number"]), NOW.date(), "李某", "有车辆", "核实属实", upheld=True
    )
    site.cases.complete_step(site.operator, at(D(2026, 12, 5)), stopped, "有异议")
    walk_to(site, stopped, "", at(D(2026, 12, 5)), {"verify-objection": "异议成立"})
    site.cases.open(site.operator, NOW, "dibao", "南石村", "孙某低保申请")
    site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具证明")
    doc = saved(ledger_document(site, "dibao", 2026, "城关村"), tmp_path, "台账")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "救助救灾（城乡低保申请审核和确认）办件台账（2026年）"  # fits one landscape line
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # landscape: numbers and villages on one line
    rows = table_with(doc, ["序号", "办件编号", "村", "事由", "立案日期", "当前步骤/状态", "办结日期", "备注"])
    assert [r[1] for r in rows] == [done, forced, stopped]
    assert rows[0][5:8] == ["已办结", "2026-12-05", ""]
    assert rows[1][5:8] == ["办理中：上报乡（镇）人民政府", "", "有强制完成步骤"]
    assert rows[2][5:7] == ["已终止", "2026-12-05"]
    assert "合计 3 件：办理中 1 件，已办结 1 件，已终止 1 件。" in text and "有强制完成步骤的 1 件" in text
    every = text_of(saved(ledger_document(site, "dibao", 2026), tmp_path, "台账"))
    assert "合计 4 件：办理中 2 件" in every and "南石村" in every
    assert "合计 0 件" in text_of(saved(ledger_document(site, "dibao", 2025), tmp_path, "台账"))


def since(site: Site, day: str) -> Site:
    """``site`` reopened with records kept since ``day`` (the settings' 起始日期)."""
    settings_mod.save(site.root, replace(site.settings, since=day), 0o600)
    return Site(site.root, environ={})


def test_meetings_register_marks_each_month_since_the_system_was_in_use(site: Site, tmp_path: Path) -> None:
    site = since(site, "2026-03-15")
    fields = {"kind": "支委会", "title": "十月支委会", "start": "2026-10-15 09:00", "expected": 5, "present": 5}
    meeting = site.meetings.new(site.operator, NOW, "城关村", fields)["number"]
    doc = saved(meetings_register_document(site, "城关村", 2026, NOW.date()), tmp_path, "三会一课")
    assert_house_style(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "三会一课登记（2026年）"
    held = table_with(doc, ["序号", "日期", "会议类别", "会议名称", "记录编号", "应到/实到", "记录状态"])
    assert held == [["1", "2026-10-15", "支委会", "十月支委会", meeting, "5/5", "草稿"]]
    rows = table_with(doc, ["序号", "会议", "期间", "召开情况"])
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    detail = {(r[1], r[2]): r[3] for r in rows}
    other_duties = {(r[1], r[2]): r[3] for r in table_with(doc, ["序号", "事项", "期间", "完成情况"])}
    assert detail[("支委会", "10月")] == "已开（2026-10-15）"
    assert detail[("支委会", "9月")] == "未开" and detail[("支委会", "4月")] == "未开"
    assert ("支委会", "2月") not in detail, "months before the system was in use are not listed"
    assert detail[("支委会", "3月")].startswith("不计（本期开始时系统尚未启用")
    assert detail[("支委会", "11月")] == "未开（本期至2026年11月30日止）"
    assert ("支委会", "12月") not in detail, "windows after today are not listed"
    assert detail[("支部党员大会", "第四季度")].startswith("未开（本期")
    assert other_duties[("党员管理（党费收缴、使用和管理）·党员自觉、按时、足额交纳党费", "4月")] == "未办"
    assert other_duties[("村务公开·村（居）委会依照法规和政策提出公开的具体方案", "第三季度")] == "未办"
    names = {name for name, _ in other_duties}
    assert not any("自查" in n or "全县" in n or "集中培训" in n or "述职" in n for n in names), names
    summary = {r[1]: r[3:] for r in table_with(doc, ["序号", "会议", "规定", "应开期数", "已开", "未开（已过期）"])}
    assert summary["支委会"] == ["8", "1", "6"], "April to November; March began before the system was in use"
    assert "本年度共登记会议 1 次。" in text and "系统自2026年3月15日起使用" in text
    other = saved(meetings_register_document(site, "南石村", 2026, NOW.date()), tmp_path, "三会一课")
    detail = {(r[1], r[2]): r[3] for r in table_with(other, ["序号", "会议", "期间", "召开情况"])}
    assert detail[("支委会", "10月")] == "未开" and "本年度共登记会议 0 次。" in text_of(other)


def test_meetings_register_agrees_with_the_supervision_report(site: Site, tmp_path: Path) -> None:
    site = since(site, "2026-05-20")
    for start in ("2026-06-10 09:00", "2026-08-03 09:00"):
        fields = {"kind": "支委会", "title": "支委会", "start": start, "expected": 5, "present": 5}
        site.meetings.new(site.operator, NOW, "城关村", fields)
    today = D(2026, 12, 10)
    register = saved(meetings_register_document(site, "城关村", 2026, today), tmp_path, "三会一课")
    missed: dict[str, int] = {}
    for headers in (
        ["序号", "会议", "规定", "应开期数", "已开", "未开（已过期）"],
        ["序号", "事项", "规定", "应办期数", "已办", "未办（已过期）"],
    ):
        for row in table_with(register, headers):
            missed[row[1]] = int(row[5])
    report = saved(supervision_report_document(site, "城关村", D(2026, 1, 1), D(2026, 12, 31), today), tmp_path, "监督")
    found: dict[str, int] = {}
    for row in report.tables[0].rows[1::2]:
        cells = [c.text for c in row.cells]
        if cells[2] == "未按期开展":
            matter = next(m for m in site.catalog.matters if m.name == cells[3])
            name = matter.meeting_kind or f"{cells[3]}·{cells[4]}"
            found[name] = found.get(name, 0) + 1
    assert missed["支委会"] == 4, "Jun and Aug held; Jul, Sep, Oct, Nov missed; May began before 5-20"
    assert {k: v for k, v in missed.items() if v} == found
    assert f"已过期未开（未办）共 {sum(found.values())} 期" in text_of(register)


def test_an_archive_of_a_long_case_builds(site: Site, tmp_path: Path) -> None:
    """发展党员: 25 steps done over two years, min_wait periods passed by moving the clock."""
    number = site.cases.open(site.operator, NOW, "fazhan-dangyuan", "城关村", "张某某发展党员").number
    now, choose = (
        NOW,
        {"reg-meeting": "按期转正", "reg-approval": "批准转正", "publicity": "无异议或异议经核实不影响发展"},
    )
    choose |= {"pre-review": "预审合格", "admit-meeting": "通过", "approval": "批准"}
    while (case := site.cases.get(number)).record["current"] != "archive":
        matter = site.catalog.get(case.matter_id)
        step = matter.step(case.record["current"])
        if step.produces is Produces.NOTICE and not case.record["progress"].get("notice"):
            post_notice(site, number, now.date(), now=now)
            case = site.cases.get(number)
        end = engine.earliest_finish(matter, case.state(), site.cal)
        if end is not None and end.free_from > now.date():
            now = at(end.free_from)
        site.cases.complete_step(site.operator, now, number, choose.get(step.id, ""))
        now += dt.timedelta(days=3)
    history = site.cases.get(number).record["history"]
    assert len(history) == 25 and not any(h["forced_reason"] for h in history)
    doc = saved(archive_document(site, number, now.date()), tmp_path, "归档")
    assert_house_style(doc)
    steps = table_with(doc, STEPS)
    assert [r[0] for r in steps[:25]] == [str(i) for i in range(1, 26)]
    assert steps[25][1:] == ["材料归档", "", steps[25][3], "", "办理中", ""]
    assert [r[5] for r in steps[26:]] == ["未经过", "未经过"]
    catalogue = table_with(doc, CATALOGUE)
    assert len(catalogue) == 1 + len(site.cases.get(number).records()) and len(catalogue) >= 8
    assert "对发展对象进行公示" in text_of(doc) and "中共城关村支部委员会" in catalogue[0][3]


def test_hostile_text_goes_in_sanitized(site: Site, tmp_path: Path) -> None:
    number = low_income_case(
        site, subject=f"{HOSTILE}/申请", title=f"关于{HOSTILE}（{ID}）的公示", content=LONG_TEXT, place="公开栏/一组<&>"
    )
    notice = next(n for n in site.cases.get(number).records() if "GS" in n)
    meeting = next(n for n in site.cases.get(number).records() if "HY" in n)
    rev = site.meetings.get(meeting)["rev"]
    item = {"title": HOSTILE, "resolution": LONG_TEXT, "speeches": [{"name": "赵/四", "summary": HOSTILE}]}
    site.meetings.edit(
        site.operator, NOW, meeting, rev, {"title": f"{HOSTILE}/会议", "host": "张/三<&>", "items": [item]}
    )
    seal = {"seal": "村委会", "document": f"{HOSTILE}/{ID}", "purpose": LONG_TEXT[:200], "approver": "王/五<&>"}
    site.seals.new(site.operator, NOW, "城关村", {**seal, "keeper": "李/六", "routine": True})
    site.notices.get(notice)  # stored, masked on export
    docs = {
        "archive": archive_document(site, number, TODAY),
        "seals": seal_register_document(site, "城关村", None, D(2026, 1, 1), D(2026, 12, 31)),
        "ledger": ledger_document(site, "dibao", 2026),
        "meetings": meetings_register_document(site, "城关村", 2026, TODAY),
    }
    for kind, doc in docs.items():
        back = saved(doc, tmp_path, f"{HOSTILE}{kind}")
        assert_house_style(back)
        text = text_of(back)
        assert CLEAN in text and "/" in text and "<&>" in text and not WHOLE_ID.search(text), kind
    archive = text_of(saved(docs["archive"], tmp_path, "归档"))
    assert LONG_TEXT in archive and MASKED in archive and "王/五<&>" not in archive
    assert "王/五<&>" in text_of(saved(docs["seals"], tmp_path, "用印")) and MASKED in text_of(docs["seals"])


def test_records_that_bypassed_the_store_still_export(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case with raw control characters and a whole ID (an old file, a hand edit) is cleaned by the export."""
    number = low_income_case(site, forced=True)
    record = dict(site.cases.get(number).record, subject=HOSTILE + ID)
    record["history"] = [
        dict(h, note=HOSTILE + ID, forced_reason=h["forced_reason"] and HOSTILE) for h in record["history"]
    ]
    monkeypatch.setattr(site.cases, "get", lambda _: Case(record))
    monkeypatch.setattr(site.cases, "find", lambda **_: [Case(record)])
    for doc in (archive_document(site, number, TODAY), ledger_document(site, "dibao", 2026)):
        text = text_of(saved(doc, tmp_path, "原始"))
        assert CLEAN in text and MASKED in text and not WHOLE_ID.search(text)
