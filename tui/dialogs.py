"""Modal dialogs returning a value (ModalScreen[T]); user text is always shown literally.

Two questions guard work and records: ``ask_unsaved`` (保存 / 放弃 / 继续编辑, default
继续编辑) before typed work is left, and ``confirm`` (取消 / the act, default 取消) before
anything that cannot be undone. Neither takes a digit or a stray Escape as a yes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

SAVE, DISCARD, KEEP = "保存", "放弃", "继续编辑"
CANCEL = "取消"


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


class MarkedList(OptionList):
    """An OptionList whose highlighted choice is marked with ``>`` (never shown by colour alone:
    a 16-colour terminal must still show which answer Enter gives)."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return line
        mark = "> " if index == self.highlighted and not offset else "  "
        first = next(iter(line), None)
        style = first.style if first is not None and first.style is not None else self.rich_style
        return Strip([Segment(mark, style), *line])


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of several labels (e.g. 通过 / 未通过); Escape gives None.

    ``default`` is the choice highlighted at first (what Enter picks); ``digits`` lets the
    number keys pick a choice (off for the questions that guard work or records)."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, choices: list[str], note: str = "", *, default: str = "", digits: bool = True):
        super().__init__()
        self.title_text, self.choices, self.note = title, choices, note
        self.default, self.digits = default, digits
        self.answered = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            if self.note:
                yield Static(Content(self.note), classes="dialog-body")
            if self.digits:
                options = [Option(Content(f"{i}. {c}"), id=str(i)) for i, c in enumerate(self.choices, start=1)]
                hint = "上下键选择，回车确认；也可按数字键；Esc 取消"
            else:
                options = [Option(Content(f"[ {c} ]"), id=str(i)) for i, c in enumerate(self.choices, start=1)]
                # Escape gives None: it means the default only where the caller treats None so.
                hint = (
                    f"上下键选择，回车确认；Esc 即“{self.default}”"
                    if self.default in (KEEP, CANCEL)
                    else "上下键选择，回车确认；Esc 返回，不做选择"
                )
            yield MarkedList(*options)
            yield Label(Content(hint), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.choices.index(self.default) if self.default in self.choices else 0
        options.focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if not self.digits:
            return
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.choices):
            event.stop()
            self.answer(self.choices[int(event.character) - 1])

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.answer(self.choices[int(event.option.id or "1") - 1])

    def action_cancel(self) -> None:
        self.answer(None)

    def answer(self, choice: str | None) -> None:
        """Close with ``choice``, once: a second key of the same burst ("12" typed fast) reaches the
        dialog while it is closing, and dismissing it again closed the screen beneath."""
        if self.answered:
            return
        self.answered = True
        self.dismiss(choice)


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text (a reason, a number); empty input is not accepted. Escape
    after typing asks before the text is thrown away."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, prompt: str, value: str = ""):
        super().__init__()
        self.title_text, self.prompt, self.value = title, prompt, value

    def unsaved(self) -> bool:
        typed = self.query_one("#answer", Input).value
        return bool(typed.strip()) and typed != self.value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.prompt), classes="dialog-body")
            yield Input(self.value, id="answer")
            yield Label(Content("回车确认，Esc 取消"), classes="dialog-hint")

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        typed = self.query_one("#answer", Input).value
        if typed.strip():
            self.dismiss(typed.strip())
        else:
            self.notify("请填写后再按回车", severity="warning", markup=False)

    def action_cancel(self) -> None:
        ask_unsaved(
            self, self.unsaved(), save=self.submit, leave=lambda: self.dismiss(None), what=f"“{self.title_text}”"
        )


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


def ask_unsaved(
    screen: Screen[Any], unsaved: bool, *, save: Callable[[], object], leave: Callable[[], object], what: str = ""
) -> None:
    """Leave at once when nothing is unsaved; otherwise ask 保存 / 放弃 / 继续编辑. The default
    (Enter) and Escape both mean 继续编辑, so a stray key never throws work away: an Escape
    meant for the input method, then Enter, leaves the form as it was."""
    if not unsaved:
        leave()
        return

    def answered(choice: str | None) -> None:
        if choice == SAVE:
            save()
        elif choice == DISCARD:
            leave()

    note = f"{what or '本表'}有未保存的内容。\n保存：检查后保存；放弃：所填内容丢失；继续编辑：回到原处。"
    screen.app.push_screen(
        ChoiceDialog("有未保存的内容", [SAVE, DISCARD, KEEP], note, default=KEEP, digits=False), answered
    )


def confirm(
    screen: Screen[Any], title: str, body: str, act: str, then: Callable[[], object], *, cannot_undo: str
) -> None:
    """Ask before an act that cannot be undone: the dialog shows what will be done (``body``)
    and what cannot be undone afterwards; its default (Enter) and Escape are 取消; only
    choosing ``act`` runs ``then``."""
    note = f"{body}\n不能撤销：{cannot_undo}" if body else f"不能撤销：{cannot_undo}"

    def answered(choice: str | None) -> None:
        if choice == act:
            then()

    screen.app.push_screen(ChoiceDialog(title, [CANCEL, act], note, default=CANCEL, digits=False), answered)
