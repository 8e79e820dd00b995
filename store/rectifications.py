"""整改 (rectification) to closure: from a finding of the risk checks, an opinion of the
监委会 or a note of an inspection, a 整改事项 with its problem, the measure, the person
responsible, a deadline and the village; progress notes; 完成 by the village with its evidence;
销号 by the 监委会 or the 乡镇 — never by the person responsible, never by a 村干部 — or 无需整改
with a reason, by the 乡镇 only.

A 整改事项 is a numbered record (``城关村-2026-ZG0001``), journaled like every other change and
scoped by village. It is overdue (red) from the day after its deadline while it is not done.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.records import RecordBook, parse_date
from store.roles import check
from store.sanitize import LONG, sanitize

OPEN, DONE, CLOSED, WAIVED = "open", "done", "closed", "waived"
STATES = {OPEN: "整改中", DONE: "已完成待销号", CLOSED: "已销号", WAIVED: "无需整改"}
SOURCES = {"finding": "风险提示", "opinion": "监督意见", "inspection": "检查发现"}
NEW, PROGRESS, FINISH, CLOSE, WAIVE = (
    "rectification.new",
    "rectification.progress",
    "rectification.done",
    "rectification.close",
    "rectification.waive",
)
NOTHING = "未做任何改动。"


def overdue(record: dict[str, Any], today: dt.date) -> bool:
    """Red from the day after the deadline while neither done, 销号 nor waived."""
    return record["state"] == OPEN and today > dt.date.fromisoformat(str(record["deadline"]))


def describe(r: dict[str, Any], today: dt.date) -> list[str]:
    """A 整改事项 as lines of plain text (``cunwu rectify show`` and the app's page of it); free
    text as stored: mask ID numbers before (``procedures.idnumber.mask_in_data``)."""
    late = "，已逾期" if overdue(r, today) else ""
    lines = [
        f"{r['number']}（{STATES[r['state']]}{late}）",
        f"来源：{SOURCES[r['source']]}{'：' + r['source_key'] if r['source_key'] else ''}",
        f"问题：{r['problem']}",
        f"整改措施：{r['measure']}",
        f"责任人：{r['responsible']}  期限：{r['deadline']}",
    ]
    if r["target"]:
        lines.append(f"针对：{r['target']}")
    lines += [f"进展（{p['at'][:10]} {p['by_name']}）：{p['text']}" for p in r["progress"]]
    if r["done"]:
        lines.append(f"完成（{r['done']['at'][:10]} {r['done']['by_name']}）：{r['done']['evidence']}")
    if r["closed"]:
        word = "销号" if r["state"] == CLOSED else "认定无需整改"
        lines.append(f"{word}（{r['closed']['at'][:10]} {r['closed']['by_name']}）：{r['closed']['note']}")
    return lines


def _who(operator: Operator) -> dict[str, str]:
    return {"by": operator.label, "by_name": operator.name or operator.account, "by_role": operator.role}


def _same_person(operator: Operator, responsible: str) -> bool:
    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    return bool(operator.name) and fold(operator.name) == fold(responsible)


class Rectifications:
    """The 整改事项 of a store."""

    def __init__(self, store: Store):
        self.store = store
        self.book = RecordBook(store, "rectification", "rectifications", "ZG", "整改事项")

    def get(self, number: str) -> dict[str, Any]:
        return self.book.get(number)

    def find(self, village: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        found = [r for r in self.book.in_village(village) if state in (None, r["state"])]
        return sorted(found, key=lambda r: (r["deadline"], r["number"]))

    def overdue(self, today: dt.date, village: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.find(village) if overdue(r, today)]

    def new(
        self,
        operator: Operator,
        now: dt.datetime,
        village: str,
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        """Open a 整改事项. ``fields``: problem, measure, responsible (a name; ``person``: its
        名册编号 when known), deadline, source (finding / opinion / inspection), source_key (the
        finding's key or the opinion's number), target (the case or record it is about)."""
        check(operator, NEW, village)
        source = str(fields.get("source") or "inspection")
        if source not in SOURCES:
            raise BadInput(f"整改来源“{source}”无效，应为：{'、'.join(SOURCES.values())}。{NOTHING}")
        deadline = parse_date(str(fields.get("deadline") or ""), "整改期限")
        if deadline < now.date():
            raise BadInput(f"整改期限 {deadline.isoformat()} 早于今天，请写明今后的日期。{NOTHING}")
        body = {
            "source": source,
            "source_key": sanitize(fields.get("source_key"), "整改来源", limit=300),
            "target": sanitize(fields.get("target"), "整改针对的编号", limit=60),
            "problem": sanitize(fields.get("problem"), "问题", limit=LONG, required=True, multiline=True),
            "measure": sanitize(fields.get("measure"), "整改措施", limit=LONG, required=True, multiline=True),
            "responsible": sanitize(fields.get("responsible"), "责任人", limit=40, required=True),
            "person": sanitize(fields.get("person"), "责任人的名册编号", limit=40),
            "deadline": deadline.isoformat(),
            "state": OPEN,
            "progress": [],
            "done": {},
            "closed": {},
        }
        if body["source"] in ("finding", "opinion") and not body["source_key"]:
            raise BadInput(f"来自{SOURCES[source]}的整改须写明是哪一条。{NOTHING}")
        with self.store.transaction(operator, now, supervision=True) as txn:
            return self.book.insert(txn, village, now.year, body, NEW, {"source": source})

    def progress(self, operator: Operator, now: dt.datetime, number: str, text: str) -> dict[str, Any]:
        """A progress note by the village."""
        note = sanitize(text, "整改进展", limit=LONG, required=True, multiline=True)
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, None)
            self._still_open(record, "登记进展")
            record["progress"] = [
                *record["progress"],
                {"at": now.isoformat(timespec="seconds"), **_who(txn.operator), "text": note},
            ]
            self.book.save(txn, record, PROGRESS, {"note": len(record["progress"])})
            return record

    def finish(self, operator: Operator, now: dt.datetime, number: str, evidence: str) -> dict[str, Any]:
        """完成: the village says it is done, with its evidence (text)."""
        proof = sanitize(evidence, "整改完成的佐证", limit=LONG, required=True, multiline=True)
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, None)
            self._still_open(record, "登记完成")
            record.update(
                state=DONE, done={"at": now.isoformat(timespec="seconds"), **_who(txn.operator), "evidence": proof}
            )
            self.book.save(txn, record, FINISH)
            return record

    def close(self, operator: Operator, now: dt.datetime, number: str, note: str = "") -> dict[str, Any]:
        """销号 by the 监委会 or the 乡镇, never by the person responsible nor by who registered it done."""
        check(operator, CLOSE)
        text = sanitize(note, "销号意见", limit=LONG, multiline=True) or "经核实已整改到位，同意销号"
        with self.store.transaction(operator, now, supervision=True) as txn:
            record = self.book.for_update(number, None)
            if record["state"] != DONE:
                raise Refused(
                    f"整改事项 {record['number']} 现为“{STATES[record['state']]}”：村里登记整改完成（附佐证）后才能销号。{NOTHING}"
                )
            if _same_person(txn.operator, str(record["responsible"])):
                raise Refused(
                    f"{txn.operator.label} 是整改事项 {record['number']} 的责任人，不能为自己的整改销号："
                    f"请由村务监督委员会或乡镇的其他人员核实后销号。{NOTHING}"
                )
            if record["done"].get("by") == txn.operator.label:
                raise Refused(
                    f"{txn.operator.label} 登记了整改事项 {record['number']} 的完成，不能再为它销号："
                    f"完成和销号须由不同的人办理。{NOTHING}"
                )
            record.update(
                state=CLOSED, closed={"at": now.isoformat(timespec="seconds"), **_who(txn.operator), "note": text}
            )
            self.book.save(txn, record, CLOSE)
            return record

    def waive(self, operator: Operator, now: dt.datetime, number: str, reason: str) -> dict[str, Any]:
        """无需整改, by the 乡镇 (or a 管理员), with the reason."""
        check(operator, WAIVE)
        why = sanitize(reason, "无需整改的理由", limit=LONG, required=True, multiline=True)
        with self.store.transaction(operator, now, supervision=True) as txn:
            record = self.book.for_update(number, None)
            self._still_open(record, "认定无需整改")
            record.update(
                state=WAIVED, closed={"at": now.isoformat(timespec="seconds"), **_who(txn.operator), "note": why}
            )
            self.book.save(txn, record, WAIVE)
            return record

    @staticmethod
    def _still_open(record: dict[str, Any], doing: str) -> None:
        if record["state"] != OPEN:
            raise Refused(f"整改事项 {record['number']} 已是“{STATES[record['state']]}”，不能再{doing}。{NOTHING}")
