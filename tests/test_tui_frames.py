"""The real app in an 80×24 pty writes only what changes (``tui.framediff``), and what the terminal
shows is still right: every byte it wrote is fed to a terminal emulator (pyte) and the emulator's
screen read, after a dialog opened and closed and after moving to another screen and back."""

from __future__ import annotations

import time

import pyte
import pytest

from tests.test_tui_terminal import F1, Terminal

F9 = b"\x1b[20~"


def screen(term: Terminal) -> pyte.Screen:
    """What a terminal shows after every byte the app has written."""
    shown = pyte.Screen(80, 24)
    pyte.ByteStream(shown).feed(term.seen)
    return shown


def cells(shown: pyte.Screen) -> list[list[tuple[object, ...]]]:
    return [
        [(c.data, c.fg, c.bg, c.bold, c.reverse, c.underscore) for c in (shown.buffer[y][x] for x in range(80))]
        for y in range(24)
    ]


def lines(shown: pyte.Screen) -> str:
    return "\n".join(line.rstrip() for line in shown.display)


def press(term: Terminal, key: bytes, text: str) -> int:
    """Bytes written for ``key`` until the app is quiet; ``text`` is waited for first."""
    before = len(term.seen)
    term.send(key)
    assert term.read_until(text), (text, term.seen[before:][-400:])
    term.quiet()
    return len(term.seen) - before


def back_to(term: Terminal, key: bytes, home: pyte.Screen, seconds: float = 20) -> None:
    """Press ``key`` and read until the terminal shows ``home`` again, cell by cell (a loaded
    machine may pause between two frames longer than ``quiet`` waits)."""
    term.send(key)
    deadline = time.monotonic() + seconds
    while cells(screen(term)) != cells(home) and time.monotonic() < deadline:
        term.read_until("\x00never\x00", 0.3)
    assert cells(screen(term)) == cells(home), lines(screen(term))


@pytest.mark.timeout(90)
def test_dialogs_and_screens_leave_the_right_text_on_the_terminal(terminal: Terminal) -> None:
    assert terminal.read_until("今日", 30), terminal.seen[-500:]
    terminal.quiet()
    home = screen(terminal)
    assert "周期性工作待完成" in lines(home) and "F10 退出" in lines(home), lines(home)

    # A dialog over home: its text in the middle, home's lines around it as they were.
    opened = press(terminal, F9, "监督（j）")
    shown = lines(screen(terminal))
    for choice in ("转到", "事项目录（c）", "办件（b）", "会议记录（m）", "监督（j）"):
        assert choice in shown, shown
    assert shown.splitlines()[0] == lines(home).splitlines()[0], "the screen beneath is left as it is"
    before = len(terminal.seen)
    back_to(terminal, b"\x1b", home)
    terminal.quiet()
    closed = len(terminal.seen) - before
    assert opened < 4000 and closed < 3000, (opened, closed)  # the whole screen was 11.7 KB and 6.2 KB

    # Another screen and back.
    press(terminal, b"c", "事项目录")
    catalogue = lines(screen(terminal))
    assert "周期性工作待完成" not in catalogue and "党员管理" in catalogue, catalogue
    back_to(terminal, b"\x1b", home)

    # The help screen over it, and back.
    press(terminal, F1, "按键说明")
    assert "按键说明" in lines(screen(terminal))
    back_to(terminal, b"\x1b", home)
