"""The ``cunwu`` command's entry point: the terminal app starts without the command line's
machinery (Typer, the sub-commands and their modules), which only a sub-command loads.

``cunwu`` with nothing but the app's own options (``--data``, ``--ascii``, ``--colors``,
``--slow``) opens
the app from here; anything else (a sub-command, ``--help``, an option spelled another way) goes
to the command line (``tui.cli``), which checks and explains it. Both ways an argument holding an
ID number is refused first, and an error ends the same way (``guarded``).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from procedures import idnumber
from store.errors import EXIT_REFUSED, EXIT_USAGE

APP_OPTIONS: dict[str, bool] = {"--data": True, "--ascii": False, "--colors": True, "--slow": False}
"""The options of ``cunwu`` with no sub-command, and whether each takes a value."""
COLORS = ("16", "256", "auto")


def refuse_personal_data(argv: Sequence[str]) -> None:
    """Exit 2 with a message when the arguments hold a resident ID number, in any form
    ``idnumber.in_arguments`` finds (full-width digits, lower-case x, spaces or hyphens inside,
    letters before, split over several arguments). The shared server's wrapper runs the same
    check before sudo (``procedures.idnumber.main``)."""
    found = idnumber.in_arguments(argv)
    if not found:
        return
    message = idnumber.refusal(found)
    buffer = getattr(sys.stderr, "buffer", None)
    if buffer is not None:
        buffer.write(message.encode("utf-8"))
    else:
        sys.stderr.write(message)
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)


def app_options(argv: Sequence[str]) -> dict[str, Any] | None:
    """The app's options when ``argv`` holds nothing else (``--data DIR``, ``--data=DIR``,
    ``--ascii``, ``--colors N``, ``--slow``); None for anything the command line is to read."""
    found: dict[str, Any] = {"data": None, "ascii_borders": False, "colors": "auto", "slow": False}
    args = list(argv)
    while args:
        name, eq, value = args.pop(0).partition("=")
        takes = APP_OPTIONS.get(name)
        if takes is None or (eq and not takes):
            return None
        if takes and not eq:
            if not args or args[0].startswith("-"):
                return None  # the command line says what is missing
            value = args.pop(0)
        if name == "--data":
            found["data"] = Path(value)
        elif name == "--colors":
            found["colors"] = value
        elif name == "--slow":
            found["slow"] = True
        else:
            found["ascii_borders"] = True
    return found


def say(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def open_app(data: Path | None, ascii_borders: bool, colors: str, slow: bool = False) -> None:
    """Start the terminal app on the data directory (imports Textual only here); ``slow`` for a
    link of 9.6-64 kbit/s: no decoration that costs bytes (``CunwuApp.slow``), fewer frames."""
    from store import roles
    from store.paths import data_dir
    from store.site import Site
    from tui import cli_hints

    if colors not in COLORS:
        say("--colors 只能是 16、256 或 auto", EXIT_USAGE)
    # Over SSH: no animation, modest frame rate; 16 colours when asked (PuTTY's default TERM=xterm).
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    os.environ.setdefault("TEXTUAL_FPS", "15" if slow else "30")
    if colors == "16":
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "standard"
    elif colors == "256":
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "256"
    folder = data_dir(data)
    site = Site(folder)
    # Who may open it is settled before the terminal is taken over (and before Textual loads).
    if not site.settings.villages and not roles.is_admin(site.operator):
        say(cli_hints.first_setup_message(folder), EXIT_REFUSED)
    if site.settings.villages and not roles.known(site.operator):
        refusal = roles.not_listed(site.operator)
        say(cli_hints.message(refusal), refusal.exit_code)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        say("终端界面需要在终端中运行；脚本请使用子命令（cunwu --help）。", EXIT_USAGE)
    from tui.app import make_app

    app = make_app(site, ascii_borders=ascii_borders, slow=slow)
    if colors == "16":
        app.theme = "ansi-dark"
    # What is loaded by now (modules, the catalogue, the settings) lives as long as the app: the
    # collector need not walk it again and again (a full pass cost 20 ms before the first screen).
    gc.freeze()
    app.run(mouse=False)
    if app.return_code:
        raise SystemExit(app.return_code)  # 4 after a crash (tui/crash.py)


def guarded(work: Callable[[], None]) -> None:
    """Run ``work`` (the app, or the command line); an error ends as the command line's do:
    the store's refusals and data problems in words with their exit code, a full disk or a
    missing permission as exit 3, a bug as one sentence and a private log (``tui.crash``)."""
    try:
        work()
    except KeyboardInterrupt:
        sys.stderr.write("已中断，未完成的保存不会写入。\n")
        raise SystemExit(130) from None
    except Exception as exc:  # usage errors and typer.Exit end inside the command line as SystemExit
        from procedures.loader import CatalogError
        from store import resources
        from store.errors import EXIT_DATA, StoreError
        from tui import cli_hints, crash

        if isinstance(exc, OSError):  # a full disk, no permission …: said in words, exit 3
            exc = resources.problem(exc, doing=resources.ACCESS) or exc
        if isinstance(exc, StoreError):  # expected: its message and code
            sys.stderr.write(f"{cli_hints.message(exc)}\n")
            raise SystemExit(exc.exit_code) from None
        if isinstance(exc, CatalogError):
            sys.stderr.write(f"{exc.report()}\n")
            raise SystemExit(EXIT_DATA) from None
        # A bug: the details to a private log file, one sentence on the screen (tui.crash).
        sys.stderr.write(f"{crash.report(exc)}\n")
        raise SystemExit(crash.EXIT_INTERNAL) from None


def run() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    refuse_personal_data(argv)  # before anything: arguments are visible to all (ps)
    # Personal data: nothing this process creates is readable by other accounts
    # (a group-shared site widens this to the group once its settings are read).
    os.umask(0o077)
    # A terminal whose locale is not UTF-8 must not crash the command on Chinese output.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    options = app_options(argv)
    if options is not None:
        guarded(lambda: open_app(**options))
        return

    def command_line() -> None:
        from tui.cli import app

        app(standalone_mode=True)

    guarded(command_line)


if __name__ == "__main__":
    run()
