"""The command palette (Ctrl+P): the same registry of commands as the keys, the footer and the
help, in Chinese, found by their Chinese label or its pinyin initials (sxml finds 事项目录)."""

from __future__ import annotations

from functools import lru_cache, partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon
from textual.content import Content
from textual.widgets.option_list import Option

from procedures.search import initials_of, normalize, run_matches
from tui.commands import Command, commands_for, editing_command

PLACEHOLDER = "查找命令：输入名称或拼音首字母，如 事项目录 或 sxml"
NO_MATCHES = "没有找到这个命令，换个写法试试"


@lru_cache(maxsize=256)
def label_initials(label: str) -> tuple[str, ...]:
    """The pinyin initials of a command's label, with the catalogue's helper (loaded only when
    someone types letters into the palette)."""
    return initials_of(label)


def pinyin_score(label: str, query: str) -> float:
    """0 when ``query`` is not the pinyin initials of a run of ``label``'s characters; more when
    the run starts the label and the more of the label it covers."""
    q = normalize(query)
    if not q or not q.isascii() or not q.isalpha():
        return 0.0
    initials = label_initials(label)
    if not run_matches(initials, q):
        return 0.0
    prefix = all(q[i] in initials[i] for i in range(len(q))) if len(q) <= len(initials) else False
    return (0.6 if prefix else 0.4) + 0.3 * len(q) / max(len(initials), 1)


class RegistryCommands(Provider):
    """Offers the current screen's commands (and the global ones), searchable by their Chinese
    label, their help text, or the label's pinyin initials."""

    def _commands(self) -> tuple[Command, ...]:
        key = getattr(self.screen, "COMMANDS_KEY", "")
        read_only = getattr(getattr(self.app, "site", None), "read_only", False)
        return tuple(
            c
            for c in commands_for(key)
            if c.id not in ("back", "palette") and not (read_only and editing_command(key, c.action) is not None)
        )

    def _run(self, command: Command) -> None:
        action = command.action
        target = self.app if action.startswith("app.") else self.screen
        self.app.call_later(target.run_action, action.removeprefix("app."))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                f"{command.label}（{command.key_display}）", partial(self._run, command), help=command.help
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            text = f"{command.label}（{command.key_display}）"
            score = matcher.match(f"{command.label} {command.help}")
            shown: Content | str = matcher.highlight(text) if score > 0 else text
            score = max(score, pinyin_score(command.label, query))
            if score > 0:
                yield Hit(score, shown, partial(self._run, command), help=command.help)


class Palette(CommandPalette):
    """Textual's command palette, speaking Chinese: its prompt, its "nothing found" line, and no
    emoji before the input (a double-width glyph many terminals draw badly)."""

    def __init__(self) -> None:
        super().__init__(placeholder=PLACEHOLDER, id="--command-palette")

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own (8.2.8) adds "No matches found" in English after the same delay.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
