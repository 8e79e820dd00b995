"""乡镇汇总 (``store.summary``) as paper and as a spreadsheet: figures and the findings behind
them, for the township's 党委 and 纪委 — no score, no ranking; the villages in the configured
order, each village's figures for the period with the period before on the line below.

Word: landscape A4 in the house style (``exports.style``): 一、各村情况 (two tables: duties,
公示 and overdue steps; findings, 整改, cases and the committee's work), 二、办件按事项 (the
township's totals per matter), 三、风险提示按村和风险点, 四、风险提示明细 (each finding with its
整改; when there are more than ``DETAIL_ROWS``, only in the spreadsheet, and the document says
so), 五、整改事项 (each one the 整改 figures count, with its state at the period's end), 六、说明
(how each figure is counted). The .xlsx: 说明 (``registers_xlsx.about``), 各村情况, 办件按村和事项,
定期事项, 整改事项, 风险提示明细. ID numbers in any text are masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from exports import registers, sheets, style, supervision
from exports.minutes import shown
from exports.sheets import DATE, NUMBER, WRAP, Column
from exports.supervision import SITUATION, STANDING, merge_situations, numbers_of
from store import rectifications as rect
from store.summary import FIGURES, KEYS, RATES, Fix, FixRow, Summary, VillageFigures

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

    from procedures.risks import Finding
    from store.site import Site

DETAIL_ROWS = 400
"""The most findings listed one by one in the Word document (about 30 pages); the spreadsheet lists every one."""
NOW, BEFORE = "本期", "上期"
TOTAL = "合计"
FIRST = ["村", "期间"]
FIRST_WIDTHS = [22.0, 14.0]
HEADERS = {f.key: f.header for f in FIGURES}
PAIRS = {"meetings_held": "三会一课等已开/应开", "duties_done": "其他定期工作已办/应办"}
"""A duty's two figures in one Word column, as 已开/应开."""
TABLE_ONE = [
    ("meetings_held", "meetings_due"),
    ("duties_done", "duties_due"),
    ("notices_posted", ""),
    ("notices_on_time", "notices_posted"),
    ("notices_unposted", ""),
    ("notices_ended", ""),
    ("notices_full", "notices_ended"),
    ("steps_late_open", ""),
    ("steps_late_done", ""),
]
TABLE_ONE_WIDTHS = [20.0, 20.0, 17.0, 24.0, 17.0, 17.0, 24.0, 25.0, 25.0]
TABLE_TWO = [(k, "") for k in KEYS[KEYS.index("findings_red") :]]
"""(figure, what it is a part of): a duty prints as 已开/应开, a share (``RATES``) as 3（75%）."""
MATTER_HEADERS = ["序号", "事项", "受理本期", "受理上期", "办结本期", "办结上期", "终止撤回本期", "终止撤回上期"]
MATTER_HEADERS += ["期末在办本期", "期末在办上期"]
MATTER_WIDTHS = [10.0, 71.0, *[18.0] * 8]
CASE_KEYS = ("cases_opened", "cases_done", "cases_stopped", "cases_open")
GROUP_HEADERS = ["序号", "村", "风险点", "程度", "本期条数", "其中至今仍存在", "已登记整改", "已销号或无需整改"]
GROUP_WIDTHS = [10.0, 22.0, 61.0, 24.0, 24.0, 30.0, 24.0, 30.0]
DETAIL_HEADERS = ["序号", "村", "程度", "风险点", "事项", "办件/记录编号", "起始日期", "状态", "整改"]
DETAIL_WIDTHS = [10.0, 18.0, 22.0, 30.0, 34.0, 35.0, 26.0, 15.0, 35.0]
FIX_HEADERS = ["序号", "整改编号", "来源", "问题", "责任人", "整改期限", "期末状态", "完成日期", "销号或认定日期"]
FIX_WIDTHS = [10.0, 42.0, 20.0, 32.0, 18.0, 26.0, 25.0, 26.0, 26.0]
NO_SCORE = "本汇总只列数字和数字所依据的风险提示，不评分、不排名；各村按乡镇设置中的顺序排列。"


def header(key: str, whole: str) -> str:
    return PAIRS.get(key, HEADERS[key]) if whole else HEADERS[key]


def _cell(row: VillageFigures, key: str, whole: str) -> str:
    value = row.counts[key]
    if not whole:
        return str(value)
    if any(part == key for part, _whole, _name in RATES):
        return f"{value}（{row.rate(key, whole)}）" if row.counts[whole] else str(value)
    return f"{value}/{row.counts[whole]}"


