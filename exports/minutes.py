"""会议记录 (minutes) of a stored meeting, and the paper-first blank version (rules-and-formats C3).

The minutes print what was stored: the header (名称, 时间, 地点, 主持人, 记录人, 应到/实到,
缺席, 列席, 书面意见), each 议题 with the speeches, the vote, the stored arithmetic and the
resolution (marked 未通过 when the rule was not met), the rule applied, the state and any
correction appended after locking, and the signature lines. The blank version is taken to the
meeting: what is known already, blank lines for the rest, a 签到表 and a 表决统计表.
ID numbers typed into free text are masked.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from exports import style
from procedures import idnumber
from procedures.meetings import Base, MeetingKind, Threshold, rule_for
from store.identity import who_did
from store.meetings import STATES

if TYPE_CHECKING:
    from docx.document import Document

    from store.site import Site

BLANK = "________"
SIGN_IN_DEFAULT = 20
"""Rows of the 签到表 when 应到 is not known yet."""


def shown(text: object) -> str:
    """Free text with every ID number masked (``idnumber.mask_in_text``: after letters too, and in
    groups split by spaces or hyphens), the rest (full-width punctuation too) as typed."""
    return idnumber.mask_in_text(str(text or ""))


def minutes_title(kind: str) -> str:
    """村民代表会议 → 村民代表会议记录; 支委会 → 支委会会议记录."""
    return f"{kind}记录" if kind.endswith("会议") else f"{kind}会议记录"


def _time(start: str, end: str) -> str:
    first = dt.datetime.fromisoformat(start)
    text = f"{style.cn_date(first.date())} {first:%H:%M}"
    if not end:
        return text + "起"
    last = dt.datetime.fromisoformat(end)
    same = last.date() == first.date()
    return f"{text}—{'' if same else style.cn_date(last.date()) + ' '}{last:%H:%M}"


def _unit(record: dict[str, Any]) -> str:
    return "户" if record.get("by_household") else "人"


def attendance(record: dict[str, Any], blank: bool = False) -> str:
    """应到 39 人，实到 26 人 (户 when a 村民会议 counts households' representatives); blanks not yet known."""
    unit = _unit(record)
    expected = record.get("expected") or BLANK
    present = BLANK if not record.get("expected") or (blank and not record.get("present")) else record["present"]
    return f"应到 {expected} {unit}，实到 {present} {unit}"


def _joined(values: list[str], empty: str = "无") -> str:
    return "、".join(shown(v) for v in values) or empty


def _header_rows(record: dict[str, Any], blank: bool) -> list[list[str]]:
    def known(value: object) -> str:
        text = shown(value)
        return text or (BLANK if blank else "")

    absent = [f"{a['name']}（{a['reason']}）" if a.get("reason") else a["name"] for a in record.get("absent", [])]
    written = [f"{w['name']}：{w['opinion']}" for w in record.get("written", [])]
    empty = BLANK if blank else "无"
    time = _time(record["start"], record.get("end", ""))
    if blank and not record.get("end"):
        time = time.removesuffix("起") + f"—{BLANK}"
    rows = [
        ["记录编号", record["number"]],
        ["会议名称", shown(record["title"])],
        ["会议类别", record["kind"]],
        ["时间", time],
        ["地点", known(record.get("place"))],
        ["主持人", known(record.get("host"))],
        ["记录人", known(record.get("recorder"))],
        ["应到/实到", attendance(record, blank)],
        ["缺席人员及原因", _joined(absent, empty)],
        ["列席人员", _joined(record.get("attendees", []), empty)],
        ["书面意见", "\n".join(shown(w) for w in written) or empty],
    ]
    if record.get("case"):
        rows.append(["关联办件", record["case"]])
    return rows


def vote_line(vote: dict[str, Any]) -> str:
    """表决方式：举手；赞成 14 票，反对 9 票，弃权 3 票 (with the written opinions counted in)."""
    text = f"表决方式：{vote.get('method', '举手')}；赞成 {vote['ayes']} 票，反对 {vote['nays']} 票，弃权 {vote['abstain']} 票"
    written_ayes, written_nays = vote.get("written_ayes", 0), vote.get("written_nays", 0)
    if written_ayes or written_nays:
        text += f"；另有书面意见赞成 {written_ayes} 票、反对 {written_nays} 票"
    return text


def _item(doc: Document, index: int, item: dict[str, Any]) -> None:
    style.heading(doc, f"（{_cn_number(index)}）{shown(item['title'])}", 2)
    speeches = item.get("speeches") or []
    if speeches:
        style.body(doc, "发言摘要：")
        for speech in speeches:
            style.body(doc, f"{shown(speech['name'])}：{shown(speech.get('summary'))}")
    vote = item.get("vote")
    style.body(doc, vote_line(vote) if vote else "表决：未表决")
    if item.get("arithmetic"):
        style.body(doc, f"计票：{item['arithmetic']}")
    failed = "（未通过）" if item.get("passed") is False else ""
    if item.get("resolution") or failed:
        style.body(doc, f"决议：{shown(item.get('resolution'))}{failed}")


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"
    return str(n)


def _when(stamp: object) -> str:
    return style.cn_date(dt.datetime.fromisoformat(str(stamp)).date()) if stamp else ""


def _state(site: Site, doc: Document, record: dict[str, Any]) -> None:
    state = record.get("state", "draft")
    line = f"记录状态：{STATES.get(state, state)}"
    for key, label in (("confirmed", "确认"), ("locked", "锁定")):
        if record.get(f"{key}_at"):
            line += f"；{_when(record[f'{key}_at'])}由{who_did(record, f'{key}_by')}{label}"
    style.body(doc, line)
    for correction in record.get("corrections") or []:
        who = who_did(correction)
        style.body(doc, f"更正（{_when(correction.get('at'))}，{who}）：{shown(correction.get('text'))}")


def _signatures(doc: Document) -> None:
    doc.add_paragraph()
    style.body(doc, f"主持人（签字）：{BLANK}　　记录人（签字）：{BLANK}", indent=False)
    style.body(doc, "参会人员签字（见签到表）", indent=False)


def minutes_document(site: Site, number: str) -> Document:
    """The minutes of a stored meeting ``…-HY0001`` as recorded."""
    record = site.meetings.get(number)
    doc = style.new_document()
    style.title(doc, minutes_title(record["kind"]))
    style.table(doc, ["项目", "内容"], _header_rows(record, blank=False), [40, 116])
    style.heading(doc, "一、议题")
    for index, item in enumerate(record.get("items") or [], 1):
        _item(doc, index, item)
    if not record.get("items"):
        style.body(doc, "（未登记议题）")
    style.heading(doc, "二、表决规则")
    style.body(doc, record.get("rule", ""))
    style.heading(doc, "三、记录状态")
    _state(site, doc, record)
    _signatures(doc)
    return doc


def _needs(threshold: Threshold, label: str, expected: int) -> str:
    """实到不少于 26 人 / 赞成超过实到人数的 1/2 — the threshold in words for counting on paper."""
    share = f"{threshold.share.numerator}/{threshold.share.denominator}"
    if threshold.base is Base.EXPECTED and expected:
        bound = threshold.share * expected
        least = math.floor(bound) + 1 if threshold.strict else math.ceil(bound)
        share_words = f"超过应到 {expected} 人的 {share}" if threshold.strict else f"应到 {expected} 人的 {share} 以上"
        return f"{label}不少于 {least} 人（{share_words}）"
    base = "应到" if threshold.base is Base.EXPECTED else "实到"
    return f"{label}{'超过' if threshold.strict else '不少于'}{base}人数的 {share}"


def rule_lines(record: dict[str, Any]) -> list[str]:
    """The rule of the meeting's kind, and what it asks for in numbers."""
    try:
        rule = rule_for(MeetingKind(record["kind"]), bool(record.get("by_household")))
    except ValueError:
        return [f"表决规则：{record.get('rule', '')}"]
    expected = int(record.get("expected") or 0)
    needs = [_needs(rule.quorum, "实到", expected)] if rule.quorum is not None else []
    needs.append(_needs(rule.majority, "赞成", expected))
    return [f"表决规则：{rule.basis}", f"通过条件：{'；'.join(needs)}。"]


def blank_minutes_document(site: Site, number: str) -> Document:
    """The paper-first minutes of a draft meeting: half-filled record, 签到表 and 表决统计表."""
    record = site.meetings.get(number)
    items = record.get("items") or []
    doc = style.new_document()
    style.title(doc, minutes_title(record["kind"]))
    style.table(doc, ["项目", "内容"], _header_rows(record, blank=True), [40, 116])
    style.heading(doc, "一、议题")
    slots = [shown(i["title"]) for i in items] or [BLANK] * 3
    for index, title in enumerate(slots, 1):
        style.heading(doc, f"（{_cn_number(index)}）{title}", 2)
        for label in ("情况说明", "发言摘要", "表决情况", "决议"):
            style.body(doc, f"{label}：{BLANK * 3}")
    style.heading(doc, "二、表决规则")
    style.body(doc, record.get("rule", ""))
    _signatures(doc)

    style.page_break(doc)
    style.title(doc, "签到表")
    style.body(doc, f"会议名称：{shown(record['title'])}", indent=False)
    style.body(
        doc,
        f"时间：{_time(record['start'], record.get('end', ''))}　地点：{record.get('place') or BLANK}",
        indent=False,
    )
    count = int(record.get("expected") or 0) or SIGN_IN_DEFAULT
    rows = [[str(i), "", "", ""] for i in range(1, count + 1)]
    style.table(doc, ["序号", "姓名", "签到", "备注"], rows, [16, 50, 50, 40])

    style.page_break(doc)
    style.title(doc, "表决统计表")
    style.body(doc, f"会议名称：{shown(record['title'])}", indent=False)
    style.body(doc, attendance(record, blank=True), indent=False)
    for line in rule_lines(record):
        style.body(doc, line, indent=False)
    tally = [[str(i), title, "", "", "", ""] for i, title in enumerate(slots, 1)]
    style.table(doc, ["序号", "议题", "赞成", "反对", "弃权", "结果"], tally, [12, 64, 20, 20, 20, 20])
    doc.add_paragraph()
    style.body(doc, f"计票人（签字）：{BLANK}　　监票人（签字）：{BLANK}", indent=False)
    return doc
