"""One codec for every record the store writes: what each kind may hold, checked before its
journal entry.

``check`` is called by ``RecordBook.insert`` and ``RecordBook.save`` with the record as it is
about to be stored, and refuses (``BadInput``, nothing written, journal included) a date
before 2000 or more than a year after the save, a count that is not an integer from 0 to
100,000 (a bool is not a count), money that is not yuan with two decimals ("500.00"), free
text that ``store.sanitize`` would change (control, bidi and other invisible characters,
full-width letters and digits), and a record number that does not parse or belongs to
another village or year.

It checks what is *written*: a field (or a row of a list) equal to what the record held
before the save is not checked again, so a record stored by an earlier version — whose
digest the journal holds — is read, shown and saved as it is, and nothing stored is ever
rewritten by the codec. The shapes themselves are the ``TypedDict`` classes of
``store.shapes``; the parsers here (``count``, ``money``, ``household``) are what the
entry points use to turn typed input into those values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from store import records as _records
from store.errors import BadInput
from store.sanitize import LONG, SHORT, clean

NOTHING = "未做任何改动。"
FIRST_DAY = dt.date(2000, 1, 1)
BORN_FROM = dt.date(1900, 1, 1)
"""A roster's birth dates start here."""
JOINED_FROM = dt.date(1921, 7, 1)
"""A roster's memberships start here (a Party member's joining day may be decades back)."""
MAX_COUNT = 100_000
"""People, votes, household members: no village has more."""
MAX_MONEY = Decimal("999999999.99")
"""Yuan, below 十亿: no row of a village notice is near it."""
_MONEY_IN = re.compile(r"(?:每(?P<before>[月年]))?[¥]?(\d{1,12})(?:\.(\d{1,2}))?元?(?:/(?P<after>[月年]))?")
_MONEY = re.compile(r"(0|[1-9]\d{0,8})\.\d\d(/[月年])?")
_HOUSEHOLD_IN = re.compile(r"(\d{1,7})[人户口]?")


# ------------------------------------------------------------------- parsers for the entry points


def count(value: object, field: str, *, low: int = 0, high: int = MAX_COUNT) -> int:
    """An integer from ``low`` to ``high`` (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{field}应为整数，请填写 {low} 到 {high} 之间的数。{NOTHING}")
    if not low <= value <= high:
        shown = str(value) if len(str(value)) <= 12 else f"{str(value)[:12]}…"
        raise BadInput(f"{field} {shown} 数值超出范围：应为 {low} 到 {high} 之间的整数，请检查输入。{NOTHING}")
    return value


def money(value: object, field: str) -> str:
    """Yuan as typed (500, 500.5, 500元, ¥500, full-width digits) as stored: "500.00"; "" for none.
    A monthly or yearly amount (500元/月, 每月500元) keeps its period: "500.00/月". No exponent,
    NaN, sign or third decimal: 1.005 would be rounded by someone, so nobody does."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BadInput(f"{field}应为金额，如 500 或 500.00。{NOTHING}")
    text = clean(str(value)).replace(" ", "").replace(",", "")
    match = _MONEY_IN.fullmatch(text)
    if match is None:
        raise BadInput(
            f"{field}“{clean(str(value))[:20]}”不是金额：只写数字，单位为元，最多两位小数，如 500、500.00 或 500元/月；"
            f"其他说明请写在备注里。{NOTHING}"
        )
    if match["before"] and match["after"]:
        raise BadInput(f"{field}“{text[:20]}”写了两次期间：写成 500元/月 即可。{NOTHING}")
    amount = Decimal(f"{match[2]}.{(match[3] or '').ljust(2, '0')}")
    if amount > MAX_MONEY:
        raise BadInput(f"{field} {amount} 元数值超出范围：最多 {MAX_MONEY} 元，请检查输入。{NOTHING}")
    period = match["before"] or match["after"]
    return f"{amount:.2f}" + (f"/{period}" if period else "")