def _totals(rows: Sequence[VillageFigures]) -> VillageFigures:
    total = VillageFigures(TOTAL)
    for key in KEYS:
        total.counts[key] = sum(r.counts[key] for r in rows)
    return total


def _pairs(summary: Summary) -> list[tuple[VillageFigures, VillageFigures]]:
    pairs = list(zip(summary.current, summary.before, strict=True))
    if len(pairs) > 1:
        pairs.append((_totals(summary.current), _totals(summary.before)))
    return pairs


def village_rows(summary: Summary, figures: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Two rows a village (本期, then 上期 with the village left blank), then the totals."""
    rows = []
    for now, then in _pairs(summary):
        rows.append([now.village, NOW, *(_cell(now, k, w) for k, w in figures)])
        rows.append(["", BEFORE, *(_cell(then, k, w) for k, w in figures)])
    return rows


def matter_rows(summary: Summary) -> list[list[str]]:
    """Per matter (the catalogue's order), the township's cases by status in both periods."""

    def sums(rows: Sequence[VillageFigures], matter: str) -> list[int]:
        return [sum(r.matters.get(matter, {}).get(k, 0) for r in rows) for k in CASE_KEYS]

    seen = {m for rows in (summary.current, summary.before) for r in rows for m in r.matters}
    out: list[list[str]] = []
    for matter, name in summary.matter_names.items():
        if matter not in seen:
            continue
        now, then = sums(summary.current, matter), sums(summary.before, matter)
        cells = [str(v) for pair in zip(now, then, strict=True) for v in pair]
        out.append([str(len(out) + 1), name, *cells])
    return out


def keep_pairs(grid: Table) -> None:
    """A village's 本期 row stays on the page of its 上期 row (Word keeps a row's paragraphs with the next)."""
    for row in grid.rows[1::2]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                style.keep_with_next(paragraph)


def _fix_state(row: FixRow) -> str:
    return f"{row.state}（已逾期）" if row.overdue else row.state


def fix_rows(summary: Summary) -> list[list[str]]:
    """The 整改事项 the figures count (``Summary.fixes``), ID numbers in their problem masked."""
    return [
        [
            str(i),
            r.number,
            r.source,
            shown(r.problem),
            shown(r.responsible),
            r.deadline,
            _fix_state(r),
            r.done or "—",
            r.closed or "—",
        ]
        for i, r in enumerate(summary.fixes, 1)
    ]


def _fix_text(fix: Fix | None) -> str:
    if fix is None:
        return "未登记"
    return f"{fix.number}（{rect.STATES.get(fix.state, fix.state)}，期限{fix.deadline}）"


def group_rows(summary: Summary) -> list[list[str]]:
    """Per village and risk point: how many, how many still stand, with a 整改, closed."""
    from procedures.risks import SEVERITY_WORDS

    groups: dict[tuple[str, str, str], list[int]] = {}
    for f, fix in summary.findings:
        counts = groups.setdefault((f.village, f.title, SEVERITY_WORDS[f.severity]), [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += f.ongoing
        counts[2] += fix is not None
        counts[3] += fix is not None and fix.state in (rect.CLOSED, rect.WAIVED)
    return [[str(i), *key, *map(str, counts)] for i, (key, counts) in enumerate(groups.items(), 1)]


def detail_rows(findings: Sequence[tuple[Finding, Fix | None]]) -> list[list[str]]:
    from procedures.risks import SEVERITY_WORDS

    rows = []
    for i, (f, fix) in enumerate(findings, 1):
        row = [str(i), f.village, SEVERITY_WORDS[f.severity], f.title, shown(f.matter) or "—", numbers_of(f)]
        rows.append([*row, f.since.isoformat(), STANDING[f.ongoing], _fix_text(fix)])
        rows.append([SITUATION + shown(f.text)] + [""] * (len(DETAIL_HEADERS) - 1))
    return rows


def _how_lines(summary: Summary) -> list[str]:
    since = summary.since
    start = f"系统自{style.cn_date(since)}起使用，此前的期间不统计" if since else "系统未记录启用日期"
    lines = [
        NO_SCORE,
        f"本期：{summary.period.text()}；上期：{summary.previous.text()}（整月的期间与前面同样多的月份对比，"
        "否则与前面同样多的天数对比）。各村的第一行是本期，第二行是上期。",
        f"风险提示是{style.cn_date(summary.today)}制表时风险检查的结果：本期出现的，以及此前出现、至今仍存在的；"
        "“期末”是期间的最后一天（期间尚未结束的，为制表当日）。",
        f"定期事项只计本村自己的工作（乡镇、县等上级组织的工作不计），每期只在它结束的期间计一次；{start}"
        "（计法与村务监督检查报告的“未按期开展”、三会一课登记相同）。",
    ]
    lines += [f"{f.header}：{f.how}。" for f in FIGURES]
    return lines


def table_or(doc: Document, headers: list[str], rows: list[list[str]], widths: list[float], none: str) -> None:
    """The table of ``rows``, or the sentence ``none`` when there are none."""
    if rows:
        registers.table(doc, headers, rows, widths)
    else:
        style.body(doc, none)


def summary_document(summary: Summary, site: Site) -> Document:
    """The Word 乡镇汇总 of ``summary``."""
    doc = style.new_document()
    registers.landscape(doc, new_page=False)
    scope = "、".join(summary.villages) if len(summary.villages) <= 3 else f"{len(summary.villages)}个村"
    style.title(doc, f"{site.settings.township}村级事务办理情况汇总")
    style.body(
        doc,
        f"汇总期间：{summary.period.text()}（上期：{summary.previous.text()}）\n"
        f"范围：{scope}　制表日期：{style.cn_date(summary.today)}　制表人：{shown(site.operator.name or registers.BLANK)}",
        indent=False,
    )
    style.body(doc, NO_SCORE)
    style.heading(doc, "一、各村情况")
    for title, figures, widths in (
        ("（一）定期事项、公示和办理时限", TABLE_ONE, TABLE_ONE_WIDTHS),
        ("（二）风险提示、整改、办件和监督", TABLE_TWO, [(225 - sum(FIRST_WIDTHS)) / len(TABLE_TWO)] * len(TABLE_TWO)),
    ):
        style.heading(doc, title, level=2)
        headers = [*FIRST, *(header(k, w) for k, w in figures)]
        keep_pairs(supervision.table(doc, headers, village_rows(summary, figures), [*FIRST_WIDTHS, *widths]))
    style.heading(doc, "二、办件按事项（各村合计）")
    table_or(doc, MATTER_HEADERS, matter_rows(summary), MATTER_WIDTHS, "本期和上期都没有受理、办结或在办的办件。")
    style.heading(doc, "三、风险提示按村和风险点")
    table_or(doc, GROUP_HEADERS, group_rows(summary), GROUP_WIDTHS, "本期未发现风险提示。")
    style.heading(doc, "四、风险提示明细")
    count = len(summary.findings)
    if not count:
        style.body(doc, "本期未发现风险提示。")
    elif count > DETAIL_ROWS:
        style.body(
            doc,
            f"本期风险提示共 {count} 条，超过 {DETAIL_ROWS} 条，不在本文逐条列出：逐条明细（含情况和整改）"
            "见乡镇汇总的 Excel 表格（导出时选 Excel 格式）的“风险提示明细”页，或各村的村务监督检查报告。",
        )
    else:
        style.body(doc, "按村排列，红在前，再按起始日期；“整改”列出由该提示登记的整改事项。")
        merge_situations(supervision.table(doc, DETAIL_HEADERS, detail_rows(summary.findings), DETAIL_WIDTHS))
    style.heading(doc, "五、整改事项")
    if summary.fixes:
        style.body(
            doc,
            "本期登记、销号或认定无需整改的，以及期末未销号的整改事项（上表“整改”各数所计的事项）；状态为期末的状态。",
        )
    none = "本期没有登记、销号或认定无需整改的整改事项，期末也没有未销号的。"
    table_or(doc, FIX_HEADERS, fix_rows(summary), FIX_WIDTHS, none)
    style.heading(doc, "六、说明")
    for line in _how_lines(summary)[1:]:
        style.body(doc, line)
    doc.add_paragraph()
    style.body(
        doc, f"制表人（签字）：{registers.BLANK}　　审核人（签字）：{registers.BLANK}　　日期：{registers.BLANK}"
    )
    style.hold_sign_off(doc)
    return doc


def _period_cells(summary: Summary, before: bool) -> list[object]:
    p = summary.previous if before else summary.period
    return [BEFORE if before else NOW, p.start, p.end]


RATE_COLUMNS = [Column(f"{name}（%）", NUMBER) for _part, _whole, name in RATES]


def _rates(row: VillageFigures) -> list[object]:
    return [round(100 * row.counts[p] / row.counts[w]) if row.counts[w] else "—" for p, w, _n in RATES]


def workbook(summary: Summary, site: Site, exported: dt.datetime, village: str | None) -> bytes:
    """The .xlsx 乡镇汇总: 说明, 各村情况, 办件按村和事项, 定期事项, 风险提示明细."""
    from exports.registers_xlsx import about  # openpyxl: only for a spreadsheet

    period_columns = [Column("期间"), Column("起始日期", DATE), Column("截止日期", DATE)]
    figure_columns = [Column(f.header, NUMBER) for f in FIGURES]
    villages = []
    for now, then in _pairs(summary):
        for row, before in ((now, False), (then, True)):
            villages.append(
                [row.village, *_period_cells(summary, before), *(row.counts[k] for k in KEYS), *_rates(row)]
            )
    matters = []
    for rows, before in ((summary.current, False), (summary.before, True)):
        for row in rows:
            for matter, counts in row.matters.items():
                name = summary.matter_names.get(matter, matter)
                matters.append([row.village, matter, name, *_period_cells(summary, before), *counts.values()])
    duties = []
    for rows, before in ((summary.current, False), (summary.before, True)):
        for row in rows:
            for name, due, met in row.duties.values():
                duties.append([row.village, name, *_period_cells(summary, before), due, met])
    from procedures.risks import SEVERITY_WORDS

    findings = []
    for i, (f, fix) in enumerate(summary.findings, 1):
        findings.append(
            [
                i,
                f.village,
                SEVERITY_WORDS[f.severity],
                f.title,
                shown(f.matter) or "—",
                shown(f.step) or "—",
                shown(f.case or f.record) or "—",
                f.since,
                STANDING[f.ongoing],
                fix.number if fix else "",
                rect.STATES.get(fix.state, fix.state) if fix else "未登记",
                fix.deadline if fix else "",
                shown(f.text),
            ]
        )
    what = f"{site.settings.township}村级事务办理情况汇总（{summary.period.text()}，上期{summary.previous.text()}）"
    period = f"{summary.period.start.isoformat()} 至 {summary.period.end.isoformat()}"
    period += f"（上期 {summary.previous.start.isoformat()} 至 {summary.previous.end.isoformat()}）"
    case_columns = [Column(f.header, NUMBER) for f in FIGURES if f.key in CASE_KEYS]
    return sheets.workbook(
        what,
        about(site, what, village, period, exported, _how_lines(summary)),
        [
            ("各村情况", [Column("村"), *period_columns, *figure_columns, *RATE_COLUMNS], villages),
            (
                "办件按村和事项",
                [Column("村"), Column("事项编号"), Column("事项"), *period_columns, *case_columns],
                matters,
            ),
            (
                "定期事项",
                [Column("村"), Column("定期事项"), *period_columns, Column("应开展", NUMBER), Column("已开展", NUMBER)],
                duties,
            ),
            (
                "整改事项",
                [
                    Column("序号", NUMBER),
                    Column("村"),
                    Column("整改编号"),
                    Column("来源"),
                    Column("问题", WRAP),
                    Column("责任人"),
                    Column("整改期限", DATE),
                    Column("期末状态"),
                    Column("期末是否逾期"),
                    Column("登记日期", DATE),
                    Column("完成日期", DATE),
                    Column("销号或认定日期", DATE),
                ],
                [
                    [
                        i,
                        r.village,
                        r.number,
                        r.source,
                        shown(r.problem),
                        shown(r.responsible),
                        r.deadline,
                        r.state,
                        "是" if r.overdue else "否",
                        r.registered,
                        r.done,
                        r.closed,
                    ]
                    for i, r in enumerate(summary.fixes, 1)
                ],
            ),
            (
                "风险提示明细",
                [
                    Column("序号", NUMBER),
                    Column("村"),
                    Column("程度"),
                    Column("风险点"),
                    Column("事项", WRAP),
                    Column("步骤"),
                    Column("办件/记录编号"),
                    Column("起始日期", DATE),
                    Column("状态"),
                    Column("整改编号"),
                    Column("整改状态"),
                    Column("整改期限", DATE),
                    Column("情况", WRAP),
                ],
                findings,
            ),
        ],
        author=village or site.settings.township,
    )


__all__ = ["DETAIL_ROWS", "summary_document", "workbook"]
