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


def test_the_scale_bench_builds_a_township_through_the_store(tmp_path: Path) -> None:
    import collections
    import datetime as dt

    from tests.bench.bench_scale import PLAIN_STEP, build

    today = dt.date(2026, 12, 6)
    built = build(tmp_path / "data", 200, 2, today, villages=4)
    site = built.site
    cases = site.cases.all()
    assert len(cases) == 200
    by_year = collections.Counter((c.record["opened_on"][:4], c.record["status"]) for c in cases)
    # Last year's mostly closed, this year's mostly open, none opened after today.
    assert by_year[("2025", "done")] > 3 * by_year[("2025", "open")] > 0
    assert by_year[("2026", "open")] > by_year[("2026", "done")] > 0
    assert max(c.record["opened_on"] for c in cases) <= today.isoformat()
    assert all(h["finished"] <= today.isoformat() for c in cases for h in c.record["history"])
    # Open 低保 cases at every step up to a running 公示, and some walked through it to the end.
    steps = {c.record["current"] for c in cases if c.matter_id == "dibao"}
    assert {"apply", "accept", "survey", "appraise", "publicize", ""} <= steps
    assert any(n["posted_on"] and not n["closed_on"] for n in site.notices.book.all())
    assert len(site.meetings.find()) >= 4
    # The cases the step figures complete are open, at a step that needs no record.
    assert len(built.ready) >= 6
    assert {site.cases.get(n).record["current"] for n in built.ready} == {PLAIN_STEP}
    # Every save journaled and each village-year with its overview.
    report = site.verify(now=dt.datetime(2026, 12, 6, 23, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert report.problems == [] and report.records >= 200
    assert len(list((tmp_path / "data").glob("cases/*/*.overview.json"))) == 8
