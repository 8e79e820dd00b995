"""Benchmark: the terminal app's first screen, memory, and bytes sent per cursor move.

    python3 dev.py bench

Measured side by side in one run, each process started in an 80×24 pseudo-terminal
(TERM=xterm) as a person starts it (medians of 5 fresh processes):
- seconds from starting the process to its first screen (the footer's 退出 written), and its
  peak RSS then (VmHWM), for ``cunwu`` as installed (its console script, ``tui.launch.run``) on
  a data directory with 1,000 cases and on an empty one, beside a minimal Textual app with
  what a first screen has (a Header, a 57-row DataTable and a Footer: issue 19's comparison)
  and beside a bare one (a Label and a Footer: this bench's first comparison, which draws
  nothing a real first screen has);
- bytes written for one cursor move in the case list (median of 10 moves), beside the bytes
  of drawing the whole case-list screen; for issue 19's 50-keystroke session (catalogue,
  search, a matter, a case, one step: ``SESSION``), as ``cunwu`` and as ``cunwu --slow``
  (no decoration), and a second of idling after it with the catalogue's search field focused.
  Every figure is what the console script writes to the pty: after ``tui.framediff`` (only the
  cells that changed) and ``tui.squeeze``.
Every process runs from compiled bytecode, as an installed wheel does (``compileall`` first:
a checkout run with PYTHONDONTWRITEBYTECODE would compile cunwu's modules on every start).
Budgets: first screen ≤ 1.3 × the minimal app (issue 19) and ≤ 1.5 × the bare one (issue 8); peak RSS ≤ 45 MiB at 1,000 cases
(issue 8) and ≤ 42 MiB on an empty data directory (issue 19); ≤ 1 KB per move; ≤ 120 KB for
the session and ≤ 100 B a second idle (issue 19). ``rows()``
gives the figures to ``tests.bench.report``.
"""

from __future__ import annotations

import compileall
import os
import pty
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import ROOT, RUNS, Row, show

SHOWN = "退出"
"""The text whose drawing ends the first screen: the last key of both footers."""

CUNWU = "from tui.launch import run; run()"
MINIMAL = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Minimal(App):
    BINDINGS = [("f1", "help", "帮助"), ("f3", "find", "查找"), ("q", "quit", "退出")]

    def compose(self):
        yield Header()
        table = DataTable()
        table.add_columns("序号", "事项")
        for n in range(1, 58):
            table.add_row(str(n), f"第{n}项履职事项")
        yield table
        yield Footer()

Minimal().run()
"""
BARE = """
from textual.app import App
from textual.widgets import Footer, Label

class Bare(App):
    BINDINGS = [("q", "quit", "退出")]

    def compose(self):
        yield Label("村务履职")
        yield Footer()

Bare().run()
"""


def first_screen(code: str, data: Path) -> tuple[float, float]:
    """Seconds from starting ``python -c code`` in an 80×24 pty to ``SHOWN`` on its screen, and
    its peak RSS (MiB) at that moment."""
    env = {
        **os.environ,
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "COLUMNS": "80",
        "LINES": "24",
        "CUNWU_DATA": str(data),
        "PYTHONPATH": str(ROOT),
    }
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-c", code], env)
    seen = b""
    try:
        deadline = start + 60
        while SHOWN.encode() not in seen:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no first screen within 60 s: {seen[-300:]!r}")
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536)
        elapsed = time.perf_counter() - start
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        return elapsed, peak / 1024
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def measure(code: str, data: Path) -> tuple[float, float]:
    """Median seconds and largest peak RSS over ``RUNS`` fresh processes."""
    runs = [first_screen(code, data) for _ in range(RUNS)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def bytes_per_move(data: Path) -> tuple[float, int]:
    """Bytes the app writes to a real pty for one Down key in the case list (median of 10
    moves), and for drawing the case-list screen as a whole."""
    from tests.test_tui_terminal import Terminal

    os.environ["CUNWU_DATA"] = str(data)
    term = Terminal(data)
    try:
        if not term.read_until("今日", 60):
            raise RuntimeError("the app did not start")
        term.quiet(0.4)
        before = len(term.seen)
        term.send(b"b")
        term.read_until("办件编号", 30)
        term.quiet(0.4)
        screen = len(term.seen) - before
        sizes = []
        for _ in range(10):
            before = len(term.seen)
            term.send(b"\x1b[B")
            term.quiet(0.4)
            sizes.append(len(term.seen) - before)
        return statistics.median(sizes), screen
    finally:
        term.kill()


KEYS = {"Down": b"\x1b[B", "Up": b"\x1b[A", "Enter": b"\r", "Esc": b"\x1b", "Space": b" "}
SESSION = [
    *["c", "d", "b", "s", "q"],  # the catalogue, searched by pinyin initials
    *["Down", "Enter", "Down", "Down", "Down", "Esc", "Esc"],  # a matter read, back home
    *["b", *["Down"] * 5, "Enter"],  # the case list, a case
    *["Space", "Down", "Space", "d", "Down", "Enter", "Esc"],  # two ticks, the step completed, back
    *["Down"] * 10,
    *["Up"] * 10,
    *["Esc", "j", "Esc", "c"],  # 监督 and back; the catalogue, its search field focused
]
"""Issue 19's 50-keystroke session: catalogue, search, a matter, a case, one step."""


