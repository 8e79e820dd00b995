"""Meeting kinds and the quorum and majority rule each one follows, with the arithmetic shown.

Counting words follow 民法典 第一千二百五十九条: "以上、以下、以内、届满" include the number
itself; "不满、超过、以外" do not. So "三分之二以上" is ≥ 2/3 and "过半数" is > 1/2.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
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

    def arithmetic(self, label: str, count: int, expected: int, present: int, proxies: int = 0) -> str:
        """E.g. "实到 27/应到 39 ≥ 2/3" or "赞成 20 > 27/2"; with ``proxies`` (委托, counted in
        ``present`` as votes cast) "赞成 20 > (27+委托2)/2"."""
        total = expected if self.base is Base.EXPECTED else present
        sign = (">" if self.strict else "≥") if self.met(count, expected, present) else ("≤" if self.strict else "<")
        shown = f"({present - proxies}+委托{proxies})" if proxies and self.base is Base.PRESENT else str(total)
        if self.share == Fraction(1, 2):
            return f"{label} {count} {sign} {shown}/2"
        base_word = "应到" if self.base is Base.EXPECTED else "实到"
        return f"{label} {count}/{base_word} {shown} {sign} {self.share.numerator}/{self.share.denominator}"


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


PARTY_KINDS = frozenset(
    {
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_GROUP,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.PARTY_DAY,
        MeetingKind.LIFE_MEETING,
        MeetingKind.MEMBER_REVIEW,
    }
)
"""三会一课 and the other meetings of the Party branch: convened by the 党支部, and no one votes
for another there."""

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


def evaluate(
    rule: VoteRule, expected: int, present: int, ayes: int, nays: int = 0, abstain: int = 0, proxies: int = 0
) -> Outcome:
    """Whether a decision passes under ``rule``; raises ValueError for impossible counts.

    ``proxies``: members absent who entrusted one present to vote for them (委托, where the
    meeting allows it): not counted for the quorum, counted as votes cast and in the base of a
    majority of those at the meeting."""
    if min(expected, present, ayes, nays, abstain, proxies) < 0:
        raise ValueError("人数不能为负数")
    if present + proxies > expected:
        raise ValueError(f"实到 {present} 人（委托 {proxies} 人）多于应到 {expected} 人")
    if expected == 0:
        raise ValueError("应到人数不能为 0")
    voters = present + proxies
    if ayes + nays + abstain > voters and not rule.written_opinions_count:
        raise ValueError(f"赞成、反对、弃权共 {ayes + nays + abstain} 票，多于实到 {voters} 人")
    if ayes + nays + abstain > expected:
        raise ValueError(f"赞成、反对、弃权共 {ayes + nays + abstain} 票，多于应到 {expected} 人")
    parts = []
    quorum_met = True
    if rule.quorum is not None:
        quorum_met = rule.quorum.met(present, expected, present)
        parts.append(rule.quorum.arithmetic("实到", present, expected, present))
    majority_met = rule.majority.met(ayes, expected, voters)
    parts.append(rule.majority.arithmetic("赞成", ayes, expected, voters, proxies))
    passed = quorum_met and majority_met
    verdict = "通过" if passed else ("未达到法定人数，不能表决" if not quorum_met else "未通过")
    return Outcome(quorum_met, passed, "；".join(parts) + f"（反对 {nays}，弃权 {abstain}）→ {verdict}")


# ---- minutes that cannot contradict themselves

DECIDING: frozenset[MeetingKind] = frozenset(
    {
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.JOINT_MEETING,
        MeetingKind.REPRESENTATIVES,
        MeetingKind.VILLAGERS,
        MeetingKind.SUPERVISORS,
        MeetingKind.OTHER,
    }
)
"""Kinds that meet to decide: their minutes are confirmed only with at least one vote.
党小组会, 党课, 主题党日, 组织生活会 and 民主评议党员 study, discuss or review, and may have
none; 其他会议 is what a case step whose meeting is not named holds, so it decides too."""

_LEAD_IN = re.compile(
    r"^(?:决议[：:])?(?:经[^，,：:。；]{0,8}?(?:讨论|研究|审议|表决|投票)[，,：:]?)?"
    r"(?:本次|全体|与会|到会|会议|大会|人员|党员|村民|代表|委员|成员)*"
    r"(?:一致|全票|原则)?(?:讨论|研究|审议)?(?:决定|表决)?[，,：:]?"
)
"""Words a resolution may open with before its verdict: 经表决，/ 会议一致 / 经研究决定，"""
_APPROVES = ("同意", "通过", "批准", "审议通过")
_REJECTS = ("不同意", "不通过", "未通过", "未获通过", "否决", "不予")
_SAYS_FAILED = ("未通过", "不通过", "未获通过", "未达到", "不足", "未过半", "不同意")


def _verdict_words(resolution: str) -> str:
    """The resolution from its verdict on: full-width folded, lead-in words dropped."""
    text = unicodedata.normalize("NFKC", resolution).strip().lstrip("：:，,。；; ")
    return _LEAD_IN.sub("", text, count=1)


def resolution_conflict(index: int, resolution: str, passed: bool | None) -> str | None:
    """Why item ``index``'s resolution contradicts its vote, or None: an item that failed its
    vote (or could not vote for want of a quorum) cannot carry a resolution that opens with
    同意/通过/批准, and an item that passed cannot open with 不同意/未通过/否决. An item not
    voted on is not checked here (confirming asks for its vote)."""
    if passed is None or not resolution.strip():
        return None
    words = _verdict_words(resolution)
    if passed is False and words.startswith(_APPROVES) and not any(w in words for w in _SAYS_FAILED):
        return (
            f"第{index}项议题表决未通过，决议却写“{resolution.strip()[:20]}”：请如实写明未通过的结果"
            "（如“未通过，……”），或核对表决票数和应到、实到人数"
        )
    if passed is True and words.startswith(_REJECTS):
        return f"第{index}项议题表决已通过，决议却写“{resolution.strip()[:20]}”：请核对表决票数，或按表决结果写明决议"
    return None


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What confirming needs to know of one agenda item."""

    voted: bool
    resolution: str


