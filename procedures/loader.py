"""Load matter files (one TOML file per matter) into frozen models.

Every problem in every file is collected and reported at once as file + key + reason,
in Chinese, so that a clerk or an administrator who edits a local override file knows
exactly what to fix. Nothing here raises anything but :class:`CatalogError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from procedures.compiled import load as load_compiled
from procedures.model import (
    Catalog,
    Closing,
    Confidence,
    Matter,
    Outcome,
    Produces,
    RiskCheck,
    Step,
    Timer,
    TimerKind,
    Unit,
)
from procedures.validate import validate_matter

E = TypeVar("E", bound=StrEnum)

BUILTIN_DIR = Path(__file__).parent / "matters"

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

MATTER_KEYS = {
    "id",
    "order",
    "category",
    "name",
    "supervision",
    "risks",
    "controls",
    "basis",
    "intro",
    "note",
    "steps",
    "source_lines",
    "meeting_kind",
    "risk_checks",
    "former_steps",
}
RISK_CHECK_KEYS = {"risk", "checks", "manual"}
MATTER_REQUIRED = {"id", "order", "category", "name", "supervision", "risks", "controls", "basis", "steps"}
STEP_KEYS = {
    "id",
    "title",
    "actor",
    "phase",
    "checklist",
    "materials",
    "timer",
    "outcomes",
    "next",
    "produces",
    "end",
    "closes_as",
    "added",
    "source",
    "note",
}
STEP_REQUIRED = {"id", "title", "actor"}
TIMER_KEYS = {"kind", "amount", "unit", "basis", "confidence", "rule", "from"}
TIMER_REQUIRED = {"kind", "amount", "unit", "basis", "confidence", "rule"}
OUTCOME_KEYS = {"label", "goto"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one data file."""

    file: str
    """The file's path (or name)."""
    key: str
    """Where in the file, e.g. ``steps[3].timer.unit``."""
    message: str
    """What is wrong, in Chinese."""

    def __str__(self) -> str:
        where = f"{self.file}：{self.key}" if self.key else self.file
        return f"{where}：{self.message}"


class CatalogError(Exception):
    """The matter files could not be loaded; ``problems`` says every reason."""

    def __init__(self, problems: Iterable[Problem], what: str = "事项数据"):
        self.problems = tuple(problems)
        self.what = what
        """What had the problems: 事项数据 (the matter files), 设置文件 …"""
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.what}有 {len(self.problems)} 处错误，请按提示修改后重试："]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class _Reader:
    """Typed access to one parsed TOML table that records problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, key, message))

    def keys(self, table: Mapping[str, Any], where: str, allowed: set[str], required: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(_join(where, key), f"未知的字段“{key}”（允许的字段：{'、'.join(sorted(allowed))}）")
        for key in sorted(required - set(table)):
            self.problem(_join(where, key), "缺少必填字段")

    def text(self, table: Mapping[str, Any], where: str, key: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(_join(where, key), f"应为文字，实际是 {_kind(value)}")
            return default
        if (
            key in {"title", "name", "category", "supervision", "actor", "label", "rule"}
            and key in table
            and not value.strip()
        ):
            self.problem(_join(where, key), "不能为空")
        return value

    def texts(self, table: Mapping[str, Any], where: str, key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(_join(where, key), '应为文字列表，如 ["……", "……"]')
            return ()
        for i, item in enumerate(value):
            if not item.strip():
                self.problem(f"{_join(where, key)}[{i}]", "不能为空")
        return tuple(value)

    def integer(self, table: Mapping[str, Any], where: str, key: str) -> int:
        value = table.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_join(where, key), f"应为整数，实际是 {_kind(value)}")
            return 0
        return value

    def flag(self, table: Mapping[str, Any], where: str, key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(_join(where, key), "应为 true 或 false")
            return False
        return value

    def choice(self, table: Mapping[str, Any], where: str, key: str, enum: type[E], default: E | None = None) -> E:
        value = table.get(key, default.value if default is not None else None)
        try:
            return enum(value)
        except ValueError:
            allowed = "、".join(e.value for e in enum)
            self.problem(_join(where, key), f"取值“{value}”无效，应为：{allowed}")
            return default if default is not None else next(iter(enum))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    return {str: "文字", int: "整数", float: "小数", bool: "真假值", list: "列表", dict: "表"}.get(
        type(value), type(value).__name__
    )


def parse_matter(data: Mapping[str, Any], file: str, problems: list[Problem], *, checked: bool = False) -> Matter:
    """Turn one parsed TOML document into a Matter, recording every problem found. ``checked``:
    the tables were checked against the risk checks when compiled (``procedures.compiled``),
    so start-up does not import them again to look up each check's name."""
    r = _Reader(file, problems)
    r.keys(data, "", MATTER_KEYS, MATTER_REQUIRED)
    matter_id = r.text(data, "", "id")
    if matter_id and not ID_PATTERN.match(matter_id):
        r.problem("id", f"“{matter_id}”不是有效的编号：只能用小写字母、数字和连字符，以字母开头")
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        r.problem("steps", "应为 [[steps]] 表的列表")
        raw_steps = []
    if not raw_steps and "steps" in data:
        r.problem("steps", "流程至少要有一个步骤")
    steps = [_parse_step(r, raw, i) for i, raw in enumerate(raw_steps)]
    # A step with neither outcomes nor an explicit next goes on to the step listed after it.
    for i, step in enumerate(steps):
        if not step.end and not step.outcomes and not step.next and i + 1 < len(steps):
            steps[i] = replace(step, next=steps[i + 1].id)
    matter = Matter(
        id=matter_id,
        order=r.integer(data, "", "order"),
        category=r.text(data, "", "category"),
        name=r.text(data, "", "name"),
        supervision=r.text(data, "", "supervision"),
        risks=r.texts(data, "", "risks"),
        controls=r.texts(data, "", "controls"),
        basis=r.texts(data, "", "basis"),
        intro=r.texts(data, "", "intro"),
        note=r.text(data, "", "note"),
        source_lines=_line_ranges(r, data.get("source_lines", [])),
        meeting_kind=_meeting_kind(r, data),
        steps=tuple(steps),
        source_file=file,
        former_steps=_former_steps(r, data.get("former_steps", {})),
    )
    return replace(matter, risk_checks=_risk_checks(r, data, matter, checked)) if "risk_checks" in data else matter


