"""整改: the 整改事项 the account may see, by village and status, overdue first; progress notes,
完成 by the village, 销号 by the 监委会 or the 乡镇, 无需整改 by the 乡镇, a new item from an
inspection, and the 整改台账 (.xlsx). Every act goes through ``store.rectifications``, whose
rules decide and whose words a refusal shows. A 整改事项 to read (``show_rectification``) is
also opened from home (an overdue one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from procedures import idnumber
from store.rectifications import CLOSE, DONE, FINISH, OPEN, STATES, WAIVE, describe, overdue
from store.site import Site
from tui.commands import bindings_for
from tui.dialogs import CANCEL, MarkedList, ReadDialog, TextDialog, ask_unsaved
from tui.screens.base import BaseScreen, literal
from tui.screens.record_common import FormScreen, choose_village, field, text_area, text_input
from tui.tables import Pager, clip, columns, short_number
from tui.widgets import Dropdown, Panel

ALL = "*"
"""The drop-down value for 全部村 / 全部 (every state)."""
LATE = "late"
"""The status drop-down's 已逾期: open after its deadline."""
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("全部", ALL),
    *((label, state) for state, label in STATES.items()),
    ("已逾期", LATE),
)
LATE_WORD = "【已逾期】"


def show_rectification(screen: BaseScreen, number: str) -> None:
    """Its page: problem, measure, who, by when, progress, 完成 and 销号 (ID numbers masked)."""
    record = screen.cunwu.attempt(lambda: screen.site.rectifications.get(number))
    if record is not None:
        lines = describe(idnumber.mask_in_data(record), screen.today)
        screen.app.push_screen(ReadDialog(f"整改事项 {number}", "\n".join(lines)))


def first_words(text: str) -> str:
    """The first line of a free text (the 问题 column clips it to its width)."""
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def status_text(record: dict[str, Any], today: dt.date) -> Text:
    """整改中, 已完成待销号 … ; an overdue one 【已逾期】整改中 in red (the word says it, not the colour alone)."""
    word = STATES[record["state"]]
    if overdue(record, today):
        return Text(f"{LATE_WORD}{word}", style="bold red")
    return Text(word)


def listed(records: list[dict[str, Any]], status: str, today: dt.date) -> list[dict[str, Any]]:
    """The records the status filter lets through, overdue first, then by deadline and number."""
    if status == LATE:
        records = [r for r in records if overdue(r, today)]
    elif status != ALL:
        records = [r for r in records if r["state"] == status]
    return sorted(records, key=lambda r: (not overdue(r, today), r["deadline"], r["number"]))


