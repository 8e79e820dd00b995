"""What ``--json`` prints of a record: one documented shape per kind (README, "JSON output"),
not the storage layout.

The stored record keeps what the store needs (``seq``, the accounts and roles of every
stamp, a 公示's period in parts); the shapes here leave those out, call ``rev`` ``version``
(the number ``meeting edit --rev`` and a conflict message speak of), name people as they
were named then, and mask every ID number, in a notice's rows and in all free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from procedures import idnumber
from store.identity import who_did

MEETING_STATES = {"draft": "草稿", "confirmed": "已确认", "locked": "已锁定"}


class Common(TypedDict):
    number: str
    """城关村-2026-HY0001."""
    village: str
    year: int
    version: int
    """Starts at 1, +1 on every save (the stored ``rev``)."""
    created_at: str
    updated_at: str
    updated_by: str
    """The name of who saved it last, as they were named then."""


class MeetingJson(Common):
    state: str
    """draft | confirmed | locked."""
    state_label: str
    kind: str
    title: str
    start: str
    end: str
    place: str
    host: str
    recorder: str
    expected: int
    present: int
    by_household: bool
    absent: list[dict[str, str]]
    attendees: list[str]
    written: list[dict[str, str]]
    items: list[dict[str, Any]]
    rule: str
    corrections: list[dict[str, str]]
    case: str
    step: str
    counts_from: str
    """roster (应到 and 实到 from the roster and each person's mark) | typed."""
    roll: list[dict[str, str]]
    """With ``counts_from`` roster: each person expected, ``person`` (名册编号), ``name``,
    ``mark`` (出席 | 缺席 | 书面意见 | 委托 | "" not marked yet) and ``note`` (the reason, the
    opinion, or who voted on their behalf)."""


class PersonJson(Common):
    name: str
    gender: str
    birth: str
    id_number: str
    """Masked (140431********0016); "" when not recorded."""
    household: str
    head: bool
    group: str
    note: str
    memberships: list[dict[str, str]]
    """``role``, ``since``, ``until`` ("" still held; the last day held), ``detail``, ``ended_on``
    (the day the ending was entered)."""


class RectificationJson(Common):
    source: str
    """finding | opinion | inspection."""
    source_key: str
    """The finding's key or the opinion's number ("" for an inspection)."""
    target: str
    problem: str
    measure: str
    responsible: str
    deadline: str
    state: str
    """open | done (awaiting 销号) | closed (销号) | waived (无需整改)."""
    state_label: str
    overdue: bool
    """Open after its deadline, on the day the command ran."""
    progress: list[dict[str, str]]
    """``at``, ``by`` (a name), ``text``."""
    done: dict[str, str]
    """{} or ``at``, ``by``, ``evidence``."""
    closed: dict[str, str]
    """{} or ``at``, ``by``, ``note`` (the 销号 opinion, or why no 整改 is needed)."""


class NoticeJson(Common):
    case: str
    matter_id: str
    step: str
    title: str
    content: str
    place: str
    posted_on: str
    entered_on: str
    backdated: bool
    rule: str
    earliest_end: str
    estimated: bool
    entries: list[dict[str, str]]
    objections: list[dict[str, Any]]
    result: str
    closed_on: str


class SealJson(Common):
    seal: str
    date: str
    document: str
    copies: int
    purpose: str
    approver: str
    keeper: str
    basis: dict[str, str]
    irregular: str
    case: str
    step: str
    registered_by: str


class OpinionJson(TypedDict):
    number: str
    village: str
    kind: str
    """opinion (审核意见) | countersign (签字)."""
    target: str
    target_kind: str
    step: str
    finding: str
    text: str
    date: str
    by: str
    role: str


def _common(r: dict[str, Any]) -> Common:
    return {
        "number": r["number"],
        "village": r["village"],
        "year": r["year"],
        "version": int(r["rev"]),
        "created_at": r.get("created_at", ""),
        "updated_at": r.get("updated_at", ""),
        "updated_by": who_did(r, "updated_by"),
    }


def meeting(r: dict[str, Any]) -> MeetingJson:
    items = [
        {
            "title": i["title"],
            "speeches": [{"name": s["name"], "summary": s["summary"]} for s in i.get("speeches", [])],
            "vote": i.get("vote"),
            "passed": i.get("passed"),
            "arithmetic": i.get("arithmetic", ""),
            "resolution": i.get("resolution", ""),
        }
        for i in r["items"]
    ]
    out: MeetingJson = {
        **_common(r),
        "state": r["state"],
        "state_label": MEETING_STATES.get(r["state"], r["state"]),
        "kind": r["kind"],
        "title": r["title"],
        "start": r["start"],
        "end": r.get("end", ""),
        "place": r.get("place", ""),
        "host": r.get("host", ""),
        "recorder": r.get("recorder", ""),
        "expected": r["expected"],
        "present": r["present"],
        "by_household": bool(r.get("by_household")),
        "absent": [{"name": a["name"], "reason": a.get("reason", "")} for a in r.get("absent", [])],
        "attendees": list(r.get("attendees", [])),
        "written": [{"name": w["name"], "opinion": w.get("opinion", "")} for w in r.get("written", [])],
        "items": items,
        "rule": r.get("rule", ""),
        "corrections": [{"at": c["at"], "by": who_did(c), "text": c["text"]} for c in r.get("corrections", [])],
        "case": r.get("case", ""),
        "step": r.get("step", ""),
        "counts_from": str(r.get("counts_from") or "typed"),
        "roll": [
            {"person": x["person"], "name": x["name"], "mark": x["mark"], "note": x.get("note", "")}
            for x in r.get("roll") or []
        ],
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


def person(r: dict[str, Any]) -> PersonJson:
    out: PersonJson = {
        **_common(r),
        "name": r["name"],
        "gender": r.get("gender", ""),
        "birth": r.get("birth", ""),
        "id_number": idnumber.mask(r["id_number"]) if r.get("id_number") else "",
        "household": r.get("household", ""),
        "head": bool(r.get("head")),
        "group": r.get("group", ""),
        "note": r.get("note", ""),
        "memberships": [
            {
                "role": m["role"],
                "since": m["since"],
                "until": m.get("until", ""),
                "detail": m.get("detail", ""),
                "ended_on": m.get("ended_on", ""),
            }
            for m in r.get("memberships") or []
        ],
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


def notice(r: dict[str, Any]) -> NoticeJson:
    out: NoticeJson = {
        **_common(r),
        "case": r.get("case", ""),
        "matter_id": r.get("matter_id", ""),
        "step": r.get("step", ""),
        "title": r["title"],
        "content": r.get("content", ""),
        "place": r.get("place", ""),
        "posted_on": r["posted_on"],
        "entered_on": r.get("entered_on", ""),
        "backdated": bool(r.get("backdated")),
        "rule": r.get("rule", ""),
        "earliest_end": r.get("earliest_end", ""),
        "estimated": bool(r.get("estimated")),
        "entries": [
            {
                "name": e["name"],
                "id_number": idnumber.mask(e["id_number"]) if e.get("id_number") else "",
                "household": str(e.get("household", "")),
                "amount": str(e.get("amount", "")),
                "note": e.get("note", ""),
            }
            for e in r.get("entries", [])
        ],
        "objections": [
            {
                "received": o["received"],
                "from": o["from"],
                "content": o["content"],
                "handling": o.get("handling", ""),
                "upheld": o.get("upheld"),
                "late": bool(o.get("late")),
                "by": who_did(o),
            }
            for o in r.get("objections", [])
        ],
        "result": r.get("result", ""),
        "closed_on": r.get("closed_on", ""),
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


def seal(r: dict[str, Any]) -> SealJson:
    basis = r.get("basis") or {}
    out: SealJson = {
        **_common(r),
        "seal": r["seal"],
        "date": r["date"],
        "document": r["document"],
        "copies": r["copies"],
        "purpose": r["purpose"],
        "approver": r["approver"],
        "keeper": r["keeper"],
        "basis": {"kind": basis.get("kind", ""), "meeting": basis.get("meeting", ""), "text": basis.get("text", "")},
        "irregular": r.get("irregular", ""),
        "case": r.get("case", ""),
        "step": r.get("step", ""),
        "registered_by": r.get("operator", ""),
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


def opinion(r: dict[str, Any]) -> OpinionJson:
    out: OpinionJson = {
        "number": r["number"],
        "village": r["village"],
        "kind": r["kind"],
        "target": r.get("target", ""),
        "target_kind": r.get("target_kind", ""),
        "step": r.get("step", ""),
        "finding": r.get("finding", ""),
        "text": r["text"],
        "date": r["date"],
        "by": r.get("by", ""),
        "role": r.get("role", ""),
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


def rectification(r: dict[str, Any], today: dt.date) -> RectificationJson:
    from store.rectifications import STATES, overdue

    def stamp(entry: dict[str, Any], key: str) -> dict[str, str]:
        return {"at": entry["at"], "by": entry.get("by_name", ""), key: entry[key]} if entry else {}

    out: RectificationJson = {
        **_common(r),
        "source": r["source"],
        "source_key": r.get("source_key", ""),
        "target": r.get("target", ""),
        "problem": r["problem"],
        "measure": r["measure"],
        "responsible": r["responsible"],
        "deadline": r["deadline"],
        "state": r["state"],
        "state_label": STATES[r["state"]],
        "overdue": overdue(r, today),
        "progress": [{"at": p["at"], "by": p.get("by_name", ""), "text": p["text"]} for p in r.get("progress", [])],
        "done": stamp(r.get("done") or {}, "evidence"),
        "closed": stamp(r.get("closed") or {}, "note"),
    }
    return idnumber.mask_in_data(out)  # type: ignore[no-any-return]


BY_KIND = {"meeting": meeting, "notice": notice, "seal": seal, "opinion": opinion, "person": person}


def of(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The shape of a record of ``kind`` (a case's is built with its matter: ``tui.cli_case``)."""
    return dict(BY_KIND[kind](record))
