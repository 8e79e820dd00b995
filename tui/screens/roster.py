"""名册: the people of one village's roster and the memberships each holds on a chosen day
(名册日期, today at first), filtered by membership; people are entered, given or relieved of a
membership and corrected through ``site.roster`` (forms in ``tui.screens.roster_forms``).

ID numbers never reach this screen whole: the list is read from the overviews (no ID numbers)
and a person's details from ``store.shapes.person`` (masked).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static

from procedures import roster as rules
from store import shapes
from store.errors import BadInput
from store.records import parse_date
from tui.commands import bindings_for, command
from tui.dialogs import ReadDialog
from tui.screens.base import BaseScreen, literal
from tui.screens.record_common import cell, text_input
from tui.widgets import Dropdown

ALL = "全部"
"""The filter's choice for every membership."""


def held_text(person: Mapping[str, Any], day: dt.date) -> str:
    """The memberships held on ``day``, e.g. "正式党员、支委会委员（书记）"."""
    return "、".join(f"{m.role.value}（{m.detail}）" if m.detail else m.role.value for m in rules.roles_on(person, day))


def listed(person: Mapping[str, Any], role: rules.Role | None, day: dt.date) -> bool:
    """Is the person on the roster of ``day`` (for ``role``, or any)? One with no membership at
    all (just entered) is listed under 全部, so that an entry is never out of sight."""
    if role is not None:
        return rules.holds(person, role, day) is not None
    return not person.get("memberships") or bool(rules.roles_on(person, day))


def person_text(record: Mapping[str, Any]) -> str:
    """A person's page: their own fields (the ID number masked) and every membership, dated."""
    shown = shapes.person(dict(record))
    lines = [
        f"名册编号：{shown['number']}",
        f"姓名：{shown['name']}",
        f"性别：{shown['gender'] or '未填'}",
        f"出生日期：{shown['birth'] or '未填'}",
        f"身份证号：{shown['id_number'] or '未填'}",
        f"户号：{shown['household'] or '未填'}{'（户主）' if shown['head'] else ''}",
        f"村民小组：{shown['group'] or '未填'}",
    ]
    if shown["note"]:
        lines.append(f"备注：{shown['note']}")
    lines.append("身份：")
    items = rules.memberships(record)
    lines += [f"  {m.label()}" for m in items] or ["  （没有登记身份）"]
    return "\n".join(lines)


