"""The 名册 screen's forms: a person entered (with a first membership) or corrected, a
membership added, a membership ended. Each saves through ``site.roster`` and dismisses with the
person's number; the store checks everything and says in Chinese what is wrong.

An ID number is typed here and never shown again whole: correcting a person shows the masked
number and leaves it as stored unless a new one is typed.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Select, Static

from procedures import idnumber
from procedures import roster as rules
from store.errors import BadInput
from tui.commands import bindings_for
from tui.screens.base import literal
from tui.screens.record_common import FormScreen, Tick, field, text_input
from tui.widgets import Dropdown, Panel

NO_ROLE = "（暂不登记身份）"
DETAIL_HINT = "职务、党小组名称或所代表的户/村民小组，可不填"


def roles() -> list[tuple[str, str]]:
    return [(r.value, r.value) for r in rules.Role]


def chosen(select: Select[Any]) -> str:
    """A drop-down's choice as text ("" when none)."""
    value = select.value
    return value if isinstance(value, str) else ""


class RosterForm(FormScreen):
    """What the roster's forms share: the person they are about, read when composed."""

    BINDINGS = bindings_for("form")

    def __init__(self, number: str = ""):
        super().__init__()
        self.number = number
        self.record: dict[str, Any] | None = None

    def load(self) -> dict[str, Any]:
        if self.number and self.record is None:
            self.record = self.cunwu.attempt(lambda: self.site.roster.get(self.number))
        return self.record or {}

    def rev(self) -> int | None:
        return int(self.record["rev"]) if self.record is not None else None


class PersonFormScreen(RosterForm):
    """登记人员 (``number`` empty, with a first membership) or 修改人员 (their own fields)."""

    def __init__(self, village: str, number: str = ""):
        super().__init__(number)
        self.village = village

    def compose(self) -> ComposeResult:
        r = self.load()
        yield self.header()
        with Panel(classes="form", id="form"):
            what = f"修改 {r.get('name', '')}（{self.number}）" if self.number else f"在{self.village}名册中登记人员"
            yield Static(literal(f"{what}：Tab 换栏，F2/Ctrl+S 保存，Esc 取消。"), classes="hint")
            with Horizontal(classes="row"):
                yield field("姓名", text_input(r.get("name", ""), "", "name"))
                gender = r.get("gender", "")
                yield field(
                    "性别",
                    Dropdown(
                        [("男", "男"), ("女", "女")],
                        prompt="不填",
                        value=gender if gender in ("男", "女") else Select.NULL,
                        id="gender",
                    ),
                )
            with Horizontal(classes="row"):
                yield field("出生日期（可不填）", text_input(r.get("birth", ""), "如 1970-05-01", "birth"))
                if r.get("id_number"):
                    label = f"身份证号（已登记 {idnumber.mask(str(r['id_number']))}，不改请留空）"
                else:
                    label = "身份证号（可不填）"
                yield field(label, text_input("", "18 位", "id_number"))
            with Horizontal(classes="row"):
                yield field("户号", text_input(r.get("household", ""), "如 0012", "household"))
                yield field("村民小组", text_input(r.get("group", ""), "如 第一村民小组", "group"))
            yield Tick("户主", bool(r.get("head")), id="head")
            yield field("备注（可不填）", text_input(r.get("note", ""), "", "note"))
            if not self.number:
                yield Static(literal("第一个身份（以后可按 s 再加）"), classes="section")
                yield field("身份", Dropdown([(NO_ROLE, NO_ROLE), *roles()], prompt="请选择身份", id="role"))
                yield field("职务/说明", text_input("", DETAIL_HINT, "detail"))
                yield field("起始日期", text_input(self.today.isoformat(), "如 2021-03-01", "since"))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"修改人员 {self.number}" if self.number else f"登记人员 · {self.village}"
        self.query_one("#name").focus()

    def fields(self) -> dict[str, Any]:
        typed_id = self.value("#id_number").strip()
        out: dict[str, Any] = {
            "name": self.value("#name"),
            "gender": chosen(self.query_one("#gender", Select)),
            "birth": self.value("#birth"),
            "household": self.value("#household"),
            "head": self.query_one("#head", Tick).value,
            "group": self.value("#group"),
            "note": self.value("#note"),
            # Correcting: an empty field keeps the number as stored (it is never shown whole).
            "id_number": typed_id if typed_id or not self.number else None,
        }
        if not self.number:
            role = chosen(self.query_one("#role", Select))
            if not role:
                raise BadInput("请选择第一个身份；暂不登记身份时选“（暂不登记身份）”。未做任何改动。")
            if role != NO_ROLE:
                out["memberships"] = [{"role": role, "detail": self.value("#detail"), "since": self.value("#since")}]
        return out

    def action_save(self) -> None:
        def work() -> str:
            fields = self.fields()
            operator, now = self.site.operator, self.cunwu.now
            if self.number:
                saved = self.site.roster.edit(operator, now, self.number, self.rev(), fields)
            else:
                saved = self.site.roster.add(operator, now, self.village, fields)
            return str(saved["number"])

        self.save_with(work)


