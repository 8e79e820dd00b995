"""Meetings (会议记录): attendance, agenda, votes with the quorum arithmetic, and the
draft → confirmed → locked life of the minutes.

Every vote is evaluated by the rule of the meeting's kind (``procedures.meetings``) when
it is saved; the result and its arithmetic are stored with it, and a decision that
fails the rule is recorded as 未通过 — it cannot be recorded as passed. A locked minute
is never edited again: it only gets appended corrections, each journaled.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from procedures.meetings import ItemFacts, MeetingKind, evaluate, missing_before_confirm, resolution_conflict, rule_for
from store.db import Store
from store.errors import BadInput, Refused
from store.identity import Operator
from store.records import RecordBook, parse_time
from store.sanitize import LONG, sanitize

STATES = {"draft": "草稿", "confirmed": "已确认", "locked": "已锁定"}
METHODS = ("举手", "无记名")
ROSTER, TYPED = "roster", "typed"
"""Where a meeting's 应到 and 实到 come from: the roster and the marks, or typed counts (no
roster for the kind, or nobody in it that day)."""

Expected = Callable[[MeetingKind, bool, dt.date], Sequence[Mapping[str, Any]] | None]
"""(kind, by households, day) → the people a meeting expects, from the village's roster (None:
no roster for it)."""


def kind_of(text: str) -> MeetingKind:
    try:
        return MeetingKind(text.strip())
    except ValueError:
        raise BadInput(f"会议类别“{text}”无效，应为：{'、'.join(k.value for k in MeetingKind)}") from None


def _count(value: Any, what: str) -> int:
    from store import codec  # the record rules: on a save, not at start-up

    return codec.count(value, what)


def _names(values: Any, what: str) -> list[str]:
    return [sanitize(v, what, limit=40, required=True) for v in values or []]


def _pairs(values: Any, what: str, second: str) -> list[dict[str, str]]:
    """Items typed as ``姓名:内容`` (or already as dicts)."""
    out = []
    for value in values or []:
        if isinstance(value, dict):
            name, rest = value.get("name", ""), value.get(second, "")
        else:
            name, _, rest = str(value).partition(":") if ":" in str(value) else str(value).partition("：")
        out.append({"name": sanitize(name, what, limit=40, required=True), second: sanitize(rest, what, limit=500)})
    return out


def _roll(people: Sequence[Mapping[str, Any]], before: Any, marks: Any, others: str | None) -> list[dict[str, str]]:
    """The attendance of a meeting that takes its 应到 from the roster: one row per person
    expected (``people``), keeping the marks of ``before`` (the roll as saved) for the people
    still expected, then the new ``marks`` (``{"who": 姓名 or 名册编号, "mark": …, "note": …}``),
    then ``others`` for everyone still unmarked."""
    from procedures import roster as roster_rules  # with a roll only: not at start-up

    kept = {str(r["person"]): r for r in before or [] if isinstance(r, Mapping)}
    roll = []
    for person in people:
        row = kept.get(str(person["number"]))
        roll.append(
            {
                "person": str(person["number"]),
                "name": str(person["name"]),
                "mark": str(row["mark"]) if row else "",
                "note": str(row.get("note") or "") if row else "",
            }
        )
    marked: set[str] = set()
    for raw in marks or []:
        who = unicodedata.normalize("NFKC", str(raw.get("who") or "")).strip()
        found = [r for r in roll if who in (r["person"], r["name"])]
        if not found:
            raise BadInput(
                f"“{who}”不在这次会议的应到名单中（按会议当天的名册）：请核对姓名，或先在名册中登记。未做任何改动。"
            )
        if len(found) > 1:
            numbers = "、".join(r["person"] for r in found)
            raise BadInput(f"应到名单中有 {len(found)} 人叫“{who}”，请改用名册编号（{numbers}）。未做任何改动。")
        try:
            mark = roster_rules.mark_of(str(raw.get("mark") or ""))
        except ValueError as exc:
            raise BadInput(f"{who}：{exc}。未做任何改动。") from None
        if found[0]["person"] in marked:
            raise BadInput(f"{who}登记了两次出席情况：每人只写一行。未做任何改动。")
        marked.add(found[0]["person"])
        found[0]["mark"] = mark.value
        found[0]["note"] = sanitize(raw.get("note"), f"{who}的{mark.value}说明", limit=500)
    if others:
        try:
            rest = roster_rules.mark_of(others)
        except ValueError as exc:
            raise BadInput(f"{exc}。未做任何改动。") from None
        for row in roll:
            if not row["mark"]:
                row["mark"] = rest.value
    return roll


def build(
    fields: dict[str, Any],
    today: dt.date,
    expected_from: Expected | None = None,
    typed_now: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Check a meeting's fields and compute every vote; BadInput says what is wrong.
    ``expected_from``: the village's roster; a kind it has people for takes 应到 and 实到 from
    them and the marks, and typed counts are refused — those typed in this change (``typed_now``:
    the fields given now, None for all): a draft counted by hand before the roster was entered
    takes the roster's people when it is next changed, to be marked one by one."""
    from procedures import roster as roster_rules  # with a roll only: not at start-up

    kind = kind_of(str(fields.get("kind", "")))
    start = fields.get("start")
    start_dt = start if isinstance(start, dt.datetime) else parse_time(str(start or ""), "会议开始时间")
    end = fields.get("end")
    end_dt = (
        end if isinstance(end, dt.datetime) or end is None else (parse_time(str(end), "会议结束时间") if end else None)
    )
    if end_dt is not None and end_dt < start_dt:
        raise BadInput("会议结束时间早于开始时间")
    by_household = bool(fields.get("by_household", False))
    people = expected_from(kind, by_household, start_dt.date()) if expected_from is not None else None
    proxies = 0
    roll: list[dict[str, str]] = []
    if people is not None:
        given = typed_now if typed_now is not None else frozenset(fields)
        pairs = (("expected", "应到人数"), ("present", "实到人数"), ("absent", "缺席人员"), ("written", "书面意见"))
        typed = [w for k, w in pairs if fields.get(k) and k in given]
        if typed:
            raise BadInput(
                f"本村名册中有这次{kind.value}的应到人员（{len(people)} 人），{'、'.join(typed)}由名册和每人的出席登记得出，"
                "不能手填：请逐人登记出席、缺席（原因）、书面意见或委托。未做任何改动。"
            )
        roll = _roll(people, fields.get("roll"), fields.get("marks"), fields.get("others"))
        problem = roster_rules.check_marks(kind, roll)
        if problem:
            raise BadInput(f"{problem}。未做任何改动。")
        counted = roster_rules.tally(roll)
        expected, present, proxies = counted.expected, counted.present, counted.proxies
        absent, written = list(counted.absent), list(counted.written)
    else:
        if fields.get("marks") or fields.get("others"):
            raise BadInput(
                f"本村名册中没有这次{kind.value}的应到人员（会议当天），不能逐人登记出席："
                "请先在名册中登记，或直接填写应到、实到人数。未做任何改动。"
            )
        # 应到 0 means "not entered yet" (a draft made when a case step was done); votes need it.
        expected = _count(fields.get("expected") or 0, "应到人数")
        present = _count(fields.get("present") or 0, "实到人数")
        if present > expected:
            raise BadInput(f"实到 {present} 人多于应到 {expected} 人")
        absent = _pairs(fields.get("absent"), "缺席人员", "reason")
        if len(absent) > expected - present:
            raise BadInput(f"缺席人员 {len(absent)} 人多于应到减实到（{expected - present} 人）")
        written = _pairs(fields.get("written"), "书面意见", "opinion")
    rule = rule_for(kind, by_household)
    items = []
    for index, raw in enumerate(fields.get("items") or [], start=1):
        item = dict(raw) if isinstance(raw, dict) else {"title": raw}
        title = sanitize(item.get("title"), f"第{index}项议题", limit=200, required=True)
        speeches = _pairs(item.get("speeches"), f"第{index}项发言", "summary")
        out: dict[str, Any] = {"title": title, "speeches": speeches, "vote": None, "passed": None, "arithmetic": ""}
        out["resolution"] = sanitize(item.get("resolution"), f"第{index}项决议", limit=LONG, multiline=True)
        vote = item.get("vote")
        if vote and expected == 0:
            raise BadInput(f"第{index}项表决：请先登记应到、实到人数")
        if vote:
            method = str(vote.get("method", "举手"))
            if method not in METHODS:
                raise BadInput(f"第{index}项表决方式“{method}”无效，应为：举手、无记名")
            counts = {
                k: _count(vote.get(k, 0), f"第{index}项{w}")
                for k, w in (
                    ("ayes", "赞成票数"),
                    ("nays", "反对票数"),
                    ("abstain", "弃权票数"),
                    ("written_ayes", "书面赞成票数"),
                    ("written_nays", "书面反对票数"),
                )
            }
            written_votes = counts["written_ayes"] + counts["written_nays"]
            if written_votes and not rule.written_opinions_count:
                raise BadInput(f"第{index}项表决：{kind.value}不计书面意见票（只有支部党员大会计入）")
            if written_votes > expected - present - proxies:
                raise BadInput(
                    f"第{index}项表决：书面意见 {written_votes} 票多于缺席人数 {expected - present - proxies}"
                )
            if roll and written_votes > len(written):
                raise BadInput(f"第{index}项表决：书面意见 {written_votes} 票多于登记为“书面意见”的 {len(written)} 人")
            cast = counts["ayes"] + counts["nays"] + counts["abstain"]
            if cast > present + proxies:
                by = f"实到 {present} 人" + (f"加委托 {proxies} 人" if proxies else "")
                raise BadInput(f"第{index}项表决：赞成、反对、弃权共 {cast} 票，多于{by}")
            try:
                result = evaluate(
                    rule,
                    expected,
                    present,
                    counts["ayes"] + counts["written_ayes"],
                    counts["nays"] + counts["written_nays"],
                    counts["abstain"],
                    proxies,
                )
            except ValueError as exc:
                raise BadInput(f"第{index}项表决：{exc}") from None
            arithmetic = result.arithmetic
            if written_votes:
                arithmetic = arithmetic.replace("赞成", f"赞成（含书面意见 {counts['written_ayes']}）", 1)
            out.update(vote={"method": method, **counts}, passed=result.passed, arithmetic=arithmetic)
        conflict = resolution_conflict(index, out["resolution"], out["passed"])
        if conflict:
            raise BadInput(conflict)
        items.append(out)
    if start_dt.date() > today and _held(present, absent, written, items, end_dt):
        raise BadInput(
            f"会议开始时间 {start_dt:%Y-%m-%d %H:%M} 晚于今天：会前只能登记会议安排"
            "（类别、名称、时间、地点、主持人、记录人、应到人数、议题），实到、缺席、发言、表决和决议在会后登记"
        )
    return {
        "kind": kind.value,
        "title": sanitize(fields.get("title"), "会议名称", limit=200, required=True),
        "start": start_dt.isoformat(timespec="minutes"),
        "end": end_dt.isoformat(timespec="minutes") if end_dt else "",
        "place": sanitize(fields.get("place"), "会议地点", limit=100),
        "host": sanitize(fields.get("host"), "主持人", limit=40),
        "recorder": sanitize(fields.get("recorder"), "记录人", limit=40),
        "expected": expected,
        "present": present,
        "by_household": by_household,
        "absent": absent,
        "attendees": _names(fields.get("attendees"), "列席人员"),
        "written": written,
        "items": items,
        "rule": rule.basis + ("；" + roster_rules.PROXY_BASIS if proxies else ""),
        "roll": roll,
        "counts_from": ROSTER if people is not None else TYPED,
    }


