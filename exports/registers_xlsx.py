"""The registers and ledgers as spreadsheets (.xlsx): 用印登记簿, 台账, 三会一课登记, the 监督检查报告's
风险提示 and the 整改台账.

Each is built from the rows the Word register prints (``exports.registers``,
``exports.supervision.finding_rows``: one selection, two papers); the 整改台账 from
``site.rectifications``. Every workbook opens on the sheet 说明 (``exports.sheets.workbook``):
what it is, which villages, which period, when and by whom it was exported and the journal head it
was taken at. ID numbers typed into free text are masked and every text is a text cell; dates are
date cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from exports import registers, sheets
from exports.sheets import DATE, NUMBER, TEXT, WRAP, Column
from procedures import idnumber
from store import rectifications as rect
from store.identity import who_did

if TYPE_CHECKING:
    from store.site import Site

SEAL_KINDS = {"日期": DATE, "份数": NUMBER, "用印文件": WRAP, "用途": WRAP, "依据": WRAP}
LEDGER_KINDS = {"立案日期": DATE, "办结日期": DATE, "事由": WRAP}
MEETING_KINDS = {"日期": DATE, "会议名称": WRAP}
SUMMARY_KINDS = {"应开期数": NUMBER, "已开": NUMBER, "未开（已过期）": NUMBER}
SUMMARY_KINDS |= {"应办期数": NUMBER, "已办": NUMBER, "未办（已过期）": NUMBER, "规定": WRAP}
SITUATION = "情况"
FINDING_KINDS = {"起始日期": DATE, SITUATION: WRAP}
RECTIFICATION_COLUMNS = [
    Column("序号", NUMBER),
    Column("整改编号"),
    Column("村"),
    Column("来源"),
    Column("来源编号", WRAP),
    Column("针对编号"),
    Column("问题", WRAP),
    Column("整改措施", WRAP),
    Column("责任人"),
    Column("整改期限", DATE),
    Column("状态"),
    Column("是否逾期"),
    Column("进展", WRAP),
    Column("完成日期", DATE),
    Column("完成佐证", WRAP),
    Column("销号日期", DATE),
    Column("销号人"),
    Column("销号意见", WRAP),
    Column("登记人"),
    Column("登记日期", DATE),
]
"""The 整改台账's columns. 来源编号: the finding's key or the opinion's number; 进展: each note
with its day and who wrote it, one a line; 销号日期, 销号人 and 销号意见 are also the day, the
person and the reason of a 无需整改 (the 状态 says which)."""


def _columns(headers: list[str], kinds: dict[str, str]) -> list[Column]:
    return [Column(h, NUMBER if h == "序号" else kinds.get(h, TEXT)) for h in headers]


def _numbered(rows: list[list[str]]) -> list[list[object]]:
    """The rows with their 序号 (first column) as a number."""
    return [[int(r[0]) if r[0].isdigit() else r[0], *r[1:]] for r in rows]


def _counts(rows: list[list[str]], columns: list[Column]) -> list[list[object]]:
    """The rows with every NUMBER column's digits as a number."""
    return [
        [
            int(v) if c.kind == NUMBER and isinstance(v, str) and v.isdigit() else v
            for v, c in zip(r, columns, strict=True)
        ]
        for r in rows
    ]


def _villages(site: Site, village: str | None) -> str:
    if village:
        return f"{site.settings.township}{village}"
    return f"{site.settings.township}全部村（{'、'.join(site.villages) or '无'}）"


SAME_AS_WORD = "本表与同名 Word 文书取自同样的登记数据，行和序号相同。"


