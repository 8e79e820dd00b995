"""Helpers for tests that build matters from TOML text or load single matter files."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

from procedures.loader import BUILTIN_DIR, Problem, load_file, parse_matter
from procedures.model import Matter
from procedures.validate import validate_matter

HEADER_TEMPLATE = """
id = "{id}"
order = {order}
category = "测试"
name = "测试事项"
supervision = "村务监督委员会全程监督"
risks = ["不按时公示"]
controls = ["加强监督"]
basis = ["测试"]
"""
HEADER = HEADER_TEMPLATE.format(id="sample", order=99)


def matter_from_toml(steps: str, header: str = HEADER) -> Matter:
    """A matter from TOML text; fails the test with every problem if it is invalid."""
    problems: list[Problem] = []
    matter = parse_matter(tomllib.loads(header + steps), "sample.toml", problems)
    problems += validate_matter(matter)
    assert not problems, "\n".join(map(str, problems))
    return matter


def builtin(matter_id: str) -> Matter:
    """One built-in matter file, loaded on its own."""
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        if path.stem.split("-", 1)[1] == matter_id:
            problems: list[Problem] = []
            matter = load_file(path, problems)
            assert matter is not None, "\n".join(map(str, problems))
            return matter
    raise AssertionError(f"no matter file for {matter_id}")


def paths(matter: Matter) -> Iterator[list[tuple[str, str]]]:
    """Every walk from the first step to an end as (step id, choice label) pairs.

    Each outcome (branch edge) is taken at most once per walk, so every loop is walked
    once and every outcome of every step is covered by some walk. Plain ``next`` edges may
    repeat: a cycle always passes an outcome (a cycle without one is a trap, which the
    validator rejects), so walks end.
    """

    def walk(
        step_id: str, used: frozenset[tuple[str, str]], trail: list[tuple[str, str]]
    ) -> Iterator[list[tuple[str, str]]]:
        step = matter.step(step_id)
        if step.end:
            yield [*trail, (step_id, "")]
            return
        edges = [(o.label, o.goto) for o in step.outcomes] or [("", step.next)]
        for label, goto in edges:
            if label and (step_id, label) in used:
                continue
            yield from walk(goto, used | {(step_id, label)}, [*trail, (step_id, label)])

    yield from walk(matter.first_step.id, frozenset(), [])


def _edges(matter: Matter, step_id: str) -> list[tuple[str, str]]:
    step = matter.step(step_id)
    return [(o.label, o.goto) for o in step.outcomes] or ([("", step.next)] if step.next else [])


def _route(matter: Matter, source: str, goal: str | None) -> tuple[list[tuple[str, str]], str]:
    """The shortest (step, choice) route from ``source`` to ``goal`` (None: to any end step).

    Returns the route (the reached step excluded) and the step reached.
    """
    back: dict[str, tuple[str, str] | None] = {source: None}
    queue = [source]
    while queue:
        here = queue.pop(0)
        if here == goal or (goal is None and matter.step(here).end):
            reached, route = here, []
            while (prev := back[here]) is not None:
                route.insert(0, prev)
                here = prev[0]
            return route, reached
        for label, goto in _edges(matter, here):
            if goto not in back:
                back[goto] = (here, label)
                queue.append(goto)
    raise AssertionError(f"{matter.id}: no route from {source} to {goal or 'an end'}")


def edge_walks(matter: Matter) -> Iterator[list[tuple[str, str]]]:
    """For every outcome: the shortest walk from the first step through it to an end.

    Together with ``paths`` this walks loops that pass several review steps, where one
    walk would have to take the same outcome twice.
    """
    for step in matter.steps:
        for outcome in step.outcomes:
            before, _ = _route(matter, matter.first_step.id, step.id)
            after, end = _route(matter, outcome.goto, None)
            yield [*before, (step.id, outcome.label), *after, (end, "")]
