"""What every screen shares: the site, the date, its commands, literal text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, cast

from textual.binding import ActiveBinding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header

from store.files import signature
from store.site import Site
from tui.commands import BACK, editing_command
from tui.widgets import KeyFooter

if TYPE_CHECKING:
    from tui.app import CunwuApp


def literal(text: object) -> Content:
    """User or document text as content that is never parsed as markup."""
    return Content(str(text))


class ScreenParts:
    """What every screen of the app reaches for: the app, the site, the date, header and footer."""

    app: Any

    @property
    def cunwu(self) -> CunwuApp:
        return cast("CunwuApp", self.app)

    @property
    def site(self) -> Site:
        return self.cunwu.site

    @property
    def today(self) -> dt.date:
        return self.cunwu.today

    def may(self, action: str, village: str | None = None) -> bool:
        """Whether the account may do ``action`` (in ``village``) by the store's own rule
        (``store.roles.check``), asked before any text is typed; a refusal is shown in its words.
        The store checks again when it saves."""
        from store.roles import check

        def allowed() -> bool:
            check(self.site.operator, action, village)
            return True

        return bool(self.cunwu.attempt(allowed))

    def header(self) -> Header:
        return Header(show_clock=False, icon="")

    def footer(self) -> KeyFooter:
        return KeyFooter(show_command_palette=False)

    def unsaved(self) -> bool:
        """True when the screen holds typed work that is not saved (Esc and quitting ask first)."""
        return False

    def save_work(self) -> bool:
        """Save that work without leaving; True when saved (a refusal has been shown otherwise)."""
        return True


def role_bindings(screen: Screen[Any], found: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """``found`` without the commands a read-only (监委会) session may not use: the footer does
    not offer them; their keys still say why they do nothing (``CunwuApp.run_action``)."""
    app = screen.app
    if not getattr(getattr(app, "site", None), "read_only", False):
        return found
    key = getattr(screen, "COMMANDS_KEY", "")
    return {k: b for k, b in found.items() if editing_command(key, b.binding.action) is None}


class BaseScreen(ScreenParts, Screen[None]):
    """A full screen with the header, the footer and the registry's commands."""

    COMMANDS_KEY = ""
    """The key of this screen's commands in ``tui.commands.SCREENS``."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        found = role_bindings(self, super().active_bindings)
        if self.bottom():
            # The app offers 返回 while there is a full screen to go back to, wherever it is
            # asked from: home's footer, hidden under the case list, grew a 返回 key and was
            # built again, and again when Esc came back to it (three redraws of home).
            return {k: b for k, b in found.items() if b.binding.action != BACK.action}
        return found

    def footer(self) -> KeyFooter:
        footer = super().footer()
        if not self.bottom():
            # Textual's footer shows no keys until the screen first says its bindings changed,
            # then builds them after the next repaint: a screen opened over another was drawn,
            # laid out and drawn again for its keys (the case list of 50,000 cases: 40 ms more
            # before it was quiet). Its keys are known when the footer is composed; a change
            # after is still followed. (Home, the first screen, builds them while it reads its
            # data before its first repaint: composed with it, it was drawn 20–30 ms later.)
            footer._bindings_ready = True
        return footer

    def bottom(self) -> bool:
        """Is this the first full screen (home), with none of the app's below it to go back to?"""
        stack = self.app.screen_stack
        below = stack[: stack.index(self)] if self in stack else stack
        return sum(not screen.is_modal for screen in below) <= 1  # Textual's default screen

    _seen: tuple[object, ...] | None = None
    """The journal's signature and the day when the screen was last shown."""

    def on_screen_resume(self) -> None:
        """Back on this screen from one above it (a case, a form, a list, a dialog): what was
        done there shows at once (the app's own saves do not set off the journal watch). Every
        save appends to the journal, so when it is as it was and the day the same, nothing was
        done and nothing is read (Esc back from a case list of 50,000 cases re-read home for
        0.6 s). The first resume comes right after ``on_mount``, which has just read everything."""
        seen = (signature(self.site.store.journal.path), self.today)
        if self._seen is not None and seen != self._seen:
            self.refresh_data()
        self._seen = seen

    def shown_villages(self) -> Collection[str]:
        """The villages whose records this screen shows: every village the session sees, unless
        the screen is about one (a case, a list filtered to one village)."""
        return self.site.villages

    def shows(self, villages: frozenset[str]) -> bool:
        """Does a save of records of ``villages`` change what this screen shows? (Another user's
        save in a village the screen does not show leaves it as it is.)"""
        return not villages.isdisjoint(self.shown_villages())

    def refresh_data(self) -> None:
        """Re-read what the screen shows (after another user's save, or when the day turns)."""
