"""The server's clock in the server's time zone: never the TZ of a user's environment.

Dates decide whether a 公示 may close. On the shared server ``sudo`` keeps ``TZ`` (it is on
its list of variables that look safe), so ``TZ=XXX-23:59 cunwu case step …`` would move
"today" a day ahead and close a 公示 early. The zone therefore comes from the settings
(``timezone = "Asia/Shanghai"``), else from the system's ``/etc/localtime`` unless that is
UTC, else Asia/Shanghai; and the instant from ``time.time()``, which no environment variable
changes. A system left at UTC (what cloud images and fresh installs come with) is not a
choice made for a county in China: its dates would turn at 08:00 Beijing time, so cunwu
counts in Asia/Shanghai there; a 管理员 who really wants UTC names it in the settings.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

DEFAULT_ZONE = "Asia/Shanghai"
SYSTEM_ZONE_FILE = Path("/etc/localtime")
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time, fixed: used when no zone database is installed (China has no DST)."""


UNSET_ZONES = frozenset(
    {"UTC", "UCT", "GMT", "Zulu", "Universal", "Etc/UTC", "Etc/UCT", "Etc/GMT", "Etc/Zulu", "Etc/Universal"}
)
"""System zones that mean "never set" (see the module's docstring)."""


def zone(name: str = "", system_file: Path = SYSTEM_ZONE_FILE) -> dt.tzinfo:
    """The zone named in the settings, else the system's unless it is UTC, else Asia/Shanghai."""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass  # the settings are checked when written; a zone database removed since falls through
    try:
        with system_file.open("rb") as fh:
            system = zoneinfo.ZoneInfo.from_file(fh, key=_key(system_file))
        if not _is_utc(system):
            return system
    except (OSError, ValueError):
        pass
    try:
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)
    except zoneinfo.ZoneInfoNotFoundError:
        return CHINA


def _is_utc(zone: zoneinfo.ZoneInfo) -> bool:
    """UTC by name, or a zone with no offset in winter or summer (a copied UTC file)."""
    if zone.key in UNSET_ZONES:
        return True
    days = (dt.datetime(2026, 1, 15, tzinfo=zone), dt.datetime(2026, 7, 15, tzinfo=zone))
    return all(day.utcoffset() == dt.timedelta(0) for day in days)


def _key(path: Path) -> str | None:
    """Asia/Shanghai for a /etc/localtime that links into a zoneinfo folder."""
    try:
        target = str(path.resolve())
    except OSError:
        return None
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


instant: Callable[[], float] = time.time
"""Seconds since the epoch: the system clock (a test sets a fixed instant here)."""


def now(tz: dt.tzinfo) -> dt.datetime:
    """The current time in ``tz`` (from the system clock, whatever TZ says)."""
    return dt.datetime.fromtimestamp(instant(), tz)


CLOCK_SLACK = dt.timedelta(minutes=5)
"""How far the clock may be behind the newest journal entry before writes are refused: two
sessions whose saves cross in the lock, or NTP correcting a fast clock by a little, stay within
it; a clock set back by hours or years (a dead CMOS battery, a hand-set date) does not."""


def behind(last_ts: str, now: dt.datetime) -> dt.timedelta | None:
    """How far ``now`` is earlier than the journal's newest entry (its ``ts``), when by more than
    ``CLOCK_SLACK``; None when the clock is fine or ``last_ts`` cannot be read."""
    try:
        last = dt.datetime.fromisoformat(last_ts)
    except (TypeError, ValueError):
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo or dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=last.tzinfo)
    gap = last - now
    return gap if gap > CLOCK_SLACK else None
