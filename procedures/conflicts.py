"""Conflicts of interest seen in the rosters (名册) and the meetings' attendance: a 村务监督委员会
member who sits on the 村"两委" (or shares a household with someone who does), an applicant for
低保, 特困, a subsidy or a homestead in a cadre's household, a person present at two meetings at
once or at a meeting after leaving the roster that made them expected, a meeting whose 应到 left
out someone whose leaving was entered only after it, and two meetings with one attendance list.

Each check reads the views of ``procedures.views`` (people, meetings, notices of one village or
many) and yields ``Hit``\\ s: what was seen, in Chinese, naming people by name only (an ID number
is read to match a notice's row to the roster, never written). ``procedures.risks`` makes them
findings (``CONFLICT_CHECKS``). They depend on the records only, not on the day. Pure: no I/O,
no clock.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from procedures.meetings import MeetingKind
from procedures.periods import format_date
from procedures.roster import TWO_COMMITTEES, Mark, Membership, Role, expected_roles
from procedures.views import MeetingView, NoticeView, PersonView

LAW_32 = "《中华人民共和国村民委员会组织法》第三十二条：“村民委员会成员及其近亲属不得担任村务监督机构成员”"
HOUSEHOLD_ONLY = "名册只记户号：同户以外的近亲属（如分户的子女、兄弟姐妹）须人工核实"

APPLICANT_MATTERS: dict[str, str] = {
    "dibao": "救助救灾（城乡低保申请审核和确认）",
    "tekun-wubao": "救助救灾（农村特困人员<五保>申请和审核）",
    "gengdi-butie": "涉农惠农（支持耕地地力保护等相关补贴）",
    "canjiren-butie": "救助救灾（残疾人“两项补贴”申请审核）",
    "zhaijidi-weifang": "农村宅基地手续审核及危房改造申请",
}
"""The matters whose 公示 names applicants for 低保, 特困/五保, 补贴 or 宅基地, by id, with their
titles in the county document (``procedures/matters/*.toml``)."""
CADRE_ROLES = (Role.BRANCH_COMMITTEE, Role.VILLAGE_COMMITTEE, Role.SUPERVISOR)
"""村"两委"成员 and 村务监督委员会成员: whose households' applications are looked at."""

MEETING_HOURS = 1
"""A meeting whose minutes give no end is taken to last this many hours (this system's own)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing a conflict check saw."""

    village: str
    since: dt.date
    text: str
    record: str
    """The person (RY), meeting (HY) or notice (GS) number the finding is about."""
    ongoing: bool = False
    notice: NoticeView | None = None
    """The notice, for a finding on one (its case and step are named with it)."""
    meeting: MeetingView | None = None
    """The meeting, for a finding on one (its case's matter is named with it)."""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _held(m: Membership) -> str:
    """E.g. 村委会委员（主任，2024-01-01 起）."""
    span = f"{m.since.isoformat()} 起" if m.until is None else f"{m.since.isoformat()} 至 {m.until.isoformat()}"
    return f"{m.role.value}（{m.detail}，{span}）" if m.detail else f"{m.role.value}（{span}）"


def _overlap(a: Membership, b: Membership) -> tuple[dt.date, dt.date | None] | None:
    """The days both were held (first, last; None: still both held), or None."""
    first = max(a.since, b.since)
    ends = [d for d in (a.until, b.until) if d is not None]
    last = min(ends) if ends else None
    if last is not None and last < first:
        return None
    return first, last


def households(people: Iterable[PersonView]) -> dict[tuple[str, str], list[PersonView]]:
    """(village, 户号) → the people of that household; people without a 户号 are in none."""
    out: dict[tuple[str, str], list[PersonView]] = {}
    for person in people:
        if person.household:
            out.setdefault((person.village, person.household), []).append(person)
    return out


def _housemates(person: PersonView, homes: Mapping[tuple[str, str], list[PersonView]]) -> list[PersonView]:
    """The person, then the others of their household."""
    others = homes.get((person.village, person.household), []) if person.household else []
    return [person, *(p for p in others if p.number != person.number)]


# --- 1. 监委会成员兼任两委 ---------------------------------------------------------


def supervisor_on_committee(people: Sequence[PersonView]) -> Iterator[Hit]:
    homes = households(people)
    for person in people:
        seats = [m for m in person.memberships if m.role is Role.SUPERVISOR]
        if not seats:
            continue
        parts: list[str] = []
        firsts: list[dt.date] = []
        open_ = False
        for other in _housemates(person, homes):
            for seat in seats:
                for office in (m for m in other.memberships if m.role in TWO_COMMITTEES):
                    both = _overlap(seat, office)
                    if both is None:
                        continue
                    first, last = both
                    firsts.append(first)
                    open_ = open_ or last is None
                    span = f"自{format_date(first)}起" + ("至今" if last is None else f"至{format_date(last)}")
                    who = (
                        "本人"
                        if other is person
                        else f"与其同户（户号 {person.household}）的{other.name}（{other.number}）"
                    )
                    parts.append(f"{who}任{_held(office)}，与其{_held(seat)}{span}重叠")
        if parts:
            yield Hit(
                person.village,
                min(firsts),
                f"村务监督委员会委员{person.name}：" + "；".join(parts) + f"。依据{LAW_32}；{HOUSEHOLD_ONLY}",
                person.number,
                ongoing=open_,
            )


# --- 2. 优亲厚友待核实 -------------------------------------------------------------


def cadre_household_applicant(people: Sequence[PersonView], notices: Sequence[NoticeView]) -> Iterator[Hit]:
    homes = households(people)
    roster = _Index(people)
    for notice in notices:
        day = notice.posted_on
        if notice.matter_id not in APPLICANT_MATTERS or day is None:
            continue
        parts: list[str] = []
        for entry in notice.entries:
            for applicant, how in roster.matches(notice.village, entry.name, entry.id_number):
                for mate in _housemates(applicant, homes):
                    for m in mate.memberships:
                        if m.role not in CADRE_ROLES or not m.on(day):
                            continue
                        whose = (
                            "本人"
                            if mate is applicant
                            else f"同户（户号 {applicant.household}）的{mate.name}（{mate.number}）"
                        )
                        parts.append(
                            f"申请人{entry.name}（{how}名册 {applicant.number}），{whose}在张贴当日任{_held(m)}"
                        )
        if parts:
            yield Hit(
                notice.village,
                day,
                f"{APPLICANT_MATTERS[notice.matter_id]}公示 {notice.number}（{format_date(day)}张贴）："
                + "；".join(parts)
                + "。请核实是否优亲厚友：申请是否符合条件，评议、审核时本人是否回避",
                notice.number,
                notice=notice,
            )


class _Index:
    """The roster people by village and ID number, and by village and name."""

    def __init__(self, people: Iterable[PersonView]):
        self.by_id: dict[tuple[str, str], list[PersonView]] = {}
        self.by_name: dict[tuple[str, str], list[PersonView]] = {}
        for person in people:
            if person.id_number:
                self.by_id.setdefault((person.village, person.id_number), []).append(person)
            self.by_name.setdefault((person.village, _fold(person.name)), []).append(person)

    def matches(self, village: str, name: str, id_number: str) -> Iterator[tuple[PersonView, str]]:
        """The people a notice's row names: by ID number when both have one, else by name."""
        if id_number:
            yield from ((p, "按身份证号对应") for p in self.by_id.get((village, id_number), []))
        wanted = _fold(name)
        if not wanted:
            return
        for person in self.by_name.get((village, wanted), []):
            if not (id_number and person.id_number):
                yield person, "按姓名对应，同名者须核实"


# --- 3.–5. 出席登记 ---------------------------------------------------------------


def _present(meeting: MeetingView) -> dict[str, str]:
    """Roster number → name of those marked 出席."""
    return {r.person: r.name for r in meeting.roll if r.mark == Mark.PRESENT.value and r.person}


def _span(meeting: MeetingView) -> tuple[dt.datetime, dt.datetime] | None:
    if meeting.start is None:
        return None
    start = meeting.start.replace(tzinfo=None)
    end = meeting.end.replace(tzinfo=None) if meeting.end is not None else None
    if end is None or end <= start:
        end = start + dt.timedelta(hours=MEETING_HOURS)
    return start, end


def _when(meeting: MeetingView) -> str:
    span = _span(meeting)
    if span is None:
        return ""
    start, end = span
    shown = f"{format_date(start.date())} {start:%H:%M}—{end:%H:%M}"
    if meeting.end is None:
        shown += f"，未填结束时间，按 {MEETING_HOURS} 小时计"
    return shown


def _named(meeting: MeetingView) -> str:
    return f"{meeting.kind}“{meeting.title}”（{meeting.number}，{_when(meeting)}）"


def _ordered(meetings: Iterable[MeetingView]) -> list[MeetingView]:
    return sorted(
        (m for m in meetings if m.start is not None),
        key=lambda m: ((m.start or dt.datetime.min).replace(tzinfo=None), m.number),
    )


def present_twice(meetings: Sequence[MeetingView]) -> Iterator[Hit]:
    """A finding on the later of two meetings (by start) that overlap with someone present at both."""
    running: dict[str, list[tuple[MeetingView, dt.datetime, dict[str, str]]]] = {}
    """By village, the meetings begun so far (with their ends and who was there) not yet over."""
    for meeting in _ordered(meetings):
        span = _span(meeting)
        present = _present(meeting)
        if span is None or not present:
            continue
        start, end = span
        still = running[meeting.village] = [r for r in running.get(meeting.village, []) if r[1] > start]
        parts = []
        for earlier, _, there in still:
            both = [present[p] for p in sorted(present) if p in there]
            if both:
                parts.append(f"{'、'.join(both)}同时登记出席{_named(earlier)}")
        if parts:
            yield Hit(
                meeting.village,
                start.date(),
                f"{_named(meeting)}的出席人员中，"
                + "；".join(parts)
                + "：两个会议时间重叠，请核实是否代签或时间登记有误",
                meeting.number,
                meeting=meeting,
            )
        still.append((meeting, end, present))


def _with_roster(meetings: Sequence[MeetingView]) -> Iterator[tuple[MeetingView, tuple[Role, ...], dt.date]]:
    """Each meeting of a kind the roster covers, in order, with the memberships it expects and its day."""
    for meeting in _ordered(meetings):
        try:
            kind = MeetingKind(meeting.kind)
        except ValueError:
            continue
        roles = expected_roles(kind, meeting.by_household)
        if roles and meeting.start is not None:
            yield meeting, roles, meeting.start.date()


def present_after_leaving(people: Sequence[PersonView], meetings: Sequence[MeetingView]) -> Iterator[Hit]:
    by_number = {p.number: p for p in people}
    for meeting, roles, day in _with_roster(meetings):
        parts = []
        for number, name in _present(meeting).items():
            person = by_number.get(number)
            if person is None:
                continue
            held = [m for m in person.memberships if m.role in roles]
            ended = [m.until for m in held if m.until is not None and m.until < day]
            if held and len(ended) == len(held):
                last = max(held, key=lambda m: m.until or dt.date.max)
                entered = person.ending_entered(last)
                late = f"（名册于{format_date(entered)}才登记此终止，晚于会议）" if entered and entered > day else ""
                parts.append(f"{name}的{_held(last)}已于{format_date(max(ended))}终止{late}")
        if parts:
            yield Hit(
                meeting.village,
                day,
                f"{_named(meeting)}登记为出席，但"
                + "；".join(parts)
                + f"，会议当天已不是{'、'.join(r.value for r in roles)}"
                "（出席名单确认后不随名册更改）：请核实是否代签，或名册的终止日期是否有误",
                meeting.number,
                meeting=meeting,
            )


def left_after_the_fact(people: Sequence[PersonView], meetings: Sequence[MeetingView]) -> Iterator[Hit]:
    """A finding on each meeting counted from the roster that left out a person whose membership
    (one the meeting expects) had ended before the meeting by its last day, but whose ending was
    entered only on or after the meeting's day: 应到 lowered after the fact makes a quorum easier."""
    for meeting, roles, day in _with_roster(meetings):
        if not meeting.roll:
            continue
        listed = {r.person for r in meeting.roll}
        parts = []
        for person in people:
            if person.village != meeting.village or person.number in listed:
                continue
            for held in person.memberships:
                entered = person.ending_entered(held)
                if (
                    held.role in roles
                    and held.until is not None
                    and held.since <= held.until < day
                    and entered is not None
                    and entered >= day
                ):
                    parts.append(
                        f"{person.name}的{_held(held)}终止于{format_date(held.until)}，却在{format_date(entered)}才登记"
                    )
                    break
        if parts:
            yield Hit(
                meeting.village,
                day,
                f"{_named(meeting)}的应到名单不含"
                + "；".join(parts)
                + f"（均在会议当天或之后才登记终止）：应到因此少计 {len(parts)} 人，"
                "请核实终止日期是否属实，有无为凑足法定人数而补记离任",
                meeting.number,
                meeting=meeting,
            )


def same_roll(meetings: Sequence[MeetingView]) -> Iterator[Hit]:
    """A finding on each later meeting whose whole attendance (every person, mark and note) is that
    of an earlier one, when every person is marked and someone is not marked 出席."""
    first_of: dict[tuple[str, tuple[tuple[str, str, str], ...]], MeetingView] = {}
    for meeting in _ordered(meetings):
        rows = meeting.roll
        if not rows or any(not r.mark for r in rows) or all(r.mark == Mark.PRESENT.value for r in rows):
            continue
        key = (meeting.village, tuple(sorted((r.person, r.mark, r.note) for r in rows)))
        earlier = first_of.setdefault(key, meeting)
        if earlier is meeting or meeting.start is None:
            continue
        away = [f"{r.name}{r.mark}" + (f"（{r.note}）" if r.note else "") for r in rows if r.mark != Mark.PRESENT.value]
        present = sum(r.mark == Mark.PRESENT.value for r in rows)
        yield Hit(
            meeting.village,
            meeting.start.date(),
            f"{_named(meeting)}的出席登记与{_named(earlier)}完全相同：应到 {len(rows)} 人，出席 {present} 人，"
            + "、".join(away)
            + "，连缺席的人和原因都一样：请核实是否重复使用签到表（两次会议是否都实际召开）",
            meeting.number,
            meeting=meeting,
        )
