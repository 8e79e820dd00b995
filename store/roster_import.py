"""Importing a roster from a filled-in template (``exports.roster_xlsx``): every row checked
(row number, column, what is wrong, in Chinese), the rows merged into people, the people
matched with those already in the roster, and the whole file written in one transaction, or
nothing at all.

- One row per membership (a row with neither 身份 nor dates: the person only): rows with the same 姓名 and 身份证号, or the same 姓名 and 户号, are
  one person. Rows with neither are one person per name (refused when the same name has an ID
  number or 户号 on another row: which person is meant cannot be told).
- A person already in the roster (the same ID number, or the same name in the same 户号) gets
  the memberships not already there, and what the roster leaves blank (an ID number added
  later); a membership of the file that ends one still held in the roster ends it. A value
  that differs from the roster is refused, never overwritten: an import adds, a person's
  entry is corrected where it is kept.
- An ID number masked as an export masks it (140431********0021) identifies a person already
  in the roster with that number; it is never stored.
- Importing the same file again changes nothing, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procedures import idnumber
from procedures import roster as rules
from store import roles
from store.errors import BadInput
from store.records import parse_date
from store.roster import NOTHING, check_person, membership_fields, person_fields

if TYPE_CHECKING:
    from store.identity import Operator
    from store.site import Site

NEW, MORE, SAME = "new", "more", "same"

# The template's columns (``exports.roster_xlsx`` writes and reads them).
NUMBER, NAME, GENDER, BIRTH, ID_NUMBER, HOUSEHOLD, HEAD, GROUP = (
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "户号",
    "户主",
    "村民小组",
)
ROLE, DETAIL, SINCE, UNTIL, NOTE, ERRORS = "身份", "职务/党小组/所代表的户", "起始日期", "终止日期", "备注", "错误说明"
FIELDS = (NUMBER, NAME, GENDER, BIRTH, ID_NUMBER, HOUSEHOLD, HEAD, GROUP, ROLE, DETAIL, SINCE, UNTIL, NOTE)
"""The template's columns, in order (by the short name a row's values are keyed by)."""
HEADERS = {NAME: "姓名*", HEAD: "户主(是/否)", ROLE: "身份*", SINCE: "起始日期*"}
"""A column's heading where it differs from its short name (* marks what must be filled)."""
REQUIRED = (NAME, ROLE, SINCE)
DATES = (BIRTH, SINCE, UNTIL)


PERSON_COLUMNS = (
    (GENDER, "gender"),
    (BIRTH, "birth"),
    (ID_NUMBER, "id_number"),
    (HOUSEHOLD, "household"),
    (HEAD, "head"),
    (GROUP, "group"),
    (NOTE, "note"),
)
COLUMN_OF = {key: column for column, key in PERSON_COLUMNS}


def heading(name: str) -> str:
    return HEADERS.get(name, name)


@dataclass(slots=True)
class Row:
    """One filled-in row of an import, its values as text (dates as ISO dates)."""

    line: int
    """The row number the spreadsheet (or the CSV file's line) shows."""
    values: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(column, what is wrong) found while reading the cell (an ID number in a number cell)."""


@dataclass(frozen=True, slots=True)
class Sheet:
    rows: list[Row]
    kind: str
    """What was read, for the report: "Excel 文件", "CSV 文件（UTF-8 编码）" …"""


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    line: int
    column: str
    what: str

    def text(self) -> str:
        return f"第 {self.line} 行，{self.column}：{self.what}"


@dataclass(slots=True)
class _Entry:
    """One checked row: the person's fields it gives and its membership."""

    line: int
    name: str
    typed: dict[str, Any]
    """The person's fields the row fills in (checked, as stored)."""
    masked: str
    """An ID number masked as an export masks it ("" when none)."""
    membership: dict[str, str] | None


