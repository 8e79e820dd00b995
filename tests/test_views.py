"""Issue 15, item 1: the pure layer reads typed views, not storage dicts.

Only ``procedures/views.py`` knows the storage keys; every other module of ``procedures/``
reads attributes of the views. ``from_record`` reads what the store holds today and what
earlier versions wrote (keys added later missing, counts as text, days left blank)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from procedures import engine, risks
from procedures.engine import CaseStatus
from procedures.loader import load_catalog
from procedures.views import CaseView, MeetingView, NoticeView, ObjectionView, OpinionView, SealView, StepView, VoteView
from procedures.workdays import WorkCalendar
from tests.sites import CST, NOW, new_site, post_notice, walk_to

PROCEDURES = Path(__file__).resolve().parent.parent / "procedures"
D = dt.date

ALLOWED: dict[str, set[str]] = {
    # The compiled catalog (procedures/compiled.json) read back: {"digest", "matters", "initials"}.
    "compiled.py": {"data"},
    # A matter file's TOML tables and the compiled catalog, parsed into the frozen model.
    "loader.py": {"data", "raw", "compiled"},
    # pypinyin's settings, set before it is imported.
    "search.py": {"os.environ"},
}
"""Per module, the names of mappings that are not stored records, read by string key."""


def string_lookups(source: str) -> list[tuple[int, str, str]]:
    """(line, what is looked up in, key) for every ``x["key"]`` and ``x.get("key", …)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            if isinstance(node.slice.value, str):
                found.append((node.lineno, ast.unparse(node.value), node.slice.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, ast.unparse(node.func.value), first.value))
    return found


def test_the_lookup_finder_sees_record_subscripts_and_gets() -> None:
    source = 'a = record["steps"]\nb = notice.get("posted_on")\nc = case["history"][0]["finished"]\nd = row[0]\n'
    assert string_lookups(source) == [
        (1, "record", "steps"),
        (2, "notice", "posted_on"),
        (3, "case['history'][0]", "finished"),
        (3, "case", "history"),
    ]


@pytest.mark.parametrize("module", sorted(p.name for p in PROCEDURES.glob("*.py") if p.name != "views.py"))
def test_no_module_of_procedures_but_views_reads_records_by_key(module: str) -> None:
    lookups = string_lookups((PROCEDURES / module).read_text(encoding="utf-8"))
    stray = [
        f"{module}:{line} {what}[{key!r}]" for line, what, key in lookups if what not in ALLOWED.get(module, set())
    ]
    assert not stray, "read the typed views of procedures.views instead: " + "; ".join(stray)


# ------------------------------------------------------------------------------ from_record


def stored(tmp_path: Path) -> tuple[dict[str, object], ...]:
    """A case at its notice step with a back-dated notice (and an objection), a meeting with a
    failed vote, a routine seal use: the records as the store holds them now."""
    early = dt.datetime(2026, 11, 10, 9, tzinfo=CST)
    site = new_site(tmp_path / "data", early)
    number = site.cases.open(site.operator, early, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize", early)
    notice = post_notice(site, number, D(2026, 11, 20))
    site.notices.object(site.operator, NOW, str(notice["number"]), NOW.date(), "张某", "有异议")
    meeting = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {"kind": "支委会", "title": "支委会", "start": "2026-11-27 08:00", "expected": 5, "present": 5}
        | {"items": [{"title": "议题", "vote": {"ayes": 2}}]},
    )
    seal = site.seals.new(
        site.operator,
        NOW,
        "城关村",
        {"seal": "村委会", "document": "证明", "purpose": "上报", "approver": "李书记", "keeper": "王文书"}
        | {"routine": True},
    )
    return site.cases.get(number).record, site.notices.get(str(notice["number"])), meeting, seal


def test_views_of_the_records_the_store_writes_now(tmp_path: Path) -> None:
    case, notice, meeting, seal = stored(tmp_path)

    view = CaseView.from_record(case)
    assert (view.number, view.village, view.matter_id) == ("城关村-2026-0001", "城关村", "dibao")
    assert (view.status, view.current) == (CaseStatus.OPEN, "publicize")
    assert (view.opened_on, view.current_since) == (D(2026, 11, 10), D(2026, 11, 20))
    assert view.pending_notice == "城关村-2026-GS0001"
    assert [h.step_id for h in view.history] == ["apply", "accept", "survey", "appraise"]
    assert view.history[-1] == StepView(
        "appraise", D(2026, 11, 10), D(2026, 11, 10), "完成", "", "root", ("城关村-2026-HY0001",)
    )
    state = engine.state_of(view)
    assert (state.current_since, state.finished_on("survey"), len(state.history)) == (
        D(2026, 11, 20),
        D(2026, 11, 10),
        4,
    )

    assert NoticeView.from_record(notice) == NoticeView(
        "城关村-2026-GS0001", "城关村", "城关村-2026-0001", "dibao", "publicize",
        posted_on=D(2026, 11, 20), entered_on=D(2026, 11, 27), backdated=True, rule="公示7日", min_amount=7,
        earliest_end=D(2026, 11, 27), closed_on=None, objections=(ObjectionView(D(2026, 11, 27), None, False),),
    )  # fmt: skip
    minutes = MeetingView.from_record(meeting)
    assert (minutes.kind, minutes.start, minutes.state, minutes.expected) == (
        "支委会",
        dt.datetime(2026, 11, 27, 8, 0),
        "draft",
        5,
    )
    assert [i.passed for i in minutes.items] == [False] and "未通过" in minutes.items[0].arithmetic
    use = SealView.from_record(seal)
    assert (use.date, use.basis, use.approver, use.keeper, use.irregular) == (
        D(2026, 11, 27),
        "routine",
        "李书记",
        "王文书",
        "",
    )


