"""Quorum and majority for each meeting kind, at the exact boundaries (民法典 第一千二百五十九条:
以上 includes the number, 过半数/超过 does not)."""

from __future__ import annotations

import pytest

from procedures.meetings import MeetingKind, evaluate, rule_for

K = MeetingKind


@pytest.mark.parametrize(
    ("kind", "household", "expected", "present", "ayes", "quorum", "passed"),
    [
        # 村民代表会议 (组织法 第二十六条): ≥ 2/3 of members present; > half of those present agree.
        (K.REPRESENTATIVES, False, 39, 25, 20, False, False),
        (K.REPRESENTATIVES, False, 39, 26, 14, True, True),
        (K.REPRESENTATIVES, False, 39, 26, 13, True, False),
        (K.REPRESENTATIVES, False, 39, 27, 14, True, True),
        # 村民会议 (第二十二条): > half of adults present, or ≥ 2/3 of households' representatives.
        (K.VILLAGERS, False, 100, 50, 50, False, False),
        (K.VILLAGERS, False, 100, 51, 26, True, True),
        (K.VILLAGERS, False, 100, 51, 25, True, False),
        (K.VILLAGERS, True, 90, 59, 59, False, False),
        (K.VILLAGERS, True, 90, 60, 31, True, True),
        # 支部党员大会 (条例 第十一条, 细则 第二十、二十一条): > half of 应到 present; ayes > half of 应到.
        (K.BRANCH_ASSEMBLY, False, 30, 15, 15, False, False),
        (K.BRANCH_ASSEMBLY, False, 30, 16, 15, True, False),
        (K.BRANCH_ASSEMBLY, False, 30, 16, 16, True, True),
        # 支委会 (条例 第十二条): > half of members present; ayes > half of those present.
        (K.BRANCH_COMMITTEE, False, 7, 3, 3, False, False),
        (K.BRANCH_COMMITTEE, False, 7, 4, 2, True, False),
        (K.BRANCH_COMMITTEE, False, 7, 4, 3, True, True),
        # Kinds without a statutory quorum: 少数服从多数 of those present.
        (K.JOINT_MEETING, False, 9, 5, 3, True, True),
        (K.PARTY_GROUP, False, 8, 4, 2, True, False),
    ],
)
def test_boundaries(
    kind: MeetingKind, household: bool, expected: int, present: int, ayes: int, quorum: bool, passed: bool
) -> None:
    result = evaluate(rule_for(kind, household), expected, present, ayes)
    assert (result.quorum_met, result.passed) == (quorum, passed)
    assert ("→ 通过" in result.arithmetic) is passed


def test_arithmetic_is_written_out() -> None:
    result = evaluate(rule_for(K.REPRESENTATIVES), 39, 27, 20, 4, 3)
    assert result.arithmetic == "实到 27/应到 39 ≥ 2/3；赞成 20 > 27/2（反对 4，弃权 3）→ 通过"
    failed = evaluate(rule_for(K.REPRESENTATIVES), 39, 25, 20)
    assert failed.arithmetic.startswith("实到 25/应到 39 < 2/3") and failed.arithmetic.endswith(
        "未达到法定人数，不能表决"
    )


def test_written_opinions_count_for_the_party_assembly() -> None:
    # 16 of 30 present, 14 ayes at the meeting and 2 written ayes from absent members: 16 > 15.
    assert evaluate(rule_for(K.BRANCH_ASSEMBLY), 30, 16, 14 + 2).passed
    with pytest.raises(ValueError, match="多于实到"):
        evaluate(rule_for(K.REPRESENTATIVES), 39, 26, 20, 5, 2)


@pytest.mark.parametrize(
    ("expected", "present", "ayes", "message"),
    [(10, 11, 5, "多于应到"), (0, 0, 0, "不能为 0"), (10, 5, -1, "负数")],
)
def test_impossible_counts(expected: int, present: int, ayes: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate(rule_for(K.REPRESENTATIVES), expected, present, ayes)