def household(value: object, field: str) -> str:
    """A notice row's 人数 as stored: the number as digits ("3"), "" when not given."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(count(value, field))
    text = clean(str(value)).replace(" ", "") if isinstance(value, str) else ""
    match = _HOUSEHOLD_IN.fullmatch(text)
    if match is None:
        raise BadInput(f"{field}“{text[:20]}”应为人数（整数），如 3。{NOTHING}")
    return str(count(int(match[1]), field))


# ------------------------------------------------------------------------------- field rules


@dataclass(frozen=True, slots=True)
class Text:
    """Free text as ``store.sanitize`` leaves it."""

    label: str
    limit: int = SHORT
    multiline: bool = False


@dataclass(frozen=True, slots=True)
class Day:
    """An ISO date (``2026-11-27``); with ``time``, a date and time (``2026-11-27T09:00``)."""

    label: str
    time: bool = False
    required: bool = False
    """Never blank (a case's opening day, a finished step's days: the flow's time limits count from them)."""
    first: dt.date = FIRST_DAY
    """The earliest day accepted (a birth date, the day a person joined the Party: long before 2000)."""


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    low: int = 0
    high: int = MAX_COUNT


@dataclass(frozen=True, slots=True)
class Money:
    label: str


@dataclass(frozen=True, slots=True)
class Digits:
    """A count kept as text (a notice row's 人数)."""

    label: str


@dataclass(frozen=True, slots=True)
class Ref:
    """The number of a record of the same village ("" for none); ``prefix`` None: any kind."""

    label: str
    prefix: str | None = None


Rule = Text | Day | Count | Money | Digits | Ref

STAMPS: dict[str, Rule] = {"created_at": Day("创建时间", True), "updated_at": Day("修改时间", True)}

SPECS: dict[str, dict[str, Rule]] = {
    "case": {
        "subject": Text("办件事由"),
        "opened_on": Day("立案日期", required=True),
        "current_since": Day("当前步骤开始日期"),
        "progress.note": Text("备注", LONG, True),
        "progress.notice": Ref("公示编号", "GS"),
        "history[].started": Day("第{}步开始日期", required=True),
        "history[].finished": Day("第{}步完成日期", required=True),
        "history[].at": Day("第{}步办理时间", True),
        "history[].outcome": Text("第{}步办理结果", 100),
        "history[].note": Text("第{}步备注", LONG, True),
        "history[].forced_reason": Text("第{}步强制完成理由", LONG, True),
        "history[].records[]": Ref("第{}步关联记录"),
        "progress.records[]": Ref("当前步骤关联记录"),
        "amendments[].at": Day("第{}条更正记录的时间", True),
        "amendments[].reason": Text("第{}条更正记录的理由", LONG, True),
        "amendments[].old": Text("第{}条更正记录的原事由"),
        "amendments[].new": Text("第{}条更正记录的新事由"),
        "amendments[].notice": Ref("第{}条更正记录中止的公示", "GS"),
    },
    "meeting": {
        "title": Text("会议名称"),
        "start": Day("会议开始时间", True),
        "end": Day("会议结束时间", True),
        "place": Text("会议地点", 100),
        "host": Text("主持人", 40),
        "recorder": Text("记录人", 40),
        "expected": Count("应到人数"),
        "present": Count("实到人数"),
        "absent[].name": Text("第{}名缺席人员", 40),
        "absent[].reason": Text("第{}名缺席人员的原因", 500),
        "attendees[]": Text("第{}名列席人员", 40),
        "written[].name": Text("第{}份书面意见的姓名", 40),
        "written[].opinion": Text("第{}份书面意见", 500),
        "items[].title": Text("第{}项议题"),
        "items[].resolution": Text("第{}项决议", LONG, True),
        "items[].speeches[].name": Text("第{}项议题第{}条发言人", 40),
        "items[].speeches[].summary": Text("第{}项议题第{}条发言", 500),
        **{
            f"items[].vote.{key}": Count(f"第{{}}项{word}")
            for key, word in (
                ("ayes", "赞成票数"),
                ("nays", "反对票数"),
                ("abstain", "弃权票数"),
                ("written_ayes", "书面赞成票数"),
                ("written_nays", "书面反对票数"),
            )
        },
        "roll[].person": Ref("第{}名应到人员的名册编号", "RY"),
        "roll[].name": Text("第{}名应到人员", 40),
        "roll[].mark": Text("第{}名应到人员的出席情况", 10),
        "roll[].note": Text("第{}名应到人员的说明", 500),
        "corrections[].at": Day("第{}条更正的时间", True),
        "corrections[].text": Text("第{}条更正说明", LONG, True),
        "confirmed_at": Day("确认时间", True),
        "locked_at": Day("锁定时间", True),
        "case": Ref("关联办件", ""),
    },
    "notice": {
        "case": Ref("办件编号", ""),
        "title": Text("公示标题"),
        "content": Text("公示内容", LONG, True),
        "place": Text("张贴地点", 100),
        "posted_on": Day("张贴日期"),
        "entered_on": Day("登记日期"),
        "earliest_end": Day("公示期最早结束日期"),
        "closed_on": Day("公示结束日期"),
        "stopped_reason": Text("公示中止的理由", LONG, True),
        "entries[].name": Text("公示第{}行姓名", 40),
        "entries[].household": Digits("公示第{}行人数"),
        "entries[].amount": Money("公示第{}行金额"),
        "entries[].note": Text("公示第{}行备注"),
        "objections[].received": Day("第{}条异议的收到日期"),
        "objections[].from": Text("第{}条异议的异议人", 40),
        "objections[].content": Text("第{}条异议的内容", LONG, True),
        "objections[].handling": Text("第{}条异议的处理情况", LONG, True),
    },
    "seal": {
        "date": Day("用印日期"),
        "document": Text("用印文件"),
        "copies": Count("用印份数", 1, 10_000),
        "purpose": Text("用途"),
        "approver": Text("批准人", 40),
        "keeper": Text("印章保管人", 40),
        "irregular": Text("情况说明", 500, True),
        "basis.meeting": Ref("用印依据的会议记录", "HY"),
        "case": Ref("关联办件", ""),
    },
    "person": {
        "name": Text("姓名", 40),
        "gender": Text("性别", 4),
        "birth": Day("出生日期", first=BORN_FROM),
        "id_number": Text("身份证号", 18),
        "household": Text("户号", 20),
        "group": Text("村民小组", 40),
        "note": Text("备注", 500, True),
        "memberships[].role": Text("第{}个身份", 20),
        "memberships[].since": Day("第{}个身份的起始日期", required=True, first=JOINED_FROM),
        "memberships[].until": Day("第{}个身份的终止日期", first=JOINED_FROM),
        "memberships[].ended_on": Day("第{}个身份终止的登记日期"),
        "memberships[].detail": Text("第{}个身份的说明", 100),
    },
    "rectification": {
        "problem": Text("问题", LONG, True),
        "measure": Text("整改措施", LONG, True),
        "responsible": Text("责任人", 40),
        "person": Ref("责任人的名册编号", "RY"),
        "deadline": Day("整改期限", required=True),
        "progress[].at": Day("第{}条整改进展的时间", True),
        "progress[].text": Text("第{}条整改进展", LONG, True),
        "done.at": Day("整改完成的时间", True),
        "done.evidence": Text("整改完成的佐证", LONG, True),
        "closed.at": Day("销号的时间", True),
        "closed.note": Text("销号意见", LONG, True),
    },
    "opinion": {
        "target": Ref("审核意见针对的编号"),
        "finding": Text("风险提示"),
        "text": Text("审核意见", LONG, True),
        "date": Day("审核意见日期"),
    },
}
"""Per kind, the fields checked when written: ``a.b`` a nested field, ``a[]`` each row of a list."""

PREFIXES = {
    "case": "",
    "meeting": "HY",
    "notice": "GS",
    "seal": "YY",
    "opinion": "YJ",
    "person": "RY",
    "rectification": "ZG",
}
WHAT = {
    "case": "办件",
    "meeting": "会议记录",
    "notice": "公示",
    "seal": "用印登记",
    "opinion": "监督意见",
    "person": "名册人员",
    "rectification": "整改事项",
}

_MISSING = object()

Resolve = Callable[[str, str], Mapping[str, Any] | None]
"""(kind, number) → the stored record, or None."""


# ------------------------------------------------------------------------------------ check


def check(
    kind: str, record: Mapping[str, Any], before: Mapping[str, Any] | None, now: dt.datetime, resolve: Resolve
) -> None:
    """Refuse (BadInput) ``record`` of ``kind`` as it is about to be stored, if anything written
    in it is out of bounds; ``before`` is the record as stored until now (None: a new one)."""
    what = WHAT.get(kind, "记录")
    last = _a_year_after(now.date())
    number = _own_number(kind, record, what)
    for path, rule in {**STAMPS, **SPECS.get(kind, {})}.items():
        for indices, value in _written(record, before, path.split(".")):
            _check_value(rule, rule.label.format(*indices), value, record, number.village, last, what)
    if kind == "case":
        _case_dates(record, before, what)
    if kind == "notice" and (before is None or before.get("posted_on") != record.get("posted_on")):
        _posted_after_opening(record, resolve, what)


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _own_number(kind: str, record: Mapping[str, Any], what: str) -> _records.RecordNumber:
    text = record.get("number")
    number = _records.RecordNumber.parse(text if isinstance(text, str) else "", PREFIXES.get(kind, ""), what)
    if str(number) != text or (record.get("village"), record.get("year"), record.get("seq")) != (
        number.village,
        number.year,
        number.seq,
    ):
        raise BadInput(
            f"{what}编号“{text}”与它的村（{record.get('village')}）、年份（{record.get('year')}）不符，"
            f"不能保存。{NOTHING}请把此情况告诉管理员。"
        )
    return number


def _written(
    node: Any, old: Any, parts: list[str], indices: tuple[int, ...] = ()
) -> Iterator[tuple[tuple[int, ...], Any]]:
    """The values at ``parts`` that differ from ``old`` at the same place, with their list
    positions (1-based)."""
    if not parts:
        if node != old:
            yield indices, node
        return
    head, rest = parts[0], parts[1:]
    listed = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(node, Mapping) or key not in node:
        return
    value = node[key]
    before = old.get(key, _MISSING) if isinstance(old, Mapping) else _MISSING
    if value == before:
        return
    if not listed:
        yield from _written(value, before, rest, indices)
        return
    if not isinstance(value, list):
        yield indices, value  # refused by the rule below as not a list of its values
        return
    olds = before if isinstance(before, list) else []
    for i, item in enumerate(value):
        yield from _written(item, olds[i] if i < len(olds) else _MISSING, rest, (*indices, i + 1))


def _check_value(
    rule: Rule, label: str, value: Any, record: Mapping[str, Any], village: str, last: dt.date, what: str
) -> None:
    where = f"{what}的{label}"
    if isinstance(rule, Text):
        if not isinstance(value, str):
            raise BadInput(f"{where}应为文字，不能保存。{NOTHING}")
        if len(value) > rule.limit:
            raise BadInput(f"{where}太长（{len(value)} 字），最多 {rule.limit} 字，请精简后重试。{NOTHING}")
        if clean(value, multiline=rule.multiline) != value:
            raise BadInput(
                f"{where}含控制字符、不可见的方向控制字符、全角字母数字或多余的空白，不能保存；"
                f"请重新输入这段文字。{NOTHING}"
            )
    elif isinstance(rule, Day):
        _check_day(rule, where, value, last)
    elif isinstance(rule, Count):
        count(value, where, low=rule.low, high=rule.high)
    elif isinstance(rule, Money):
        if value != "" and not (isinstance(value, str) and _MONEY.fullmatch(value)):
            raise BadInput(f"{where}“{str(value)[:20]}”应为以元为单位、两位小数的金额，如 500.00。{NOTHING}")
    elif isinstance(rule, Digits):
        if value != "" and household(value, where) != value:
            raise BadInput(f"{where}“{str(value)[:20]}”应为整数，如 3。{NOTHING}")
    elif isinstance(rule, Ref):
        _check_ref(rule, where, value, village)


def _check_day(rule: Day, where: str, value: Any, last: dt.date) -> None:
    if value == "" and rule.required:
        raise BadInput(f"{where}不能为空。{NOTHING}")
    if value == "":
        return  # not set (a meeting's end, a notice not closed yet)
    try:
        if not isinstance(value, str):
            raise ValueError
        day = dt.datetime.fromisoformat(value).date() if rule.time else dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{where}“{str(value)[:30]}”不是有效的日期，不能保存。{NOTHING}") from None
    if not rule.first <= day <= last:
        raise BadInput(
            f"{where} {day.isoformat()} 不在 {rule.first.isoformat()} 到 {last.isoformat()} 之间："
            f"请检查输入的日期（年份是否写错）。{NOTHING}"
        )


def _check_ref(rule: Ref, where: str, value: Any, village: str) -> None:
    if value == "":
        return
    text = value if isinstance(value, str) else ""
    prefix = _records.prefix_of(text) if rule.prefix is None else rule.prefix
    number = _records.RecordNumber.parse(text, prefix, where)
    if str(number) != text or number.village != village:
        raise BadInput(f"{where}“{text}”不是本村（{village}）的记录编号，不能保存。{NOTHING}")


def _case_dates(record: Mapping[str, Any], before: Mapping[str, Any] | None, what: str) -> None:
    """No step of a case is done before the case was opened."""
    opened = str(record.get("opened_on", ""))
    old = before.get("history", []) if before else []
    for i, entry in enumerate(record.get("history") or [], start=1):
        if i <= len(old) and old[i - 1] == entry:
            continue
        finished = str(entry.get("finished", "")) if isinstance(entry, Mapping) else ""
        if finished < opened:
            raise BadInput(f"{what}第{i}步的完成日期 {finished} 早于立案日期 {opened}，不能保存。{NOTHING}")


def _posted_after_opening(record: Mapping[str, Any], resolve: Resolve, what: str) -> None:
    case = resolve("case", str(record.get("case") or "")) if record.get("case") else None
    if case is None:
        return
    opened, posted = str(case.get("opened_on", "")), str(record.get("posted_on", ""))
    if posted < opened:
        raise BadInput(
            f"{what}的张贴日期 {posted} 早于办件 {case.get('number')} 的立案日期 {opened}：请检查张贴日期。{NOTHING}"
        )