class RosterScreen(BaseScreen):
    """One village's roster on a day, filtered by membership."""

    COMMANDS_KEY = "roster"
    BINDINGS = bindings_for("roster")

    def __init__(self, village: str):
        super().__init__()
        self.village = village
        self.day: dt.date | None = None
        """The 名册日期 (None: today, whatever day it is now)."""
        self.role: rules.Role | None = None
        self.people: list[dict[str, Any]] = []
        """Every person of the village's roster, as read."""
        self.rows: list[dict[str, Any]] = []
        """The people listed, in table order."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="roster-summary", classes="title")
        with Horizontal(id="roster-filters"):
            roles = [(Text(ALL), ALL), *[(Text(r.value), r.value) for r in rules.Role]]
            yield Dropdown(roles, allow_blank=False, value=ALL, id="roster-role")
            yield Label(literal("名册日期"), id="roster-day-label")
            yield text_input(placeholder="如 2026-03-01", id="roster-day")
            yield text_input(placeholder="查找姓名", id="roster-name")
        table: DataTable[object] = DataTable(cursor_type="row", id="roster-table")
        for name, width in (("姓名", 8), ("性别", 4), ("户号", 10), ("村民小组", 12)):
            table.add_column(name, width=width)
        table.add_column("身份（名册日期当天）")
        yield table
        yield Static(id="roster-detail", classes="hint")
        yield self.footer()

    DEFAULT_CSS = """
    #roster-filters { height: 3; }
    #roster-filters Select { width: 26; }
    #roster-day-label { padding: 1 1 0 1; width: auto; }
    #roster-filters #roster-day { width: 16; }
    #roster-filters #roster-name { width: 1fr; }
    #roster-detail { height: 2; }
    """

    def on_mount(self) -> None:
        self.sub_title = f"名册 · {self.village}"
        self.query_one("#roster-day", Input).value = self.today.isoformat()
        self.refresh_data()
        self.query_one(DataTable).focus()

    @property
    def shown_day(self) -> dt.date:
        return self.day or self.today

    def shown_villages(self) -> Collection[str]:
        return (self.village,)

    def refresh_data(self, keep: str = "") -> None:
        """Read the roster again; the highlight stays on the person it was on (or ``keep``)."""
        people = self.cunwu.attempt(lambda: self.site.roster.people(self.village))
        self.people = people if people is not None else []
        table = self.query_one(DataTable)
        current = self.selected()
        keep = keep or (str(current["number"]) if current else "")
        day, role = self.shown_day, self.role
        name = unicodedata.normalize("NFKC", self.query_one("#roster-name", Input).value).strip()
        self.rows = [p for p in self.people if listed(p, role, day) and name in str(p["name"])]
        table.clear()
        for p in self.rows:
            household = str(p.get("household") or "") + (" 户主" if p.get("head") else "")
            table.add_row(
                cell(p["name"]),
                cell(p.get("gender") or ""),
                cell(household),
                cell(p.get("group") or ""),
                cell(held_text(p, day)),
            )
        numbers = [str(p["number"]) for p in self.rows]
        if keep in numbers:
            table.move_cursor(row=numbers.index(keep))
        self.show_summary()
        self.show_detail()

    def show_summary(self) -> None:
        what = self.role.value if self.role is not None else ALL
        name = self.query_one("#roster-name", Input).value.strip()
        found = f"，姓名含“{name}”" if name else ""
        text = f"{self.village}名册 · 名册日期 {self.shown_day.isoformat()} · {what}{found}：共 {len(self.rows)} 人"
        self.query_one("#roster-summary", Static).update(literal(text))

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def show_detail(self) -> None:
        person = self.selected()
        if person is not None:
            head = "，户主" if person.get("head") else ""
            birth = f"，{person['birth']} 生" if person.get("birth") else ""
            text = f"{person['number']} {person['name']}{birth}{head}。回车看全部身份和起止日期"
        elif self.people:
            text = "没有符合条件的人员：换一个身份或名册日期再看。"
        elif self.site.read_only:
            text = "本村名册中还没有人员。"
        else:
            text = f"本村名册中还没有人员：按 {command(self.COMMANDS_KEY, 'new').key_display} 登记。"
        self.query_one("#roster-detail", Static).update(literal(text))

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        self.show_detail()

    # ---- filters

    @on(Select.Changed, "#roster-role")
    def role_changed(self, event: Select.Changed) -> None:
        role = rules.Role(str(event.value)) if event.value != ALL and isinstance(event.value, str) else None
        if role != self.role:
            self.role = role
            self.refresh_data()

    @on(Input.Changed, "#roster-name")
    def name_typed(self) -> None:
        self.refresh_data()

    @on(Input.Submitted, "#roster-name")
    def name_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(Input.Submitted, "#roster-day")
    def day_typed(self) -> None:
        if self.apply_day():
            self.query_one(DataTable).focus()

    @on(Input.Blurred, "#roster-day")
    def day_left(self) -> None:
        """Leaving the field (Tab) applies the day typed too, so the list never shows one day
        beside another typed in the field."""
        if self.query_one("#roster-day", Input).value.strip() != self.shown_day.isoformat():
            self.apply_day()

    def apply_day(self) -> bool:
        """Show the roster of the day typed (empty: today); a day that is not one is said, and
        the field shows the day still listed."""
        field = self.query_one("#roster-day", Input)
        text = field.value.strip()
        try:
            day = parse_date(text, "名册日期") if text else self.today
        except BadInput as exc:
            self.notify(f"{exc}；名册仍按 {self.shown_day.isoformat()} 显示。", severity="warning", markup=False)
            field.value = self.shown_day.isoformat()
            return False
        self.day = None if day == self.today else day
        field.value = day.isoformat()
        self.refresh_data()
        return True

    def action_focus_filter(self) -> None:
        self.query_one("#roster-role", Select).focus()

    def action_refresh(self) -> None:
        self.refresh_data()

    # ---- a person

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        person = self.selected()
        if person is None:
            return
        record = self.cunwu.attempt(lambda: self.site.roster.get(str(person["number"])))
        if record is not None:
            self.app.push_screen(ReadDialog(f"{record['name']}（{record['number']}）", person_text(record)))

    def chosen_person(self, what: str) -> dict[str, Any] | None:
        """The highlighted person, or None after saying there is none to ``what``."""
        person = self.selected()
        if person is None:
            self.notify(f"请先在名单中选中要{what}的人。", severity="warning", markup=False)
        return person

    def after(self, number: str | None) -> None:
        """Back from a form: the list again, on the person saved."""
        self.refresh_data(keep=number or "")

    def action_new_person(self) -> None:
        from tui.screens.roster_forms import PersonFormScreen

        self.app.push_screen(PersonFormScreen(self.village), self.after)

    def action_edit_person(self) -> None:
        from tui.screens.roster_forms import PersonFormScreen

        person = self.chosen_person("修改")
        if person is not None:
            self.app.push_screen(PersonFormScreen(self.village, number=str(person["number"])), self.after)

    def action_join(self) -> None:
        from tui.screens.roster_forms import JoinFormScreen

        person = self.chosen_person("增加身份")
        if person is not None:
            self.app.push_screen(JoinFormScreen(str(person["number"])), self.after)

    def action_end_membership(self) -> None:
        from tui.screens.roster_forms import LeaveFormScreen

        person = self.chosen_person("终止身份")
        if person is None:
            return
        if not any(m.until is None for m in rules.memberships(person)):
            self.notify(f"{person['name']}现在没有未终止的身份。", severity="warning", markup=False)
            return
        self.app.push_screen(LeaveFormScreen(str(person["number"])), self.after)
