"""Slow-link mode (``cunwu --slow``): the console script takes it, ``--help`` explains it in
Chinese, and the app draws no decoration that costs bytes (scrollbars, box and block characters
around fields, lists and dialogs) while every word stays; over a pty it writes fewer bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sites import new_site
from tests.test_launch import probe
from tests.test_tui_terminal import Terminal
from tests.tui_helpers import make, visible_text

SIZE = (80, 24)
DECORATION = set("▊▎▔▁▄▀▐▌█╭╮╰╯─│┃━")
"""The tall and round borders' characters and the scrollbars' blocks."""


def test_the_console_script_takes_slow_and_help_explains_it(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    done = probe(tmp_path, "--slow")
    # Not a terminal here: refused where the app would take the terminal over, without the CLI.
    assert done.returncode == 2 and "终端界面需要在终端中运行" in done.stderr, done.stderr
    assert "LOADED:\n" in done.stderr, done.stderr
    helped = probe(tmp_path, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "--slow" in helped.stdout and "慢速网络模式" in helped.stdout, helped.stdout


async def screens(tmp_path: Path, slow: bool) -> dict[str, str]:
    app = make(tmp_path / "data", slow=slow)
    seen: dict[str, str] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen["home"] = visible_text(app)
        await pilot.press("c")
        await pilot.pause()
        seen["catalogue"] = visible_text(app)
        await pilot.press("down")
        await pilot.pause()
        seen["catalogue, its list focused"] = visible_text(app)
        await pilot.press("escape", "f9")
        await pilot.pause()
        seen["dialog"] = visible_text(app)
    return seen


async def test_slow_mode_draws_no_decoration_and_every_word(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    normal = await screens(tmp_path, slow=False)
    slow = await screens(tmp_path, slow=True)
    assert DECORATION & set(normal["catalogue"]), "normal mode draws boxes and a scrollbar"
    for name, text in slow.items():
        assert not DECORATION & set(text), (name, DECORATION & set(text), text)
    for words in ("直接输入查找", "党员管理（党支部发展党员）", "F3/^F 查找"):
        assert words in slow["catalogue"], slow["catalogue"]
    for words in ("转到", "事项目录（c）", "监督（j）", "周期性工作待完成"):
        assert words in slow["dialog"], slow["dialog"]
    assert "+---" in slow["dialog"] and "|" in slow["catalogue, its list focused"]


def catalogue_bytes(data: Path, *argv: str) -> int:
    term = Terminal(data, *argv)
    try:
        assert term.read_until("今日", 30), term.seen[-500:]
        term.quiet(1)
        before = len(term.seen)
        term.send(b"c")
        assert term.read_until("党员管理"), term.seen[before:][-400:]
        term.quiet(1)
        return len(term.seen) - before
    finally:
        term.kill()


@pytest.mark.timeout(90)
def test_slow_mode_writes_fewer_bytes_to_the_terminal(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    normal, slow = catalogue_bytes(tmp_path / "data"), catalogue_bytes(tmp_path / "data", "--slow")
    assert slow <= 0.9 * normal, (normal, slow)
