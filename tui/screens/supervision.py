"""监督: what the 村务监督委员会 and the township look at. The journal verified (in a worker,
so the screen never waits for it), each village's status in words, the risk checks'
findings with the opinions filed on them, and the cases whose 公示 waits to be posted,
for the committee's signature. Filters: village, matter, period; the 监督检查报告 of the
village and period filtered is exported in a worker."""

from __future__ import annotations

import datetime as dt
import operator
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ContentSwitcher, DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState

from procedures.risks import SEVERITY_WORDS, STATUS_WORDS, Finding, Severity, village_status
from procedures.search import search
from store.countersign import Waiting, waiting
from store.errors import BadInput, StoreError
from store.files import signature
from store.opinions import ACTION, KINDS
from store.records import parse_date
from store.rectifications import CLOSED, DONE, OPEN, STATES, WAIVED, overdue
from store.rectifications import NEW as RECTIFY_NEW
from store.site import Site
from store.verify import AdminChange
from tui import refusals
from tui.commands import bindings_for
from tui.dialogs import ChoiceDialog, ReadDialog, TextDialog, confirm
from tui.screens.base import BaseScreen, literal
from tui.screens.record_common import choose_village, text_input
from tui.tables import Pager, clip, columns, refill, short_number, unique
from tui.widgets import Dropdown

if TYPE_CHECKING:
    from store.summary import Summary, VillageFigures

ALL = "*"
STATUS_STYLE = {Severity.RED: "bold red", Severity.AMBER: "bold yellow", None: "bold green"}
"""The colour only repeats each village's status word (``STATUS_WORDS``)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What the lists are narrowed to (all of it when empty)."""

    village: str = ""
    matters: frozenset[str] | None = None
    """Matter ids, or None for every matter."""
    start: dt.date | None = None
    end: dt.date | None = None


CHANGE_FIELDS = tuple(f.name for f in fields(AdminChange))


class VerifyFailed(Exception):
    """``cunwu verify`` could not be run, or said nothing that could be read."""


class Verifier:
    """``cunwu verify --json`` in a process of its own, at a lower priority: at 50,000 cases it
    reads every record and the whole journal (seconds of CPU, over a gigabyte at its peak),
    which the app's process must neither hold afterwards nor spend its own time on while the
    screen answers keys. The app's account and environment (``Site.environ``): it is who the app is."""

    def __init__(self) -> None:
        self._child: subprocess.Popen[bytes] | None = None

    def run(self, root: Path, environ: Mapping[str, str]) -> dict[str, Any]:
        self.stop()
        command = [sys.executable, "-X", "utf8", "-I", "-c", VERIFY_CHILD, "--data", str(root), "verify", "--json"]
        try:
            child = self._child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(environ),
            )
        except OSError as exc:
            raise VerifyFailed(f"无法启动核验（{exc.strerror or exc}）") from None
        try:
            out, err = child.communicate()
        finally:
            if self._child is child:
                self._child = None
        try:
            report = orjson.loads(out)
            if not isinstance(report, dict) or not isinstance(report.get("ok"), bool):
                raise ValueError
            return report
        except ValueError:
            said = err.decode("utf-8", "replace").strip().splitlines()
            raise VerifyFailed(said[0] if said else f"核验程序退出（{child.returncode}）") from None

    def stop(self) -> None:
        """End a check still running (the screen closed, or the journal changed again)."""
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()


VERIFY_CHILD = "import os; os.nice(10); from tui.launch import run; run()"
"""What the console script runs, at a lower priority: the child is ``cunwu`` as the person's own
command. Isolated (``-I``): on the shared server the app runs as the service account in the
person's working directory, which ``-c`` would put first on the module path (a ``tui/`` of
theirs would run as the service account), and no ``PYTHON*`` variable or user site is read; UTF-8
mode, as the shared server's launcher runs it."""


def short_name(name: str) -> str:
    """A matter's name without its category: the words in the brackets when there are any."""
    inner = name.partition("（")[2].rpartition("）")[0]
    return inner or name


def opinion_line(o: dict[str, Any], key: str = "") -> str:
    mark = "［本提示］" if key and o["finding"] == key else ""
    return f"{o['date']} {o['by']}（{o['role']}）{KINDS.get(o['kind'], '')}{mark}：{o['text']}"