class JoinFormScreen(RosterForm):
    """加身份: a membership added to a person, from a day."""

    def compose(self) -> ComposeResult:
        r = self.load()
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(literal(f"给 {r.get('name', '')}（{self.number}）增加身份：F2/Ctrl+S 保存，Esc 取消。"))
            held = [m.label() for m in rules.memberships(r)]
            yield Static(literal("已有身份：" + ("；".join(held) if held else "无")), classes="hint")
            yield field("身份", Dropdown(roles(), prompt="请选择身份", id="role"))
            yield field("职务/说明", text_input("", DETAIL_HINT, "detail"))
            yield field("起始日期", text_input(self.today.isoformat(), "如 2021-03-01", "since"))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"增加身份 {self.number}"
        self.query_one("#role").focus()

    def action_save(self) -> None:
        def work() -> str:
            role = chosen(self.query_one("#role", Select))
            if not role:
                raise BadInput("请选择要增加的身份。未做任何改动。")
            membership = {"role": role, "detail": self.value("#detail"), "since": self.value("#since")}
            saved = self.site.roster.join(self.site.operator, self.cunwu.now, self.number, self.rev(), membership)
            return str(saved["number"])

        self.save_with(work)


class LeaveFormScreen(RosterForm):
    """终止身份: one of the memberships still held, ended on a day (the last day held)."""

    def __init__(self, number: str):
        super().__init__(number)
        self.held: list[rules.Membership] = []
        """The memberships still held, as the drop-down lists them."""

    def compose(self) -> ComposeResult:
        r = self.load()
        self.held = [m for m in rules.memberships(r) if m.until is None]
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(literal(f"终止 {r.get('name', '')}（{self.number}）的一个身份：F2/Ctrl+S 保存，Esc 取消。"))
            choices = [(m.label(), str(n)) for n, m in enumerate(self.held)]
            only = choices[0][1] if len(choices) == 1 else Select.NULL
            yield field("要终止的身份", Dropdown(choices, prompt="请选择身份", value=only, id="held"))
            yield field("终止日期（担任的最后一天）", text_input(self.today.isoformat(), "如 2026-03-10", "until"))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"终止身份 {self.number}"
        self.query_one("#held").focus()

    def action_save(self) -> None:
        def work() -> str:
            which = chosen(self.query_one("#held", Select))
            if not which:
                raise BadInput("请选择要终止的身份。未做任何改动。")
            m = self.held[int(which)]
            saved = self.site.roster.leave(
                self.site.operator,
                self.cunwu.now,
                self.number,
                self.rev(),
                m.role.value,
                self.value("#until"),
                m.detail,
            )
            return str(saved["number"])

        self.save_with(work)
