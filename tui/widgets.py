"""Textual widgets as a cadre reads them: Chinese key labels where Textual's own are English."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Select
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


class KeyFooter(Footer):
    """The footer, rebuilt only when the keys it shows change. Textual's rebuilds its keys on
    every change of focus (three times before the first screen is up, each a round of CSS
    work for every key) even when the keys shown stay the same."""

    _shown: tuple[tuple[object, ...], ...] | None = None
    """The keys the footer was last built with."""

    def shown_keys(self, screen: Screen[Any]) -> tuple[tuple[object, ...], ...]:
        return tuple(
            (b.key, b.action, b.description, b.key_display, enabled, tooltip, b.group)
            for _node, b, enabled, tooltip in screen.active_bindings.values()
            if b.show
        )

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._shown is not None and screen is self.screen and self.shown_keys(screen) == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self.shown_keys(self.screen)
        yield from super().compose()
