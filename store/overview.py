"""What home, ``cunwu due`` and the duty windows need of one village and year, kept beside its
data file, so that they do not parse and hold every record ever saved.

``cases/<村>/<年>.overview.json`` holds, for the records of ``<年>.json``:

- ``cases``: by case number, its matter (``m``) and: while it is open, what the engine and the
  risk checks of the day read of it (``o``: 事由, current step and since when, opened on, the
  finished steps, the notice posted for the current step); for the matters
  with a recurring duty (三会一课 …), the days its steps were finished (``d``). A closed case
  of any other matter is not in it;
- ``meetings``: by number, every meeting's kind, day, state, title and case (drafts to finish,
  duties met by meetings held);
- ``opinions``: by number, what each opinion or signature of the 监委会 is on (its target and
  finding): the 监督 screen reads the files that hold a record's opinions, not every file;
- ``notices``: by number, the day each 公示 is (to be) posted (the 监督 screen's 公示 waiting
  for signatures);
- ``people``: by number, each person of the village's roster entered that year, all but the ID
  number (``store.roster``: the 名册 screen and the meeting forms read the roster from here);
- ``rectifications``: by number, each 整改事项's state, deadline, first words (ID numbers masked),
  the finding it came from, its 责任人 and who registered it done (the login digest, home and the
  监督 screen read them from here);
- ``source``: the data file's signature (inode, mtime, size) it was made from, and
  ``recurring``: the matters whose steps it kept days for.

Every save writes it right after the data file, from the state just written (only the records
the save changed are looked at again). A reader uses it only while its ``source`` is the data
file's signature and its ``recurring`` the catalogue's; otherwise (a save cut off between the two
files, a repair, a restore, a file from before overviews, a matter file that added a recurring
duty) it is made again in memory from the data file, and the next save of that village and year
writes it. It is a cache: not fsynced, never journaled, backed up or archived; verify compares
every overview whose source matches with what its data file says (a hand-made one is named),
and repair writes them all again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from procedures.engine import CaseState, CaseStatus, StepEntry
from procedures.idnumber import mask_in_text
from store.files import atomic_write, collector_held
from store.resources import ResourceProblem

if TYPE_CHECKING:
    from procedures.views import CaseView

SUFFIX = ".overview.json"
VERSION = 7
"""2: an open case's posted notice (the risk checks of the day read it); 3: the opinions'
targets and the notices' posting days; 4: the roster's people; 5: the 整改事项; 6: a 整改事项's
first words (home lists an overdue one by them) and the finding it came from; 7: those first
words with ID numbers masked (version 6 kept them as typed, and home printed them), and the
整改事项's 责任人 and who registered it done (the login digest's 整改待销号 leaves out what the
account may not close)."""
CASE_TABLE = "cases"
MEETING_TABLE = "meetings"
OPINION_TABLE = "opinions"
NOTICE_TABLE = "notices"
PERSON_TABLE = "people"
RECTIFICATION_TABLE = "rectifications"
PERSON_KEPT = ("name", "gender", "birth", "household", "head", "group", "note", "memberships", "rev")
"""What the overview keeps of a person: all but the ID number and the stamps."""

Overview = dict[str, Any]
"""The parsed file: ``version``, ``source``, ``recurring``, ``cases``, ``meetings``, ``opinions``,
``notices``, ``people``, ``rectifications``."""


def path_for(data_file: Path) -> Path:
    """``cases/城关村/2026.json`` → ``cases/城关村/2026.overview.json``."""
    return data_file.with_name(data_file.stem + SUFFIX)


@dataclass(frozen=True, slots=True)
class OpenRow:
    """An open case as the work list reads it (what ``store.cases.Case`` gives of it there)."""

    number: str
    village: str
    matter_id: str
    subject: str
    current: str
    current_since: dt.date
    opened_on: dt.date
    steps: tuple[Sequence[str], ...]
    """The finished steps as the overview keeps them (step id, started, finished, outcome, forced
    reason): read into ``history`` only for a case whose time limits or checks are worked out
    (1,620 of 13,840 open cases at 50,000 cases)."""
    pending_notice: str = ""
    """The notice posted for the current step (``CaseView.pending_notice``)."""

    @property
    def status(self) -> CaseStatus:
        return CaseStatus.OPEN

    @property
    def history(self) -> tuple[StepEntry, ...]:
        day = dt.date.fromisoformat
        return tuple(StepEntry(s, day(a), day(b), o, f) for s, a, b, o, f in self.steps)

    def state(self) -> CaseState:
        return CaseState(self.matter_id, self.opened_on, self.current, self.current_since, self.history)

    def view(self) -> CaseView:
        """The case as the risk checks of the day read it: its steps, not their records."""
        from procedures.views import CaseView, StepView  # for the risk checks: not at start-up

        return CaseView(
            self.number,
            self.village,
            self.matter_id,
            CaseStatus.OPEN,
            self.current,
            self.opened_on,
            self.current_since,
            tuple(StepView(h.step_id, h.started, h.finished, h.outcome, h.forced_reason) for h in self.history),
            self.pending_notice,
        )


@dataclass(frozen=True, slots=True)
class DraftRow:
    """Meeting minutes saved as a draft."""

    number: str
    village: str
    kind: str
    title: str
    start: str
    case: str


def case_entry(record: Mapping[str, Any], recurring: frozenset[str]) -> dict[str, Any] | None:
    """What the overview keeps of one case: nothing for a closed case of a matter with no
    recurring duty (most of them, once a year is over)."""
    entry: dict[str, Any] = {}
    history = record.get("history") or []
    if record.get("status") == CaseStatus.OPEN.value:
        # Read as the engine reads it first: a date that is no date is named as it always was.
        from procedures.views import CaseView  # when a save writes it: not at start-up

        view = CaseView.from_record(record)
        entry["o"] = [
            str(record.get("subject", "")),
            view.current,
            view.current_since.isoformat(),
            view.opened_on.isoformat(),
            [
                [h.step_id, h.started.isoformat(), h.finished.isoformat(), h.outcome, h.forced_reason]
                for h in view.history
            ],
            view.pending_notice,
        ]
    if record.get("matter_id") in recurring and history:
        entry["d"] = [[str(h.get("step_id", "")), str(h.get("finished", ""))] for h in history]
    if entry:
        entry["m"] = str(record.get("matter_id", ""))
    return entry or None


def notice_entry(record: Mapping[str, Any]) -> str:
    return str(record.get("posted_on", "") or "")


def opinion_entry(record: Mapping[str, Any]) -> list[str]:
    return [str(record.get("target", "") or ""), str(record.get("finding", "") or "")]


def rectification_entry(record: Mapping[str, Any]) -> list[str]:
    """State, deadline, the problem's first words with ID numbers masked (home lists an overdue
    one by them; masked before the cut, so that a cut ID number is not left whole enough to read),
    the key of the finding it came from ("" for none: the 监督 screen matches its findings by
    it), the 责任人 and the account that registered it done ("" while not done)."""
    key = str(record.get("source_key", "")) if record.get("source") == "finding" else ""
    done = record.get("done")
    return [
        str(record.get("state", "")),
        str(record.get("deadline", "")),
        mask_in_text(str(record.get("problem", "")))[:40],
        key,
        mask_in_text(str(record.get("responsible", ""))),
        str(done.get("by", "")) if isinstance(done, Mapping) else "",
    ]


def person_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: record.get(k, "") for k in PERSON_KEPT}


def meeting_entry(record: Mapping[str, Any]) -> list[str]:
    return [
        str(record.get("kind", "")),
        str(record.get("start", "")),
        str(record.get("state", "")),
        str(record.get("title", "")),
        str(record.get("case", "") or ""),
    ]


RecordEntry = Callable[[Mapping[str, Any]], Any]
ENTRIES: dict[str, tuple[str, RecordEntry]] = {
    "meeting": (MEETING_TABLE, meeting_entry),
    "opinion": (OPINION_TABLE, opinion_entry),
    "notice": (NOTICE_TABLE, notice_entry),
    "person": (PERSON_TABLE, person_entry),
    "rectification": (RECTIFICATION_TABLE, rectification_entry),
}
"""Per record kind (a journal target's prefix) but cases, its table (the overview keeps its entries
under the same name) and what an entry keeps of a record: every record has one."""


def build(data: Mapping[str, Any], source: tuple[int, int, int] | None, recurring: frozenset[str]) -> Overview:
    """The overview of a data file's parsed content."""
    cases: dict[str, Any] = {}
    for record in _docs(data, CASE_TABLE):
        entry = case_entry(record, recurring)
        if entry is not None:
            cases[str(record["number"])] = entry
    tables = {table: {str(r["number"]): made(r) for r in _docs(data, table)} for table, made in ENTRIES.values()}
    return _wrap(cases, tables, source, recurring)