SUMMARY_COLUMNS = [
    ("村", 8),
    ("期间", 4),
    ("三会一课", 8),
    ("公示按时", 8),
    ("超期", 4),
    ("红", 4),
    ("黄", 4),
    ("整改未销", 8),
    ("受理", 4),
    ("在办", 4),
]
"""The 乡镇汇总's village table at 80 columns: 三会一课 已开/应开, 公示 按时/张贴, steps overdue
(未办), findings, 整改 未销号（逾期）, cases opened and open; x exports every figure."""
WORD, EXCEL = "Word 文书（横向 A4）", "Excel 表格（.xlsx）"


def summary_cells(row: VillageFigures, village: str, period: str) -> list[str]:
    c = row.counts
    return [
        village,
        period,
        f"{c['meetings_held']}/{c['meetings_due']}",
        f"{c['notices_on_time']}/{c['notices_posted']}",
        str(c["steps_late_open"]),
        str(c["findings_red"]),
        str(c["findings_amber"]),
        f"{c['fixes_open']}（{c['fixes_overdue']}）" if c["fixes_overdue"] else str(c["fixes_open"]),
        str(c["cases_opened"]),
        str(c["cases_open"]),
    ]


def summary_lines(now: VillageFigures, then: VillageFigures) -> list[str]:
    """Two lines for the strip below the table: what the columns leave out, now (then)."""

    def pair(key: str) -> str:
        return f"{now.counts[key]}（{then.counts[key]}）"

    return [
        clip(
            f"其他定期工作 {now.counts['duties_done']}/{now.counts['duties_due']}，公示期满 "
            f"{now.counts['notices_full']}/{now.counts['notices_ended']}，超期办结 {pair('steps_late_done')}，"
            f"整改新增 {pair('fixes_new')} 销号 {pair('fixes_closed')}",
            78,
        ),
        clip(
            f"办结 {pair('cases_done')}，终止撤回 {pair('cases_stopped')}，意见 {pair('opinions')}，"
            f"签字 {pair('countersigns')}（括号内为上期）",
            78,
        ),
    ]


