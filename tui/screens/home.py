"""我的工作 (home): the open cases first — overdue, may be completed now, due soon, drafts to
finish, the other open cases — then the recurring duties, one row per duty for all villages.

What is listed is computed in the core (``store.worklist``), the same as ``cunwu due`` prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from procedures.recurring import DutySummary, short_name
from store.site import DueItem
from store.worklist import STATE_LABELS, WorkList, work_list
from tui.commands import bindings_for, command
from tui.dialogs import ChoiceDialog
from tui.screens.base import BaseScreen, literal
from tui.tables import unique

SEE_MATTER = "查看事项说明"
CASES_SHOWN = 100
"""Time limits shown on home, the most urgent first: the rest are counted in the line above and
listed in full by the case list (a township with thousands overdue would fill the table with
them and take seconds to draw it)."""
DRAFTS_SHOWN = 10
"""Meeting minutes left as drafts shown on home, the oldest first; the meeting list has them all."""
UNDATED_SHOWN = 10
"""Open cases with no time limit shown on home, the longest waiting first; the case list has
them all (a township with hundreds would push the duties off the screen)."""
PER_VILLAGE = 5
"""Up to this many villages, the offer names each; with more, the village is asked next (a
dialog of 15 villages would not fit 24 lines)."""


def word(state: str) -> str:
    return f"[{STATE_LABELS.get(state, state)}]"


def when(day: dt.date, today: dt.date) -> str:
    left = (day - today).days
    return "今天" if left == 0 else (f"超{-left}天" if left < 0 else f"{left}天后")


def duty_date(duty: DutySummary, today: dt.date) -> str:
    """The date that goes with a duty row's state word: for 已逾期 the end of the window that was
    missed (超N天), else the end of the current one (N天后)."""
    end = duty.window_start - dt.timedelta(days=1) if duty.missed else duty.window_end
    return f"{end:%m-%d} {when(end, today)}"


@dataclass(frozen=True, slots=True)
class Row:
    """What is behind one row of the table."""

    kind: str
    """case, meeting, duty, fix (a 整改事项), or cases / meetings (the case or meeting list, for those
    not shown)."""
    number: str = ""
    duty: DutySummary | None = None

    @property
    def key(self) -> str:
        """What the row stands for, so that the highlight stays on it after a refresh."""
        return f"{self.kind}:{self.duty.key if self.duty is not None else self.number}"


class HomeScreen(BaseScreen):
    COMMANDS_KEY = "home"
    BINDINGS = bindings_for("home")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        """What is behind each table row, in order."""
        self.shown: list[tuple[Row, tuple[str, str, str]]] = []
        """The rows and their cells as the table has them."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="summary", classes="title")
        table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=False)
        table.add_column("状态", width=8)
        table.add_column("日期", width=12)
        table.add_column("事项")
        yield table
        yield self.footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def keys_of(self, command_id: str) -> str:
        """The keys of one of home's commands, as the registry gives them."""
        return command(self.COMMANDS_KEY, command_id).key_display

    def refresh_data(self) -> None:
        self.sub_title = f"{self.site.settings.township} {self.today.isoformat()}"
        work = self.cunwu.attempt(lambda: work_list(self.site, self.today, within=7))
        table = self.query_one(DataTable)
        lines = self.lines(work) if work is not None else []
        self.query_one("#summary", Static).update(literal(self.summary(work) if work is not None else ""))
        if lines == self.shown:
            return  # another user's save that changes nothing shown here: the table stays as it is
        old_row = table.cursor_row
        before = unique(r.key for r in self.rows)
        keep = before[old_row] if 0 <= old_row < len(before) else ""
        table.clear()
        self.rows = [row for row, _ in lines]
        self.shown = lines
        for _, cells in lines:
            table.add_row(*(Text(c) for c in cells))
        if self.rows:
            # The highlight follows what it was on (a case that moved up the list), not the row index.
            keys = unique(r.key for r in self.rows)
            table.move_cursor(row=keys.index(keep) if keep in keys else min(old_row, len(self.rows) - 1))

    def lines(self, work: WorkList) -> list[tuple[Row, tuple[str, str, str]]]:
        """What is behind each row of the table, and its three cells, in order."""
        out: list[tuple[Row, tuple[str, str, str]]] = []
        for fix in work.fixes:
            date = f"{fix.deadline:%m-%d} {when(fix.deadline, self.today)}"
            # 已超期 (the status column's three characters); the row says it is a 整改.
            out.append((Row("fix", fix.number), (word("overdue"), date, f"{fix.number} 整改：{fix.problem}")))
        for item in work.cases[:CASES_SHOWN]:
            out.append((Row("case", item.number), self._case_cells(item)))
        if len(work.cases) > CASES_SHOWN:
            more = f"另有 {len(work.cases) - CASES_SHOWN} 个时限：回车或按 {self.keys_of('cases')} 看办件列表（可只看超期）"
            out.append((Row("cases"), (word(work.cases[CASES_SHOWN].state), "", more)))
        for draft in work.drafts[:DRAFTS_SHOWN]:
            out.append((Row("meeting", draft.number), (word("draft"), f"{draft.day:%m-%d} 开会", draft.describe())))
        if len(work.drafts) > DRAFTS_SHOWN:
            more = f"另有 {len(work.drafts) - DRAFTS_SHOWN} 份草稿：回车或按 {self.keys_of('meetings')} 看会议记录"
            out.append((Row("meetings"), (word("draft"), "", more)))
        for case in work.undated[:UNDATED_SHOWN]:
            out.append((Row("case", case.number), (word("open"), f"{case.since:%m-%d}起", case.describe())))
        if len(work.undated) > UNDATED_SHOWN:
            more = (
                f"另有 {len(work.undated) - UNDATED_SHOWN} 件无时限的办件：回车或按 {self.keys_of('cases')} 看办件列表"
            )
            out.append((Row("cases"), (word("open"), "", more)))
        for duty in work.duties:
            out.append((Row("duty", duty=duty), (word(duty.state.value), duty_date(duty, self.today), duty.describe())))
        return out

    def _case_cells(self, item: DueItem) -> tuple[str, str, str]:
        what = f"{item.number} {short_name(item.matter)}·{item.step}"
        # A waiting period that has run: the day from which the step may be completed.
        ready = item.state == "ready"
        date = f"{item.due:%m-%d}起" if ready else f"{item.due:%m-%d} {when(item.due, self.today)}"
        return word(item.state), date, what

    def summary(self, work: WorkList) -> str:
        day = f"今日 {self.today.month}月{self.today.day}日"
        counts = work.counts()
        if self.site.read_only:
            tail = "监委会只读；" + self.press("监督", "supervision") + "回车看详情"
        elif counts:
            tail = "回车：打开选中的办件；选中周期性工作时，说明怎样算完成并可登记会议"
        else:
            tail = self.press("事项目录", "catalog") + self.press("新建办件", "new_case")
        return f"{day}：{counts or '没有要办的事'}。\n{tail.rstrip('，')}"

    def press(self, what: str, command_id: str) -> str:
        """“监督按 j，” with the keys the registry gives the command."""
        return f"{what}按 {self.keys_of(command_id)}，"

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        if row.kind == "case":
            self.cunwu.open_case(row.number)
        elif row.kind == "cases":
            self.cunwu.action_cases()
        elif row.kind == "meetings":
            self.cunwu.action_meetings()
        elif row.kind == "meeting":
            from tui.screens.meeting_list import MeetingDetailScreen

            self.app.push_screen(MeetingDetailScreen(row.number), lambda _: self.refresh_data())
        elif row.kind == "fix":
            from tui.screens.rectify import show_rectification

            show_rectification(self, row.number)
        elif row.duty is not None:
            self.offer(row.duty)

    def offer(self, duty: DutySummary) -> None:
        """What can be done about a duty: record the meeting (or open the case) that meets it,
        and how it is marked done."""
        kind = duty.matter.meeting_kind
        choices: list[tuple[str, str]] = []
        if not self.site.read_only:
            if kind and len(duty.pending) <= PER_VILLAGE:
                choices += [(f"登记{village}的{kind}会议记录", village) for village in duty.pending]
            elif kind:
                choices.append((f"登记{kind}会议记录（再选村）", ""))
            elif duty.pending:
                choices.append((f"新建“{short_name(duty.matter)}”办件", ""))
        choices.append((SEE_MATTER, ""))
        note = f"{duty.status()}。\n完成办法：{duty.how_done()}"

        def chosen(label: str | None) -> None:
            if label is None:
                return
            village = dict(choices)[label]
            if label == SEE_MATTER:
                self.cunwu.open_matter(duty.matter.id)
            elif kind and village:
                self.record_meeting(village, kind)
            elif kind:
                pending = list(duty.pending)
                self.app.push_screen(
                    ChoiceDialog("哪个村？", pending),
                    lambda picked: self.record_meeting(picked, kind) if picked else None,
                )
            else:
                self.cunwu.action_new_case(duty.matter.id)

        self.app.push_screen(ChoiceDialog(duty.label, [label for label, _ in choices], note), chosen)

    def record_meeting(self, village: str, kind: str) -> None:
        """The meeting form for ``village`` with the duty's meeting kind chosen."""
        from tui.screens.meeting_form import MeetingFormScreen

        self.app.push_screen(MeetingFormScreen(village, kind=kind), lambda _: self.refresh_data())

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_refresh(self) -> None:
        self.refresh_data()
