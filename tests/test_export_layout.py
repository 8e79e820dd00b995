"""Layout that holds together (issue 16): the 落款 stays with the body, headings with their text,
long rows may split and are never clipped, titles break between words; blank minutes for a pen."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_TAB_LEADER
from docx.oxml.ns import qn

from exports import style
from exports.minutes import blank_minutes_document, minutes_document
from exports.notice import notice_document, notice_result_document
from exports.supervision import supervision_report_document
from store.errors import BadInput, Refused
from store.site import Site
from tests.docx_helpers import saved, text_of
from tests.sites import NOW, new_site, post_notice, walk_to
from tests.test_cli_cases import Clock, clock, init, run
from tests.test_export_notice_minutes import low_income_notice, representatives

__all__ = ["clock"]
D = dt.date
NOTE = "备注" * 1_500
"""A 3,000-character note."""


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def index_of(doc: Any, text: str) -> int:
    return next(i for i, p in enumerate(doc.paragraphs) if p.text == text)


def test_the_notices_signature_block_keeps_with_the_body(site: Site, tmp_path: Path) -> None:
    doc = saved(notice_document(site, low_income_notice(site)["number"]), tmp_path, "公示")
    paragraphs = doc.paragraphs
    date = index_of(doc, "2026年11月27日")
    issuer = index_of(doc, "城关村村民委员会")
    review = next(i for i, p in enumerate(paragraphs) if p.text.startswith("村务监督委员会（审核）"))
    phone = next(i for i, p in enumerate(paragraphs) if p.text.startswith("如有异议"))
    assert phone < review < issuer < date
    place = next(i for i, p in enumerate(paragraphs) if p.text.startswith("（张贴地点"))
    assert place == date + 1
    held = [paragraphs[i].paragraph_format.keep_with_next for i in range(phone, place + 1)]
    assert all(held[:-1]) and not held[-1], "body's last line, 审核, blank, 署名, date keep with the place line"
    assert len(held) == 6
    period = next(i for i, p in enumerate(paragraphs) if p.text.startswith("公示期"))
    assert not paragraphs[period].paragraph_format.keep_with_next  # the body itself flows


def test_titles_and_headings_keep_with_the_next(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", representatives(26, 14, 9, 3))
    doc = saved(minutes_document(site, meeting["number"]), tmp_path, "记录")
    for text in ("村民代表会议记录", "一、议题", "（一）村道硬化方案", "二、表决规则", "三、记录状态", "签到表"):
        assert doc.paragraphs[index_of(doc, text)].paragraph_format.keep_with_next, text
    signed = index_of(doc, "参会人员签字见附后签到表")
    assert all(doc.paragraphs[i].paragraph_format.keep_with_next for i in range(signed - 3, signed))
    report = saved(
        supervision_report_document(site, "城关村", D(2026, 1, 1), D(2026, 12, 31), NOW.date()), tmp_path, "报告"
    )
    assert report.paragraphs[index_of(report, "一、总体情况")].paragraph_format.keep_with_next
    last = len(report.paragraphs) - 1
    assert report.paragraphs[last].text.startswith("村务监督委员会主任（签字）")
    assert report.paragraphs[last - 1].text == "" and report.paragraphs[last - 1].paragraph_format.keep_with_next
    assert report.paragraphs[last - 2].paragraph_format.keep_with_next


def test_the_result_records_sign_off_keeps_with_its_table(site: Site, tmp_path: Path) -> None:
    doc = saved(notice_result_document(site, low_income_notice(site)["number"]), tmp_path, "结果")
    last_row = doc.tables[-1].rows[-1]
    assert all(p.paragraph_format.keep_with_next for c in last_row.cells for p in c.paragraphs)
    assert doc.paragraphs[-2].text == "" and doc.paragraphs[-2].paragraph_format.keep_with_next


def row_props(row: Any) -> tuple[bool, list[tuple[str | None, str | None]]]:
    trpr = row._tr.trPr
    cant = trpr is not None and trpr.find(qn("w:cantSplit")) is not None
    heights = [
        (h.get(qn("w:val")), h.get(qn("w:hRule"))) for h in (trpr.findall(qn("w:trHeight")) if trpr is not None else [])
    ]
    return cant, heights


def test_a_3000_character_note_row_may_split_and_is_not_clipped(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The store takes 200 characters of 备注 now; an older record or a hand edit may hold more.)"""
    entries = [{"name": "王某某", "household": "3", "amount": "500元"}, {"name": "李某", "household": "2"}]
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    notice = dict(post_notice(site, number, entries=entries))
    notice["entries"] = [notice["entries"][0], dict(notice["entries"][1], note=NOTE)]
    monkeypatch.setattr(site.notices, "get", lambda _: notice)
    doc = saved(notice_document(site, notice["number"]), tmp_path, "公示")
    grid = doc.tables[0]
    header, short, long = (row_props(r) for r in grid.rows)
    assert header[0] and short[0], "the header row and a short row stay whole"
    assert long == (False, []), "the long row may split and has no fixed height"
    assert NOTE in grid.rows[2].cells[-1].text
    for row in grid.rows:
        assert all(rule != "exact" for _, rule in row_props(row)[1])


def test_titles_break_only_between_words() -> None:
    assert style.title_lines("关于王某某低保申请的公示") == ["关于王某某低保申请的公示"]
    assert style.title_lines("中共城关村支部委员会关于发展王某某同志为预备党员的公示") == [
        "中共城关村支部委员会",
        "关于发展王某某同志为预备党员的公示",
    ]
    lines = style.title_lines("关于2026年城关村村道硬化工程项目实施方案及资金使用情况的公示")
    assert lines == ["关于2026年城关村村道硬化工程项目实施方案", "及资金使用情况的公示"]
    for line in style.title_lines("关于城关村2026年第三季度村级财务收支情况的公示结果记录"):
        assert not line.startswith(("年", "026")) and not line.endswith("202")


