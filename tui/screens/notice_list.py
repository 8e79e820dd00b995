"""公示和用印登记: two registers on one screen (Tab switches); a notice page, always masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from procedures.periods import format_date, free_from
from store.notices import masked, notice_period, standing
from tui.commands import bindings_for
from tui.dialogs import MessageDialog
from tui.screens.base import BaseScreen, literal
from tui.screens.notice_forms import DecisionFormScreen, ObjectionFormScreen
from tui.screens.record_common import RecordPage, choose_village
from tui.screens.seal_form import SealFormScreen
from tui.tables import columns, refill

VERDICTS = {None: "待核实", True: "异议成立", False: "异议不成立"}


def notice_lines(record: dict[str, Any], today: dt.date) -> list[str]:
    """A notice as lines of plain text, ID numbers masked."""
    n = masked(record)
    state = f"已结束：{n['result']}（{n['closed_on']}）" if n["result"] else standing(n, today)
    posted = dt.date.fromisoformat(n["posted_on"])
    out = [
        f"公示 {n['number']}  [{state}]",
        f"办件：{n['case']}",
        f"标题：{n['title']}",
        f"张贴：{format_date(posted)}，{n['place']}",
    ]
    if n["backdated"]:
        out.append(f"  [补录] {n['entered_on']} 登记")
    if n["rule"]:
        last = dt.date.fromisoformat(n["earliest_end"])
        out.append(f"公示期：{notice_period(n)}")
        out.append(
            f"规则：{n['rule']}；{format_date(free_from(last))}起方可结束"
            + ("（含预估的节假日）" if n["estimated"] else "")
        )
    if n["content"]:
        out += ["内容：", *[f"  {line}" for line in n["content"].splitlines()]]
    if n["entries"]:
        out.append(f"名单（{len(n['entries'])} 人，身份证号已遮蔽）：")
        for i, e in enumerate(n["entries"], start=1):
            parts = [e["name"], e["id_number"], f"{e['household']}人" if e["household"] else "", e["amount"], e["note"]]
            out.append(f" {i}. " + "  ".join(p for p in parts if p))
    out.append(f"异议（{len(n['objections'])} 条）：" if n["objections"] else "异议：无")
    for i, o in enumerate(n["objections"], start=1):
        late = " [公示期满后收到]" if o.get("late") else ""
        out.append(f" {i}. {o['received']} {o['from']}：{o['content']}{late}")
        out.append(f"    处理：{o['handling'] or '（未填）'}；核实结果：{VERDICTS.get(o['upheld'], '待核实')}")
    if not n["result"]:
        out.append("公示期间收到异议：按 F7/n 登记。")
    if n["objections"] and not n.get("verified_on"):
        out.append("登记或更正异议的核实结果和处理情况：按 F4/e。")
    return out


def seal_text(s: dict[str, Any]) -> str:
    lines = [
        f"印章：{s['seal']}    日期：{s['date']}",
        f"用印文件：{s['document']}（{s['copies']} 份）",
        f"用途：{s['purpose']}",
        f"批准人：{s['approver']}    保管人：{s['keeper']}",
        f"依据：{s['basis']['text']}" + (f"（{s['basis']['meeting']}）" if s["basis"]["meeting"] else ""),
        f"经办：{s['operator']}",
    ]
    if s.get("irregular"):
        lines.append(f"情况说明：{s['irregular']}（列为监督提示）")
    if s.get("case"):
        lines.append(f"关联办件：{s['case']}")
    return "\n".join(lines)


class NoticeSealListScreen(BaseScreen):
    COMMANDS_KEY = "records"
    BINDINGS = bindings_for("records")

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[str] = []
        self.seals: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(literal("公示（回车查看、登记异议；Tab 切换到用印登记）"), classes="section")
        notices: DataTable[object] = DataTable(cursor_type="row", id="notices", classes="records-table")
        columns(notices, [("编号", 18), ("张贴日", 10), ("标题", 30), ("结果", 12)])
        yield notices
        yield Static(literal("用印登记（回车查看；F7/n 登记用印；F8/x 导出用印登记簿）"), classes="section")
        seals: DataTable[object] = DataTable(cursor_type="row", id="seals", classes="records-table")
        columns(seals, [("编号", 18), ("日期", 10), ("印章", 14), ("文件", 18), ("批准人", 8)])
        yield seals
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "公示和用印登记"
        self.refresh_data()
        self.query_one("#notices", DataTable).focus()

    def refresh_data(self, select: str = "") -> None:
        found = self.cunwu.attempt(lambda: self.site.notices.find()) or []
        ordered = sorted(found, key=lambda n: (n["posted_on"], n["number"]), reverse=True)
        notices = [
            (n["number"], (n["number"], n["posted_on"], masked(n)["title"], standing(n, self.today))) for n in ordered
        ]
        self.notices = refill(self.query_one("#notices", DataTable), notices, select)
        uses = self.cunwu.attempt(lambda: self.site.seals.find()) or []
        self.seals = sorted(uses, key=lambda s: (s["date"], s["number"]), reverse=True)
        seals = [(s["number"], (s["number"], s["date"], s["seal"], s["document"], s["approver"])) for s in self.seals]
        refill(self.query_one("#seals", DataTable), seals, select)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open(event.data_table)

    def action_open(self) -> None:
        if isinstance(self.focused, DataTable):
            self.open(self.focused)

    def open(self, table: DataTable[Any]) -> None:
        row = table.cursor_row
        if table.id == "notices" and row < len(self.notices):
            self.app.push_screen(NoticeDetailScreen(self.notices[row]), lambda _: self.refresh_data())
        elif table.id == "seals" and row < len(self.seals):
            s = self.seals[row]
            self.app.push_screen(MessageDialog(f"用印登记 {s['number']}", seal_text(s)))

    def action_new_record(self) -> None:
        if self.focused is self.query_one("#notices"):
            self.notify("公示在办件的公示步骤中登记：打开办件后按 F7/n。", markup=False)
            return

        def saved(number: str | None) -> None:
            if number:
                self.refresh_data(select=number)

        choose_village(self, lambda village: self.app.push_screen(SealFormScreen(village), saved))

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_export(self) -> None:
        """用印登记簿 of a period (a notice is exported from its own page)."""
        from tui.screens.export_forms import export_seal_register

        table = self.query_one("#seals", DataTable)
        row = table.cursor_row
        export_seal_register(self, self.seals[row]["village"] if self.seals and row < len(self.seals) else "")


class NoticeDetailScreen(RecordPage):
    """One notice, masked, with its objections; F7/n records an objection while it stands."""

    COMMANDS_KEY = "notice"
    BINDINGS = bindings_for("notice")
    WHAT = "公示"

    def lines(self, record: dict[str, Any]) -> list[str]:
        return notice_lines(record, self.today)

    def action_object(self) -> None:
        if self.record is None:
            return
        if self.record["result"]:
            self.notify(f"公示已结束（{self.record['result']}），不能再登记异议", severity="warning", markup=False)
            return
        self.app.push_screen(ObjectionFormScreen(self.number), lambda _: self.refresh_data())

    def action_decide(self) -> None:
        if self.record is None:
            return
        if not self.record["objections"]:
            self.notify("这份公示没有登记异议，无需登记核实结果", severity="warning", markup=False)
            return
        if self.record.get("verified_on"):
            self.notify(f"异议已核实完毕（{self.record['result']}），不能再更改", severity="warning", markup=False)
            return
        self.app.push_screen(DecisionFormScreen(self.number), lambda _: self.refresh_data())

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_export(self) -> None:
        from tui.screens.exporting import export_record

        export_record(self, self.number, ["notice", "notice-result"])
