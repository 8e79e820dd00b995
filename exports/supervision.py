"""村务监督检查报告 of one village and period, for the 村务监督委员会 and the township.

What the risk checks saw (``procedures.risks`` through ``Site.risks``), the committee's own
opinions and countersignatures, the result of checking the journal (``store.verify``) with
the full chain head hash to compare with a copy kept elsewhere, and which checks ran with
the thresholds that are this system's own, so a reader knows what was and was not looked at.
Every text that comes from a record has ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from exports import style
from exports.minutes import shown
from exports.registers import SMALL
from procedures import idnumber
from procedures.risks import (
    CHECK_TITLES,
    CHECKS,
    CONFLICT_CHECKS,
    RECORD_CHECKS,
    SEVERITY_WORDS,
    THRESHOLDS,
    Finding,
    Severity,
    village_status,
)
from store.opinions import KINDS
from store.records import prefix_of
from store.verify import AdminChange, Report

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

    from store.site import Site

BLANK = "________"
FINDING_COLUMNS = ["序号", "程度", "风险点", "事项", "步骤", "办件/记录编号", "起始日期", "状态"]
FINDING_WIDTHS: list[float] = [12, 16, 20, 24, 19, 26, 24, 15]
SITUATION = "情况："
"""Each finding's 情况 goes in a row of its own below it, across the whole table: too long for a column."""
OPINION_COLUMNS = ["序号", "日期", "类别", "针对", "风险提示", "内容", "填写人"]
OPINION_WIDTHS: list[float] = [12, 25, 14, 25, 20, 37, 23]
CHECK_COLUMNS = ["序号", "检查项目", "检查内容"]
CHECK_WIDTHS: list[float] = [12, 40, 104]
OVERALL = {
    Severity.RED: "红（有违规情况，须整改）",
    Severity.AMBER: "黄（有待核实的情况）",
    None: "绿（未发现风险提示）",
}
STANDING = {True: "仍存在", False: "已过去"}
RECORD_KINDS = {"HY": "会议记录", "GS": "公示", "YY": "用印登记", "RY": "名册"}
NO_FINDINGS = "本期未发现风险提示。"
MONO = "Courier New"
"""The chain head hash is set in a fixed-width Latin face (its East Asian face stays the house one)."""
SIZE_HASH = Pt(10.5)
"""五号: 64 characters of Courier New fit the 156 mm line."""


def table(doc: Document, headers: list[str], rows: list[list[str]], widths_mm: list[float]) -> Table:
    """``exports.registers.table`` (五号, widths in the grid too, fixed layout), returning the table."""
    grid = style.table(doc, headers, rows, widths_mm, SMALL)
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    grid.autofit = False
    return grid


def text(value: object) -> str:
    """Record text as shown in the report: ID numbers masked."""
    return shown(idnumber.mask_in_text(str(value or "")))


def _kind_of(number: str) -> str:
    return RECORD_KINDS.get(prefix_of(number), "")


def numbers_of(f: Finding) -> str:
    numbers = [text(n) for n in (f.case, f.record) if n]
    return "\n".join(dict.fromkeys(numbers)) or "—"


def finding_rows(findings: list[Finding]) -> list[list[str]]:
    """Two rows a finding: its columns, then its 情况 (merged across the table by ``_findings``)."""
    rows = []
    for index, f in enumerate(findings, 1):
        matter = f.matter or _kind_of(f.record) or "—"
        row = [str(index), SEVERITY_WORDS[f.severity], f.title, text(matter), text(f.step) or "—", numbers_of(f)]
        rows.append([*row, f.since.isoformat(), STANDING[f.ongoing]])
        rows.append([SITUATION + text(f.text)] + [""] * (len(FINDING_COLUMNS) - 1))
    return rows


def _finding_title(key: str, findings: list[Finding]) -> str:
    """The risk a finding key names: its check's title (the finding may have passed since)."""
    if not key:
        return "—"
    for f in findings:
        if f.key == key:
            return f.title
    return CHECK_TITLES.get(key.split("|", 1)[0], text(key))


