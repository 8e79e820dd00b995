"""Errors the store raises, each with a Chinese message and an exit code.

``str(error)`` says what happened and what is to be done, in words: it names no ``cunwu``
command and no key. How to do it is the caller's to add, by the error's type and fields: the
command line (``tui.cli_hints``) adds a command, the terminal app (``tui.refusals``) a key or
the action itself. The classes below the four bases carry the facts those hints need.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from procedures.engine import DONE_LABEL

EXIT_REFUSED, EXIT_USAGE, EXIT_DATA = 1, 2, 3


class StoreError(Exception):
    """Base class: ``str(error)`` is the message for the user; ``exit_code`` for the CLI."""

    exit_code = EXIT_DATA


class BadInput(StoreError):
    """User text or an argument that cannot be accepted; nothing was changed."""

    exit_code = EXIT_USAGE


class NeedsMyName(BadInput):
    """The first set-up of a data directory without the real name of the person doing it."""

    def __init__(self, message: str, *, account: str):
        super().__init__(message)
        self.account = account


class NotFound(StoreError):
    """No such case, village or matter."""

    exit_code = EXIT_USAGE


class Refused(StoreError):
    """A rule refuses the request (e.g. a 公示 period has not run)."""

    exit_code = EXIT_REFUSED


class RecordChangedOutside(StoreError):
    """A record to be changed is not what the journal last recorded of it (edited by hand):
    the save is refused, so that it never blesses the edit."""

    def __init__(self, target: str) -> None:
        self.target = target
        number = target.partition(":")[2] or target
        super().__init__(
            f"记录 {number} 存储的内容与日志最后记录的不一致（数据文件可能被直接改动过）。"
            "为免把这样的改动当作正常办理记入日志，本次保存未进行，未做任何改动。"
            "请管理员校验数据、查明原因后修复。"
        )


class ClockBehind(StoreError):
    """The clock is earlier than the newest journal entry: writes are refused until it is fixed."""

    def __init__(self, last: str, now: str) -> None:
        self.last, self.now = last, now
        super().__init__(
            f"服务器时钟（{now}）早于最近一次保存的时间（{last}）：时钟被调回或不准，"
            "这时登记的日期（公示张贴、办结、编号年份）会出错。本次保存未进行，未做任何改动。"
            "请管理员把服务器时间校准（对时）后再办理。"
        )


class BadEnvironment(StoreError):
    """cunwu is run in a way that would damage the data (a non-UTF-8 filesystem encoding)."""

    exit_code = EXIT_USAGE


class SchemaTooNew(StoreError):
    """The data file was written by a newer version of cunwu."""


# ---------------------------------------------------------------------------------- refusals


class TooEarly(Refused):
    """A step with a minimum period (公示不少于7日) completed before its first allowed day,
    without a reason for completing it early."""

    def __init__(
        self, message: str, *, case: str, step_id: str, step_title: str, earliest: dt.date, rule: str, outcome: str
    ) -> None:
        super().__init__(message)
        self.case = case
        """The case's number."""
        self.step_id = step_id
        """The step's id in its matter (``publicize``)."""
        self.step_title = step_title
        """The step as the county document names it (公示7日)."""
        self.earliest = earliest
        """The first day the step may be completed."""
        self.rule = rule
        """The time rule in words (不少于7日)."""
        self.outcome = outcome
        """The outcome asked for (无异议): completing it early keeps it."""


class Needed(StrEnum):
    """What a step still needs before it can be completed with the outcome asked for."""

    NOTICE = "notice"
    """The step's 公示, posted (its posting day starts the period)."""
    OBJECTION = "objection"
    """An objection (异议) registered on the step's 公示, for an outcome that says there was one."""
    SEAL = "seal"
    """The seal-register entry (用印登记) of the step's seal use."""
    VERDICT = "verdict"
    """The 核实结果 of every objection on the case's 公示, for the step that verifies them."""


