"""Modal dialogs returning a value (ModalScreen[T]); user text is always shown literally."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class MessageDialog(ModalScreen[None]):
    """A message to read; any of Enter/Escape closes it."""

    BINDINGS = [Binding("escape,enter", "close", "关闭", key_display="Esc/回车")]

    def __init__(self, title: str, message: str):
        super().__init__()
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-body")
            yield Label(Content("按 回车 或 Esc 关闭"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of several labels (e.g. 通过 / 未通过); Escape gives None."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, choices: list[str], note: str = ""):
        super().__init__()
        self.title_text, self.choices, self.note = title, choices, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            if self.note:
                yield Static(Content(self.note), classes="dialog-body")
            yield OptionList(*[Option(Content(f"{i}. {c}"), id=str(i)) for i, c in enumerate(self.choices, start=1)])
            yield Label(Content("上下键选择，回车确认；也可按数字键；Esc 取消"), classes="dialog-hint")

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.choices):
            event.stop()
            self.dismiss(self.choices[int(event.character) - 1])

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or "1") - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text (a reason, a number); empty input is not accepted."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, prompt: str, value: str = ""):
        super().__init__()
        self.title_text, self.prompt, self.value = title, prompt, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.prompt), classes="dialog-body")
            yield Input(self.value, id="answer")
            yield Label(Content("回车确认，Esc 取消"), classes="dialog-hint")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify("请填写后再按回车", severity="warning", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReadDialog(ModalScreen[None]):
    """A longer text to read: it scrolls with the arrow keys; Enter or Escape closes it."""

    BINDINGS = [Binding("escape,enter", "close", "关闭", key_display="Esc/回车")]

    def __init__(self, title: str, text: str):
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            with VerticalScroll(classes="read-body"):
                yield Static(Content(self.text))
            yield Label(Content("上下键滚动；回车或 Esc 关闭"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
