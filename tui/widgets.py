"""Textual widgets as a cadre reads them: Chinese key labels where Textual's own are English."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


class DropdownList(SelectOverlay):
    """The open list of a drop-down; its footer key reads 收起, not "Dismiss menu"."""

    BINDINGS = [Binding("escape", "dismiss", "收起", key_display="Esc")]


class Dropdown(Select[Any]):
    """A Select whose open list speaks Chinese (every drop-down of the app is one)."""

    def compose(self) -> ComposeResult:
        # Select.compose with the overlay replaced; Select finds it by its base type.
        yield SelectCurrent(self.prompt)
        yield DropdownList(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class Panel(VerticalScroll, can_focus=False):
    """A scrolling column of fields that is never a Tab stop of its own (an invisible stop
    swallowed the next key): its fields are, and the focused field scrolls into view. It opens
    at its top, so the line above the first field (what the form is for) stays in sight."""

    def on_mount(self) -> None:
        self.call_after_refresh(self.scroll_home, animate=False)
