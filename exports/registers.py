"""Registers: the 用印登记簿 of a period, the 台账 of a matter's cases in a year, and the
三会一课登记 of a village's year (meetings held, and each recurring duty's windows met or not).

Every register is built from the store as it is; dates in tables are YYYY-MM-DD, ID numbers
typed into free text are masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm, Pt

from exports import style
from exports.minutes import shown
from procedures.engine import STATUS_LABELS, CaseStatus
from procedures.model import Unit
from procedures.recurring import Obligation, ObligationState, judged, obligations
from store.meetings import STATES

if TYPE_CHECKING:
    from docx.document import Document

    from store.cases import Case
    from store.site import Site

BLANK = "________"
SMALL = Pt(10.5)
SEAL_COLUMNS = [
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
"""监印人: the seal's keeper (保管人) as registered with the use; each 签字 column prints the registered
display name and leaves the rest of the row (at least ``SIGN_ROW``) for the signature."""
LEDGER_COLUMNS = ["序号", "办件编号", "村", "事由", "立案日期", "当前步骤/状态", "办结日期", "备注"]
SEAL_WIDTHS: dict[int, list[float]] = {
    0: [8, 20, 22, 40, 10, 32, 33, 20, 20, 20],
    1: [8, 20, 22, 12, 36, 10, 28, 29, 20, 20, 20],
    2: [8, 20, 20, 12, 14, 32, 10, 24, 25, 20, 20, 20],
}
"""Column widths (mm, ``LANDSCAPE_WIDTH`` in all) without and with the 村 / 印章 columns of a register of
several: a 签字 column holds a four-character name in 五号 on one line, with room to sign."""
LEDGER_WIDTHS: list[float] = [8, 36, 20, 44, 28, 34, 28, 27]
"""台账 columns (mm, ``LANDSCAPE_WIDTH`` in all): a case number and a three-character village on one line."""
LANDSCAPE_WIDTH = 225
"""版心 width of a landscape page (mm): A4 turned, the portrait margins turned with it (上28 下26 左37 右35)."""
SIGN_ROW = Mm(15)
"""Least height of a row with signatures: a signature in a pen's size, five uses and more on a page."""
_LABEL = re.compile(r"(?P<name>.*)（(?P<account>[^（）]+)）")
QUARTERS = "一二三四"
SUMMARY_HEADERS = {
    True: ["序号", "会议", "规定", "应开期数", "已开", "未开（已过期）"],
    False: ["序号", "事项", "规定", "应办期数", "已办", "未办（已过期）"],
}
DETAIL_HEADERS = {True: ["序号", "会议", "期间", "召开情况"], False: ["序号", "事项", "期间", "完成情况"]}


def table(doc: Document, headers: list[str], rows: list[list[str]], widths_mm: list[float], size: Pt = SMALL) -> None:
    """``style.table`` with the widths also written into the table grid (LibreOffice and WPS read
    ``w:tblGrid``; Word reads the cell widths style.table sets) and a fixed layout."""
    grid = style.table(doc, headers, rows, widths_mm, size)
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    grid.autofit = False


def landscape(doc: Document, new_page: bool = True) -> None:
    """Turn the document's last section (or a new one from the next page) to landscape A4."""
    section = doc.add_section(WD_SECTION.NEW_PAGE) if new_page else doc.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    section.footer_distance = Mm(14)


