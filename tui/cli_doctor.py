"""``cunwu doctor``: check this machine, this terminal and the data directory, in Chinese.

Exit code 0 when nothing blocks use (警告 included), 1 (``EXIT_BLOCKED``) when a check
不通过. Headless: never imports Textual.
"""

from __future__ import annotations

import sys

import typer
from rich.text import Text

from tui import cli_common, doctor
from tui.cli_common import JsonOption, out, print_json, root

STYLES = {doctor.Status.PASS: "green", doctor.Status.WARN: "yellow", doctor.Status.FAIL: "bold red"}
ASCII_NOTICE = (
    "The terminal cannot show Chinese: set it to UTF-8 "
    "(PuTTY: Window > Translation > Remote character set: UTF-8; server: export LANG=C.UTF-8).\n"
)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)


def _shows_chinese(encoding: str | None) -> bool:
    try:
        "通过".encode(encoding or "utf-8")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def doctor_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """检查本机能否使用 cunwu：编码、终端、窗口大小、数据目录、工作日历、字体、Python 版本和时钟。"""
    cli_common.use_zone_of(root(ctx))
    checks = doctor.gather(root(ctx), cli_common.now())
    if as_json:
        print_json([c.as_dict() for c in checks])
    else:
        if not _shows_chinese(getattr(sys.stdout, "encoding", None)):
            sys.stderr.write(ASCII_NOTICE)
        console = out()
        for check in checks:
            label = f"[{doctor.STATUS_LABELS[check.status]}]"
            console.print(Text.assemble((label, STYLES[check.status]), check.line()[len(label) :]))
        warned = sum(c.status is doctor.Status.WARN for c in checks)
        failed = sum(c.status is doctor.Status.FAIL for c in checks)
        if failed:
            summary = f"结论：{failed} 项不通过，处理后才能正常使用（退出码 {doctor.EXIT_BLOCKED}）。"
        else:
            summary = "结论：可以使用" + (f"，{warned} 项警告值得留意。" if warned else "。")
        console.print(Text(summary, style="bold"))
    if doctor.blocking(checks):
        raise typer.Exit(doctor.EXIT_BLOCKED)
