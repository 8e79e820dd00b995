"""Benchmark: a township's decade of cases (issue 19) — figures at 1,000, 10,000 and 50,000
cases in 20 villages, side by side in one run, with the ratio 50k/1k.

    python3 dev.py bench scale

Each size is built once, through the store (journaled, with its ``<年>.overview.json`` files),
by ``build``: N cases spread over 20 villages and 1, 3 and 5 years (50, about 170 and 500 cases
a village a year); cases of past years mostly closed (some 低保 cases walked through their
meeting and 公示), the last twelve months' mostly open at every step of their flow (公示 running,
meeting drafts), and a few meetings of each village-year on their own. Then, at each size:
- ``cunwu due --json``, ``cunwu risks --json`` and ``cunwu case step NUMBER --step survey`` (one
  plain step of an open 低保 case, a different case each run) as whole processes; ``risks`` also
  once as its first run on the new data (no village's findings kept yet: ``store.findings``)
  and once right after one save in one village (that village's found again);
- home as a person opens it (the console script in an 80×24 pty, to the footer's 退出, with
  its peak RSS: ``bench_tui.first_screen``);
- the case list: from home, ``b`` to the list drawn (its column header 办件编号 written, and the
  last bytes before 0.4 s of quiet: the list is drawn several times as it opens), and Esc back
  to home drawn again (今日, then quiet), each from a quiet screen, in fresh processes;
- the 监督 screen: from home, ``j`` to its findings drawn (its journal check runs on in a
  process of its own and is not waited for);
- one save's cost to each idle process: 3 app processes idle at home; their CPU time
  (utime+stime) over 5 s without a save, then from one step saved by the command line until
  at least 5 s have passed (the app looks at the journal every 3 s) and none is still busy:
  the median extra CPU per process, beyond its idle use.
Medians of 5 fresh processes (peak RSS: the largest). Budgets at 50,000 cases (issue 19): home
≤ 0.6 s and ≤ 60 MiB, list ≤ 0.5 s, Esc ≤ 0.2 s, ``due`` ≤ 0.5 s, ``risks`` ≤ 1.5 s, step ≤ 0.5 s,
≤ 50 ms CPU per idle process per save; 50k/1k ≤ 1.5 for home, list and step. ``rows()`` gives
the figures to ``tests.bench.report``.
"""

from __future__ import annotations

import compileall
import contextlib
import datetime as dt
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procedures import engine
from procedures.model import Produces
from store.site import Site
from tests.bench.common import ROOT, RUNS, Row, show
from tests.sites import CST, decided_meeting

if TYPE_CHECKING:
    from tests.test_tui_terminal import Terminal

SIZES = ((1_000, 1), (10_000, 3), (50_000, 5))
"""Cases and the years they are spread over."""
VILLAGES = 20
IDLE = 3
USERS = 10
"""Clerks at home at once on the township's server, for the total PSS (issue 19: <= 450 MiB at 10k)."""
"""App processes left idle at home while another process saves."""
SETTLE = 5.0
"""Seconds the idle processes are given at least to react to a save (they look every 3 s)."""
BUSY = 20.0
"""CPU ms in a second above which an idle process is still reacting to the save."""

SIMPLE = ("manxingbing", "zhuyuan-baoxiao", "yiqing-fangkong", "weisheng-xuanchuan")
"""Matters whose steps need no record and no period: walked to their end in a few saves."""
PLAIN_STEP = "survey"
"""The 低保 step ``case step`` completes in the benchmark: no record, no period."""


@dataclass(frozen=True, slots=True)
class Built:
    site: Site
    cases: int
    seconds: float
    """Wall time of building it."""
    ready: tuple[str, ...]
    """Open 低保 cases of the last twelve months at ``PLAIN_STEP``, for the step figures."""