def test_a_long_title_is_written_with_its_break(tmp_path: Path) -> None:
    doc = style.new_document()
    style.title(doc, "中共城关村支部委员会关于发展王某某同志为预备党员的公示")
    back = saved(doc, tmp_path, "标题")
    assert back.paragraphs[0].text == "中共城关村支部委员会\n关于发展王某某同志为预备党员的公示"
    assert back.paragraphs[0].paragraph_format.keep_with_next


def plan(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "村民会议",
        "title": "审议2027年土地承包方案",
        "start": "2026-12-20 09:00",
        "place": "村委会大院",
        "host": "李书记",
        "expected": 57,
        "by_household": True,
        "items": [{"title": "土地承包方案"}, {"title": "宅基地使用方案"}],
        **extra,
    }


def test_a_meeting_can_be_planned_and_its_blank_minutes_printed_ahead(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", plan())
    assert meeting["start"] == "2026-12-20T09:00"
    with pytest.raises(BadInput, match="会前只能登记会议安排"):
        site.meetings.new(site.operator, NOW, "城关村", plan(present=40))
    with pytest.raises(Refused, match="还没有召开"):
        site.meetings.confirm(site.operator, NOW, meeting["number"])
    assert "城关村" not in site.done_by_village(today=NOW.date()) or not any(
        D(2026, 12, 20) in days for days in site.done_by_village(today=NOW.date())["城关村"].values()
    )
    doc = saved(blank_minutes_document(site, meeting["number"]), tmp_path, "空白")
    sign_in = doc.tables[1]
    assert [c.text for c in sign_in.rows[0].cells] == ["序号", "户主姓名", "户代表签字", "备注"]
    assert len(sign_in.rows) == 1 + 57, "as many rows as 应到 (户)"
    for row in sign_in.rows[1:]:
        _, heights = row_props(row)
        ((twips, rule),) = heights
        assert rule == "atLeast" and int(twips or 0) >= 9 * 1440 / 25.4, "at least 9 mm for a pen"
    text = text_of(doc)
    assert "计票人（签字）" in text and "监票人（签字）" in text
    assert "草稿" not in "".join(p.text for s in doc.sections for p in s.header.paragraphs)


def test_blank_minutes_have_full_width_lines_to_write_on(site: Site, tmp_path: Path) -> None:
    meeting = site.meetings.new(site.operator, NOW, "城关村", plan())
    doc = saved(blank_minutes_document(site, meeting["number"]), tmp_path, "空白")
    speeches = index_of(doc, "发言摘要：\t")
    lines = doc.paragraphs[speeches : speeches + 6]
    assert [p.text for p in lines] == ["发言摘要：\t"] + ["\t"] * 5, "several lines for 发言"
    for p in lines:
        (stop,) = p.paragraph_format.tab_stops
        assert stop.leader == WD_TAB_LEADER.LINES and round(stop.position.mm) == 156, "to the right edge"
        assert p.paragraph_format.line_spacing.mm >= 9
    resolution = index_of(doc, "决议：\t")
    assert [p.text for p in doc.paragraphs[resolution : resolution + 3]] == ["决议：\t", "\t", "\t"]
    header = {r.cells[0].text: r for r in doc.tables[0].rows}
    assert header["地点"].cells[1].text == "村委会大院" and header["记录人"].cells[1].text == ""
    assert row_props(header["记录人"])[1] == [(str(round(10 * 1440 / 25.4)), "atLeast")]


def test_cli_blank_minutes_ahead_and_rows(clock: Clock, tmp_path: Path) -> None:
    init()
    code, stdout, err = run(
        "meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "十二月支委会",
        "--start", "2026-12-05 19:00", "--expected", "5", "--json",
    )  # fmt: skip
    assert code == 0, err
    number = json.loads(stdout)["number"]
    out = tmp_path / "out"
    code, stdout, err = run("export", number, "--doc", "blank-minutes", "--rows", "9", "--out", str(out), "--json")
    assert code == 0, err
    doc = docx.Document(json.loads(stdout)["path"])
    assert len(doc.tables[1].rows) == 1 + 9
    assert {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}["召集单位"] == "中共城关村支部委员会"
    code, _, err = run("export", number, "--doc", "notice", "--rows", "9", "--out", str(out))
    assert code != 0


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT), reason="LibreOffice (soffice) 或 pdftotext 未安装：跳过落款与正文同页的 PDF 检查"
)
@pytest.mark.timeout(600)
def test_a_long_notices_signature_shares_the_page_with_the_bodys_end(site: Site, tmp_path: Path) -> None:
    for lines in range(14, 24):  # a body length that leaves the date near a page's foot
        content = "\n".join(
            f"第{i}段：经民主评议，本村拟将下列家庭纳入最低生活保障范围，现予公示。" for i in range(lines)
        )
        notice = low_income_notice(site, content=content, title=f"关于低保申请的公示{lines}")
        path = style.write(notice_document(site, notice["number"]), tmp_path / "out", f"公示{lines}")
        subprocess.run(
            [str(SOFFICE), f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(path)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        text = subprocess.run(
            [str(PDFTOTEXT), str(tmp_path / (path.stem + ".pdf")), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = ["".join(page.split()) for page in text.split("\f")]
        with_date = [i for i, page in enumerate(pages) if "2026年11月27日" in page and "村民委员会" in page]
        assert with_date, lines
        page = pages[with_date[-1]]
        assert "村务监督委员会（审核）" in page and "如有异议" in page, lines
