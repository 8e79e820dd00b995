"""登记/修改会议记录: attendance, agenda, votes; the quorum arithmetic shown live as counts are typed.

Where the village's roster has people for the meeting's kind on its day (``site.roster.expected``,
looked up again when the kind, the start or 按户代表计 change), attendance is a list of their
names, each marked with one key (出席, 缺席 with its reason, 书面意见 with the opinion, 委托 with
the person present who votes on their behalf); 应到 and 实到 come from the marks. Elsewhere the
counts and the absent are typed, and a line says why."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TextArea

from procedures import roster as roster_rules
from procedures.meetings import PARTY_KINDS, MeetingKind, evaluate, resolution_conflict, rule_for
from procedures.roster import Mark
from store.errors import BadInput, StoreError
from store.meetings import METHODS
from store.records import parse_time
from tui.commands import ROLL, bindings_for
from tui.dialogs import ChoiceDialog, TextDialog
from tui.screens.base import literal
from tui.screens.record_common import FormScreen, Tick, cell, count, field, indexed, lines, text_area, text_input
from tui.widgets import Dropdown, Panel

VOTE_FORMAT = "应为 议题序号 赞成 反对 弃权，如 1 14 9 3；可加 举手/无记名；支部党员大会可再加 书面赞成 书面反对"


def parse_vote(n: int, raw: str) -> tuple[int, dict[str, Any]] | None:
    """Vote line ``n``: ``议题序号 赞成 反对 弃权 [举手|无记名] [书面赞成 书面反对]``; None when blank."""
    parts = re.sub(r"[:,;/、；]", " ", unicodedata.normalize("NFKC", raw)).split()
    if not parts:
        return None
    words = [p for p in parts if not p.isdigit()]
    numbers = [int(p) for p in parts if p.isdigit()]
    if len(words) > 1 or (words and words[0] not in METHODS) or len(numbers) not in (4, 6):
        raise BadInput(f"表决第{n}行“{raw.strip()}”格式不对：{VOTE_FORMAT}")
    vote = {
        "ayes": numbers[1],
        "nays": numbers[2],
        "abstain": numbers[3],
        "method": words[0] if words else "举手",
        "written_ayes": numbers[4] if len(numbers) == 6 else 0,
        "written_nays": numbers[5] if len(numbers) == 6 else 0,
    }
    return numbers[0], vote


def parse_votes(text: str) -> list[tuple[int, dict[str, Any]]]:
    return [v for n, raw in enumerate(text.splitlines(), start=1) if (v := parse_vote(n, raw)) is not None]


def vote_line(index: int, vote: Mapping[str, Any]) -> str:
    line = f"{index} {vote['ayes']} {vote['nays']} {vote['abstain']}"
    if vote.get("method", "举手") != "举手" or vote.get("written_ayes") or vote.get("written_nays"):
        line += f" {vote.get('method', '举手')}"
    if vote.get("written_ayes") or vote.get("written_nays"):
        line += f" {vote['written_ayes']} {vote['written_nays']}"
    return line


def meeting_fields(
    values: Mapping[str, str], by_household: bool, previous: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The form's text as ``store.meetings.build`` fields; speeches of unchanged items are kept."""
    items: list[dict[str, Any]] = []
    for i, title in enumerate(lines(values["items"])):
        old = previous[i] if i < len(previous) and previous[i]["title"] == title else None
        items.append({"title": title, "speeches": list(old["speeches"]) if old else [], "vote": None, "resolution": ""})

    def at(index: int, what: str) -> dict[str, Any]:
        if not 1 <= index <= len(items):
            raise BadInput(f"{what}指向第 {index} 项议题，但只登记了 {len(items)} 项议题")
        return items[index - 1]

    for index, vote in parse_votes(values["votes"]):
        item = at(index, "表决")
        if item["vote"]:
            raise BadInput(f"第 {index} 项议题登记了两次表决")
        item["vote"] = vote
    for index, text in indexed(values["resolutions"], "决议"):
        at(index, "决议")["resolution"] = text
    kind = values["kind"]
    return {
        "kind": kind,
        "title": values["title"],
        "start": values["start"],
        "end": values["end"],
        "place": values["place"],
        "host": values["host"],
        "recorder": values["recorder"],
        "expected": count(values["expected"], "应到人数") or 0,
        "present": count(values["present"], "实到人数") or 0,
        "by_household": by_household and kind == MeetingKind.VILLAGERS.value,
        "absent": lines(values["absent"]),
        "attendees": lines(values["attendees"]),
        "items": items,
    }