def opinions_in(site: Site, village: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return [o for o in site.opinions.find(village=village) if start.isoformat() <= o["date"] <= end.isoformat()]


def _summary(doc: Document, findings: list[Finding]) -> None:
    worst, red, amber = village_status(findings)
    style.heading(doc, "一、总体情况")
    standing = sum(1 for f in findings if f.ongoing)
    line = f"本期共有风险提示 {red + amber} 项：红 {red} 项、黄 {amber} 项"
    line += f"，其中至今仍存在的 {standing} 项。" if findings else "。"
    style.body(doc, line)
    style.body(doc, f"总体情况：{OVERALL[worst]}。")
    style.body(
        doc,
        "红（违规）：登记的数据显示规定已被违反；黄（待核实）：须进一步了解核实的情况。"
        "风险提示由系统根据登记的办件、会议记录（含出席登记）、公示、用印和名册数据检查得出，没有登记的情况系统无法发现；"
        "检查了哪些方面，见本报告第五部分。",
    )


def _findings(doc: Document, findings: list[Finding]) -> None:
    style.heading(doc, "二、风险提示")
    if not findings:
        style.body(doc, NO_FINDINGS)
        return
    style.body(doc, "列出在检查期间内出现的，以及在此之前出现、至今仍存在的风险提示（红在前，按起始日期排列）。")
    merge_situations(table(doc, FINDING_COLUMNS, finding_rows(findings), FINDING_WIDTHS))


def merge_situations(grid: Table) -> None:
    """Each finding's 情况 row (every second row after the header) merged across the whole table."""
    for row in grid.rows[2::2]:
        merged = row.cells[0].merge(row.cells[-1])
        for empty in merged.paragraphs[1:]:  # what the merged blank cells brought along
            merged._element.remove(empty._element)


def _opinions(doc: Document, opinions: list[dict[str, Any]], findings: list[Finding]) -> None:
    style.heading(doc, "三、监督意见和签字")
    if not opinions:
        style.body(doc, "本期没有填写监督意见或签字。")
        return
    rows = []
    for index, o in enumerate(opinions, 1):
        kind = KINDS.get(str(o.get("kind", "")), text(o.get("kind")))
        risk = _finding_title(str(o.get("finding") or ""), findings)
        # An opinion on a finding of no case or record (a duty not done) names its village and matter.
        about = o["target"] or [*str(o.get("finding") or "").split("|"), "", ""][1].replace("/", "·")
        signed = o.get("name") or o["by"]  # the name they had then, not the login
        rows.append([str(index), text(o["date"]), kind, text(about), risk, text(o["text"]), text(signed)])
    table(doc, OPINION_COLUMNS, rows, OPINION_WIDTHS)
    counts = {k: sum(1 for o in opinions if o.get("kind") == k) for k in KINDS}
    style.body(doc, "本期共有" + "，".join(f"{KINDS[k]} {n} 条" for k, n in counts.items()) + "。")


def hash_line(doc: Document, value: str) -> None:
    """The chain head on a line of its own, unindented, in a fixed-width face so it can be read against a copy."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run = style.set_font(paragraph.add_run(style.digest(value)), "body", SIZE_HASH)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), MONO)
    fonts.set(qn("w:hAnsi"), MONO)


def _anchor_line(anchor: Any) -> str:
    """The anchor comparison (a copy of the chain head kept where the staff cannot write), when verify reports one."""
    status = str(getattr(anchor, "status", "") or "")
    if not status:
        return ""
    if status == "ok":
        return "日志锚点：一致（另行保存的链头仍在日志中）。"
    if status == "off":
        return "日志锚点：未设置（系统未另行保存链头；请将下方链头哈希与另行保存的副本核对）。"
    if getattr(anchor, "problem", False):
        return ""  # already listed among the problems
    message = text(getattr(anchor, "message", ""))
    return f"日志锚点：{message}" if message else ""


def _journal(doc: Document, report: Report, start: dt.date, end: dt.date) -> None:
    style.heading(doc, "四、日志核验")
    if report.ok:
        style.body(doc, "核验结果：通过。操作日志的哈希链完整，每条数据记录与日志最后登记的内容一致。")
    else:
        style.body(doc, f"核验结果：未通过。发现 {len(report.problems)} 处问题：")
        for index, problem in enumerate(report.problems, 1):
            style.body(doc, f"{index}. {text(problem)}")
    style.body(
        doc,
        f"核验日志 {report.entries} 条、数据记录 {report.records} 条（全乡镇）；"
        f"日志中强制完成步骤 {report.forced} 次，中断后恢复的保存 {report.recovered} 次"
        + (f"，重开步骤、撤回或终止办件、更正事由 {report.amended} 次。" if report.amended else "。"),
    )
    anchor = _anchor_line(getattr(report, "anchor", None))
    if anchor:
        style.body(doc, anchor)
    if report.head:
        style.body(doc, "日志链头哈希（可与另行保存的副本或日志核验结果中的链头逐位核对）：")
        hash_line(doc, report.head)
    else:
        style.body(doc, "日志为空，没有链头哈希。")
    for warning in [*report.clock, *report.interrupted]:
        style.body(doc, f"注意：{text(warning)}")
    changes = changes_in(report, start, end)
    if not changes:
        style.body(doc, "本期没有设置变更（人员、角色、村名单、时限、监督电话），也没有从备份恢复或修复数据。")
        return
    style.body(
        doc, f"本期设置变更、备份恢复和数据修复 {len(changes)} 次（人员、角色、村名单、时限、监督电话、时钟；全乡镇）："
    )
    for index, change in enumerate(changes, 1):
        when = change.ts[:16].replace("T", " ")
        style.body(doc, f"{index}. {when}，［{change.kind}］{text(change.who)}：{text('；'.join(change.changes))}")


def changes_in(report: Report, start: dt.date, end: dt.date) -> list[AdminChange]:
    """The settings changes and restores journaled from ``start`` to ``end``."""
    return [c for c in report.changes if start.isoformat() <= c.ts[:10] <= end.isoformat()]


def _scope(doc: Document) -> None:
    style.heading(doc, "五、检查范围")
    style.body(
        doc,
        f"系统对登记的数据做了以下 {len(CHECKS)} 项检查。县文件列出的廉政风险点中，"
        "须由人判断的部分（如材料是否真实、评议是否公正）不在其内，须另行核查。",
    )
    rows = [[str(i), c.title, c.looks_for] for i, c in enumerate(CHECKS, 1)]
    table(doc, CHECK_COLUMNS, rows, CHECK_WIDTHS)
    style.body(doc, "此外，凡重开已完成步骤、撤回或终止办件、更正办件事由的，均逐条提示（须填写理由）：")
    more = [[str(i), c.title, c.looks_for] for i, c in enumerate(RECORD_CHECKS, len(CHECKS) + 1)]
    table(doc, CHECK_COLUMNS, more, CHECK_WIDTHS)
    style.body(doc, "名册和会议出席登记另做以下检查（兼职、亲属和签到）：")
    first = len(CHECKS) + len(RECORD_CHECKS) + 1
    roster = [[str(i), c.title, c.looks_for] for i, c in enumerate(CONFLICT_CHECKS, first)]
    table(doc, CHECK_COLUMNS, roster, CHECK_WIDTHS)
    style.body(doc, "以下提示时限是本系统自定的阈值，县文件未作规定：")
    for name, days in THRESHOLDS.items():
        style.body(doc, f"{name}：{days} 日")


def supervision_report_document(site: Site, village: str, start: dt.date, end: dt.date, today: dt.date) -> Document:
    """村务监督检查报告 of ``village`` for ``start``..``end``, the risk checks run as of ``today``."""
    name = site.cases.village(village)
    findings = site.risks(today, name, start, end)
    opinions = opinions_in(site, name, start, end)
    report = site.verify()
    doc = style.new_document()
    style.title(doc, f"{site.settings.township}{name}村务监督检查报告")
    period = f"检查期间：{style.cn_date(start)}至{style.cn_date(end)}"
    style.body(
        doc, f"{period}\n制作日期：{style.cn_date(today)}　制作人：{text(site.operator.name or BLANK)}", indent=False
    )
    _summary(doc, findings)
    _findings(doc, findings)
    _opinions(doc, opinions, findings)
    _journal(doc, report, start, end)
    _scope(doc)
    doc.add_paragraph()
    style.body(doc, f"村务监督委员会主任（签字）：{BLANK}　　日期：{BLANK}", indent=False)
    style.hold_sign_off(doc)
    return doc


__all__ = ["NO_FINDINGS", "supervision_report_document"]
