"""The county's duty matters as frozen data: matters, steps, outcomes and timers.

Everything a cadre reads here (titles, risks, controls, rule wording) is the county
document's own text; code names are English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class TimerKind(StrEnum):
    """What a time rule demands of a step."""

    MIN_WAIT = "min_wait"
    """The step may not finish before the period has run (公示不少于7日)."""
    DEADLINE = "deadline"
    """The step must finish within the period (三日内转办)."""
    RECURRING = "recurring"
    """The step must happen once in every period (每月固定一天开展主题党日活动)."""


class Unit(StrEnum):
    """The unit a period is counted in."""

    DAY = "day"
    """Calendar days (自然日)."""
    WORKDAY = "workday"
    """Working days (工作日): no weekends or statutory holidays, 调休 Saturdays count."""
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


UNIT_LABELS: dict[Unit, str] = {
    Unit.DAY: "日",
    Unit.WORKDAY: "个工作日",
    Unit.WEEK: "周",
    Unit.MONTH: "个月",
    Unit.YEAR: "年",
}


class Confidence(StrEnum):
    """How sure we are of a rule's source (marks from rules-and-formats.md)."""

    DOCUMENT = "document"
    """Written in the county document itself."""
    VERIFIED = "verified"
    """✅ wording seen in an official text or a full quotation."""
    SECONDARY = "secondary"
    """◐ several secondary sources agree."""
    UNVERIFIED = "unverified"
    """❓ not verified: keep as an overridable local setting."""


CONFIDENCE_LABELS: dict[Confidence, str] = {
    Confidence.DOCUMENT: "县文件原文",
    Confidence.VERIFIED: "已核对原文",
    Confidence.SECONDARY: "多方来源一致",
    Confidence.UNVERIFIED: "未核实，可本地调整",
}


class Produces(StrEnum):
    """The record a step leaves behind."""

    NONE = "none"
    MINUTES = "minutes"
    """会议记录."""
    NOTICE = "notice"
    """公示/公告."""
    AGREEMENT = "agreement"
    """协议/合同."""
    SEAL_USE = "seal_use"
    """用印登记."""
    ARCHIVE = "archive"
    """归档."""


PRODUCES_LABELS: dict[Produces, str] = {
    Produces.NONE: "",
    Produces.MINUTES: "会议记录",
    Produces.NOTICE: "公示",
    Produces.AGREEMENT: "协议",
    Produces.SEAL_USE: "用印登记",
    Produces.ARCHIVE: "归档材料",
}


class Closing(StrEnum):
    """How a case ends when it completes an end step."""

    DONE = "done"
    """已办结."""
    STOPPED = "stopped"
    """已终止 (e.g. the application was not approved)."""


@dataclass(frozen=True, slots=True)
class Timer:
    """A time rule attached to a step."""

    kind: TimerKind
    """min_wait, deadline or recurring."""
    amount: int
    """How many units; may be overridden by a local setting."""
    unit: Unit
    """What is counted."""
    basis: str
    """Where the rule comes from: the county document, a regulation and article, or a local rule."""
    confidence: Confidence
    """How sure the source is."""
    rule: str
    """The rule in the words shown to users, e.g. "公示不少于7日"."""
    counts_from: str = ""
    """Empty: from the day the step starts; otherwise the id of an earlier step whose completion starts the count."""
    default_amount: int | None = None
    """Set when a local setting overrode ``amount``: the amount the data gave."""
    override_source: str = ""
    """Where the overriding amount came from (a settings file), shown beside the rule."""

    @property
    def overridden(self) -> bool:
        return self.default_amount is not None

    def describe(self) -> str:
        """The rule in Chinese, with the override shown when there is one."""
        if not self.overridden:
            return self.rule
        unit = UNIT_LABELS[self.unit]
        return f"{self.rule}（本地设置为{self.amount}{unit}，原为{self.default_amount}{unit}）"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A labelled choice at a branch point."""

    label: str
    """The document's words for the condition: 通过, 未通过, 有异议, 化解 ..."""
    goto: str
    """The id of the step the case goes to."""


def listed(position: int, title: str) -> str:
    """A step's title as a numbered list shows it: ``3. 入户调查``; a title that the document
    itself numbers with that position (``1.村党组织提议``) is not numbered twice."""
    own = re.match(r"\s*(\d+)\s*[.、．]", title)
    if own is not None and int(own[1]) == position:
        return title
    return f"{position}. {title}"


