"""First run on an empty data directory: the township and its villages."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.commands import bindings_for
from tui.screens.base import BaseScreen, literal


class FirstRunScreen(BaseScreen):
    COMMANDS_KEY = "first_run"
    BINDINGS = bindings_for("first_run")

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(classes="form"):
            yield Static(literal("首次使用：请填写乡镇和村名单（以后可用 cunwu init 增加村）。"), classes="title")
            yield Label(literal("乡（镇）名称"))
            yield Input(placeholder="如：沁河镇", id="township")
            yield Label(literal("村（社区）名单，用空格或顿号分开"))
            yield Input(placeholder="如：城关村 南石村", id="villages")
            yield Label(literal("你的姓名（登记为管理员；经办人、签名处印这个姓名）"))
            yield Input(placeholder="如：王文书", id="my-name")
            yield Static(literal("填好后按 F2 或 Ctrl+S 保存。"), classes="hint")
        yield self.footer()

    def unsaved(self) -> bool:
        """Something typed and not saved: F10 asks before it is lost."""
        return any(field.value.strip() for field in self.query(Input))

    def save_work(self) -> bool:
        """Save the township, villages and the person's name (when quitting: no home screen is opened)."""
        township = self.query_one("#township", Input).value
        villages = [v for v in re.split(r"[\s、，,；;]+", self.query_one("#villages", Input).value) if v]
        name = self.query_one("#my-name", Input).value
        if not township.strip() or not villages or not name.strip():
            self.notify("请填写乡镇名称、至少一个村和你的姓名", severity="warning", markup=False)
            return False
        done = self.cunwu.attempt(lambda: self.site.init(self.cunwu.now, township, villages, my_name=name))
        return done is not None

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "township":
            self.query_one("#villages", Input).focus()
        elif event.input.id == "villages":
            self.query_one("#my-name", Input).focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        if self.save_work():
            from tui.screens.home import HomeScreen

            self.app.switch_screen(HomeScreen())
