"""The seal register (用印登记簿): every use of a village seal, with who approved it and why.

The approver may not be the seal's keeper. The approval basis is either a meeting
resolution recorded here (重大事项经会议讨论决定) or, for routine papers, the responsible
person's sign-off (一般常规业务资料经负责人审阅同意), as the county's seal flows say.

The register records what happened. A use that broke those rules (stamped without
approval, or approved by the keeper) is refused unless the clerk writes down how it came
about (``irregular``, 情况说明): it is then registered as it was, and the supervision
checks show it in red. Refusing it outright would only keep the use out of the register.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.meetings import Meetings
from store.records import RecordBook, parse_date
from store.sanitize import sanitize

SEALS = ("党支部", "村委会", "村集体经济组织")
ROUTINE = "一般常规业务资料，经负责人审阅同意"
UNAPPROVED = "未经批准（如实登记）"


class Seals:
    """Seal use records of a store."""

    def __init__(self, store: Store, meetings: Meetings):
        self.store, self.meetings = store, meetings
        self.book = RecordBook(store, "seal", "seals", "YY", "用印登记")

    def get(self, number: str) -> dict[str, Any]:
        return self.book.get(number)

    def find(
        self,
        village: str | None = None,
        seal: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[dict[str, Any]]:
        found = self.book.in_village(village)
        if seal:
            found = [s for s in found if s["seal"] == seal]
        if start:
            found = [s for s in found if s["date"] >= start.isoformat()]
        if end:
            found = [s for s in found if s["date"] <= end.isoformat()]
        return sorted(found, key=lambda s: (s["date"], s["number"]))

    def new(self, operator: Operator, now: dt.datetime, village: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Register a seal use; refuses approver = keeper and a basis that does not exist."""
        seal = str(fields.get("seal", "")).strip()
        if seal not in SEALS:
            raise BadInput(f"印章“{seal}”无效，应为：{'、'.join(SEALS)}")
        day = fields.get("date") or now.date()
        day = day if isinstance(day, dt.date) else parse_date(str(day), "用印日期")
        if day > now.date():
            raise BadInput("用印日期晚于今天：用印登记在盖章时或盖章后填写")
        irregular = sanitize(fields.get("irregular"), "情况说明", limit=500, multiline=True)
        unapproved = bool(fields.get("unapproved"))
        keeper = sanitize(fields.get("keeper"), "印章保管人", limit=40, required=True)
        approver = sanitize(fields.get("approver"), "批准人", limit=40, required=not unapproved) or "（未经批准）"
        if approver == keeper and not irregular:
            raise Refused(
                f"批准人与印章保管人不能是同一人（{approver}）：请由负责人审批，保管人只负责盖章。"
                "如实际就是同一人批准并盖章，请在“情况说明”中如实写明（将列为监督提示）"
            )
        from store import codec  # the record rules: on a save, not at start-up

        copies = codec.count(fields.get("copies", 1), "用印份数", low=1, high=10_000)
        meeting_no = str(fields.get("meeting") or "").strip()
        if meeting_no:
            meeting = self.meetings.get(meeting_no)
            if meeting["village"] != village:
                raise BadInput(f"会议记录 {meeting['number']} 属于{meeting['village']}，不是{village}")
            if not any(item["passed"] for item in meeting["items"]):
                raise Refused(f"会议记录 {meeting['number']} 没有通过的决议，不能作为用印依据")
            basis = {"kind": "meeting", "meeting": meeting["number"], "text": f"会议决议（{meeting['title']}）"}
        elif fields.get("routine"):
            basis = {"kind": "routine", "meeting": "", "text": ROUTINE}
        elif unapproved:
            if not irregular:
                raise BadInput("登记未经批准的用印，须在“情况说明”中写明用印经过（将列为监督提示）")
            basis = {"kind": "none", "meeting": "", "text": UNAPPROVED}
        else:
            raise BadInput("请写明用印依据：会议决议编号（重大事项），或注明一般常规业务资料经负责人审阅同意")
        body = {
            "seal": seal,
            "date": day.isoformat(),
            "document": sanitize(fields.get("document"), "用印文件", limit=200, required=True),
            "copies": copies,
            "purpose": sanitize(fields.get("purpose"), "用途", limit=200, required=True),
            "approver": approver,
            "keeper": keeper,
            "basis": basis,
            "irregular": irregular,
            "case": "",
            "step": "",
        }
        with self.store.transaction(operator, now) as txn:
            body["operator"] = txn.operator.label
            return self.book.insert(txn, village, day.year, body, "seal.new", {"seal": seal, "basis": basis["kind"]})
