"""Rosters (名册): the people of a village and the memberships each holds, dated, and who a
meeting of each kind expects on its day; the attendance marks of a meeting and what they add
up to. Pure: no storage, no clock.

A person is one entry (姓名, 性别, 出生日期, 身份证号, 户号, 户主, 村民小组) with the memberships
they hold, each from ``since`` to ``until`` (both days included: a member who left on
2026-03-10 may still have sat in a meeting that morning; "" for still held) and, once ended,
``ended_on``: the day the ending was entered. A meeting on a
day counts the people holding a matching membership that day, so a meeting in March uses
March's roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, Union

from procedures.meetings import PARTY_KINDS, MeetingKind

if TYPE_CHECKING:
    from procedures.views import PersonView, RollView


class Role(StrEnum):
    """The memberships a roster records."""

    VILLAGER = "村民"
    """本村村民 (村民会议 by adults counts those 18 or older on its day)."""
    HOUSEHOLD_REP = "户代表"
    REPRESENTATIVE = "村民代表"
    ACTIVIST = "入党积极分子"
    CANDIDATE = "发展对象"
    PROBATIONARY = "预备党员"
    FULL_MEMBER = "正式党员"
    PARTY_GROUP = "党小组"
    BRANCH_COMMITTEE = "支委会委员"
    VILLAGE_COMMITTEE = "村委会委员"
    SUPERVISOR = "村务监督委员会委员"


PARTY_STATUS = (Role.ACTIVIST, Role.CANDIDATE, Role.PROBATIONARY, Role.FULL_MEMBER)
"""One person holds at most one of these on a day (积极分子 → 发展对象 → 预备党员 → 正式党员)."""
TWO_COMMITTEES = frozenset({Role.BRANCH_COMMITTEE, Role.VILLAGE_COMMITTEE})
"""村"两委"：党支部委员会和村民委员会."""
DETAIL_WORD: dict[Role, str] = {
    Role.PARTY_GROUP: "党小组名称",
    Role.BRANCH_COMMITTEE: "职务",
    Role.VILLAGE_COMMITTEE: "职务",
    Role.SUPERVISOR: "职务",
    Role.REPRESENTATIVE: "所代表的户或村民小组",
}
"""What the detail of a membership says, for the roles that have one."""
ADULT_AGE = 18

_EXPECTED: dict[MeetingKind, tuple[Role, ...]] = {
    MeetingKind.BRANCH_ASSEMBLY: (Role.FULL_MEMBER,),
    MeetingKind.BRANCH_COMMITTEE: (Role.BRANCH_COMMITTEE,),
    MeetingKind.JOINT_MEETING: (Role.BRANCH_COMMITTEE, Role.VILLAGE_COMMITTEE),
    MeetingKind.REPRESENTATIVES: (Role.VILLAGE_COMMITTEE, Role.REPRESENTATIVE),
    MeetingKind.SUPERVISORS: (Role.SUPERVISOR,),
    MeetingKind.PARTY_LECTURE: (Role.FULL_MEMBER, Role.PROBATIONARY),
    MeetingKind.PARTY_DAY: (Role.FULL_MEMBER, Role.PROBATIONARY),
    MeetingKind.LIFE_MEETING: (Role.FULL_MEMBER, Role.PROBATIONARY),
    MeetingKind.MEMBER_REVIEW: (Role.FULL_MEMBER, Role.PROBATIONARY),
}
"""Who each kind of meeting expects (应到). 支部党员大会: the 正式党员, who have a vote (《中国共产党
支部工作条例（试行）》第十一条; 预备党员 have none); 村民代表会议: 村民委员会成员和村民代表
(《村民委员会组织法》第二十五条); 村民会议: see ``expected_roles``. 党小组会 and 其他会议 have no
roster of their own: their counts are typed."""

EXPECTED_BASIS: dict[MeetingKind, str] = {
    MeetingKind.BRANCH_ASSEMBLY: "有表决权的正式党员（《中国共产党支部工作条例（试行）》第十一条）",
    MeetingKind.REPRESENTATIVES: "村民委员会成员和村民代表（《中华人民共和国村民委员会组织法》第二十五条）",
    MeetingKind.VILLAGERS: "本村十八周岁以上村民（《中华人民共和国村民委员会组织法》第二十二条）",
}


def expected_roles(kind: MeetingKind, by_household: bool) -> tuple[Role, ...]:
    """The memberships whose holders a meeting of ``kind`` expects (empty: no roster for it).
    村民会议: the 户代表 when it is counted by households, else everyone on the village's roster
    that day (a 户代表, a 党员 or a 村委会委员 is a 村民 too), 18 or older."""
    if kind is MeetingKind.VILLAGERS:
        return (Role.HOUSEHOLD_REP,) if by_household else tuple(Role)
    return _EXPECTED.get(kind, ())


def role_of(text: str) -> Role:
    """A role as typed; ValueError names the choices."""
    try:
        return Role(text.strip())
    except ValueError:
        raise ValueError(f"身份“{text}”无效，应为：{'、'.join(r.value for r in Role)}") from None


@dataclass(frozen=True, slots=True)
class Membership:
    role: Role
    since: dt.date
    until: dt.date | None
    """The last day held (None: still held)."""
    detail: str = ""

    def on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)

    def label(self) -> str:
        """E.g. "支委会委员（书记）2021-03-01 起" or "村民代表 2018-01-01 至 2026-03-10"."""
        head = f"{self.role.value}（{self.detail}）" if self.detail else self.role.value
        if self.until is None:
            return f"{head} {self.since.isoformat()} 起"
        return f"{head} {self.since.isoformat()} 至 {self.until.isoformat()}"


Person = Union["PersonView", Mapping[str, Any]]
"""A person as the roster's view (``procedures.views.PersonView``) or as stored."""
Row = Union["RollView", Mapping[str, Any]]
"""A row of a meeting's attendance as its view or as stored."""


