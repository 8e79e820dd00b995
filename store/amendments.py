"""Undoing a mistake in a case, always with a reason and never without trace: reopening the
last completed step (重开), withdrawing (撤回) or terminating (终止) a case, correcting its 事由.

Each is one journaled save of the case (and of the notice it touches), whose journal entry
carries the reason, and each adds an entry to the case's ``amendments``: when, who (name and
role as they were then), the reason, and what it undid or replaced (the finished step as it
was recorded, the 事由 as it was worded). The archive (``exports.archive``) and the
supervision checks (``procedures.risks``) read them from there.

Who may: whoever may complete a step of the case (a 村干部 of its village, 乡镇, 管理员). A
监委会 account is refused by the store's transaction, as for every other change; a cadre of
another village cannot even read the case (``OutOfScope``).

Reopening (allowed only on an open case, and only while nothing is recorded at the current
step: no ticks, note, notice, meeting, seal use or committee signature) puts the case back at
its last finished step as it stood before it was completed: its ticks, materials and note
back in the step's progress, its 公示 standing again (closed or verified by the completion),
its meeting or seal use carried back to be used again when the step is completed anew.

Withdrawing or terminating a case with a 公示 still running is allowed: the notice is closed
that day as 公示中止 with the reason (on its record, in the archive and the 公示结果), so no one
waits seven days to stop a notice the case no longer needs. Meeting drafts linked to the case
stay as they are (the minutes are of a meeting, not of the case); the archive shows their state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procedures.engine import STATUS_LABELS, CaseStatus
from procedures.model import Matter, Produces, Step
from store.cases import Case, Cases, _verifies_objections
from store.errors import BadInput, Blocked, CannotReopen, CaseClosed
from store.identity import Operator
from store.opinions import Opinions
from store.records import prefix_of
from store.sanitize import LONG, sanitize

KIND_WORDS = {"reopen": "重开步骤", "withdraw": "撤回办件", "terminate": "终止办件", "subject": "更正事由"}
"""What each kind of amendment is called where people read it."""
CLOSING = {"withdraw": CaseStatus.WITHDRAWN, "terminate": CaseStatus.STOPPED}
RECORD_WORDS = {"HY": "会议记录", "GS": "公示", "YY": "用印登记"}


def stopped_result(kind: str) -> str:
    """The result written on a 公示 stopped because its case was withdrawn or terminated."""
    return f"公示中止（办件已{STATUS_LABELS[CLOSING[kind]].removeprefix('已')}）"


def describe(entry: dict[str, Any], matter: Matter | None = None) -> str:
    """One amendment in words, without who and when: 重开第4步“民主评议”（撤销原办理结果“通过”）."""
    kind = entry.get("kind", "")
    if kind == "reopen":
        title = _title(matter, str(entry.get("step_id", "")))
        outcome = entry.get("outcome", "")
        undone = entry.get("undone") or {}
        forced = f"，原为强制完成：{undone['forced_reason']}" if undone.get("forced_reason") else ""
        return f"重开“{title}”（撤销原办理结果“{outcome}”，原完成日期 {entry.get('finished', '')}{forced}）"
    if kind in CLOSING:
        step = entry.get("step_id", "")
        where = f"，办理至“{_title(matter, str(step))}”" if step else ""
        notice = f"，公示 {entry['notice']} 同日中止" if entry.get("notice") else ""
        return f"{KIND_WORDS[kind]}{where}{notice}"
    if kind == "subject":
        return f"更正事由：原为“{entry.get('old', '')}”，改为“{entry.get('new', '')}”"
    return str(kind)


def _title(matter: Matter | None, step_id: str) -> str:
    if matter is None:
        return step_id
    try:
        return matter.step(step_id).title
    except KeyError:
        return step_id


class Amendments:
    """Reopening, withdrawing, terminating and correcting the cases of a store."""

    def __init__(self, cases: Cases, opinions: Opinions):
        self.cases, self.opinions = cases, opinions

    def _reason(self, text: str, what: str) -> str:
        return sanitize(text, f"{what}的理由", limit=LONG, required=True, multiline=True)

    # ---- reopening

    def reopen(
        self, operator: Operator, now: dt.datetime, number: str, reason: str, expected_rev: int | None = None
    ) -> Case:
        """Put an open case back at its last finished step, as it stood before it was completed.

        Refused (``CannotReopen``, nothing changed) when the case is closed, when no step is
        finished yet, or when something is recorded at the current step (named in the refusal)."""
        why = self._reason(reason, "重开步骤")
        cases = self.cases
        with cases.store.transaction(operator, now) as txn:
            record = cases.book.for_update(number, expected_rev)
            case = Case(record)
            matter = cases._matter(case.matter_id)
            self._may_reopen(record, matter)
            last = record["history"][-1]
            step = matter.step(last["step_id"])
            notice_no, carried = "", []
            for linked in last.get("records", []):
                if prefix_of(linked) == "GS" and step.produces is Produces.NOTICE:
                    notice_no = linked
                else:
                    carried.append(linked)
            if notice_no:
                self._reopen_notice(txn, notice_no, number, step, why)
            elif _verifies_objections(step):
                self._unverify(txn, record, number, step, why)
            progress: dict[str, Any] = {
                "checklist": list(last.get("checklist", [])),
                "materials": list(last.get("materials", [])),
                "note": str(last.get("note", "")),
                "notice": notice_no,
            }
            if carried:
                progress["records"] = carried
            record.update(
                status=CaseStatus.OPEN.value,
                current=last["step_id"],
                current_since=last["started"],
                progress=progress,
                history=record["history"][:-1],
                amendments=[
                    *case.amendments,
                    {
                        "kind": "reopen",
                        "at": now.isoformat(timespec="seconds"),
                        **txn.operator.stamp(),
                        "reason": why,
                        "step_id": last["step_id"],
                        "outcome": last.get("outcome", ""),
                        "finished": last.get("finished", ""),
                        "undone": last,
                    },
                ],
            )
            detail = {"step": last["step_id"], "outcome": last.get("outcome", ""), "reason": why}
            cases.book.save(txn, record, "case.reopen", detail)
        return Case(record)

    def reopenable(self, number: str) -> dict[str, Any]:
        """The finished step that reopening case ``number`` would undo (its history entry), or
        the refusal ``reopen`` would give (``CannotReopen``); nothing is changed."""
        record = self.cases.book.get(number)
        self._may_reopen(record, self.cases._matter(str(record["matter_id"])))
        return dict(record["history"][-1])

    def _may_reopen(self, record: dict[str, Any], matter: Matter) -> None:
        """Refuse (``CannotReopen``) a closed case, one with nothing finished, or one with
        something recorded at its current step."""
        case = Case(record)
        if case.status is not CaseStatus.OPEN or not record["current"]:
            label = STATUS_LABELS[case.status]
            raise CannotReopen(
                f"办件 {case.number} {label}，不能重开步骤；未做任何改动。",
                case=case.number,
                blocked=Blocked.CLOSED,
                status=label,
            )
        current = matter.step(record["current"])
        if not record["history"]:
            raise CannotReopen(
                f"办件 {case.number} 还没有完成任何步骤（当前是第1步“{current.title}”），没有可重开的步骤；"
                "未做任何改动。",
                case=case.number,
                blocked=Blocked.NOTHING_DONE,
                step_id=current.id,
                step_title=current.title,
            )
        recorded, numbers = self.recorded(record, current)
        progress = record.get("progress") or {}
        if recorded:
            raise CannotReopen(
                f"办件 {case.number} 的当前步骤“{current.title}”已有登记：{'；'.join(recorded)}。"
                "只有当前步骤还没有任何登记时，才能重开上一步；未做任何改动。"
                + (
                    "已登记的公示、会议记录、用印或签字不能撤销，上一步已不能重开。"
                    if len(recorded) > sum(1 for k in ("checklist", "materials", "note") if progress.get(k))
                    else "如确是上一步办错，请先取消这些勾选、清空备注并暂存。"
                ),
                case=case.number,
                blocked=Blocked.RECORDED,
                step_id=current.id,
                step_title=current.title,
                recorded=tuple(recorded),
                records=tuple(numbers),
                ticked=any(progress.get(k) for k in ("checklist", "materials", "note")),
            )

    def recorded(self, record: dict[str, Any], step: Step) -> tuple[list[str], list[str]]:
        """What is recorded at the case's current ``step``, in words, and the numbers of the
        records linked to it."""
        progress = record.get("progress") or {}
        words: list[str] = []
        if progress.get("checklist"):
            words.append("已勾选清单：" + "、".join(progress["checklist"]))
        if progress.get("materials"):
            words.append("已勾选收到的材料：" + "、".join(progress["materials"]))
        if progress.get("note"):
            words.append("已填写备注")
        earlier = {n for h in record["history"] for n in h.get("records", [])}
        numbers = [n for n in [progress.get("notice") or "", *progress.get("records", [])] if n]
        for book in (self.cases.meetings.book, self.cases.seals.book):
            for linked in book.in_village(record["village"]):
                here = linked.get("case") == record["number"] and linked.get("step") == step.id
                if here and linked["number"] not in earlier and linked["number"] not in numbers:
                    numbers.append(str(linked["number"]))
        words += [f"已登记{RECORD_WORDS.get(prefix_of(n), '记录')} {n}" for n in numbers]
        signed = self.opinions.countersigns(record["number"], step.id)
        if signed:
            words.append("监委会已对本步骤的公示签字（" + "、".join(str(o["by"]) for o in signed) + "）")
        return words, numbers

    def _reopen_notice(self, txn: Any, number: str, case: str, step: Step, reason: str) -> None:
        """The step's 公示, closed when the step was completed, stands again."""
        notices = self.cases.notices
        notice = notices.get(number)
        if not notice.get("result") and not notice.get("closed_on"):
            return
        notice.update(result="", closed_on="")
        notice.pop("forced_reason", None)
        notices.book.save(txn, notice, "notice.reopen", {"case": case, "step": step.id, "reason": reason})

    def _unverify(self, txn: Any, record: dict[str, Any], case: str, step: Step, reason: str) -> None:
        """At a step that verified a notice's objections: their 核实结果 may be changed again."""
        notice = self.cases._case_notice({**record, "history": record["history"][:-1]})
        if notice is None or not notice.get("verified_on"):
            return
        notice.pop("verified_on")
        self.cases.notices.book.save(txn, notice, "notice.reopen", {"case": case, "step": step.id, "reason": reason})

    # ---- withdrawing and terminating

    def withdraw(
        self, operator: Operator, now: dt.datetime, number: str, reason: str, expected_rev: int | None = None
    ) -> Case:
        """Close an open case as 已撤回 (the application withdrawn), with a reason."""
        return self._close(operator, now, number, reason, "withdraw", expected_rev)

    def terminate(
        self, operator: Operator, now: dt.datetime, number: str, reason: str, expected_rev: int | None = None
    ) -> Case:
        """Close an open case as 已终止 (stopped before its flow ended), with a reason."""
        return self._close(operator, now, number, reason, "terminate", expected_rev)

    def closing(self, number: str) -> tuple[str, list[str]]:
        """What withdrawing or terminating case ``number`` would touch: the running 公示 it
        would stop ("" when none) and the meeting drafts linked to it (left as they are);
        ``CaseClosed`` when it is closed already. Nothing is changed."""
        record = self.cases.book.get(number)
        case = Case(record)
        if case.status is not CaseStatus.OPEN or not record["current"]:
            label = STATUS_LABELS[case.status]
            raise CaseClosed(
                f"办件 {case.number} {label}，不能再撤回或终止；未做任何改动。", case=case.number, status=label
            )
        posted = (record.get("progress") or {}).get("notice", "")
        running = posted if posted and not self.cases.notices.get(posted).get("result") else ""
        drafts = [
            str(m["number"])
            for m in self.cases.meetings.book.in_village(case.village)
            if m.get("case") == case.number and m.get("state") == "draft"
        ]
        return running, sorted(drafts)

    def _close(
        self, operator: Operator, now: dt.datetime, number: str, reason: str, kind: str, expected_rev: int | None
    ) -> Case:
        why = self._reason(reason, KIND_WORDS[kind])
        cases = self.cases
        status = CLOSING[kind]
        with cases.store.transaction(operator, now) as txn:
            record = cases.book.for_update(number, expected_rev)
            case = Case(record)
            if case.status is not CaseStatus.OPEN or not record["current"]:
                label = STATUS_LABELS[case.status]
                raise CaseClosed(
                    f"办件 {case.number} {label}，不能再{KIND_WORDS[kind][:2]}；未做任何改动。",
                    case=case.number,
                    status=label,
                )
            stopped = ""
            posted = (record.get("progress") or {}).get("notice", "")
            if posted:
                notice = cases.notices.get(posted)
                if not notice.get("result"):
                    notice.update(
                        result=stopped_result(kind),
                        closed_on=now.date().isoformat(),
                        stopped=True,
                        stopped_reason=why,
                    )
                    cases.notices.book.save(
                        txn, notice, "notice.close", {"result": notice["result"], "stopped": True, "case": number}
                    )
                    stopped = posted
            entry: dict[str, Any] = {
                "kind": kind,
                "at": now.isoformat(timespec="seconds"),
                **txn.operator.stamp(),
                "reason": why,
                "step_id": record["current"],
            }
            if stopped:
                entry["notice"] = stopped
            record.update(
                status=status.value,
                current="",
                current_since=now.date().isoformat(),
                amendments=[*case.amendments, entry],
            )
            detail = {"step": entry["step_id"], "reason": why, **({"notice": stopped} if stopped else {})}
            cases.book.save(txn, record, f"case.{kind}", detail)
        return Case(record)

    # ---- the 事由

    def correct_subject(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        subject: str,
        reason: str,
        expected_rev: int | None = None,
    ) -> Case:
        """Replace a case's 事由; the old wording stays in its amendments, with who, when and why."""
        text = sanitize(subject, "办件事由", required=True)
        why = self._reason(reason, "更正事由")
        cases = self.cases
        with cases.store.transaction(operator, now) as txn:
            record = cases.book.for_update(number, expected_rev)
            case = Case(record)
            if text == case.subject:
                raise BadInput(f"新的事由与办件 {case.number} 现在的事由相同，未做任何改动。")
            entry = {
                "kind": "subject",
                "at": now.isoformat(timespec="seconds"),
                **txn.operator.stamp(),
                "reason": why,
                "old": case.subject,
                "new": text,
            }
            record.update(subject=text, amendments=[*case.amendments, entry])
            cases.book.save(txn, record, "case.subject", {"reason": why})
        return Case(record)
