"""What every screen shares: the site, the date, its commands, literal text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header

from store.site import Site

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

    def header(self) -> Header:
        return Header(show_clock=False, icon="")

    def footer(self) -> Footer:
        return Footer(show_command_palette=False)


class BaseScreen(ScreenParts, Screen[None]):
    """A full screen with the header, the footer and the registry's commands."""

    COMMANDS_KEY = ""
    """The key of this screen's commands in ``tui.commands.SCREENS``."""

    def refresh_data(self) -> None:
        """Re-read what the screen shows (after another user's save, or once a minute)."""