OLD_CASE = {
    # Before progress, current_since and forced_reason were kept (8d667fa) a history entry had
    # no records (a95d030) and steps kept no "by" name; done cases kept no current step.
    "number": "城关村-2026-0007",
    "village": "城关村",
    "matter_id": "dibao",
    "opened_on": "2026-03-02",
    "current_since": "2026-03-09T10:00:00+08:00",
    "status": "done",
    "current": None,
    "history": [
        {"step_id": "apply", "started": "2026-03-02", "finished": "2026-03-02", "outcome": "完成"},
        {"step_id": "accept", "started": "2026-03-02", "finished": "2026-03-09", "outcome": "完成", "by": "wang"},
        "not a step",
    ],
}
OLD_NOTICE = {
    # Before the codec: money and 人数 as typed; the codec also lets a day be blank.
    "number": "城关村-2026-GS0003",
    "village": "城关村",
    "posted_on": "",
    "entered_on": "2026-03-05",
    "min_amount": "7",
    "earliest_end": "",
    "closed_on": "",
    "entries": [{"name": "李某", "household": "3人", "amount": "500元/月"}],
    "objections": [{"received": "2026-03-06", "from": "张某", "content": "有异议", "upheld": 1}],
}
OLD_SEAL = {
    # Before the 情况说明 (11956ac): no irregular; no case or step.
    "number": "城关村-2026-YY0002",
    "village": "城关村",
    "seal": "村委会",
    "date": "2026-03-05",
    "document": "证明",
    "approver": "李书记",
    "keeper": "王文书",
    "basis": None,
}
OLD_MEETING = {
    "number": "城关村-2026-HY0004",
    "village": "城关村",
    "start": "2026-03-05",
    "expected": "5人",
    "items": [{}],
}
OLD_OPINION = {"number": "城关村-2026-YJ0001", "village": "城关村", "kind": "opinion", "target": "城关村-2026-0007"}


def test_views_of_records_an_earlier_version_wrote() -> None:
    case = CaseView.from_record(OLD_CASE)
    assert (case.status, case.current, case.pending_notice) == (CaseStatus.DONE, "", "")
    assert case.current_since == D(2026, 3, 9)
    assert case.history == (
        StepView("apply", D(2026, 3, 2), D(2026, 3, 2), "完成"),
        StepView("accept", D(2026, 3, 2), D(2026, 3, 9), "完成", by="wang"),
    )
    assert engine.state_of(case).finished_on("accept") == D(2026, 3, 9)

    notice = NoticeView.from_record(OLD_NOTICE)
    assert (notice.posted_on, notice.entered_on, notice.min_amount, notice.earliest_end) == (
        None,
        D(2026, 3, 5),
        7,
        None,
    )
    assert (notice.backdated, notice.case, notice.rule) == (False, "", "")
    assert notice.objections == (ObjectionView(D(2026, 3, 6), True, False),)

    seal = SealView.from_record(OLD_SEAL)
    assert (seal.basis, seal.basis_text, seal.irregular, seal.case) == ("", "", "", "")
    meeting = MeetingView.from_record(OLD_MEETING)
    assert (meeting.start, meeting.expected, meeting.items, meeting.state) == (
        dt.datetime(2026, 3, 5),
        5,
        (VoteView(None, ""),),
        "",
    )
    opinion = OpinionView.from_record(OLD_OPINION)
    assert (opinion.target, opinion.step, opinion.finding, opinion.date) == ("城关村-2026-0007", "", "", None)


def test_the_checks_run_over_views_of_old_records_and_skip_what_has_no_day() -> None:
    catalog = load_catalog()
    data = risks.Data(
        cases=[CaseView.from_record(OLD_CASE)],
        meetings=[MeetingView.from_record(OLD_MEETING)],
        notices=[NoticeView.from_record({**OLD_NOTICE, "backdated": True})],
        seals=[SealView.from_record({**OLD_SEAL, "approver": "王文书", "irregular": "书记兼管"})],
    )
    found = risks.run(catalog, data, D(2026, 3, 20), WorkCalendar())
    assert {f.check for f in found} == {"seal-same-person", "minutes-unlocked", "materials-missing"}
    assert not [f for f in found if f.record == OLD_NOTICE["number"]]  # no posting day: nothing to date it by


def test_a_case_without_its_opening_day_is_named_with_the_field() -> None:
    with pytest.raises(ValueError, match="办件 城关村-2026-0007的opened_on"):
        CaseView.from_record({**OLD_CASE, "opened_on": ""})


@pytest.mark.parametrize(("status", "current", "read"), [(None, "apply", "open"), ("closed", "", "done")])
def test_a_case_status_the_engine_does_not_know_is_read_from_its_step(
    status: str | None, current: str, read: str
) -> None:
    assert CaseView.from_record({**OLD_CASE, "status": status, "current": current}).status is CaseStatus(read)
