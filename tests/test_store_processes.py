"""Several processes at once, and processes killed mid-write (SIGKILL)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.site import Site
from store.verify import verify
from tests.sites import NOW, new_site

ROOT = Path(__file__).resolve().parents[1]


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workers", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.timeout(240)
def test_four_processes_create_800_cases_and_count_exactly(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    workers = [spawn("create", str(root), "200") for _ in range(4)]
    workers += [spawn("count", str(root), "100") for _ in range(4)]
    outputs = [w.communicate() for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    acknowledged = [line for out, _ in outputs[:4] for line in out.split()]
    site = Site(root, environ={})
    numbers = [c.number for c in site.cases.all()]
    assert len(acknowledged) == 800 == len(numbers) == len(set(numbers))
    assert sorted(acknowledged) == sorted(numbers)
    for partition in site.store.partitions():
        json.loads(partition.path.read_text(encoding="utf-8"))
    counter = site.store.partition("城关村", 2026).table("counter").get(doc_id=1)
    assert counter is not None and counter["value"] == 400, "a lost update"
    report = verify(site.store, site.records())
    assert report.ok, report.problems
    assert report.entries == 1 + 800


@pytest.mark.timeout(300)
def test_sigkill_never_corrupts_or_loses_an_acknowledged_case(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    rng = random.Random(2026)
    acknowledged: set[str] = set()
    for _ in range(50):
        worker = spawn("churn", str(root))
        assert worker.stdout is not None
        first = worker.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(worker.pid, signal.SIGKILL)
        rest, errors = worker.communicate()
        assert first, f"the worker failed before its first save: {errors}"
        acknowledged |= {line for line in (first + rest).split() if line}
        site = Site(root, environ={})
        for partition in site.store.partitions():
            json.loads(partition.path.read_bytes())  # always parses
        present = {c.number for c in site.cases.all()}
        assert acknowledged <= present, f"lost: {sorted(acknowledged - present)}"
        # The next transaction repairs the journal's torn tail or unapplied entry; then it verifies.
        with site.store.transaction(site.operator, NOW):
            pass
        report = verify(site.store, site.records())
        assert report.ok, report.problems
    assert len(acknowledged) >= 50
    assert not list(root.rglob(".tmp-*")) or all(p.stat().st_mtime > time.time() - 600 for p in root.rglob(".tmp-*"))


@pytest.mark.timeout(300)
def test_the_same_kills_corrupt_stock_tinydb(tmp_path: Path) -> None:
    """The control: the kill loop can see corruption, so its silence above means something."""
    rng = random.Random(7)
    kills = 60
    for _ in range(kills):
        worker = spawn("stock", str(tmp_path))
        assert worker.stdout is not None
        worker.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()
        try:
            json.loads((tmp_path / "stock.json").read_text(encoding="utf-8"))
        except ValueError:
            return
    pytest.fail(f"stock JSONStorage survived {kills} kills: the crash test could not see corruption")
