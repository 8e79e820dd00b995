"""今日: what is overdue, due soon, notices running, and recurring duties due — overdue first."""

from __future__ import annotations

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
        self.items: list[DueItem] = []

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
        self.items = self.cunwu.attempt(lambda: self.site.due(self.today, within=7)) or []
        table = self.query_one(DataTable)
        table.clear()
        for item in self.items:
            what = f"{item.number} {item.matter}·{item.step}" if item.number else f"{item.matter}·{item.step}"
            when = (
                "今天"
                if item.days_left == 0
                else (f"超{-item.days_left}天" if item.days_left < 0 else f"{item.days_left}天后")
            )
            table.add_row(
                literal(STATE_WORDS.get(item.state, item.state)),
                literal(f"{item.due:%m-%d} {when}"),
                literal(item.village),
                literal(what),
            )
        overdue = sum(1 for i in self.items if i.state in ("overdue", "missed"))
        summary = f"今日 {self.today:%Y-%m-%d}：超期 {overdue} 项，7 天内到期 {len(self.items) - overdue} 项"
        if not self.items:
            summary = f"今日 {self.today:%Y-%m-%d}：7 天内没有到期事项。按 F3/c 查看事项目录，F7/n 新建办件。"
        self.query_one("#summary", Static).update(literal(summary))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row >= len(self.items):
            return
        item = self.items[table.cursor_row]
        if item.number:
            self.cunwu.open_case(item.number)
        else:
            self.cunwu.open_matter(item.matter_id)

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_refresh(self) -> None:
        self.refresh_data()
