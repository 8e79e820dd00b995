"""Supervision opinions (审核意见) and countersignatures (签字) of the 村务监督委员会.

An opinion is filed against a case, a meeting, a notice or a seal use (and, when given
from the supervision view, against one finding of the risk checks). A countersignature
is the committee's sign-off on a 公示 before it is posted: it is filed against the case
while its current step is the notice step and nothing has been posted yet. Both are
numbered records (``城关村-2026-YJ0001``), journaled like every other change, and only
监委会 and 乡镇 accounts may make them (``store.roles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from procedures.model import Catalog, Produces
from store import overview
from store.db import Store
from store.errors import BadInput, Refused, StoreError
from store.identity import Operator
from store.journal import digest
from store.records import RecordBook, prefix_of
from store.roles import check
from store.sanitize import LONG, sanitize

KINDS = {"opinion": "审核意见", "countersign": "签字"}
ACTION = "opinion.new"


def signer(operator: Operator) -> dict[str, str]:
    """Who gave an opinion or a signature, as they were named then (what the notice prints)."""
    return {
        "by": operator.label,
        "account": operator.account,
        "name": operator.name or operator.account,
        "role": operator.role,
    }


class Opinions:
    """Opinion records of a store; ``books`` are the records they may be filed against."""

    def __init__(
        self, store: Store, catalog: Catalog, books: Sequence[RecordBook], villages: Callable[[], Sequence[str]]
    ):
        self.store, self.catalog, self.books, self.villages = store, catalog, tuple(books), villages
        self.book = RecordBook(store, "opinion", "opinions", "YJ", "监督意见")

    def _target(self, number: str) -> tuple[RecordBook, dict[str, Any]]:
        text = number.strip()
        prefix = prefix_of(text)
        for book in self.books:
            if book.prefix == prefix:
                return book, book.get(text)
        raise BadInput(f"“{number}”不是办件、会议记录（HY）、公示（GS）、用印登记（YY）或名册人员（RY）编号")

    def add(
        self, operator: Operator, now: dt.datetime, target: str, text: str, finding: str = "", village: str = ""
    ) -> dict[str, Any]:
        """File an opinion on ``target`` (optionally on one of its findings), or, for a finding
        that has no case or record (a 三会一课 not held), on the ``finding`` in ``village``."""
        check(operator, ACTION)
        body = sanitize(text, "审核意见", limit=LONG, required=True, multiline=True)
        about = sanitize(finding, "风险提示", limit=200)
        if target.strip():
            book, record = self._target(target)
            number, where, kind = record["number"], record["village"], book.kind
        else:
            where = sanitize(village, "村名", limit=30)
            if not about or where not in self.villages():
                raise BadInput("请写明审核意见针对的办件或记录编号；针对没有办件的风险提示时，写明提示和村名")
            number, kind = "", "finding"
        fields = {
            "kind": "opinion",
            "target": number,
            "target_kind": kind,
            "step": "",
            "finding": about,
            "text": body,
            "date": now.date().isoformat(),
        }
        with self.store.transaction(operator, now, supervision=True) as txn:
            fields.update(signer(txn.operator))
            return self.book.insert(txn, where, now.year, fields, ACTION, {"target": number or about})

    def countersign(self, operator: Operator, now: dt.datetime, case_number: str, text: str = "") -> dict[str, Any]:
        """Sign off the 公示 of a case before it is posted."""
        check(operator, ACTION)
        note = sanitize(text, "签字意见", limit=LONG, multiline=True) or "同意公示"
        with self.store.transaction(operator, now, supervision=True) as txn:
            book, case = self._target(case_number)
            if book.kind != "case":
                raise BadInput(f"签字针对办件的公示步骤，请输入办件编号（如 城关村-2026-0001），不是 {case_number}")
            matter = self.catalog.get(case["matter_id"])
            step = matter.step(case["current"]) if case["current"] else None
            if step is None or step.produces is not Produces.NOTICE:
                where = f"当前步骤是“{step.title}”" if step else "已结束"
                raise Refused(f"办件 {case['number']} {where}，不在公示步骤，没有待张贴的公示可签字")
            registered = case["progress"].get("notice", "")
            if not registered:
                raise Refused(
                    f"办件 {case['number']} 的公示内容尚未登记，无从审核：请村干部先在公示步骤登记公示内容，"
                    "张贴日期填计划张贴的日子（晚于今天）；签字后再张贴"
                )
            notice = self._target(registered)[1]
            posted_on = dt.date.fromisoformat(notice["posted_on"])
            if posted_on <= now.date():
                raise Refused(
                    f"办件 {case['number']} 的公示 {registered} 已于 {posted_on.isoformat()} 张贴，签字应在张贴前；"
                    "请改为填写审核意见"
                )
            me = txn.operator
            if any(
                o.get("account", o["by"]) in (me.account, me.label) for o in self.countersigns(case["number"], step.id)
            ):
                raise Refused(f"{me.label} 已对办件 {case['number']} 的公示签过字")
            fields = {
                "kind": "countersign",
                "target": case["number"],
                "target_kind": "case",
                "step": step.id,
                "finding": "",
                "text": note,
                **signer(me),
                "date": now.date().isoformat(),
                # The text signed: a 公示 whose text is changed after is signed anew.
                "notice": registered,
                "notice_text": notice_text(notice),
            }
            return self.book.insert(txn, case["village"], now.year, fields, ACTION, {"target": case["number"]})

    def find(
        self, village: str | None = None, target: str | None = None, finding: str | None = None
    ) -> list[dict[str, Any]]:
        """The opinions and signatures of ``village`` (every village the viewer sees when None),
        on ``target`` or ``finding`` when given, by date. For one village and a target or finding,
        only the data files whose overview lists an opinion on it are read (``store.overview``)."""
        target = target.strip() if target else target
        if village and (target or finding):
            found = self._filed(village, {target} if target else set(), finding)
        else:
            found = self.book.in_village(village)
        if target:
            found = [o for o in found if o["target"] == target]
        if finding:
            found = [o for o in found if o["finding"] == finding]
        return sorted(found, key=lambda o: (o["date"], o["number"]))

    def about_case(self, case_number: str, records: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Opinions and signatures on a case and on its linked records, by date: what the
        cadres doing the case must read."""
        targets = {case_number.strip(), *records}
        # Filed in the case's village (a record linked to a case is of its village): its files only.
        found = [o for o in self._filed(_village_of(case_number), targets) if o["target"] in targets]
        return sorted(found, key=lambda o: (o["date"], o["number"]))

    def _filed(self, village: str, targets: set[str], finding: str | None = None) -> list[dict[str, Any]]:
        """The opinions of the data files of ``village`` whose overview (``store.overview``) lists
        one on a record of ``targets`` or on ``finding``: the others are not read."""
        found: list[dict[str, Any]] = []
        for partition in self.store.visible_partitions(village):
            if overview.has_opinions(self.store.overview_for(partition), targets, finding):
                found += (partition.storage.read() or {}).get(self.book.table, {}).values()
        return found

    def countersigns(self, case_number: str, step_id: str) -> list[dict[str, Any]]:
        """The signatures on a case's notice step that stand for its 公示 as it now reads: one
        given on an earlier version of the text (registered again since) signed something else."""
        found = self.find(_village_of(case_number), target=case_number)
        signed = [o for o in found if o["kind"] == "countersign" and o["step"] == step_id]
        if not signed:
            return []
        current = self._notice_version(case_number)
        return [o for o in signed if "notice_text" not in o or (o.get("notice"), o["notice_text"]) == current]

    def _notice_version(self, case_number: str) -> tuple[str, str] | None:
        """The case's registered 公示 and a digest of its text (None when there is none)."""
        try:
            case = self._target(case_number)[1]
            registered = str(case.get("progress", {}).get("notice", ""))
            return (registered, notice_text(self._target(registered)[1])) if registered else None
        except StoreError:
            return None


def _village_of(number: str) -> str:
    """The village of a record number (城关村-2026-0012 → 城关村)."""
    return number.strip().rsplit("-", 2)[0]


def notice_text(notice: Mapping[str, Any]) -> str:
    """A digest of what a 公示 says (title, content, the list of names): its posting day and
    place may change after a signature, its words may not."""
    return digest({key: notice.get(key) for key in ("title", "content", "entries")})
