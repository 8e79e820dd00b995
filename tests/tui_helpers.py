"""Helpers for Pilot tests: a site, a clock the test can move, the app, and the screen's text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, OptionList, Static

from store.site import Site
from tests.sites import CST
from tui.app import CunwuApp


class Clock:
    def __init__(self, day: dt.date = dt.date(2026, 11, 27)):
        self.now = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def to(self, day: dt.date) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=CST)


def make(
    root: Path, clock: Clock | None = None, *, environ: dict[str, str] | None = None, **kwargs: object
) -> CunwuApp:
    """The app on ``root``, run by the account running the tests (its 管理员), or by the person
    ``environ`` names as the shared-server launcher does (``tests.accounts.env``)."""
    return CunwuApp(Site(root, environ=environ or {}), clock or Clock(), **kwargs)  # type: ignore[arg-type]


def screen_text(app: CunwuApp) -> str:
    """Everything the current screen shows in its text widgets, tables and lists."""
    parts: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, Static):
            parts.append(str(widget.render()))
        elif isinstance(widget, DataTable):
            for row in range(widget.row_count):
                parts.append(" ".join(str(c) for c in widget.get_row_at(row)))
        elif isinstance(widget, OptionList):
            parts += [str(o.prompt) for o in widget.options]
    return "\n".join(parts)


def drawn(app: CunwuApp) -> str:
    """The current screen as the terminal shows it, line by line (the footer included)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
