"""公示 (the notice as posted) and its 公示结果 record, in the house style (rules-and-formats C4).

Everything a notice shows comes from ``store.notices.masked``: ID numbers are never printed
whole. The notice: title, body, the matter and rule it is posted under (and the meeting
decision before it, when the case has one), the table of entries, 公示期, the objection
channel, 村务监督委员会审核, 署名 and date (GB/T 9704 §7.3.5.2) and the posting place as 附注.
The result record after the period: 无异议 or each objection with its 核实结果 and handling
(异议待核实 while any is open); a 公示 closed before its period ran, or whose posting was entered
late (补录), says so with the real number of days and the reason.

The period prints as a reader counts it: from the day after posting (民法典 第二百零一条) to its
last day, a last day on a day off moved to the next working day (第二百零三条), with the source.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from exports import style
from procedures.model import UNIT_LABELS, Matter, Unit
from procedures.periods import counted_days, free_from, period_basis
from store.errors import NotFound
from store.notices import PENDING, masked, notice_period, pending_objections, result_for

if TYPE_CHECKING:
    from docx.document import Document

    from store.site import Site

BLANK = "________"
BENEFIT_COLUMNS = ("户主姓名", "保障人数", "拟保障金额")
"""The 低保 notice's columns (C4), used by the assistance matters that publish households."""
BENEFIT_MATTERS = {"dibao", "tekun-wubao"}
PLAIN_COLUMNS = ("姓名", "人数", "金额")
PARTY_MATTERS = {"dangwu-gongkai"}
"""Besides the 党建工作 category: notices the party branch issues."""


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _matter(site: Site, record: dict[str, Any]) -> Matter | None:
    try:
        return site.catalog.get(str(record.get("matter_id", "")))
    except KeyError:
        return None


def issuer(village: str, matter: Matter | None) -> str:
    """村民委员会 (居民委员会 for a 社区); the party branch for party matters."""
    if matter is not None and (matter.category == "党建工作" or matter.id in PARTY_MATTERS):
        return f"中共{village}支部委员会"
    return f"{village}{'居民' if village.endswith('社区') else '村民'}委员会"


def _unit(record: dict[str, Any]) -> str:
    try:
        return UNIT_LABELS[Unit(record.get("min_unit") or "day")]
    except ValueError:
        return "日"


def period_text(record: dict[str, Any]) -> str:
    """公示期：2026年12月8日至2026年12月14日，共7日 (and where a rest day moved its end), or
    公示时间：…起 when the step has no minimum period."""
    period = notice_period(record)
    if not period:
        return f"公示时间：{style.cn_date(_day(record['posted_on']))}起"
    text = f"公示期：{period}"
    if record.get("estimated"):
        text += "（节假日安排尚未公布，截止日期为预估）"
    return text


def period_rule(record: dict[str, Any]) -> str:
    """How the period is counted and when it may end, with the articles it follows."""
    if not notice_period(record):
        return ""
    basis = period_basis(bool(record.get("rolled_from")))
    return f"（公示期计算：{basis}。公示期最后一日至24时止。）"


def _basis(site: Site, record: dict[str, Any], matter: Matter | None) -> str:
    """The line naming the matter, the rule and the meeting decision before the notice."""
    parts = []
    if matter is not None:
        step_title = next((s.title for s in matter.steps if s.id == record.get("step")), "")
        rule = record.get("rule") or step_title
        parts.append(f"公示依据：{matter.name}办理流程" + (f"“{rule}”" if rule else ""))
    decision = _decision(site, str(record.get("case") or ""))
    if decision:
        parts.append(decision)
    if record.get("case"):
        parts.append(f"办件编号：{record['case']}")
    return "。".join(parts) + "。" if parts else ""


def _decision(site: Site, case_number: str) -> str:
    """经2026年11月20日村民代表会议决议 — the last linked meeting with an item passed."""
    if not case_number:
        return ""
    try:
        numbers = site.cases.get(case_number).records()
    except NotFound:
        return ""
    for number in reversed(numbers):
        if "HY" not in number.rsplit("-", 1)[-1]:
            continue
        try:
            meeting = site.meetings.get(number)
        except NotFound:
            continue
        if any(item.get("passed") for item in meeting.get("items", [])):
            day = dt.datetime.fromisoformat(meeting["start"]).date()
            return f"本事项已经{style.cn_date(day)}{meeting['kind']}决议（会议记录编号：{meeting['number']}）"
    return ""


def _entries_table(doc: Document, record: dict[str, Any]) -> None:
    entries = record.get("entries") or []
    if not entries:
        return
    benefit = record.get("matter_id") in BENEFIT_MATTERS
    name, household, amount = BENEFIT_COLUMNS if benefit else PLAIN_COLUMNS
    columns: list[tuple[str, str, float]] = [("", "序号", 12), ("name", name, 26)]
    if any(e.get("id_number") for e in entries):
        columns.append(("id_number", "身份证号", 46))
    for key, label, width in (("household", household, 20), ("amount", amount, 28)):
        if benefit or any(e.get(key) for e in entries):
            columns.append((key, label, width))
    columns.append(("note", "备注", 0))
    used = sum(width for _, _, width in columns)
    widths = [width or max(156 - used, 20) for _, _, width in columns]
    rows = [
        [str(i) if not key else str(e.get(key, "") or "") for key, _, _ in columns] for i, e in enumerate(entries, 1)
    ]
    style.table(doc, [label for _, label, _ in columns], rows, widths)


