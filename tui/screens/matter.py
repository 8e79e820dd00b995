"""One matter: its flow (steps, branches, time rules), supervision, risks, controls, basis."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from procedures.model import CONFIDENCE_LABELS, PRODUCES_LABELS, Closing, Matter, Produces
from procedures.risks import CHECKS_BY_ID
from tui.commands import bindings_for
from tui.screens.base import BaseScreen, literal


def risk_lines(matter: Matter) -> list[str]:
    """Each 廉政风险点 and how it is watched: the checks that see it on the data, and what
    the 村务监督委员会 has to look at for itself."""
    watched = {rc.risk: rc for rc in matter.risk_checks}
    lines: list[str] = []
    for i, risk in enumerate(matter.risks, start=1):
        lines.append(f"  {i}. {risk}")
        rc = watched.get(risk)
        if rc is None:
            lines.append("      人工核查：（未说明核查方式）")
            continue
        titles = [CHECKS_BY_ID[c].title if c in CHECKS_BY_ID else c for c in rc.checks]
        if titles:
            lines.append("      软件核查：" + "、".join(titles))
        if rc.manual:
            lines.append(f"      人工核查：{rc.manual}")
    return lines


def matter_lines(matter: Matter) -> list[str]:
    """The matter page as lines of plain text (shown literally)."""
    lines = [
        f"{matter.order}. {matter.name}",
        f"类别：{matter.category}    编号：{matter.id}",
        f"监督管理：{matter.supervision}",
    ]
    lines += [f"  {t}" for t in matter.intro]
    lines.append("操作流程：")
    position = {s.id: i for i, s in enumerate(matter.steps, start=1)}
    phase = ""
    for i, step in enumerate(matter.steps, start=1):
        if step.phase and step.phase != phase:
            phase = step.phase
            lines.append(f" 【{phase}】")
        lines.append(f"  {step.listed(i)}{'（补充）' if step.added else ''} —— {step.actor}")
        if step.produces is not Produces.NONE:
            lines.append(f"      形成：{PRODUCES_LABELS[step.produces]}")
        if step.timer is not None:
            lines.append(
                f"      时限：{step.timer.describe()}（{CONFIDENCE_LABELS[step.timer.confidence]}；{step.timer.basis}）"
            )
        lines += [f"      □{c}" for c in step.checklist]
        lines += [f"      材料：{m}" for m in step.materials]
        lines += [f"      {o.label} → 第{position[o.goto]}步 {matter.step(o.goto).title}" for o in step.outcomes]
        if step.next and position[step.next] != i + 1:
            lines.append(f"      → 第{position[step.next]}步 {matter.step(step.next).title}")
        if step.end:
            lines.append("      办结" if step.closes_as is Closing.DONE else "      终止办理")
    lines.append("廉政风险点（及如何核查）：")
    lines += risk_lines(matter)
    lines.append("防控措施：")
    lines += [f"  {i}. {c}" for i, c in enumerate(matter.controls, start=1)]
    lines.append("依据：" + "；".join(matter.basis))
    return lines


class MatterScreen(BaseScreen):
    COMMANDS_KEY = "matter"
    BINDINGS = bindings_for("matter")

    def __init__(self, matter_id: str):
        super().__init__()
        self.matter_id = matter_id

    def compose(self) -> ComposeResult:
        matter = self.site.catalog.get(self.matter_id)
        yield self.header()
        with VerticalScroll(id="page"):
            yield Static(literal("\n".join(matter_lines(matter))))
        yield self.footer()

    def on_mount(self) -> None:
        self.sub_title = self.site.catalog.get(self.matter_id).name
        self.query_one("#page").focus()

    def action_new_case(self) -> None:
        self.cunwu.action_new_case(self.matter_id)
