"""Public notices (公示): posted for a case step, with a minimum period the clock locks.

The notice's posting date starts the step's ``min_wait`` count (民法典 第二百零一条: the
posting day does not count), so the step cannot complete before the first allowed day.
Objections received while it stands are recorded with how they were handled; with any
objection on file the step cannot be closed as 无异议. Each objection's 核实结果 (成立 or
不成立) and 处理情况 may be decided later (``decide``); until every one is, the notice's result
is 异议待核实, and the step that verifies them (核实异议) cannot be completed. A posting date
earlier than the day it was entered is kept but flagged (补录), with its reason. ID numbers
are stored whole and checked (GB 11643), and always masked when a notice is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from procedures import idnumber
from procedures.model import Matter, Produces, TimerKind, Unit
from procedures.periods import format_date, period_end, period_line
from procedures.workdays import WorkCalendar
from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.records import RecordBook, parse_date
from store.sanitize import LONG, sanitize

PENDING = "异议待核实"
"""The result of a notice closed with objections not yet decided."""
RESULTS = ("无异议", "异议成立", "异议不成立", PENDING)


def pending_objections(record: dict[str, Any]) -> list[int]:
    """The numbers (1-based) of the notice's objections without a 核实结果 yet."""
    return [i for i, o in enumerate(record.get("objections") or [], start=1) if o.get("upheld") is None]


def result_for(record: dict[str, Any]) -> str:
    """无异议; 异议待核实 while any objection is undecided; else 异议成立 when any was upheld."""
    objections = record.get("objections") or []
    if not objections:
        return "无异议"
    if pending_objections(record):
        return PENDING
    return "异议成立" if any(o.get("upheld") for o in objections) else "异议不成立"


def notice_period(record: dict[str, Any]) -> str:
    """The notice's period as a reader counts it (2026年12月8日至2026年12月14日，共7日); empty
    when its step has no minimum period."""
    amount = int(record.get("min_amount") or 0)
    if not amount or not record.get("earliest_end"):
        return ""
    try:
        unit = Unit(record.get("min_unit") or "day")
    except ValueError:
        unit = Unit.DAY
    rolled = record.get("rolled_from")
    return period_line(
        dt.date.fromisoformat(record["posted_on"]),
        amount,
        unit,
        dt.date.fromisoformat(record["earliest_end"]),
        dt.date.fromisoformat(rolled) if rolled else None,
    )


def _entries(raw: Any, today: dt.date) -> list[dict[str, Any]]:
    """Rows of a notice's table: 姓名, 身份证号 (optional, checked), 人数, 金额, 备注."""
    from store import codec  # the record rules: on a save, not at start-up

    rows = []
    for index, item in enumerate(raw or [], start=1):
        row = (
            dict(item)
            if isinstance(item, dict)
            else dict(zip(("name", "id_number", "household", "amount", "note"), str(item).split(","), strict=False))
        )
        id_text = str(row.get("id_number", "") or "").strip()
        if id_text:
            try:
                id_text = idnumber.validate(id_text, today)
            except idnumber.InvalidId as exc:
                raise BadInput(f"公示第{index}行：{exc}") from None
        rows.append(
            {
                "name": sanitize(row.get("name"), f"公示第{index}行姓名", limit=40, required=True),
                "id_number": id_text,
                "household": codec.household(row.get("household"), f"公示第{index}行人数"),
                "amount": codec.money(row.get("amount"), f"公示第{index}行金额"),
                "note": sanitize(row.get("note"), f"公示第{index}行备注", limit=200),
            }
        )
    return rows


def masked(notice: dict[str, Any]) -> dict[str, Any]:
    """The notice as it may be shown: every ID number masked, in the table and in the text."""
    shown = dict(notice)
    shown["content"] = idnumber.mask_in_text(notice["content"])
    shown["title"] = idnumber.mask_in_text(notice["title"])
    shown["entries"] = [
        dict(e, id_number=idnumber.mask(e["id_number"]) if e["id_number"] else "") for e in notice["entries"]
    ]
    for key in ("forced_reason", "late_reason"):
        if notice.get(key):
            shown[key] = idnumber.mask_in_text(str(notice[key]))
    shown["objections"] = [
        dict(o, content=idnumber.mask_in_text(o["content"]), handling=idnumber.mask_in_text(o.get("handling") or ""))
        for o in notice["objections"]
    ]
    return shown


PLAN_DAYS = 30
"""A 公示 may be registered before it is posted, with the day it is to go up (at most this many
days ahead): the 村务监督委员会 countersigns its text before posting. Until that day it is
待张贴, and its days count from it."""


def standing(notice: Mapping[str, Any], today: dt.date) -> str:
    """Where a notice stands: its result once closed, 待张贴 before the day it is to go up,
    else 公示中."""
    if notice.get("result"):
        return str(notice["result"])
    if str(notice.get("posted_on", "")) > today.isoformat():
        return f"待张贴（计划 {notice['posted_on']} 张贴）"
    return "公示中"


