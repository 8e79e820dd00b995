"""Benchmark: ``cunwu due --json`` over 10,000 cases in 20 villages, as a whole process.

    python3 dev.py bench

The data directory is built through the store API (``bench_store.build``: 10,000 低保 cases,
each one step on). Measured side by side in one run (medians of 5 fresh processes):
``cunwu due --json`` (start, read every village file, work out every running time limit and
recurring duty, print the JSON), ``cunwu due --brief`` (the login digest: the same reads, and the
整改 counted, as a few lines), ``cunwu matters --json`` (start and the catalog, no cases)
and ``python -c pass``; ``cunwu risks --json`` (every risk check over the same data); and
``cunwu export summary`` (the 乡镇汇总 of March 2026 and February beside it, the Word paper, and
the spreadsheet that lists each of its 10,000 findings) beside ``risks --json``, which it runs.
Budgets, set with this bench: ``due --json`` and ``risks --json`` <= 2 s at 10,000 cases, so
that a township's morning check, the 监督 screen or a cron job stays quick; the summary (Word)
<= 2 s too (issue 21).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.bench.bench_store import build
from tests.bench.common import Row, show, timed

CASES, VILLAGES = 10_000, 20
BUDGET_S = 2.0


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        build(data, CASES, VILLAGES)
        cli = ["-m", "tui.launch", "--data", str(data)]  # the console script's entry point
        due = timed([*cli, "due", "--json"])
        brief = timed([*cli, "due", "--brief"])  # as the 管理员: every village, every count
        risks = timed([*cli, "risks", "--json"])
        period = ["--from", "2026-03-01", "--to", "2026-03-31", "--out", str(Path(tmp) / "out")]
        summary = timed([*cli, "export", "summary", *period])
        summary_xlsx = timed([*cli, "export", "summary", *period, "--xlsx"])
        matters = timed([*cli, "matters", "--json"])
        bare = timed(["-c", "pass"])
    figure = f"cunwu due --json, {CASES:,} cases in {VILLAGES} villages"
    return [
        Row(figure, due, "s", "cunwu matters --json", matters, f"<= {BUDGET_S:.0f} s", due <= BUDGET_S),
        Row(figure, due, "s", "python -c pass", bare),
        Row(
            f"cunwu due --brief (login digest), {CASES:,} cases in {VILLAGES} villages",
            brief,
            "s",
            "cunwu due --json",
            due,
        ),
        Row(
            f"cunwu risks --json, {CASES:,} cases in {VILLAGES} villages",
            risks,
            "s",
            "cunwu matters --json",
            matters,
            f"<= {BUDGET_S:.0f} s",
            risks <= BUDGET_S,
        ),
        Row(
            f"cunwu export summary (乡镇汇总, Word), {CASES:,} cases in {VILLAGES} villages",
            summary,
            "s",
            "cunwu risks --json",
            risks,
            f"<= {BUDGET_S:.0f} s",
            summary <= BUDGET_S,
        ),
        Row(
            f"cunwu export summary --xlsx (every finding a row), {CASES:,} cases in {VILLAGES} villages",
            summary_xlsx,
            "s",
            "cunwu risks --json",
            risks,
        ),
    ]


def main() -> None:
    show(rows())


if __name__ == "__main__":
    main()