def portrait(doc: Document) -> None:
    """A new section from the next page, back to the house portrait page (``style.new_document``)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)


def display_name(label: object, staff: Mapping[str, Mapping[str, Any]]) -> str:
    """The person's display name from an operator label kept on a record (``姓名（账号）`` or a bare
    account), never the login name: an account with no name of its own gives "" (signed by hand)."""
    text = str(label or "")
    match = _LABEL.fullmatch(text)
    name, account = (match["name"], match["account"]) if match else (text, text)
    if name and name != account:
        return shown(name)
    listed = str(staff.get(account, {}).get("name", ""))
    return shown(listed) if listed and listed != account else ""


def _scope(site: Site, village: str | None) -> str:
    return f"{site.settings.township}{village}" if village else f"{site.settings.township}（全部村）"


def _basis(record: dict[str, Any]) -> str:
    basis = record.get("basis") or {}
    text = shown(basis.get("text", ""))
    if basis.get("meeting"):
        text += f"（会议记录编号：{basis['meeting']}）"
    if record.get("case"):
        text += f"（办件：{record['case']}）"
    if record.get("irregular"):
        text += f"（情况说明：{shown(record['irregular'])}）"
    return text


def seal_rows(
    site: Site, village: str | None, seal: str | None, start: dt.date, end: dt.date
) -> tuple[list[str], list[list[str]], list[dict[str, Any]], int]:
    """The 用印登记簿's headers and rows (the Word register and its spreadsheet print these), the
    uses they are of, and how many uses' 经办人 account has no name of its own."""
    records = site.seals.find(village or None, seal or None, start, end)
    extra = ([("村", "village")] if not village else []) + ([("印章", "seal")] if not seal else [])
    headers = SEAL_COLUMNS[:3] + [label for label, _ in extra] + SEAL_COLUMNS[3:]
    rows, unnamed = [], 0
    for index, r in enumerate(records, 1):
        short = str(r["number"]).rsplit("-", 1)[-1]
        row = [str(index), short, r["date"], *(str(r[key]) for _, key in extra), shown(r["document"])]
        operator = display_name(r.get("operator"), site.settings.staff)
        unnamed += not operator
        row += [str(r["copies"]), shown(r["purpose"]), _basis(r), shown(r["approver"]), operator, shown(r["keeper"])]
        rows.append(row)
    return headers, rows, records, unnamed


def seal_register_document(site: Site, village: str | None, seal: str | None, start: dt.date, end: dt.date) -> Document:
    """用印登记簿 of one seal (or all seals) of one village (or all) from ``start`` to ``end``: landscape,
    one row a use with its 登记编号 (the YY number the supervision report cites) and three columns
    to sign in."""
    headers, rows, records, unnamed = seal_rows(site, village, seal, start, end)
    extra = len(headers) - len(SEAL_COLUMNS)
    widths = SEAL_WIDTHS[extra]
    doc = style.new_document()
    landscape(doc, new_page=False)
    style.title(doc, f"{seal or '村级'}印章用印登记簿")
    scope = _scope(site, village)
    style.body(doc, f"单位：{scope}　登记期间：{style.cn_date(start)}至{style.cn_date(end)}", indent=False)
    if rows:
        table(doc, headers, rows, widths)
        for grid_row in doc.tables[-1].rows[1:]:
            grid_row.height, grid_row.height_rule = SIGN_ROW, WD_ROW_HEIGHT_RULE.AT_LEAST
    else:
        style.body(doc, "本期间没有用印登记。", indent=False)
    copies = sum(int(r["copies"]) for r in records)
    style.body(doc, f"合计：用印 {len(records)} 次，共 {copies} 份。", indent=False)
    style.body(doc, "签字栏印有登记时的姓名，由本人在栏内签字；监印人为登记的印章保管人。", indent=False)
    if unnamed:
        style.body(
            doc, f"其中 {unnamed} 次的经办人账号没有登记姓名，经办人签字栏留空，由经办人本人签字。", indent=False
        )
    doc.add_paragraph()
    style.body(doc, f"监印人（签字）：{BLANK}", indent=False)
    style.hold_sign_off(doc)
    return doc


def _closed_on(case: Case) -> str:
    return case.closed_on


def _state_text(site: Site, case: Case) -> str:
    current = case.record["current"]
    if not current:
        return STATUS_LABELS[case.status]
    try:
        title = site.catalog.get(case.matter_id).step(current).title
    except KeyError:
        title = current
    return f"{STATUS_LABELS[case.status]}：{title}"


def ledger_rows(
    site: Site, matter_id: str, year: int, village: str | None = None
) -> tuple[list[Case], list[list[str]], int]:
    """The 台账's cases (one matter's, opened in ``year``), its rows (``LEDGER_COLUMNS``; the Word
    台账 and its spreadsheet print these) and how many cases had a step forced."""
    cases = [c for c in site.cases.find(village=village, matter=matter_id) if int(c.record["year"]) == year]
    cases.sort(key=lambda c: (c.record["opened_on"], c.number))
    rows, forced_cases = [], 0
    for index, case in enumerate(cases, 1):
        forced = any(h.get("forced_reason") for h in case.record["history"])
        forced_cases += forced
        note = "有强制完成步骤" if forced else ""
        row = [str(index), case.number, case.village, shown(case.subject), case.record["opened_on"]]
        rows.append([*row, _state_text(site, case), _closed_on(case), note])
    return cases, rows, forced_cases


