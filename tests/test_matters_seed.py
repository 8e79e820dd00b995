"""The matter files say what the county document says, and use every box of it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from procedures.loader import BUILTIN_DIR, Problem, load_file
from procedures.model import Matter
from tests.seedtext import SEED, TRAILING, seed_lines, seed_matters, squash, tail_boxes, tail_start_index

SEED_MATTERS = {m.order: m for m in seed_matters()}
ORDERS = sorted(SEED_MATTERS)


class _ByOrder(dict[int, Matter]):
    """Each matter file loaded on its own, so one broken file fails only its own tests."""

    def __missing__(self, order: int) -> Matter:
        paths = sorted(BUILTIN_DIR.glob(f"{order:02d}-*.toml"))
        assert len(paths) == 1, f"expected one file {order:02d}-*.toml, found {paths}"
        problems: list[Problem] = []
        matter = load_file(paths[0], problems)
        assert matter is not None, "\n".join(map(str, problems))
        assert matter.order == order
        self[order] = matter
        return matter


@pytest.fixture(scope="module")
def catalog_by_order() -> dict[int, Matter]:
    return _ByOrder()


def matter_text(matter: Matter) -> str:
    """Everything a matter file says, white space removed."""
    parts = [*matter.intro, matter.note]
    for step in matter.steps:
        parts += [step.title, step.phase, step.note, *step.checklist, *step.materials]
        parts += [o.label for o in step.outcomes]
        if step.timer is not None:
            parts.append(step.timer.rule)
    return squash("\n".join(parts))


def test_document_is_the_shared_seed() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_d87d51b7e53a5638.txt"
    if not shared.exists():
        pytest.skip("the shared seed folder is not beside this checkout")
    assert SEED.read_bytes() == shared.read_bytes()


def test_document_has_57_matters() -> None:
    assert list(range(1, 58)) == ORDERS


def test_catalog_has_every_matter_once(catalog_by_order: dict[int, Matter]) -> None:
    assert len(list(BUILTIN_DIR.glob("*.toml"))) == 57
    ids = [catalog_by_order[order].id for order in ORDERS]
    assert len(set(ids)) == 57


@pytest.mark.parametrize("order", ORDERS, ids=[f"m{o:02d}" for o in ORDERS])
def test_header_is_the_documents_text(order: int, catalog_by_order: dict[int, Matter]) -> None:
    seed, matter = SEED_MATTERS[order], catalog_by_order[order]
    assert (matter.category, matter.name, matter.supervision) == (seed.category, seed.name, seed.supervision)
    assert matter.risks == seed.risks
    assert matter.controls == seed.controls
    assert matter.basis, "every matter names its basis (法规依据)"


@pytest.mark.parametrize("order", ORDERS, ids=[f"m{o:02d}" for o in ORDERS])
def test_step_titles_occur_in_document(order: int, catalog_by_order: dict[int, Matter]) -> None:
    document = squash(SEED.read_text(encoding="utf-8"))
    missing = [s.title for s in catalog_by_order[order].steps if not s.added and squash(s.title) not in document]
    assert not missing, f"titles not in the document (mark them added = true with a source): {missing}"


@pytest.mark.parametrize("order", ORDERS, ids=[f"m{o:02d}" for o in ORDERS])
def test_inline_flow_text_is_used(order: int, catalog_by_order: dict[int, Matter]) -> None:
    text = matter_text(catalog_by_order[order])
    pieces = [
        squash(p) for line in SEED_MATTERS[order].flow_text.splitlines() for p in re.split(r"\s{2,}|\t", line.strip())
    ]
    missing = [p for p in pieces if p and p not in text]
    assert not missing, f"inline flow text not used by the matter: {missing}"


@pytest.mark.parametrize("order", ORDERS, ids=[f"m{o:02d}" for o in ORDERS])
def test_tail_boxes_are_used(order: int, catalog_by_order: dict[int, Matter]) -> None:
    matter = catalog_by_order[order]
    text = matter_text(matter)
    mine = [(n, box) for n, box in tail_boxes() if any(a <= n <= b for a, b in matter.source_lines)]
    assert mine or not matter.source_lines, "source_lines name lines with no boxes"
    # A box's closing 。 or ； is punctuation of the chart, not words to keep.
    missing = [(n, box) for n, box in mine if box.rstrip(TRAILING) not in text]
    assert not missing, f"boxes assigned to this matter but not used: {missing}"


def flow_text(matter: Matter) -> str:
    """What a user walks through: step titles, checklist items and outcome labels.

    Intro, notes, phases, materials and timer rules are left out on purpose: a box
    that reaches only those is not part of the flow (issue 17, Done when).
    """
    parts: list[str] = []
    for step in matter.steps:
        parts += [step.title, *step.checklist, *(o.label for o in step.outcomes)]
    return squash("\n".join(parts))


# Boxes that are not content but the chart's own frame: a chart's title or the
# header of a stage (会前/会中/会后 …) under which the content boxes stand.  Only
# these may stay out of the flow; their stages live on as step phases.
CHART_FRAME = {
    2264: "健全管理网络 (#4 stage header)",
    2270: "流动党员管理程序 (#4 chart title)",
    2276: "健全制度 (#4 stage header)",
    2312: "规范管理 (#4 stage header)",
    2354: "会后工作 (#5 stage header)",
    2360: "会议召开 (#5 stage header)",
    2477: "召开支部委员会一般程序 (#6 chart title)",
    2543: "召开党小组会议的一般程序 (#7 chart title)",
    2651: "课后工作 (#8 stage header)",
    2657: "组织工作 (#8 stage header)",
    2687: "课前准备 (#8 stage header)",
    2885: "会中 (#11 stage header)",
    2891: "会后 (#11 stage header)",
    2897: "会前 (#11 stage header)",
    2915: "后续工作 (#12 stage header)",
    2996: "评议过程 (#12 stage header)",
    3002: "准备工作 (#12 stage header)",
    3014: "两公开 (#13 stage header)",
    3071: "四议 (#13 stage header)",
    3740: "后续处置 (#28 stage header)",
    3770: "应急响应 (#28 stage header)",
    4760: "依法保护生态环境 (#56 chart title: the three duties L4766–L4778 stand under it; it is their phase)",
}


@pytest.mark.parametrize("order", ORDERS, ids=[f"m{o:02d}" for o in ORDERS])
def test_tail_boxes_reach_the_flow(order: int, catalog_by_order: dict[int, Matter]) -> None:
    matter = catalog_by_order[order]
    text = flow_text(matter)
    mine = [(n, box) for n, box in tail_boxes() if any(a <= n <= b for a, b in matter.source_lines)]
    missing = [(n, box) for n, box in mine if n not in CHART_FRAME and box.rstrip(TRAILING) not in text]
    assert not missing, f"boxes that reach no step title, checklist item or outcome label: {missing}"


def test_chart_frame_entries_are_boxes() -> None:
    """The allow-list names real box lines and is not left holding stale entries."""
    boxes = dict(tail_boxes())
    assert all(n in boxes and boxes[n] in why for n, why in CHART_FRAME.items())


def test_every_box_belongs_to_exactly_one_matter(catalog_by_order: dict[int, Matter]) -> None:
    owners: Counter[int] = Counter()
    for matter in (catalog_by_order[order] for order in ORDERS):
        for a, b in matter.source_lines:
            for n in range(a, b + 1):
                owners[n] += 1
    box_lines = sorted({n for n, _ in tail_boxes()})
    unowned = [n for n in box_lines if owners[n] == 0]
    shared = [n for n in box_lines if owners[n] > 1]
    assert not unowned, f"box lines that no matter claims: {unowned}"
    assert not shared, f"box lines claimed by several matters: {shared}"
    first = tail_start_index(seed_lines()) + 1
    assert all(first <= n <= len(seed_lines()) for n in owners), "source_lines outside the boxes' part of the file"
