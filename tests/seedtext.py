"""Read the county document (the seed text) independently of the matter files.

The tests compare the matter data against what this parser finds, so that every
category, name, supervision line, risk and control is the document's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).parent / "data" / "qinyuan-57-matters.txt"
HEADER = "沁源县村级组织（社区）履行职责事项流程"
TAIL_START = "编入党支部和党小组"
LABELS = {
    "类别": "category",
    "事项名称": "name",
    "操作流程": "flow",
    "监督管理": "supervision",
    "廉政风险点": "risks",
    "防控措施": "controls",
    "风控措施": "controls",
}
NUMBERED = re.compile(r"^(\d+)[.、．]?(?=\S)")
TRAILING = "；;。.，, "


@dataclass(frozen=True)
class SeedMatter:
    order: int
    category: str
    name: str
    supervision: str
    risks: tuple[str, ...]
    controls: tuple[str, ...]
    flow_text: str
    """The inline text under 操作流程, as it stands."""


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def tail_start_index(lines: list[str]) -> int:
    """Index of the first flowchart box that stands after the 57th section."""
    return next(i for i, line in enumerate(lines) if line.strip() == TAIL_START)


def tail_boxes() -> list[tuple[int, str]]:
    """(line number, box text) for every box after the 57th section.

    A line holding several boxes separated by runs of spaces gives one entry each;
    single spaces inside a box ("流 动 党 员") are dropped.
    """
    lines = seed_lines()
    out = []
    for number, line in enumerate(lines[tail_start_index(lines) :], start=tail_start_index(lines) + 1):
        for part in re.split(r"\s{2,}|\t", line.strip()):
            text = re.sub(r"\s+", "", part)
            if text:
                out.append((number, text))
    return out


def _items(block: list[str]) -> tuple[str, ...]:
    items: list[str] = []
    for raw in block:
        line = raw.strip()
        if not line:
            continue
        match = NUMBERED.match(line)
        if match or not items:
            items.append(line[match.end() :] if match else line)
        else:
            items[-1] += line
    return tuple(item.strip().rstrip(TRAILING) for item in items)


def _one(fields: dict[str, list[str]], key: str) -> str:
    return " ".join(x.strip() for x in fields[key] if x.strip())


def seed_matters() -> list[SeedMatter]:
    lines = seed_lines()
    body = lines[: tail_start_index(lines)]
    sections: list[list[str]] = []
    for line in body:
        if line.strip() == HEADER:
            sections.append([])
        elif sections:
            sections[-1].append(line)
    matters = []
    for order, section in enumerate(sections, start=1):
        fields: dict[str, list[str]] = {}
        current = None
        for line in section:
            label = re.sub(r"\s+", "", line)
            if label in LABELS:
                current = LABELS[label]
                fields[current] = []
            elif current is not None:
                fields[current].append(line)

        matters.append(
            SeedMatter(
                order=order,
                category=_one(fields, "category"),
                name=_one(fields, "name"),
                supervision=_one(fields, "supervision"),
                risks=_items(fields["risks"]),
                controls=_items(fields["controls"]),
                flow_text="\n".join(fields.get("flow", [])),
            )
        )
    return matters


def squash(text: str) -> str:
    """Text with all white space removed, for 'occurs in the document' checks."""
    return re.sub(r"\s+", "", text)


if __name__ == "__main__":
    for m in seed_matters():
        print(m.order, m.category, m.name, m.supervision, m.risks, m.controls, sep=" | ")