def ledger_document(site: Site, matter_id: str, year: int, village: str | None = None) -> Document:
    """台账 of the cases of one matter opened in ``year`` (the year of their numbers)."""
    matter = site.catalog.get(matter_id)
    cases, rows, forced_cases = ledger_rows(site, matter_id, year, village)
    doc = style.new_document()
    landscape(doc, new_page=False)  # a case number, a village and a subject each on one line
    style.title(doc, f"{matter.name}办件台账（{year}年）")
    style.body(doc, f"单位：{_scope(site, village)}　事项编号：{matter.id}", indent=False)
    if rows:
        table(doc, LEDGER_COLUMNS, rows, LEDGER_WIDTHS)
    else:
        style.body(doc, "本年度没有该事项的办件。", indent=False)
    counts = {status: sum(1 for c in cases if c.status is status) for status in STATUS_LABELS}
    # 已撤回 is an exception a person makes (store.amendments): named only when there is one.
    by_status = "，".join(
        f"{label} {counts[status]} 件"
        for status, label in STATUS_LABELS.items()
        if counts[status] or status is not CaseStatus.WITHDRAWN
    )
    style.body(doc, f"合计 {len(cases)} 件：{by_status}。", indent=False)
    if forced_cases:
        style.body(doc, f"其中有强制完成步骤的 {forced_cases} 件（理由见各办件的归档文件）。", indent=False)
    return doc


def window_label(o: Obligation) -> str:
    """1月 for a monthly window, 第一季度 for a quarter, 全年 for a year, else the dates."""
    months = o.timer.amount * (12 if o.timer.unit is Unit.YEAR else 1)
    if o.timer.unit in (Unit.MONTH, Unit.YEAR):
        if months == 1:
            return f"{o.window_start.month}月"
        if months == 3:
            return f"第{QUARTERS[(o.window_start.month - 1) // 3]}季度"
        if months == 12:
            return "全年"
    return f"{o.window_start:%m月%d日}—{o.window_end:%m月%d日}"


def _since(site: Site) -> dt.date | None:
    """The day records start (settings ``since``, set by the first ``cunwu init``)."""
    return dt.date.fromisoformat(site.settings.since) if site.settings.since else None


def _mark(o: Obligation, meeting: bool, since: dt.date | None) -> str:
    yes, no = ("已开", "未开") if meeting else ("已办", "未办")
    if o.state is ObligationState.MET and o.done_on is not None:
        return f"{yes}（{o.done_on.isoformat()}）"
    if not judged(o, since) and since is not None:
        return f"不计（本期开始时系统尚未启用，启用日期{since.isoformat()}）"
    if o.state is ObligationState.DUE:
        return f"{no}（本期至{style.cn_date(o.window_end)}止）"
    return no


def _duties(site: Site, village: str, year: int, today: dt.date) -> list[Obligation]:
    """The village's own recurring duties (``procedures.recurring.village_duty``) in the windows of
    ``year`` from the day the system came into use up to ``today``."""
    last = min(dt.date(year, 12, 31), today)
    since = _since(site)
    first = max(dt.date(year, 1, 1), since) if since else dt.date(year, 1, 1)
    if last < first:
        return []
    found = obligations(site.catalog, site.done_dates(village), first, last, today, village_only=True)
    steps = {(m.id, s.id): i for m in site.catalog.matters for i, s in enumerate(m.steps)}
    return sorted(found, key=lambda o: (o.matter.order, steps[(o.matter.id, o.step.id)], o.window_start))


def missed_count(found: list[Obligation], since: dt.date | None) -> int:
    """Windows over and not met, counted as the supervision report counts them."""
    return sum(1 for o in found if o.state is ObligationState.MISSED and judged(o, since))