@dataclass(slots=True)
class Change:
    """What the import does to one person."""

    kind: str
    """NEW, MORE (memberships or blank fields added) or SAME (nothing to add)."""
    name: str
    lines: list[int]
    fields: dict[str, Any] = field(default_factory=dict)
    """NEW: the person's fields and memberships; MORE: what ``Roster.edit_in`` is given."""
    number: str = ""
    rev: int | None = None
    added: int = 0
    """Memberships added (or ended) for this person."""


@dataclass(slots=True)
class Plan:
    village: str
    kind: str
    """What was read ("Excel 文件", "CSV 文件（UTF-8 编码）" …)."""
    rows: list[Row]
    problems: list[Problem]
    changes: list[Change]

    @property
    def new(self) -> int:
        return sum(c.kind == NEW for c in self.changes)

    @property
    def new_memberships(self) -> int:
        return sum(c.added for c in self.changes if c.kind == NEW)

    @property
    def added(self) -> int:
        return sum(c.added for c in self.changes if c.kind == MORE)

    @property
    def completed(self) -> int:
        """People already in the roster given only blank fields (an ID number) by the file."""
        return sum(c.kind == MORE and not c.added for c in self.changes)

    @property
    def same(self) -> int:
        return sum(c.kind == SAME for c in self.changes)

    @property
    def writes(self) -> bool:
        return not self.problems and any(c.kind != SAME for c in self.changes)

    def by_line(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for p in sorted(self.problems):
            out.setdefault(p.line, []).append(f"{p.column}：{p.what}")
        return out

    def summary(self) -> str:
        """新增 N 人，补充身份 M 条，未变 K 人 (and the people given only a blank field)."""
        text = f"新增 {self.new} 人（{self.new_memberships} 个身份），补充身份 {self.added} 条，未变 {self.same} 人"
        if self.completed:
            text += f"，补充个人信息 {self.completed} 人"
        return text


def _said(exc: BadInput) -> str:
    return str(exc).removesuffix(NOTHING).rstrip("。")


def _check_row(row: Row, today: dt.date, problems: list[Problem]) -> _Entry | None:
    """One row checked field by field, each problem named by its column."""
    found = [Problem(row.line, column, what) for column, what in row.problems]
    values = row.values
    name_text = values.get(NAME, "")
    if not name_text:
        problems += [*found, Problem(row.line, NAME, "姓名不能为空")]
        return None
    try:
        name = str(person_fields({"name": name_text}, today)["name"])
    except BadInput as exc:
        problems += [*found, Problem(row.line, NAME, _said(exc))]
        return None
    typed: dict[str, Any] = {}
    masked = ""
    failed = {column for column, _ in row.problems}
    for column, key in PERSON_COLUMNS:
        text = values.get(column, "")
        if not text or column in failed:
            continue
        if key == "id_number" and "*" in text:
            masked = idnumber.normalize(text)
            continue
        try:
            typed[key] = person_fields({"name": name, key: text}, today)[key]
        except BadInput as exc:
            found.append(Problem(row.line, column, _said(exc)))
    if typed.get("birth") and typed.get("id_number"):
        try:
            person_fields({"name": name, "birth": typed["birth"], "id_number": typed["id_number"]}, today)
        except BadInput as exc:
            found.append(Problem(row.line, BIRTH, _said(exc)))
    membership = _check_membership(row, name, found)
    problems += found
    if found:
        return None
    return _Entry(row.line, name, typed, masked, membership)


def _check_membership(row: Row, name: str, found: list[Problem]) -> dict[str, str] | None:
    values, line = row.values, row.line
    failed = {column for column, _ in row.problems}
    role = values.get(ROLE, "")
    if not any(values.get(c) for c in (ROLE, SINCE, UNTIL, DETAIL)) and not failed & {SINCE, UNTIL}:
        return None  # the person only (an export's row of a person who holds no membership)
    ok = True
    if not role:
        found.append(Problem(line, ROLE, f"身份不能为空：从下拉列表中选择（{'、'.join(r.value for r in rules.Role)}）"))
        ok = False
    else:
        try:
            rules.role_of(role)
        except ValueError as exc:
            found.append(Problem(line, ROLE, str(exc)))
            ok = False
    for column, required in ((SINCE, True), (UNTIL, False)):
        text = values.get(column, "")
        if column in failed:
            ok = False
        elif not text:
            if required:
                found.append(Problem(line, column, "不能为空：写取得这一身份的日期，如 2026-01-05"))
                ok = False
        else:
            try:
                parse_date(text, "")
            except BadInput as exc:
                found.append(Problem(line, column, _said(exc)))
                ok = False
    if not ok:
        return None
    raw = {
        "role": role,
        "since": values.get(SINCE, ""),
        "until": values.get(UNTIL, ""),
        "detail": values.get(DETAIL, ""),
    }
    try:
        return membership_fields(raw, name)
    except BadInput as exc:
        found.append(Problem(line, DETAIL, _said(exc)))
        return None


def _groups(entries: Sequence[_Entry], problems: list[Problem]) -> list[list[_Entry]]:
    """The rows of one person together: the same name with the same ID number or 户号; rows
    with neither, by name."""
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, ...], int] = {}
    for i, e in enumerate(entries):
        keys: list[tuple[str, ...]] = []
        if e.typed.get("id_number"):
            keys.append(("id", e.name, e.typed["id_number"]))
        if e.typed.get("household"):
            keys.append(("home", e.name, e.typed["household"]))
        if e.masked:
            keys.append(("masked", e.name, e.masked))
        if not keys:
            keys.append(("bare", e.name))
        for key in keys:
            if key in first:
                parent[root(i)] = root(first[key])
            else:
                first[key] = i
    named: dict[str, int] = {}
    for key, i in first.items():
        if key[0] != "bare":
            named.setdefault(key[1], entries[i].line)
    for key in first:
        if key[0] == "bare" and key[1] in named:
            for e in entries:
                if e.name == key[1] and not e.typed.get("id_number") and not e.typed.get("household") and not e.masked:
                    problems.append(
                        Problem(
                            e.line,
                            NAME,
                            f"第 {named[key[1]]} 行的{key[1]}填有身份证号或户号，这一行没有：请填上，以确定是不是同一人",
                        )
                    )
    owners: dict[str, tuple[str, int]] = {}
    for e in entries:
        number = e.typed.get("id_number")
        if not number:
            continue
        if number in owners and owners[number][0] != e.name:
            problems.append(
                Problem(
                    e.line, ID_NUMBER, f"与第 {owners[number][1]} 行（{owners[number][0]}）的身份证号相同，姓名却不同"
                )
            )
        owners.setdefault(number, (e.name, e.line))
    out: dict[int, list[_Entry]] = {}
    for i, e in enumerate(entries):
        out.setdefault(root(i), []).append(e)
    return list(out.values())


