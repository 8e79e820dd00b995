"""The risk checks' findings of one village that do not depend on the day, kept beside its data
files, so that ``cunwu risks``, the 监督 screen and the supervision report do not parse every
record of every year each time they are asked.

``cases/<村>/findings.json`` holds what ``procedures.risks.settled`` found in every record of the
village (all its data files together: a case of one year refers to minutes of the next), each
finding with the day it stands from when its check ``appears`` (minutes still a draft seven
days after the meeting). With it: the signature (inode, mtime, size) of each data file it was
made from, and a fingerprint of everything else the findings depend on: the catalogue as this
data directory has it (matters, local matter files, time limits of the settings), the source of
the checks (the conflict checks with the rosters' and meetings' rules they read), the views,
the engine and the day counting, and the holiday tables' versions.

The findings that depend on the day (an open step waiting, a deadline running over, a duty
not held) are never kept: they are worked out each time from the overviews
(``store.overview``). A reader uses the file only while every signature and the fingerprint
are those of now; otherwise it finds again from the records and writes the file. Like the
overviews it is a cache: written without the lock and without fsync (atomically, so never
torn), never journaled, backed up or archived; verify compares every file that is current
with what the records say (a hand-made one, hiding a finding, is named) and repair writes it
again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from procedures import conflicts, engine, meetings, periods, risks, roster, views, workdays
from procedures.model import Catalog
from procedures.risks import CHECK_TITLES, Finding, Settled, Severity
from store.files import atomic_write, collector_held
from store.resources import ResourceProblem

NAME = "findings.json"
VERSION = 1
Sources = list[list[int]]
"""``[year, inode, mtime_ns, size]`` of each data file of the village, by year."""

_SOURCES = (risks, conflicts, roster, meetings, views, engine, periods, workdays)
"""The modules whose code decides what a finding says."""
_CALENDARS = ("chinesecalendar", "holidays")
"""The libraries whose tables decide which days are working days (``procedures.workdays``)."""


def path_for(village_dir: Path) -> Path:
    """``cases/城关村/`` → ``cases/城关村/findings.json``."""
    return village_dir / NAME


def fingerprint(catalog: Catalog) -> str:
    """What the settled findings depend on besides the records: the catalogue and the code."""
    h = hashlib.sha256(orjson.dumps(catalog.matters))
    for module in _SOURCES:
        source = Path(module.__file__ or "")
        try:
            h.update(source.read_bytes())
        except OSError:
            h.update(source.name.encode())
    for name in _CALENDARS:
        try:
            h.update(f"{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} -".encode())
    return h.hexdigest()


def _row(finding: Finding, appears: dt.date | None) -> list[Any]:
    f = finding
    return [
        f.check,
        f.severity.value,
        f.since.isoformat(),
        appears.isoformat() if appears else None,
        f.village,
        f.text,
        f.matter_id,
        f.matter,
        f.case,
        f.step_id,
        f.step,
        f.record,
        f.ongoing,
    ]


def _finding(row: Sequence[Any]) -> tuple[Finding, dt.date | None]:
    check, severity, since, appears, village, text, matter_id, matter, case, step_id, step, record, ongoing = row
    day = dt.date.fromisoformat
    finding = Finding(
        check,
        CHECK_TITLES[check],
        Severity(severity),
        day(since),
        village,
        text,
        matter_id,
        matter,
        case,
        step_id,
        step,
        record,
        bool(ongoing),
    )
    return finding, (day(appears) if appears else None)


def encode(sources: Sources, fingerprint: str, found: Settled) -> bytes:
    return orjson.dumps(
        {
            "version": VERSION,
            "fingerprint": fingerprint,
            "sources": sources,
            "findings": [_row(f, appears) for f, appears in found],
        }
    )


def read(path: Path, sources: Sources, fingerprint: str) -> Settled | None:
    """The findings kept at ``path`` when they were found in the data files as they are now
    (``sources``) with this ``fingerprint``; None otherwise (missing, stale, unreadable)."""
    try:
        with collector_held():
            kept = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(kept, dict)
        or kept.get("version") != VERSION
        or kept.get("fingerprint") != fingerprint
        or kept.get("sources") != sources
        or not isinstance(kept.get("findings"), list)
    ):
        return None
    try:
        with collector_held():
            return [_finding(row) for row in kept["findings"]]
    except (TypeError, ValueError, KeyError):
        return None  # not what this version writes: found again


def write(path: Path, sources: Sources, fingerprint: str, found: Settled, mode: int) -> None:
    """Keep the findings beside the data files; a write that fails (a full disk, a folder this
    account may not write) leaves the old file, which no longer matches and is not used."""
    with contextlib.suppress(OSError, ResourceProblem):
        atomic_write(path, encode(sources, fingerprint, found), mode, durable=False)