def person_view(person: Person) -> PersonView:
    from procedures.views import PersonView  # views import this module's types

    return person if isinstance(person, PersonView) else PersonView.from_record(person)


def _rows(roll: Iterable[Row]) -> list[RollView]:
    from procedures.views import RollView

    return [r if isinstance(r, RollView) else RollView.from_record(r) for r in roll]


def memberships(person: Person) -> list[Membership]:
    return list(person_view(person).memberships)


def holds(person: Person, role: Role, day: dt.date) -> Membership | None:
    """The membership of ``role`` the person held on ``day``, or None."""
    for member in person_view(person).memberships:
        if member.role is role and member.on(day):
            return member
    return None


def roles_on(person: Person, day: dt.date) -> list[Membership]:
    return [m for m in person_view(person).memberships if m.on(day)]


def adult_on(person: Person, day: dt.date) -> bool:
    """18 or older on ``day``; a person whose birth date is not recorded is counted as an adult
    (a larger 应到 makes the quorum harder to reach, never easier)."""
    born = person_view(person).birth
    if born is None:
        return True
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years >= ADULT_AGE


P = TypeVar("P", bound="PersonView | Mapping[str, Any]")


def expected(people: Iterable[P], kind: MeetingKind, by_household: bool, day: dt.date) -> list[P]:
    """The people a meeting of ``kind`` on ``day`` expects, in roster order (by number)."""
    roles = expected_roles(kind, by_household)
    if not roles:
        return []
    out = []
    for person in people:
        view = person_view(person)
        if not any(holds(view, role, day) for role in roles):
            continue
        if kind is MeetingKind.VILLAGERS and not by_household and not adult_on(view, day):
            continue
        out.append((sort_key(view.number), person))
    return [person for _key, person in sorted(out, key=lambda pair: pair[0])]


def sort_key(number: str) -> tuple[int, int]:
    """Roster order: by year, then by sequence (城关村-2026-RY0012)."""
    _village, year, tail = number.rsplit("-", 2)
    return int(year), int(tail.lstrip("RY") or 0)


def check_memberships(items: Sequence[Membership], name: str) -> str | None:
    """Why a person's memberships cannot all be true (None: they can): a membership that ends
    before it starts, the same membership twice at once, two party statuses on one day."""
    for m in items:
        if m.until is not None and m.until < m.since:
            return f"{name}的“{m.role.value}”终止日期 {m.until} 早于起始日期 {m.since}"
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if not _overlap(a, b):
                continue
            if a.role is b.role and a.detail == b.detail:
                return f"{name}的“{a.role.value}”有两段时间重叠（{a.label()}；{b.label()}）"
            if a.role in PARTY_STATUS and b.role in PARTY_STATUS:
                return (
                    f"{name}同一时间既是{a.role.value}又是{b.role.value}（{a.label()}；{b.label()}）："
                    f"请先给前一身份写上终止日期"
                )
    return None


