"""No message of the core (``store``, ``procedures``, ``exports``) names a ``cunwu`` command.

The core says what happened and what is to be done in words; the command line adds the
command and the terminal app its key, each by the error's type (``tui.cli_hints``,
``tui.refusals``). A command in a core message is wrong in the app (where nobody types
commands) and drifts from the commands themselves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import typer.main

from tui.cli import app

ROOT = Path(__file__).resolve().parent.parent
CORE = ("store", "procedures", "exports")

# The sub-commands of the command line as registered, plus ``repair``, the 管理员's command
# being added alongside this test (its name is already what the damaged-file hint runs).
SUBCOMMANDS = frozenset(typer.main.get_command(app).commands) | {"repair"}  # type: ignore[attr-defined]

# Strings of files that other work changes in parallel and this change may not edit; each
# entry is one string as it stands (a fragment of it), so that it must still be there (see
# test_the_allowed_strings_are_still_there) and nothing new passes. Remove an entry when its
# string loses the command.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def command_pattern(names: frozenset[str]) -> re.Pattern[str]:
    return re.compile(r"\bcunwu\s+(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")


def strings_naming_commands(source: str, names: frozenset[str] = SUBCOMMANDS) -> list[tuple[int, str]]:
    """(line, text) of every string constant in ``source`` that names ``cunwu`` and one of
    ``names``, docstrings and other bare string statements excepted (they are read by
    programmers, not users). The parts of an f-string are constants of their own."""
    tree = ast.parse(source)
    docs = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    pattern = command_pattern(names)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and pattern.search(node.value)
    ]


def core_files() -> list[Path]:
    return sorted(p for package in CORE for p in (ROOT / package).rglob("*.py"))


def test_the_sub_commands_are_read_from_the_command_line() -> None:
    assert {"case", "notice", "seal", "restore", "verify", "init", "export", "matters"} <= SUBCOMMANDS


def test_no_core_string_names_a_cunwu_command() -> None:
    found = []
    for path in core_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, text in strings_naming_commands(path.read_text(encoding="utf-8")):
            if not any(rel == file and fragment in text for file, fragment in ALLOWED):
                found.append(f"{rel}:{line}: {text!r}")
    assert not found, "core messages name cunwu commands (give the hint in tui.cli_hints):\n" + "\n".join(found)


def test_the_allowed_strings_are_still_there() -> None:
    """An entry whose string has lost its command is removed, so the list only shrinks."""
    present = set()
    for file, fragment in ALLOWED:
        for _, text in strings_naming_commands((ROOT / file).read_text(encoding="utf-8")):
            if fragment in text:
                present.add((file, fragment))
    assert present == ALLOWED, sorted(ALLOWED - present)


def test_the_scan_finds_commands_in_strings_and_f_strings_but_not_in_docstrings() -> None:
    source = '''
"""Module doc: ``cunwu restore`` is fine here."""
HINT = "请运行 cunwu verify"


def f(number: str) -> str:
    """Function doc naming cunwu case step."""
    x = 1  # cunwu notice post in a comment
    return f"请先登记公示：cunwu notice post {number} …" + "cunwu 以服务账号运行" + "cunwu casework"
'''
    names = frozenset({"verify", "notice", "case", "restore"})
    assert [line for line, _ in strings_naming_commands(source, names)] == [3, 9]
