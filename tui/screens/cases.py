"""办件: the case list (filter by village, status, overdue) and the dialog that opens a new case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from procedures import engine
from procedures.engine import STATUS_LABELS, CaseStatus, TimerState, TimerStatus
from procedures.model import Matter
from procedures.search import search
from store import overview
from store.cases import Case
from store.site import Site
from store.worklist import steps
from tui.commands import bindings_for
from tui.screens.base import BaseScreen, literal
from tui.screens.record_common import Tick
from tui.tables import Pager, columns, current_key
from tui.widgets import Dropdown

if TYPE_CHECKING:
    from tui.app import CunwuApp

ALL = "*"
STATUSES: tuple[tuple[str, str], ...] = (
    ("办理中", CaseStatus.OPEN.value),
    ("已办结", CaseStatus.DONE.value),
    ("已终止", CaseStatus.STOPPED.value),
    ("已撤回", CaseStatus.WITHDRAWN.value),
    ("全部", ALL),
)


def countdowns(site: Site, case: Case, today: dt.date) -> tuple[TimerStatus, ...]:
    """The timers running on ``today`` for an open case."""
    return engine.running_timers(site.catalog.get(case.matter_id), case.state(), today, site.cal)


def timer_text(timer: TimerStatus) -> str:
    """A countdown in words, ``[已超期]`` first when a deadline passed."""
    return ("[已超期] " if timer.state is TimerState.OVERDUE else "") + timer.describe()


NONE_LEFT = 10**6
"""The days left of a case with no time limit running: after every one that has."""


@dataclass(frozen=True, slots=True)
class Row:
    """One case as the list shows it."""

    number: str
    village: str
    matter_id: str
    subject: str
    status: CaseStatus
    matter: str
    step: str
    running: tuple[TimerStatus, ...]
    overdue: bool
    days_left: int
    """The fewest days left on any running timer (a large number when none runs)."""

    @property
    def key(self) -> tuple[bool, int, str]:
        """Where it is listed: overdue first, then the fewest days left, then by number."""
        return (not self.overdue, self.days_left, self.number)

    @property
    def when(self) -> str:
        if self.status is not CaseStatus.OPEN:
            return f"[{STATUS_LABELS[self.status]}]"
        return "；".join(timer_text(t) for t in self.running) if self.running else "无时限"


Plain = tuple[str, str, str, str, str, str]
"""An open case no time limit can run on, as listed: (number, village, matter id, 事由, matter,
step). Its ``Row`` is made only if it is shown: 12,000 of the 13,840 open cases at 50,000 cases."""
Listed = Row | Plain


def as_row(item: Listed) -> Row:
    if isinstance(item, Row):
        return item
    number, village, matter_id, subject, matter, step = item
    return Row(number, village, matter_id, subject, CaseStatus.OPEN, matter, step, (), False, NONE_LEFT)


def listed_key(item: Listed) -> tuple[bool, int, str]:
    return item.key if isinstance(item, Row) else (True, NONE_LEFT, item[0])


class CaseListScreen(BaseScreen):
    COMMANDS_KEY = "cases"
    BINDINGS = [*bindings_for("cases")]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Listed] = []
        """Every case the filters let through, in order; the table holds a page at a time."""
        self.pages: Pager[Listed] = Pager(lambda item: listed_key(item)[2], lambda item: self._cells(as_row(item)))
        self.read_with: tuple[object, ...] = ()
        """The filters the rows were read with."""

    def compose(self) -> ComposeResult:
        yield self.header()
        villages = [(Text("全部村"), ALL), *[(Text(v), v) for v in self.site.villages]]
        years = sorted({p.year for p in self.site.store.partitions()} | {self.today.year}, reverse=True)
        with Horizontal(id="filters"):
            yield Dropdown(villages, allow_blank=False, value=ALL, id="village")
            yield Dropdown(
                [(Text(label), value) for label, value in STATUSES], allow_blank=False, value="open", id="status"
            )
            yield Dropdown(
                [(Text("全部年份"), ALL), *[(Text(f"{y}年"), str(y)) for y in years]],
                allow_blank=False,
                value=ALL,
                id="year",
            )
            yield Tick("只看超期", id="overdue")
        yield Static(id="damaged", classes="hint")
        table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=False, id="cases")
        # 2 cells of padding a column: 78 of 80 columns; the line below shows the row in full.
        columns(table, [("办件编号", 16), ("事项", 18), ("事由", 10), ("当前步骤", 10), ("时限", 12)])
        yield table
        yield Static(id="detail", classes="hint")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "办件"
        self.refresh_data()
        self.query_one(DataTable).focus()

    def shown_villages(self) -> Collection[str]:
        village = self.query_one("#village", Select).value
        return self.site.villages if village == ALL else (str(village),)

    def _open_rows(self, village: str | None, year: int | None) -> list[Listed]:
        """The open cases' rows, from the overviews (``store.overview``), worked out per data file
        and kept while that file and the day are the same (``Store.by_file``): opened again, or
        after another user's save, only the files saved since are read."""
        parts = self.site.store.by_file(self.site.list_parts, (self.today,), self._open_part, village, year)
        return [row for part in parts for row in part]

    def _open_part(self, name: str, found: overview.Overview) -> tuple[Listed, ...]:
        """The rows of one overview's open cases: the time limits worked out only for those at a
        step where one may run (``worklist.steps``; at 50,000 cases 1,620 of 13,840)."""
        step_of = steps(self.site.catalog)
        rows: list[Listed] = []
        for number, matter_id, entry in overview.open_entries(found):
            subject, current = entry[0], entry[1]
            try:
                matter, step, may = step_of(matter_id, current)
            except KeyError:  # a matter (or step) the catalogue no longer has: as ``_row`` lists it
                rows.append(self._row(overview.open_row(number, name, matter_id, entry)))
                continue
            if may:
                case = overview.open_row(number, name, matter_id, entry)
                running = engine.running_timers(matter, case.state(), self.today, self.site.cal)
                rows.append(self._made(case, matter, step.title, running))
            else:  # no time limit can run: nothing of the case but its words is needed
                rows.append((number, name, matter_id, subject, matter.name, step.title))
        return tuple(rows)

    def _row(self, case: Any) -> Row:
        """One case as the list shows it: its time limits worked out for today when it is open."""
        try:
            matter = self.site.catalog.get(case.matter_id)
        except KeyError:  # a local catalogue that dropped the matter: list it, plainly
            name = f"（未知事项 {case.matter_id}）"
            return Row(
                case.number, case.village, case.matter_id, case.subject, case.status, name, "", (), False, NONE_LEFT
            )
        if case.status is not CaseStatus.OPEN:
            return self._made(case, matter, "", ())
        state = case.state()
        running = engine.running_timers(matter, state, self.today, self.site.cal)
        return self._made(case, matter, matter.step(state.current).title, running)

    @staticmethod
    def _made(case: Any, matter: Matter, step: str, running: tuple[TimerStatus, ...]) -> Row:
        overdue, left = False, NONE_LEFT
        if running:  # most open cases have none
            overdue = any(t.state is TimerState.OVERDUE for t in running)
            left = min(t.days_left for t in running)
        return Row(
            case.number,
            case.village,
            case.matter_id,
            case.subject,
            case.status,
            matter.name,
            step,
            running,
            overdue,
            left,
        )

    def _rows(self) -> list[Listed]:
        village = self.query_one("#village", Select).value
        status = str(self.query_one("#status", Select).value)
        year = self.query_one("#year", Select).value
        only_overdue = self.query_one("#overdue", Checkbox).value
        self.site.store.skipped.clear()
        where = None if village == ALL else str(village)
        chosen = None if year == ALL else int(str(year))
        if status == CaseStatus.OPEN.value:
            rows: list[Listed] = self.cunwu.attempt(lambda: self._open_rows(where, chosen)) or []
        else:
            # A closed year is read only when its cases are asked for: the records of that year.
            wanted = None if status == ALL else status
            cases = self.cunwu.attempt(lambda: self.site.cases.find(where, status=wanted, year=chosen)) or []
            rows = [self._row(case) for case in cases]
        self._say_damaged(sorted({path.parent.name for path in self.site.store.skipped}))
        if only_overdue:  # a plain open case has no time limit: never overdue
            rows = [r for r in rows if isinstance(r, Row) and r.overdue]
        if status != ALL:
            rows = [r for r in rows if not isinstance(r, Row) or r.status.value == status]
        rows.sort(key=listed_key)
        return rows

    def row(self, index: int) -> Row:
        """The row at ``index``, made (once) if it was listed plain."""
        item = self.rows[index]
        if not isinstance(item, Row):
            item = self.rows[index] = as_row(item)
        return item

    def _say_damaged(self, villages: list[str]) -> None:
        """Which villages the list leaves out because their data file is damaged (one line, only then)."""
        note = self.query_one("#damaged", Static)
        note.display = bool(villages)
        if villages:
            names = "、".join(villages)
            note.update(literal(f"注意：{names}的数据文件已损坏，没有列出{names}的办件；请管理员修复。"))

    def refresh_data(self) -> None:
        table = self.query_one(DataTable)
        keep = current_key(table)
        self.read_with = self.filters()
        self.rows = self._rows()
        self.pages.fill(table, self.rows, select=keep)
        self.show_detail()

    @staticmethod
    def _cells(row: Row) -> tuple[str, tuple[str, ...]]:
        return row.number, (row.number, row.matter, row.subject, row.step, row.when)

    def show_more(self) -> None:
        """The next page of rows, once the highlight is near the last one shown."""
        self.pages.more(self.query_one(DataTable))

    def show_detail(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            text = "没有符合条件的办件。按 F7/n 新建办件，F3 改变筛选条件。"
        else:
            index = min(table.cursor_row, len(self.rows) - 1)
            row = self.row(index)
            where = row.step or STATUS_LABELS[row.status]
            text = f"（{index + 1}/{len(self.rows)}）{row.matter}｜事由：{row.subject}｜{where}｜{row.when}"
        self.query_one("#detail", Static).update(literal(text))

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        self.show_more()
        self.show_detail()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def filtered(self) -> None:
        # Each drop-down says Changed once as it is mounted with its first value: the list was
        # read four times on opening. Only a filter that is not the one the list was read with counts.
        if self.filters() != self.read_with:
            self.refresh_data()

    def filters(self) -> tuple[object, ...]:
        selects = [self.query_one(f"#{name}", Select).value for name in ("village", "status", "year")]
        return (*selects, self.query_one("#overdue", Checkbox).value)

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            self.cunwu.open_case(self.row(table.cursor_row).number)

    def action_focus_filter(self) -> None:
        self.query_one("#village", Select).focus()

    def action_refresh(self) -> None:
        self.refresh_data()

    def action_export(self) -> None:
        """台账 of a matter's year: the highlighted case's matter and the village filtered first."""
        from tui.screens.export_forms import export_ledger

        table = self.query_one(DataTable)
        matter = self.row(table.cursor_row).matter_id if self.rows and table.cursor_row < len(self.rows) else ""
        village = self.query_one("#village", Select).value
        export_ledger(self, matter, village if isinstance(village, str) and village != ALL else "")


class NewCaseDialog(ModalScreen[str | None]):
    """Pick a matter (pinyin initials or Chinese), a village and the subject; F2 opens the case."""

    COMMANDS_KEY = "new_case_form"
    BINDINGS = [*bindings_for("new_case_form")]

    def __init__(self, matter_id: str = "") -> None:
        super().__init__()
        self.matter_id = matter_id
        self.baseline: tuple[object, ...] = ()

    @property
    def cunwu(self) -> CunwuApp:
        return cast("CunwuApp", self.app)

    def compose(self) -> ComposeResult:
        site = self.cunwu.site
        villages = site.villages
        with Vertical(classes="dialog", id="new-case"):
            yield Label(literal("新建办件"), classes="dialog-title")
            if self.matter_id:
                yield Static(literal(f"事项：{site.catalog.get(self.matter_id).name}"), id="matter")
            else:
                yield Input(placeholder="事项：输入中文或拼音首字母，如 低保 或 dbsq", id="matter-search")
                yield OptionList(id="matters")
                yield Static(literal("事项：（未选）"), id="matter")
            yield Dropdown(
                [(Text(v), v) for v in villages],
                prompt="选择村（回车展开）",
                value=villages[0] if len(villages) == 1 else Select.NULL,
                id="village",
            )
            yield Input(placeholder="事由：申请人姓名、议题等", id="subject")
            yield Label(literal("F2/Ctrl+S 保存（事由框内回车也保存）；Esc 取消"), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.matter_id:
            self.query_one("#village" if len(self.cunwu.site.villages) > 1 else "#subject").focus()
        else:
            self.show_matters("")
            self.query_one("#matter-search").focus()
        self.baseline = self.filled()

    def show_matters(self, query: str) -> None:
        catalog = self.cunwu.site.catalog
        found = list(search(catalog, query)) if query.strip() else list(catalog.matters)
        options = self.query_one("#matters", OptionList)
        options.clear_options()
        options.add_options([Option(literal(f"{m.order:>2}. {m.name}"), id=m.id) for m in found])
        if not found:
            options.add_option(Option(literal("没有找到，换个写法试试"), disabled=True))
        # A search picks its best match; the whole list waits for the user to choose.
        chosen = found[0].id if found and query.strip() else ""
        options.highlighted = 0 if chosen else None
        self.pick(chosen)

    def pick(self, matter_id: str) -> None:
        self.matter_id = matter_id
        name = self.cunwu.site.catalog.get(matter_id).name if matter_id else "（未选）"
        self.query_one("#matter", Static).update(literal(f"事项：{name}"))

    @on(Input.Changed, "#matter-search")
    def typed(self, event: Input.Changed) -> None:
        self.show_matters(event.value)

    @on(OptionList.OptionHighlighted, "#matters")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.pick(event.option.id)

    @on(OptionList.OptionSelected, "#matters")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.pick(event.option.id)
            self.next_field()

    @on(Input.Submitted, "#matter-search")
    def search_done(self) -> None:
        if self.matter_id:
            self.next_field()
        else:
            self.notify("没有找到事项，换个写法试试", severity="warning", markup=False)

    def next_field(self) -> None:
        village = self.query_one("#village", Select)
        (village if village.value is Select.NULL else self.query_one("#subject")).focus()

    @on(Input.Submitted, "#subject")
    def subject_done(self) -> None:
        self.action_save()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key == "down" and self.focused is not None and self.focused.id == "matter-search":
            event.stop()
            self.query_one("#matters").focus()

    def action_save(self) -> None:
        village = self.query_one("#village", Select).value
        subject = self.query_one("#subject", Input).value
        if not self.matter_id:
            self.notify("请先选择事项：在查找框输入中文或拼音首字母", severity="warning", markup=False)
            self.query_one("#matter-search").focus()
            return
        if village is Select.NULL:
            self.notify("请选择村：在村名框按回车展开，上下键选择", severity="warning", markup=False)
            self.query_one("#village").focus()
            return
        if not subject.strip():
            self.notify("请填写事由（申请人姓名、议题等）", severity="warning", markup=False)
            self.query_one("#subject").focus()
            return
        app, matter_id = self.cunwu, self.matter_id
        case = app.attempt(lambda: app.site.cases.open(app.site.operator, app.now, matter_id, str(village), subject))
        if case is not None:
            self.dismiss(case.number)

    def filled(self) -> tuple[object, ...]:
        """What the dialog holds: the matter, the village, the subject and the search typed."""
        search = self.query("#matter-search")
        return (
            self.matter_id,
            self.query_one("#village", Select).value,
            self.query_one("#subject", Input).value,
            search.first(Input).value if search else "",
        )

    def action_cancel(self) -> None:
        """Esc: leave at once, or, when something was typed or picked, ask first."""
        from tui.dialogs import ask_unsaved

        unsaved = self.filled() != self.baseline
        ask_unsaved(self, unsaved, save=self.action_save, leave=lambda: self.dismiss(None), what="新建办件")
