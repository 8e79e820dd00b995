"""The command palette (Ctrl+P): the same registry of commands as the keys, the footer and the help."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.commands import Command, commands_for, editing_command


class RegistryCommands(Provider):
    """Offers the current screen's commands (and the global ones), searchable by their Chinese label."""

    def _commands(self) -> tuple[Command, ...]:
        key = getattr(self.screen, "COMMANDS_KEY", "")
        read_only = getattr(getattr(self.app, "site", None), "read_only", False)
        return tuple(
            c
            for c in commands_for(key)
            if c.id != "back" and not (read_only and editing_command(key, c.action) is not None)
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
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._run, command), help=command.help)