def duty_rows(found: list[Obligation], meeting: bool, since: dt.date | None) -> tuple[list[list[str]], list[list[str]]]:
    """The rows of the 三会一课登记's two tables of recurring duties (meetings when ``meeting``, else
    the other duties): one a duty (``SUMMARY_HEADERS``), one a window (``DETAIL_HEADERS``)."""
    keys = list(dict.fromkeys(o.key for o in found if bool(o.matter.meeting_kind) is meeting))
    summary: list[list[str]] = []
    detail: list[list[str]] = []
    for key in keys:
        windows = [o for o in found if o.key == key]
        o = windows[0]
        name = o.matter.meeting_kind if meeting else f"{o.matter.name}·{o.step.title}"
        counted = [w for w in windows if judged(w, since)]
        met = sum(1 for w in counted if w.state is ObligationState.MET)
        missed = missed_count(windows, since)
        summary.append([str(len(summary) + 1), name, o.timer.describe(), str(len(counted)), str(met), str(missed)])
        detail += [
            [str(len(detail) + i), name, window_label(w), _mark(w, meeting, since)] for i, w in enumerate(windows, 1)
        ]
    return summary, detail


def _duty_tables(doc: Document, found: list[Obligation], meeting: bool, since: dt.date | None) -> None:
    summary, detail = duty_rows(found, meeting, since)
    if not summary:
        style.body(doc, "（无）", indent=False)
        return
    table(doc, SUMMARY_HEADERS[meeting], summary, [10, 38, 60, 16, 14, 18])
    doc.add_paragraph()
    table(doc, DETAIL_HEADERS[meeting], detail, [10, 50, 26, 70])


def counting_note(since: dt.date | None, year: int, found: list[Obligation]) -> str:
    if since is None:
        start = f"系统未记录启用日期，自{year}年1月1日起统计"
    elif since.year > year:
        start = f"系统自{style.cn_date(since)}起使用，本年度不统计"
    else:
        start = f"系统自{style.cn_date(since)}起使用，此前的期间不统计（未开不计为未开）"
    return (
        f"{start}；只列本村自己的工作，乡（镇）、县等上级组织的工作（如乡（镇）党委自查、县委组织部检查）不列入。"
        f"已过期未开（未办）共 {missed_count(found, since)} 期，计法与村务监督检查报告的风险提示“未按期开展”相同。"
    )


MEETING_COLUMNS = ["序号", "日期", "会议类别", "会议名称", "记录编号", "应到/实到", "记录状态"]


def meeting_rows(site: Site, village: str, year: int) -> list[list[str]]:
    """The meetings ``village`` held in ``year`` as the 三会一课登记 lists them (``MEETING_COLUMNS``)."""
    held = [m for m in site.meetings.find(village=village) if m["start"][:4] == str(year)]
    rows = []
    for index, m in enumerate(held, 1):
        count = f"{m['expected']}/{m['present']}" if m.get("expected") else "未填"
        state = STATES.get(m.get("state", ""), "")
        rows.append([str(index), m["start"][:10], m["kind"], shown(m["title"]), m["number"], count, state])
    return rows


def duties(site: Site, village: str, year: int, today: dt.date) -> tuple[list[Obligation], dt.date | None]:
    """The village's recurring duties counted in ``year`` up to ``today``, and the day records start."""
    return _duties(site, village, year, today), _since(site)


def meetings_register_document(site: Site, village: str, year: int, today: dt.date) -> Document:
    """三会一课登记 of ``village`` for ``year``: the meetings held, and every recurring duty's windows up to ``today``."""
    rows = meeting_rows(site, village, year)
    doc = style.new_document()
    style.title(doc, f"三会一课登记（{year}年）")
    style.body(doc, f"单位：{site.settings.township}{village}　统计截至：{style.cn_date(today)}", indent=False)
    style.heading(doc, "一、会议召开情况")
    if rows:
        table(doc, MEETING_COLUMNS, rows, [8, 25, 20, 39, 28, 18, 18])
    style.body(doc, f"本年度共登记会议 {len(rows)} 次。", indent=False)
    found = _duties(site, village, year, today)
    since = _since(site)
    style.heading(doc, "二、三会一课等组织生活按期召开情况")
    style.body(doc, counting_note(since, year, found))
    _duty_tables(doc, found, meeting=True, since=since)
    style.heading(doc, "三、其他定期工作完成情况")
    _duty_tables(doc, found, meeting=False, since=since)
    doc.add_paragraph()
    style.body(doc, f"登记人（签字）：{BLANK}　　党支部书记（签字）：{BLANK}", indent=False)
    style.hold_sign_off(doc)
    return doc