def _merge(group: Sequence[_Entry], problems: list[Problem]) -> dict[str, Any] | None:
    """The person's fields from their rows: a field filled in on several rows must agree."""
    merged: dict[str, Any] = {"name": group[0].name}
    where: dict[str, int] = {}
    ok = True
    for e in group:
        for key, value in e.typed.items():
            if key not in merged:
                merged[key], where[key] = value, e.line
            elif merged[key] != value:
                shown = "（不同）" if key == "id_number" else f"（“{_shown(merged[key])}”与“{_shown(value)}”）"
                problems.append(
                    Problem(e.line, COLUMN_OF[key], f"与第 {where[key]} 行（同一人）的{COLUMN_OF[key]}不一致{shown}")
                )
                ok = False
    masks = {e.masked for e in group if e.masked}
    if len(masks) > 1:
        problems.append(Problem(group[-1].line, ID_NUMBER, "同一人的几行身份证号不同"))
        ok = False
    return merged if ok else None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in ("role", "since", "until", "detail"))


class _Existing:
    """The village's roster as stored (ID numbers included), looked up the ways a row names a person."""

    def __init__(self, records: Sequence[Mapping[str, Any]]):
        self.records = records
        self.by_id = {str(r["id_number"]): r for r in records if r.get("id_number")}
        self.by_home = {(str(r["name"]), str(r["household"])): r for r in records if r.get("household")}

    def match(
        self, person: Mapping[str, Any], masked: str, line: int, problems: list[Problem]
    ) -> Mapping[str, Any] | None:
        name = str(person["name"])
        found: Mapping[str, Any] | None = None
        number = str(person.get("id_number") or "")
        home = str(person.get("household") or "")
        if number and number in self.by_id:
            found = self.by_id[number]
            if found["name"] != name:
                problems.append(
                    Problem(
                        line,
                        ID_NUMBER,
                        f"名册中身份证号相同的人是{found['name']}（{found['number']}），姓名不同：请核对",
                    )
                )
                return None
        if found is None and home:
            found = self.by_home.get((name, home))
        if found is None and masked:
            same = [
                r
                for r in self.records
                if r["name"] == name and r.get("id_number") and idnumber.mask(r["id_number"]) == masked
            ]
            if len(same) == 1:
                found = same[0]
        if found is None and not number and not home and not masked:
            same = [r for r in self.records if r["name"] == name]
            bare = [r for r in same if not r.get("id_number") and not r.get("household")]
            if len(bare) == 1:
                found = bare[0]
            elif same:
                listed = "、".join(f"{r['number']}（户号 {r.get('household') or '未填'}）" for r in same)
                problems.append(
                    Problem(line, NAME, f"名册中已有叫{name}的人：{listed}。请填写户号或身份证号，以确定是不是同一人")
                )
                return None
        if masked and (found is None or idnumber.mask(str(found.get("id_number") or "")) != masked):
            problems.append(
                Problem(
                    line,
                    ID_NUMBER,
                    "身份证号中间几位已隐去（从导出的名册复制的），名册中没有这样的人：请填写完整的身份证号，或不填",
                )
            )
            return None
        if found is not None and number and found.get("id_number") and found["id_number"] != number:
            problems.append(
                Problem(line, ID_NUMBER, f"名册中户号 {home} 的{name}（{found['number']}）身份证号不同：请核对")
            )
            return None
        return found