def _overlap(a: Membership, b: Membership) -> bool:
    a_end = a.until or dt.date.max
    b_end = b.until or dt.date.max
    return a.since <= b_end and b.since <= a_end


# ---------------------------------------------------------------- attendance marks


class Mark(StrEnum):
    """How a person expected at a meeting is marked."""

    UNMARKED = ""
    PRESENT = "出席"
    ABSENT = "缺席"
    WRITTEN = "书面意见"
    """Absent, with a written opinion (counted as a vote only where the rule allows it)."""
    PROXY = "委托"
    """Absent, having entrusted a person present to vote on their behalf."""


PROXY_BASIS = (
    "委托表决：法律未作规定，按本村章程登记；到会人数只计本人出席者，受托人代投的票计入表决，表决基数相应计入委托人数"
)
ONE_PROXY = "一名到会人员只能受一人委托（本系统的规定，防止一人代多人表决；本村章程另有规定的，请告知管理员）"
NO_PARTY_PROXY = (
    "党组织的会议不能委托他人代为表决（党员的表决权由本人行使）；缺席的党员可以提交书面意见"
    "（《中国共产党发展党员工作细则》第二十一条）"
)


def mark_of(text: str) -> Mark:
    clean = text.strip()
    aliases = {"到": Mark.PRESENT, "到会": Mark.PRESENT, "未到": Mark.ABSENT, "书面": Mark.WRITTEN}
    if clean in aliases:
        return aliases[clean]
    try:
        mark = Mark(clean)
    except ValueError:
        mark = Mark.UNMARKED
    if mark is Mark.UNMARKED:
        raise ValueError(f"出席情况“{text}”无效，应为：出席、缺席、书面意见、委托")
    return mark


@dataclass(frozen=True, slots=True)
class Tally:
    """What a meeting's marks add up to."""

    expected: int
    present: int
    proxies: int
    unmarked: tuple[str, ...]
    absent: tuple[dict[str, str], ...]
    """缺席 and 委托 (reason "委托某某代为表决"), as the minutes list them."""
    written: tuple[dict[str, str], ...]


def tally(roll: Iterable[Row]) -> Tally:
    """``roll``: the rows of a meeting's attendance (``name``, ``mark``, ``note``)."""
    rows = _rows(roll)
    absent: list[dict[str, str]] = []
    written: list[dict[str, str]] = []
    for row in rows:
        mark = Mark(row.mark)
        if mark is Mark.ABSENT:
            absent.append({"name": row.name, "reason": row.note})
        elif mark is Mark.PROXY:
            absent.append({"name": row.name, "reason": f"委托{row.note}代为表决"})
        elif mark is Mark.WRITTEN:
            written.append({"name": row.name, "opinion": row.note})
    return Tally(
        expected=len(rows),
        present=sum(Mark(r.mark) is Mark.PRESENT for r in rows),
        proxies=sum(Mark(r.mark) is Mark.PROXY for r in rows),
        unmarked=tuple(r.name for r in rows if Mark(r.mark) is Mark.UNMARKED),
        absent=tuple(absent),
        written=tuple(written),
    )


def check_marks(kind: MeetingKind, roll: Iterable[Row]) -> str | None:
    """Why the marks cannot stand (None: they can): a 委托 at a Party meeting, a proxy who is
    not marked present at the same meeting, a proxy for themselves, one present holding several."""
    rows = _rows(roll)
    present = {r.name for r in rows if Mark(r.mark) is Mark.PRESENT}
    for row in rows:
        if Mark(row.mark) is not Mark.PROXY:
            continue
        if kind in PARTY_KINDS:
            return f"{row.name}：{NO_PARTY_PROXY}"
        if not row.note:
            return f"{row.name}委托表决，但没有写受托人：写成 姓名:委托:受托人姓名"
        if row.note == row.name:
            return f"{row.name}不能委托自己"
        if row.note not in present:
            return f"{row.name}委托{row.note}代为表决，但{row.note}不在本次会议的出席名单中：受托人须是到会的应到人员"
    trusted = [r.note for r in rows if Mark(r.mark) is Mark.PROXY]
    twice = sorted({n for n in trusted if trusted.count(n) > 1})
    if twice:
        return f"{'、'.join(twice)}受了不止一人的委托：{ONE_PROXY}"
    return None