def _held(present: int, absent: list[Any], written: list[Any], items: list[dict[str, Any]], end: object) -> bool:
    """Whether the fields say what only a held meeting can say (a planned one — its blank
    minutes printed ahead — has its arrangements only)."""
    said = any(i["vote"] or i["speeches"] or i["resolution"] for i in items)
    return bool(present or absent or written or end or said)


def planned(record: dict[str, Any], today: dt.date) -> bool:
    """A meeting registered ahead of its day (``build`` allows only its arrangements then)."""
    return dt.datetime.fromisoformat(str(record["start"])).date() > today


def counts_source(record: Mapping[str, Any]) -> str:
    """（按名册逐人登记） / （本村名册中没有……，应到、实到人数为手工填写） / "" (a kind no roster covers)."""
    from procedures import roster as roster_rules  # with a roll only: not at start-up

    if record.get("roll"):
        return "（应到按会议当天的名册，实到按逐人登记）"
    try:
        roles = roster_rules.expected_roles(MeetingKind(record["kind"]), bool(record.get("by_household")))
    except ValueError:
        return ""
    if not roles:
        return ""
    who = "十八周岁以上的村民" if len(roles) == len(roster_rules.Role) else "、".join(r.value for r in roles)
    return f"（本村名册中没有{who}，应到、实到人数为手工填写）"


