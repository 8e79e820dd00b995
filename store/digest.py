"""The login digest (``cunwu due --brief``): a few counts for the villages and the role of the
person logging in, printed by the server at every SSH login of a member of the staff group.

What each role is shown, and only that (the rules against "指尖上的形式主义": no ranking, no
score, no check-in, nothing about anyone's time online — counts of work there is to do):

- 村干部: 逾期 (time limits of open cases passed, recurring duties missed last period), 今日到期
  (time limits, recurring duties and 整改事项 whose last day is today), 整改逾期 (整改事项 past
  their deadline and not done);
- 监委会: 待签 (公示 registered, not posted yet, with no countersignature), 整改逾期, 整改待销号
  (done by the village, waiting for a 销号 this account may give: not one it is the 责任人 of,
  nor one it registered done);
- 乡镇 and 管理员: 逾期, 今日到期, 整改逾期, 整改待销号 (待签 is the 监委会's).

Read from the overviews (``store.overview``), one read of each data file, like ``cunwu due
--json``: the login must not wait on every record of every year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from store import overview, roles
from store.countersign import at_notice
from store.rectifications import DONE, OPEN, is_responsible
from store.worklist import duty_item, part_work

if TYPE_CHECKING:
    from store.site import Site

LABELS = {
    "overdue": "逾期",
    "today": "今日到期",
    "unsigned": "待签",
    "fixes_overdue": "整改逾期",
    "fixes_done": "整改待销号",
}
"""The words of each count, in the order they are printed."""

SHOWN = {
    roles.CADRE: ("overdue", "today", "fixes_overdue"),
    roles.SUPERVISOR: ("unsigned", "fixes_overdue", "fixes_done"),
    roles.TOWNSHIP: ("overdue", "today", "fixes_overdue", "fixes_done"),
    roles.ADMIN: ("overdue", "today", "fixes_overdue", "fixes_done"),
}
"""The counts each role is shown: its own work, not another role's."""

Met = tuple[Iterable[tuple[str, str, str, str]], Iterable[tuple[str, str, str]]]
"""(village, matter, step, day finished) of the recurring matters' steps, and (village, meeting
kind, start) of the meetings, of one data file: the recurring duties met."""

MOST_VILLAGES = 3
"""More villages than this with something to do are summed on one line (a township of 20
villages gets one line, not 20)."""


@dataclass(frozen=True, slots=True)
class Counts:
    """What one village (or several, summed) has to do today."""

    village: str
    overdue: int = 0
    """Time limits of open cases passed, and recurring duties missed in their last period."""
    today: int = 0
    """Time limits of open cases, recurring duties and open 整改事项 whose last day is today."""
    unsigned: int = 0
    """公示 registered and not posted yet that nobody has countersigned."""
    fixes_overdue: int = 0
    """整改事项 still open after their deadline."""
    fixes_done: int = 0
    """整改事项 done by the village, waiting for a 销号 this account may give."""

    def words(self, shown: Iterable[str]) -> str:
        """``逾期 2，今日到期 1``: the counts of ``shown`` that are not zero ("" when all are)."""
        return "，".join(f"{LABELS[name]} {getattr(self, name)}" for name in shown if getattr(self, name))


def _summed(name: str, counts: Iterable[Counts]) -> Counts:
    found = list(counts)
    return Counts(name, *(sum(getattr(c, f.name) for c in found) for f in fields(Counts)[1:]))


def counts(site: Site, today: dt.date, village: str | None = None) -> list[Counts]:
    """The counts of each village this session sees (or ``village``), in the configured order,
    as the account's role is shown them (the others left at 0, not worked out)."""
    me = site.operator
    shown = SHOWN.get(me.role, ())
    timed = "overdue" in shown or "today" in shown
    signs = "unsigned" in shown
    day = today.isoformat()

    def may_close(entry: list[str]) -> bool:
        """Whether this account may 销号 a 整改事项 done (its overview entry after the state and
        deadline): not the person responsible, not who registered it done (``Rectifications.close``)."""
        _words, _key, responsible, done_by = entry
        return not is_responsible(me, responsible) and done_by != me.label

    def read(name: str, found: overview.Overview) -> tuple[Counts, Met, list[overview.OpenRow], Mapping[str, str]]:
        overdue = due_today = 0
        met: Met = ((), ())
        if timed:
            part = part_work(site, name, found, today, today, whole=False)
            overdue = sum(1 for i in part.items if i.state == "overdue")
            due_today = sum(1 for i in part.items if i.state == "running" and i.due == today)
            met = (part.steps, part.meetings)
        # A case's 公示 may be in another year's file than the case (opened in December, posted
        # in January): the cases at a 公示 step are matched with every file's notices below.
        rows = overview.open_rows(found, name) if signs else []
        late = sum(1 for _ in overview.rectifications_late(found, today))
        fixes = found[overview.RECTIFICATION_TABLE].values()
        due_today += sum(state == OPEN and deadline == day for state, deadline, *_ in fixes)
        done = sum(state == DONE and may_close(rest) for state, _deadline, *rest in fixes)
        return Counts(name, overdue, due_today, 0, late, done), met, rows, found["notices"] if signs else {}

    # One read of each data file (of each village-year): its counts, the recurring duties met,
    # and (for the 待签) its open cases and the days of its notices.
    per_file = site.store.by_file({}, (), read, village)
    found = [c for c, *_ in per_file]
    if timed:
        steps = (s for _, (done, _m), *_ in per_file for s in done)
        meetings = (m for _, (_s, held), *_ in per_file for m in held)
        done = site.done_from(steps, meetings, today)
        for name, windows in site.duty_windows(today, today, village, done):
            items = [duty_item(name, o, today) for o in windows]
            missed = sum(1 for i in items if i.state == "missed")
            found.append(Counts(name, missed, sum(1 for i in items if i.state == "due" and i.due == today)))
    if signs:
        posted = {number: posted_on for *_, notices in per_file for number, posted_on in notices.items()}
        cases = [row for _c, _m, rows, _n in per_file for row in rows]
        found += [Counts(w.case.village, unsigned=1) for w in at_notice(site, today, cases, posted) if w.unsigned]
    return [
        _summed(name, (c for c in found if c.village == name))
        for name in ([village] if village else list(site.villages))
    ]


def lines(site: Site, today: dt.date, village: str | None = None) -> list[str]:
    """The digest as printed: one line per village with something to do, in the configured
    order (``城关村：逾期 2，今日到期 1，整改逾期 1``), or, past ``MOST_VILLAGES`` of them, one
    line of their sums (``5 个村合计：…``); nothing at all when there is nothing to do (a login
    is not the place to say so). An account the settings do not list gets nothing."""
    if not roles.known(site.operator):
        return []
    shown = SHOWN.get(site.operator.role, ())
    busy = [c for c in counts(site, today, village) if c.words(shown)]
    if len(busy) > MOST_VILLAGES:
        return [f"{len(busy)} 个村合计：{_summed('', busy).words(shown)}"]
    return [f"{c.village}：{c.words(shown)}" for c in busy]
