"""登记公示 (for a case's notice step, with the first allowed end shown) and 登记异议 (on a running notice).

ID numbers are never shown whole: when a notice is posted again (a typo), its stored
entries come back masked, and a masked number left unchanged is saved as the original.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from procedures import idnumber
from procedures.model import Produces, TimerKind
from procedures.periods import format_date, period_end, period_line
from store.cases import Case
from store.errors import BadInput, StoreError
from store.notices import masked
from store.records import parse_date
from tui.commands import bindings_for
from tui.screens.base import literal
from tui.screens.record_common import FormScreen, field, lines, text_area, text_input
from tui.widgets import Dropdown, Panel

_ID = re.compile(r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])[0-9０-９]{17}[0-9Xx０-９Ｘｘ](?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])")


def unmasking(numbers: list[str]) -> dict[str, str]:
    """Masked form → the number as stored, for numbers whose masked form is unambiguous."""
    found: dict[str, set[str]] = {}
    for number in numbers:
        found.setdefault(idnumber.mask(number), set()).add(number)
    return {m: next(iter(n)) for m, n in found.items() if len(n) == 1}


def mask_text(text: str) -> str:
    """``text`` with every ID-shaped number masked and nothing else changed (unlike a whole-text NFKC)."""
    shown = _ID.sub(lambda m: idnumber.mask(m.group(0)), text)
    if idnumber.mask_in_text(shown) != unicodedata.normalize("NFKC", shown):
        return idnumber.mask_in_text(text)  # a number in a form only NFKC reveals: mask the store's way
    return shown


def unmask_text(text: str, whole: dict[str, str]) -> str:
    for shown, number in whole.items():
        text = text.replace(shown, number)
    return text


def entry_rows(text: str, whole: dict[str, str]) -> list[dict[str, str]]:
    """``姓名,身份证号,人数,金额[,备注]`` lines (Chinese commas too) as the store's entries."""
    rows = []
    for line in lines(text):
        parts = [p.strip() for p in re.split(r"[,，]", line, maxsplit=4)]
        parts += [""] * (5 - len(parts))
        id_text = parts[1]
        if "*" in id_text:
            if id_text not in whole:
                raise BadInput(f"公示名单“{parts[0]}”的身份证号已遮蔽，请重新填写完整号码")
            id_text = whole[id_text]
        rows.append(
            dict(
                zip(("name", "id_number", "household", "amount", "note"), [parts[0], id_text, *parts[2:]], strict=True)
            )
        )
    return rows


def entry_line(entry: dict[str, Any]) -> str:
    parts = [entry["name"], entry["id_number"], entry["household"], entry["amount"]]
    if entry.get("note"):
        parts.append(entry["note"])
    return ",".join(parts)


class NoticeFormScreen(FormScreen):
    """The notice posted for a case's current (notice) step; dismisses with the notice number."""

    BINDINGS = bindings_for("form")

    def __init__(self, case_number: str):
        super().__init__()
        self.case_number = case_number
        self.case: Case | None = None
        self.existing: dict[str, Any] | None = None
        self.whole: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        self.case = self.cunwu.attempt(lambda: self.site.cases.get(self.case_number))
        record = self.case.record if self.case else {}
        current = record.get("progress", {}).get("notice", "")
        if current:
            self.existing = self.cunwu.attempt(lambda: self.site.notices.get(current))
        shown = masked(self.existing) if self.existing else None
        if self.existing and shown:
            ids = [e["id_number"] for e in self.existing["entries"] if e["id_number"]]
            ids += _ID.findall(self.existing["content"] + "\n" + self.existing["title"])
            self.whole = unmasking(ids)
            shown.update(title=mask_text(self.existing["title"]), content=mask_text(self.existing["content"]))
        title = shown["title"] if shown else f"关于{record.get('subject', '')}的公示"
        yield self.header()
        with Panel(classes="form", id="form"):
            note = f"办件 {self.case_number} 的公示"
            if shown:
                note += f"（已登记 {shown['number']}，保存即更正其内容）"
            yield Static(literal(f"{note}：Tab 换栏，F2/Ctrl+S 保存，Esc 取消。"), classes="hint")
            yield field("公示标题", text_input(title, "", "title"))
            yield field("公示内容", text_area(shown["content"] if shown else "", "content"))
            yield field("张贴地点", text_input(shown["place"] if shown else "村务公开栏", "", "place"))
            posted = shown["posted_on"] if shown else self.today.isoformat()
            yield field(
                "张贴日期（先登记、监委会签字后再张贴的，填计划张贴的日子）", text_input(posted, "2026-11-27", "posted")
            )
            entries = "\n".join(entry_line(e) for e in shown["entries"]) if shown else ""
            yield field("公示名单，每行：姓名,身份证号,人数,金额（身份证号可空）", text_area(entries, "entries"))
        yield Static(id="rule")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"登记公示 · {self.case_number}"
        self.query_one("#title", Input).focus()
        self.show_rule()

    def rule_text(self) -> str:
        """The rule of the current step and the first day the notice may end, for the typed date."""
        if self.case is None:
            return "办件无法读取。"
        matter = self.site.catalog.get(self.case.matter_id)
        step = matter.step(self.case.record["current"]) if self.case.record["current"] else None
        if step is None or step.produces is not Produces.NOTICE:
            where = f"“{step.title}”" if step else "已结束"
            return f"办件当前步骤{where}不是公示步骤，不能登记公示。"
        timer = step.timer if step.timer is not None and step.timer.kind is TimerKind.MIN_WAIT else None
        if timer is None:
            return f"{step.title}：本步骤没有最短公示期限。"
        try:
            posted = parse_date(self.value("#posted"), "张贴日期")
        except StoreError as exc:
            return f"规则：{timer.describe()}。{exc}"
        end = period_end(posted, timer.amount, timer.unit, self.site.cal)
        return (
            f"规则：{timer.describe()}（张贴当日不计）。{format_date(posted)}张贴，"
            f"公示期{period_line(posted, timer.amount, timer.unit, end.last_day, end.rolled_from)}，"
            f"{format_date(end.free_from)}起方可结束公示、完成本步{end.caveat()}"
        )

    @on(Input.Changed, "#posted")
    def show_rule(self) -> None:
        self.query_one("#rule", Static).update(literal(self.rule_text()))

    def action_save(self) -> None:
        rev = self.case.rev if self.case else None

        def work() -> str:
            fields = {
                "title": unmask_text(self.value("#title"), self.whole),
                "content": unmask_text(self.value("#content"), self.whole),
                "place": self.value("#place"),
                "posted_on": parse_date(self.value("#posted"), "张贴日期"),
                "entries": entry_rows(self.value("#entries"), self.whole),
            }
            notice = self.site.cases.post_notice(self.site.operator, self.cunwu.now, self.case_number, fields, rev)
            return str(notice["number"])

        self.save_with(work)


