"""Child processes for the concurrency and crash tests: ``python -m tests.workers CMD ROOT [N]``.

``create``: open N cases, printing each number once its save has returned.
``count``: add 1 to a shared counter N times (read-modify-write under the store's lock).
``churn``: open cases and complete steps forever, printing each acknowledged number.
``stock``: the same churn on stock TinyDB JSONStorage (inserting and removing a large
document so the file grows and shrinks), for the control experiment.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

from tests.sites import NOW


def _site(root: Path):  # type: ignore[no-untyped-def]
    from store.site import Site

    return Site(root, environ={}, lock_timeout=60)


def create(root: Path, n: int) -> None:
    site = _site(root)
    village = ["城关村", "南石村"][os.getpid() % 2]
    for i in range(n):
        case = site.cases.open(site.operator, NOW, "dibao", village, f"进程{os.getpid()}-{i}")
        print(case.number, flush=True)


def count(root: Path, n: int) -> None:
    from tinydb.table import Document

    site = _site(root)
    for _ in range(n):
        with site.store.transaction(site.operator, NOW):
            table = site.store.partition("城关村", 2026).table("counter")
            doc = table.get(doc_id=1)
            value = int(doc["value"]) if doc else 0
            table.upsert(Document({"value": value + 1}, doc_id=1))


def churn(root: Path) -> None:
    site = _site(root)
    for i in itertools.count():
        case = site.cases.open(site.operator, NOW, "dibao", "城关村", f"王某某低保申请{i}")
        print(case.number, flush=True)
        for _ in range(3):
            site.cases.complete_step(site.operator, NOW, case.number, note="入户调查记录" * 300)


def stock(root: Path) -> None:
    from tinydb import TinyDB

    db = TinyDB(root / "stock.json", encoding="utf-8", ensure_ascii=False)
    big = {"text": "低保申请入户调查" * 1000}
    while True:
        doc_id = db.insert(big)
        db.remove(doc_ids=[doc_id])
        print("ok", flush=True)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    amount = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    {
        "create": lambda: create(folder, amount),
        "count": lambda: count(folder, amount),
        "churn": lambda: churn(folder),
        "stock": lambda: stock(folder),
    }[command]()