def present_names(record: Mapping[str, Any]) -> list[str]:
    """The people marked 出席 (a meeting that takes its 应到 from the roster)."""
    from procedures import roster as roster_rules  # with a roll only: not at start-up

    return [str(r["name"]) for r in record.get("roll") or [] if r["mark"] == roster_rules.Mark.PRESENT.value]


class Meetings:
    """Meeting records of a store."""

    def __init__(self, store: Store, expected_from: Callable[[str], Expected] | None = None):
        self.store = store
        self.book = RecordBook(store, "meeting", "meetings", "HY", "会议记录")
        self.expected_from = expected_from
        """village → its roster's ``Expected`` (``store.roster.Roster.expected``)."""

    def _expected(self, village: str) -> Expected | None:
        return self.expected_from(village) if self.expected_from is not None else None

    def get(self, number: str) -> dict[str, Any]:
        return self.book.get(number)

    def find(self, village: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        found = self.book.in_village(village)
        if kind:
            found = [m for m in found if m["kind"] == kind_of(kind).value]
        return sorted(found, key=lambda m: (m["start"], m["number"]))

    def new(
        self,
        operator: Operator,
        now: dt.datetime,
        village: str,
        fields: dict[str, Any],
        link: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """Record a meeting (as a draft); ``link`` is the (case number, step id) that produced it."""
        body = build(fields, now.date(), self._expected(village))
        body.update(state="draft", corrections=[], case=link[0] if link else "", step=link[1] if link else "")
        year = dt.datetime.fromisoformat(body["start"]).year
        with self.store.transaction(operator, now) as txn:
            return self.book.insert(txn, village, year, body, "meeting.new", {"kind": body["kind"]})

    def edit(
        self, operator: Operator, now: dt.datetime, number: str, expected_rev: int, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Change a draft (a confirmed or locked minute cannot be edited)."""
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            if record["state"] != "draft":
                raise Refused(
                    f"会议记录 {record['number']} {STATES[record['state']]}，不能再修改；锁定后可追加更正说明"
                )
            merged = {
                k: record[k]
                for k in (
                    "kind",
                    "title",
                    "start",
                    "end",
                    "place",
                    "host",
                    "recorder",
                    "expected",
                    "present",
                    "by_household",
                    "absent",
                    "attendees",
                    "written",
                    "items",
                )
            }
            merged["roll"] = record.get("roll") or []
            given = {k: v for k, v in fields.items() if v is not None}
            if merged["roll"]:
                # Counted from the roster until now: its counts and lists were the marks', not typed,
                # and a day the roster does not cover asks for them to be typed.
                for key in ("expected", "present", "absent", "written"):
                    merged.pop(key)
            merged.update(given)
            record.update(build(merged, now.date(), self._expected(str(record["village"])), frozenset(given)))
            self.book.save(txn, record, "meeting.edit")
            return record

    def confirm(
        self, operator: Operator, now: dt.datetime, number: str, expected_rev: int | None = None
    ) -> dict[str, Any]:
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            if record["state"] != "draft":
                raise Refused(f"会议记录 {record['number']} 已是“{STATES[record['state']]}”状态")
            if planned(record, now.date()):
                raise Refused(f"会议记录 {record['number']} 的会议还没有召开（{record['start'][:10]}），会后才能确认")
            missing = missing_before_confirm(
                kind_of(record["kind"]),
                record["host"],
                record["recorder"],
                record["expected"],
                record["present"],
                [ItemFacts(bool(i["vote"]), i["resolution"]) for i in record["items"]],
            )
            from procedures import roster as roster_rules

            unmarked = roster_rules.tally(record.get("roll") or []).unmarked
            if unmarked:
                shown = "、".join(unmarked[:5]) + (f"等 {len(unmarked)} 人" if len(unmarked) > 5 else "")
                missing.append(f"出席登记（{shown}未登记出席情况）")
            if missing:
                raise Refused(
                    f"会议记录 {record['number']} 还不能确认，请先补填：{'、'.join(missing)}。"
                    "草稿可以先保存，补齐后再确认"
                )
            record.update(
                state="confirmed",
                confirmed_at=now.isoformat(timespec="seconds"),
                confirmed_by=txn.operator.account,
                confirmed_by_name=txn.operator.stamp()["by_name"],
            )
            self.book.save(txn, record, "meeting.confirm")
            return record

    def lock(
        self, operator: Operator, now: dt.datetime, number: str, expected_rev: int | None = None
    ) -> dict[str, Any]:
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            if record["state"] != "confirmed":
                raise Refused(f"只有已确认的会议记录才能锁定（{record['number']} 现为“{STATES[record['state']]}”）")
            record.update(
                state="locked",
                locked_at=now.isoformat(timespec="seconds"),
                locked_by=txn.operator.account,
                locked_by_name=txn.operator.stamp()["by_name"],
            )
            self.book.save(txn, record, "meeting.lock")
            return record

    def correct(self, operator: Operator, now: dt.datetime, number: str, text: str) -> dict[str, Any]:
        """Append a correction to a locked minute (the minute itself stays as it was)."""
        body = sanitize(text, "更正说明", limit=LONG, required=True, multiline=True)
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, None)
            if record["state"] != "locked":
                raise Refused(f"会议记录 {record['number']} 尚未锁定，请直接修改草稿或先确认并锁定")
            record["corrections"] = [
                *record["corrections"],
                {"at": now.isoformat(timespec="seconds"), **txn.operator.stamp(), "text": body},
            ]
            self.book.save(txn, record, "meeting.correct", {"correction": len(record["corrections"])})
            return record
