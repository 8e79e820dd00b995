"""登记用印: which seal, on what, approved by whom (never the keeper), on what basis — and,
for a use that broke those rules, the 情况说明 that registers it as it happened."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from store.records import parse_date
from store.seals import ROUTINE, SEALS, UNAPPROVED
from tui.commands import bindings_for
from tui.screens.base import literal
from tui.screens.record_common import FormScreen, count, field, text_area, text_input
from tui.widgets import Dropdown, Panel

BASES: tuple[tuple[str, str], ...] = (
    ("会议决议（重大事项）", "meeting"),
    (ROUTINE, "routine"),
    (UNAPPROVED.replace("）", "，须写情况说明）"), "unapproved"),
)
"""用印依据, one of three as ``cunwu seal new`` has them (--meeting, --routine, --unapproved)."""


class SealFormScreen(FormScreen):
    """A seal use of ``village``; dismisses with the seal-register number."""

    BINDINGS = bindings_for("form")

    def __init__(self, village: str):
        super().__init__()
        self.village = village

    def compose(self) -> ComposeResult:
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(
                literal(f"{self.village}用印登记：批准人不能是印章保管人。F2/Ctrl+S 保存，Esc 取消。"), classes="hint"
            )
            yield field("印章", Dropdown([(s, s) for s in SEALS], prompt="请选择印章（回车展开）", id="seal"))
            with Horizontal(classes="row"):
                yield field("用印日期", text_input(self.today.isoformat(), "2026-11-27", "date"))
                yield field("份数", text_input("1", "", "copies"))
            yield field("用印文件", text_input("", "文件名称", "document"))
            yield field("用途", text_input("", "如：报镇政府审批", "purpose"))
            yield field("用印依据", Dropdown(BASES, prompt="请选择用印依据（回车展开）", id="basis"))
            with Vertical(classes="field", id="meeting-field"):
                yield Label(literal("会议记录编号（本村已通过决议的会议）"))
                with Horizontal(classes="row"):
                    yield text_input("", "如 城关村-2026-HY0001", "meeting")
                    yield Button(literal("从列表选择"), id="pick-meeting", compact=True)
            with Horizontal(classes="row"):
                yield field("批准人", text_input("", "未经批准时不填", "approver"))
                yield field("印章保管人", text_input("", "", "keeper"))
            with Vertical(classes="field", id="irregular-field"):
                yield Static(id="irregular-why", classes="hint")
                yield Label(literal("情况说明（如实写明用印经过，将列为监督提示）"))
                yield text_area("", "irregular")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"登记用印 · {self.village}"
        self.show_parts()
        self.query_one("#seal", Select).focus()

    def basis(self) -> str:
        value = self.query_one("#basis", Select).value
        return value if isinstance(value, str) else ""

    def irregular_reason(self) -> str:
        """Why this use needs a 情况说明 ("" when it does not)."""
        approver, keeper = self.value("#approver").strip(), self.value("#keeper").strip()
        if self.basis() == "unapproved":
            return "未经批准的用印：请在下面写明情况说明后如实登记。"
        if approver and approver == keeper:
            return (
                f"批准人与印章保管人是同一人（{approver}）：这不合规定，应由负责人审批、保管人只负责盖章。"
                "如实际就是如此，请在下面写明情况说明后如实登记。"
            )
        return ""

    @on(Input.Changed, "#approver, #keeper")
    @on(Select.Changed, "#basis")
    def show_parts(self) -> None:
        """The meeting number for a meeting basis; the 情况说明 for a use that broke the rules."""
        self.query_one("#meeting-field").display = self.basis() == "meeting"
        why = self.irregular_reason()
        self.query_one("#irregular-field").display = bool(why)
        self.query_one("#irregular-why", Static).update(literal(why))

    @on(Button.Pressed, "#pick-meeting")
    def pick_meeting(self) -> None:
        from tui.screens.meeting_pick import MeetingPickDialog

        def picked(number: str | None) -> None:
            if number:
                self.query_one("#meeting", Input).value = number
                self.query_one("#meeting", Input).focus()

        self.app.push_screen(MeetingPickDialog(self.village, "选择用印依据的会议"), picked)

    def action_save(self) -> None:
        seal = self.query_one("#seal", Select).value
        basis = self.basis()
        irregular = self.value("#irregular") if self.irregular_reason() else ""

        def work() -> str:
            fields: dict[str, Any] = {
                "seal": seal if isinstance(seal, str) else "",
                "date": parse_date(self.value("#date"), "用印日期"),
                "document": self.value("#document"),
                "purpose": self.value("#purpose"),
                "approver": self.value("#approver"),
                "keeper": self.value("#keeper"),
                "meeting": self.value("#meeting") if basis == "meeting" else "",
                "routine": basis == "routine",
                "unapproved": basis == "unapproved",
                "irregular": irregular,
            }
            copies = count(self.value("#copies"), "用印份数")
            if copies is not None:
                fields["copies"] = copies
            saved = self.site.seals.new(self.site.operator, self.cunwu.now, self.village, fields)
            return str(saved["number"])

        self.save_with(work)