class ActDialog(ModalScreen[str | None]):
    """An act that cannot be undone (完成, 销号, 无需整改) with the text it records: returns the
    text, or None. The buttons are 取消 then the act, 取消 highlighted; Enter in the text field
    goes to them (with nothing typed it is 取消); Escape after typing asks before the text is lost."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, body: str, prompt: str, placeholder: str, act: str):
        super().__init__()
        self.title_text, self.body, self.prompt = title, body, prompt
        self.placeholder, self.act = placeholder, act

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="act-dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.body), classes="dialog-body")
            yield Label(Content(self.prompt))
            yield Input(id="act-text", placeholder=self.placeholder)
            yield MarkedList(*[Option(Content(f"[ {c} ]"), id=c) for c in (CANCEL, self.act)])
            yield Label(
                Content("填写后回车，再用上下键选择、回车确认；默认为取消；不填回车即取消"), classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one("#act-text", Input).focus()

    def typed(self) -> str:
        return self.query_one("#act-text", Input).value.strip()

    @on(Input.Submitted, "#act-text")
    def text_done(self) -> None:
        if not self.typed():
            self.dismiss(None)  # Enter with nothing typed: the default, 取消
            return
        self.to_buttons()

    def to_buttons(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0  # 取消: the default
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id != self.act:
            self.dismiss(None)
            return
        if not self.typed():
            self.notify(f"请先填写：{self.prompt.rstrip('：')}", severity="warning", markup=False)
            self.query_one("#act-text", Input).focus()
            return
        self.dismiss(self.typed())

    def action_cancel(self) -> None:
        # 保存 goes to the buttons, where 取消 is still the default: the act is never taken unasked.
        ask_unsaved(self, bool(self.typed()), save=self.to_buttons, leave=lambda: self.dismiss(None), what="本页")


class RectifyFormScreen(FormScreen):
    """A 整改事项 from an inspection (检查发现) in ``village``: the fields of ``cunwu rectify new``."""

    BINDINGS = bindings_for("form")

    def __init__(self, village: str):
        super().__init__()
        self.village = village

    def compose(self) -> ComposeResult:
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(
                literal(f"{self.village}：登记检查发现的问题的整改事项。F2/Ctrl+S 保存，Esc 取消。"), classes="hint"
            )
            yield field("问题", text_area("", "problem"))
            yield field("整改措施", text_area("", "measure"))
            with Horizontal(classes="row"):
                yield field("责任人", text_input("", "姓名", "responsible"))
                due = (self.today + dt.timedelta(days=30)).isoformat()
                yield field("整改期限", text_input(due, "如 2026-12-31", "deadline"))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"登记整改 · {self.village}"
        self.query_one("#problem").focus()

    def action_save(self) -> None:
        def work() -> str:
            fields = {
                "source": "inspection",
                "problem": self.value("#problem"),
                "measure": self.value("#measure"),
                "responsible": self.value("#responsible"),
                "deadline": self.value("#deadline"),
            }
            saved = self.site.rectifications.new(self.site.operator, self.cunwu.now, self.village, fields)
            return str(saved["number"])

        self.save_with(work)


class RectifyScreen(BaseScreen):
    """The 整改事项 of the villages the account sees, filtered by village and status."""

    COMMANDS_KEY = "rectify"
    BINDINGS = bindings_for("rectify")

    def __init__(self) -> None:
        super().__init__()
        self.pages: Pager[dict[str, Any]] = Pager(lambda r: str(r["number"]), self.cells)
        """The records listed, a page at a time (``tui.tables.Pager``)."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="summary", classes="title")
        villages = [(Text("全部村"), ALL), *[(Text(v), v) for v in self.site.villages]]
        with Horizontal(id="filters"):
            yield Dropdown(villages, allow_blank=False, value=ALL, id="village")
            yield Dropdown(
                [(Text(label), value) for label, value in STATUS_CHOICES], allow_blank=False, value=ALL, id="fix-status"
            )
        table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=False, id="fixes")
        # 2 cells of padding a column: 78 of 80 columns; the line below shows the item's words in full.
        columns(table, [("村", 8), ("编号", 11), ("状态", 16), ("期限", 10), ("责任人", 6), ("问题", 15)])
        yield table
        yield Static(id="detail", classes="hint")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "整改"
        self.refresh_data()
        self.query_one("#fixes", DataTable).focus()

    # ---- the list

    def village(self) -> str:
        """The village filtered ("" for 全部村)."""
        value = self.query_one("#village", Select).value
        return value if isinstance(value, str) and value != ALL else ""

    def status(self) -> str:
        value = self.query_one("#fix-status", Select).value
        return value if isinstance(value, str) else ALL

    def cells(self, r: dict[str, Any]) -> tuple[str, list[Any]]:
        cells = [
            r["village"],
            short_number(r["number"], r["village"]),
            status_text(r, self.today),
            r["deadline"],
            r["responsible"],
        ]
        return str(r["number"]), [*cells, first_words(r["problem"])]

    def shown_villages(self) -> tuple[str, ...]:
        return (self.village(),) if self.village() else self.site.villages

    def refresh_data(self, select: str = "") -> None:
        village = self.village()
        found = self.cunwu.attempt(lambda: self.site.rectifications.find(village or None)) or []
        rows = listed(idnumber.mask_in_data(found), self.status(), self.today)
        table = self.query_one("#fixes", DataTable)
        self.pages.fill(table, rows, select)
        self.style_late(table)
        late = sum(1 for r in rows if overdue(r, self.today))
        head = f"整改事项 {len(rows)} 项" + (f"（其中已逾期 {late} 项）" if late else "")
        self.query_one("#summary", Static).update(literal(f"{head}：回车查看，F6/d 完成或销号，F7/n 登记"))
        self.show_detail()

    def style_late(self, table: DataTable[object]) -> None:
        """The 状态 cell of an overdue item in red (``tui.tables.add`` keeps only the words)."""
        column = list(table.columns)[2]
        width = table.columns[column].width
        for r in self.pages.rows[: self.pages.shown]:
            if overdue(r, self.today):
                cell = Text(clip(f"{LATE_WORD}{STATES[r['state']]}", width), style="bold red", no_wrap=True, end="")
                table.update_cell(str(r["number"]), column, cell)

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one("#fixes", DataTable)
        rows = self.pages.rows
        return rows[table.cursor_row] if rows and table.cursor_row < min(len(rows), self.pages.shown) else None

    def show_detail(self) -> None:
        r = self.selected()
        text = f"问题：{first_words(r['problem'])}\n措施：{first_words(r['measure'])}" if r else "没有整改事项。"
        self.query_one("#detail", Static).update(literal(text))

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        table = self.query_one("#fixes", DataTable)
        before = self.pages.shown
        self.pages.more(table)
        if self.pages.shown != before:
            self.style_late(table)
        self.show_detail()

    @on(Select.Changed, "#village, #fix-status")
    def filtered(self) -> None:
        self.refresh_data()

    def action_focus_filter(self) -> None:
        self.query_one("#village", Select).focus()

    def action_refresh(self) -> None:
        self.refresh_data()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        r = self.selected()
        if r is not None:
            show_rectification(self, str(r["number"]))

    # ---- what can be done about one

    def picked(self) -> dict[str, Any] | None:
        r = self.selected()
        if r is None:
            self.notify("没有选中整改事项", severity="warning", markup=False)
        return r

    def done_with(self, record: dict[str, Any] | None, said: str) -> None:
        if record is not None:
            self.notify(f"{said}：{record['number']}（{STATES[record['state']]}）", markup=False)
            self.refresh_data(select=str(record["number"]))

    def action_progress(self) -> None:
        r = self.picked()
        if r is None:
            return
        number = str(r["number"])
        if r["state"] != OPEN:
            self.notify(f"{number} 已是“{STATES[r['state']]}”，不能再登记进展", severity="warning", markup=False)
            return

        def written(text: str | None) -> None:
            if text:
                op, now = self.site.operator, self.cunwu.now
                self.done_with(
                    self.cunwu.attempt(lambda: self.site.rectifications.progress(op, now, number, text)), "已登记进展"
                )

        self.app.push_screen(TextDialog("登记整改进展", f"{number}：写明整改进展（做了什么、到了哪一步）："), written)

    def action_settle(self) -> None:
        """F6/d: 完成 for an item 整改中 (the village, with its evidence); 销号 for one done (the
        监委会 or the 乡镇). Both ask first; the default is 取消."""
        r = self.picked()
        if r is None:
            return
        number, state = str(r["number"]), r["state"]
        about = f"问题：{first_words(r['problem'])}\n责任人：{r['responsible']}  期限：{r['deadline']}"
        op = self.site.operator
        if state == OPEN:
            if not self.may(FINISH, r["village"]):
                return

            def finished(evidence: str | None) -> None:
                if evidence:
                    now = self.cunwu.now
                    work = self.site.rectifications.finish
                    self.done_with(self.cunwu.attempt(lambda: work(op, now, number, evidence)), "已登记整改完成")

            body = f"{about}\n不能撤销：登记完成后不能再登记进展，由监委会或乡镇核实后销号。"
            dialog = ActDialog(
                f"登记整改完成：{number}",
                body,
                "整改完成的佐证（做了什么、材料在哪里）：",
                "如：已于12月1日补全并锁定会议记录",
                "登记完成",
            )
            self.app.push_screen(dialog, finished)
        elif state == DONE:
            if not self.may(CLOSE, r["village"]):
                return

            def closed(note: str | None) -> None:
                if note:
                    now = self.cunwu.now
                    work = self.site.rectifications.close
                    self.done_with(self.cunwu.attempt(lambda: work(op, now, number, note)), "已销号")

            proof = r["done"].get("evidence", "")
            body = f"{about}\n完成佐证：{proof}\n不能撤销：销号后这项整改结束，相关提示不再列出。"
            dialog = ActDialog(f"销号：{number}", body, "销号意见：", "如：经核实已整改到位，同意销号", "销号")
            self.app.push_screen(dialog, closed)
        else:
            self.notify(f"{number} 已是“{STATES[state]}”，不能再完成或销号", severity="warning", markup=False)

    def action_waive(self) -> None:
        """u: 无需整改, by the 乡镇 (or a 管理员), with the reason; asks first, default 取消."""
        r = self.picked()
        if r is None:
            return
        number = str(r["number"])
        if not self.may(WAIVE, r["village"]):
            return
        if r["state"] != OPEN:
            self.notify(f"{number} 已是“{STATES[r['state']]}”，不能再认定无需整改", severity="warning", markup=False)
            return
        op = self.site.operator

        def waived(reason: str | None) -> None:
            if reason:
                now = self.cunwu.now
                work = self.site.rectifications.waive
                self.done_with(self.cunwu.attempt(lambda: work(op, now, number, reason)), "已认定无需整改")

        body = f"问题：{first_words(r['problem'])}\n不能撤销：认定后这项整改结束，相关提示不再列出。"
        dialog = ActDialog(f"认定无需整改：{number}", body, "无需整改的理由：", "写明为什么不需要整改", "认定无需整改")
        self.app.push_screen(dialog, waived)

    def action_new_fix(self) -> None:
        """F7/n: a 整改事项 from an inspection, in the village filtered (else the one asked for)."""

        def saved(number: str | None) -> None:
            if number:
                self.refresh_data(select=number)

        def opened(village: str) -> None:
            self.app.push_screen(RectifyFormScreen(village), saved)

        if self.village():
            opened(self.village())
        else:
            choose_village(self, opened)

    def action_export(self) -> None:
        """F8/x: the 整改台账 (.xlsx) of the village filtered, or of every village the account sees."""
        from tui.screens.exporting import in_background

        villages = self.site.villages
        village = self.village() or (villages[0] if len(villages) == 1 else "")
        today, now = self.today, self.cunwu.now

        def make(site: Site) -> Path:
            from exports.documents import export_rectifications

            return export_rectifications(site, village or None, today, exported=now)

        in_background(self, f"{village or '全部村'}整改台账（Excel）", make)
