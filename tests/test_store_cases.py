"""Cases in the store: numbers, steps, time rules, conflicts, what another session sees."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from store.errors import BadInput, Conflict, NotFound, Refused
from store.site import Site
from store.verify import verify
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def test_numbers_are_per_village_and_year(site: Site) -> None:
    a = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请")
    b = site.cases.open(site.operator, NOW, "dibao", "城关村", "李某某低保申请")
    c = site.cases.open(site.operator, NOW, "xinfang", "南石村", "张某来访")
    d = site.cases.open(site.operator, at(D(2027, 1, 4)), "dibao", "城关村", "赵某某")
    assert [a.number, b.number, c.number, d.number] == [
        "城关村-2026-0001",
        "城关村-2026-0002",
        "南石村-2026-0001",
        "城关村-2027-0001",
    ]
    assert a.record["current"] == "apply" and a.rev == 1


def test_a_notice_step_refuses_before_its_day_and_records_a_forced_close(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    walk_to(site, number, "publicize")
    with pytest.raises(Refused, match="须先登记公示"):
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "无异议")
    post_notice(site, number)
    with pytest.raises(Refused, match="2026年12月5日起方可完成"):
        site.cases.complete_step(site.operator, at(D(2026, 12, 4), 23), number, "无异议")
    assert site.cases.get(number).record["current"] == "publicize", "a refusal changes nothing"
    case = site.cases.complete_step(
        site.operator, at(D(2026, 12, 3)), number, "无异议", force_reason="乡镇通知提前上报"
    )
    assert case.record["history"][-1]["forced_reason"] == "乡镇通知提前上报"
    last = site.store.journal.last()
    assert last is not None and last["action"] == "case.step.forced" and last["detail"]["forced"] is True
    report = verify(site.store, site.records())
    assert report.ok and report.forced == 1


def test_history_keeps_who_when_outcome_note_and_progress(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    case = site.cases.get(number)
    site.cases.save_progress(site.operator, NOW, number, case.rev, materials=["低保申请书"], note="材料已收")
    with pytest.raises(BadInput, match="本步骤没有这些材料"):
        site.cases.save_progress(site.operator, NOW, number, case.rev + 1, materials=["结婚证"])
    done = site.cases.complete_step(site.operator, NOW, number)
    entry = done.record["history"][0]
    assert entry["step_id"] == "apply" and entry["outcome"] == "完成"
    assert entry["materials"] == ["低保申请书"] and entry["note"] == "材料已收"
    assert entry["by"] == site.operator.account and entry["at"].startswith("2026-11-27T09:30")
    assert done.record["progress"] == {"checklist": [], "materials": [], "note": "", "notice": ""}


def test_two_sessions_conflict_instead_of_overwriting(site: Site, tmp_path: Path) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    other = Site(site.root, environ={})
    mine, theirs = site.cases.get(number), other.cases.get(number)
    assert mine.rev == theirs.rev == 1
    site.cases.complete_step(site.operator, NOW, number, expected_rev=mine.rev)
    with pytest.raises(Conflict, match=r"已被 .* 修改"):
        other.cases.complete_step(other.operator, NOW, number, expected_rev=theirs.rev)
    assert other.cases.get(number).rev == 2


def test_another_process_sees_a_new_case_on_its_next_read(site: Site) -> None:
    other = Site(site.root, environ={})
    assert other.cases.all() == []
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    assert [c.number for c in other.cases.all()] == [number]
    site.cases.complete_step(site.operator, NOW, number)
    assert other.cases.get(number).record["current"] == "accept"


def test_unknown_matter_village_and_case(site: Site) -> None:
    with pytest.raises(NotFound, match="没有编号为“nope”的事项"):
        site.cases.open(site.operator, NOW, "nope", "城关村", "x")
    with pytest.raises(NotFound, match="不在本乡镇的村名单中"):
        site.cases.open(site.operator, NOW, "dibao", "火星村", "x")
    with pytest.raises(NotFound, match="没有编号为“城关村-2026-0099”的办件"):
        site.cases.get("城关村-2026-0099")
    with pytest.raises(BadInput, match="格式不对"):
        site.cases.get("0099")
    assert site.cases.open(site.operator, NOW, "dibao", "城关村", "x").number == "城关村-2026-0001"
    assert site.cases.get("城关村－２０２６－０００１").number == "城关村-2026-0001"


@pytest.mark.parametrize(
    "subject",
    ["[bold]王[/]某", "[@click=app.quit]", "李\x1b[31m四\x07", "张三😀", "王\ud800五", "A\u200bB\ufeff"],
)
def test_hostile_text_round_trips_cleaned(site: Site, subject: str) -> None:
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", subject)
    stored = site.cases.get(case.number).subject
    assert "\x1b" not in stored and "\x07" not in stored and "\ud800" not in stored
    if subject.startswith("["):
        assert stored == subject, "markup is kept as typed text"
    assert verify(site.store, site.records()).ok


def test_oversized_text_is_refused_with_a_message(site: Site) -> None:
    with pytest.raises(BadInput, match="办件事由太长（100000 字），最多 200 字"):
        site.cases.open(site.operator, NOW, "dibao", "城关村", "字" * 100_000)
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    with pytest.raises(BadInput, match="备注太长"):
        site.cases.complete_step(site.operator, NOW, number, note="字" * 100_000)
    long_note = "字" * 15_000
    case = site.cases.complete_step(site.operator, NOW, number, note=long_note)
    assert case.record["history"][-1]["note"] == long_note
    with pytest.raises(BadInput, match="办件事由不能为空"):
        site.cases.open(site.operator, NOW, "dibao", "城关村", " \x00 ")


def test_files_are_private(site: Site) -> None:
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某")
    for path in [site.root, *site.root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path} is world-accessible: {oct(mode)}"


def test_file_is_readable_utf8_json(site: Site) -> None:
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请")
    text = (site.root / "cases" / "城关村" / "2026.json").read_text(encoding="utf-8")
    assert "王某某低保申请" in text
    assert json.loads(text)["cases"]["1"]["number"] == "城关村-2026-0001"


def test_due_lists_overdue_first(site: Site) -> None:
    petition = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某来访").number
    walk_to(site, petition, "transfer", choose={"entry": "接待"})
    notice = site.cases.open(site.operator, NOW, "dibao", "南石村", "王某某").number
    walk_to(site, notice, "publicize")
    post_notice(site, notice)
    items = site.due(D(2026, 12, 2), within=7)
    first = items[0]
    assert (first.number, first.state, first.kind) == (petition, "overdue", "deadline")
    assert "已超期" in first.text
    waiting = next(i for i in items if i.number == notice)
    assert waiting.state == "waiting" and waiting.due == D(2026, 12, 5)
    # Records start on 11月27日: November's duties are not called missed; December's fall due on
    # the 31st, beyond 7 days, and show when asked for 30.
    assert not [i for i in items if i.kind == "recurring"]
    recurring = [i for i in site.due(D(2026, 12, 2), within=30) if i.kind == "recurring"]
    assert recurring and all(i.state == "due" and i.due == D(2026, 12, 31) for i in recurring)
    later = site.due(D(2027, 1, 5), within=0)
    missed = [i for i in later if i.state == "missed"]
    assert missed and all(i.due == D(2026, 12, 31) for i in missed if i.rule.endswith("每月召开1次"))
    assert {i.village for i in site.due(D(2026, 12, 2), 7, village="南石村")} == {"南石村"}


def test_a_worker_threads_site_shares_no_cached_records(tmp_path: Path) -> None:
    """A save on the app's thread changes TinyDB's cached records in place; a worker reading
    through ``for_thread`` must never see them change under it."""
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    worker = site.for_thread()
    (seen,) = worker.cases.all()
    site.cases.complete_step(site.operator, NOW, number)
    assert seen.record["history"] == [] and seen.record["rev"] == 1  # untouched by the other thread's save
    (fresh,) = worker.cases.all()
    assert fresh.record["rev"] == 2 and fresh.record is not site.cases.get(number).record
