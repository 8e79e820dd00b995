"""整改 (rectification) to closure: from a finding of the risk checks, an opinion of the
监委会 or a note of an inspection, a 整改事项 with its problem, the measure, the person
responsible, a deadline and the village; progress notes; 完成 by the village with its evidence;
销号 by the 监委会 or the 乡镇 — never by the person responsible, never by a 村干部 — or 无需整改
with a reason, by the 乡镇 only.

A 整改事项 is a numbered record (``城关村-2026-ZG0001``), journaled like every other change and
scoped by village. It is overdue (red) from the day after its deadline while it is not done.

What it comes from belongs to its village: a finding's key names the village (``check|<number>|step``,
a number starting ``<村>-``, or ``check|<村>/<matter>|step|day``), an opinion and the case or
record it is about are records of that village. A finding or an opinion has at most one 整改事项
at a time that is neither 销号 nor 无需整改 (two would leave 监督 to whichever was saved last).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.records import RecordBook, parse_date, prefix_of
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
_NUMBERED = re.compile(r"^(?P<village>.+)-\d{4}-[A-Z]*\d+$")
"""A case or record number (``store.records``): its village is all before ``-<year>-``."""


def overdue(record: dict[str, Any], today: dt.date) -> bool:
    """Red from the day after the deadline while neither done, 销号 nor waived."""
    return late(str(record["state"]), str(record["deadline"]), today)


def late(state: str, deadline: str, day: dt.date) -> bool:
    """``overdue`` of a 整改事项 in ``state`` with its ``deadline`` (ISO) on ``day`` (the state it
    had that day, for a period past: ``store.summary``)."""
    return state == OPEN and day > dt.date.fromisoformat(deadline)


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


def finding_village(key: str) -> str:
    """The village a finding's key names (``procedures.risks.Finding.key``): the village of the
    case or record number in it, or the one before ``/`` of a duty's key; "" when it names none."""
    parts = key.split("|")
    if len(parts) < 3 or not parts[0]:
        return ""
    about = parts[1].strip()
    if "/" in about:
        return about.split("/", 1)[0].strip()
    match = _NUMBERED.match(unicodedata.normalize("NFKC", about).upper())
    return match["village"] if match else ""


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_responsible(operator: Operator, responsible: str) -> bool:
    """Whether the account's name occurs in the 责任人 (``关丽（乡镇）``, ``关丽同志``,
    ``王文书、关丽``), spaces and full-width forms aside."""
    name = _fold(operator.name)
    return bool(name) and name in _fold(responsible)


def _not_for_the_responsible(operator: Operator, record: dict[str, Any], doing: str, instead: str) -> None:
    if is_responsible(operator, str(record["responsible"])):
        raise Refused(
            f"整改事项 {record['number']} 的责任人“{record['responsible']}”中有 {operator.label}的姓名，"
            f"责任人不能为自己负责的整改{doing}：请由{instead}核实后{doing}。"
            f"若只是同名的另一人，请由其他有权限的人员办理。{NOTHING}"
        )


class Rectifications:
    """The 整改事项 of a store."""

    def __init__(self, store: Store, opinions: RecordBook | None = None, targets: Sequence[RecordBook] = ()):
        """``opinions``: the 监委会's opinions (a 整改 from one names it); ``targets``: the books of
        the cases and records a 整改 may be about (cases, meetings, notices, seal uses, people)."""
        self.store, self.opinions, self.targets = store, opinions, tuple(targets)
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
        key = sanitize(fields.get("source_key"), "整改来源", limit=300)
        target = sanitize(fields.get("target"), "整改针对的编号", limit=60)
        if source in ("finding", "opinion") and not key:
            raise BadInput(f"来自{SOURCES[source]}的整改须写明是哪一条。{NOTHING}")
        if source == "inspection" and key:
            raise BadInput(f"检查发现的问题不写来源编号；来自风险提示或监督意见的，请写明来源。{NOTHING}")
        if source == "finding":
            where = finding_village(key)
            if not where:
                raise BadInput(f"“{key}”不是风险提示的编号（风险提示的 key，形如 检查项|编号|步骤）。{NOTHING}")
            if where != village:
                raise BadInput(f"风险提示“{key}”是{where}的，不是{village}的：请在{where}登记整改。{NOTHING}")
        body = {
            "source": source,
            "source_key": key,
            "target": target,
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
        with self.store.transaction(operator, now, supervision=True) as txn:
            if source == "opinion":
                body["source_key"] = key = self._record(self.opinions, key, village, "监督意见")
            if target:
                body["target"] = self._target(target, village)
            self._no_other_open(village, source, key)
            return self.book.insert(txn, village, now.year, body, NEW, {"source": source})

    def _record(self, book: RecordBook | None, text: str, village: str, what: str) -> str:
        """The number of an existing record of ``village`` in ``book``, as it is written."""
        number = book.number(text) if book is not None else None
        if number is None or book is None:
            raise BadInput(f"无法核对{what}“{text}”。{NOTHING}")
        if number.village != village:
            raise BadInput(
                f"{what} {number} 是{number.village}的，不是{village}的：整改只能针对本村的{what}。{NOTHING}"
            )
        record = book.raw(str(number))
        if record is None:
            raise BadInput(f"没有编号为“{number}”的{what}：请核对编号。{NOTHING}")
        if book is self.opinions and record.get("kind") != "opinion":
            raise BadInput(f"{number} 是对公示的签字，不是审核意见：请写明提出问题的审核意见编号。{NOTHING}")
        return str(number)

    def _target(self, text: str, village: str) -> str:
        """The case or record a 整改 is about: an existing one of ``village``."""
        prefix = prefix_of(text)
        for book in self.targets:
            if book.prefix == prefix:
                return self._record(book, text, village, "办件" if not prefix else "记录")
        raise BadInput(
            f"“{text}”不是办件、会议记录（HY）、公示（GS）、用印登记（YY）或名册人员（RY）编号，"
            f"如 {village}-2026-0001。{NOTHING}"
        )

    def _no_other_open(self, village: str, source: str, key: str) -> None:
        """A finding or an opinion has one 整改事项 at a time until it is 销号 or found not needed."""
        if source not in ("finding", "opinion"):
            return
        for r in self.find(village):
            if r["source"] == source and r["source_key"] == key and r["state"] in (OPEN, DONE):
                raise Refused(
                    f"这条{SOURCES[source]}已有整改事项 {r['number']}（{STATES[r['state']]}）：请在该事项上登记进展或完成，"
                    f"不要重复登记；它销号或认定无需整改后才能另行登记。{NOTHING}"
                )

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
            _not_for_the_responsible(txn.operator, record, "销号", "村务监督委员会或乡镇的其他人员")
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
            _not_for_the_responsible(txn.operator, record, "认定无需整改", "乡镇的其他人员")
            record.update(
                state=WAIVED, closed={"at": now.isoformat(timespec="seconds"), **_who(txn.operator), "note": why}
            )
            self.book.save(txn, record, WAIVE)
            return record

    @staticmethod
    def _still_open(record: dict[str, Any], doing: str) -> None:
        if record["state"] != OPEN:
            raise Refused(f"整改事项 {record['number']} 已是“{STATES[record['state']]}”，不能再{doing}。{NOTHING}")