def update(
    previous: Overview, data: Mapping[str, Any], changed: Iterable[str], source: tuple[int, int, int] | None
) -> Overview:
    """``previous`` (the overview of the data before a save) brought up to the data after it:
    only the records the save journaled (``changed``: journal targets) are read again."""
    recurring = frozenset(previous["recurring"])
    cases = dict(previous["cases"])
    tables = {table: dict(previous[table]) for table, _made in ENTRIES.values()}
    for target in changed:  # a record no longer in this file (or never in it) has no entry
        kind, _, number = target.partition(":")
        if kind == "case":
            cases.pop(number, None)
            record = _doc(data, CASE_TABLE, number)
            entry = case_entry(record, recurring) if record is not None else None
            if entry is not None:
                cases[number] = entry
        elif kind in ENTRIES:
            table, made = ENTRIES[kind]
            tables[table].pop(number, None)
            record = _doc(data, table, number)
            if record is not None:
                tables[table][number] = made(record)
    return _wrap(cases, tables, source, recurring)


def _doc(data: Mapping[str, Any], table: str, number: str) -> Mapping[str, Any] | None:
    """The record numbered ``number`` in a table of a data file: its document id is the number's
    sequence (``城关村-2026-HY0003`` → "3"), so one lookup instead of a pass over the table."""
    docs = data.get(table)
    digits = number.rpartition("-")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    doc = docs.get(str(int(digits))) if isinstance(docs, Mapping) and digits.isdigit() else None
    return doc if isinstance(doc, Mapping) and doc.get("number") == number else None