def arithmetic(
    kind_value: str,
    by_household: bool,
    expected_text: str,
    present_text: str,
    votes_text: str,
    resolutions_text: str = "",
    *,
    proxies: int = 0,
    written_marked: int | None = None,
) -> str:
    """The quorum and each vote's arithmetic as the form stands, or a plain note of what is
    missing; a resolution whose wording contradicts its vote is named under it. From an
    attendance list: ``proxies`` (委托, counted as votes cast, never for the quorum) and
    ``written_marked`` (the people marked 书面意见, the most written votes there can be)."""
    try:
        kind = MeetingKind(kind_value)
    except ValueError:
        return "请先选择会议类别。"
    rule = rule_for(kind, by_household)
    try:
        expected = count(expected_text, "应到人数")
        present = count(present_text, "实到人数")
    except BadInput as exc:
        return str(exc)
    if expected is None or present is None:
        return "填写应到、实到人数后，这里显示法定人数和表决结果的计算。"
    if expected == 0:
        return "应到人数不能为 0。"
    if present + proxies > expected:
        return f"实到 {present} 人多于应到 {expected} 人，请核对。"
    try:
        resolutions = dict(indexed(resolutions_text, "决议"))
    except BadInput:
        resolutions = {}  # said when saving; the arithmetic stands without it
    out = []
    if rule.quorum is None:
        out.append(f"{kind.value}不设法定人数；赞成超过实到人数的半数为通过。")
    elif rule.quorum.met(present, expected, present):
        out.append(f"法定人数：{rule.quorum.arithmetic('实到', present, expected, present)} → 已达到")
    else:
        out.append(f"法定人数：{rule.quorum.arithmetic('实到', present, expected, present)} → 未达到法定人数，不能表决")
    for n, raw in enumerate(votes_text.splitlines(), start=1):
        try:
            parsed = parse_vote(n, raw)
        except BadInput as exc:
            out.append(str(exc))
            continue
        if parsed is None:
            continue
        index, vote = parsed
        written = vote["written_ayes"] + vote["written_nays"]
        cast = vote["ayes"] + vote["nays"] + vote["abstain"]
        if written and not rule.written_opinions_count:
            out.append(f"议题{index}：{kind.value}不计书面意见票（只有支部党员大会计入）")
        elif written > expected - present - proxies:
            out.append(f"议题{index}：书面意见 {written} 票多于缺席人数 {expected - present - proxies}")
        elif written_marked is not None and written > written_marked:
            out.append(f"议题{index}：书面意见 {written} 票多于登记为“书面意见”的 {written_marked} 人")
        elif cast > present + proxies:
            by = f"实到 {present} 人" + (f"加委托 {proxies} 人" if proxies else "")
            out.append(f"议题{index}：赞成、反对、弃权共 {cast} 票，多于{by}")
        else:
            try:
                result = evaluate(
                    rule,
                    expected,
                    present,
                    vote["ayes"] + vote["written_ayes"],
                    vote["nays"] + vote["written_nays"],
                    vote["abstain"],
                    proxies,
                )
            except ValueError as exc:
                out.append(f"议题{index}：{exc}")
            else:
                text = result.arithmetic
                if written:
                    text = text.replace("赞成", f"赞成（含书面意见 {vote['written_ayes']}）", 1)
                out.append(f"议题{index}：{text}")
                if resolution_conflict(index, resolutions.get(index, ""), result.passed):
                    wrong = "同意/通过" if not result.passed else "不同意/未通过"
                    out.append(f"  [与决议不符] 议题{index}{'已' if result.passed else '未'}通过，决议不能写{wrong}")
    return "\n".join(out)


UNMARKED = "未登记"
ROLL_ROWS = 10
"""The attendance list shows up to this many names at once at 80×24 (it scrolls for the rest)."""
ASKED = {Mark.ABSENT: "缺席原因", Mark.WRITTEN: "书面意见"}
"""The marks that ask for their note, and what the note is."""


