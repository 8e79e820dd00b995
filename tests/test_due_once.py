"""``cunwu due --json`` from one read of each overview (``store.worklist.due_items``): the same
items, in the same order, as every record read whole says."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store import overview
from store.site import DueItem, Site
from store.worklist import due_items, duty_item
from tests.sites import NOW, new_site, walk_to
from tests.test_overview import busy
from tui import cli_common
from tui.cli import app

D = dt.date
DAYS = [D(2026, 11, 27), D(2026, 12, 2), D(2026, 12, 20), D(2027, 1, 5), D(2027, 3, 1)]


def township(root: Path) -> Site:
    """Open cases at steps with and without a time limit (ones counted from a step finished
    before: 信访 督办 from 转办, and 发展党员 培养 from 入积极分子, running while the case is at
    a step between), a running 公示, a draft, a closed and a recurring matter's case, a meeting
    held, in both villages."""
    site = new_site(root)
    busy(site)
    for step in ("transfer", "supervise"):
        number = site.cases.open(site.operator, NOW, "xinfang", "城关村", f"周某来访{step}").number
        walk_to(site, number, step, choose={"entry": "接待"})
    walk_to(site, site.cases.open(site.operator, NOW, "fazhan-dangyuan", "城关村", "吴某入党申请").number, "contact")
    posted = site.cases.open(site.operator, NOW, "dibao", "南石村", "孙某低保申请").number
    walk_to(site, posted, "publicize")
    site.cases.post_notice(site.operator, NOW, posted, {"posted_on": NOW.date(), "content": "申请人家庭情况"})
    return site


def from_every_record(site: Site, today: dt.date, within: int, village: str | None) -> list[DueItem]:
    """What is due worked out from every record read whole (no overview): the open cases' timers
    from their records, the duties met from every case and meeting."""
    horizon = today + dt.timedelta(days=within)
    cases = [c for c in site.cases.all() if village in (None, c.village)]
    items = site.case_items(today, horizon, site.case_timers(today, cases))
    done = site.done_by_village(site.cases.all(), today)
    items += [
        duty_item(name, o, today) for name, found in site.duty_windows(today, horizon, village, done) for o in found
    ]
    return site.in_order(items)


def test_due_is_what_every_record_says(tmp_path: Path) -> None:
    site = township(tmp_path / "data")
    seen = set()
    for within in (0, 7, 30, 400):
        for day in DAYS:
            for village in (None, "城关村", "南石村"):
                expected = from_every_record(site, day, within, village)
                found = due_items(Site(site.root, environ={}), day, within, village)
                assert found == expected, (within, day, village)
                seen |= {(i.kind, i.state, i.step_id) for i in expected}
    # the comparison covered case deadlines (督办's, counted from 转办), waiting periods, duties
    assert {"deadline", "min_wait", "recurring"} <= {k for k, _, _ in seen}
    assert {"transfer", "supervise", "publicize", "cultivate"} <= {s for _, _, s in seen}
    assert {"overdue", "running", "ready"} <= {s for _, s, _ in seen}


def test_due_items_read_each_overview_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = township(tmp_path / "data")
    read: list[Path] = []
    plain = overview.read

    def counted(path: Path, source: tuple[int, int, int], recurring: frozenset[str]) -> overview.Overview | None:
        read.append(path)
        return plain(path, source, recurring)

    monkeypatch.setattr(overview, "read", counted)
    assert due_items(Site(site.root, environ={}), D(2026, 12, 2))
    assert sorted(read) == sorted(set(read)) and len(read) == 2  # two data files, each read once


def test_due_json_prints_the_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = township(tmp_path / "data")
    monkeypatch.setenv("CUNWU_DATA", str(site.root))
    monkeypatch.setattr(cli_common, "now", lambda: dt.datetime(2026, 12, 2, 10, tzinfo=NOW.tzinfo))
    result = CliRunner().invoke(app, ["due", "--json", "--within", "30"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == [i.as_dict() for i in from_every_record(site, D(2026, 12, 2), 30, None)]
    assert [i["number"] for i in printed if i["number"]], "case time limits are among them"
