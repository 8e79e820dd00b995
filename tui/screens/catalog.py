"""事项目录: the 57 matters by category; typing searches at once — Chinese, pinyin initials
(dbsq), what the steps say, or a cadre's word for a group (三会一课, 用印, 公示; ``procedures.search``)."""

from __future__ import annotations

from textual import events, on
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
        yield Input(
            placeholder="直接输入查找：低保、dbsq、三会一课、用印、公示；下箭头进入列表",
            id="search",
            select_on_focus=False,  # a key typed on the list goes on after what is already there
        )
        yield OptionList(id="matters")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "事项目录"
        self.show("")
        # Typing searches at once: the search box has the focus, Down goes to the list.
        self.query_one("#search", Input).focus()

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
        self.query_one(OptionList).highlighted = self._first_enabled()

    @on(Input.Submitted, "#search")
    def enter_list(self) -> None:
        self.query_one(OptionList).focus()
        self.action_open()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#search", Input)
        options = self.query_one(OptionList)
        if event.key == "down" and self.focused is search:
            event.stop()
            options.focus()
        elif self.focused is options and event.key == "up" and options.highlighted == self._first_enabled():
            event.stop()  # up from the first matter goes back to the search box
            search.focus()
        elif self.focused is options and event.is_printable and event.character and event.character not in " ?":
            # Typing on the list types into the search box (Space selects, ? is help).
            event.stop()
            search.focus()
            search.insert_text_at_cursor(event.character)

    def _first_enabled(self) -> int | None:
        options = self.query_one(OptionList).options
        return next((i for i, o in enumerate(options) if not o.disabled), None)

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
