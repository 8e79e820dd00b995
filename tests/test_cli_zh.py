"""The command line speaks Chinese: every help page, and the usage errors Typer used to print
in English ("Usage:", "Show this message and exit.", "Error: No such command …")."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tui.cli import app

runner = CliRunner()
ENGLISH = re.compile(r"Usage|Options:|Commands:|Arguments:|Show this message|\[default|required\]|Error:|Try '")


def command_paths() -> list[list[str]]:
    """Every command and group of the CLI, as the words typed after ``cunwu``."""
    paths: list[list[str]] = [[]]
    root = get_command(app)
    todo: list[tuple[list[str], object]] = [([], root)]
    while todo:
        path, command = todo.pop()
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*path, name])
            todo.append(([*path, name], sub))
    return sorted(paths)


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "cunwu")
def test_every_help_page_is_chinese(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "用法：" in result.stdout and "显示本帮助并退出。" in result.stdout
    assert not ENGLISH.search(result.stdout), ENGLISH.search(result.stdout)


def test_the_walk_reaches_the_sub_commands() -> None:
    assert ["case", "step"] in command_paths() and ["export"] in command_paths()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["case", "bogus"], "没有“bogus”这个命令。"),
        (["case", "lst"], "是不是要输入 list？"),
        (["case", "show"], "缺少参数 NUMBER。"),
        (["case", "list", "--bogus"], "没有 --bogus 这个选项。"),
        (["matters", "x", "y"], "多余的参数：x y"),
        (["seal", "new", "--copies", "abc"], "--copies 的值不对：应为整数"),
    ],
)
def test_usage_errors_are_said_in_chinese(args: list[str], said: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert said in result.stderr and "错误：" in result.stderr
    assert f"输入 cunwu {args[0]}" in result.stderr and "查看帮助。" in result.stderr
    assert not ENGLISH.search(result.stderr), result.stderr
