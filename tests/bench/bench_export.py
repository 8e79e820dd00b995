"""Benchmark: exporting the archive of a case of 25+ steps, as a whole process (budget ≤ 0.5 s).

    python3 dev.py bench

Measured side by side in one run (medians of 5 fresh processes): ``python -c pass``, the
import of python-docx alone, and the whole ``export`` (start, read the store, build the
archive of a 发展党员 case walked through all its steps, write the .docx). ``rows()`` gives
the figures to ``tests.bench.report``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from procedures import engine
from procedures.model import Produces
from store.site import Site
from tests.bench.common import Row, show, timed
from tests.sites import CST, new_site

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
        if end is not None and end.free_from > now.date():  # the last day runs to 24:00
            now = dt.datetime.combine(end.free_from, now.timetz())
        options = engine.choices(matter, case.state())
        site.cases.complete_step(site.operator, now, number, options[0].label, seal=seal)
        steps += 1


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        start = dt.datetime(2025, 3, 3, 9, tzinfo=CST)
        site = new_site(root, start)
        number = site.cases.open(site.operator, start, "fazhan-dangyuan", "城关村", "张某入党").number
        steps = walk_all(site, number, start)
        bare = timed(["-c", "pass"])
        docx_import = timed(["-c", "import docx"])
        whole = timed(["-c", EXPORT, str(root), number, str(Path(tmp) / "out")])
    figure = f"archive export, case of {steps} steps (whole process)"
    return [
        Row(figure, whole, "s", "python -c 'import docx'", docx_import, f"<= {BUDGET_S} s", whole <= BUDGET_S),
        Row(figure, whole, "s", "python -c pass", bare),
    ]


def main() -> None:
    show(rows())


if __name__ == "__main__":
    main()
