"""会议记录: the list of meetings, and one meeting's minutes with confirm, lock and corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from procedures.meetings import ItemFacts, MeetingKind, missing_before_confirm, summary
from store.identity import who_did
from store.meetings import STATES
from tui.commands import bindings_for
from tui.dialogs import TextDialog, confirm
from tui.screens.base import BaseScreen, literal
from tui.screens.meeting_form import MeetingFormScreen
from tui.screens.record_common import RecordPage, choose_village
from tui.tables import columns, refill


def results(meeting: dict[str, Any]) -> str:
    """Every item's result in a phrase ("2项：1通过 1未通过"), never 通过 alone when one failed."""
    return summary([item["passed"] for item in meeting["items"]])


def still_missing(m: dict[str, Any]) -> list[str]:
    """What a draft lacks before it can be confirmed (``procedures.meetings``), or nothing."""
    try:
        kind = MeetingKind(m["kind"])
    except ValueError:
        return []
    facts = [ItemFacts(bool(i["vote"]), i["resolution"]) for i in m["items"]]
    return missing_before_confirm(kind, m["host"], m["recorder"], m["expected"], m["present"], facts)


def meeting_lines(m: dict[str, Any], step_label: Callable[[str, str], str]) -> list[str]:
    """The minutes as lines of plain text (shown literally)."""
    start = dt.datetime.fromisoformat(m["start"])
    when = f"{start:%Y-%m-%d %H:%M}"
    if m["end"]:
        when += f" 至 {dt.datetime.fromisoformat(m['end']):%H:%M}"
    out = [
        f"会议记录 {m['number']}  [{STATES[m['state']]}]",
        f"类别：{m['kind']}",
        f"名称：{m['title']}",
        f"时间：{when}    地点：{m['place'] or '（未填）'}",
        f"主持人：{m['host'] or '（未填）'}    记录人：{m['recorder'] or '（未填）'}",
    ]
    if m["expected"]:
        out.append(f"应到 {m['expected']} 人，实到 {m['present']} 人" + ("（按户代表计）" if m["by_household"] else ""))
    else:
        out.append("应到、实到人数：（未登记）")
    if m["absent"]:
        out.append(
            "缺席：" + "；".join(f"{a['name']}（{a['reason']}）" if a["reason"] else a["name"] for a in m["absent"])
        )
    if m["attendees"]:
        out.append("列席：" + "、".join(m["attendees"]))
    out += [f"书面意见：{w['name']}：{w['opinion']}" for w in m.get("written", [])]
    out.append("议题：" if m["items"] else "议题：（未登记）")
    for n, item in enumerate(m["items"], start=1):
        out.append(f" {n}. {item['title']}")
        out += [f"    发言：{s['name']}：{s['summary']}" for s in item["speeches"]]
        vote = item["vote"]
        if vote:
            line = f"    表决（{vote['method']}）：赞成 {vote['ayes']}，反对 {vote['nays']}，弃权 {vote['abstain']}"
            if vote.get("written_ayes") or vote.get("written_nays"):
                line += f"；书面意见赞成 {vote['written_ayes']}，反对 {vote['written_nays']}"
            out += [line, f"    计算：{item['arithmetic']}", f"    结果：[{'通过' if item['passed'] else '未通过'}]"]
        if item["resolution"]:
            out.append(f"    决议：{item['resolution']}")
    out.append(f"依据：{m['rule']}")
    if m.get("case"):
        out.append(f"关联办件：{m['case']}（{step_label(m['case'], m['step'])}）")
    if m.get("confirmed_at"):
        out.append(f"确认：{who_did(m, 'confirmed_by')} {m['confirmed_at'][:16].replace('T', ' ')}")
    if m.get("locked_at"):
        out.append(f"锁定：{who_did(m, 'locked_by')} {m['locked_at'][:16].replace('T', ' ')}")
    if m["corrections"]:
        out.append("更正说明：")
        for n, c in enumerate(m["corrections"], start=1):
            out.append(f" {n}. {c['at'][:16].replace('T', ' ')} {who_did(c)}：{c['text']}")
    hints = {
        "draft": "草稿：F4/e 修改，F6/d 确认（先询问；确认后不能再修改）。",
        "confirmed": "已确认：F6/d 锁定（先询问；锁定后只能追加更正说明）。",
        "locked": "已锁定：F4/e 追加更正说明。",
    }
    missing = still_missing(m) if m["state"] == "draft" else []
    if missing:
        out.append(f"确认前还需补填：{'、'.join(missing)}。")
    out.append(hints[m["state"]])
    return out


