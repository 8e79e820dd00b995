"""The terminal app. ``make_app`` builds it from a data directory and a clock; the CLI
and the tests both call it, so tests run it headless with a fixed date."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from textual import events
from textual.actions import ActionParseResult
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.filter import LineFilter

from store import clock as clock_mod
from store import resources, roles
from store.db import village_of
from store.errors import Conflict, LockTimeout, StoreError
from store.journal import Watch
from store.sanitize import pasted
from store.site import Site
from tui import refusals
from tui.ascii import AsciiSymbols
from tui.commands import GLOBAL, Kind, editing_command
from tui.dialogs import ChoiceDialog, MessageDialog, ReadDialog, ask_unsaved
from tui.palette import Palette, RegistryCommands

T = TypeVar("T")
Clock = Callable[[], dt.datetime]
READ_ONLY = "监委会（只读）"


def site_clock(site: Site) -> Clock:
    """The server's clock in the site's zone (``store.clock``): never TZ from the environment."""
    zone = site.zone()
    return lambda: clock_mod.now(zone)


ASCII_SYMBOLS = AsciiSymbols()


def work_name(screen: Any) -> str:
    """What a screen's unsaved work is called in the question (``unsaved_what``, else its subtitle)."""
    named = getattr(screen, "unsaved_what", None)
    return str(named() if named is not None else f"“{screen.sub_title}”" if screen.sub_title else "")