def missing_before_confirm(
    kind: MeetingKind, host: str, recorder: str, expected: int, present: int, items: Sequence[ItemFacts]
) -> list[str]:
    """What a draft still lacks before it may be confirmed, in words (empty: nothing).

    Attendance (应到 and 实到) is always needed; a meeting that decides needs at least one
    vote; an item with a resolution needs the vote the resolution reports."""
    missing = [
        w for v, w in ((host, "主持人"), (recorder, "记录人"), (expected, "应到人数"), (present, "实到人数")) if not v
    ]
    if not items:
        missing.append("议题（至少一项）")
        return missing
    if kind in DECIDING and not any(i.voted for i in items):
        missing.append(f"表决（{kind.value}至少要登记一项议题的表决）")
    missing += [
        f"第{n}项议题的表决（已写决议）" for n, i in enumerate(items, start=1) if i.resolution.strip() and not i.voted
    ]
    return missing


def summary(passed: Sequence[bool | None]) -> str:
    """Each item's result in one phrase, e.g. "2项：1通过 1未通过" (None: not voted on);
    never 通过 alone when one item failed."""
    if not passed:
        return "无议题"
    counts = [(sum(p is True for p in passed), "通过"), (sum(p is False for p in passed), "未通过")]
    unvoted = sum(p is None for p in passed)
    if unvoted == len(passed):
        return f"{len(passed)}项：无表决"
    parts = [f"{n}{word}" for n, word in counts if n]
    if unvoted:
        parts.append(f"{unvoted}未表决")
    return f"{len(passed)}项：" + " ".join(parts)
