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
