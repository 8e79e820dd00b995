"""Every benchmark of the project in one run, and one table at the end.

    python3 dev.py bench [tui] [store] [due] [export] [scale]     (default: all, in this order)

Each figure is shown beside what it is compared with, measured in the same run on the same
machine, with the ratio, the budget and OK or MISSED. Figures, not tests: a missed budget
is reported, and the exit code stays 0 unless a benchmark could not run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from tests.bench import bench_due, bench_export, bench_scale, bench_store, bench_tui
from tests.bench.common import Row, table

BENCHES: dict[str, tuple[str, Callable[[], list[Row]]]] = {
    "tui": ("first screen, memory, bytes per cursor move", bench_tui.rows),
    "store": ("step save at 1,000 and 10,000 cases", bench_store.rows),
    "due": ("cunwu due --json over 10,000 cases", bench_due.rows),
    "export": ("archive export", bench_export.rows),
    "scale": ("1,000, 10,000 and 50,000 cases in 20 villages (several minutes)", bench_scale.rows),
}


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    began = time.perf_counter()
    for name in names or list(BENCHES):
        what, measure = BENCHES[name]
        print(f"[bench] {name}: {what} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        rows += measure()
        print(f"[bench] {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    missed = sum(r.ok is False for r in rows)
    print()
    print(table(rows))
    print()
    verdict = f"{missed} budget(s) MISSED" if missed else "every budget met"
    print(f"{verdict}; measured side by side in one run of {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