def _former_steps(r: _Reader, raw: Any) -> tuple[tuple[str, str], ...]:
    """``[former_steps]``: old step id = the id of the step its cases now stand at."""
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        r.problem("former_steps", "应为“原步骤编号 = 现步骤编号”的表")
        return ()
    return tuple((str(k), v) for k, v in raw.items())


def _risk_checks(r: _Reader, data: Mapping[str, Any], matter: Matter, checked: bool) -> tuple[RiskCheck, ...]:
    """``[[risk_checks]]``: every risk phrase once, each seen by checks that can fire on this
    matter's flow, or said to be manual (or both)."""
    if checked:
        CHECKS_BY_ID: Mapping[str, Any] = {}
    else:
        from procedures.risks import CHECKS_BY_ID

    raw = data.get("risk_checks")
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        r.problem("risk_checks", "应为 [[risk_checks]] 表的列表")
        return ()
    out: list[RiskCheck] = []
    for i, entry in enumerate(raw):
        where = f"risk_checks[{i}]"
        r.keys(entry, where, RISK_CHECK_KEYS, {"risk"})
        risk = r.text(entry, where, "risk")
        checks = r.texts(entry, where, "checks")
        manual = r.text(entry, where, "manual").strip()
        if risk not in matter.risks:
            r.problem(f"{where}.risk", f"“{risk}”不是本事项的廉政风险点（{'；'.join(matter.risks)}）")
        if not checks and not manual:
            r.problem(where, "请写明由哪些检查发现（checks），或须人工核查什么（manual）")
        for check in () if checked else checks:
            known = CHECKS_BY_ID.get(check)
            if known is None:
                r.problem(f"{where}.checks", f"没有名为“{check}”的检查（可用：{'、'.join(CHECKS_BY_ID)}）")
            elif not known.applies(matter):
                r.problem(f"{where}.checks", f"检查“{check}”（{known.title}）在本事项的流程中不会发现任何情况")
        out.append(RiskCheck(risk, checks, manual))
    named = [e.risk for e in out]
    for risk in matter.risks:
        if named.count(risk) != 1:
            r.problem("risk_checks", f"廉政风险点“{risk}”应恰好说明一次（现有 {named.count(risk)} 次）")
    return tuple(out)


