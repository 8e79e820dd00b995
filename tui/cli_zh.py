"""The command line in Chinese: help pages and usage errors of Typer's built-in click.

Typer prints its own frame in English ("Usage:", "Options:", "Show this message and exit.",
"Error: No such command …", "Try 'cunwu case --help' for help."). A cadre reads none of it.
Two hooks, both in this module:

- ``ChineseHelp``, the formatter every help page is written with (``install()`` makes it the
  Context's formatter class, the attribute click provides for a custom formatter);
- ``ChineseGroup``, the root command's class, which runs the command line in non-standalone
  mode and says usage errors itself, in Chinese, with the same exit codes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer import _click
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}

PHRASES: tuple[tuple[str, str], ...] = (
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("default: ", "默认："),
    ("env var: ", "环境变量："),
    ("required", "必填"),
)

# Usage errors: (pattern, Chinese); the first that matches the whole message wins.
ERRORS: tuple[tuple[str, str], ...] = (
    (r"No such command '(?P<x>[^']*)'\.(?: Did you mean (?P<y>.*)\?)?", "没有“{x}”这个命令。{hint}"),
    (
        r"No such option: (?P<x>\S+)(?: Did you mean (?P<y>.*)\?)?(?: \(Possible options: (?P<z>.*)\))?",
        "没有 {x} 这个选项。{hint}",
    ),
    (r"Missing argument '(?P<x>[^']*)'\.?.*", "缺少参数 {x}。"),
    (r"Missing option '(?P<x>[^']*)'\.?.*", "缺少选项 {x}。"),
    (r"Missing command\.", "缺少子命令。"),
    (r"Missing parameter: (?P<x>.*)", "缺少参数 {x}。"),
    (r"Option '(?P<x>[^']*)' requires (?:an argument|\d+ arguments)\.", "选项 {x} 后面要写一个值。"),
    (r"Option '(?P<x>[^']*)' does not take a value\.", "选项 {x} 后面不能写值。"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((?P<x>.*)\)", "多余的参数：{x}（含空格的内容请加引号）。"),
    (r"Invalid value for (?P<x>.*?): (?P<y>.*)", "{x} 的值不对：{inner}"),
    (r"Invalid value: (?P<y>.*)", "值不对：{inner}"),
)

INNER: tuple[tuple[str, str], ...] = (
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid (?:number|float).*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为是或否"),
    (r"Input should be a valid date.*", "应为日期，如 2026-01-01"),
    (r"Input should be (?P<c>'.*')", "应为 {c} 之一"),
    (r"Value '?(?P<v>.*?)'? is not a valid (?:int|integer)\.", "“{v}”不是整数"),
    (r"Value '?(?P<v>.*?)'? is not a valid (?:float|number)\.", "“{v}”不是数字"),
    (r"'(?P<v>.*?)' is not one of (?P<c>.*)\.", "“{v}”不在可选的值（{c}）之中"),
    (r"(?:File|Directory|Path) '(?P<v>.*?)' does not exist\.", "“{v}”不存在"),
    (r"(?:File|Directory|Path) '(?P<v>.*?)' is a directory\.", "“{v}”是文件夹，应为文件"),
    (r"(?:File|Directory|Path) '(?P<v>.*?)' is a file\.", "“{v}”是文件，应为文件夹"),
    (r"(?:File|Directory|Path) '(?P<v>.*?)' is not readable\.", "“{v}”读不了（没有权限）"),
)


def _phrases(text: str) -> str:
    for english, chinese in PHRASES:
        text = text.replace(english, chinese)
    return text


class ChineseHelp(HelpFormatter):
    """Help pages with Chinese headings and the built-in option's help in Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(
            prog,
            args.replace("[OPTIONS]", "[选项]").replace("COMMAND", "命令").replace("[ARGS]", "[参数]"),
            prefix or "用法：",
        )

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _phrases(text)) for term, text in rows], col_max, col_spacing)


def _inner(message: str) -> str:
    for pattern, chinese in INNER:
        if match := re.fullmatch(pattern, message.strip()):
            return chinese.format(**match.groupdict())
    return message


def usage_error(exc: _click.exceptions.UsageError) -> str:
    """What a usage error says, in Chinese: the usage line, the error and where help is."""
    message = exc.format_message()
    text = message
    for pattern, chinese in ERRORS:
        match = re.fullmatch(pattern, message.strip(), flags=re.DOTALL)
        if match:
            found = {k: (v or "") for k, v in match.groupdict().items()}
            found["x"] = found.get("x", "").replace("'", "")
            near = found.get("y") or found.get("z") or ""
            hint = f"是不是要输入 {near.replace(chr(39), '')}？" if near else ""
            text = chinese.format(**found, hint=hint, inner=_inner(found.get("y", "")))
            break
    lines = []
    if exc.ctx is not None:
        lines.append(exc.ctx.get_usage())
        if exc.ctx.command.get_help_option(exc.ctx) is not None:
            lines.append(f"输入 {exc.ctx.command_path} {exc.ctx.help_option_names[0]} 查看帮助。")
    lines.append(f"错误：{text}")
    return "\n".join(lines) + "\n"


class ChineseGroup(TyperGroup):
    """The root command: usage errors said in Chinese, with click's exit codes (2 for usage)."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        standalone = extra.pop("standalone_mode", True)
        try:
            result = super().main(args, prog_name, standalone_mode=False, **extra)
        except _click.exceptions.NoArgsIsHelpError as exc:
            sys.stderr.write(exc.format_message() + "\n")
            code = exc.exit_code
        except _click.exceptions.UsageError as exc:
            if not standalone:
                raise
            sys.stderr.write(usage_error(exc))
            code = exc.exit_code
        except _click.exceptions.ClickException as exc:
            if not standalone:
                raise
            sys.stderr.write(f"错误：{_inner(exc.format_message())}\n")
            code = exc.exit_code
        except typer.Abort:
            if not standalone:
                raise
            sys.stderr.write("已取消。\n")
            code = 1
        else:
            if not standalone:
                return result
            # Non-standalone click returns an Exit's code (typer.Exit, --help) as the result.
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        sys.exit(code)


def install() -> None:
    """Write every help page with ``ChineseHelp``."""
    _click.core.Context.formatter_class = ChineseHelp
