"""会议记录 (minutes) of a stored meeting, and the paper-first blank version (rules-and-formats C3).

The minutes print what was stored: the header (名称, 召集单位, 时间, 地点, 主持人, 记录人,
应到/实到, 缺席, 列席, 书面意见), each 议题 with the speeches, the vote, the stored arithmetic
and the decision, the rule applied, the state and any correction appended after locking, the
signature lines (计票人/监票人 when something was voted on) and, on a page of its own, the
签到表 the attendees sign — one file, so the sheet is filed with the minutes it belongs to.
A meeting that takes its 应到 from the roster prints who was present by name, and its 签到表
prints the names of the roster of the meeting's day, each person marked absent, by written
opinion or by proxy with that beside the name (so nobody signs in their place); one whose
kind has a roster but was counted by hand says so beside its counts.
A decision that failed never reads 同意: it prints 未通过 with the vote, or 不足法定人数，未形成决议.
A draft carries 草稿 at the head of every page. Party-branch meetings are the 党支部's.

The blank version is printed before the meeting (a meeting may be registered ahead of its day)
and filled in by pen: what is known already, full-width writing lines for the rest, a 签到表 of
as many rows of at least 9 mm as 应到 (or as asked), and a 表决统计表 with 计票人/监票人.
ID numbers typed into free text are masked.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from exports import style
from exports.notice import issuer
from procedures import idnumber
from procedures import roster as roster_rules
from procedures.meetings import PARTY_KINDS, Base, MeetingKind, Threshold, rule_for
from store.identity import who_did
from store.meetings import STATES, counts_source, present_names

if TYPE_CHECKING:
    from docx.document import Document

    from store.site import Site

BLANK = "________"
SIGN_IN_PAGE = 16
"""Rows of the 签到表 when neither 应到 nor a row count is given: one page of 10 mm rows."""
SIGN_IN_MAX = 2000
DRAFT_MARK = "草稿　未经确认，不作正式记录"
WRITING_LINES = {"情况说明": 2, "发言摘要": 6, "决议": 3}
"""Handwriting lines per 议题 on the blank minutes."""


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


def convener(village: str, kind: str) -> str:
    """Whose meeting it is: the 党支部 for party meetings, both committees for a 两委联席会议,
    the 村务监督委员会 for its own, else the 村民委员会 (居民委员会 in a 社区)."""
    committee = issuer(village, None)
    try:
        known = MeetingKind(kind)
    except ValueError:
        return committee
    if known in PARTY_KINDS:
        return f"中共{village}支部委员会"
    if known is MeetingKind.JOINT_MEETING:
        return f"中共{village}支部委员会、{committee}"
    if known is MeetingKind.SUPERVISORS:
        return f"{village}村务监督委员会"
    return committee


def _unit(record: dict[str, Any]) -> str:
    return "户" if record.get("by_household") else "人"


def attendance(record: dict[str, Any], blank: bool = False, source: bool = True) -> str:
    """应到 39 人，实到 26 人 (户 when a 村民会议 counts households' representatives); blanks not yet
    known; where the counts come from: the roster and each person's mark, or typed for want of a
    roster."""
    unit = _unit(record)
    expected = record.get("expected") or BLANK
    present = BLANK if not record.get("expected") or (blank and not record.get("present")) else record["present"]
    return f"应到 {expected} {unit}，实到 {present} {unit}" + (counts_source(record) if source else "")


def _joined(values: list[str], empty: str = "无") -> str:
    return "、".join(shown(v) for v in values) or empty


def _header_rows(record: dict[str, Any], blank: bool) -> list[list[str]]:
    def known(value: object) -> str:
        return shown(value)  # blank on paper: the cell itself is the space to write in

    absent = [f"{a['name']}（{a['reason']}）" if a.get("reason") else a["name"] for a in record.get("absent", [])]
    written = [f"{w['name']}：{w['opinion']}" for w in record.get("written", [])]
    empty = "" if blank else "无"
    time = _time(record["start"], record.get("end", ""))
    if blank and not record.get("end"):
        time = time.removesuffix("起") + f"—{BLANK}"
    rows = [
        ["记录编号", record["number"]],
        ["会议名称", shown(record["title"])],
        ["会议类别", record["kind"]],
        ["召集单位", convener(str(record.get("village", "")), record["kind"])],
        ["时间", time],
        ["地点", known(record.get("place"))],
        ["主持人", known(record.get("host"))],
        ["记录人", known(record.get("recorder"))],
        ["应到/实到", attendance(record, blank)],
    ]
    if record.get("roll") and not blank:
        rows.append(["出席人员", _joined(present_names(record), "无")])
    rows += [
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


def _item(doc: Document, record: dict[str, Any], index: int, item: dict[str, Any]) -> None:
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
    line = decision_line(record, item)
    if line:
        style.body(doc, line)


def quorum_met(record: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether the meeting had its quorum (by the rule of its kind; else by the stored arithmetic)."""
    try:
        rule = rule_for(MeetingKind(record["kind"]), bool(record.get("by_household")))
    except ValueError:
        return "未达到法定人数" not in str(item.get("arithmetic", ""))
    expected, present = int(record.get("expected") or 0), int(record.get("present") or 0)
    return rule.quorum is None or (expected > 0 and rule.quorum.met(present, expected, present))


def decision_line(record: dict[str, Any], item: dict[str, Any]) -> str:
    """决议：… as recorded for an item that passed (or was not voted on); an item that failed
    never reads 同意: 决议：未通过（赞成…） or 决议：不足法定人数，未形成决议（…）."""
    vote = item.get("vote")
    if vote and item.get("passed") is False:
        if not quorum_met(record, item):
            return f"决议：不足法定人数，未形成决议（{attendance(record, source=False)}）"
        counts = f"赞成 {vote['ayes']} 票，反对 {vote['nays']} 票，弃权 {vote['abstain']} 票"
        return f"决议：未通过（{counts}，未达到通过条件）"
    resolution = shown(item.get("resolution"))
    return f"决议：{resolution}" if resolution else ""


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


def _signatures(doc: Document, counted: bool) -> None:
    """Host and recorder (and 计票人/监票人 when votes were counted), kept on the page with the text above."""
    doc.add_paragraph()
    if counted:
        style.body(doc, f"计票人（签字）：{BLANK}　　监票人（签字）：{BLANK}", indent=False)
    style.body(doc, f"主持人（签字）：{BLANK}　　记录人（签字）：{BLANK}", indent=False)
    style.body(doc, "参会人员签字见附后签到表", indent=False)
    style.hold_sign_off(doc)


def sign_in_rows(record: dict[str, Any], rows: int | None = None) -> int:
    """How many rows the 签到表 has: one per person of the roster when the meeting takes its 应到
    from it, else as asked, else 应到, else one page."""
    if record.get("roll"):
        return len(record["roll"])
    if rows:
        return min(max(rows, 1), SIGN_IN_MAX)
    return min(int(record.get("expected") or 0), SIGN_IN_MAX) or SIGN_IN_PAGE


def sign_in_sheet(doc: Document, record: dict[str, Any], rows: int | None = None, blank: bool = False) -> None:
    """签到表 on a new page: one row of at least 10 mm per person (户 for a household meeting)."""
    style.page_break(doc)
    style.title(doc, "签到表")
    style.body(doc, f"会议名称：{shown(record['title'])}", indent=False)
    style.body(
        doc,
        f"时间：{_time(record['start'], record.get('end', ''))}　地点：{shown(record.get('place')) or BLANK}",
        indent=False,
    )
    unit = _unit(record)
    present = record.get("present") if record.get("roll") and not blank else None
    style.body(doc, f"应到 {record.get('expected') or BLANK} {unit}，实到 {present or BLANK} {unit}", indent=False)
    roll = record.get("roll") or []
    # A household meeting's sheet: the 户主 of each household by hand, or the roster's 户代表.
    names = "户代表姓名" if roll else "户主姓名"
    headers = ["序号", names, "户代表签字", "备注"] if record.get("by_household") else ["序号", "姓名", "签字", "备注"]
    if roll:
        # The names come from the roster of the meeting's day; a person marked absent (or by
        # written opinion, or by proxy) has it printed beside the name, so nobody signs for them.
        cells = [[str(i), shown(r["name"]), "", _roll_note(r)] for i, r in enumerate(roll, 1)]
        style.body(doc, "名单按会议当天的名册打印，请本人在自己姓名后签字。", indent=False)
    else:
        cells = [[str(i), "", "", ""] for i in range(1, sign_in_rows(record, rows) + 1)]
    grid = style.table(doc, headers, cells, [16, 50, 50, 40])
    for row in grid.rows[1:]:
        style.row_height(row, style.PEN_LINE)


def _roll_note(row: dict[str, Any]) -> str:
    """What the 签到表 prints beside a name in the 备注 column: nothing to sign in person, else the mark."""
    mark, note = str(row.get("mark") or ""), shown(row.get("note"))
    if mark in ("", roster_rules.Mark.PRESENT.value):
        return ""
    if mark == roster_rules.Mark.PROXY.value:
        return f"委托{note}代为表决"
    if mark == roster_rules.Mark.WRITTEN.value:
        return "书面意见（见记录）"  # the opinion itself is in the minutes, not on the sheet passed round
    return f"{mark}（{note}）" if note else mark


def minutes_document(site: Site, number: str, rows: int | None = None) -> Document:
    """The minutes of a stored meeting ``…-HY0001`` as recorded, with its 签到表 (``rows`` rows,
    else 应到) appended."""
    record = site.meetings.get(number)
    doc = style.new_document()
    if record.get("state", "draft") == "draft":
        style.draft_mark(doc, DRAFT_MARK)
    style.title(doc, minutes_title(record["kind"]))
    style.table(doc, ["项目", "内容"], _header_rows(record, blank=False), [40, 116])
    style.heading(doc, "一、议题")
    for index, item in enumerate(record.get("items") or [], 1):
        _item(doc, record, index, item)
    if not record.get("items"):
        style.body(doc, "（未登记议题）")
    style.heading(doc, "二、表决规则")
    style.body(doc, record.get("rule", ""))
    style.heading(doc, "三、记录状态")
    _state(site, doc, record)
    _signatures(doc, counted=any(i.get("vote") for i in record.get("items") or []))
    sign_in_sheet(doc, record, rows)
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


def _header_table(doc: Document, record: dict[str, Any]) -> None:
    """The header of the blank minutes: rows tall enough to write in, three lines for the lists."""
    rows = _header_rows(record, blank=True)
    grid = style.table(doc, ["项目", "内容"], rows, [40, 116])
    for row, (label, _) in zip(grid.rows[1:], rows, strict=True):
        lines = 3 if label in ("缺席人员及原因", "列席人员", "书面意见") else 1
        style.row_height(row, style.PEN_LINE * lines)


def unmarked(record: dict[str, Any]) -> dict[str, Any]:
    """A meeting counted from the roster as the paper before it is held: its people's names, none
    of the marks the clerk may have entered since (the marks come from the signed sheet, never
    onto it)."""
    if not record.get("roll"):
        return record
    roll = [{**r, "mark": "", "note": ""} for r in record["roll"]]
    return {**record, "roll": roll, "present": 0, "absent": [], "written": []}


def blank_minutes_document(site: Site, number: str, rows: int | None = None) -> Document:
    """The paper-first minutes of a meeting (also one registered ahead of its day): half-filled
    record with writing lines, 签到表 (``rows`` rows, else 应到) and 表决统计表."""
    record = unmarked(site.meetings.get(number))
    items = record.get("items") or []
    doc = style.new_document()
    style.title(doc, minutes_title(record["kind"]))
    _header_table(doc, record)
    style.heading(doc, "一、议题")
    slots = [shown(i["title"]) for i in items] or [""] * 3
    for index, title in enumerate(slots, 1):
        if title:
            style.heading(doc, f"（{_cn_number(index)}）{title}", 2)
        else:
            style.keep_with_next(style.writing_lines(doc, f"（{_cn_number(index)}）议题：")[-1])
        for label in ("情况说明", "发言摘要"):
            style.writing_lines(doc, f"{label}：", WRITING_LINES[label])
        style.body(doc, f"表决：举手／无记名　赞成{BLANK}票　反对{BLANK}票　弃权{BLANK}票", indent=False)
        style.writing_lines(doc, "决议：", WRITING_LINES["决议"])
    style.heading(doc, "二、表决规则")
    for line in rule_lines(record):
        style.body(doc, line)
    _signatures(doc, counted=True)
    sign_in_sheet(doc, record, rows, blank=True)

    style.page_break(doc)
    style.title(doc, "表决统计表")
    style.body(doc, f"会议名称：{shown(record['title'])}", indent=False)
    style.body(doc, attendance(record, blank=True), indent=False)
    for line in rule_lines(record):
        style.body(doc, line, indent=False)
    tally = [[str(i), title, "", "", "", ""] for i, title in enumerate(slots, 1)]
    grid = style.table(doc, ["序号", "议题", "赞成", "反对", "弃权", "结果"], tally, [12, 64, 20, 20, 20, 20])
    for row in grid.rows[1:]:
        style.row_height(row, int(style.PEN_LINE * 1.5))
    doc.add_paragraph()
    style.body(doc, f"计票人（签字）：{BLANK}　　监票人（签字）：{BLANK}", indent=False)
    style.hold_sign_off(doc)
    return doc