def roll_summary(roll: Sequence[Mapping[str, Any]]) -> str:
    """One line of what the marks add up to so far."""
    t = roster_rules.tally(roll)
    written = len(t.written)
    absent = len(t.absent) - t.proxies
    parts = [f"应到 {t.expected} 人", f"实到 {t.present} 人"]
    parts += [f"委托 {t.proxies} 人"] if t.proxies else []
    parts += [f"缺席 {absent} 人"] if absent else []
    parts += [f"书面意见 {written} 人"] if written else []
    parts += [f"未登记 {len(t.unmarked)} 人"] if t.unmarked else []
    return "出席登记：" + "，".join(parts)


class RollTable(DataTable[object]):
    """The attendance list: one row per person expected; its own keys mark the highlighted one
    (the digits type into the form's other fields)."""

    BINDINGS = [c.binding() for c in ROLL]


class MeetingFormScreen(FormScreen):
    """A new meeting for ``village``, or (``number`` given) a change to a draft; dismisses with the number."""

    COMMANDS_KEY = "meeting_form"
    BINDINGS = bindings_for("form")
    DEFAULT_CSS = """
    MeetingFormScreen #roll { margin: 1 0 0 0; }
    MeetingFormScreen #typed { height: auto; }
    """

    def __init__(self, village: str, *, title: str = "", kind: str = "", number: str = ""):
        super().__init__()
        self.village, self.number = village, number
        self.initial_title, self.initial_kind = title, kind
        self.record: dict[str, Any] | None = None
        self.roll: list[dict[str, str]] = []
        """The attendance list as marked (person, name, mark, note); empty when no roster covers the meeting."""
        self.roster_for: tuple[str, bool, dt.date] | None = None
        """The kind, 按户代表计 and day the list was last looked up for."""
        self.remembered: dict[str, dict[str, str]] = {}
        """Every mark made on the form by person, kept while the kind or day leaves them out of the list."""
        self.no_roster = ""
        """Why the counts are typed (no roster for the meeting), shown with the arithmetic."""
        self.roll_baseline: list[dict[str, str]] = []
        """The marks as the form opened (changed marks are unsaved work)."""

    def compose(self) -> ComposeResult:
        if self.number:
            self.record = self.cunwu.attempt(lambda: self.site.meetings.get(self.number))
        r = self.record or {}
        start = dt.datetime.fromisoformat(r["start"]) if r else dt.datetime.combine(self.today, dt.time(9))
        end = dt.datetime.fromisoformat(r["end"]) if r.get("end") else None
        kind = r.get("kind", self.initial_kind)
        items = r.get("items", [])
        yield self.header()
        with Panel(classes="form", id="form"):
            note = f"修改会议记录 {self.number}" if self.number else f"登记{self.village}的会议记录"
            yield Static(literal(f"{note}：Tab 换栏，F2/Ctrl+S 保存，Esc 取消。"), classes="hint")
            yield field(
                "会议类别",
                Dropdown(
                    [(k.value, k.value) for k in MeetingKind],
                    prompt="请选择会议类别",
                    value=kind if kind in {k.value for k in MeetingKind} else Select.NULL,
                    id="kind",
                ),
            )
            yield field("会议名称", text_input(r.get("title", self.initial_title), "如：审议村道硬化方案", "title"))
            with Horizontal(classes="row"):
                yield field("开始时间", text_input(f"{start:%Y-%m-%d %H:%M}", "2026-11-27 09:00", "start"))
                yield field("结束时间（可不填）", text_input(f"{end:%Y-%m-%d %H:%M}" if end else "", "", "end"))
            yield field("地点", text_input(r.get("place", ""), "如：村委会会议室", "place"))
            with Horizontal(classes="row"):
                yield field("主持人", text_input(r.get("host", ""), "", "host"))
                yield field("记录人", text_input(r.get("recorder", ""), "", "recorder"))
            yield Tick(
                "按户代表计（仅村民会议：三分之二以上的户的代表参加）", r.get("by_household", False), id="household"
            )
            yield Static(id="roll-note", classes="hint")
            roll = RollTable(cursor_type="row", id="roll")
            roll.add_column("姓名", width=10)
            roll.add_column("出席情况", width=8)
            roll.add_column("原因、意见或受托人")
            yield roll
            typed = r.get("counts_from") != "roster"
            with Vertical(id="typed"):
                with Horizontal(classes="row"):
                    yield field(
                        "应到人数",
                        text_input(str(r["expected"]) if r.get("expected") and typed else "", "如 39", "expected"),
                    )
                    yield field(
                        "实到人数",
                        text_input(str(r["present"]) if r.get("expected") and typed else "", "如 26", "present"),
                    )
                absent = [f"{a['name']}:{a['reason']}" if a["reason"] else a["name"] for a in r.get("absent", [])]
                yield field("缺席人员，每行 姓名:原因", text_area("\n".join(absent) if typed else "", "absent"))
            yield field("列席人员，每行一人", text_area("\n".join(r.get("attendees", [])), "attendees"))
            yield field("议题，每行一项", text_area("\n".join(i["title"] for i in items), "items"))
            votes = [vote_line(n, i["vote"]) for n, i in enumerate(items, start=1) if i["vote"]]
            yield field("表决，每行：议题序号 赞成 反对 弃权", text_area("\n".join(votes), "votes"))
            resolutions = [f"{n}:{i['resolution']}" for n, i in enumerate(items, start=1) if i["resolution"]]
            yield field("决议，每行：议题序号:决议内容", text_area("\n".join(resolutions), "resolutions"))
        yield Static(id="arithmetic")
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = f"会议记录 {self.number}" if self.number else f"登记会议记录 · {self.village}"
        self.query_one("#kind", Select).focus()
        self.roll = [dict(row) for row in (self.record or {}).get("roll") or []]
        self.look_up_roll()
        self.roll_baseline = [dict(row) for row in self.roll]
        self.show_arithmetic()

    def unsaved(self) -> bool:
        return super().unsaved() or (self.saved_as is None and self.roll != self.roll_baseline)

    # ---- the attendance list

    def meeting_day(self) -> dt.date | None:
        try:
            return parse_time(self.value("#start"), "会议开始时间").date()
        except BadInput:
            return None

    def look_up_roll(self) -> None:
        """The people the roster expects for the kind, 按户代表计 and day as they stand (looked
        up only when one of them changed); marks already made are kept for those still expected."""
        try:
            kind = MeetingKind(self.kind())
        except ValueError:
            kind = None
        day = self.meeting_day()
        if day is None and self.roster_for is not None:
            return  # a start being typed: the list stays as it is until it is a time again
        key = (kind.value if kind else "", self.by_household(), day or self.today)
        if key == self.roster_for:
            return
        self.roster_for = key
        people = None
        if kind is not None:
            try:
                people = self.site.roster.expected(self.village, kind, self.by_household(), key[2])
            except (StoreError, OSError):
                people = None  # the roster cannot be read: counts typed, the save says what is wrong
        self.remembered.update({row["person"]: row for row in self.roll})
        kept = self.remembered
        self.roll = [
            {
                "person": str(p["number"]),
                "name": str(p["name"]),
                "mark": kept[str(p["number"])]["mark"] if str(p["number"]) in kept else "",
                "note": kept[str(p["number"])]["note"] if str(p["number"]) in kept else "",
            }
            for p in people or []
        ]
        self.query_one("#typed").display = not self.roll
        table = self.query_one("#roll", RollTable)
        table.display = bool(self.roll)
        if self.roll:
            proxy = "" if kind in PARTY_KINDS else "4 委托、"  # none at a Party meeting
            note = (
                f"应到人员按本村名册（{key[2].isoformat()}，{len(self.roll)} 人）：在名单中按 "
                f"1 出席、2 缺席、3 书面意见、{proxy}0 清除，q 其余都出席"
            )
        elif kind is not None:
            note = f"本村名册中没有{kind.value}的应到人员（{key[2].isoformat()}），应到、实到人数手工填写。"
        else:
            note = ""
        self.no_roster = "" if self.roll else note
        self.query_one("#roll-note", Static).update(literal(note))
        self.fill_roll()

    def fill_roll(self, row: int | None = None) -> None:
        table = self.query_one("#roll", RollTable)
        keep = table.cursor_row if row is None else row
        table.clear()
        for r in self.roll:
            table.add_row(cell(r["name"]), cell(r["mark"] or UNMARKED), cell(r["note"]))
        table.styles.height = min(len(self.roll), ROLL_ROWS) + 1  # the header, and the rows up to a screenful
        if self.roll:
            table.move_cursor(row=max(0, min(keep, len(self.roll) - 1)))

    def action_mark(self, mark: str) -> None:
        """Mark the highlighted person (``Mark``'s value; "" clears), asking for what the mark needs."""
        table = self.query_one("#roll", RollTable)
        if not self.roll or not table.has_focus:
            return
        at = table.cursor_row
        row = self.roll[at]
        wanted = Mark(mark)

        def put(note: str | None) -> None:
            if note is None:
                return  # the question was left: the mark stays as it was
            row["mark"], row["note"] = wanted.value, note
            self.fill_roll(row=at + 1)
            self.show_arithmetic()

        if wanted in ASKED:
            what = ASKED[wanted]
            old = row["note"] if row["mark"] == wanted.value else ""
            self.app.push_screen(TextDialog(what, f"{row['name']}的{what}：", old), put)
        elif wanted is Mark.PROXY:
            if self.kind() and MeetingKind(self.kind()) in PARTY_KINDS:
                self.notify(roster_rules.NO_PARTY_PROXY, severity="warning", markup=False)
                return
            present = [r["name"] for r in self.roll if r["mark"] == Mark.PRESENT.value and r is not row]
            if not present:
                self.notify(
                    "受托人须是到会的应到人员：请先把受托人标为出席（按 1）。", severity="warning", markup=False
                )
                return
            self.app.push_screen(ChoiceDialog(f"{row['name']}委托谁代为表决？", present), put)
        else:
            put("")

    def action_mark_others(self) -> None:
        """Everyone not marked yet: 出席."""
        if not self.query_one("#roll", RollTable).has_focus:
            return
        for row in self.roll:
            if not row["mark"]:
                row["mark"], row["note"] = Mark.PRESENT.value, ""
        self.fill_roll()
        self.show_arithmetic()

    def kind(self) -> str:
        value = self.query_one("#kind", Select).value
        return value if isinstance(value, str) else ""

    def values(self) -> dict[str, str]:
        names = "title start end place host recorder expected present absent attendees items votes resolutions"
        return {"kind": self.kind(), **{n: self.value(f"#{n}") for n in names.split()}}

    def by_household(self) -> bool:
        return self.query_one("#household", Checkbox).value and self.kind() == MeetingKind.VILLAGERS.value

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def show_arithmetic(self) -> None:
        self.query_one("#household", Checkbox).disabled = self.kind() != MeetingKind.VILLAGERS.value
        if self.roster_for is not None:  # (not before the form is mounted)
            self.look_up_roll()
        v = self.values()
        if not self.roll:
            text = arithmetic(v["kind"], self.by_household(), v["expected"], v["present"], v["votes"], v["resolutions"])
            if self.no_roster:  # said where it is always in sight, not only above the fields
                text = f"{self.no_roster}\n{text}"
        else:
            t = roster_rules.tally(self.roll)
            try:
                problem = roster_rules.check_marks(MeetingKind(v["kind"]), self.roll)
            except ValueError:
                problem = None
            counted = arithmetic(
                v["kind"],
                self.by_household(),
                str(t.expected),
                str(t.present),
                v["votes"],
                v["resolutions"],
                proxies=t.proxies,
                written_marked=len(t.written),
            )
            text = "\n".join([roll_summary(self.roll), *([problem] if problem else []), counted])
        self.query_one("#arithmetic", Static).update(literal(text))

    def action_save(self) -> None:
        previous = (self.record or {}).get("items", [])

        def work() -> str:
            values = self.values()
            if self.roll:  # 应到, 实到 and the absent come from the marks
                values.update(expected="", present="", absent="")
            fields = meeting_fields(values, self.by_household(), previous)
            if self.roll:
                fields["marks"] = [
                    {"who": r["person"], "mark": r["mark"], "note": r["note"]} for r in self.roll if r["mark"]
                ]
                fields["written"] = []
                fields["roll"] = []  # (a draft's saved marks: those cleared here are cleared there too)
            operator, now = self.site.operator, self.cunwu.now
            if self.record is not None:
                saved = self.site.meetings.edit(operator, now, self.number, int(self.record["rev"]), fields)
            else:
                saved = self.site.meetings.new(operator, now, self.village, fields)
            return str(saved["number"])

        self.save_with(work)
