"""Public notices (公示): posted for a case step, with a minimum period the clock locks.

The notice's posting date starts the step's ``min_wait`` count (民法典 第二百零一条: the
posting day does not count), so the step cannot complete before the first allowed day.
Objections received while it stands are recorded with how they were handled; with any
objection on file the step cannot be closed as 无异议. A posting date earlier than the
day it was entered is kept but flagged (补录). ID numbers are stored whole and checked
(GB 11643), and always masked when a notice is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procedures import idnumber
from procedures.model import Matter, Produces, TimerKind
from procedures.periods import format_date, period_end
from procedures.workdays import WorkCalendar
from store import codec
from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.records import RecordBook, parse_date
from store.sanitize import LONG, sanitize

RESULTS = ("无异议", "异议成立", "异议不成立")


def _entries(raw: Any, today: dt.date) -> list[dict[str, Any]]:
    """Rows of a notice's table: 姓名, 身份证号 (optional, checked), 人数, 金额, 备注."""
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
    shown["objections"] = [dict(o, content=idnumber.mask_in_text(o["content"])) for o in notice["objections"]]
    return shown


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
        if posted > today:
            raise BadInput(f"张贴日期 {format_date(posted)} 晚于今天，请在张贴当天或之后登记")
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
            "estimated": bool(end and end.estimated),
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

    def result_for(self, record: dict[str, Any]) -> str:
        if not record["objections"]:
            return "无异议"
        return "异议成立" if any(o["upheld"] for o in record["objections"]) else "异议不成立"
