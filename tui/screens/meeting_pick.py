"""Choosing a meeting from a village's list instead of typing its number through the IME."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from store.meetings import STATES
from tui.screens.base import literal
from tui.screens.meeting_list import results
from tui.tables import clip

if TYPE_CHECKING:
    from tui.app import CunwuApp


def meeting_choice(m: dict[str, Any]) -> str:
    """Two lines: number, date and state; then kind·title and every item's result."""
    return f"{m['number']}  {m['start'][:10]}  [{STATES[m['state']]}]\n   {clip(m['kind'] + '·' + m['title'], 38)}  {results(m)}"


class MeetingPickDialog(ModalScreen[str | None]):
    """A village's meetings, newest first; Enter gives the chosen number, Escape None."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, village: str, title: str = "选择会议"):
        super().__init__()
        self.village, self.title_text = village, title
        self.numbers: list[str] = []

    def compose(self) -> ComposeResult:
        app = cast("CunwuApp", self.app)
        found = app.attempt(lambda: app.site.meetings.find(self.village)) or []
        found = sorted(found, key=lambda m: (m["start"], m["number"]), reverse=True)
        self.numbers = [m["number"] for m in found]
        with Vertical(classes="dialog", id="meeting-pick"):
            yield Label(
                literal(f"{self.title_text}（{self.village}，{len(found)} 份，新的在前）"), classes="dialog-title"
            )
            if found:
                yield OptionList(*[Option(literal(meeting_choice(m)), id=m["number"]) for m in found])
                yield Label(literal("上下键选择，回车确认；Esc 取消"), classes="dialog-hint")
            else:
                yield Label(
                    literal(f"{self.village}还没有会议记录：请先在会议记录列表中登记会议。按 Esc 返回。"),
                    classes="dialog-body",
                )

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
