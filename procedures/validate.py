"""Check a matter's flow as a graph: unique ids, targets exist, every step reachable,
no trap steps, an end reachable from everywhere, timers that make sense."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from procedures.model import Matter, Step, TimerKind

if TYPE_CHECKING:
    from procedures.loader import Problem


def validate_matter(matter: Matter) -> list[Problem]:
    """Every graph problem of one matter's flow (an empty list when it is sound)."""
    from procedures.loader import Problem

    file = matter.source_file
    problems: list[Problem] = []

    def add(index: int | None, key: str, message: str) -> None:
        where = f"steps[{index}].{key}" if index is not None else key
        problems.append(Problem(file, where, message))

    index_of: dict[str, int] = {}
    for i, step in enumerate(matter.steps):
        if step.id in index_of:
            add(i, "id", f"步骤编号“{step.id}”与 steps[{index_of[step.id]}] 重复")
        else:
            index_of[step.id] = i
    for i, step in enumerate(matter.steps):
        _check_step(step, i, index_of, add)
    for former, now in matter.former_steps:
        if former in index_of:
            problems.append(Problem(file, f"former_steps.{former}", "原步骤编号仍是现有步骤"))
        if now not in index_of:
            problems.append(Problem(file, f"former_steps.{former}", f"现步骤编号“{now}”不存在"))
    if problems or not matter.steps:
        return problems

    reachable = _reach(matter.steps[0].id, _edges(matter.steps))
    for i, step in enumerate(matter.steps):
        if step.id not in reachable:
            add(i, "id", f"步骤“{step.title}”从第一步出发无法到达")
    ends = {s.id for s in matter.steps if s.end}
    if not ends:
        problems.append(Problem(file, "steps", "流程没有结束步骤（至少一个步骤要写 end = true）"))
        return problems
    back = _edges(matter.steps, reverse=True)
    can_finish: set[str] = set()
    for end in ends:
        can_finish |= _reach(end, back)
    for i, step in enumerate(matter.steps):
        if step.id in reachable and step.id not in can_finish:
            add(i, "id", f"步骤“{step.title}”之后无法走到任何结束步骤（死循环）")
    return problems


def _check_step(step: Step, i: int, index_of: dict[str, int], add) -> None:  # type: ignore[no-untyped-def]
    if step.end and (step.outcomes or step.next):
        add(i, "end", "结束步骤不能再有 next 或 outcomes")
    if not step.end and not step.outcomes and not step.next:
        add(i, "next", f"步骤“{step.title}”没有下一步：请写 next、outcomes，或标记 end = true")
    if step.outcomes and step.next:
        add(i, "next", "有 outcomes 的步骤不能再写 next")
    if len(step.outcomes) == 1:
        add(i, "outcomes", "分支至少要有两个选项；只有一条路时请用 next")
    labels = [o.label for o in step.outcomes]
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        add(i, "outcomes", f"选项“{label}”重复")
    for j, target in enumerate(step.targets):
        if target not in index_of:
            key = f"outcomes[{j}].goto" if step.outcomes else "next"
            add(i, key, f"指向不存在的步骤“{target}”")
    if step.added and not step.source.strip():
        add(i, "source", "补充的步骤（added = true）必须写明依据 source")
    timer = step.timer
    if timer is not None:
        if timer.counts_from and timer.counts_from not in index_of:
            add(i, "timer.from", f"起算步骤“{timer.counts_from}”不存在")
        if timer.counts_from == step.id:
            add(i, "timer.from", "不能从本步骤自身完成时起算")
        if timer.kind is TimerKind.RECURRING and timer.counts_from:
            add(i, "timer.from", "周期性要求按自然周期计算，不写 from")
        if not timer.basis.strip():
            add(i, "timer.basis", "时限必须写明依据")


def _edges(steps: Iterable[Step], reverse: bool = False) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for step in steps:
        edges.setdefault(step.id, set())
        for target in step.targets:
            if reverse:
                edges.setdefault(target, set()).add(step.id)
            else:
                edges[step.id].add(target)
    return edges


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
