"""A 整改事项 to read, from home (an overdue one) or wherever its number is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procedures import idnumber
from store.rectifications import describe
from tui.dialogs import ReadDialog

if TYPE_CHECKING:
    from tui.screens.base import BaseScreen


def show_rectification(screen: BaseScreen, number: str) -> None:
    """Its page: problem, measure, who, by when, progress, 完成 and 销号 (ID numbers masked)."""
    record = screen.cunwu.attempt(lambda: screen.site.rectifications.get(number))
    if record is not None:
        lines = describe(idnumber.mask_in_data(record), screen.today)
        screen.app.push_screen(ReadDialog(f"整改事项 {number}", "\n".join(lines)))