class Notices:
    """Notice records of a store."""

    def __init__(self, store: Store, cal: WorkCalendar):
        self.store, self.cal = store, cal
        self.book = RecordBook(store, "notice", "notices", "GS", "公示")

    def get(self, number: str) -> dict[str, Any]:
        return self.book.get(number)

    def find(self, village: str | None = None) -> list[dict[str, Any]]:
        found = self.book.in_village(village)
        return sorted(found, key=lambda n: (n["posted_on"], n["number"]))

    def post_fields(
        self, matter: Matter, case: dict[str, Any], fields: dict[str, Any], today: dt.date
    ) -> dict[str, Any]:
        """Check a posting for the case's current step and compute its first allowed end."""
        step = matter.step(case["current"]) if case["current"] else None
        if step is None or step.produces is not Produces.NOTICE:
            where = f"“{step.title}”" if step else "已结束"
            raise Refused(f"办件 {case['number']} 当前步骤{where}不是公示步骤，不能登记公示")
        posted = fields.get("posted_on") or today
        posted = posted if isinstance(posted, dt.date) else parse_date(str(posted), "张贴日期")
        if posted > today + dt.timedelta(days=PLAN_DAYS):
            raise BadInput(
                f"张贴日期 {format_date(posted)} 晚于今天 {PLAN_DAYS} 天以上：先登记、后张贴的公示（村务监督委员会"
                f"签字后张贴），张贴日期填计划张贴的日子，{PLAN_DAYS} 天之内"
            )
        opened = dt.date.fromisoformat(case["opened_on"])
        if posted < opened:
            raise BadInput(f"张贴日期 {format_date(posted)} 早于办件立案日期 {format_date(opened)}")
        timer = step.timer if step.timer is not None and step.timer.kind is TimerKind.MIN_WAIT else None
        end = period_end(posted, timer.amount, timer.unit, self.cal) if timer else None
        subject = case["subject"]
        return {
            "case": case["number"],
            "matter_id": matter.id,
            "step": step.id,
            "title": sanitize(fields.get("title") or f"关于{subject}的公示", "公示标题", limit=200, required=True),
            "content": sanitize(fields.get("content"), "公示内容", limit=LONG, multiline=True),
            "place": sanitize(fields.get("place") or "村务公开栏", "张贴地点", limit=100),
            "posted_on": posted.isoformat(),
            "entered_on": today.isoformat(),
            "backdated": posted < today,
            "rule": timer.describe() if timer else "",
            "min_amount": timer.amount if timer else 0,
            "min_unit": timer.unit.value if timer else "",
            "earliest_end": end.last_day.isoformat() if end else posted.isoformat(),
            "rolled_from": end.rolled_from.isoformat() if end and end.rolled_from else "",
            "estimated": bool(end and end.estimated),
            "late_reason": sanitize(fields.get("late_reason"), "补录原因", limit=500, multiline=True)
            if posted < today
            else "",
            "entries": _entries(fields.get("entries"), today),
        }

    def object(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        received: dt.date | str,
        from_whom: str,
        content: str,
        handling: str = "",
        upheld: bool | None = None,
        expected_rev: int | None = None,
    ) -> dict[str, Any]:
        """Record an objection (异议) received while the notice stands."""
        day = received if isinstance(received, dt.date) else parse_date(received, "异议收到日期")
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            if record["result"]:
                raise Refused(
                    f"公示 {record['number']} 已于 {record['closed_on']} 结束（{record['result']}），不能再登记异议"
                )
            posted = dt.date.fromisoformat(record["posted_on"])
            if day < posted or day > now.date():
                raise BadInput(f"异议收到日期应在张贴日 {format_date(posted)} 至今天之间")
            objection = {
                "received": day.isoformat(),
                "from": sanitize(from_whom, "异议人", limit=40, required=True),
                "content": sanitize(content, "异议内容", limit=LONG, required=True, multiline=True),
                "handling": sanitize(handling, "处理情况", limit=LONG, multiline=True),
                "upheld": upheld,
                "late": day > dt.date.fromisoformat(record["earliest_end"]),
                **txn.operator.stamp(),
            }
            record["objections"] = [*record["objections"], objection]
            self.book.save(txn, record, "notice.object", {"objection": len(record["objections"])})
            return record

    def decide(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        index: int,
        upheld: bool,
        handling: str,
        expected_rev: int | None = None,
    ) -> dict[str, Any]:
        """Enter objection ``index``'s (1-based) 核实结果 and 处理情况, while the notice stands or
        after it closed, until the step that verifies the objections is completed."""
        text = sanitize(handling, "处理情况", limit=LONG, required=True, multiline=True)
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            objections = record["objections"]
            if not objections:
                raise BadInput(f"公示 {record['number']} 没有登记异议，未做任何改动")
            if not 1 <= index <= len(objections):
                raise BadInput(f"公示 {record['number']} 只有 {len(objections)} 条异议，没有第{index}条；未做任何改动")
            if record.get("verified_on"):
                raise Refused(
                    f"公示 {record['number']} 的异议已于 {record['verified_on']} 核实完毕（{record['result']}），"
                    "不能再更改核实结果；未做任何改动"
                )
            who = txn.operator.stamp()
            objection = {
                **objections[index - 1],
                "upheld": upheld,
                "handling": text,
                "decided_on": now.date().isoformat(),
                "decided_by": who["by"],
                "decided_by_name": who["by_name"],
            }
            record["objections"] = [*objections[: index - 1], objection, *objections[index:]]
            if record["result"]:
                record["result"] = result_for(record)
            self.book.save(txn, record, "notice.decide", {"objection": index, "upheld": upheld})
            return record

    def result_for(self, record: dict[str, Any]) -> str:
        return result_for(record)
