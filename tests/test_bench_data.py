"""The benchmarks' data builders still run (no test runs the benchmarks themselves: they print
figures, `python3 dev.py bench`): a change to the store that breaks them fails here."""

from __future__ import annotations

from pathlib import Path

from tests.bench.bench_store import build


def test_the_bench_data_builds(tmp_path: Path) -> None:
    site, numbers = build(tmp_path / "data", 4, 2)
    assert len(numbers) == 4 and {site.cases.get(n).record["current"] for n in numbers} == {"accept"}


def test_the_export_bench_walks_a_whole_case(tmp_path: Path) -> None:
    import datetime as dt

    from tests.bench.bench_export import walk_all
    from tests.sites import CST, new_site

    start = dt.datetime(2025, 3, 3, 9, tzinfo=CST)
    site = new_site(tmp_path / "data", start)
    number = site.cases.open(site.operator, start, "fazhan-dangyuan", "城关村", "张某入党").number
    assert walk_all(site, number, start) >= 20 and not site.cases.get(number).record["current"]