@dataclass(frozen=True, slots=True)
class Step:
    """One box of a flow."""

    id: str
    """ASCII id, unique within the matter."""
    title: str
    """The document's own words for the box (or an added title, see ``added``)."""
    actor: str
    """Who does it."""
    phase: str = ""
    """The stage of the flow the step belongs to, e.g. 申请入党 (the document's or a regulation's name)."""
    checklist: tuple[str, ...] = ()
    """What must be done in the step."""
    materials: tuple[str, ...] = ()
    """Materials that must be received or produced."""
    timer: Timer | None = None
    """The time rule, if any."""
    outcomes: tuple[Outcome, ...] = ()
    """Choices at a branch; empty means the step simply goes on to ``next``."""
    next: str = ""
    """The following step when there are no outcomes (empty on end steps)."""
    produces: Produces = Produces.NONE
    """The record the step leaves."""
    end: bool = False
    """Completing this step closes the case."""
    closes_as: Closing = Closing.DONE
    """On an end step: 已办结 or 已终止."""
    added: bool = False
    """True when the title is not the document's words (added from domain knowledge)."""
    source: str = ""
    """Where an added step, or the order given to the boxes, comes from."""
    note: str = ""
    """Further text of the document or of the source, shown with the step."""

    def listed(self, position: int) -> str:
        """The title as a numbered list shows it (``listed``)."""
        return listed(position, self.title)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every step this one can lead to."""
        if self.outcomes:
            return tuple(o.goto for o in self.outcomes)
        return (self.next,) if self.next else ()


@dataclass(frozen=True, slots=True)
class RiskCheck:
    """How one 廉政风险点 of a matter is watched: by which checks of ``procedures.risks``, and
    what stays for the 村务监督委员会 to judge by looking at the paper and the place."""

    risk: str
    """The risk phrase, exactly as in ``Matter.risks``."""
    checks: tuple[str, ...] = ()
    """Ids of the checks that can see it (empty: it is judged by people only)."""
    manual: str = ""
    """What people must check themselves, and why software cannot (empty when the checks see it all)."""


@dataclass(frozen=True, slots=True)
class Matter:
    """One of the county's 57 duty matters."""

    id: str
    """ASCII slug used on the command line."""
    order: int
    """Position 1–57 in the county document."""
    category: str
    """类别, the document's words."""
    name: str
    """事项名称, the document's words."""
    supervision: str
    """监督管理, the document's words."""
    risks: tuple[str, ...]
    """廉政风险点, numbering and trailing punctuation removed."""
    controls: tuple[str, ...]
    """防控措施, numbering and trailing punctuation removed."""
    basis: tuple[str, ...]
    """法规依据: the rules the flow rests on."""
    steps: tuple[Step, ...]
    """The flow, first step first."""
    intro: tuple[str, ...] = ()
    """Text the document puts before the flow (conditions, material lists, what to publish)."""
    note: str = ""
    """How the flow was reconstructed, and anything uncertain about it."""
    meeting_kind: str = ""
    """For the matters that are themselves a kind of meeting (三会一课 ...): that kind, as in
    ``procedures.meetings.MeetingKind``; meetings of the kind count towards its recurring rule."""
    source_lines: tuple[tuple[int, int], ...] = ()
    """Line ranges (first, last) of the county document's text file holding this matter's
    flowchart boxes, which the file lists after the 57th section."""
    risk_checks: tuple[RiskCheck, ...] = ()
    """For every risk phrase: the checks that see it and what stays manual."""
    source_file: str = ""
    """The data file this matter was loaded from."""
    former_steps: tuple[tuple[str, str], ...] = ()
    """Ids of steps a correction removed, each with the step a case stored there now stands at,
    so that cases opened before the correction still open and walk."""
    initials: tuple[str, ...] = field(default=(), compare=False)
    """Pinyin initials of the name, one string of possible letters per character."""
    _by_id: dict[str, Step] = field(init=False, default_factory=dict, compare=False, repr=False)
    """Each step by its id, former ids included (``step`` is asked for every open case on every
    refresh: 26,000 times for home at 50,000 cases)."""
    _timers: tuple[tuple[Step, Timer], ...] = field(init=False, default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        by_id = {s.id: s for s in self.steps}
        waiting = [(former, now) for former, now in self.former_steps if former not in by_id]
        while waiting:  # a former id may name another former id
            placed = [(f, n) for f, n in waiting if n in by_id]
            if not placed:
                break
            for former, now in placed:
                by_id[former] = by_id[now]
            waiting = [(f, n) for f, n in waiting if f not in by_id]
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_timers", tuple((s, s.timer) for s in self.steps if s.timer is not None))

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if there is none)."""
        found = self._by_id.get(step_id)
        if found is None:
            raise KeyError(step_id)
        return found

    @property
    def timers(self) -> tuple[tuple[Step, Timer], ...]:
        return self._timers


@dataclass(frozen=True, slots=True)
class Catalog:
    """All matters, in the document's order."""

    matters: tuple[Matter, ...]
    _by_id: dict[str, Matter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.matters})

    def get(self, matter_id: str) -> Matter:
        """The matter with this id (KeyError if there is none)."""
        return self._by_id[matter_id]

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories in the order they first appear."""
        seen: dict[str, None] = {}
        for matter in self.matters:
            seen.setdefault(matter.category, None)
        return tuple(seen)

    def in_category(self, category: str) -> tuple[Matter, ...]:
        return tuple(m for m in self.matters if m.category == category)