class CunwuApp(App[None]):
    """村务履职: the home screen, the catalogue, cases, meetings, notices and seals."""

    CSS_PATH = "app.tcss"
    TITLE = "村务履职"
    COMMANDS = {RegistryCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [replace(c, show=False).binding() if c.kind is Kind.QUIT else c.binding() for c in GLOBAL]
    """退出 is shown only where a screen lists it (home): elsewhere 80 columns end with a key cut in half."""

    def __init__(
        self, site: Site, clock: Clock | None = None, *, ascii_borders: bool = False, slow: bool = False, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.site = site
        self.clock = clock or site_clock(site)
        self.ascii_borders = ascii_borders
        self.slow = slow
        """For a slow link (cunwu --slow): the stylesheet's ``CunwuApp.-slow`` rules drop what is
        only decoration (scrollbars, box and block characters around fields, lists and dialogs)."""
        self._watch = Watch(site.store.journal.path)
        self._day = self.today
        """The day the screens were last read for (the minute's tick reads them again on a new day)."""

    async def on_event(self, event: events.Event) -> None:
        # A paste reaches the focused field without escape sequences or control characters:
        # in the text they would be stored as "[D" tails, or move the cursor and reorder it.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            clean = pasted(event.text)
            if clean != event.text:
                event = events.Paste(clean)
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A steady cursor in text fields: a blinking one redraws the field twice a second, about
        1.5 KB/s, more than a 9.6 kbit/s SSH link carries, so the link never drains while a
        field has focus (issue 19)."""
        widget = event.widget  # Input, TextArea: named by their reactive, not imported (TextArea is heavy)
        if getattr(widget, "cursor_blink", False):
            widget.cursor_blink = False  # type: ignore[attr-defined]

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, and in compatibility mode (--ascii) ASCII for every symbol."""
        filters = super().get_line_filters()
        return [*filters, ASCII_SYMBOLS] if self.ascii_borders else filters

    @property
    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def today(self) -> dt.date:
        return self.clock().date()

    def on_mount(self) -> None:
        if self.ascii_borders:
            self.add_class("-ascii")
        if self.slow:
            self.add_class("-slow")
        if self.site.read_only:
            self.title = f"{self.TITLE} · {READ_ONLY}"
        if self.site.settings.villages:
            from tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        else:
            from tui.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())
        # One tick a minute for the day's turn; a cheap stat every few seconds to show other users' saves.
        self.set_interval(60, self.new_day)
        self.set_interval(3, self.watch_store)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self.exit)

    def refresh_screen(self, villages: frozenset[str] | None = None) -> None:
        """Read the screen again: all of it (``villages`` None), or when it shows a record of one
        of ``villages`` (``BaseScreen.shows``)."""
        screen = self.screen
        shows = getattr(screen, "shows", None)
        if villages is not None and shows is not None and not shows(villages):
            return
        refresh = getattr(screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    def new_day(self) -> None:
        """The countdowns count days: the screen is read again when the date turns, and only then
        (other users' saves are ``watch_store``'s)."""
        if self.today != self._day:
            self._day = self.today
            self.refresh_screen()

    def watch_store(self) -> None:
        """Every save appends to the journal: what it names since the last look (one stat when
        nothing) decides whether the screen shows any of it; settings or a replaced journal
        (a restore) may change anything."""
        targets = self._watch.changes()
        if targets is not None and not targets:
            return
        villages = None if targets is None else {village_of(t, None) for t in targets}
        self.refresh_screen(None if villages is None or None in villages else frozenset(v for v in villages if v))

    def attempt(self, work: Callable[[], T]) -> T | None:
        """Run a store operation; a refusal, a data problem or a full disk is shown, never raised."""
        try:
            result = work()
        except Conflict as exc:
            self.push_screen(MessageDialog("保存冲突", refusals.message(exc)))
            return None
        except LockTimeout as exc:
            self.notify(str(exc), title="请稍候", severity="warning", markup=False)
            return None
        except StoreError as exc:
            self.push_screen(MessageDialog("未能完成", refusals.message(exc)))
            return None
        except OSError as exc:  # a full disk, no permission … (store.resources): never the crash screen
            found = resources.problem(exc, doing=resources.ACCESS)
            if found is None:
                raise
            self.push_screen(MessageDialog("未能完成", str(found)))
            return None
        self._watch.changes()  # our own save: the screen that made it shows it already
        return result

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key, footer click and palette choice passes here: in a read-only session the
        commands that change cases and records say so instead of opening their forms."""
        if isinstance(action, str):
            # A widget's own action (a table's cursor, an input's editing) is never a command.
            owner = self.screen if default_namespace is None or default_namespace is self else default_namespace
            command = editing_command(getattr(owner, "COMMANDS_KEY", ""), action)
            if command is not None:
                refusal = self.attempt(lambda: self.editing_refusal(command.label))
                if refusal is None:
                    return True  # the settings could not be read: attempt has said why
                if refusal:
                    self.push_screen(MessageDialog(READ_ONLY if self.site.read_only else "不能办理", refusal))
                    return True
        return await super().run_action(action, default_namespace, namespaces)

    def editing_refusal(self, label: str) -> str:
        """Why this session may not “``label``” now (empty when it may): the settings are read
        again first, so a role taken away while the app was open counts at once."""
        operator = self.site.refresh()
        if not roles.known(operator):
            return roles.unknown_message(operator)
        if self.site.read_only:
            return f"本账号（{operator.label}）是监委会账号，只能查看、填写审核意见和签字，不能“{label}”。"
        return ""

    def action_command_palette(self) -> None:
        """Ctrl+P: the palette in Chinese (``tui.palette.Palette``), not Textual's English one."""
        if self.use_command_palette and not isinstance(self.screen, Palette):
            self.push_screen(Palette())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "COMMANDS_KEY", "")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc (返回) is offered only where there is a screen to go back to."""
        if action == "leave":
            # Full screens only: a dialog over home is no screen to go back to, and the footer
            # beneath it (home's) must not grow a 返回 that pushes its last key off the edge.
            return sum(not screen.is_modal for screen in self.screen_stack) > 2
        return True

    def action_leave(self) -> None:
        """Back to the screen before; a screen holding unsaved work asks first (保存 / 放弃 /
        继续编辑, default 继续编辑), so an Escape meant for the input method never loses it."""
        if len(self.screen_stack) <= 2:
            return
        screen = self.screen

        def leave() -> None:
            if self.screen is screen:
                screen.dismiss(None)

        def save() -> None:
            if getattr(screen, "save_work", lambda: True)():
                leave()  # a form that saved has dismissed itself already

        unsaved = bool(getattr(screen, "unsaved", lambda: False)())
        ask_unsaved(screen, unsaved, save=save, leave=leave, what=work_name(screen))

    def unsaved_screens(self) -> list[Any]:
        """The screens on the stack holding unsaved work, the top one first."""
        return [s for s in reversed(self.screen_stack) if getattr(s, "unsaved", lambda: False)()]

    def action_quit_app(self) -> None:
        """Quit; when a form (or the case screen's ticks) holds unsaved work, ask first."""
        dirty = self.unsaved_screens()

        def save() -> None:
            for screen in dirty:
                if not screen.save_work():
                    return  # the refusal is on the screen; nothing more is left or lost
            self.exit()

        what = "、".join(work_name(s) for s in dirty)
        ask_unsaved(self.screen, bool(dirty), save=save, leave=self.exit, what=what)

    def action_goto(self) -> None:
        """F9 on the home screen: choose a list to go to (each also has its own letter)."""
        places = {
            "事项目录（c）": self.action_catalog,
            "办件（b）": self.action_cases,
            "会议记录（m）": self.action_meetings,
            "公示和用印登记（g）": self.action_notices,
            "名册（r）": self.action_roster,
            "监督（j）": self.action_supervision,
            "整改（y）": self.action_rectifications,
        }

        def chosen(label: str | None) -> None:
            if label in places:
                places[label]()

        self.push_screen(ChoiceDialog("转到", list(places)), chosen)

    def action_catalog(self) -> None:
        from tui.screens.catalog import CatalogScreen

        self.push_screen(CatalogScreen())

    def action_find_matter(self) -> None:
        """F3 on the home screen: the catalogue, with the cursor in its search field."""
        from tui.screens.catalog import CatalogScreen

        screen = CatalogScreen()
        self.push_screen(screen)
        self.call_after_refresh(lambda: screen.run_action("focus_search"))

    def action_cases(self) -> None:
        from tui.screens.cases import CaseListScreen

        self.push_screen(CaseListScreen())

    def action_new_case(self, matter_id: str = "") -> None:
        from tui.screens.case import CaseScreen
        from tui.screens.cases import NewCaseDialog

        def opened(number: str | None) -> None:
            if number:
                self.push_screen(CaseScreen(number))

        self.push_screen(NewCaseDialog(matter_id), opened)

    def action_meetings(self) -> None:
        from tui.screens.records import MeetingListScreen

        self.push_screen(MeetingListScreen())

    def action_notices(self) -> None:
        from tui.screens.records import NoticeSealListScreen

        self.push_screen(NoticeSealListScreen())

    def action_roster(self) -> None:
        """名册: the village's (a session that sees one goes straight to it; else it is asked)."""
        from tui.screens.record_common import choose_village
        from tui.screens.roster import RosterScreen

        choose_village(self.screen, lambda village: self.push_screen(RosterScreen(village)))

    def action_supervision(self) -> None:
        from tui.screens.supervision import SupervisionScreen

        self.push_screen(SupervisionScreen())

    def action_rectifications(self) -> None:
        from tui.screens.rectify import RectifyScreen

        self.push_screen(RectifyScreen())

    def open_case(self, number: str) -> None:
        from tui.screens.case import CaseScreen

        self.push_screen(CaseScreen(number))

    def open_record(self, number: str) -> None:
        """A meeting's or a notice's page, a seal use or a person of a roster (a 监督 finding about
        them) to read, by its number."""
        from store.records import prefix_of
        from tui.screens.notice_list import seal_text
        from tui.screens.records import MeetingDetailScreen, NoticeDetailScreen

        if prefix_of(number) == self.site.roster.book.prefix:
            from tui.screens.roster import person_text

            person = self.attempt(lambda: self.site.roster.get(number))
            if person is not None:
                self.push_screen(ReadDialog(f"名册：{person['name']}（{number}）", person_text(person)))
            return
        found = self.attempt(lambda: self.site.linked(number))
        if found is None:
            return
        kind, record = found
        if kind == "meeting":
            self.push_screen(MeetingDetailScreen(number))
        elif kind == "notice":
            self.push_screen(NoticeDetailScreen(number))
        else:
            self.push_screen(ReadDialog(f"用印登记 {number}", seal_text(record)))

    def open_matter(self, matter_id: str) -> None:
        from tui.screens.matter import MatterScreen

        self.push_screen(MatterScreen(matter_id))

    def _handle_exception(self, error: Exception) -> None:
        """An unhandled error (a bug) ends the app as in Textual, but what is left on the screen is
        one sentence in Chinese; the traceback goes to a private log file (``tui.crash``).
        Textual's own report shows every frame's local variables, which hold personal data."""
        from typing import cast

        from rich.text import Text

        from tui import crash

        self._return_code = crash.EXIT_INTERNAL
        if self._exception is None:
            # As in Textual: the first error is kept, so that run_test raises it in the tests.
            self._exception = error
            # (Textual's cached_property for Python < 3.12 is typed as Never: hence the cast.)
            cast(Any, self)._exception_event.set()
            self._crash_log = crash.write_log(error)
            self.panic(Text(crash.message(self._crash_log)))
        else:  # what followed from the first error: into the same log, nothing more on screen
            crash.write_log(error, append_to=getattr(self, "_crash_log", None))
            self._close_messages_no_wait()


def make_app(
    root: Path | Site,
    clock: Clock | None = None,
    *,
    ascii_borders: bool = False,
    slow: bool = False,
    environ: dict[str, str] | None = None,
) -> CunwuApp:
    """The app for a data directory, or for a Site already opened on one (raises the store's or
    catalog's errors before any screen); the clock defaults to the server's (``site_clock``)."""
    from tui.driver import TolerantLinuxDriver

    site = root if isinstance(root, Site) else Site(root, environ=environ)
    return CunwuApp(site, clock, ascii_borders=ascii_borders, slow=slow, driver_class=TolerantLinuxDriver)


__all__ = ["Binding", "CunwuApp", "make_app"]
