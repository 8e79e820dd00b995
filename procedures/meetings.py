"""Meeting kinds and the quorum and majority rule each one follows, with the arithmetic shown.

Counting words follow 民法典 第一千二百五十九条: "以上、以下、以内、届满" include the number
itself; "不满、超过、以外" do not. So "三分之二以上" is ≥ 2/3 and "过半数" is > 1/2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class Base(StrEnum):
    """What a majority is counted against."""

    EXPECTED = "expected"
    """应到 (e.g. 应到会有表决权的正式党员)."""
    PRESENT = "present"
    """实到 (到会人员)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A share of a base: ``strict`` means more than (超过/过半数), otherwise at least (以上)."""

    share: Fraction
    strict: bool
    base: Base

    def met(self, count: int, expected: int, present: int) -> bool:
        total = expected if self.base is Base.EXPECTED else present
        if self.strict:
            return count > self.share * total
        return count >= self.share * total

    def arithmetic(self, label: str, count: int, expected: int, present: int) -> str:
        """E.g. "实到 27/应到 39 ≥ 2/3" or "赞成 20 > 27/2"."""
        total = expected if self.base is Base.EXPECTED else present
        sign = (">" if self.strict else "≥") if self.met(count, expected, present) else ("≤" if self.strict else "<")
        if self.share == Fraction(1, 2):
            return f"{label} {count} {sign} {total}/2"
        base_word = "应到" if self.base is Base.EXPECTED else "实到"
        return f"{label} {count}/{base_word} {total} {sign} {self.share.numerator}/{self.share.denominator}"


@dataclass(frozen=True, slots=True)
class VoteRule:
    """The rule a meeting kind's decisions follow."""

    quorum: Threshold | None
    """Who must be present for the meeting to decide (None: no quorum rule)."""
    majority: Threshold
    """How many must agree."""
    basis: str
    """The regulation and article, in Chinese."""
    written_opinions_count: bool = False
    """Absent members' written opinions count as votes (发展党员细则 第二十一条)."""


HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
PARTY_ASSEMBLY = VoteRule(
    Threshold(HALF, True, Base.EXPECTED),
    Threshold(HALF, True, Base.EXPECTED),
    "《中国共产党支部工作条例（试行）》第十一条：表决必须有半数以上有表决权的党员到会方可进行，赞成人数超过应到会有表决权的党员的半数为通过；"
    "《中国共产党发展党员工作细则》第二十、二十一条",
    written_opinions_count=True,
)
SIMPLE_MAJORITY = VoteRule(
    None,
    Threshold(HALF, True, Base.PRESENT),
    "按少数服从多数的原则作出决定（赞成超过到会人数的半数；未见更具体的规定，可按本地制度调整）",
)


class MeetingKind(StrEnum):
    BRANCH_ASSEMBLY = "支部党员大会"
    BRANCH_COMMITTEE = "支委会"
    PARTY_GROUP = "党小组会"
    PARTY_LECTURE = "党课"
    PARTY_DAY = "主题党日"
    LIFE_MEETING = "组织生活会"
    MEMBER_REVIEW = "民主评议党员"
    JOINT_MEETING = "两委联席会议"
    REPRESENTATIVES = "村民代表会议"
    VILLAGERS = "村民会议"
    SUPERVISORS = "村务监督委员会会议"
    OTHER = "其他会议"


RULES: dict[MeetingKind, VoteRule] = {
    MeetingKind.BRANCH_ASSEMBLY: PARTY_ASSEMBLY,
    MeetingKind.BRANCH_COMMITTEE: VoteRule(
        Threshold(HALF, True, Base.EXPECTED),
        Threshold(HALF, True, Base.PRESENT),
        "《中国共产党支部工作条例（试行）》第十二条；县文件：到会人数超过支委半数时，由支部书记提出表决，按少数服从多数的原则作出决定",
    ),
    MeetingKind.REPRESENTATIVES: VoteRule(
        Threshold(TWO_THIRDS, False, Base.EXPECTED),
        Threshold(HALF, True, Base.PRESENT),
        "《中华人民共和国村民委员会组织法》第二十六条：村民代表会议有三分之二以上的组成人员参加方可召开，所作决定应当经到会人员的过半数同意",
    ),
    MeetingKind.VILLAGERS: VoteRule(
        Threshold(HALF, True, Base.EXPECTED),
        Threshold(HALF, True, Base.PRESENT),
        "《中华人民共和国村民委员会组织法》第二十二条：有本村十八周岁以上村民的过半数参加，所作决定应当经到会人员的过半数通过",
    ),
}
VILLAGERS_BY_HOUSEHOLD = VoteRule(
    Threshold(TWO_THIRDS, False, Base.EXPECTED),
    Threshold(HALF, True, Base.PRESENT),
    "《中华人民共和国村民委员会组织法》第二十二条：或者有本村三分之二以上的户的代表参加，所作决定应当经到会人员的过半数通过",
)


def rule_for(kind: MeetingKind, by_household: bool = False) -> VoteRule:
    """The rule of a kind (村民会议 counted by households' representatives has its own quorum)."""
    if kind is MeetingKind.VILLAGERS and by_household:
        return VILLAGERS_BY_HOUSEHOLD
    return RULES.get(kind, SIMPLE_MAJORITY)


@dataclass(frozen=True, slots=True)
class Outcome:
    quorum_met: bool
    passed: bool
    arithmetic: str
    """The whole computation in words, stored with the decision."""


def evaluate(rule: VoteRule, expected: int, present: int, ayes: int, nays: int = 0, abstain: int = 0) -> Outcome:
    """Whether a decision passes under ``rule``; raises ValueError for impossible counts."""
    if min(expected, present, ayes, nays, abstain) < 0:
        raise ValueError("人数不能为负数")
    if present > expected:
        raise ValueError(f"实到 {present} 人多于应到 {expected} 人")
    if expected == 0:
        raise ValueError("应到人数不能为 0")
    if ayes + nays + abstain > present and not rule.written_opinions_count:
        raise ValueError(f"赞成、反对、弃权共 {ayes + nays + abstain} 票，多于实到 {present} 人")
    if ayes + nays + abstain > expected:
        raise ValueError(f"赞成、反对、弃权共 {ayes + nays + abstain} 票，多于应到 {expected} 人")
    parts = []
    quorum_met = True
    if rule.quorum is not None:
        quorum_met = rule.quorum.met(present, expected, present)
        parts.append(rule.quorum.arithmetic("实到", present, expected, present))
    majority_met = rule.majority.met(ayes, expected, present)
    parts.append(rule.majority.arithmetic("赞成", ayes, expected, present))
    passed = quorum_met and majority_met
    verdict = "通过" if passed else ("未达到法定人数，不能表决" if not quorum_met else "未通过")
    return Outcome(quorum_met, passed, "；".join(parts) + f"（反对 {nays}，弃权 {abstain}）→ {verdict}")
