"""The benchmarks' data builders still run (no test runs the benchmarks themselves: they print
figures, `python3 dev.py bench`): a change to the store that breaks them fails here."""

from __future__ import annotations

from pathlib import Path

from tests.bench.bench_store import build


def test_the_bench_data_builds(tmp_path: Path) -> None:
    site, numbers = build(tmp_path / "data", 4, 2)
    assert len(numbers) == 4 and {site.cases.get(n).record["current"] for n in numbers} == {"accept"}
