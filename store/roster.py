"""The rosters (名册) of the villages: one journaled record per person, numbered like every
record (``城关村-2026-RY0001``, the year it was entered) and kept in that year's data file of
its village, with the memberships the person holds, dated (``procedures.roster``).

The people of a village are read from the overviews of its data files (``store.overview``:
everything but the ID number), so a meeting form or the 名册 screen does not parse the cases.
ID numbers are optional, checked when entered, and never leave the store unmasked
(``store.shapes.person``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from procedures import idnumber
from procedures import roster as rules
from procedures.meetings import MeetingKind
from store import codec
from store.db import Store, Transaction
from store.errors import BadInput, Refused
from store.identity import Operator
from store.overview import PERSON_TABLE
from store.records import RecordBook, parse_date
from store.sanitize import sanitize

NOTHING = "未做任何改动。"
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
GENDERS = ("男", "女")
PERSON_FIELDS = ("name", "gender", "birth", "id_number", "household", "head", "group", "note")
"""What a person's entry holds besides the memberships."""


def person_fields(fields: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """A person's own fields as typed, checked and as stored; BadInput names what is wrong."""
    # "张 三丰" typed with a space (or a tab pasted from Excel) is 张三丰: spaces between Chinese
    # characters are dropped, so that one person is not entered twice.
    name = _CJK_GAP.sub("", sanitize(fields.get("name"), "姓名", limit=40, required=True))
    if name.startswith(("=", "+", "-", "@")):
        raise BadInput(f"姓名“{name[:20]}”不是人名：不能以 = + - @ 开头（表格会把它当作公式）。{NOTHING}")
    gender = sanitize(fields.get("gender"), f"{name}的性别", limit=4)
    if gender not in ("", *GENDERS):
        raise BadInput(f"{name}的性别“{gender}”无效，应为 男 或 女（可以不填）。{NOTHING}")
    birth_text = sanitize(fields.get("birth"), f"{name}的出生日期", limit=20)
    birth = parse_date(birth_text, f"{name}的出生日期").isoformat() if birth_text else ""
    if birth and not codec.BORN_FROM <= dt.date.fromisoformat(birth) <= today:
        raise BadInput(f"{name}的出生日期 {birth} 不在 {codec.BORN_FROM} 到今天之间，请检查年份。{NOTHING}")
    id_text = sanitize(fields.get("id_number"), f"{name}的身份证号", limit=30)
    id_number = ""
    if id_text:
        try:
            id_number = idnumber.validate(id_text, today)
        except idnumber.InvalidId as exc:
            raise BadInput(f"{name}的身份证号：{exc}。{NOTHING}") from None
    if id_number and birth and id_number[6:14] != birth.replace("-", ""):
        raise BadInput(f"{name}的出生日期 {birth} 与身份证号中的出生日期不一致，请核对。{NOTHING}")
    if id_number and not birth:
        birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    head = fields.get("head", False)
    if isinstance(head, str):
        head = _yes(head, f"{name}的“户主”")
    return {
        "name": name,
        "gender": gender,
        "birth": birth,
        "id_number": id_number,
        "household": unicodedata.normalize("NFKC", sanitize(fields.get("household"), f"{name}的户号", limit=20)),
        "head": bool(head),
        "group": sanitize(fields.get("group"), f"{name}的村民小组", limit=40),
        "note": sanitize(fields.get("note"), f"{name}的备注", limit=500, multiline=True),
    }


def _yes(text: str, what: str) -> bool:
    clean = unicodedata.normalize("NFKC", text).strip()
    if clean in ("是", "Y", "y", "1", "√", "✓"):
        return True
    if clean in ("", "否", "N", "n", "0"):
        return False
    raise BadInput(f"{what}应填“是”或“否”（或不填），不是“{text}”。{NOTHING}")


def membership_fields(raw: Mapping[str, Any], name: str) -> dict[str, str]:
    """One membership as typed (role, since, until, detail), as stored."""
    try:
        role = rules.role_of(str(raw.get("role") or ""))
    except ValueError as exc:
        raise BadInput(f"{name}：{exc}。{NOTHING}") from None
    since = parse_date(str(raw.get("since") or ""), f"{name}的“{role.value}”起始日期")
    until_text = str(raw.get("until") or "").strip()
    until = parse_date(until_text, f"{name}的“{role.value}”终止日期") if until_text else None
    detail = sanitize(raw.get("detail"), f"{name}的“{role.value}”{rules.DETAIL_WORD.get(role, '说明')}", limit=100)
    return {
        "role": role.value,
        "since": since.isoformat(),
        "until": until.isoformat() if until else "",
        "detail": detail,
    }


def check_person(person: Mapping[str, Any], today: dt.date) -> None:
    """Refuse (BadInput) memberships that cannot all be true, or dated ahead of a year from now."""
    name = str(person["name"])
    items = rules.memberships(person)
    limit = today.replace(year=today.year + 1) if (today.month, today.day) != (2, 29) else today
    for m in items:
        for day, word in ((m.since, "起始"), (m.until, "终止")):
            if day is not None and not codec.JOINED_FROM <= day <= limit:
                raise BadInput(f"{name}的“{m.role.value}”{word}日期 {day} 不合理，请检查年份。{NOTHING}")
    problem = rules.check_memberships(items, name)
    if problem:
        raise BadInput(f"{problem}。{NOTHING}")


def _ended_on(before: list[dict[str, Any]], after: list[dict[str, str]], today: dt.date) -> list[dict[str, str]]:
    """``after`` with the day each ending was entered (``ended_on``): kept from ``before`` for an
    ending already there, today for a new or changed one, so that a member ended with a last day
    before a meeting, but only entered after it (应到 lowered after the fact), can be seen."""
    known = {(m["role"], m["since"], m["detail"], m.get("until", "")): m.get("ended_on", "") for m in before}
    out = []
    for m in after:
        if m["until"]:
            m = {**m, "ended_on": known.get((m["role"], m["since"], m["detail"], m["until"])) or today.isoformat()}
        out.append(m)
    return out


class Roster:
    """The people of every village's roster."""

    def __init__(self, store: Store, book: RecordBook | None = None):
        self.store = store
        self.book = book if book is not None else RecordBook(store, "person", PERSON_TABLE, "RY", "名册人员")

    # ---------------------------------------------------------------- reading

    def get(self, number: str) -> dict[str, Any]:
        return self.book.get(number)

    def people(self, village: str) -> list[dict[str, Any]]:
        """Every person of ``village``'s roster (without ID numbers), in roster order; read from
        the overviews of its data files."""
        out: list[dict[str, Any]] = []
        for partition in self.store.visible_partitions(village):
            found = self.store.overview_for(partition)
            out += ({"number": n, "village": village, **e} for n, e in found["people"].items())
        return sorted(out, key=lambda p: rules.sort_key(p["number"]))

    def records(self, village: str) -> list[dict[str, Any]]:
        """Every person of ``village`` as stored (ID numbers included: for checks, never shown)."""
        return sorted(self.book.in_village(village), key=lambda p: rules.sort_key(p["number"]))

    def expected(
        self, village: str, kind: MeetingKind, by_household: bool, day: dt.date
    ) -> list[dict[str, Any]] | None:
        """Who a meeting of ``kind`` in ``village`` on ``day`` expects, from the roster; None when
        the kind has no roster or nobody in the roster holds its memberships that day (its 应到
        and 实到 are then typed)."""
        if not rules.expected_roles(kind, by_household) or not self.store.visible(village):
            return None  # a village outside the viewer's: the save refuses it for what it is
        found = rules.expected(self.people(village), kind, by_household, day)
        return found or None

    # ---------------------------------------------------------------- writing

    def add(self, operator: Operator, now: dt.datetime, village: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Enter a person (with ``fields["memberships"]``)."""
        with self.store.transaction(operator, now) as txn:
            return self.add_in(txn, village, fields)

    def add_in(self, txn: Transaction, village: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``add`` inside a transaction (an import adds many in one)."""
        body = person_fields(fields, txn.now.date())
        body["memberships"] = [membership_fields(m, body["name"]) for m in fields.get("memberships") or []]
        check_person(body, txn.now.date())
        self._not_twice(village, body, None)
        return self.book.insert(txn, village, txn.now.year, body, "person.new", {"name": body["name"]})

    def _not_twice(self, village: str, body: Mapping[str, Any], number: str | None) -> None:
        """The same ID number, or the same name in the same household, is one person."""
        for other in self.records(village):
            if other["number"] == number:
                continue
            same_id = body["id_number"] and other.get("id_number") == body["id_number"]
            same_home = body["household"] and (other["name"], other.get("household")) == (
                body["name"],
                body["household"],
            )
            if same_id and other["name"] != body["name"]:
                raise BadInput(
                    f"{body['name']}的身份证号与名册中的{other['name']}（{other['number']}）相同：请核对号码；"
                    f"是同一人的，请修改那一条，不要再登记一次。{NOTHING}"
                )
            if same_id or same_home:
                why = "身份证号相同" if same_id else f"户号 {body['household']} 中已有同名的人"
                raise BadInput(
                    f"{body['name']}已在名册中（{other['number']}，{why}）：请修改那一条，不要再登记一次。{NOTHING}"
                )

    def edit(
        self, operator: Operator, now: dt.datetime, number: str, expected_rev: int | None, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Change a person's fields (those given) and, with ``fields["memberships"]``, replace
        the memberships; a person is never deleted (``leave`` ends a membership)."""
        with self.store.transaction(operator, now) as txn:
            return self.edit_in(txn, number, expected_rev, fields)

    def edit_in(
        self, txn: Transaction, number: str, expected_rev: int | None, fields: Mapping[str, Any]
    ) -> dict[str, Any]:
        record = self.book.for_update(number, expected_rev)
        merged = {k: record.get(k, "") for k in PERSON_FIELDS}
        merged.update({k: v for k, v in fields.items() if k in PERSON_FIELDS and v is not None})
        body = person_fields(merged, txn.now.date())
        if fields.get("memberships") is not None:
            body["memberships"] = _ended_on(
                record.get("memberships") or [],
                [membership_fields(m, body["name"]) for m in fields["memberships"]],
                txn.now.date(),
            )
        else:
            body["memberships"] = record.get("memberships") or []
        check_person(body, txn.now.date())
        self._not_twice(str(record["village"]), body, str(record["number"]))
        changed = [k for k in (*PERSON_FIELDS, "memberships") if record.get(k) != body[k]]
        if not changed:
            raise BadInput(f"{record['name']}（{record['number']}）没有需要修改的内容。{NOTHING}")
        record.update(body)
        self.book.save(txn, record, "person.edit", {"fields": changed})
        return record

    def join(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        expected_rev: int | None,
        membership: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Add a membership to a person (a 预备党员 becoming 正式: end the one, add the other)."""
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            added = membership_fields(membership, str(record["name"]))
            record["memberships"] = [*(record.get("memberships") or []), added]
            check_person(record, now.date())
            self.book.save(txn, record, "person.join", {"role": added["role"], "since": added["since"]})
            return record

    def leave(
        self,
        operator: Operator,
        now: dt.datetime,
        number: str,
        expected_rev: int | None,
        role: str,
        until: str,
        detail: str | None = None,
    ) -> dict[str, Any]:
        """End the person's membership of ``role`` still held (``until``: the last day held)."""
        with self.store.transaction(operator, now) as txn:
            record = self.book.for_update(number, expected_rev)
            name = str(record["name"])
            try:
                wanted = rules.role_of(role)
            except ValueError as exc:
                raise BadInput(f"{exc}。{NOTHING}") from None
            last = parse_date(until, f"{name}的“{wanted.value}”终止日期")
            open_ones = [
                m
                for m in record.get("memberships") or []
                if m["role"] == wanted.value and not m["until"] and (detail is None or m["detail"] == detail)
            ]
            if not open_ones:
                raise Refused(f"{name}（{record['number']}）现在没有“{wanted.value}”身份，无需终止。{NOTHING}")
            if len(open_ones) > 1:
                raise BadInput(
                    f"{name}有 {len(open_ones)} 个“{wanted.value}”身份，请说明终止哪一个"
                    f"（{'、'.join(m['detail'] or '无说明' for m in open_ones)}）。{NOTHING}"
                )
            open_ones[0].update(until=last.isoformat(), ended_on=now.date().isoformat())
            check_person(record, now.date())
            self.book.save(txn, record, "person.leave", {"role": wanted.value, "until": last.isoformat()})
            return record