def about(
    site: Site, what: str, village: str | None, period: str, exported: dt.datetime, notes: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """The 说明 sheet's lines: what, which villages, which period, when, by whom, the journal head,
    then ``notes``."""
    operator = site.operator
    who = f"{operator.name or operator.account}（{operator.role or '未登记角色'}，账号 {operator.account}）"
    last = site.store.journal.last()
    head = f"第 {last['seq']} 条，哈希 {last['hash']}" if last else "日志为空，没有链头"
    return [
        ("内容", what),
        ("村", _villages(site, village)),
        ("期间", period),
        ("导出时间", f"{exported:%Y-%m-%d %H:%M}"),
        ("导出人", idnumber.mask_in_text(who)),
        ("日志链头", head),
        *(("说明", note) for note in notes),
        ("说明", "身份证号已隐去中间 8 位。日志链头可与日志核验结果或另行保存的链头核对，说明本表导出时的数据状态。"),
    ]


def seal_register(
    site: Site, village: str | None, seal: str | None, start: dt.date, end: dt.date, exported: dt.datetime
) -> bytes:
    """用印登记簿 of a period (``registers.seal_rows``)."""
    headers, rows, records, unnamed = registers.seal_rows(site, village, seal, start, end)
    columns = _columns(headers, SEAL_KINDS)
    what = f"{seal or '村级'}印章用印登记簿（共 {len(records)} 次，{sum(int(r['copies']) for r in records)} 份）"
    period = f"{start.isoformat()} 至 {end.isoformat()}"
    return sheets.workbook(
        what,
        about(site, what, village, period, exported, [SAME_AS_WORD, *_unnamed(unnamed)]),
        [("用印登记簿", columns, _counts(rows, columns))],
        author=village or site.settings.township,
    )


def _unnamed(count: int) -> list[str]:
    return [f"其中 {count} 次的经办人账号没有登记姓名，经办人签字一栏为空。"] if count else []


def ledger(site: Site, matter_id: str, year: int, village: str | None, exported: dt.datetime) -> bytes:
    """台账 of one matter's cases in a year (``registers.ledger_rows``)."""
    matter = site.catalog.get(matter_id)
    cases, rows, forced = registers.ledger_rows(site, matter_id, year, village)
    what = f"{matter.name}办件台账（{year}年，事项编号 {matter.id}，共 {len(cases)} 件）"
    period = f"{year}年立案的办件（{year}-01-01 至 {year}-12-31）"
    return sheets.workbook(
        what,
        about(site, what, village, period, exported, [SAME_AS_WORD, *_forced(forced)]),
        [("台账", _columns(registers.LEDGER_COLUMNS, LEDGER_KINDS), _numbered(rows))],
        author=village or site.settings.township,
    )


def _forced(count: int) -> list[str]:
    return [f"其中有强制完成步骤的 {count} 件（理由见各办件的归档文件）。"] if count else []


def meetings(site: Site, village: str, year: int, today: dt.date, exported: dt.datetime) -> bytes:
    """三会一课登记 of a village's year: the meetings held, and the recurring duties' windows up to ``today``."""
    rows = registers.meeting_rows(site, village, year)
    found, since = registers.duties(site, village, year, today)
    tables: list[tuple[str, list[Column], list[list[object]]]] = [
        ("会议召开情况", _columns(registers.MEETING_COLUMNS, MEETING_KINDS), _numbered(rows))
    ]
    for meeting, name in ((True, "组织生活"), (False, "其他定期工作")):
        summary, detail = registers.duty_rows(found, meeting, since)
        columns = _columns(registers.SUMMARY_HEADERS[meeting], SUMMARY_KINDS)
        tables.append((f"{name}按期情况", columns, _counts(summary, columns)))
        tables.append((f"{name}各期", _columns(registers.DETAIL_HEADERS[meeting], {}), _numbered(detail)))
    what = f"三会一课登记（{year}年，登记会议 {len(rows)} 次，已过期未开（未办）{registers.missed_count(found, since)} 期）"
    period = f"{year}年，统计截至 {today.isoformat()}"
    notes = [SAME_AS_WORD, registers.counting_note(since, year, found)]
    return sheets.workbook(what, about(site, what, village, period, exported, notes), tables, author=village)


def supervision(site: Site, village: str, start: dt.date, end: dt.date, today: dt.date, exported: dt.datetime) -> bytes:
    """The 监督检查报告's 风险提示 (``supervision.finding_rows``): one row a finding, its 情况 last."""
    from exports.supervision import FINDING_COLUMNS, finding_rows
    from exports.supervision import SITUATION as SAID

    name = site.cases.village(village)
    findings = site.risks(today, name, start, end)
    pairs = finding_rows(findings)
    rows = [[*main, said[0].removeprefix(SAID)] for main, said in zip(pairs[0::2], pairs[1::2], strict=True)]
    what = f"村务监督检查报告·风险提示（共 {len(findings)} 项，风险检查截至 {today.isoformat()}）"
    period = f"{start.isoformat()} 至 {end.isoformat()}"
    return sheets.workbook(
        what,
        about(site, what, name, period, exported, [SAME_AS_WORD.replace("行", "风险提示")]),
        [("风险提示", _columns([*FINDING_COLUMNS, SITUATION], FINDING_KINDS), _numbered(rows))],
        author=name,
    )


def _day(stamp: object) -> str:
    return str(stamp or "")[:10]


def rectification_rows(records: list[dict[str, Any]], today: dt.date) -> list[list[object]]:
    """The 整改台账's rows (``RECTIFICATION_COLUMNS``), overdue as of ``today`` (from the day after
    the deadline); ID numbers typed into any text masked."""
    rows: list[list[object]] = []
    for index, r in enumerate(records, 1):
        done = r.get("done") or {}
        closed = r.get("closed") or {}
        notes = "\n".join(f"{_day(p.get('at'))} {who_did(p)}：{p.get('text', '')}" for p in r.get("progress") or [])
        mask = idnumber.mask_in_text
        rows.append(
            [
                index,
                r["number"],
                r["village"],
                rect.SOURCES.get(str(r["source"]), str(r["source"])),
                mask(str(r.get("source_key") or "")),
                mask(str(r.get("target") or "")),
                mask(str(r["problem"])),
                mask(str(r["measure"])),
                mask(str(r["responsible"])),
                r["deadline"],
                rect.STATES.get(str(r["state"]), str(r["state"])),
                "是" if rect.overdue(r, today) else "否",
                mask(notes),
                _day(done.get("at")),
                mask(str(done.get("evidence") or "")),
                _day(closed.get("at")),
                mask(who_did(closed)),
                mask(str(closed.get("note") or "")),
                mask(who_did(r, "created_by")),
                _day(r.get("created_at")),
            ]
        )
    return rows


def rectifications(site: Site, village: str | None, today: dt.date, exported: dt.datetime) -> bytes:
    """整改台账 of one village (or every village the operator sees): every 整改事项, by deadline."""
    records = site.rectifications.find(village or None)
    rows = rectification_rows(records, today)
    late = sum(1 for r in records if rect.overdue(r, today))
    what = f"整改台账（共 {len(records)} 项，其中逾期 {late} 项）"
    period = f"全部整改事项，逾期按 {today.isoformat()} 计（期限次日起未完成的为逾期）"
    return sheets.workbook(
        what,
        about(site, what, village, period, exported),
        [("整改台账", RECTIFICATION_COLUMNS, rows)],
        author=village or site.settings.township,
    )