class NeedsRecord(Refused):
    """A step that produces a record was completed without it."""

    def __init__(
        self,
        message: str,
        *,
        needed: Needed,
        case: str,
        village: str,
        step_id: str,
        step_title: str,
        notice: str = "",
        objections: tuple[int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.needed = needed
        """Which record is missing."""
        self.case = case
        """The case's number."""
        self.village = village
        """The case's village (a seal use is registered for it)."""
        self.step_id = step_id
        """The step's id in its matter."""
        self.step_title = step_title
        """The step as the county document names it."""
        self.notice = notice
        """The step's notice number, when an objection or its 核实结果 is what is missing."""
        self.objections = objections
        """The numbers (1-based) of the notice's objections still without a 核实结果."""


class VerdictContradicts(Refused):
    """An outcome that contradicts the 核实结果 entered for the notice's objections (异议不成立
    while one was upheld, or 异议成立 while none was)."""

    def __init__(self, message: str, *, case: str, notice: str, outcome: str, upheld: tuple[int, ...]) -> None:
        super().__init__(message)
        self.case = case
        """The case's number."""
        self.notice = notice
        """The notice whose objections were decided."""
        self.outcome = outcome
        """The outcome asked for."""
        self.upheld = upheld
        """The numbers (1-based) of the objections found 成立."""


class Blocked(StrEnum):
    """Why the last completed step of a case cannot be reopened."""

    CLOSED = "closed"
    """The case is closed (办结, 终止 or 撤回): nothing of it can be reopened."""
    NOTHING_DONE = "nothing_done"
    """No step has been completed yet."""
    RECORDED = "recorded"
    """Something is already recorded at the current step (ticks, a note, a notice, a meeting …)."""


class CannotReopen(Refused):
    """The last completed step of a case cannot be reopened (``Blocked`` says why)."""

    def __init__(
        self,
        message: str,
        *,
        case: str,
        blocked: Blocked,
        status: str = "",
        step_id: str = "",
        step_title: str = "",
        recorded: tuple[str, ...] = (),
        records: tuple[str, ...] = (),
        ticked: bool = False,
    ) -> None:
        super().__init__(message)
        self.case = case
        """The case's number."""
        self.blocked = blocked
        """Why it cannot be reopened."""
        self.status = status
        """The case's status in words (已办结 …) when it is closed."""
        self.step_id = step_id
        """The current step's id (what is recorded is recorded there)."""
        self.step_title = step_title
        self.recorded = recorded
        """What is recorded at the current step, one item each, in words."""
        self.records = records
        """The numbers of the records linked to the current step (notice, meeting, seal use)."""
        self.ticked = ticked
        """Ticks, materials or a note are saved at the current step: the person may clear them."""


class CaseClosed(Refused):
    """A case that is already closed cannot be withdrawn or terminated."""

    def __init__(self, message: str, *, case: str, status: str) -> None:
        super().__init__(message)
        self.case = case
        """The case's number."""
        self.status = status
        """Its status in words (已办结, 已终止, 已撤回)."""


class OutOfScope(Refused):
    """A record of a village the account may not see or change."""

    def __init__(self, message: str, *, account: str, role: str, village: str, villages: tuple[str, ...]) -> None:
        super().__init__(message)
        self.account = account
        """The OS account."""
        self.role = role
        """Its role (村干部, 监委会 …)."""
        self.village = village
        """The village of the record asked for."""
        self.villages = villages
        """The villages the account is listed for (empty: none named yet)."""


class NotListed(Refused):
    """An account that is not in the data directory's staff list (人员名单)."""

    def __init__(self, account: str) -> None:
        super().__init__(
            f"账号 {account} 不在本数据目录的人员名单中，只能查看 57 个事项和检查运行环境。"
            "请管理员登记本账号（姓名、角色和所在村）后再办理。"
        )
        self.account = account
        """The OS account."""


class StdinOnly(Refused):
    """On the shared server, a file a person names is read from standard input, never opened
    by the service account."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what
        """``backup`` (a restore's archive) or ``anchor`` (a copy of the anchor)."""


class OwnFolderOnly(Refused):
    """On the shared server, exports and backups go only to the person's own export folder."""

    def __init__(self, message: str, *, folder: str) -> None:
        super().__init__(message)
        self.folder = folder
        """The person's own export folder."""


class StdinEmpty(BadInput):
    """A backup was to come on standard input, and nothing came."""


class JournalUnchecked(Refused):
    """The current journal cannot be checked, so a backup cannot be checked against it."""


class WrapperOnly(Refused):
    """On the shared server, ``--to`` is done by the wrapper as the person, not by the service
    account."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name
        """The file's name in the person's export folder."""


# ---------------------------------------------------------------------------------- not found


class NoSuchMatter(NotFound):
    """A matter id that is not in the catalogue."""

    def __init__(self, matter_id: str) -> None:
        super().__init__(f"没有编号为“{matter_id}”的事项。")
        self.matter_id = matter_id
        """The id as given."""


class NoSuchVillage(NotFound):
    """A village that is not in the township's list."""

    def __init__(self, village: str, known: tuple[str, ...]) -> None:
        listed = "、".join(known) or "（尚未设置）"
        super().__init__(f"“{village}”不在本乡镇的村名单中（{listed}）；新增村须由管理员在设置中添加。")
        self.village = village
        """The name as given."""
        self.known = known
        """The township's villages."""


class NotAnExport(NotFound):
    """A name that is not a file the person may take out of their export folder."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name
        """The name as given."""


class BadExportName(BadInput):
    """A name that cannot be the name of an exported file (a path, too long)."""


# ---------------------------------------------------------------------------------- data problems


class LockTimeout(StoreError):
    """Another process held the write lock too long."""

    def __init__(self, holder: str = "") -> None:
        who = f"（{holder}）" if holder else ""
        super().__init__(f"其他同事正在保存{who}，请稍候重试。")
        self.holder = holder
        """Who holds the lock, as its holder wrote it (name, account, process); may be empty."""


class Conflict(StoreError):
    """The record changed since it was read (another user saved it first)."""

    def __init__(
        self,
        message: str,
        *,
        number: str = "",
        expected_rev: int | None = None,
        current_rev: int | None = None,
        by: str = "",
        at: str = "",
    ) -> None:
        super().__init__(message)
        self.number = number
        """The record's number."""
        self.expected_rev = expected_rev
        """The version the change was based on (None: not a version conflict)."""
        self.current_rev = current_rev
        """The version stored now."""
        self.by = by
        """Who saved the stored version (the name they had then)."""
        self.at = at
        """When (ISO date and time)."""


class StepMismatch(Conflict):
    """``cunwu case step --step``: the case is not at the step the person meant to complete."""

    def __init__(
        self,
        *,
        case: str,
        wanted: str,
        wanted_title: str,
        wanted_position: int,
        current: str,
        current_title: str,
        current_position: int,
        done_by: str = "",
        done_at: str = "",
        outcome: str = "",
    ) -> None:
        now = f"现在在第{current_position}步“{current_title}”" if current else "已结束"
        if done_by:
            result = f"（{outcome}）" if outcome and outcome != DONE_LABEL else ""
            done = f"第{wanted_position}步已由 {done_by} 于 {done_at} 完成{result}"
        else:
            done = f"第{wanted_position}步尚未办理"
        super().__init__(
            f"办件 {case} {now}，不是第{wanted_position}步“{wanted_title}”；{done}。"
            "未做任何改动，请查看办件的最新状态后再办理。",
            number=case,
            by=done_by,
            at=done_at,
        )
        self.case = case
        """The case's number."""
        self.wanted = wanted
        """The id of the step the person meant to complete."""
        self.wanted_title = wanted_title
        self.wanted_position = wanted_position
        """Its number in the flow (1-based, as the case's page shows it)."""
        self.current = current
        """The id of the step the case is at now (empty: the case has ended)."""
        self.current_title = current_title
        self.current_position = current_position
        self.done_by = done_by
        """Who completed the wanted step last (empty: not done)."""
        self.done_at = done_at
        """When (ISO date and time)."""
        self.outcome = outcome
        """With which outcome."""


class DataDamaged(StoreError):
    """A data file cannot be read; nothing was written.

    ``path`` and ``reason`` are given for a file of the data directory; a village's data file
    (``cases/<村>/<年>.json``) then also names its village and year, which can be rebuilt."""

    def __init__(self, message: str, *, path: Path | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        """The damaged file (None when the damage is not one file's, e.g. a backup archive)."""
        self.reason = reason
        """Why it cannot be read."""
        village, year = "", 0
        # A village's data file is cases/<村>/<年>.json (store.db.Partition).
        if path is not None and len(path.parts) >= 3 and path.parts[-3] == "cases" and path.suffix == ".json":
            village, year = (path.parts[-2], int(path.stem)) if path.stem.isdigit() else ("", 0)
        self.village = village
        """The village whose records the file holds (empty when not a village's data file)."""
        self.year = year
        """The year of those records (0 when not a village's data file)."""