def check(village: str, kind: str, rows: Sequence[Row], existing: Sequence[Mapping[str, Any]], today: dt.date) -> Plan:
    """What importing ``rows`` into ``village`` (whose roster is ``existing``, as stored) would do,
    and every problem found, each named by its row and column. Writes nothing."""
    problems: list[Problem] = []
    entries = [e for row in rows if (e := _check_row(row, today, problems)) is not None]
    changes: list[Change] = []
    roster = _Existing(existing)
    for group in _groups(entries, problems):
        if any(p.line in {e.line for e in group} for p in problems):
            continue
        person = _merge(group, problems)
        if person is None:
            continue
        masked = next((e.masked for e in group if e.masked), "")
        lines = [e.line for e in group]
        found = roster.match(person, masked, lines[0], problems)
        if any(p.line in lines for p in problems):
            continue
        items = _unique(group, problems)
        if items is None:
            continue
        if found is None:
            change = _new(person, items, lines, today, problems)
        else:
            change = _more(found, group, person, items, today, problems)
        if change is not None:
            changes.append(change)
    return Plan(village, kind, list(rows), sorted(set(problems)), changes)


def _unique(group: Sequence[_Entry], problems: list[Problem]) -> list[tuple[int, dict[str, str]]] | None:
    items: list[tuple[int, dict[str, str]]] = []
    for e in group:
        if e.membership is None:
            continue
        twin = next((line for line, m in items if _same(m, e.membership)), None)
        if twin is not None:
            problems.append(Problem(e.line, ROLE, f"与第 {twin} 行重复（同一人、同一身份、同样的日期）"))
            return None
        items.append((e.line, e.membership))
    return items


