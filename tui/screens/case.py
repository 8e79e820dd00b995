"""One case (办件): its steps marked done / current / pending, and the current step with its
timers, checklist, materials, note, records and choices. F6/d completes the step after a
question that shows the outcome, what will be recorded and the next step (default 取消);
F2 only saves the ticks; F7/n registers the step's notice (or an objection), meeting or
seal use; F9/g opens the case's records. Nothing here reads the clock."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection

from procedures import engine
from procedures.engine import STATUS_LABELS, CaseStatus
from procedures.model import PRODUCES_LABELS, Closing, Matter, Produces, Step
from store.cases import Case, meeting_kind_for
from store.errors import Needed, NeedsRecord, Refused, StoreError, TooEarly
from store.meetings import STATES as MEETING_STATES
from store.notices import masked
from tui.commands import bindings_for, command
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog, confirm
from tui.screens.base import BaseScreen, literal
from tui.screens.case_undo import CaseUndo
from tui.screens.cases import countdowns, timer_text
from tui.widgets import Panel

if TYPE_CHECKING:
    from store.site import Site

MARKS = {"done": "[√]", "active": "[>]", "pending": "[ ]", "skipped": "[-]"}
BACK, FORCE = "返回", "填写理由强制完成"
MINUTES_FIRST = "登记会议记录"
PICK_MINUTES, NEW_MINUTES = "从已有会议记录中选择", "登记新的会议记录"


def keys(what: str) -> str:
    """The keys of a case-screen command as the footer shows them (F6/d)."""
    return command("case", what).key_display


def describe_record(site: Site, number: str) -> str:
    """A linked record in one line: its number and what it is."""
    try:
        kind, record = site.linked(number)
    except StoreError as exc:
        return f"{number}（无法读取：{exc}）"
    if kind == "meeting":
        state = MEETING_STATES.get(str(record.get("state", "")), "")
        return f"{number} 会议记录：{record['title']}（{state}）"
    if kind == "notice":
        shown = masked(record)
        result = f"，{record['result']}" if record.get("result") else ""
        return f"{number} 公示：{shown['title']}（{record['posted_on']} 张贴{result}）"
    return f"{number} 用印：{record['seal']}印章，{record['document']}（{record['date']}）"


class TickList(SelectionList[str]):
    """A SelectionList whose ticks are written out: ``[√]`` ticked, ``[ ]`` not (never colour alone)."""

    def action_select(self) -> None:
        """Toggle at once (not through a message), so a key typed ahead (F2) sees the tick."""
        if self.highlighted is not None and not self.get_option_at_index(self.highlighted).disabled:
            self.toggle(self.get_option_at_index(self.highlighted))

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
            selection = self.get_option_at_index(index)
        except (IndexError, OptionDoesNotExist):
            return line
        mark = "    " if offset else ("[√] " if selection.value in self._selected else "[ ] ")
        style = next(iter(line)).style or self.rich_style
        return Strip([Segment(mark, style), *line])


class CaseScreen(CaseUndo, BaseScreen):
    COMMANDS_KEY = "case"
    BINDINGS = [*bindings_for("case")]

    def __init__(self, number: str):
        super().__init__()
        self.number = number
        self.case: Case | None = None
        self.pending: dict[str, tuple[str, str]] = {}
        """"meeting" / "seal" → (step id, record number) to attach when the step is completed."""
        self.newer = 0
        """A newer rev saved by someone else while we had unsaved ticks (0 when none)."""

    # ---- layout and display

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(id="case-head")
        yield OptionList(id="steps")
        with Panel(id="step-panel"):
            yield Static(id="step-title", classes="section")
            yield Static(id="step-info")
            yield Label(literal("清单（空格勾选）"), id="checklist-label")
            yield TickList(id="checklist")
            yield Label(literal("材料（空格勾选已收到的）"), id="materials-label")
            yield TickList(id="materials")
            yield Label(literal("备注（回车暂存）"), id="note-label")
            yield Input(placeholder="备注", id="note", select_on_focus=False)
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = self.number
        self.reload()
        self.focus_first()

    def focus_first(self) -> None:
        """The checklist, else the materials, else the steps (letter keys stay commands there)."""
        for name in ("#checklist", "#materials", "#steps"):
            widget = self.query_one(name)
            if widget.display:
                widget.focus()
                break

    def shown_villages(self) -> Collection[str]:
        return (self.case.village,) if self.case is not None else self.site.villages

    @property
    def matter(self) -> Matter:
        assert self.case is not None
        return self.site.catalog.get(self.case.matter_id)

    @property
    def step(self) -> Step | None:
        current = self.case.record["current"] if self.case else ""
        return self.matter.step(current) if current else None

    def reload(self) -> None:
        """Read the case again and show it (unsaved ticks are dropped)."""
        case = self.cunwu.attempt(lambda: self.site.cases.get(self.number))
        if case is None:
            self.query_one("#case-head", Static).update(literal(f"无法读取办件 {self.number}"))
            return
        self.case, self.newer = case, 0
        step = self.step
        self.pending = {k: v for k, v in self.pending.items() if step is not None and v[0] == step.id}
        self.show_head()
        self.show_steps()
        self.show_inputs()
        self.show_info()

    def refresh_data(self) -> None:
        """Another user's save shows at once, unless we have unsaved ticks (then a warning)."""
        if self.case is None:
            self.reload()
            return
        try:
            fresh = self.site.cases.get(self.number)
        except StoreError:
            return
        if fresh.rev == self.case.rev:
            self.show_info()  # the day may have changed
        elif self.dirty():
            self.newer = fresh.rev
            self.show_info()
        else:
            self.reload()

    def show_head(self) -> None:
        assert self.case is not None
        case = self.case
        head = f"{case.number} [{STATUS_LABELS[case.status]}] 第{case.rev}版 {self.matter.name}\n事由：{case.subject}"
        self.query_one("#case-head", Static).update(literal(head))

    def show_steps(self) -> None:
        assert self.case is not None
        states = dict(self.case.step_states(self.matter))
        options = self.query_one("#steps", OptionList)
        options.clear_options()
        active = None
        for i, step in enumerate(self.matter.steps):
            mark = MARKS[states[step.id]]
            options.add_option(Option(literal(f"{mark} {step.listed(i + 1)}"), id=step.id))
            if states[step.id] == "active":
                active = i
        options.highlighted = active

    def show_inputs(self) -> None:
        step = self.step
        progress = self.case.record.get("progress", {}) if self.case else {}
        for name, items in (
            ("checklist", step.checklist if step else ()),
            ("materials", step.materials if step else ()),
        ):
            widget: SelectionList[str] = self.query_one(f"#{name}", SelectionList)
            widget.clear_options()
            ticked = set(progress.get(name, []))
            widget.add_options([Selection(literal(item), item, item in ticked) for item in items])
            widget.highlighted = 0 if items else None
            widget.display = bool(items)
            self.query_one(f"#{name}-label").display = bool(items)
        note = self.query_one("#note", Input)
        note.value = str(progress.get("note", ""))
        note.display = step is not None
        self.query_one("#note-label").display = step is not None

    def show_info(self) -> None:
        assert self.case is not None
        case, step = self.case, self.step
        lines: list[str] = []
        if self.newer:
            lines.append(f"[已被他人修改] 已有第{self.newer}版；按 F5 重新读取（未暂存的勾选会丢失）")
        if step is None:
            finished = case.closed_on
            title = f"办件{STATUS_LABELS[case.status]}（{finished}）"
        else:
            position = [s.id for s in self.matter.steps].index(step.id) + 1
            title = f"第{position}步 {step.title} —— {step.actor}"
            lines += [f"时限：{timer_text(t)}" for t in countdowns(self.site, case, self.today)]
            lines += self.produces_lines(step)
            choices = engine.choices(self.matter, case.state())
            lines.append(f"完成（{keys('complete')}，先确认）可选：" + "、".join(c.label for c in choices))
        records = case.records()
        if records:
            lines.append("关联记录：")
            lines += ["  " + describe_record(self.site, n) for n in records]
        lines += self.amendment_lines()
        opinions = self.site.opinions.about_case(case.number, records)
        if opinions:
            lines.append("监督意见和签字（村务监督委员会）：")
            lines += [
                f"  {o['date']} {'签字' if o['kind'] == 'countersign' else '意见'} {o['by']}：{o['text']}"
                for o in opinions
            ]
        self.query_one("#step-title", Static).update(literal(title))
        self.query_one("#step-info", Static).update(literal("\n".join(lines)))

    def produces_lines(self, step: Step) -> list[str]:
        assert self.case is not None
        what = PRODUCES_LABELS[step.produces]
        if step.produces is Produces.NOTICE:
            notice = self.case.record.get("progress", {}).get("notice", "")
            if notice:
                return [f"形成公示：{notice} 已登记（{keys('goto')} 查看，{keys('register')} 登记异议）"]
            return [f"形成公示：[未登记公示] 张贴后按 {keys('register')} 登记"]
        if step.produces is Produces.MINUTES:
            if "meeting" in self.pending:
                return [f"待关联会议记录 {self.pending['meeting'][1]}（完成本步时关联）"]
            return [f"形成会议记录：[未登记会议记录] 按 {keys('register')} 登记"]
        if step.produces is Produces.SEAL_USE:
            if "seal" in self.pending:
                return [f"待关联用印 {self.pending['seal'][1]}（完成本步时关联）"]
            return [f"形成用印登记：[未登记用印] 盖章后按 {keys('register')} 登记"]
        return [f"形成{what}"] if what else []

    # ---- progress

    def ticked(self) -> tuple[list[str], list[str], str]:
        checklist: SelectionList[str] = self.query_one("#checklist", SelectionList)
        materials: SelectionList[str] = self.query_one("#materials", SelectionList)
        return list(checklist.selected), list(materials.selected), self.query_one("#note", Input).value

    def dirty(self) -> bool:
        """True when the ticks or the note differ from what is saved."""
        if self.case is None or self.step is None:
            return False
        progress = self.case.record.get("progress", {})
        checklist, materials, note = self.ticked()
        return (
            set(checklist) != set(progress.get("checklist", []))
            or set(materials) != set(progress.get("materials", []))
            or note != progress.get("note", "")
        )

    def unsaved(self) -> bool:
        return self.dirty()

    def unsaved_what(self) -> str:
        return f"办件 {self.number} 的勾选和备注"

    def save_work(self) -> bool:
        return self.cunwu.attempt(self._save) is not None

    def _save(self) -> Case:
        """Save the ticks and the note (raises the store's errors); the saved case."""
        assert self.case is not None
        checklist, materials, note = self.ticked()
        return self.site.cases.save_progress(
            self.site.operator, self.cunwu.now, self.number, self.case.rev, checklist, materials, note
        )

    def open_step(self, what: str) -> Step | None:
        """The current step, or None with a message when the case has ended."""
        step = self.step
        if step is None and self.case is not None:
            self.notify(f"办件{STATUS_LABELS[self.case.status]}，不能再{what}", severity="warning", markup=False)
        return step

    def action_save_progress(self) -> None:
        if self.open_step("暂存") is None:
            return
        if not self.dirty():
            self.notify("没有需要暂存的改动", markup=False)
            return
        saved = self.cunwu.attempt(self._save)
        if saved is not None:
            self.notify("已暂存", markup=False)
        self.reload()

    @on(Input.Submitted, "#note")
    def note_done(self) -> None:
        self.action_save_progress()

    def action_refresh(self) -> None:
        self.reload()

    # ---- completing the step

    def action_complete(self) -> None:
        """Choose the outcome (when the step has branches), then confirm: nothing is completed
        without the question, whose default answer is 取消."""
        step = self.open_step("办理")
        if step is None or self.case is None:
            return
        if step.produces is Produces.MINUTES and "meeting" not in self.pending:
            self.ask_for_minutes(step)
            return
        choices = [c.label for c in engine.choices(self.matter, self.case.state())]
        if len(choices) == 1:
            self.confirm_complete(choices[0])
            return

        def chosen(label: str | None) -> None:
            if label:
                self.confirm_complete(label)

        self.app.push_screen(ChoiceDialog(f"完成“{step.title}”：选择办理结果", choices), chosen)

    def ask_for_minutes(self, step: Step) -> None:
        """A step that makes minutes asks for them (opening the meeting form) instead of
        completing with an empty draft that 监督 would later flag."""
        note = (
            f"“{step.title}”形成会议记录，本步骤还没有登记会议记录。"
            "请先登记会议记录（出席、表决、决议），保存后再完成本步。"
        )

        def answered(choice: str | None) -> None:
            if choice == MINUTES_FIRST:
                self.action_register()

        self.app.push_screen(
            ChoiceDialog("须先登记会议记录", [MINUTES_FIRST, BACK], note, default=MINUTES_FIRST, digits=False),
            answered,
        )

    def completion_text(self, step: Step, label: str) -> str:
        """What completing will record: the outcome, the ticks, the materials, the note, the
        records, and the step that follows."""
        assert self.case is not None
        checklist, materials, note = self.ticked()
        lines = []
        if step.outcomes:
            lines.append(f"办理结果：{label}")
        if step.checklist:
            lines.append(f"清单：已勾选 {len(checklist)}/{len(step.checklist)} 项")
        if step.materials:
            lines.append(f"材料：已收到 {len(materials)}/{len(step.materials)} 项")
        lines.append(f"备注：{note.strip() or '（无）'}")
        linked = [number for _, number in self.pending.values()]
        if step.produces is Produces.NOTICE and self.notice_number():
            linked.insert(0, self.notice_number())
        if linked:
            lines.append("关联记录：" + "、".join(linked))
        choice = next((c for c in engine.choices(self.matter, self.case.state()) if c.label == label), None)
        if choice is not None and choice.goto:
            position = [s.id for s in self.matter.steps].index(choice.goto) + 1
            lines.append(f"下一步：第{position}步 {self.matter.step(choice.goto).title}")
        else:
            closing = CaseStatus.DONE if step.closes_as is Closing.DONE else CaseStatus.STOPPED
            lines.append(f"完成后：办件{STATUS_LABELS[closing]}")
        return "\n".join(lines)

    def confirm_complete(self, label: str) -> None:
        step = self.step
        if step is None:
            return
        confirm(
            self,
            f"完成“{step.title}”？",
            self.completion_text(step, label),
            "完成本步",
            lambda: self.complete(label),
            cannot_undo=(
                "完成记入日志；本步的结果、清单、材料和备注不能再改，只能在下一步尚未登记时"
                f"按 {command(self.COMMANDS_KEY, 'reopen').key_display} 重开（须写理由，留更正记录）。"
            ),
        )

    def complete(self, label: str, force_reason: str = "") -> None:
        refused: list[Refused] = []
        step = self.step
        assert step is not None

        def work() -> Case | None:
            try:
                case = self._save() if self.dirty() else self.case
                assert case is not None
                return self.site.cases.complete_step(
                    self.site.operator,
                    self.cunwu.now,
                    self.number,
                    label,
                    force_reason=force_reason,
                    expected_rev=case.rev,
                    meeting=self.pending.get("meeting", ("", ""))[1],
                    seal=self.pending.get("seal", ("", ""))[1],
                )
            except Refused as exc:
                refused.append(exc)
                return None

        done = self.cunwu.attempt(work)
        self.reload()
        if done is not None:
            self.focus_first()
            self.pending = {}
            following = self.step
            where = f"，下一步：{following.title}" if following else f"，办件{STATUS_LABELS[done.status]}"
            self.notify(f"已完成“{step.title}”（{label}）{where}", markup=False)
            self.show_info()
        elif refused:
            self.refused(refused[0], label)

    def refused(self, exc: Refused, label: str) -> None:
        """Explain a refusal and offer, by its type, what can be done about it: a step done too
        early may be forced with a reason; a missing record opens its form."""
        if isinstance(exc, TooEarly):

            def forced(answer: str | None) -> None:
                if answer == FORCE:
                    self.app.push_screen(
                        TextDialog("强制完成", "请填写提前完成的理由（将记入日志并提示监督）："),
                        lambda reason: self.complete(label, reason) if reason else None,
                    )

            self.app.push_screen(ChoiceDialog("未满时限，暂不能完成", [BACK, FORCE], str(exc)), forced)
            return
        if isinstance(exc, NeedsRecord):
            offer, action = self.follow_up(exc.needed)
            self.app.push_screen(
                ChoiceDialog("暂不能完成", [offer, BACK], str(exc)),
                lambda answer: action() if answer == offer else None,
            )
            return
        self.app.push_screen(MessageDialog("暂不能完成", str(exc)))

    def follow_up(self, needed: Needed) -> tuple[str, Callable[[], None]]:
        """What to offer for a missing record, and the action that registers it."""
        if needed is Needed.NOTICE:
            return "登记公示", self.action_register
        if needed is Needed.OBJECTION:
            return "登记异议", self.record_objection
        return "登记用印", self.action_register

    # ---- records of the step

    def notice_number(self) -> str:
        return str(self.case.record.get("progress", {}).get("notice", "")) if self.case else ""

    def action_register(self) -> None:
        """F7/n: the record the current step makes: its notice (an objection once the notice is
        posted), its meeting or its seal use."""
        step = self.open_step("登记")
        if step is None or self.case is None:
            return
        if step.produces is Produces.NOTICE:
            if self.notice_number():
                self.record_objection()
            else:
                from tui.screens.records import NoticeFormScreen

                self.app.push_screen(NoticeFormScreen(self.number), lambda _: self.reload())
            return
        if step.produces is Produces.MINUTES:
            self.register_minutes(step)
            return
        if step.produces is Produces.SEAL_USE:
            from tui.screens.records import SealFormScreen

            self.app.push_screen(SealFormScreen(self.case.village), lambda number: self.remember("seal", step, number))
            return
        self.app.push_screen(
            MessageDialog(
                "登记",
                f"“{step.title}”不形成公示、会议记录或用印登记。其他会议和用印请在首页按 m（会议）或 g（公示用印）登记。",
            )
        )

    def register_minutes(self, step: Step) -> None:
        """The step's minutes: a new meeting form, or — when the village has meetings already
        (held before the step, or minutes typed from the meeting list) — one picked from the
        list, never a number typed through the IME."""
        if self.case is None:
            return
        from tui.screens.meeting_pick import MeetingPickDialog
        from tui.screens.records import MeetingFormScreen

        village, subject = self.case.village, self.case.subject

        def new() -> None:
            kind = meeting_kind_for(self.matter, step).value
            screen = MeetingFormScreen(village, title=f"{step.title}（{subject}）", kind=kind)
            self.app.push_screen(screen, lambda number: self.remember("meeting", step, number))

        held = self.cunwu.attempt(lambda: self.site.meetings.find(village)) or []
        if not held:
            new()
            return

        def chosen(choice: str | None) -> None:
            if choice == NEW_MINUTES:
                new()
            elif choice == PICK_MINUTES:
                picker = MeetingPickDialog(village, f"选择“{step.title}”的会议记录")
                self.app.push_screen(picker, lambda number: self.remember("meeting", step, number))

        note = f"{village}已有 {len(held)} 份会议记录。本步骤的会议已登记过的，从列表中选择；否则新登记。"
        self.app.push_screen(ChoiceDialog("本步骤的会议记录", [PICK_MINUTES, NEW_MINUTES], note), chosen)

    def record_objection(self) -> None:
        number = self.notice_number()
        if not number:
            self.notify("本步骤还没有登记公示", severity="warning", markup=False)
            return
        notice = self.cunwu.attempt(lambda: self.site.notices.get(number))
        if notice is None:
            return
        if notice.get("result"):
            self.notify(f"公示已结束（{notice['result']}），不能再登记异议", severity="warning", markup=False)
            return
        from tui.screens.records import ObjectionFormScreen

        self.app.push_screen(ObjectionFormScreen(number), lambda _: self.reload())

    def remember(self, what: str, step: Step, number: str | None) -> None:
        if number:
            self.pending[what] = (step.id, number)
            self.show_info()

    def action_goto(self) -> None:
        """F9/g: the case's records (linked, posted or waiting to be linked) and its matter."""
        if self.case is None:
            return
        numbers = list(
            dict.fromkeys([*self.case.records(), self.notice_number(), *(n for _, n in self.pending.values())])
        )
        places = {describe_record(self.site, n): n for n in numbers if n}
        matter = f"事项说明：{self.matter.name}"

        def chosen(label: str | None) -> None:
            if label == matter:
                self.cunwu.open_matter(self.matter.id)
            elif label in places:
                self.cunwu.open_record(places[label])

        self.app.push_screen(ChoiceDialog(f"转到：办件 {self.number} 的记录", [*places, matter]), chosen)

    def action_export(self) -> None:
        """归档卷宗, and the notice documents when the case has a notice."""
        from tui.screens.exporting import export_record

        case = self.site.cases.get(self.number)
        kinds = ["archive"]
        if any("GS" in n.rsplit("-", 1)[-1] for n in case.records()):
            kinds += ["notice", "notice-result"]
        export_record(self, self.number, kinds)
