"""Helpers for tests that build matters from TOML text or load single matter files."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

from procedures.engine import CaseState
from procedures.loader import BUILTIN_DIR, Problem, load_file, parse_matter
from procedures.model import Matter
from procedures.validate import validate_matter

HEADER = """
id = "sample"
order = 99
category = "测试"
name = "测试事项"
supervision = "村务监督委员会全程监督"
risks = ["不按时公示"]
controls = ["加强监督"]
basis = ["测试"]
"""


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

    Each branch edge is taken at most once per walk, so loops are walked once and every
    outcome of every step is covered by some walk.
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
            if (step_id, label) in used:
                continue
            yield from walk(goto, used | {(step_id, label)}, [*trail, (step_id, label)])

    yield from walk(matter.first_step.id, frozenset(), [])


def walk_state(state: CaseState) -> str:
    return f"{state.status.value}@{state.current}"
