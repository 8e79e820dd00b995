"""Benchmark: the terminal app's first screen, memory, and bytes sent per cursor move.

    python3 dev.py bench

Measured side by side in one run, in fresh processes (medians of 5):
- time from process start to the first screen and peak RSS, for ``cunwu`` on a data
  directory with 1,000 cases, for a minimal Textual app (a Label and a Footer), and for a
  bare ``import textual.app``;
- bytes written to an 80×24 pseudo-terminal (TERM=xterm) for one cursor move in the case
  list (median of 10 moves), beside the bytes of drawing the whole case-list screen.
Budgets (issue 8): first screen ≤ 1.5 × the minimal Textual app (it replaces this bench's
first budget, ≤ 1.5 × ``import textual.app``, which even the minimal app misses); peak RSS
≤ 45 MiB; ≤ 1 KB per move. ``rows()`` gives the figures to ``tests.bench.report``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tests.bench.common import ROOT, RUNS, Row, show

if TYPE_CHECKING:
    from tests.test_tui_terminal import Terminal

CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
kind, data = sys.argv[1], sys.argv[2]
if kind == "import":
    import textual.app  # noqa: F401
    elapsed = time.perf_counter() - start
else:
    if kind == "cunwu":
        from tui.app import make_app
        app = make_app(__import__("pathlib").Path(data))
    else:
        from textual.app import App
        from textual.widgets import Footer, Label

        class Minimal(App):
            def compose(self):
                yield Label("村务履职")
                yield Footer()

        app = Minimal()
    marks = {}

    async def pilot(p):
        await p.pause()
        marks["first"] = time.perf_counter() - start
        p.app.exit()

    app.run(headless=True, size=(80, 24), auto_pilot=pilot)
    elapsed = marks["first"]
print(json.dumps({"seconds": elapsed, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(kind: str, data: Path) -> tuple[float, float]:
    seconds, rss = [], []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(data)], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        seconds.append(row["seconds"])
        rss.append(row["rss_kib"] / 1024)
    return statistics.median(seconds), max(rss)


def bytes_per_move(data: Path) -> tuple[float, int]:
    """Bytes the app writes to a real pty for one Down key in the case list (median of 10
    moves), and for drawing the case-list screen as a whole."""
    from tests.test_tui_terminal import Terminal

    os.environ["CUNWU_DATA"] = str(data)
    term = Terminal(data)
    try:
        if not term.read_until("今日", 60):
            raise RuntimeError("the app did not start")
        quiet(term)
        before = len(term.seen)
        term.send(b"b")
        term.read_until("办件编号", 30)
        quiet(term)
        screen = len(term.seen) - before
        sizes = []
        for _ in range(10):
            before = len(term.seen)
            term.send(b"\x1b[B")
            quiet(term)
            sizes.append(len(term.seen) - before)
        return statistics.median(sizes), screen
    finally:
        term.kill()


def quiet(term: Terminal, gap: float = 0.4) -> None:
    """Read until the app has written nothing for ``gap`` seconds."""
    last = -1
    while len(term.seen) != last:
        last = len(term.seen)
        term.read_until("\x00never\x00", gap)


def rows() -> list[Row]:
    from tests.bench.bench_store import build

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        build(data, 1_000, 2)
        runs = {kind: measure(kind, data) for kind in ("import", "minimal", "cunwu")}
        move, screen = bytes_per_move(data)
    (first, rss), (bare, bare_rss), (plain, plain_rss) = runs["cunwu"], runs["minimal"], runs["import"]
    app = "cunwu, 1,000 cases"
    minimal, textual = "minimal Textual app (Label + Footer)", "python -c 'import textual.app'"
    return [
        Row(f"first screen, {app}", first, "s", minimal, bare, "<= 1.5 x minimal app", first <= 1.5 * bare),
        Row(f"first screen, {app}", first, "s", textual, plain),
        Row(f"peak RSS, {app} (largest)", rss, "MiB", minimal, bare_rss, "<= 45 MiB", rss <= 45),
        Row(f"peak RSS, {app} (largest)", rss, "MiB", textual, plain_rss),
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
