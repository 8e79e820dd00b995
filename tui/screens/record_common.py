"""What the record forms and lists share: a form screen returning a value, field helpers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, SelectionList, Static, TextArea

from store.errors import BadInput
from tui.dialogs import ChoiceDialog
from tui.screens.base import BaseScreen, ScreenParts, literal

if TYPE_CHECKING:
    from tui.app import CunwuApp


def cell(text: object) -> Text:
    """A DataTable cell shown literally (rich Text: never markup, and measured for the column width)."""
    return Text(str(text), no_wrap=True, end="")


def lines(text: str) -> list[str]:
    """Non-empty lines of a TextArea, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def count(text: str, what: str) -> int | None:
    """A count as typed (full-width digits accepted); None when empty; BadInput when not a number."""
    clean = unicodedata.normalize("NFKC", text).strip()
    if not clean:
        return None
    if not clean.isdigit():
        said = "不能是负数" if clean.lstrip("-").isdigit() else "只能填数字"
        raise BadInput(f"{what}{said}：填写了“{text.strip()}”，请填 0 或更大的整数，如 1。未保存。")
    return int(clean)


def indexed(text: str, what: str) -> list[tuple[int, str]]:
    """``序号:内容`` lines; a line that does not start with a number continues the previous one."""
    out: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = unicodedata.normalize("NFKC", raw[:8]) + raw[8:]
        match = re.match(r"\s*(\d+)\s*[:：.、]\s*", line)
        if match:
            out.append((int(match[1]), line[match.end() :].strip()))
        elif out:
            index, previous = out[-1]
            out[-1] = (index, f"{previous}\n{raw.strip()}".strip())
        elif raw.strip():
            raise BadInput(f"{what}“{raw.strip()}”格式不对，开头应为议题序号，如 1:…")
    return out


def field_values(screen: Screen[Any]) -> dict[str, object]:
    """What every field of ``screen`` holds now (text, choice, tick), by the field's place on the screen."""
    values: dict[str, object] = {}
    for n, widget in enumerate(screen.query("Input, TextArea, Select, Checkbox, SelectionList")):
        key = f"{widget.id or ''}#{n}"
        if isinstance(widget, TextArea):
            values[key] = widget.text
        elif isinstance(widget, SelectionList):
            values[key] = sorted(map(str, widget.selected))
        else:
            values[key] = getattr(widget, "value", None)
    return values


class FormScreen(ScreenParts, Screen[str | None]):
    """A full-screen form that dismisses with the saved record's number (Escape: nothing saved).

    It remembers its fields as they were when it opened: Esc (``CunwuApp.action_leave``) and
    quitting ask 保存 / 放弃 / 继续编辑 when they differ, and leave at once when they do not."""

    COMMANDS_KEY = "form"
    saved_as: str | None = None
    """The number the form saved (None until it has)."""
    baseline: dict[str, object] | None = None

    def on_mount(self) -> None:
        """Runs after the form's own on_mount (Textual calls each class's handler): the fields as opened."""
        self.baseline = field_values(self)

    def unsaved(self) -> bool:
        return self.saved_as is None and self.baseline is not None and field_values(self) != self.baseline

    def save_work(self) -> bool:
        save = getattr(self, "action_save", None)
        if save is not None:
            save()
        return self.saved_as is not None

    def value(self, selector: str) -> str:
        widget = self.query_one(selector)
        if isinstance(widget, TextArea):
            return widget.text
        return cast(Input, widget).value

    @on(Input.Submitted)
    def next_field(self) -> None:
        """Enter in a one-line field goes to the next one (saving is F2/Ctrl+S only)."""
        self.focus_next()

    def save_with(self, work: Callable[[], str]) -> None:
        """Run ``work`` (which saves and returns the number) through the app; dismiss when saved."""
        number = self.cunwu.attempt(work)
        if number:
            self.saved_as = number
            self.notify(f"已保存：{number}", markup=False)
            if self.app.screen is self:
                self.dismiss(number)


def field(label: str, widget: Widget) -> Vertical:
    """A label above its input."""
    return Vertical(Label(literal(label)), widget, classes="field")


def choose_village(screen: Screen[Any], then: Callable[[str], object]) -> None:
    """Call ``then`` with the only village, or the one the user picks when there are several."""
    villages = list(cast("CunwuApp", screen.app).site.villages)
    if len(villages) == 1:
        then(villages[0])
        return

    def picked(choice: str | None) -> None:
        if choice:
            then(choice)

    screen.app.push_screen(ChoiceDialog("哪个村？", villages), picked)


def text_input(value: str = "", placeholder: str = "", id: str | None = None) -> Input:
    field = Input(value, placeholder=placeholder, id=id, select_on_focus=False)
    field.cursor_blink = False
    return field


def text_area(value: str = "", id: str | None = None) -> TextArea:
    area = TextArea(value, id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
    area.cursor_blink = False
    return area


class Tick(Checkbox):
    """A checkbox whose state is written in its label ([√] / [ ]), not shown by colour alone."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""

    def __init__(self, text: str, value: bool = False, *, id: str | None = None):
        self.tick_text = text
        super().__init__(self.shown(value), value, id=id)

    def shown(self, value: bool) -> Content:
        return literal(("[√] " if value else "[ ] ") + self.tick_text)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.label = self.shown(event.value)


class RecordPage(BaseScreen):
    """A read-only page of one record (a meeting's minutes, a notice), re-read on refresh."""

    WHAT = ""
    """What the record is called, e.g. 会议记录."""

    def __init__(self, number: str):
        super().__init__()
        self.number = number
        self.record: dict[str, Any] | None = None

    def lines(self, record: dict[str, Any]) -> list[str]:
        """The page's text for ``record``, line by line (each kind of page says its own)."""
        raise NotImplementedError

    def load(self) -> dict[str, Any]:
        """The record from the store by its number (raises the store's errors)."""
        return self.site.linked(self.number)[1]

    def compose(self) -> ComposeResult:
        yield self.header()
        with VerticalScroll(id="page"):
            yield Static(id="page-text")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.WHAT} {self.number}"
        self.refresh_data()
        self.query_one("#page").focus()

    def refresh_data(self) -> None:
        self.record = self.cunwu.attempt(self.load)
        text = "\n".join(self.lines(self.record)) if self.record else f"没有找到{self.WHAT} {self.number}"
        self.query_one("#page-text", Static).update(literal(text))
