"""Benchmark: exporting the archive of a case of 25+ steps, as a whole process (budget ≤ 0.5 s).

    python3 dev.py bench

Measured side by side in one run (medians of 5 fresh processes): ``python -c pass``, the
import of python-docx alone, and the whole ``export`` (start, read the store, build the
archive of a 发展党员 case walked through all its steps, write the .docx).
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from procedures import engine
from procedures.model import Produces
from store.site import Site
from tests.sites import CST, new_site

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5
BUDGET_S = 0.5

EXPORT = """
import datetime as dt, sys
from pathlib import Path
from store.site import Site
from exports.documents import export_record
site = Site(Path(sys.argv[1]), environ={})
export_record(site, sys.argv[2], "archive", dt.date(2027, 6, 1), Path(sys.argv[3]))
"""


def walk_all(site: Site, number: str, start: dt.datetime) -> int:
    """Complete every step of a case, first outcome at each branch, waiting out each period."""
    now = start
    steps = 0
    while True:
        case = site.cases.get(number)
        if not case.record["current"]:
            return steps
        matter = site.catalog.get(case.matter_id)
        step = matter.step(case.record["current"])
        seal = ""
        if step.produces is Produces.NOTICE and not case.record["progress"].get("notice"):
            site.cases.post_notice(site.operator, now, number, {"posted_on": now.date()})
            case = site.cases.get(number)
        if step.produces is Produces.SEAL_USE:
            seal = site.seals.new(
                site.operator, now, case.village,
                {"seal": "党支部", "document": "材料", "purpose": "归档", "approver": "李书记", "keeper": "王文书", "routine": True},
            )["number"]  # fmt: skip
        end = engine.earliest_finish(matter, case.state(), site.cal)
        if end is not None and end.last_day > now.date():
            now = dt.datetime.combine(end.last_day, now.timetz())
        options = engine.choices(matter, case.state())
        site.cases.complete_step(site.operator, now, number, options[0].label, seal=seal)
        steps += 1


def timed(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        start = dt.datetime(2025, 3, 3, 9, tzinfo=CST)
        site = new_site(root, start)
        number = site.cases.open(site.operator, start, "fazhan-dangyuan", "城关村", "张某入党").number
        steps = walk_all(site, number, start)
        bare = timed(["-c", "pass"])
        docx_import = timed(["-c", "import docx"])
        whole = timed(["-c", EXPORT, str(root), number, str(Path(tmp) / "out")])
    print(f"archive export of a case with {steps} steps done (whole process, median of {RUNS})")
    print(f"  python -c pass        {bare:6.3f} s")
    print(f"  import docx           {docx_import:6.3f} s")
    print(f"  cunwu archive export  {whole:6.3f} s   {whole / docx_import:4.2f} x import docx")
    verdict = "ok    " if whole <= BUDGET_S else "MISSED"
    print(f"  {verdict} archive export <= {BUDGET_S} s")


if __name__ == "__main__":
    main()