RESULTS: dict[str, bool | None] = {"待核实": None, "异议成立": True, "异议不成立": False}


class ObjectionFormScreen(FormScreen):
    """An objection received while a notice stands; dismisses with the notice number."""

    BINDINGS = bindings_for("form")

    def __init__(self, notice_number: str):
        super().__init__()
        self.notice_number = notice_number
        self.notice: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        self.notice = self.cunwu.attempt(lambda: self.site.notices.get(self.notice_number))
        about = f"公示 {self.notice_number}"
        if self.notice:
            about += f"《{masked(self.notice)['title']}》"
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(literal(f"登记{about}收到的异议：F2/Ctrl+S 保存，Esc 取消。"), classes="hint")
            yield field("收到日期", text_input(self.today.isoformat(), "2026-11-27", "received"))
            yield field("异议人", text_input("", "姓名", "from"))
            yield field("异议内容", text_area("", "content"))
            yield field("处理情况", text_area("", "handling"))
            yield field(
                "核实结果",
                Dropdown([(k, k) for k in RESULTS], allow_blank=False, value="待核实", id="upheld"),
            )
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"登记异议 · {self.notice_number}"
        self.query_one("#received", Input).focus()

    def action_save(self) -> None:
        rev = int(self.notice["rev"]) if self.notice else None
        choice = self.query_one("#upheld", Select).value
        upheld = RESULTS.get(choice if isinstance(choice, str) else "待核实")

        def work() -> str:
            received: dt.date = parse_date(self.value("#received"), "异议收到日期")
            saved = self.site.notices.object(
                self.site.operator,
                self.cunwu.now,
                self.notice_number,
                received,
                self.value("#from"),
                self.value("#content"),
                self.value("#handling"),
                upheld,
                rev,
            )
            return str(saved["number"])

        self.save_with(work)


VERDICTS: dict[str, bool] = {"异议成立": True, "异议不成立": False}


class DecisionFormScreen(FormScreen):
    """The 核实结果 and 处理情况 of one objection, decided after it was received; dismisses
    with the notice number."""

    BINDINGS = bindings_for("form")

    def __init__(self, notice_number: str, index: int = 0):
        super().__init__()
        self.notice_number = notice_number
        self.index = index
        """The objection (1-based) selected; 0: the first without a 核实结果."""
        self.notice: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        self.notice = self.cunwu.attempt(lambda: self.site.notices.get(self.notice_number))
        shown: dict[str, Any] = masked(self.notice) if self.notice else {"title": "", "objections": []}
        objections: list[dict[str, Any]] = list(shown["objections"])
        pending = [i for i, o in enumerate(objections, start=1) if o.get("upheld") is None]
        chosen = self.index or (pending[0] if pending else 1)
        options = [(f"第{i}条：{o['from']}，{str(o['content'])[:20]}", i) for i, o in enumerate(objections, start=1)]
        current: dict[str, Any] = objections[chosen - 1] if 0 < chosen <= len(objections) else {}
        verdict = "异议成立" if current.get("upheld") is True else "异议不成立"
        yield self.header()
        with Panel(classes="form", id="form"):
            yield Static(
                literal(f"登记公示 {self.notice_number}《{shown['title']}》异议的核实结果：F2/Ctrl+S 保存，Esc 取消。"),
                classes="hint",
            )
            yield field("异议", Dropdown(options, allow_blank=False, value=chosen, id="objection"))
            yield field(
                "核实结果", Dropdown([(k, k) for k in VERDICTS], allow_blank=False, value=verdict, id="verdict")
            )
            yield field("处理情况", text_area(str(current.get("handling") or ""), "handling"))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"核实结果 · {self.notice_number}"
        self.query_one("#objection", Select).focus()

    def action_save(self) -> None:
        rev = int(self.notice["rev"]) if self.notice else None
        index = self.query_one("#objection", Select).value
        verdict = self.query_one("#verdict", Select).value

        def work() -> str:
            if not isinstance(index, int):
                raise BadInput("请选择要登记核实结果的异议；未做任何改动")
            upheld = VERDICTS[verdict if isinstance(verdict, str) else "异议不成立"]
            saved = self.site.notices.decide(
                self.site.operator, self.cunwu.now, self.notice_number, index, upheld, self.value("#handling"), rev
            )
            return str(saved["number"])

        self.save_with(work)
