"""A data directory opened for use: settings, catalog (with local versions and timer
overrides), the store, cases, and what is due."""

from __future__ import annotations

import datetime as dt
import functools
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procedures import engine
from procedures.loader import CatalogError, apply_overrides, load_catalog, timer_key_hint
from procedures.model import UNIT_LABELS, Catalog, Matter, TimerKind
from procedures.recurring import Obligation, ObligationState, obligations, recurring_rules, window
from procedures.workdays import WorkCalendar
from store import clock, identity, overview, roles
from store import settings as settings_mod
from store.amendments import Amendments
from store.cases import Cases
from store.db import Partition, Store
from store.errors import BadInput, DataDamaged, NeedsMyName, SchemaTooNew, StoreError
from store.files import collector_held, signature
from store.identity import Operator, current_operator
from store.meetings import Expected, Meetings
from store.notices import Notices
from store.opinions import Opinions
from store.paths import local_matters_dir
from store.records import RecordBook, prefix_of
from store.rectifications import Rectifications, finding_village
from store.seals import Seals
from store.settings import SETTINGS_TARGET, Settings

if TYPE_CHECKING:
    from procedures.risks import Finding, Settled
    from store.roster import Roster
    from store.verify import Report


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something with a date: a running deadline or waiting period of a case, or a recurring duty."""

    kind: str
    """deadline, min_wait, recurring, or rectification (an overdue 整改事项)."""
    state: str
    """overdue / running / waiting / ready / planned (a 公示 registered before it goes up) for case
    timers; missed / due for recurring duties."""
    due: dt.date
    """The last day (deadline, recurring window end) or the first allowed day (min_wait)."""
    days_left: int
    village: str
    matter_id: str
    matter: str
    step_id: str
    step: str
    rule: str
    text: str
    """One line in Chinese, status in words."""
    number: str = ""
    """The case number, or the 整改事项's (empty for recurring duties)."""
    estimated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "state": self.state,
            "due": self.due.isoformat(),
            "days_left": self.days_left,
            "village": self.village,
            "number": self.number or None,
            "matter_id": self.matter_id,
            "matter": self.matter,
            "step_id": self.step_id,
            "step": self.step,
            "rule": self.rule,
            "text": self.text,
            "estimated": self.estimated,
        }


def _require_folder(root: Path) -> None:
    """A data directory that is a file (or under one) is named, not read as a new, empty one."""
    try:
        is_folder = stat.S_ISDIR(root.stat().st_mode)
    except FileNotFoundError:
        return  # a new data directory: made by the first save
    except NotADirectoryError:
        is_folder = False
    if not is_folder:
        raise BadInput(
            f"数据目录 {root} 不是文件夹（它或它的上一级是一个文件）：请指定数据所在的文件夹。未做任何改动。"
        )


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the risk checks of the day and the 监督 screen read of one data file's overview."""

    open: tuple[overview.OpenRow, ...]
    notices: Mapping[str, str]
    """Notice number → the day it is (to be) posted."""
    steps: tuple[tuple[str, str, str, str], ...]
    """(village, matter, step, day finished) of the recurring matters' steps."""
    meetings: tuple[tuple[str, str, str], ...]
    """(village, kind, start) of every meeting."""
    fixes: Mapping[str, tuple[str, str, str]]
    """Finding key → (number, state, deadline) of the 整改事项 opened from a finding of this
    file's village (one naming another village's finding, saved before the store refused it,
    does not count: it must not take that village's finding off the 监督 screen)."""

    @classmethod
    def of(cls, village: str, found: overview.Overview) -> FileFacts:
        steps, meetings = overview.duties_met(found, village)
        fixes = {k: v for k, v in overview.finding_fixes(found).items() if finding_village(k) == village}
        return cls(tuple(overview.open_rows(found, village)), dict(found["notices"]), steps, meetings, fixes)


