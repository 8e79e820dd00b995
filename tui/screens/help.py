"""F1/?: the keys of the screen you came from, from the one command registry."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.commands import commands_for


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,enter", "close", "关闭", key_display="Esc")]

    def __init__(self, screen_key: str):
        super().__init__()
        self.screen_key = screen_key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label(Content("按键说明"), classes="dialog-title")
            with VerticalScroll():
                # Two columns: keys in a column of fixed width (counted in cells: 回车 is four), the
                # text beside them, wrapping within its own column.
                for command in commands_for(self.screen_key):
                    with Horizontal(classes="help-row"):
                        yield Static(Content(command.key_display), classes="help-keys")
                        yield Static(Content(f"{command.label}：{command.help}"), classes="help-text")
                yield Static(Content("上下键移动，回车打开；F 键失灵时用斜杠后的字母键或 Ctrl 键。"))
            yield Label(Content("Esc 关闭"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
