"""今日: what is overdue, due soon, notices running, and recurring duties due — overdue first."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from store.site import DueItem
from tui.commands import bindings_for
from tui.screens.base import BaseScreen, literal

STATE_WORDS = {
    "overdue": "[已超期]",
    "missed": "[已逾期]",
    "running": "[计时中]",
    "due": "[待完成]",
    "waiting": "[公示中]",
}


class HomeScreen(BaseScreen):
    COMMANDS_KEY = "home"
    BINDINGS = bindings_for("home")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []
        """(case number or "", matter id) behind each table row."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="summary", classes="title")
        table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=False)
        table.add_columns("状态", "到期", "村", "事项·步骤")
        yield table
        yield self.footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def refresh_data(self) -> None:
        self.sub_title = f"{self.site.settings.township} {self.today.isoformat()}"
        items: list[DueItem] = self.cunwu.attempt(lambda: self.site.due(self.today, within=7)) or []
        month_end = (self.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        shown = {(i.village, i.matter_id, i.step_id) for i in items}
        schedule = self.cunwu.attempt(lambda: self.site.schedule(self.today)) or []
        this_month = [
            r
            for r in schedule
            if r["state"] == "due"
            and r["next_due"] <= month_end.isoformat()
            and (r["village"], r["matter_id"], r["step_id"]) not in shown
        ]
        table = self.query_one(DataTable)
        table.clear()
        self.rows = []
        for item in items:
            what = f"{item.number} {item.matter}·{item.step}" if item.number else f"{item.matter}·{item.step}"
            when = (
                "今天"
                if item.days_left == 0
                else (f"超{-item.days_left}天" if item.days_left < 0 else f"{item.days_left}天后")
            )
            table.add_row(
                Text(STATE_WORDS.get(item.state, item.state)),
                Text(f"{item.due:%m-%d} {when}"),
                Text(item.village),
                Text(what),
            )
            self.rows.append((item.number, item.matter_id))
        for r in this_month:
            table.add_row(
                Text("[本月待办]"),
                Text(r["next_due"][5:]),
                Text(r["village"]),
                Text(f"{r['matter']}（{r['rule']}）"),
            )
            self.rows.append(("", r["matter_id"]))
        overdue = sum(1 for i in items if i.state in ("overdue", "missed"))
        summary = f"今日 {self.today:%Y-%m-%d}：超期 {overdue} 项，7 天内到期 {len(items) - overdue} 项，本月周期性工作待办 {len(this_month)} 项"
        if not self.rows:
            summary = f"今日 {self.today:%Y-%m-%d}：没有到期事项。按 c 查看事项目录，F7/n 新建办件。"
        self.query_one("#summary", Static).update(literal(summary))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        number, matter_id = self.rows[table.cursor_row]
        if number:
            self.cunwu.open_case(number)
        else:
            self.cunwu.open_matter(matter_id)

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_refresh(self) -> None:
        self.refresh_data()
