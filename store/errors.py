"""Errors the store raises, each with a Chinese message that says what to do, and an exit code."""

from __future__ import annotations

EXIT_REFUSED, EXIT_USAGE, EXIT_DATA = 1, 2, 3


class StoreError(Exception):
    """Base class: ``str(error)`` is the message for the user; ``exit_code`` for the CLI."""

    exit_code = EXIT_DATA


class BadInput(StoreError):
    """User text or an argument that cannot be accepted; nothing was changed."""

    exit_code = EXIT_USAGE


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


class LockTimeout(StoreError):
    """Another process held the write lock too long."""

    def __init__(self, holder: str = "") -> None:
        who = f"（{holder}）" if holder else ""
        super().__init__(f"其他同事正在保存{who}，请稍候重试。")


class BadEnvironment(StoreError):
    """cunwu is run in a way that would damage the data (a non-UTF-8 filesystem encoding)."""

    exit_code = EXIT_USAGE


class Conflict(StoreError):
    """The record changed since it was read (another user saved it first)."""


class DataDamaged(StoreError):
    """A data file cannot be read; nothing was written."""


class SchemaTooNew(StoreError):
    """The data file was written by a newer version of cunwu."""