def _meeting_kind(r: _Reader, data: Mapping[str, Any]) -> str:
    from procedures.meetings import MeetingKind

    value = r.text(data, "", "meeting_kind")
    if value and value not in {k.value for k in MeetingKind}:
        r.problem("meeting_kind", f"会议类别“{value}”无效，应为：{'、'.join(k.value for k in MeetingKind)}")
    return value


def _line_ranges(r: _Reader, value: Any) -> tuple[tuple[int, int], ...]:
    ranges = []
    for i, pair in enumerate(value if isinstance(value, list) else [None]):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            or pair[0] > pair[1]
        ):
            r.problem(f"source_lines[{i}]", "应为 [起始行, 结束行] 的列表，起始行不大于结束行")
            continue
        ranges.append((pair[0], pair[1]))
    return tuple(ranges)


def _parse_step(r: _Reader, raw: Mapping[str, Any], index: int) -> Step:
    where = f"steps[{index}]"
    r.keys(raw, where, STEP_KEYS, STEP_REQUIRED)
    step_id = r.text(raw, where, "id")
    if step_id and not ID_PATTERN.match(step_id):
        r.problem(_join(where, "id"), f"“{step_id}”不是有效的步骤编号：只能用小写字母、数字和连字符")
    timer = None
    if "timer" in raw:
        if isinstance(raw["timer"], dict):
            timer = _parse_timer(r, raw["timer"], _join(where, "timer"))
        else:
            r.problem(_join(where, "timer"), "应为 [steps.timer] 表")
    outcomes: list[Outcome] = []
    raw_outcomes = raw.get("outcomes", [])
    if not isinstance(raw_outcomes, list) or not all(isinstance(o, dict) for o in raw_outcomes):
        r.problem(_join(where, "outcomes"), "应为 [[steps.outcomes]] 表的列表")
        raw_outcomes = []
    for j, raw_outcome in enumerate(raw_outcomes):
        owhere = f"{where}.outcomes[{j}]"
        r.keys(raw_outcome, owhere, OUTCOME_KEYS, OUTCOME_KEYS)
        outcomes.append(Outcome(label=r.text(raw_outcome, owhere, "label"), goto=r.text(raw_outcome, owhere, "goto")))
    return Step(
        id=step_id,
        title=r.text(raw, where, "title"),
        actor=r.text(raw, where, "actor"),
        phase=r.text(raw, where, "phase"),
        checklist=r.texts(raw, where, "checklist"),
        materials=r.texts(raw, where, "materials"),
        timer=timer,
        outcomes=tuple(outcomes),
        next=r.text(raw, where, "next"),
        produces=r.choice(raw, where, "produces", Produces, Produces.NONE),
        end=r.flag(raw, where, "end"),
        closes_as=r.choice(raw, where, "closes_as", Closing, Closing.DONE),
        added=r.flag(raw, where, "added"),
        source=r.text(raw, where, "source"),
        note=r.text(raw, where, "note"),
    )


def _parse_timer(r: _Reader, raw: Mapping[str, Any], where: str) -> Timer:
    r.keys(raw, where, TIMER_KEYS, TIMER_REQUIRED)
    amount = r.integer(raw, where, "amount")
    if "amount" in raw and amount <= 0:
        r.problem(_join(where, "amount"), "应为正整数")
    return Timer(
        kind=r.choice(raw, where, "kind", TimerKind),
        amount=amount,
        unit=r.choice(raw, where, "unit", Unit),
        basis=r.text(raw, where, "basis"),
        confidence=r.choice(raw, where, "confidence", Confidence),
        rule=r.text(raw, where, "rule"),
        counts_from=r.text(raw, where, "from"),
    )


def load_file(path: Path, problems: list[Problem]) -> Matter | None:
    """Read and check one matter file; None (with problems recorded) if it cannot be used."""
    before = len(problems)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, "", f"无法读取文件（{exc.strerror or exc}）"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, "", f"不是 UTF-8 编码（第 {exc.start} 字节），请用 UTF-8 保存"))
        return None
    import tomllib  # only for files not in the compiled catalog

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(name, "", f"TOML 格式错误：{exc}"))
        return None
    matter = parse_matter(data, name, problems)
    problems.extend(validate_matter(matter))
    return matter if len(problems) == before else None


