"""登记用印: which seal, on what, approved by whom (never the keeper), on what basis."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Select, Static

from store.records import parse_date
from store.seals import SEALS
from tui.commands import bindings_for
from tui.screens.base import literal
from tui.screens.record_common import FormScreen, Tick, count, field, text_input
from tui.widgets import Dropdown


class SealFormScreen(FormScreen):
    """A seal use of ``village``; dismisses with the seal-register number."""

    BINDINGS = bindings_for("form")

    def __init__(self, village: str):
        super().__init__()
        self.village = village

    def compose(self) -> ComposeResult:
        yield self.header()
        with VerticalScroll(classes="form", id="form"):
            yield Static(
                literal(f"{self.village}用印登记：批准人不能是印章保管人。F2/Ctrl+S 保存，Esc 取消。"), classes="hint"
            )
            yield field("印章", Dropdown([(s, s) for s in SEALS], prompt="请选择印章", id="seal"))
            with Horizontal(classes="row"):
                yield field("用印日期", text_input(self.today.isoformat(), "2026-11-27", "date"))
                yield field("份数", text_input("1", "", "copies"))
            yield field("用印文件", text_input("", "文件名称", "document"))
            yield field("用途", text_input("", "如：报镇政府审批", "purpose"))
            with Horizontal(classes="row"):
                yield field("批准人", text_input("", "", "approver"))
                yield field("印章保管人", text_input("", "", "keeper"))
            yield Static(literal("用印依据（二选一）："), classes="section")
            yield field("会议决议编号（重大事项）", text_input("", "如 城关村-2026-HY0001", "meeting"))
            yield Tick("一般常规业务资料，经负责人审阅同意", id="routine")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"登记用印 · {self.village}"
        self.query_one("#seal", Select).focus()

    def action_save(self) -> None:
        seal = self.query_one("#seal", Select).value
        routine = self.query_one("#routine", Tick).value

        def work() -> str:
            fields: dict[str, Any] = {
                "seal": seal if isinstance(seal, str) else "",
                "date": parse_date(self.value("#date"), "用印日期"),
                "document": self.value("#document"),
                "purpose": self.value("#purpose"),
                "approver": self.value("#approver"),
                "keeper": self.value("#keeper"),
                "meeting": self.value("#meeting"),
                "routine": routine,
            }
            copies = count(self.value("#copies"), "用印份数")
            if copies is not None:
                fields["copies"] = copies
            saved = self.site.seals.new(self.site.operator, self.cunwu.now, self.village, fields)
            return str(saved["number"])

        self.save_with(work)
