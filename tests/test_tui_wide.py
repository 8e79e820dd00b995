"""Chinese text reaches a real terminal whole: the app runs in tmux at 80×24 (TERM=xterm, as over
SSH) and what tmux shows is read back with ``capture-pane``.

tmux draws what it is sent as a terminal does (a wide character takes two cells; writing over half
of one blanks the other half), so these tests see what a village clerk sees, through the app's
own driver (``tui.driver``: the frame diff and the squeeze)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest
from rich.segment import Segment
from textual.strip import Strip

from tests.sites import new_site
from tests.test_framediff import WideScreen
from tui.driver import EMPTY, _whole_end

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """A command (by default the app) in a tmux window of 80×24, on a tmux server of its own."""

    def __init__(self, data: Path, command: str = "", width: int = 80, height: int = 24) -> None:
        self.socket = f"cunwu-wide-{os.getpid()}-{time.monotonic_ns()}"
        app = f"{sys.executable} -c 'from tui.launch import run; run()'"
        env = f"TERM=xterm LANG=C.UTF-8 CUNWU_DATA={data} PYTHONPATH={ROOT}"
        size = ("-x", str(width), "-y", str(height))
        self.tmux("new-session", "-d", *size, "-c", str(ROOT), f"env {env} {command or app}")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, check=True)
        return done.stdout.decode("utf-8")

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p").splitlines()

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def wait_for(self, text: str, seconds: float = 20) -> list[str]:
        """The screen once it shows ``text`` and has stayed the same for half a second."""
        deadline = time.monotonic() + seconds
        last: list[str] = []
        since = time.monotonic()
        while time.monotonic() < deadline:
            lines = self.screen()
            if lines != last:
                last, since = lines, time.monotonic()
            elif any(text in line for line in lines) and time.monotonic() - since >= 0.5:
                return lines
            time.sleep(0.1)
        raise AssertionError(f"never showed {text!r}:\n" + "\n".join(last))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    new_site(tmp_path / "data")
    term = Tmux(tmp_path / "data")
    yield term
    term.close()


def options(screen: list[str]) -> list[str]:
    """The rows of the open drop-down, each as it reads between its bars ▊ and ▎ (the scrollbar
    left off): the rows between the borders below the one showing the chosen value."""
    rows = [line.strip().strip("▊▎").strip() for line in screen]
    chosen = [i for i, row in enumerate(rows) if row.startswith("请选择会议类别") and row.endswith("▲")]
    assert chosen, "\n".join(screen)
    shown: list[str] = []
    for row in rows[chosen[0] + 1 :]:
        row = row.rstrip("▂▇ ▎")
        if set(row) <= set("▔▁"):  # a border: the chosen value's, the list's top, its bottom
            if shown:
                break
            continue
        shown.append(row)
    return shown


def open_meeting_kinds(tmux: Tmux) -> list[str]:
    """From the home screen: 会议记录, a new meeting for 城关村, its 会议类别 drop-down opened."""
    tmux.wait_for("今日")
    tmux.keys("m")
    tmux.wait_for("会议记录")
    tmux.keys("F7")
    tmux.wait_for("哪个村")
    tmux.keys("Enter")  # 1. 城关村
    tmux.wait_for("请选择会议类别")
    tmux.keys("Enter")
    return tmux.wait_for("民代表会议")


@pytest.mark.timeout(90)
def test_the_open_meeting_kind_drop_down_shows_every_option_in_full(tmux: Tmux) -> None:
    screen = open_meeting_kinds(tmux)
    shown = options(screen)
    assert shown[0] == "请选择会议类别", "\n".join(screen)
    assert "主题党日" in shown, "\n".join(screen)
    assert "村民代表会议" in shown, "\n".join(screen)
    assert all("  " not in row for row in shown), "\n".join(screen)


@pytest.mark.timeout(90)
def test_the_chosen_option_and_the_form_under_the_drop_down_are_whole_once_it_closes(tmux: Tmux) -> None:
    open_meeting_kinds(tmux)
    tmux.keys("Down", "Down", "Down", "Down", "Down")
    time.sleep(0.5)
    tmux.keys("Enter")
    screen = "\n".join(tmux.wait_for("主题党日"))
    for text in ("主题党日", "会议名称", "开始时间", "结束时间（可不填）", "地点"):
        assert text in screen, screen


@pytest.mark.timeout(30)
def test_tmux_blanks_the_other_half_of_a_wide_character_as_the_blanking_emulator_does(tmp_path: Path) -> None:
    """tests/test_framediff.py compares the frame diff's output with Textual's on ``WideScreen``
    (pyte blanking the other half of a wide character written over by half): tmux draws the same
    bytes the same way, where plain pyte does not."""
    data = "\x1b[1;1H村民代表会议\x1b[1;4Hx\x1b[1;8HYZ\x1b[2;1H"
    (tmp_path / "bytes").write_text(data, encoding="utf-8")
    term = Tmux(tmp_path, f"sh -c 'cat {tmp_path / 'bytes'}; sleep 20'", width=12, height=3)
    try:
        shown = term.wait_for("x")[0]
    finally:
        term.close()
    screens = {}
    for name, screen in (("pyte", pyte.Screen(12, 3)), ("blanking", WideScreen(12, 3))):
        pyte.Stream(screen).feed(data)
        screens[name] = "".join(screen.buffer[0][x].data for x in range(12)).rstrip()
    assert shown.rstrip() == screens["blanking"] == "村 x代 YZ 议"
    assert screens["pyte"] != shown.rstrip()


def test_an_update_ending_inside_a_wide_character_is_written_to_its_end() -> None:
    """A partial update is cropped at its span's end: one that would end inside a wide character
    (now that a widget's strip may run across the edges of the widgets it hides) ends after it."""
    line: dict[int, Strip | None] = {0: Strip([Segment("ab"), Segment("村民c")], 7), 7: None, 9: EMPTY}
    ends = [_whole_end(line, x2) for x2 in range(10)]
    assert ends == [0, 1, 2, 4, 4, 6, 6, 7, 8, 9]
