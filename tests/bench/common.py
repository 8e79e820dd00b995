"""What every benchmark shares: a row of the report, timing fresh processes, and the table."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5
"""Fresh processes per figure; the median is reported."""


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of the report, beside what it is compared with (measured in the same run)."""

    figure: str
    """What was measured."""
    value: float
    """The median (peak RSS: the largest of the runs)."""
    unit: str
    """s, ms, MiB or B."""
    compared: str = ""
    """What the figure is compared with; empty when nothing is."""
    baseline: float | None = None
    """The same measure of ``compared``, in the same unit."""
    budget: str = ""
    """The budget in words, empty when there is none."""
    ok: bool | None = None
    """Whether the budget was met (None without a budget)."""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


def timed(args: Sequence[str | Path], runs: int = RUNS) -> float:
    """Median wall time of ``python ARGS`` as a whole process, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    digits = {"s": 3, "ms": 1, "MiB": 1, "B": 0}.get(unit, 2)
    return f"{value:,.{digits}f} {unit}"


def table(rows: Sequence[Row]) -> str:
    """The rows as one plain-text table (widths counted in terminal cells, so Chinese lines up)."""
    head = ("figure", "median", "compared with", "its median", "ratio", "budget", "result")
    body = [
        (
            r.figure,
            amount(r.value, r.unit),
            r.compared or "-",
            amount(r.baseline, r.unit) if r.compared else "-",
            f"{r.ratio:.2f} x" if r.ratio is not None else "-",
            r.budget or "-",
            "-" if r.ok is None else ("OK" if r.ok else "MISSED"),
        )
        for r in rows
    ]
    widths = [max(cell_len(line[i]) for line in (head, *body)) for i in range(len(head))]
    right = {1, 3, 4}

    def fmt(line: Sequence[str]) -> str:
        cells = []
        for i, text in enumerate(line):
            pad = " " * (widths[i] - cell_len(text))
            cells.append(pad + text if i in right else text + pad)
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    note = f"median of {RUNS} fresh processes (step save: of its saves; peak RSS: the largest); ratio = median / its median"
    return "\n".join([fmt(head), rule, *(fmt(line) for line in body), "", note])


def show(rows: Sequence[Row]) -> None:
    print(table(rows), flush=True)