def _new(
    person: Mapping[str, Any],
    items: Sequence[tuple[int, dict[str, str]]],
    lines: list[int],
    today: dt.date,
    problems: list[Problem],
) -> Change | None:
    try:
        body = person_fields(person, today)
        body["memberships"] = [m for _, m in items]
        check_person(body, today)
    except BadInput as exc:
        problems.append(Problem(lines[0], ROLE if "memberships" in body else BIRTH, _said(exc)))
        return None
    return Change(NEW, str(person["name"]), lines, body, added=len(items))


def _more(
    found: Mapping[str, Any],
    group: Sequence[_Entry],
    person: Mapping[str, Any],
    items: Sequence[tuple[int, dict[str, str]]],
    today: dt.date,
    problems: list[Problem],
) -> Change | None:
    """A person already in the roster: the memberships and blank fields the file adds."""
    first = group[0].line
    filled: dict[str, Any] = {}
    for key, value in person.items():
        if key == "name":
            continue
        stored = found.get(key)
        if stored in ("", None, False):
            if value not in ("", None, False):
                filled[key] = value
        elif stored != value:
            line = next(e.line for e in group if key in e.typed)
            shown = "" if key == "id_number" else f"（名册中为“{_shown(stored)}”）"
            problems.append(
                Problem(
                    line,
                    COLUMN_OF[key],
                    f"与名册中的{found['name']}（{found['number']}）不一致{shown}：导入只补充，不修改；如需修改，请在名册中修改此人",
                )
            )
            return None
    memberships = [dict(m) for m in found.get("memberships") or []]
    added = 0
    touched: list[int] = []
    for line, m in items:
        if any(_same(m, old) for old in memberships):
            continue
        open_one = next(
            (
                old
                for old in memberships
                if (old["role"], old["since"], old.get("detail", "")) == (m["role"], m["since"], m["detail"])
                and not old.get("until")
            ),
            None,
        )
        if open_one is not None and m["until"]:
            open_one["until"] = m["until"]
        else:
            memberships.append(m)
        added += 1
        touched.append(line)
    if not added and not filled:
        return Change(SAME, str(found["name"]), [e.line for e in group], number=str(found["number"]))
    if filled:  # an ID number added to a stored birth date must agree with it
        try:
            person_fields({**{k: found.get(k, "") for k in COLUMN_OF}, "name": found["name"], **filled}, today)
        except BadInput as exc:
            line = next(e.line for e in group if set(filled) & set(e.typed))
            problems.append(Problem(line, ID_NUMBER if "id_number" in filled else BIRTH, _said(exc)))
            return None
    try:
        check_person({"name": found["name"], "memberships": memberships}, today)
    except BadInput as exc:
        problems.append(Problem(touched[0] if touched else first, ROLE, _said(exc)))
        return None
    fields: dict[str, Any] = {**filled}
    if added:
        fields["memberships"] = memberships
    return Change(
        MORE,
        str(found["name"]),
        [e.line for e in group],
        fields,
        number=str(found["number"]),
        rev=int(found["rev"]),
        added=added,
    )


def prepare(site: Site, village: str, sheet: Sheet, today: dt.date) -> Plan:
    """``check`` against ``village``'s roster as stored, refused first (nothing read) when the
    operator may not change that village's roster (another village's 村干部, 监委会)."""
    name = site.cases.village(village)
    roles.check(site.operator, "person.new", name)
    return check(name, sheet.kind, sheet.rows, site.roster.records(name), today)


def apply(site: Site, operator: Operator, now: dt.datetime, plan: Plan) -> list[dict[str, Any]]:
    """Write every change of a plan without problems in one transaction (all or nothing);
    returns the people written."""
    if plan.problems:
        raise BadInput(f"有 {len(plan.problems)} 处错误，整个文件都没有导入。{NOTHING}")
    written: list[dict[str, Any]] = []
    if not plan.writes:
        return written
    with site.store.transaction(operator, now) as txn:
        for change in plan.changes:
            if change.kind == NEW:
                written.append(site.roster.add_in(txn, plan.village, change.fields))
            elif change.kind == MORE:
                written.append(site.roster.edit_in(txn, change.number, change.rev, change.fields))
    return written