def _wrap(
    cases: dict[str, Any],
    tables: dict[str, dict[str, Any]],
    source: tuple[int, int, int] | None,
    recurring: frozenset[str],
) -> Overview:
    return {
        "version": VERSION,
        "source": list(source) if source is not None else None,
        "recurring": sorted(recurring),
        "cases": cases,
        **tables,
    }


def _docs(data: Mapping[str, Any], table: str) -> Iterable[Mapping[str, Any]]:
    """The records of one table of a data file."""
    docs = data.get(table) if isinstance(data, Mapping) else None
    if not isinstance(docs, Mapping):
        return
    for doc in docs.values():
        if isinstance(doc, Mapping) and isinstance(doc.get("number"), str):
            yield doc


def read(path: Path, source: tuple[int, int, int], recurring: frozenset[str]) -> Overview | None:
    """The overview file at ``path`` when it was made from the data file as it is now (``source``,
    its signature) for these ``recurring`` matters; None otherwise (missing, stale, unreadable)."""
    try:
        with collector_held():
            found = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(found, dict)
        or found.get("version") != VERSION
        or found.get("source") != list(source)
        or found.get("recurring") != sorted(recurring)
        or not all(isinstance(found.get(t), dict) for t in (CASE_TABLE, *(t for t, _m in ENTRIES.values())))
    ):
        return None
    return found


def write(path: Path, overview: Overview, mode: int) -> None:
    """Write the overview beside its data file; a cache, so not fsynced, and a write that fails
    (a full disk) leaves it stale, never the save undone: readers then make it from the data."""
    with contextlib.suppress(OSError, ResourceProblem):
        atomic_write(path, orjson.dumps(overview), mode, durable=False)


