"""事项目录: the 57 matters by category; type Chinese or pinyin initials (dbsq) to find one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from procedures.search import search
from tui.commands import bindings_for
from tui.screens.base import BaseScreen, literal


class CatalogScreen(BaseScreen):
    COMMANDS_KEY = "catalog"
    BINDINGS = bindings_for("catalog")

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Input(placeholder="查找：中文或拼音首字母，如 低保 或 dbsq；下箭头进入列表", id="search")
        yield OptionList(id="matters")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "事项目录"
        self.show("")
        self.query_one(OptionList).focus()

    def show(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        if query.strip():
            found = search(self.site.catalog, query)
            options.add_options([Option(literal(f"{m.order:>2}. {m.name}"), id=m.id) for m in found])
            if not found:
                options.add_option(Option(literal("没有找到，换个写法试试"), disabled=True))
            return
        for category in self.site.catalog.categories:
            options.add_option(Option(literal(f"【{category}】"), disabled=True))
            options.add_options(
                [Option(literal(f"{m.order:>2}. {m.name}"), id=m.id) for m in self.site.catalog.in_category(category)]
            )

    @on(Input.Changed, "#search")
    def typed(self, event: Input.Changed) -> None:
        self.show(event.value)
        options = self.query_one(OptionList)
        first = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        options.highlighted = first

    @on(Input.Submitted, "#search")
    def enter_list(self) -> None:
        self.query_one(OptionList).focus()
        self.action_open()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key == "down" and self.focused is self.query_one("#search"):
            event.stop()
            self.query_one(OptionList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def _selected(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return None if option.disabled else option.id

    @on(OptionList.OptionSelected)
    def chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        matter_id = self._selected()
        if matter_id:
            self.cunwu.open_matter(matter_id)

    def action_new_case(self) -> None:
        matter_id = self._selected()
        self.cunwu.action_new_case(matter_id or "")