class Site:
    """Everything a command or a screen needs from one data directory."""

    def __init__(self, root: Path, *, environ: Mapping[str, str] | None = None, lock_timeout: float = 10.0):
        _require_folder(root)
        self.root = root
        self.environ = os.environ if environ is None else environ
        self._settings_sig = signature(settings_mod.settings_path(root))
        self.settings = settings_mod.load(root) if self._settings_sig is not None else Settings()
        self.base_catalog = load_catalog(local_matters_dir(root))
        """The matters as the county document (and local matter files) have them, before the
        settings' local time limits."""
        self.catalog: Catalog = self._with_timers(self.settings)
        self.cal = WorkCalendar()
        self.store = Store(root, lock_timeout=lock_timeout, group_shared=self.settings.group_shared)
        self.store.resolvers["settings"] = self._settings_record
        self.store.recurring = frozenset(m.id for m, _step, _timer in recurring_rules(self.catalog))
        self.person_book = RecordBook(self.store, "person", overview.PERSON_TABLE, "RY", "名册人员")
        """The roster's people (``roster``, made when first used: not at start-up)."""
        self.meetings = Meetings(self.store, self._expected_from)
        self.notices = Notices(self.store, self.cal)
        self.seals = Seals(self.store, self.meetings)
        self.cases = Cases(self.store, self.catalog, self.settings, self.cal, self.meetings, self.notices, self.seals)
        books = (self.cases.book, self.meetings.book, self.notices.book, self.seals.book, self.person_book)
        self.opinions = Opinions(self.store, self.catalog, books, lambda: self.settings.villages)
        self.amendments = Amendments(self.cases, self.opinions)
        self.rectifications = Rectifications(self.store, self.opinions.book, (*books, self.opinions.book))
        self.operator = self._operator()
        self.store.who = self.refresh
        self.work_parts: dict[tuple[object, ...], Any] = {}
        """The work list's parts by data file and day (``store.worklist.work_list``)."""
        self.list_parts: dict[tuple[object, ...], Any] = {}
        """The case list's rows of open cases by data file and day (``tui.screens.cases``)."""
        self._fingerprint: tuple[Catalog, str] | None = None
        self.file_facts: dict[tuple[object, ...], FileFacts] = {}
        """What is read of each data file's overview, by file (``facts``)."""

    @property
    def books(self) -> tuple[RecordBook, ...]:
        """Every kind of journaled record: cases, meetings, notices, seal uses, opinions, people."""
        return (
            self.cases.book,
            self.meetings.book,
            self.notices.book,
            self.seals.book,
            self.opinions.book,
            self.person_book,
            self.rectifications.book,
        )

    @functools.cached_property
    def roster(self) -> Roster:
        """The villages' rosters (``store.roster``)."""
        from store.roster import Roster

        return Roster(self.store, self.person_book)

    def _expected_from(self, village: str) -> Expected:
        """A meeting of ``village`` takes its 应到 from the village's roster."""
        return functools.partial(self.roster.expected, village)

    def _with_timers(self, settings: Settings) -> Catalog:
        if not settings.timers:
            return self.base_catalog
        return apply_overrides(self.base_catalog, settings.timers, str(settings_mod.settings_path(self.root)))

    def refresh(self) -> Operator:
        """Re-read the settings when another session changed them, and with them who this
        session is: called by the store under its lock before every save and before every read
        of the records (one stat when nothing changed)."""
        sig = signature(settings_mod.settings_path(self.root))
        if sig != self._settings_sig:
            try:
                settings = settings_mod.load(self.root) if sig is not None else Settings()
            except CatalogError as exc:
                raise DataDamaged(exc.report()) from None
            self._use(settings, sig)
        return self.operator

    def _use(self, settings: Settings, sig: tuple[int, int, int] | None) -> None:
        if settings.timers != self.settings.timers:
            self.catalog = self.cases.catalog = self.opinions.catalog = self._with_timers(settings)
            self.work_parts.clear()  # worked out with the time limits as they were
            self.list_parts.clear()
        self.settings = self.cases.settings = settings
        self._settings_sig = sig
        self.operator = self._operator()

    def for_thread(self) -> Site:
        """The same data directory with caches of its own, for a worker thread (a long read
        such as verify or an export): TinyDB changes cached records in place while the app's
        thread saves, so the two must never share them."""
        return Site(self.root, environ=self.environ, lock_timeout=self.store.lock_timeout)

    def _operator(self) -> Operator:
        """Who this session is, from the settings; the store reads only what they may see."""
        owner = self._owner()
        operator = current_operator(self.settings.staff, self.environ, owner)
        if not self.settings.admins and self._machine_owner(owner):
            # No 管理员 named yet (a new data directory, or one from before there were
            # 管理员): the machine's owner acts as one, to name the first.
            operator = replace(operator, role=roles.ADMIN, name=operator.name or operator.account, bootstrap=True)
        self.store.viewer = operator
        return operator

    def _machine_owner(self, owner: int) -> bool:
        """root, or the owner of this data directory running cunwu as themself (a one-PC
        install). Never a person through the shared-server launcher: the service account owns
        the data there, and any member of the staff group can run it."""
        who = identity.human(self.environ, owner=owner)
        if who.uid == 0:
            return True
        return not who.via_sudo and owner == who.uid

    def _owner(self) -> int:
        """The uid that owns the data directory (-1 when it cannot be read)."""
        try:
            return self.root.stat().st_uid
        except OSError:
            return -1

    @property
    def read_only(self) -> bool:
        """A 监委会 session: it looks, gives opinions and countersigns (``store.roles``)."""
        return roles.read_only(self.operator)

    @property
    def villages(self) -> tuple[str, ...]:
        """The villages this session may see and choose: all of them for 管理员 and 乡镇,
        the account's own for 村干部 and 监委会, none for an account not in the settings."""
        return tuple(roles.visible(self.operator, self.settings.villages))

    def zone(self) -> dt.tzinfo:
        """The server's time zone (``store.clock``): the settings', else the system's."""
        return clock.zone(self.settings.timezone)

    def risks(
        self,
        today: dt.date,
        village: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        matter: str | None = None,
    ) -> list[Finding]:
        """The findings of the risk checks on ``today`` (``procedures.risks``), narrowed to a
        village, a matter and the period ``start``..``end``: what the records say whatever the
        day, kept per village (``settled``), and what depends on the day, from the overviews
        of the open cases and of the duties met."""
        from procedures import risks  # loaded when supervision is asked for, not at start-up
        from procedures.views import CaseView

        names = [village] if village else list(self.villages)
        if village:
            self.store.require_visible(village)
        with collector_held():  # records, views and findings: tens of thousands, no cycle among them
            found = [f for name in names for f in risks.standing(self.settled(name), today)]
        open_cases: list[CaseView] = [row.view() for row in self.open_cases(village)]
        done = self.duty_done(today, village)
        data = risks.Data(
            cases=open_cases,
            done={name: done.get(name, {}) for name in names},
            since=dt.date.fromisoformat(self.settings.since) if self.settings.since else None,
        )
        found += risks.of_day(self.catalog, data, today, self.cal)
        return [
            f
            for f in risks.ordered(found)
            if (not village or f.village == village)
            and (not matter or f.matter_id == matter)
            and risks.in_period(f, start, end)
        ]

    def risk_fingerprint(self) -> str:
        """``store.findings.fingerprint`` of the catalogue as it is now (worked out once for it)."""
        from store import findings

        held = self._fingerprint
        if held is None or held[0] is not self.catalog:
            held = self._fingerprint = (self.catalog, findings.fingerprint(self.catalog))
        return held[1]

    def settled(self, village: str) -> Settled:
        """What the risk checks find in every record of ``village`` whatever the day
        (``procedures.risks.settled``): kept in its findings file (``store.findings``) while
        its data files and the catalogue are as they were, else found again and kept. A damaged
        data file is left out (noted in ``Store.skipped``, as a listing of several villages
        does) and nothing is kept until it is repaired."""
        from store import findings

        parts = self.store.visible_partitions(village)
        if not parts:
            return []
        path, now = self._findings_file(parts)
        mark = self.risk_fingerprint()
        kept = findings.read(path, now, mark)
        if kept is not None:
            return kept
        made, sources, whole = self._settled_from_records(parts)
        if whole and sources:
            findings.write(path, sources, mark, made, self.store.file_mode)
        return made

    @staticmethod
    def _findings_file(parts: list[Partition]) -> tuple[Path, list[list[int]]]:
        """A village's findings file (``store.findings``) and the signatures its data files have now."""
        from store import findings

        return findings.path_for(parts[0].path.parent), [
            [p.year, *sig] for p in parts if (sig := signature(p.path)) is not None
        ]

    def _settled_from_records(self, parts: Iterable[Partition]) -> tuple[Settled, list[list[int]], bool]:
        """(the settled findings, the signatures of the files read, whether every file was read).
        Files this process had not read before are let go again: a whole village's records are
        not kept in memory for the 监督 screen's sake."""
        from procedures import risks
        from procedures.views import CaseView, MeetingView, NoticeView, PersonView, SealView

        cases, meetings, notices, seals, people = [], [], [], [], []
        sources: list[list[int]] = []
        whole = True
        for partition in parts:
            storage = partition.storage
            held = storage.holds()
            try:
                tables = storage.read() or {}
            except (DataDamaged, SchemaTooNew) as exc:
                self.store.skipped[partition.path] = exc
                whole = False
                continue
            if storage.sig is not None and not storage.dirty:
                sources.append([partition.year, *storage.sig])
            else:
                whole = False  # read inside a save: not what is on disk
            cases += [CaseView.from_record(r) for r in tables.get(self.cases.book.table, {}).values()]
            meetings += [MeetingView.from_record(r) for r in tables.get(self.meetings.book.table, {}).values()]
            notices += [NoticeView.from_record(r) for r in tables.get(self.notices.book.table, {}).values()]
            seals += [SealView.from_record(r) for r in tables.get(self.seals.book.table, {}).values()]
            people += [PersonView.from_record(r) for r in tables.get(self.person_book.table, {}).values()]
            if not held:
                storage.release()
        data = risks.Data(cases=cases, meetings=meetings, notices=notices, seals=seals, people=people)
        return risks.settled(self.catalog, data, self.cal), sources, whole

    def findings_made(
        self, village: str | None = None, *, current_only: bool = False
    ) -> Iterator[tuple[Path, Settled | None, Settled, list[list[int]]]]:
        """For every village (``village`` only, when given) whose data files could all be read:
        its findings file, what the file keeps if it was made from the files as they are now
        (else None), the settled findings found in the records, and the files' signatures (for
        verify and repair). ``current_only``: only the villages whose file is current."""
        from store import findings

        mark = self.risk_fingerprint()
        villages: dict[str, list[Partition]] = {}
        for partition in self.store.partitions():  # every village, as verify reads them
            if village is None or partition.village == village:
                villages.setdefault(partition.village, []).append(partition)
        for parts in villages.values():
            path, now = self._findings_file(parts)
            kept = findings.read(path, now, mark)
            if kept is None and current_only:
                continue
            made, sources, whole = self._settled_from_records(parts)
            if whole and sources:
                yield path, (kept if sources == now else findings.read(path, sources, mark)), made, sources

    def findings_problems(self) -> list[str]:
        """Findings files that say something else than the records they were found in (a hand-made
        one would hide a finding from the 监委会), for verify."""
        return [
            f"风险提示汇总文件 {path} 与数据文件不符（可能被直接改动）：监督页面和风险提示会据此漏报或错报。"
            "管理员修复数据时会重新生成它（数据记录不受影响）。"
            for path, kept, made, _ in self.findings_made(current_only=True)
            if kept is not None and kept != made
        ]

    def rewrite_findings(self, village: str | None = None) -> list[Path]:
        """Write the findings file of every village (of ``village``) that is missing, stale or
        says something else again from the records (repair); returns those written."""
        from store import findings

        written = []
        mark = self.risk_fingerprint()
        for path, kept, made, sources in self.findings_made(village):
            if kept != made:
                findings.write(path, sources, mark, made, self.store.file_mode)
                written.append(path)
        return written

    def _settings_record(self, _: str) -> dict[str, Any] | None:
        path = settings_mod.settings_path(self.root)
        return settings_mod.load(self.root).as_dict() if path.exists() else None

    def init(
        self,
        now: dt.datetime,
        township: str | None,
        villages: list[str],
        staff: list[str] | None = None,
        phone: str | None = None,
        *,
        my_name: str = "",
    ) -> Settings:
        """Create or extend the settings (township, villages, staff, phone), journaled; the
        first set-up names the person doing it (``my_name``), its first 管理员."""
        change = settings_mod.Change(township, tuple(villages), tuple(staff or ()), (), phone, my_name=my_name)
        return self.change_settings(now, change)

    def change_settings(self, now: dt.datetime, change: settings_mod.Change) -> Settings:
        """Apply a 管理员's change to the settings, journaled with what it changed (before and
        after). The first set-up of a data directory names its first 管理员: the account
        doing it, unless the change names one."""
        roles.require_admin(self.operator, roles.SETTINGS_WORK)
        with self.store.transaction(self.operator, now) as txn:
            current = settings_mod.load(self.root)
            updated = settings_mod.apply(current, change)
            if not updated.since:
                updated = replace(updated, since=now.date().isoformat())
            self._check_timers(current.timers, updated.timers)
            if not updated.admins:
                updated = self._first_admin(updated, change.my_name)
            lines = settings_mod.describe(current, updated)
            if not lines:
                return current  # nothing to change: nothing written, nothing journaled
            settings_mod.save(self.root, updated, self.store.file_mode)
            before, after = current.as_dict(), updated.as_dict()
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            detail = {
                "changes": lines,
                "before": {k: before.get(k) for k in changed},
                "after": {k: after.get(k) for k in changed},
            }
            action = "settings.init" if not current.township else "settings.change"
            txn.record(action, SETTINGS_TARGET, after, detail)
        self._use(updated, signature(settings_mod.settings_path(self.root)))
        return updated

    def _check_timers(self, before: Mapping[str, int], after: Mapping[str, int]) -> None:
        """A local time limit may make the county document's rule stricter, never looser: a
        公示 not shorter, a deadline not longer, a recurring duty not rarer. (The adversary set
        公示 to 1 day, closed one, and set it back: the record then showed a 公示 run to term.)"""
        timers = {f"{m.id}.{s.id}": s.timer for m in self.base_catalog.matters for s in m.steps if s.timer}
        for key, amount in after.items():
            if before.get(key) == amount:
                continue  # unchanged (a removed one goes back to the document's own)
            timer = timers.get(key)
            if timer is None:
                raise BadInput(f"没有带时限的步骤“{key}”（{timer_key_hint(self.base_catalog, key)}）")
            looser = amount < timer.amount if timer.kind is TimerKind.MIN_WAIT else amount > timer.amount
            if looser:
                rule = timer.describe()
                limit = "不能少于" if timer.kind is TimerKind.MIN_WAIT else "不能多于"
                raise BadInput(
                    f"本地时限只能比县文件的规定更严：{key} 是“{rule}”，本地设置{limit} {timer.amount} "
                    f"{UNIT_LABELS[timer.unit]}。未做任何改动。"
                )

    def _first_admin(self, settings: Settings, my_name: str) -> Settings:
        me = self.operator.account
        if me in settings.staff:
            role = settings.staff[me].get("role", "")
            raise BadInput(
                f"首次设置须有一名管理员。你（{me}）被登记为{role}；请再登记一名管理员"
                f"（--staff 账号=姓名:管理员），或把自己登记为管理员"
            )
        if not my_name.strip():
            raise NeedsMyName(
                f"首次设置请写明你的真实姓名：你（账号 {me}）将登记为第一位管理员，经办人和签名处印的是"
                "这个姓名，不能用账号名代替。未做任何改动。",
                account=me,
            )
        account, entry = settings_mod.staff_item(f"{me}={my_name.strip()}:{roles.ADMIN}", list(settings.villages))
        return replace(settings, staff={**settings.staff, account: entry})

    def linked(self, number: str) -> tuple[str, dict[str, Any]]:
        """A meeting, notice or seal use by its number: (kind, record)."""
        prefix = prefix_of(number)
        books = {b.prefix: b for b in (self.meetings.book, self.notices.book, self.seals.book)}
        if prefix not in books:
            raise BadInput(f"“{number}”不是会议记录（HY）、公示（GS）或用印登记（YY）编号")
        book = books[prefix]
        return book.kind, book.get(number)

    def records(self, *, skip_damaged: bool = False) -> dict[str, Any]:
        """Every journaled record by target, in every village whoever asks (verify checks them
        all and names only their numbers), for verify (and for restore, which must read around
        a damaged file)."""
        out: dict[str, Any] = {}
        for book in self.books:
            out.update({book.target(r["number"]): r for r in book.all(skip_damaged=skip_damaged, every_village=True)})
        setting = self._settings_record("")
        if setting is not None:
            out[SETTINGS_TARGET] = setting
        return out

    def verify(
        self, anchor_file: Path | None = None, *, skip_damaged: bool = False, now: dt.datetime | None = None
    ) -> Report:
        """``cunwu verify`` of this data directory: the journal, the anchor, every record, and
        where the data files and records are (``layout_problems``). ``skip_damaged``: a damaged
        data file is one problem (its records are not named one by one) and everything else is
        still checked. ``now``: journal entries dated after it are named (a clock that ran fast)."""
        from store.verify import verify  # not needed at start-up

        records = self.records(skip_damaged=skip_damaged)
        layout = self.layout_problems(skip_damaged=skip_damaged)
        return verify(self.store, records, anchor_file, layout, now=now, caches=self.findings_problems())

    def accept_clock(self, now: dt.datetime) -> str:
        """A 管理员 confirms that the clock is right now, when the journal's newest entry is later
        (a save made while the clock ran fast refuses every save until that time): journaled
        with both times, listed by verify with the settings changes. Returns the newest entry's time."""
        roles.require_admin(self.operator, roles.SETTINGS_WORK)
        last = self.store.journal.last()
        stamp = str(last.get("ts", "")) if last else ""
        if not stamp or clock.behind(stamp, now) is None:
            raise BadInput(
                f"服务器时间（{now.isoformat(timespec='seconds')}）不早于日志最新一条（{stamp or '无'}），不需要确认。"
                "未做任何改动。"
            )
        with self.store.transaction(self.operator, now, clock_checked=False) as txn:
            line = (
                f"确认服务器时间 {now.isoformat(timespec='seconds')} 是对的：日志最新一条记于 {stamp}，"
                "晚于现在（那次保存时时钟偏快），此后的保存按现在的时间记"
            )
            txn.record("settings.clock", "clock:accepted", None, {"changes": [line], "newest": stamp})
        return stamp

    def layout_problems(self, *, skip_damaged: bool = False) -> list[str]:
        """Data that is somewhere it cannot be: a folder that is no village of the settings (a
        village name written in another encoding makes a second folder the committee cannot
        see), a record whose number names another village or year than its file, a number
        stored twice."""
        problems: list[str] = []
        seen: dict[str, Path] = {}
        for partition in self.store.partitions():
            if partition.village not in self.settings.villages:
                problems.append(
                    f"数据文件夹 {partition.path.parent} 不是设置中的村（{'、'.join(self.settings.villages)}）"
                )
            try:
                tables = partition.storage.read() or {}
            except StoreError:
                if skip_damaged:
                    continue
                raise
            for book in self.books:
                for doc_id, record in tables.get(book.table, {}).items():
                    number = str(record.get("number", ""))
                    expected = f"{partition.village}-{partition.year}-"
                    if not number.startswith(expected) or str(record.get("seq", "")) != str(doc_id):
                        problems.append(f"{partition.path} 中的记录 {number or doc_id} 不属于这个文件")
                    target = book.target(number)
                    if target in seen:
                        problems.append(f"记录 {number} 同时出现在 {seen[target]} 和 {partition.path} 中")
                    seen.setdefault(target, partition.path)
        return problems

    def done_dates(self, village: str, cases: list[Any] | None = None) -> dict[str, list[dt.date]]:
        """When each recurring duty of a village was met (see ``done_by_village``)."""
        return self.done_by_village(cases).get(village, {})

    def step_label(self, case_number: str, step_id: str) -> str:
        """A case's step as people read it, ``第4步“民主评议”``; the stored id only when the case
        or its step is no longer to be found (never shown otherwise)."""
        try:
            matter = self.catalog.get(self.cases.get(case_number).matter_id)
            step = matter.step(step_id)
        except (KeyError, StoreError):
            return f"步骤 {step_id}"
        return f"第{matter.steps.index(step) + 1}步“{step.title}”"

    def done_by_village(
        self, cases: list[Any] | None = None, today: dt.date | None = None
    ) -> dict[str, dict[str, list[dt.date]]]:
        """Village → ``matter-id.step-id`` → days a recurring duty was met: steps completed in
        its cases, and meetings held (a meeting of a matter's ``meeting_kind`` meets that
        matter's recurring rules). One pass over the cases and meetings for every village. A
        meeting after ``today`` is only planned (its blank minutes printed ahead): not held yet."""
        steps = (
            (case.village, case.matter_id, h["step_id"], h["finished"])
            for case in (self.cases.all() if cases is None else cases)
            for h in case.record["history"]
        )
        meetings = ((m["village"], m["kind"], m["start"]) for m in self.meetings.book.all())
        return self.done_from(steps, meetings, today)

    def facts(self, village: str | None = None) -> list[FileFacts]:
        """What is read of each data file's overview (of ``village``, else of every village this
        session sees), kept per file while it and the recurring matters are unchanged (``Store.by_file``)."""
        return self.store.by_file(self.file_facts, (self.store.recurring,), FileFacts.of, village)

    def open_cases(self, village: str | None = None) -> list[overview.OpenRow]:
        """The open cases of ``village`` (of every village this session sees when None), from the
        overviews (``store.overview``): what the work list and ``due`` read of them."""
        return [row for part in self.facts(village) for row in part.open]

    def notice_days(self, village: str | None = None) -> dict[str, str]:
        """The day each 公示 of ``village`` (of every village seen) is, or is to be, posted."""
        return {number: day for part in self.facts(village) for number, day in part.notices.items()}

    def finding_fixes(self, village: str | None = None) -> dict[str, dict[str, str]]:
        """Finding key → its 整改事项 (``number``, ``state``, ``deadline``), from the overviews: each
        village's own findings only, and of several on one finding (in different years' files) the
        one still open or done (``overview.still_fixing``)."""
        found: dict[str, tuple[str, str, str]] = {}
        for part in self.facts(village):
            for key, fix in part.fixes.items():
                found[key] = overview.still_fixing(found.get(key), fix)
        return {key: {"number": n, "state": state, "deadline": d} for key, (n, state, d) in found.items()}

    def duty_done(self, today: dt.date, village: str | None = None) -> dict[str, dict[str, list[dt.date]]]:
        """``done_by_village(today=today)`` (for ``village`` alone when given) from the overviews
        (``store.overview``): the days of the recurring matters' steps and of the meetings,
        without reading every record of every year."""
        found = self.facts(village)
        return self.done_from((s for f in found for s in f.steps), (m for f in found for m in f.meetings), today)

    def done_from(
        self,
        steps: Iterable[tuple[str, str, str, str]],
        meetings: Iterable[tuple[str, str, str]],
        today: dt.date | None,
    ) -> dict[str, dict[str, list[dt.date]]]:
        """Village → ``matter-id.step-id`` → days, from (village, matter, step, day finished) and
        (village, meeting kind, start)."""
        done: dict[str, dict[str, list[dt.date]]] = {}
        # A step id a matter file has since renamed or merged ([former_steps]) counts for the
        # step that replaced it: the few renamed ids, looked up once, not every history entry.
        renamed = {(m.id, old): m.step(old).id for m in self.catalog.matters for old, _ in m.former_steps}
        for village, matter_id, step, finished in steps:
            step_id = renamed.get((matter_id, step), step)
            done.setdefault(village, {}).setdefault(f"{matter_id}.{step_id}", []).append(
                dt.date.fromisoformat(finished)
            )
        held: dict[tuple[str, str], list[dt.date]] = {}
        for village, kind, start in meetings:
            day = dt.datetime.fromisoformat(start).date()
            if today is not None and day > today:
                continue
            held.setdefault((village, kind), []).append(day)
        recurring = [
            (matter.meeting_kind, f"{matter.id}.{step.id}")
            for matter in self.catalog.matters
            if matter.meeting_kind
            for step, timer in matter.timers
            if timer.kind.value == "recurring"
        ]
        for (village, kind), days in held.items():
            mine = done.setdefault(village, {})
            for wanted, key in recurring:
                if wanted == kind:
                    mine.setdefault(key, []).extend(days)
        return done

    def schedule(self, today: dt.date, village: str | None = None) -> list[dict[str, Any]]:
        """For each village and recurring duty (三会一课 …): when it was last met, the current
        window and its state, and when it is next due; a duty whose last window was missed first."""
        since = dt.date.fromisoformat(self.settings.since) if self.settings.since else today
        rows = []
        everything = self.duty_done(today, village)
        for name in [village] if village else list(self.villages):
            done = everything.get(name, {})
            windows: dict[str, list[Any]] = {}
            for o in obligations(self.catalog, done, today - dt.timedelta(days=366), today, today, village_only=True):
                windows.setdefault(o.key, []).append(o)
            for key, found in windows.items():
                found.sort(key=lambda o: o.window_start)
                current, previous = found[-1], found[-2] if len(found) > 1 else None
                met = current.state is ObligationState.MET
                missed = (
                    previous is not None and previous.state is ObligationState.MISSED and previous.window_start >= since
                )
                dates = sorted(d for d in done.get(key, []) if d <= today)
                timer = current.timer
                rows.append(
                    {
                        "village": name,
                        "matter_id": current.matter.id,
                        "matter": current.matter.name,
                        "step_id": current.step.id,
                        "rule": timer.describe(),
                        "last_done": dates[-1].isoformat() if dates else None,
                        "window_start": current.window_start.isoformat(),
                        "window_end": current.window_end.isoformat(),
                        "state": "met" if met else ("overdue" if missed else "due"),
                        "next_due": (
                            window(current.window_end + dt.timedelta(days=1), timer.amount, timer.unit)[1]
                            if met
                            else current.window_end
                        ).isoformat(),
                    }
                )
        rank = {"overdue": 0, "due": 1, "met": 2}
        place = {name: n for n, name in enumerate(self.settings.villages)}
        return sorted(
            rows, key=lambda r: (rank[r["state"]], r["next_due"], place.get(r["village"], len(place)), r["matter_id"])
        )

    def due(self, today: dt.date, within: int = 7, village: str | None = None) -> list[DueItem]:
        """Running case timers and recurring duties, overdue first, up to ``within`` days ahead
        (``store.worklist.due_items``, what ``cunwu due`` lists).

        A waiting period that has run (a 公示 whose days are over, the step may now be completed)
        stays listed, whatever ``within`` says, until the step is completed: that is the day it
        matters. Recurring duties are the villages' own (``procedures.recurring.village_duty``):
        the township's and the county's are not a village's to do."""
        from store.worklist import due_items

        return due_items(self, today, within, village)

    def in_order(self, items: list[DueItem]) -> list[DueItem]:
        """Overdue first, then what may be completed now, then by date; one day's items in the
        configured village order (not the code points of the names)."""
        rank = {"overdue": 0, "missed": 0, "ready": 1, "due": 2, "running": 2, "waiting": 3, "planned": 3}
        place = {name: n for n, name in enumerate(self.settings.villages)}
        return sorted(
            items, key=lambda i: (rank.get(i.state, 4), i.due, place.get(i.village, len(place)), i.village, i.number)
        )

    def case_timers(
        self, today: dt.date, cases: list[Any]
    ) -> list[tuple[Any, Matter, engine.CaseState, tuple[engine.TimerStatus, ...]]]:
        """Each open case of ``cases`` with its matter, its state and the timers running on ``today``."""
        out = []
        for case in cases:
            if case.status is not engine.CaseStatus.OPEN:
                continue
            matter = self.catalog.get(case.matter_id)
            state = case.state()
            out.append((case, matter, state, engine.running_timers(matter, state, today, self.cal)))
        return out

    def case_items(
        self,
        today: dt.date,
        horizon: dt.date,
        timed: list[tuple[Any, Matter, engine.CaseState, tuple[engine.TimerStatus, ...]]],
    ) -> list[DueItem]:
        """The running timers of open cases (``case_timers``): overdue, due by ``horizon``, waiting
        periods that run out by then, and waiting periods that have run (``ready``) whatever the date."""
        items: list[DueItem] = []
        for case, matter, state, timers in timed:
            for t in timers:
                if t.state is not engine.TimerState.READY and t.due > horizon and t.days_left >= 0:
                    continue
                word = "overdue" if t.state is engine.TimerState.OVERDUE else t.state.value
                if t.state is engine.TimerState.WAITING and state.current_since > today:
                    word = "planned"  # a 公示 registered before the day it goes up: 待张贴
                items.append(
                    DueItem(
                        kind=t.timer.kind.value,
                        state=word,
                        due=t.due,
                        days_left=(t.due - today).days,
                        village=case.village,
                        matter_id=matter.id,
                        matter=matter.name,
                        step_id=t.step.id,
                        step=t.step.title,
                        rule=t.timer.describe(),
                        text=t.describe(),
                        number=case.number,
                        estimated=t.end.estimated,
                    )
                )
        return items

    def duty_windows(
        self,
        today: dt.date,
        horizon: dt.date,
        village: str | None = None,
        done: dict[str, dict[str, list[dt.date]]] | None = None,
    ) -> list[tuple[str, list[Obligation]]]:
        """For each village (the one asked for, else every one this session sees, in the configured
        order): its own recurring duties whose current window ends by ``horizon`` and is not met
        yet, and each duty's previous window (上期) when it was missed. Older misses are for the
        supervision report, and none counts that began before records were kept here
        (``Settings.since``)."""
        since = dt.date.fromisoformat(self.settings.since) if self.settings.since else today
        start = max(today - dt.timedelta(days=366), since)
        everything = self.duty_done(today, village) if done is None else done
        out: list[tuple[str, list[Obligation]]] = []
        for name in [village] if village else list(self.villages):
            mine: list[Obligation] = []
            found = obligations(self.catalog, everything.get(name, {}), start, horizon, today, village_only=True)
            for o in sorted(found, key=lambda o: o.window_end, reverse=True):
                if o.state not in (ObligationState.MISSED, ObligationState.DUE):
                    continue
                if o.state is ObligationState.DUE and o.window_end > horizon:
                    continue  # due later than the days asked for
                if o.state is ObligationState.MISSED:
                    current = window(today, o.timer.amount, o.timer.unit)[0]
                    if o.window_start < since or o.window_end < current - dt.timedelta(days=1):
                        continue  # only the window just before the current one: 上期
                mine.append(o)
            out.append((name, sorted(mine, key=lambda o: (o.window_end, o.matter.order))))
        return out