def open_rows(overview: Overview, village: str) -> list[OpenRow]:
    """The open cases of one overview."""
    return [open_row(number, village, matter_id, row) for number, matter_id, row in open_entries(overview)]


def open_entries(overview: Overview) -> Iterator[tuple[str, str, list[Any]]]:
    """(number, matter id, the entry as kept) of each open case of one overview: the entry's
    事由 (``row[0]``) and current step (``row[1]``) are all a list shows of most open cases."""
    for number, entry in overview["cases"].items():
        row = entry.get("o")
        if row is not None:
            yield number, entry["m"], row


def open_row(number: str, village: str, matter_id: str, row: list[Any]) -> OpenRow:
    """An open case of ``open_entries`` with its dates read."""
    subject, current, since, opened, steps, notice = row
    day = dt.date.fromisoformat
    return OpenRow(number, village, matter_id, subject, current, day(since), day(opened), tuple(steps), notice)


def drafts(overview: Overview, village: str) -> list[DraftRow]:
    """The meeting minutes of one overview still saved as drafts."""
    return [
        DraftRow(number, village, kind, title, start, case)
        for number, (kind, start, state, title, case) in overview["meetings"].items()
        if state == "draft"
    ]


def step_days(overview: Overview) -> Iterable[tuple[str, str, str]]:
    """(matter id, step id, day finished) of every finished step of a recurring matter's case."""
    for entry in overview["cases"].values():
        done = entry.get("d")
        if done:
            for step_id, day in done:
                yield entry["m"], step_id, day


def has_opinions(overview: Overview, targets: set[str], finding: str | None) -> bool:
    """Whether the file holds an opinion on a record of ``targets`` or on ``finding``."""
    return any(t in targets or (finding and f == finding) for t, f in overview["opinions"].values())


def duties_met(
    overview: Overview, village: str
) -> tuple[tuple[tuple[str, str, str, str], ...], tuple[tuple[str, str, str], ...]]:
    """What one overview of ``village`` says of the recurring duties met: (village, matter, step,
    day finished) of the recurring matters' steps, and (village, kind, start) of every meeting."""
    steps = tuple((village, m, s, d) for m, s, d in step_days(overview))
    meetings = tuple((village, kind, start) for kind, start in meeting_days(overview))
    return steps, meetings


def meeting_days(overview: Overview) -> Iterable[tuple[str, str]]:
    """(kind, start) of every meeting."""
    for kind, start, _state, _title, _case in overview["meetings"].values():
        yield kind, start


def rectifications_late(overview: Overview, today: dt.date) -> Iterator[tuple[str, str, str]]:
    """(number, deadline, problem's first words) of each 整改事项 of one overview overdue on ``today``."""
    day = today.isoformat()
    for number, (state, deadline, *rest) in overview["rectifications"].items():
        if state == "open" and deadline < day:
            yield number, deadline, rest[0] if rest else ""


def finding_fixes(overview: Overview) -> dict[str, tuple[str, str, str]]:
    """The finding key → (number, state, deadline) of each 整改事项 of one overview opened from a
    finding; of several on one finding, one still open or done rather than one 销号 or waived
    (``still_fixing``)."""
    found: dict[str, tuple[str, str, str]] = {}
    for number, (state, deadline, _p, key, *_rest) in overview["rectifications"].items():
        if key:
            found[key] = still_fixing(found.get(key), (number, state, deadline))
    return found


def still_fixing(kept: tuple[str, str, str] | None, other: tuple[str, str, str]) -> tuple[str, str, str]:
    """Of two 整改事项 (number, state, deadline) on one finding, the one that keeps the finding on
    the 监督 screen (open or done, not 销号 or waived), else the later numbered."""

    def rank(fix: tuple[str, str, str]) -> tuple[bool, str]:
        return fix[1] in ("open", "done"), fix[0]

    return other if kept is None or rank(other) > rank(kept) else kept
