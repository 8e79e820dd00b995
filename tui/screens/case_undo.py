"""Undo on the case screen: 重开上一步 (u), 撤回/终止 (Ctrl+U), 更正事由 (F4/e).

Reopening, withdrawing and terminating cannot be undone themselves: their dialog names what will
happen, takes the reason, and its default button is 取消 (Enter in the reason field goes to the
buttons, on 取消). The store decides (``store.amendments``); a refusal is shown with the app's hint
(``tui.refusals``) before any reason is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from procedures.engine import STATUS_LABELS
from store.amendments import KIND_WORDS, RECORD_WORDS, describe
from store.cases import Case
from store.records import prefix_of
from tui.dialogs import MarkedList

if TYPE_CHECKING:
    from tui.screens.case import CaseScreen

CANCEL = "取消"
NOT_UNDONE = "此操作记入日志和归档、提示村务监督委员会，不能撤销。"


class ReasonDialog(ModalScreen[tuple[str, str] | None]):
    """An irreversible action with its reason: returns (the action chosen, the reason), or None.

    The buttons are listed with 取消 first and highlighted; an action is only taken when chosen
    with a reason typed."""

    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, title: str, body: str, actions: list[str], prompt: str = "理由（必填）："):
        super().__init__()
        self.title_text, self.body, self.actions, self.prompt = title, body, actions, prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reason-dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.body), classes="dialog-body")
            yield Label(Content(self.prompt))
            yield Input(id="reason", placeholder="填写理由")
            choices = [CANCEL, *self.actions]
            yield MarkedList(*[Option(Content(f"[ {c} ]"), id=c) for c in choices])
            yield Label(
                Content("填写理由后回车，再用上下键选择、回车确认；默认为取消；不填理由回车或 Esc 即取消"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def reason_done(self) -> None:
        if not self.query_one("#reason", Input).value.strip():
            self.dismiss(None)  # Enter with no reason: the default, 取消
            return
        options = self.query_one(OptionList)
        options.highlighted = 0  # 取消: the default
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        action = str(event.option.id)
        if action == CANCEL:
            self.dismiss(None)
            return
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.notify("请先填写理由", severity="warning", markup=False)
            self.query_one("#reason", Input).focus()
            return
        self.dismiss((action, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SubjectDialog(ModalScreen[tuple[str, str] | None]):
    """更正事由: the new wording (the old one filled in) and the reason; returns both, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", key_display="Esc"),
        Binding("f2,ctrl+s", "save", "保存", key_display="F2/^S"),
    ]

    def __init__(self, number: str, subject: str):
        super().__init__()
        self.number, self.subject = number, subject

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="subject-dialog"):
            yield Label(Content(f"更正办件 {self.number} 的事由"), classes="dialog-title")
            yield Static(
                Content(f"原事由：{self.subject}\n原事由保留在更正记录中（归档、监督可见）。"), classes="dialog-body"
            )
            yield Label(Content("更正后的事由："))
            yield Input(self.subject, id="subject")
            yield Label(Content("更正理由（必填）："))
            yield Input(id="reason", placeholder="如 申请人姓名录错")
            yield Label(Content("回车到下一栏，理由栏回车或 F2 保存；Esc 取消"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    @on(Input.Submitted, "#subject")
    def subject_done(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def reason_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        reason = self.query_one("#reason", Input).value.strip()
        if not subject or not reason:
            self.notify("请填写更正后的事由和理由", severity="warning", markup=False)
            self.query_one("#subject" if not subject else "#reason", Input).focus()
            return
        if subject == self.subject:
            self.notify("事由没有改动", severity="warning", markup=False)
            return
        self.dismiss((subject, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CaseUndo:
    """The case screen's undo actions (mixed into ``CaseScreen``)."""

    def _screen(self) -> CaseScreen:
        return self  # type: ignore[return-value]

    def amendment_lines(self) -> list[str]:
        """The case's 更正记录 as the case screen lists them: when, who, what, why."""
        screen = self._screen()
        if screen.case is None or not screen.case.amendments:
            return []
        lines = ["更正记录："]
        for a in screen.case.amendments:
            when = str(a["at"])[:16].replace("T", " ")
            lines.append(f"  {when} {a.get('by_name') or a['by']}：{describe(a, screen.matter)}；理由：{a['reason']}")
        return lines

    def action_reopen(self) -> None:
        screen = self._screen()
        case = screen.case
        if case is None:
            return
        if screen.dirty():
            screen.notify(
                "当前步骤有未暂存的勾选或备注，请先取消勾选、清空备注（已有登记时不能重开）",
                severity="warning",
                markup=False,
            )
            return
        site = screen.site
        last = screen.cunwu.attempt(lambda: site.amendments.reopenable(case.number))
        if last is None:
            return
        matter = screen.matter
        step = matter.step(last["step_id"])
        position = [s.id for s in matter.steps].index(step.id) + 1
        done = f"{last.get('finished', '')} 由 {last.get('by_name') or last.get('by', '')} 完成"
        kept = [
            f"公示 {n} 重新处于公示中"
            if prefix_of(n) == "GS"
            else f"{RECORD_WORDS.get(prefix_of(n), '记录')} {n} 仍归这一步"
            for n in map(str, last.get("records", []))
        ]
        body = (
            f"重开第{position}步“{step.title}”：撤销办理结果“{last.get('outcome', '')}”（{done}），"
            f"办件回到这一步，原勾选、材料和备注照旧{''.join('，' + k for k in kept)}。\n{NOT_UNDONE}"
        )

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.reopen(case, answer[1], step.title)

        screen.app.push_screen(ReasonDialog("重开上一步", body, ["确认重开"]), answered)

    def reopen(self, case: Case, reason: str, title: str) -> None:
        screen = self._screen()
        site = screen.site
        done = screen.cunwu.attempt(
            lambda: site.amendments.reopen(site.operator, screen.cunwu.now, case.number, reason, case.rev)
        )
        screen.reload()
        if done is not None:
            screen.focus_first()
            screen.notify(f"已重开“{title}”，原办理结果已撤销", markup=False)

    def action_withdraw(self) -> None:
        screen = self._screen()
        case = screen.case
        if case is None:
            return
        site = screen.site
        effects = screen.cunwu.attempt(lambda: site.amendments.closing(case.number))
        if effects is None:
            return
        running, drafts = effects
        lines = [
            "撤回：如申请人撤回申请；终止：因其他原因不再办理。",
            "办件结束后不能再办理步骤，也不能重开。",
        ]
        if running:
            lines.append(f"正在公示的 {running} 将同日中止（公示结果写明中止），请撤下张贴的公示。")
        if drafts:
            lines.append(f"关联的会议记录草稿 {'、'.join(drafts)} 保持原样，请另行补全或说明。")
        lines.append(NOT_UNDONE)
        actions = [KIND_WORDS["withdraw"], KIND_WORDS["terminate"]]

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.close_case(case, "withdraw" if answer[0] == actions[0] else "terminate", answer[1])

        screen.app.push_screen(ReasonDialog(f"撤回或终止办件 {case.number}", "\n".join(lines), actions), answered)

    def close_case(self, case: Case, kind: str, reason: str) -> None:
        screen = self._screen()
        site = screen.site
        close = site.amendments.withdraw if kind == "withdraw" else site.amendments.terminate
        done = screen.cunwu.attempt(lambda: close(site.operator, screen.cunwu.now, case.number, reason, case.rev))
        screen.reload()
        if done is not None:
            screen.notify(f"办件{STATUS_LABELS[done.status]}", markup=False)

    def action_correct_subject(self) -> None:
        screen = self._screen()
        case = screen.case
        if case is None:
            return

        def answered(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            site = screen.site
            subject, reason = answer
            done: Any = screen.cunwu.attempt(
                lambda: site.amendments.correct_subject(
                    site.operator, screen.cunwu.now, case.number, subject, reason, case.rev
                )
            )
            screen.reload()
            if done is not None:
                screen.notify("事由已更正，原事由保留在更正记录中", markup=False)

        screen.app.push_screen(SubjectDialog(case.number, case.subject), answered)
