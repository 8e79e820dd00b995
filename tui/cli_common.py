"""What every sub-command shares: the data directory, the clock, output, and errors in Chinese."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.text import Text

from procedures.loader import CatalogError
from store import clock, resources, roles
from store import settings as settings_mod
from store.errors import EXIT_DATA, EXIT_REFUSED, EXIT_USAGE, StoreError
from store.paths import data_dir
from store.site import Site
from tui import cli_hints

__all__ = ["EXIT_DATA", "EXIT_REFUSED", "EXIT_USAGE"]

JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出，供脚本使用")]


def out() -> Console:
    # soft_wrap: a long line is left to the terminal to wrap, never broken by Rich mid-line.
    return Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int) -> NoReturn:
    Console(stderr=True, highlight=False, soft_wrap=True).print(Text(message))
    raise typer.Exit(code)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn the store's and the catalog's errors, and a full disk or a missing permission
    (``store.resources``), into a message on stderr and an exit code; a refusal gets the
    command that does what it asks (``tui.cli_hints``, by the error's type)."""
    try:
        yield
    except StoreError as exc:
        fail(cli_hints.message(exc), exc.exit_code)
    except CatalogError as exc:
        fail(exc.report(), EXIT_DATA)
    except OSError as exc:
        found = resources.problem(exc, doing=resources.ACCESS)
        if found is None:
            raise  # not the machine's limits: a bug, for the crash report (tui.crash)
        fail(cli_hints.message(found), found.exit_code)


def print_json(value: Any) -> None:
    # Bytes, so that a terminal or pipe with a non-UTF-8 locale still gets valid UTF-8 JSON;
    # orjson: 13 times faster than json.dumps on `case list --json` of 1,000 cases (6.5 -> 0.5 ms).
    body = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    sys.stdout.buffer.write(body + b"\n")
    sys.stdout.flush()


_zone: list[dt.tzinfo] = []
"""The time zone of the data directory opened by this command (``open_site``)."""


def now() -> dt.datetime:
    """The real clock, in the server's time zone: the settings' ``timezone``, else the system's
    (``store.clock``), never TZ from the environment (the CLI only; the code below takes dates)."""
    return clock.now(_zone[-1] if _zone else clock.zone())


def use_zone_of(folder: Path) -> None:
    """Take the time zone of the data directory's settings for ``now`` (a command that does not
    open the whole site: init, doctor); the system's when the settings cannot be read."""
    try:
        _zone.append(clock.zone(settings_mod.load(folder).timezone))
    except (StoreError, CatalogError):
        _zone.append(clock.zone())


def root(ctx: typer.Context) -> Path:
    option = ctx.obj if isinstance(ctx.obj, Path) else None
    return data_dir(option)


def open_site(ctx: typer.Context, *, need_settings: bool = True) -> Site:
    """The data directory as a Site, for an account in its settings; refuses when it has not
    been set up (``cunwu init``) or the account is not listed (it may only read the catalogue)."""
    folder = root(ctx)
    with handled():
        site = Site(folder)
    _zone.append(site.zone())
    if site.settings.group_shared:
        os.umask(0o007)
    if need_settings and not site.settings.villages:
        fail(
            f"数据目录 {folder} 尚未设置乡镇和村。请先运行：cunwu init --township 乡镇名 --village 村名 --name 你的姓名",
            EXIT_USAGE,
        )
    if site.settings.villages and not roles.known(site.operator):
        refusal = roles.not_listed(site.operator)
        fail(cli_hints.message(refusal), refusal.exit_code)
    ctx.call_on_close(lambda: _say_skipped(site))
    return site


def _say_skipped(site: Site) -> None:
    """After a listing of several villages: which were left out because their file is damaged."""
    for path, why in sorted(site.store.skipped.items()):
        village = path.parent.name
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            Text(f"注意：{village}的数据文件已损坏，以上没有列出{village}的记录。{cli_hints.message(why)}")
        )
