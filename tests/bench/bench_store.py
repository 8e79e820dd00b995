"""Benchmark: completing one case step at 1,000 and 10,000 cases, beside stock TinyDB.

    python3 dev.py bench

Both sides run here, in one process, on the same disk: cunwu's store (lock, journal
append with fsync, atomic replace with fsync of one village-year file) and stock TinyDB
``JSONStorage`` updating one document of a file holding the same number of documents of
similar size. Medians of 25 saves each. Budget: <= 50 ms per step at 10,000 cases (and so
at 1,000). Beside it, how much the journal and the change logs (after-images, for repair) grow
per save, against the size of the record saved: at most the record plus 1 KiB. ``rows()`` gives the figures to ``tests.bench.report``.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB

from store import images
from store.journal import canonical
from store.site import Site
from tests.bench.common import Row, show
from tests.sites import CST

BUDGET_MS = 50.0
GROWTH_OVERHEAD = 1024
"""Bytes a step save may add beyond its record's after-image: the journal entry and the log line's frame."""
SAVES = 25


def build(root: Path, cases: int, villages: int) -> tuple[Site, list[str]]:
    site = Site(root, environ={})
    names = [f"村{i:02d}" for i in range(villages)]
    now = dt.datetime(2026, 3, 2, 9, tzinfo=CST)
    site.init(now, "沁河镇", names, my_name="王文书")
    numbers = []
    with site.store.transaction(site.operator, now):
        for i in range(cases):
            case = site.cases.open(site.operator, now, "dibao", names[i % villages], f"申请人{i:05d}低保申请")
            numbers.append(case.number)
    # Give each case some history, as real ones have.
    with site.store.transaction(site.operator, now):
        for number in numbers:
            site.cases.complete_step(site.operator, now, number, note="申请材料齐全，已登记受理")
    return site, numbers


def written(root: Path) -> int:
    """Bytes of what grows with every save: the journal and the change logs (after-images)."""
    logs = sum(p.stat().st_size for p in root.glob(f"cases/*/*{images.SUFFIX}"))
    return (root / "journal.jsonl").stat().st_size + logs


def time_steps(site: Site, numbers: list[str]) -> tuple[float, float, float]:
    """Median ms per step save; bytes the journal and change logs grew per save; the mean
    size of the records saved (their canonical bytes, as the change log holds them)."""
    rng = random.Random(1)
    now = dt.datetime(2026, 3, 2, 10, tzinfo=CST)
    times, sizes = [], []
    before = written(site.root)
    for number in rng.sample(numbers, SAVES):
        start = time.perf_counter()
        site.cases.complete_step(site.operator, now, number, note="入户调查完成")
        times.append(time.perf_counter() - start)
        sizes.append(len(canonical(site.cases.get(number).record)))
    growth = (written(site.root) - before) / SAVES
    return statistics.median(times) * 1000, growth, statistics.mean(sizes)


def time_stock(root: Path, docs: int, sample: dict[str, object]) -> float:
    db = TinyDB(root / "stock.json", encoding="utf-8", ensure_ascii=False)
    db.insert_multiple(dict(sample, seq=i) for i in range(docs))
    rng = random.Random(1)
    times = []
    for doc_id in rng.sample(range(1, docs + 1), SAVES):
        start = time.perf_counter()
        db.update({"note": "入户调查完成"}, doc_ids=[doc_id])
        times.append(time.perf_counter() - start)
    db.close()
    return statistics.median(times) * 1000


def rows() -> list[Row]:
    """One step save at 1,000 and 10,000 cases (one village file, then 20), beside stock TinyDB."""
    found = []
    for cases, villages in ((1_000, 1), (10_000, 1), (10_000, 20)):
        with tempfile.TemporaryDirectory() as tmp:
            site, numbers = build(Path(tmp) / "data", cases, villages)
            sample = site.cases.get(numbers[0]).record
            # Time saves as a user's session makes them: on data read from the disk.
            ours, growth, record = time_steps(Site(Path(tmp) / "data", environ={}), numbers)
            stock = time_stock(Path(tmp), cases, sample)
        where = "1 village" if villages == 1 else f"{villages} villages"
        found.append(
            Row(
                f"step save, {cases:,} cases in {where} ({SAVES} saves)",
                ours,
                "ms",
                f"stock TinyDB update, {cases:,} docs",
                stock,
                f"<= {BUDGET_MS:.0f} ms",
                ours <= BUDGET_MS,
            )
        )
        found.append(
            Row(
                f"journal + change log growth per step save, {cases:,} cases in {where}",
                growth,
                "B",
                "the saved case record (canonical JSON)",
                record,
                f"<= record + {GROWTH_OVERHEAD:,} B",
                growth <= record + GROWTH_OVERHEAD,
            )
        )
    return found


def main() -> None:
    show(rows())


if __name__ == "__main__":
    main()
