"""Helpers for store tests: a set-up data directory and a fixed clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store.site import Site

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)
VILLAGES = ["城关村", "南石村"]


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST)


ADMIN_NAME = "王文书"
"""The real name the account running the tests gives when it sets up a site (its first 管理员)."""


def new_site(root: Path, now: dt.datetime = NOW) -> Site:
    site = Site(root, environ={})
    site.init(now, "沁河镇", VILLAGES, my_name=ADMIN_NAME)
    return site


def walk_to(
    site: Site, number: str, step_id: str, now: dt.datetime = NOW, choose: dict[str, str] | None = None
) -> None:
    """Complete steps until the case is at ``step_id``; ``choose`` gives the outcome at branches."""
    while (current := site.cases.get(number).record["current"]) != step_id:
        site.cases.complete_step(site.operator, now, number, (choose or {}).get(current, ""))


def post_notice(
    site: Site, number: str, day: dt.date | None = None, now: dt.datetime = NOW, **fields: object
) -> dict[str, object]:
    """Register the notice of the case's current (notice) step, posted on ``day``."""
    return site.cases.post_notice(site.operator, now, number, {"posted_on": day or now.date(), **fields})


def decided_meeting(title: str, start: str = "2026-11-27 09:00") -> dict[str, object]:
    """A 村民代表会议 with its attendance and one item passed, ready to be registered."""
    return {
        "kind": "村民代表会议",
        "title": title,
        "start": start,
        "host": "张书记",
        "recorder": "李文书",
        "expected": 30,
        "present": 25,
        "items": [{"title": "李某低保", "vote": {"ayes": 20, "nays": 1, "abstain": 0}, "resolution": "同意"}],
    }
