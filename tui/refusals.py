"""What the terminal app adds to a store error: the key or screen that does what it asks, chosen
by the error's type and fields (the command line adds commands instead: ``tui.cli_hints``).
Nothing here reads a message's text; the keys come from the one registry of commands."""

from __future__ import annotations

from store.errors import (
    Blocked,
    CannotReopen,
    Conflict,
    DataDamaged,
    Needed,
    NeedsRecord,
    NoSuchMatter,
    StoreError,
    TooEarly,
    VerdictContradicts,
)
from tui.commands import SCREENS


def key(screen: str, command: str) -> str:
    """The keys of a command as the help shows them (``F6/d``)."""
    return next(c.key_display for c in SCREENS[screen] if c.id == command)


def hint(exc: StoreError) -> str:
    """Where in the app to do what ``exc`` asks, as one sentence; empty when there is nothing to add."""
    if isinstance(exc, TooEarly):
        return f"如确需提前，在办件页按 {key('case', 'complete')} 完成本步时选择“填写理由强制完成”。"
    if isinstance(exc, NeedsRecord):
        if exc.needed is Needed.NOTICE:
            return f"在办件页按 {key('case', 'register')} 登记公示。"
        if exc.needed is Needed.OBJECTION:
            return f"在办件页按 {key('case', 'register')} 登记异议（公示页按 {key('notice', 'object')}）。"
        if exc.needed is Needed.VERDICT:
            return f"在公示和用印列表中打开公示 {exc.notice}，按 {key('notice', 'decide')} 登记每条异议的核实结果。"
        return f"在办件页按 {key('case', 'register')} 登记用印，再按 {key('case', 'complete')} 完成本步。"
    if isinstance(exc, VerdictContradicts):
        return f"在公示和用印列表中打开公示 {exc.notice}，按 {key('notice', 'decide')} 查看或更正核实结果。"
    if isinstance(exc, CannotReopen) and exc.blocked is Blocked.RECORDED and exc.ticked:
        return (
            f"勾选和备注：在办件页取消勾选、清空备注后按 {key('case', 'save')} 暂存，"
            f"再按 {key('case', 'reopen')} 重开上一步。"
        )
    if isinstance(exc, Conflict):
        return f"按 {key('case', 'refresh')} 重新读取最新内容（在填写的表中先按 Esc 返回）。"
    if isinstance(exc, DataDamaged) and exc.village:
        return f"请联系管理员修复{exc.village}{exc.year}年的数据文件；修好之前，这些记录不能查看和办理。"
    if isinstance(exc, NoSuchMatter):
        return f"在首页按 {key('home', 'catalog')} 查看全部事项。"
    return ""


def message(exc: StoreError) -> str:
    """The store's message, and on the next line where to do what it asks."""
    more = hint(exc)
    return f"{exc}\n{more}" if more else str(exc)