class MeetingListScreen(BaseScreen):
    COMMANDS_KEY = "records"
    BINDINGS = bindings_for("records")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.villages: dict[str, str] = {}
        """Each listed meeting's village, by number."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="summary", classes="title")
        table: DataTable[object] = DataTable(cursor_type="row", id="meetings", classes="records-table")
        columns(table, [("编号", 18), ("日期", 10), ("类别·名称", 17), ("状态", 6), ("结果", 18)])
        yield table
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "会议记录"
        self.refresh_data()
        self.query_one(DataTable).focus()

    def refresh_data(self, select: str = "") -> None:
        meetings: list[dict[str, Any]] = self.cunwu.attempt(lambda: self.site.meetings.find()) or []
        meetings = sorted(meetings, key=lambda m: (m["start"], m["number"]), reverse=True)
        rows = [
            (
                m["number"],
                (m["number"], m["start"][:10], f"{m['kind']}·{m['title']}", STATES[m["state"]], results(m)),
            )
            for m in meetings
        ]
        self.rows = refill(self.query_one(DataTable), rows, select)
        self.villages = {m["number"]: m["village"] for m in meetings}
        head = f"会议记录 {len(meetings)} 份（新的在前）：回车查看，F7/n 登记新会议，F8/x 导出三会一课登记"
        self.query_one("#summary", Static).update(literal(head))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            self.app.push_screen(MeetingDetailScreen(self.rows[table.cursor_row]))

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_new_record(self) -> None:
        def saved(number: str | None) -> None:
            if number:
                self.refresh_data(select=number)

        choose_village(self, lambda village: self.app.push_screen(MeetingFormScreen(village), saved))

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_export(self) -> None:
        """三会一课登记 of a village's year, the highlighted meeting's village first."""
        from tui.screens.export_forms import export_meetings_register

        table = self.query_one(DataTable)
        number = self.rows[table.cursor_row] if self.rows and table.cursor_row < len(self.rows) else ""
        export_meetings_register(self, self.villages.get(number, ""))


class MeetingDetailScreen(RecordPage):
    """One meeting's minutes (read-only), with edit for drafts, confirm, lock and corrections."""

    COMMANDS_KEY = "meeting"
    BINDINGS = bindings_for("meeting")
    WHAT = "会议记录"

    def lines(self, record: dict[str, Any]) -> list[str]:
        return meeting_lines(record, self.site.step_label)

    def state(self) -> str:
        return str(self.record["state"]) if self.record else ""

    def action_edit(self) -> None:
        """F4/e: a draft is changed in its form; locked minutes get a correction note."""
        if self.record is None:
            return
        if self.state() == "locked":
            self.correct()
            return
        if self.state() != "draft":
            self.notify("已确认的会议记录不能修改；锁定后可追加更正说明（F6/d 锁定）", severity="warning", markup=False)
            return
        screen = MeetingFormScreen(self.record["village"], number=self.number)
        self.app.push_screen(screen, lambda _: self.refresh_data())

    def action_finish(self) -> None:
        """F6/d: confirm a draft, or lock confirmed minutes; always after a question whose
        default is 取消 and which names what cannot be undone."""
        record = self.record
        if record is None:
            return
        state = self.state()
        if state == "locked":
            self.notify("会议记录已锁定，不能再确认或锁定；按 F4/e 追加更正说明", severity="warning", markup=False)
            return
        op, rev = self.site.operator, int(record["rev"])

        def confirmed() -> None:
            self.cunwu.attempt(lambda: self.site.meetings.confirm(op, self.cunwu.now, self.number, rev))
            self.refresh_data()

        def locked() -> None:
            self.cunwu.attempt(lambda: self.site.meetings.lock(op, self.cunwu.now, self.number, rev))
            self.refresh_data()

        what = f"会议记录 {self.number}《{record['title']}》"
        if state == "draft":
            confirm(
                self,
                f"确认{what}？",
                "确认前请核对出席、表决和决议。",
                "确认",
                confirmed,
                cannot_undo="确认后会议记录不能再修改，只能锁定后追加更正说明。",
            )
        else:
            confirm(
                self,
                f"锁定{what}？",
                "锁定是永久的。",
                "锁定（永久）",
                locked,
                cannot_undo="锁定后会议记录永久保持原样，只能追加更正说明。",
            )

    def correct(self) -> None:
        def written(text: str | None) -> None:
            if text:
                op, now = self.site.operator, self.cunwu.now
                self.cunwu.attempt(lambda: self.site.meetings.correct(op, now, self.number, text))
                self.refresh_data()

        self.app.push_screen(TextDialog("追加更正说明", "写明更正的内容（原记录保持不变）："), written)

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_export(self) -> None:
        from tui.screens.exporting import export_record

        export_record(self, self.number, ["minutes", "blank-minutes"])