def session_bytes(data: Path, *argv: str) -> tuple[int, float]:
    """Bytes written for ``SESSION`` (from home drawn), and bytes a second while idle after it
    (the catalogue's search field has the focus); ``argv``: the app's options (``--slow``)."""
    from tests.test_tui_terminal import Terminal

    assert len(SESSION) == 50
    term = Terminal(data, *argv)
    try:
        if not term.read_until(SHOWN, 60):
            raise RuntimeError("the app did not start")
        term.quiet(0.4)
        before = len(term.seen)
        for key in SESSION:
            term.send(KEYS.get(key) or key.encode())
            term.quiet(0.3)
        written = len(term.seen) - before
        before, start = len(term.seen), time.perf_counter()
        term.read_until("\x00never\x00", 5)
        return written, (len(term.seen) - before) / (time.perf_counter() - start)
    finally:
        term.kill()


def rows() -> list[Row]:
    from tests.bench.bench_store import build
    from tests.sites import new_site

    for package in ("procedures", "store", "exports", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        data, empty = Path(tmp) / "data", Path(tmp) / "empty"
        build(data, 1_000, 2)
        new_site(empty)
        runs = {
            "cunwu": measure(CUNWU, data),
            "empty": measure(CUNWU, empty),
            "minimal": measure(MINIMAL, empty),
            "bare": measure(BARE, empty),
        }
        move, screen = bytes_per_move(data)
        session, idle = session_bytes(data)
        slow_session, _ = session_bytes(data, "--slow")
    (first, rss), (first_empty, rss_empty) = runs["cunwu"], runs["empty"]
    (minimal, minimal_rss), (bare, bare_rss) = runs["minimal"], runs["bare"]
    app, blank = "cunwu, 1,000 cases", "cunwu, empty data directory"
    simple, label = "minimal app (Header, 57-row DataTable, Footer)", "bare app (Label, Footer)"
    return [
        Row(f"first screen, {app}", first, "s", simple, minimal, "<= 1.3 x minimal app", first <= 1.3 * minimal),
        Row(f"first screen, {app}", first, "s", label, bare, "<= 1.5 x bare app", first <= 1.5 * bare),
        Row(f"first screen, {blank}", first_empty, "s", simple, minimal),
        Row(f"peak RSS, {app} (largest)", rss, "MiB", simple, minimal_rss, "<= 45 MiB", rss <= 45),
        Row(f"peak RSS, {blank} (largest)", rss_empty, "MiB", simple, minimal_rss, "<= 42 MiB", rss_empty <= 42),
        Row(f"peak RSS, {app} (largest)", rss, "MiB", label, bare_rss),
        Row(
            "bytes, 50-key session (catalogue, search, a matter, a case, a step)",
            session,
            "B",
            budget="<= 120 KB",
            ok=session <= 120 * 1024,
        ),
        Row(
            "bytes, the same session with cunwu --slow (no decoration)",
            slow_session,
            "B",
            "cunwu without --slow",
            session,
            "<= 120 KB",
            slow_session <= 120 * 1024,
        ),
        Row("bytes per idle second, search field focused", idle, "B", budget="<= 100 B/s", ok=idle <= 100),
        Row(
            "bytes per cursor move, case list 80x24 TERM=xterm",
            move,
            "B",
            "drawing the whole case-list screen",
            screen,
            "<= 1 KB",
            move <= 1024,
        ),
    ]


def main() -> None:
    show(rows())


if __name__ == "__main__":
    main()