def walk(site: Site, number: str, now: dt.datetime, steps: int | None = None) -> dt.datetime:
    """Complete ``steps`` steps of a case (all: None), first outcome at each branch, posting the
    公示 a step needs and waiting out its period; returns the time of the last save."""
    done = 0
    while steps is None or done < steps:
        case = site.cases.get(number)
        if not case.record["current"]:
            break
        matter = site.catalog.get(case.matter_id)
        step = matter.step(case.record["current"])
        if step.produces is Produces.NOTICE and not case.record["progress"].get("notice"):
            site.cases.post_notice(site.operator, now, number, {"posted_on": now.date(), "content": "申请人家庭情况"})
            case = site.cases.get(number)
        end = engine.earliest_finish(matter, case.state(), site.cal)
        if end is not None and end.free_from > now.date():
            now = dt.datetime.combine(end.free_from, now.timetz())
        options = engine.choices(matter, case.state())
        site.cases.complete_step(site.operator, now, number, options[0].label, note="已按要求办理")
        done += 1
    return now


def _plan(village: str, i: int, day: dt.date, last: dt.date, recent: bool) -> tuple[str, str, int | None]:
    """Case ``i`` of a village-year opened on ``day``: its matter, its 事由, and how many steps
    it is taken (None: to its end). Earlier years: 70 % plain matters closed, 15 % 低保 closed
    through its meeting and 公示, 15 % left open at their first steps; the last twelve months:
    20 % plain matters closed, 10 % 低保 closed, 60 % 低保 open at every step up to a running
    公示 and past it, 10 % open at their first steps."""
    slot, person = i % 20, f"{village}村民{i:04d}"
    if slot < (4 if recent else 14):
        matter = SIMPLE[i % len(SIMPLE)]
        return matter, f"{person}{'慢性病' if i % 2 else '宣传'}", None
    if slot < (6 if recent else 17) and (last - day).days > 40:
        return "dibao", f"{person}低保申请", None
    if recent and slot < 18:
        steps = (0, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5)[slot - 6]
        # past its 公示 only when the period has run by ``last`` (no date after the clock's)
        return "dibao", f"{person}低保申请", 4 if steps == 5 and (last - day).days < 20 else steps
    matter = "dibao" if slot % 2 else SIMPLE[i % 2]
    return matter, f"{person}申请", 2 if matter == "dibao" else 1


def _open(site: Site, village: str, i: int, day: dt.date, last: dt.date, recent: bool) -> str:
    matter, subject, _ = _plan(village, i, day, last, recent)
    return site.cases.open(site.operator, dt.datetime.combine(day, dt.time(9), CST), matter, village, subject).number


def _case(site: Site, village: str, i: int, day: dt.date, last: dt.date, recent: bool, number: str = "") -> str:
    """Open case ``i`` (unless ``number`` is it, opened) and take it as far as its plan says,
    with a meeting of the village's own now and then; returns its number when it is an open
    低保 case left at ``PLAIN_STEP``, else ""."""
    matter, _, steps = _plan(village, i, day, last, recent)
    number = number or _open(site, village, i, day, last, recent)
    now = dt.datetime.combine(day, dt.time(9), CST)
    walk(site, number, now, steps)
    if matter == "dibao" and steps == 4:  # at 公示: posted, its period running
        site.cases.post_notice(site.operator, now, number, {"posted_on": day, "content": "申请人家庭情况"})
    if i % 50 == 25:
        title = f"{village}村民代表会议第{i // 50 + 1}次"
        site.meetings.new(site.operator, now, village, decided_meeting(title, f"{day.isoformat()} 15:00"))
    return number if matter == "dibao" and steps == 2 else ""


def _group(
    site: Site, village: str, cases: list[tuple[int, dt.date]], end: dt.date, last: dt.date, recent: bool
) -> list[str]:
    """Cases of one village and calendar year (their number and day): the first opened alone,
    which makes the data file (a record is read back from its file), then all of them taken as
    far as they go in one transaction; returns the open 低保 cases left at ``PLAIN_STEP``."""
    at = dt.datetime.combine(end, dt.time(18), CST)
    with site.store.transaction(site.operator, at):
        first = _open(site, village, *cases[0], last, recent)
    with site.store.transaction(site.operator, at):
        found = [
            _case(site, village, i, day, last, recent, first if n == 0 else "") for n, (i, day) in enumerate(cases)
        ]
    return [n for n in found if n]