def notice_document(site: Site, number: str) -> Document:
    """The notice as posted (公示), from the stored notice ``…-GS0001``; ID numbers masked."""
    record = masked(site.notices.get(number))
    matter = _matter(site, record)
    doc = style.new_document()
    style.title(doc, record["title"])
    if record.get("content"):
        style.body(doc, record["content"])
    basis = _basis(site, record, matter)
    if basis:
        style.body(doc, basis)
    _entries_table(doc, record)
    style.body(doc, period_text(record))
    rule = period_rule(record)
    if rule:
        style.body(doc, rule)
    phone = site.settings.supervision_phone or BLANK
    style.body(doc, f"如有异议，请在公示期内向村务监督委员会反映。监督举报电话：{phone}")
    signed = site.opinions.countersigns(str(record.get("case") or ""), str(record.get("step") or ""))
    reviewed = "；".join(f"{o['name']}（{o['date']}，{o['text']}）" for o in signed)
    style.body(doc, f"村务监督委员会（审核）：{reviewed or BLANK}")
    style.signature(doc, issuer(record["village"], matter), _day(record["posted_on"]), hold=2)  # 审核 too
    style.keep_with_next(doc.paragraphs[-1])  # the date: never a 张贴地点 line alone on a page
    style.body(doc, f"（张贴地点：{record.get('place') or BLANK}）")
    return doc


def _verdict(objection: dict[str, Any]) -> str:
    upheld = objection.get("upheld")
    return "待核实" if upheld is None else ("异议成立" if upheld else "异议不成立")


def _objection_text(objection: dict[str, Any]) -> str:
    received = style.cn_date(_day(objection["received"]))
    late = "（公示期满后收到）" if objection.get("late") else ""
    return "\n".join(
        (
            f"日期：{received}{late}",
            f"异议人：{objection.get('from', '')}",
            f"内容：{objection.get('content', '')}",
            f"处理情况：{objection.get('handling') or '（未登记）'}",
            f"核实结果：{_verdict(objection)}",
        )
    )


def result_title(title: str) -> str:
    """关于王某某低保申请的公示 → 关于王某某低保申请的公示结果记录."""
    return f"{title if title.endswith('公示') else title + '公示'}结果记录"


def short_close(record: dict[str, Any]) -> str:
    """A 公示 closed before its period ran: when, after how many days, and the reason; else empty."""
    closed, last = record.get("closed_on"), record.get("earliest_end")
    amount = int(record.get("min_amount") or 0)
    if not closed or not last or not amount or _day(closed) >= free_from(_day(last)) or record.get("stopped"):
        return ""
    posted = _day(record["posted_on"])
    days = counted_days(posted, _day(closed))
    reason = record.get("forced_reason") or "（未登记）"
    return (
        f"未满公示期即强制结束：{style.cn_date(posted + dt.timedelta(days=1))}至{style.cn_date(_day(closed))}"
        f"（结束当日未满），实际公示{days}日，不足规定的{amount}{_unit(record)}"
        f"（公示期应至{style.cn_date(_day(last))}24时止）。强制结束理由：{reason}"
    )


def late_entry(record: dict[str, Any]) -> str:
    """A posting entered after the day it names (补录): when it was entered, the days since, the reason."""
    if not record.get("backdated") or not record.get("entered_on"):
        return ""
    posted, entered = _day(record["posted_on"]), _day(record["entered_on"])
    text = f"张贴日期{style.cn_date(posted)}系补录：{style.cn_date(entered)}才登记（补录{(entered - posted).days}日）"
    if record.get("closed_on"):
        text += f"，登记后至公示结束共{(_day(record['closed_on']) - entered).days}日"
    return text + f"。补录原因：{record.get('late_reason') or '（未登记）'}"


def stopped_text(record: dict[str, Any]) -> str:
    """A 公示 stopped because its case was withdrawn or terminated (``store.amendments``): when,
    and the reason given; else empty."""
    if not record.get("stopped") or not record.get("closed_on"):
        return ""
    reason = record.get("stopped_reason") or "（未登记）"
    return f"{record.get('result', '')}：{style.cn_date(_day(record['closed_on']))}中止公示。理由：{reason}"


def result_text(record: dict[str, Any]) -> str:
    """The 公示结果 line, from the objections as decided: 异议待核实 while any is open."""
    if not record.get("closed_on"):
        return "公示尚未结束"
    if record.get("stopped"):
        return f"{record.get('result', '')}（{style.cn_date(_day(record['closed_on']))}中止）"
    result = PENDING if pending_objections(record) else result_for(record)
    if result == "无异议" and short_close(record):
        result = "未满公示期，期间未收到异议"
    return f"{result}（{style.cn_date(_day(record['closed_on']))}公示结束）"


def notice_result_document(site: Site, number: str) -> Document:
    """The 公示结果 record after the period: 无异议, or each objection with its handling and finding."""
    record = masked(site.notices.get(number))
    objections = record.get("objections") or []
    doc = style.new_document()
    style.title(doc, result_title(record["title"]))
    rows = [
        ["公示标题", record["title"]],
        ["公示编号", record["number"]],
        ["关联办件", record.get("case") or "无"],
        ["张贴地点", record.get("place") or BLANK],
        ["公示期", period_text(record).split("：", 1)[1]],
    ]
    for label, text in (
        ("提前结束", short_close(record)),
        ("中止", stopped_text(record)),
        ("补录", late_entry(record)),
    ):
        if text:
            rows.append([label, text])
    rows.append(["收到异议", f"{len(objections)} 条"])
    rows += [[f"异议{i}", _objection_text(o)] for i, o in enumerate(objections, 1)]
    rows += [["公示结果", result_text(record)], ["揭除日期", "____年____月____日"], ["张贴见证人（签字）", ""]]
    style.table(doc, ["项目", "内容"], rows, [40, 116])
    doc.add_paragraph()
    style.body(doc, f"村务监督委员会（签字）：{BLANK}　　日期：{BLANK}", indent=False)
    style.hold_sign_off(doc)
    return doc