def load_dir(directory: Path, problems: list[Problem]) -> list[Matter]:
    """Every ``*.toml`` matter file of a folder, in file-name order."""
    return [m for p in sorted(directory.glob("*.toml")) if (m := load_file(p, problems)) is not None]


def load_catalog(extra_dir: Path | None = None) -> Catalog:
    """The built-in matters, with any matter files of ``extra_dir`` replacing or adding to them.

    A matter in ``extra_dir`` with the id of a built-in matter replaces it (a local
    version of the flow). Raises CatalogError listing every problem of every file.
    """
    problems: list[Problem] = []
    compiled = load_compiled()
    if compiled is not None:
        # Checked when compiled (and by the tests); parsing the stored tables is enough.
        builtin = [
            parse_matter(raw, str(BUILTIN_DIR / name), problems, checked=True)
            for name, raw in sorted(compiled["matters"].items())
        ]
        initials: dict[str, list[str]] = compiled["initials"]
    else:
        builtin, initials = load_dir(BUILTIN_DIR, problems), {}
    matters = {m.id: m for m in builtin}
    if extra_dir is not None:
        if not extra_dir.is_dir():
            problems.append(Problem(str(extra_dir), "", "本地事项目录不存在或不是目录"))
        else:
            for matter in load_dir(extra_dir, problems):
                matters[matter.id] = matter
    _check_catalog(list(matters.values()), problems)
    if problems:
        raise CatalogError(problems)
    ordered = sorted(matters.values(), key=lambda m: (m.order, m.id))
    return Catalog(tuple(replace(m, initials=_initials_for(m, initials, compiled is not None)) for m in ordered))


def _check_catalog(matters: list[Matter], problems: list[Problem]) -> None:
    by_order: dict[int, Matter] = {}
    for matter in matters:
        if matter.order in by_order:
            other = by_order[matter.order]
            problems.append(Problem(matter.source_file, "order", f"序号 {matter.order} 与 {other.source_file} 重复"))
        by_order[matter.order] = matter


def _initials_for(matter: Matter, compiled: Mapping[str, list[str]], from_compiled: bool) -> tuple[str, ...]:
    local = not matter.source_file.startswith(str(BUILTIN_DIR))
    if from_compiled and not local and matter.id in compiled:
        return tuple(compiled[matter.id])
    # A local matter, or edited built-in files: compute the initials now (loads pypinyin once).
    from procedures.search import initials_of

    return initials_of(matter.name)


def timer_key_hint(catalog: Catalog, key: str) -> str:
    """For a local time limit's key that names no timed step: the timed steps of its matter, or
    the key's format."""
    matter_id = key.split(".", 1)[0]
    keys = [f"{m.id}.{s.id}" for m in catalog.matters if m.id == matter_id for s in m.steps if s.timer]
    if keys:
        return f"事项 {matter_id} 带时限的步骤：{'、'.join(keys)}"
    return "格式：事项编号.步骤编号，如 dibao.publicize"


def apply_overrides(catalog: Catalog, amounts: Mapping[str, int], source: str) -> Catalog:
    """Replace timer amounts from local settings: keys are ``matter-id.step-id``.

    Raises CatalogError naming every key that matches no timer and every amount that
    is not a positive whole number.
    """
    problems: list[Problem] = []
    wanted = dict(amounts)
    matters = []
    for matter in catalog.matters:
        steps = []
        for step in matter.steps:
            key = f"{matter.id}.{step.id}"
            if step.timer is not None and key in wanted:
                amount = wanted.pop(key)
                if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                    problems.append(Problem(source, key, f"时限应为正整数，实际是“{amount}”"))
                elif amount != step.timer.amount:
                    step = replace(
                        step,
                        timer=replace(
                            step.timer, amount=amount, default_amount=step.timer.amount, override_source=source
                        ),
                    )
            steps.append(step)
        matters.append(replace(matter, steps=tuple(steps)))
    for key in wanted:
        problems.append(Problem(source, key, f"没有这个带时限的步骤（{timer_key_hint(catalog, key)}）"))
    if problems:
        raise CatalogError(problems)
    return Catalog(tuple(matters))