class SupervisionScreen(BaseScreen):
    COMMANDS_KEY = "supervision"
    BINDINGS = bindings_for("supervision")

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.findings: list[Finding] = []
        self.fixes: dict[str, dict[str, str]] = {}
        """The 整改事项 by the key of the finding they came from."""
        self.waiting: list[Waiting] = []
        self.summary: Summary | None = None
        """The 乡镇汇总 of the period filtered (``store.summary``), made when its list is shown."""
        self.closed_count = 0
        """Findings of the filters not listed because their 整改 is 销号 or waived (各村汇总 counts them)."""
        self.summary_asked: object = None
        """The period and village the summary being made is for."""
        self.verified: object = None
        """The journal signature last verified (verification runs again when it changes)."""
        self.verifier = Verifier()
        self.pages: Pager[tuple[str, Sequence[str]]] = Pager(operator.itemgetter(0), lambda row: row)
        """The findings, a page at a time (``tui.tables.Pager``)."""
        self.verify_text = ""
        """What the last journal check found (empty while the first one runs)."""
        self.verify_ok = False
        """The last journal check passed (the line is shown as a problem otherwise)."""
        self.settings_changes: list[AdminChange] = []
        """Every journaled change of the settings, as the last verification read them."""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(literal("日志核验中…"), id="verify", classes="hint")
        yield Static(id="villages")
        villages = [(Text("全部村"), ALL), *[(Text(v), v) for v in self.site.villages]]
        with Horizontal(id="sv-filters"):
            yield Dropdown(villages, allow_blank=False, value=ALL, id="sv-village")
            yield text_input(placeholder="事项编号或名称", id="sv-matter")
            # The form to type, with this year's dates (the report and the summary's period when
            # nothing is typed: 1 January to today); not a fixed year that looks like a filter.
            yield text_input(placeholder=f"起 {self.today.year}-01-01", id="sv-start")
            yield text_input(placeholder=f"止 {self.today.isoformat()}", id="sv-end")
        yield Static(id="sv-section", classes="section")
        with ContentSwitcher(initial="sv-findings", id="sv-lists"):
            findings: DataTable[object] = DataTable(cursor_type="row", id="sv-findings")
            columns(findings, [("程度", 12), ("村", 8), ("事项", 10), ("编号", 10), ("风险点", 14), ("起始日期", 10)])
            yield findings
            waiting: DataTable[object] = DataTable(cursor_type="row", id="sv-waiting")
            columns(waiting, [("村", 8), ("编号", 10), ("事项", 12), ("事由", 14), ("步骤", 8), ("签字", 10)])
            yield waiting
            summary: DataTable[object] = DataTable(cursor_type="row", id="sv-summary")
            columns(summary, SUMMARY_COLUMNS)
            yield summary
        yield Static(id="sv-detail")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = "监督"
        self.refresh_data()
        self.query_one("#sv-findings", DataTable).focus()

    @property
    def table(self) -> DataTable[object]:
        shown = self.query_one(ContentSwitcher).current or "sv-findings"
        return self.query_one(f"#{shown}", DataTable)

    @property
    def showing_findings(self) -> bool:
        return self.query_one(ContentSwitcher).current == "sv-findings"

    @property
    def showing_summary(self) -> bool:
        return self.query_one(ContentSwitcher).current == "sv-summary"

    # ---- the journal, in a worker thread

    def start_verify(self, force: bool = False) -> None:
        sig = signature(self.site.store.journal.path)
        if force or sig != self.verified:
            self.verified = sig
            self.query_one("#verify", Static).update(literal("日志核验中…"))
            self.verify_journal()

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def verify_journal(self) -> tuple[str, bool, list[AdminChange]]:
        """The journal check's one line (with where the clock went back), whether it passed,
        and the admin changes."""
        try:
            report = self.verifier.run(self.site.root, self.site.environ)
        except VerifyFailed as exc:
            return f"日志核验未完成：{exc}", False, []
        changes = [AdminChange(**{k: c[k] for k in CHANGE_FIELDS}) for c in report["changes"]]
        clock = f"；时间倒退 {len(report['clock'])} 处" if report["clock"] else ""
        if report["interrupted"]:
            clock += f"；保存中断 {len(report['interrupted'])} 处"
        if report["ok"]:
            return f"日志核验通过：{report['entries']} 条，链头 {str(report['head'])[:8]}…{clock}", True, changes
        return f"日志核验未通过：{report['problems'][0]}{clock}", False, changes

    def on_unmount(self) -> None:
        self.verifier.stop()

    def settings_in_period(self) -> list[AdminChange]:
        """The settings changes (staff, roles, villages, time limits) in the period filtered."""
        start, end = self.filters.start, self.filters.end
        return [
            c
            for c in self.settings_changes
            if (start is None or c.ts[:10] >= start.isoformat()) and (end is None or c.ts[:10] <= end.isoformat())
        ]

    @on(Worker.StateChanged)
    def verify_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "verify":
            return
        if event.state is WorkerState.SUCCESS and event.worker.result is not None:
            self.verify_text, self.verify_ok, self.settings_changes = event.worker.result
        elif event.state is WorkerState.ERROR:
            self.verify_text, self.verify_ok = f"日志核验未完成：{event.worker.error}", False
        else:
            return
        self.show_verify()

    def show_verify(self) -> None:
        """The journal check's result, and how many settings changes fall in the period."""
        changed = len(self.settings_in_period())
        text = self.verify_text + (f"；本期设置变更和恢复 {changed} 次（w 查看）" if changed else "")
        line = self.query_one("#verify", Static)
        line.update(literal(text))
        line.set_class(not self.verify_ok, "-bad")

    # ---- reading and showing

    def refresh_data(self) -> None:
        self.start_verify()
        if self.verify_text:
            self.show_verify()
        f = self.filters
        found = self.cunwu.attempt(lambda: self.site.risks(self.today, start=f.start, end=f.end)) or []
        if f.matters is not None:
            found = [x for x in found if x.matter_id in f.matters]
        # From the overviews: reading every record of every village here undid issue 19's 监督 at 50k.
        self.fixes = self.cunwu.attempt(self.site.finding_fixes) or {}
        # A finding whose 整改 is 销号 (or found not needed by the 乡镇) leaves the list.
        listed: list[Finding] = []
        self.closed_count = 0
        for x in found:  # one pass (10,000 findings at 10,000 cases)
            if self.fixes.get(x.key, {}).get("state") not in (CLOSED, WAIVED):
                listed.append(x)
            elif not f.village or x.village == f.village:
                self.closed_count += 1
        found = listed
        self.show_villages(found)
        self.findings = [x for x in found if not f.village or x.village == f.village]
        self.waiting = self.read_waiting()
        self.fill_findings()
        self.fill_waiting()
        if self.showing_summary:
            self.fill_summary()
        self.show_section()
        self.show_detail()

    def summary_period(self) -> tuple[dt.date, dt.date]:
        """The period filtered; unfilled, from 1 January to today (as the report's export)."""
        return self.filters.start or dt.date(self.today.year, 1, 1), self.filters.end or self.today

    def fill_summary(self) -> None:
        """The 乡镇汇总's village table (``store.summary``): each village's figures, the period
        before on the row below; the village filter narrows it, the matter filter does not. Made in
        a worker thread (it reads every case of the villages: seconds at 50,000 cases)."""
        from store.summary import summarise

        start, end = self.summary_period()
        village = self.filters.village or None
        asked = self.summary_asked = (start, end, village)
        self.summary = None
        refill(self.query_one("#sv-summary", DataTable), [])
        app, today = self.cunwu, self.today

        def make() -> None:
            try:
                found = summarise(app.site.for_thread(), start, end, today, village)
            except StoreError as exc:
                app.call_from_thread(self.summary_failed, asked, refusals.message(exc))
            else:
                app.call_from_thread(self.show_summary, asked, found)

        self.run_worker(make, thread=True, exclusive=True, group="summary", exit_on_error=False)

    def summary_failed(self, asked: object, message: str) -> None:
        if asked == self.summary_asked:
            self.query_one("#sv-detail", Static).update(literal(f"各村汇总未能完成：{message}"))

    def show_summary(self, asked: object, found: Summary) -> None:
        """The summary made by ``fill_summary`` (one asked for before a filter changed is dropped)."""
        if asked != self.summary_asked:
            return
        self.summary = found
        rows: list[tuple[str, Sequence[str]]] = []
        for now, then in zip(found.current, found.before, strict=True):
            rows.append((f"{now.village}|now", summary_cells(now, now.village, "本期")))
            rows.append((f"{now.village}|before", summary_cells(then, "", "上期")))
        refill(self.query_one("#sv-summary", DataTable), rows)
        if self.showing_summary:
            self.show_detail()

    def selected_summary(self) -> tuple[VillageFigures, VillageFigures] | None:
        table = self.query_one("#sv-summary", DataTable)
        if self.summary is None or not self.summary.current:
            return None
        index = min(table.cursor_row // 2, len(self.summary.current) - 1)
        return self.summary.current[index], self.summary.before[index]

    def read_waiting(self) -> list[Waiting]:
        """The open cases at a 公示 step not posted yet (``store.countersign``, what the login
        digest counts as 待签 too)."""
        village, matters = self.filters.village or None, self.filters.matters
        return self.cunwu.attempt(lambda: waiting(self.site, self.today, village, matters)) or []

    def show_villages(self, found: list[Finding]) -> None:
        rows = []
        for order, name in enumerate(self.site.villages):
            worst, red, amber = village_status(x for x in found if x.village == name)
            rank = {Severity.RED: 0, Severity.AMBER: 1, None: 2}[worst]
            rows.append((rank, order, name, worst, red, amber))
        line = Text()
        for _, _, name, worst, red, amber in sorted(rows):
            word, style = STATUS_WORDS[worst], STATUS_STYLE[worst]
            line.append(f"{name}", style="bold")
            line.append(f"【{word}】", style=style)
            line.append(f"红 {red} / 黄 {amber}" if worst else "无提示")
            line.append("　")
        self.query_one("#villages", Static).update(line)

    def fill_findings(self) -> None:
        rows = [
            (
                self.severity_cell(x),
                x.village,
                short_name(x.matter),
                short_number(x.target, x.village) or "—",
                x.title,
                x.since.isoformat(),
            )
            for x in self.findings
        ]
        keys = unique(f"{x.village}|{x.target}|{x.title}|{x.since}" for x in self.findings)
        self.pages.fill(self.query_one("#sv-findings", DataTable), list(zip(keys, rows, strict=True)))

    def severity_cell(self, f: Finding) -> str:
        """红（违规）, or with its 整改 in words (not by colour alone): 红·整改逾期, 红·整改中, 红·待销号."""
        fix = self.fixes.get(f.key)
        if fix is None:
            return SEVERITY_WORDS[f.severity]
        word = "整改逾期" if overdue(fix, self.today) else {OPEN: "整改中", DONE: "待销号"}.get(fix["state"], "")
        return f"{SEVERITY_WORDS[f.severity][0]}·{word}" if word else SEVERITY_WORDS[f.severity]

    def fill_waiting(self) -> None:
        rows = [
            (
                w.case.number,
                (
                    w.case.village,
                    short_number(w.case.number, w.case.village),
                    short_name(w.matter),
                    w.case.subject,
                    w.step.title,
                    w.sign_state,
                ),
            )
            for w in self.waiting
        ]
        refill(self.query_one("#sv-waiting", DataTable), rows)

    def show_section(self) -> None:
        shown = self.query_one(ContentSwitcher).current
        names = {
            "sv-findings": f"风险提示 {len(self.findings)} 条"
            + (f"（另 {self.closed_count} 条已整改销号）" if self.closed_count else ""),
            "sv-waiting": f"待张贴公示 {len(self.waiting)} 件",
            "sv-summary": "各村汇总",
        }
        text = " ".join(f"【{name}】" if key == shown else name for key, name in names.items())
        where = "、".join(
            p
            for p in (
                self.filters.village,
                "所选事项" if self.filters.matters is not None and not self.showing_summary else "",
                self.period_text(),
            )
            if p
        )
        self.query_one("#sv-section", Static).update(literal(clip(f"{text} 范围：{where or '全部'}（t 切换）", 78)))

    def period_text(self) -> str:
        start, end = self.filters.start, self.filters.end
        if start is None and end is None:
            return ""
        return f"{start.isoformat() if start else '…'}至{end.isoformat() if end else '…'}"

    def selected_finding(self) -> Finding | None:
        table = self.query_one("#sv-findings", DataTable)
        if self.findings and table.cursor_row < len(self.findings):
            return self.findings[table.cursor_row]
        return None

    def selected_waiting(self) -> Waiting | None:
        table = self.query_one("#sv-waiting", DataTable)
        if self.waiting and table.cursor_row < len(self.waiting):
            return self.waiting[table.cursor_row]
        return None

    def opinions_on(self, village: str, target: str, finding: str = "") -> list[dict[str, Any]]:
        """Opinions on a case or record, or (a finding without one) on the finding itself: filed
        in its village (an opinion is filed in its record's village, or the finding's)."""
        if not target and not finding:
            return []
        return self.cunwu.attempt(lambda: self.site.opinions.find(village, target or None, finding or None)) or []

    def show_detail(self) -> None:
        if self.showing_summary:
            self.query_one("#sv-detail", Static).update(literal(self.summary_detail()))
            return
        if self.showing_findings:
            f = self.selected_finding()
            if f is None:
                text = "没有符合条件的风险提示。" + ("（各村均为绿）" if not self.filters.village else "")
            else:
                index = self.findings.index(f) + 1
                where = "·".join(p for p in (short_name(f.matter), f.step) if p)
                head = f"（{index}/{len(self.findings)}）{SEVERITY_WORDS[f.severity]}{f.title}｜{f.target or f.village}｜{where}"
                # One line each for the head and the opinions, so only the finding's text may be cut (v shows it all).
                second = self.fix_summary(f) + self.opinion_summary(f)
                text = "\n".join((clip(head, 78), clip(second, 78), f.text))
        else:
            w = self.selected_waiting()
            if w is None:
                text = "没有待张贴的公示。"
            else:
                index = self.waiting.index(w) + 1
                signed = "；".join(f"{o['by']}（{o['date']}）{o['text']}" for o in w.signed) or "尚无签字"
                text = "\n".join(
                    (
                        clip(
                            f"（{index}/{len(self.waiting)}）{w.case.number}｜{short_name(w.matter)}｜{w.step.title}",
                            78,
                        ),
                        clip(f"事由：{w.case.subject}", 78),
                        (
                            f"公示 {w.notice}，计划 {w.posted_on} 张贴（回车看公示内容）；签字：{signed}（F6/d 签字）"
                            if w.notice
                            else "公示内容尚未登记，无从审核：村干部登记公示内容和计划张贴日期后，在此签字"
                        ),
                    )
                )
        self.query_one("#sv-detail", Static).update(literal(text))

    def summary_detail(self) -> str:
        """The highlighted village's figures in words, this period beside the one before."""
        picked = self.selected_summary()
        if self.summary is None:
            return "各村汇总计算中…"
        if picked is None:
            return "没有可汇总的村。"
        now, then = picked
        s = self.summary
        head = f"{now.village} 本期 {s.period.start}至{s.period.end}，上期 {s.previous.start}至{s.previous.end}"
        return "\n".join(
            (
                clip(head, 78),
                *summary_lines(now, then),
                "回车看全部数字；x 导出乡镇汇总（Word 或 Excel，含计法和风险提示明细）",
            )
        )

    def fix_summary(self, f: Finding) -> str:
        """【整改逾期】ZG0001 整改中，期限 12-10； — the 整改 of a finding, overdue first (not by colour alone)."""
        fix = self.fixes.get(f.key)
        if fix is None:
            return ""
        late = "【整改逾期】" if overdue(fix, self.today) else "整改 "
        return f"{late}{fix['number']} {STATES[fix['state']]}，期限 {fix['deadline']}；"

    def action_rectify(self) -> None:
        """A 整改事项 from the highlighted finding: the measure, who is responsible and by when."""
        f = self.selected_finding() if self.showing_findings else None
        if f is None:
            self.notify("请在风险提示列表中选择要整改的提示", markup=False)
            return
        fix = self.fixes.get(f.key)
        if fix is not None and fix["state"] in (OPEN, DONE):
            self.notify(f"这条提示已登记整改事项 {fix['number']}（{STATES[fix['state']]}）", markup=False)
            return
        if not self.may(RECTIFY_NEW, f.village):
            return
        asked: dict[str, str] = {}

        def ask_deadline(typed: str) -> None:
            self.app.push_screen(TextDialog("整改期限", "整改期限（如 2026-12-31）：", typed), save)

        def save(deadline: str | None) -> None:
            if not deadline:
                return
            fields = {
                "source": "finding",
                "source_key": f.key,
                "target": f.target,
                "problem": f"{f.title}：{f.text}"[:500],
                "measure": asked["measure"],
                "responsible": asked["responsible"],
                "deadline": deadline,
            }
            saved = self.cunwu.attempt(
                lambda: self.site.rectifications.new(self.site.operator, self.cunwu.now, f.village, fields)
            )
            if saved is None:  # refused (the notice says why): ask again with what was typed
                ask_deadline(deadline)
                return
            self.notify(f"已登记整改事项 {saved['number']}，期限 {saved['deadline']}", markup=False)
            self.refresh_data()

        def then_deadline(responsible: str | None) -> None:
            if responsible:
                asked["responsible"] = responsible
                ask_deadline((self.today + dt.timedelta(days=30)).isoformat())

        def then_responsible(measure: str | None) -> None:
            if measure:
                asked["measure"] = measure
                self.app.push_screen(TextDialog("责任人", "整改责任人姓名："), then_deadline)

        self.app.push_screen(
            TextDialog("整改措施", f"对“{f.title}”（{f.target or f.village}）的整改措施："), then_responsible
        )

    def opinion_summary(self, f: Finding) -> str:
        found = self.opinions_on(f.village, f.target, "" if f.target else f.key)
        if not found:
            return "审核意见：暂无（F7/n 填写）" + ("" if self.fixes.get(f.key) else "；整改：未登记（k 登记）")
        own = sum(1 for o in found if o["finding"] == f.key)
        latest = found[-1]
        return f"审核意见：本提示 {own} 条，共 {len(found)} 条；最近 {latest['by']}：{latest['text']}"

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        if self.showing_findings:
            self.pages.more(self.query_one("#sv-findings", DataTable))
        self.show_detail()

    # ---- filters

    @on(Select.Changed, "#sv-village")
    def village_changed(self, event: Select.Changed) -> None:
        village = "" if event.value == ALL else str(event.value)
        if village != self.filters.village:
            self.filters = replace(self.filters, village=village)
            self.refresh_data()

    @on(Input.Submitted, "#sv-matter, #sv-start, #sv-end")
    def typed_filter(self) -> None:
        try:
            filters = replace(
                self.filters,
                matters=self.matters_for(self.query_one("#sv-matter", Input).value),
                start=self.day_in("#sv-start", "起始日期"),
                end=self.day_in("#sv-end", "截止日期"),
            )
            if filters.start and filters.end and filters.start > filters.end:
                raise BadInput(f"起始日期 {filters.start} 晚于截止日期 {filters.end}")
        except BadInput as exc:
            self.notify(str(exc), title="筛选未改变", severity="warning", markup=False)
            return
        self.filters = filters
        self.refresh_data()

    def day_in(self, selector: str, what: str) -> dt.date | None:
        text = self.query_one(selector, Input).value.strip()
        return parse_date(text, what) if text else None

    def matters_for(self, text: str) -> frozenset[str] | None:
        query = text.strip()
        if not query:
            return None
        catalog = self.site.catalog
        if query in {m.id for m in catalog.matters}:
            return frozenset({query})
        found = search(catalog, query)
        if not found:
            raise BadInput(f"没有找到事项“{query}”：请输入事项编号（如 dibao）、名称或拼音首字母")
        return frozenset(m.id for m in found)

    def action_focus_filter(self) -> None:
        self.query_one("#sv-village", Select).focus()

    # ---- keys

    def action_switch(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        order = ["sv-findings", "sv-waiting", "sv-summary"]
        switcher.current = order[(order.index(switcher.current or order[0]) + 1) % len(order)]
        if self.showing_summary:
            self.fill_summary()
        self.table.focus()
        self.show_section()
        self.show_detail()

    def action_refresh(self) -> None:
        self.start_verify(force=True)
        self.refresh_data()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if self.showing_summary:
            self.action_detail()
            return
        if not self.showing_findings:
            w = self.selected_waiting()
            if w is not None and w.notice:
                self.cunwu.open_record(w.notice)  # the text to read before signing
            elif w is not None:
                self.cunwu.open_case(w.case.number)
            return
        f = self.selected_finding()
        if f is None:
            return
        if f.case:
            self.cunwu.open_case(f.case)
        elif f.record:
            self.cunwu.open_record(f.record)
        elif f.matter_id:
            self.cunwu.open_matter(f.matter_id)

    def action_detail(self) -> None:
        if self.showing_summary:
            from store.summary import FIGURES

            picked = self.selected_summary()
            if picked is not None and self.summary is not None:
                now, then = picked
                lines = [f"本期：{self.summary.period.text()}；上期：{self.summary.previous.text()}", ""]
                lines += [f"{f.header}：本期 {now.counts[f.key]}，上期 {then.counts[f.key]}" for f in FIGURES]
                self.app.push_screen(ReadDialog(f"{now.village}各项数字", "\n".join(lines)))
            return
        if self.showing_findings:
            f = self.selected_finding()
            if f is None:
                return
            lines = [
                f"{SEVERITY_WORDS[f.severity]}  {f.title}（自 {f.since.isoformat()}{'，仍存在' if f.ongoing else ''}）",
                f"村：{f.village}",
            ]
            lines += [f"事项：{f.matter}"] if f.matter else []
            lines += [f"步骤：{f.step}"] if f.step else []
            lines += [f"办件：{f.case}"] if f.case else []
            lines += [f"记录：{f.record}"] if f.record else []
            lines += ["", f.text, ""]
            fix = self.fixes.get(f.key)
            if fix is not None:
                late = "，已逾期" if overdue(fix, self.today) else ""
                lines += [f"整改事项：{fix['number']}（{STATES[fix['state']]}{late}），期限 {fix['deadline']}", ""]
            else:
                lines += ["整改事项：未登记（k 登记）", ""]
            found = self.opinions_on(f.village, f.target, "" if f.target else f.key)
            lines.append(f"审核意见和签字（{len(found)} 条）：" if found else "审核意见和签字：暂无")
            lines += [opinion_line(o, f.key) for o in found]
            self.app.push_screen(ReadDialog(f"风险提示：{f.title}", "\n".join(lines)))
            return
        w = self.selected_waiting()
        if w is not None:
            found = self.opinions_on(w.case.village, w.case.number)
            lines = [f"{w.matter}｜{w.step.title}", f"事由：{w.case.subject}", ""]
            lines.append(f"审核意见和签字（{len(found)} 条）：" if found else "审核意见和签字：暂无")
            lines += [opinion_line(o) for o in found]
            self.app.push_screen(ReadDialog(f"待张贴公示 {w.case.number}", "\n".join(lines)))

    def action_settings_log(self) -> None:
        """Who changed the settings in the period: a role granted and taken back shows twice."""
        found = self.settings_in_period()
        where = self.period_text() or "全部时间"
        if not found:
            self.app.push_screen(ReadDialog("设置变更和恢复", f"{where}：没有设置变更，也没有从备份恢复。"))
            return
        lines = [f"{where}：共 {len(found)} 次（人员、角色、村名单、时限、监督电话；从备份恢复）", ""]
        for c in found:
            lines.append(f"{c.ts[:16].replace('T', ' ')}  [{c.kind}] {c.who}")
            lines += [f"    {line}" for line in c.changes]
        self.app.push_screen(ReadDialog("设置变更和恢复", "\n".join(lines)))

    def action_export(self) -> None:
        """From the 各村汇总 list, the 乡镇汇总 (Word or Excel); else the 监督检查报告 of the village
        and period filtered (Word); written in a worker."""
        start, end = self.summary_period()
        if self.showing_summary:
            self.app.push_screen(
                ChoiceDialog(
                    "导出乡镇汇总", [WORD, EXCEL], f"期间 {start} 至 {end}，{self.filters.village or '全部村'}"
                ),
                lambda chosen: self.export_summary(start, end, chosen == EXCEL) if chosen else None,
            )
            return
        if self.filters.village:
            self.export(self.filters.village, start, end)
        else:
            choose_village(self, lambda village: self.export(village, start, end))

    def export(self, village: str, start: dt.date, end: dt.date) -> None:
        from tui.screens.exporting import in_background

        today = self.today

        def make(site: Site) -> Path:
            from exports.documents import export_supervision

            return export_supervision(site, village, start, end, today)

        in_background(self, f"{village} {start}至{end}的监督检查报告", make)

    def export_summary(self, start: dt.date, end: dt.date, xlsx: bool) -> None:
        from tui.screens.exporting import in_background

        today, village = self.today, self.filters.village or None

        def make(site: Site) -> Path:
            from exports.documents import export_summary

            return export_summary(site, start, end, today, village=village, xlsx=xlsx)

        what = "Excel 表格" if xlsx else "Word 文书"
        in_background(self, f"{village or '全部村'} {start}至{end}的乡镇汇总（{what}）", make)

    def may_supervise(self) -> bool:
        """True for 监委会 and 乡镇 accounts; others are shown the store's own refusal."""
        return self.may(ACTION)

    def action_opinion(self) -> None:
        if self.showing_summary:
            self.notify("审核意见针对风险提示或办件：请按 t 切换到风险提示或待张贴公示列表再填写", markup=False)
            return
        if self.showing_findings:
            f = self.selected_finding()
            if f is None:
                return
            target, key, village = f.target, f.key, f.village
            about = f"“{f.title}”（{f.target or f.village + '·' + short_name(f.matter)}）"
        else:
            w = self.selected_waiting()
            if w is None:
                return
            target, key, village, about = w.case.number, "", w.case.village, f"办件 {w.case.number}"
        if not self.may_supervise():
            return

        def save(text: str | None) -> None:
            if not text:
                return
            saved = self.cunwu.attempt(
                lambda: self.site.opinions.add(
                    self.site.operator, self.cunwu.now, target, text, finding=key, village=village
                )
            )
            if saved is not None:
                self.notify(f"已保存审核意见 {saved['number']}", markup=False)
                self.refresh_data()

        self.app.push_screen(TextDialog("审核意见", f"对{about}的审核意见："), save)

    def action_countersign(self) -> None:
        if self.query_one(ContentSwitcher).current != "sv-waiting":
            self.query_one(ContentSwitcher).current = "sv-waiting"
            self.table.focus()
            self.show_section()
            self.show_detail()
            self.notify("请在待张贴公示列表中选择办件，再按 F6/d 签字", markup=False)
            return
        w = self.selected_waiting()
        if w is None:
            self.notify("没有待张贴的公示", markup=False)
            return
        if not self.may_supervise():
            return
        number = w.case.number

        def sign(text: str) -> None:
            saved = self.cunwu.attempt(
                lambda: self.site.opinions.countersign(self.site.operator, self.cunwu.now, number, text)
            )
            if saved is not None:
                self.notify(f"已签字：{number}（{saved['number']}）", markup=False)
            self.refresh_data()

        def written(text: str | None) -> None:
            if text:
                sign(text)

        def write() -> None:
            self.app.push_screen(
                TextDialog(
                    "公示签字", f"对办件 {number}（{w.step.title}）的公示签字。签字意见（回车签字）：", "同意公示"
                ),
                written,
            )

        confirm(
            self,
            f"对办件 {number} 的公示签字？",
            f"{w.step.title}｜事由：{w.case.subject}\n选“签字”后填写签字意见（默认“同意公示”），回车即签字。",
            "签字",
            write,
            cannot_undo="签字以本账号的名义记入日志，不能撤回或修改；公示张贴后不能再签。",
        )