def build(root: Path, cases: int, years: int, today: dt.date, villages: int = VILLAGES) -> Built:
    """A township of ``villages`` villages holding ``cases`` cases over ``years`` twelve-month
    periods up to ``today``, built through the store, a village's cases of a calendar year in
    one transaction, in the order of the clock."""
    began = time.perf_counter()
    site = Site(root, environ={})
    names = [f"沁源{v:02d}村" for v in range(villages)]
    start = today - dt.timedelta(days=365 * years)
    site.init(dt.datetime.combine(start, dt.time(8), CST), "沁河镇", names, my_name="王文书")
    ready: list[str] = []
    for period in reversed(range(years)):  # oldest first, as the clock runs
        last = today - dt.timedelta(days=365 * period + 3)
        first = last - dt.timedelta(days=330)
        share = cases // years + (cases % years if period == 0 else 0)
        counts = [share // villages + (1 if v < share % villages else 0) for v in range(villages)]
        days = [[first + dt.timedelta(days=330 * i // count) for i in range(count)] for count in counts]
        for year in range(first.year, last.year + 1):
            end = min(last, dt.date(year, 12, 31))
            for village, mine in zip(names, days, strict=True):
                group = [(i, d) for i, d in enumerate(mine) if d.year == year]
                if group:
                    found = _group(site, village, group, end, last, recent=period == 0)
                    ready += found if period == 0 else []
    return Built(Site(root, environ={}), cases, time.perf_counter() - began, tuple(ready))


CUNWU = "from tui.launch import run; run()"
"""What the console script runs (a person's ``cunwu``)."""


def cli(data: Path, *args: str) -> list[str]:
    return ["-c", CUNWU, "--data", str(data), *args]


def each(commands: Sequence[Sequence[str]]) -> float:
    """Median wall time of ``python COMMAND`` for each command, as whole processes, in seconds."""
    times = []
    for command in commands:
        start = time.perf_counter()
        subprocess.run([sys.executable, *command], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step(data: Path, number: str) -> list[str]:
    return cli(data, "case", "step", number, "--step", PLAIN_STEP)


def pump(terms: Sequence[Terminal], seconds: float) -> None:
    """Read what the apps write for ``seconds`` (an app whose pty is not read stops drawing)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        for term in terms:
            term.read_until("\x00never\x00", min(left, 0.1) / len(terms))


def list_and_back(data: Path) -> tuple[float, float]:
    """In a fresh app at home: seconds from ``b`` to the case list drawn, and from Esc to home
    drawn again, each once the screen has gone quiet."""
    from tests.test_tui_terminal import Terminal

    term = Terminal(data)
    try:
        if not term.read_until("今日", 120):
            raise RuntimeError(f"the app did not start: {term.seen[-300:]!r}")
        opened = _after(term, b"b", "办件编号")
        back = _after(term, b"\x1b", "今日")
        return opened, back
    finally:
        term.kill()


def supervision(data: Path) -> float:
    """In a fresh app at home: seconds from ``j`` to the 监督 screen drawn with its findings (its
    journal check goes on in a process of its own, and is not waited for)."""
    from tests.test_tui_terminal import Terminal

    term = Terminal(data)
    try:
        if not term.read_until("今日", 120):
            raise RuntimeError(f"the app did not start: {term.seen[-300:]!r}")
        return _after(term, b"j", "风险提示")
    finally:
        term.kill()


def _after(term: Terminal, key: bytes, text: str, gap: float = 0.4) -> float:
    """Once the screen is quiet, seconds from sending ``key`` to the screen drawn: ``text``
    written, and the last bytes before ``gap`` seconds of quiet (a screen that draws its frame
    first and its rows later is timed to its rows)."""
    term.quiet(0.4)
    before = len(term.seen)
    start = time.perf_counter()
    term.send(key)
    wanted = text.encode()
    while wanted not in term.seen[before:]:
        if time.perf_counter() - start > 120:
            raise RuntimeError(f"{text} not drawn within 120 s: {term.seen[-300:]!r}")
        _read(term, 0.05)
    last, size = time.perf_counter(), len(term.seen)
    while time.perf_counter() - last < gap:
        _read(term, 0.05)
        if len(term.seen) != size:
            last, size = time.perf_counter(), len(term.seen)
    return last - start


def _read(term: Terminal, seconds: float) -> None:
    """What the app has written, as soon as it writes it (waiting at most ``seconds``)."""
    if select.select([term.fd], [], [], seconds)[0]:
        with contextlib.suppress(OSError):
            term.seen += os.read(term.fd, 65536)


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the process has used, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def at_home(data: Path, count: int, settle: float) -> Iterator[list[Terminal]]:
    """``count`` apps started on ``data`` in ptys, each at home and quiet for ``settle`` s; killed after."""
    from tests.test_tui_terminal import Terminal

    terms = [Terminal(data) for _ in range(count)]
    try:
        for term in terms:
            if not term.read_until("今日", 120):
                raise RuntimeError(f"the app did not start: {term.seen[-300:]!r}")
        for term in terms:
            term.quiet(settle)
        yield terms
    finally:
        for term in terms:
            term.kill()


def save_cost(data: Path, number: str) -> tuple[float, float]:
    """``IDLE`` apps idle at home: the median CPU ms each uses in ``SETTLE`` s without a save,
    and the median extra CPU ms each uses after one step saved by the command line: from the
    save until ``SETTLE`` s have passed and no app has used more than ``BUSY`` ms in the last
    second (at most a minute), less what the same process uses idle in that time."""
    with at_home(data, IDLE, 1.0) as terms:
        pump(terms, 3.5)  # past the first look at the journal
        before = [cpu_ms(t.pid) for t in terms]
        pump(terms, SETTLE)
        idle = [cpu_ms(t.pid) - b for t, b in zip(terms, before, strict=True)]
        before = [cpu_ms(t.pid) for t in terms]
        start = time.perf_counter()
        subprocess.run([sys.executable, *step(data, number)], cwd=ROOT, check=True, capture_output=True)
        pump(terms, SETTLE - 1)
        while True:
            second = [cpu_ms(t.pid) for t in terms]
            pump(terms, 1)
            busy = max(cpu_ms(t.pid) - s for t, s in zip(terms, second, strict=True))
            if busy <= BUSY or time.perf_counter() - start > 60:
                break
        took = time.perf_counter() - start
        extra = [cpu_ms(t.pid) - b - i * took / SETTLE for t, b, i in zip(terms, before, idle, strict=True)]
        return statistics.median(idle), statistics.median(extra)


def users_pss(data: Path) -> float:
    """Total PSS (MiB) of ``USERS`` apps at home on ``data`` at once: what the server's memory
    holds for them, shared pages (the interpreter, libraries) counted once between them."""
    with at_home(data, USERS, 0.5) as terms:
        total = 0
        for term in terms:
            rollup = Path(f"/proc/{term.pid}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
        return total / 1024


@dataclass(frozen=True, slots=True)
class Figures:
    cases: int
    years: int
    build: float
    due: float
    risks: float
    risks_first: float
    """The first ``risks --json`` on the data: every village's findings found from the records."""
    risks_saved: float
    """``risks --json`` right after one save: that village's findings found again."""
    step: float
    home: float
    rss: float
    open: float
    back: float
    supervision: float
    """The 监督 screen from home, to its findings drawn."""
    idle: float
    save: float
    pss: float
    """Total PSS of ``USERS`` apps at home, MiB."""


def measure(data: Path, cases: int, years: int, today: dt.date) -> Figures:
    """Build a township of ``cases`` cases and measure it (see the module's text)."""
    from tests.bench.bench_tui import first_screen

    built = build(data, cases, years, today)
    print(f"[bench] scale: {cases:,} cases built in {built.seconds:.0f} s", file=sys.stderr, flush=True)
    overviews = list(data.glob("cases/*/*.overview.json"))
    if len(overviews) < VILLAGES:
        raise RuntimeError(f"{len(overviews)} overview files for {VILLAGES} villages: the saves did not write them")
    if len(built.ready) < RUNS + 1:
        raise RuntimeError(f"only {len(built.ready)} cases at {PLAIN_STEP}")
    due = each([cli(data, "due", "--json")] * RUNS)
    risks_first = each([cli(data, "risks", "--json")])
    risks = each([cli(data, "risks", "--json")] * RUNS)
    screens = [first_screen(CUNWU, data) for _ in range(RUNS)]
    lists = [list_and_back(data) for _ in range(RUNS)]
    supervised = statistics.median(supervision(data) for _ in range(RUNS))
    idle, save = save_cost(data, built.ready[RUNS])
    risks_saved = each([cli(data, "risks", "--json")])
    stepped = each([step(data, n) for n in built.ready[:RUNS]])
    return Figures(
        cases,
        years,
        built.seconds,
        due,
        risks,
        risks_first,
        risks_saved,
        stepped,
        statistics.median(s[0] for s in screens),
        max(s[1] for s in screens),
        statistics.median(o for o, _ in lists),
        statistics.median(b for _, b in lists),
        supervised,
        idle,
        save,
        users_pss(data),
    )


def figures_rows(f: Figures, budgets: bool) -> list[Row]:
    """The rows of one size; the budgets (issue 19's, at 50,000 cases) only when ``budgets``."""
    at = f"{f.cases:,} cases, {VILLAGES} villages, {f.years} yr"

    def row(
        figure: str, value: float, unit: str, limit: float, compared: str = "", baseline: float | None = None
    ) -> Row:
        if not budgets:
            return Row(figure, value, unit, compared, baseline)
        return Row(figure, value, unit, compared, baseline, f"<= {limit:g} {unit} at 50k", value <= limit)

    return [
        Row(f"building the data through the store, {at}", f.build, "s"),
        row(f"cunwu due --json, {at}", f.due, "s", 0.5),
        row(f"cunwu risks --json, {at}", f.risks, "s", 1.5),
        row(f"cunwu risks --json right after one save in one village, {at}", f.risks_saved, "s", 1.5),
        Row(f"cunwu risks --json, first run on the data (every village found), {at}", f.risks_first, "s"),
        row(f"cunwu case step (one plain step), {at}", f.step, "s", 0.5),
        row(f"home, first screen in an 80x24 pty, {at}", f.home, "s", 0.6),
        row(f"home, peak RSS (largest), {at}", f.rss, "MiB", 60),
        row(f"case list opens from home (b), {at}", f.open, "s", 0.5),
        row(f"Esc from the case list to home, {at}", f.back, "s", 0.2),
        Row(f"监督 opens from home (j), its findings drawn, {at}", f.supervision, "s"),
        Row(
            f"{USERS} apps at home at once, total PSS, {at}",
            f.pss,
            "MiB",
            *(("", None, "<= 450 MiB at 10k", f.pss <= 450) if f.cases == 10_000 else ()),
        ),
        row(
            f"one save's extra CPU to each of {IDLE} idle apps (until they settle), {at}",
            f.save,
            "ms",
            50,
            f"an idle app's own CPU in {SETTLE:g} s",
            f.idle,
        ),
    ]


def ratio_rows(small: Figures, large: Figures) -> list[Row]:
    """50k against 1k for home, the case list and a step (goal: at most 1.5 x)."""
    found = []
    for what, big, little in (
        ("home, first screen", large.home, small.home),
        ("case list opens from home", large.open, small.open),
        ("cunwu case step", large.step, small.step),
    ):
        found.append(
            Row(
                f"{what}, {large.cases:,} cases",
                big,
                "s",
                f"the same at {small.cases:,} cases",
                little,
                "<= 1.5 x",
                big <= 1.5 * little,
            )
        )
    return found


def rows(sizes: Sequence[tuple[int, int]] = SIZES) -> list[Row]:
    for package in ("procedures", "store", "exports", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    today = dt.datetime.now(CST).date()
    measured = []
    for cases, years in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            measured.append(measure(Path(tmp) / "data", cases, years, today))
    found = []
    for f in measured:
        found += figures_rows(f, budgets=f is measured[-1])
    return found + (ratio_rows(measured[0], measured[-1]) if len(measured) > 1 else [])


def main() -> None:
    sizes = [s for s in SIZES if str(s[0]) in sys.argv[1:]] or SIZES
    show(rows(sizes))


if __name__ == "__main__":
    main()
