"""Benchmark: the terminal app's first screen, memory, and bytes sent per cursor move.

    python3 dev.py bench

Measured side by side in one run, in fresh processes (medians of 5):
- time from process start to the first screen and peak RSS, for ``cunwu`` on a data
  directory with 1,000 cases, for a minimal Textual app (a Label and a Footer), and for a
  bare ``import textual.app``;
- bytes written to an 80×24 pseudo-terminal (TERM=xterm) for one cursor move in the case
  list, averaged over 10 moves.
Budgets: first screen ≤ 1.5 × ``import textual.app``; peak RSS ≤ 45 MiB; ≤ 1 KB per move.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5

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


def bytes_per_move(data: Path) -> float:
    """Bytes the app writes to a real pty for one Down key in the case list."""
    from tests.test_tui_terminal import Terminal

    os.environ["CUNWU_DATA"] = str(data)
    term = Terminal(data)
    try:
        if not term.read_until("今日", 60):
            raise RuntimeError("the app did not start")
        term.send(b"b")
        term.read_until("办件编号", 30)
        quiet(term)
        sizes = []
        for _ in range(10):
            before = len(term.seen)
            term.send(b"\x1b[B")
            quiet(term)
            sizes.append(len(term.seen) - before)
        return statistics.mean(sizes)
    finally:
        term.kill()


def quiet(term: object, gap: float = 0.4) -> None:
    """Read until the app has written nothing for ``gap`` seconds."""
    read_until = getattr(term, "read_until")  # noqa: B009
    last = -1
    seen = getattr(term, "seen")  # noqa: B009
    while len(seen) != last:
        last = len(seen)
        read_until("\x00never\x00", gap)
        seen = getattr(term, "seen")  # noqa: B009


def main() -> None:
    from tests.bench.bench_store import build

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        build(data, 1_000, 2)
        start = time.perf_counter()
        rows = {kind: measure(kind, data) for kind in ("import", "minimal", "cunwu")}
        move = bytes_per_move(data)
        took = time.perf_counter() - start
    base = rows["import"][0]
    print(f"{'what':<28} {'first screen s':>14} {'x import':>9} {'peak RSS MiB':>13}")
    labels = {"import": "import textual.app", "minimal": "minimal Textual app", "cunwu": "cunwu, 1,000 cases"}
    for kind, (seconds, rss) in rows.items():
        print(f"{labels[kind]:<28} {seconds:>14.3f} {seconds / base:>9.2f} {rss:>13.1f}")
    first, rss = rows["cunwu"]
    print(f"bytes per cursor move in the case list (80x24, TERM=xterm): {move:.0f}")
    verdicts = [
        ("first screen <= 1.5 x import textual.app", first <= 1.5 * base),
        ("peak RSS <= 45 MiB with 1,000 cases", rss <= 45),
        ("<= 1 KB per cursor move", move <= 1024),
    ]
    for text, ok in verdicts:
        print(f"  {'ok    ' if ok else 'MISSED'} {text}")
    print(f"(measured in {took:.0f} s)")


if __name__ == "__main__":
    main()
