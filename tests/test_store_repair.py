"""Nothing lost, nothing blessed: repair from the change log, hand edits refused, interrupted
saves told from tampering, a clock set back, numbers never reused, one damaged village."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from store import backups, images, repair
from store.db import Store
from store.errors import ClockBehind, DataDamaged, RecordChangedOutside, StoreError
from store.journal import digest, scan
from store.journal_index import JournalIndex
from store.site import Site
from tests.sites import CST, NOW, new_site
from tests.test_cli_cases import run

START = dt.datetime(2026, 11, 27, 8, 0, tzinfo=CST)


def fresh(site: Site) -> Site:
    return Site(site.root, environ={})


def records_of(site: Site, village: str) -> dict[str, dict[str, Any]]:
    """Every record of ``village`` by target, as stored (cases with their step history)."""
    mine = fresh(site)
    out = {}
    for book in mine.books:
        for record in book.all(every_village=True):
            if record["village"] == village:
                out[book.target(record["number"])] = orjson.loads(orjson.dumps(record))
    return out


def kill_during_flush(site: Site, monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    """Run ``action`` with the process 'killed' after its journal entry, before its data file."""

    class Killed(BaseException):
        pass

    def killed(*args: object) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr("store.db.SafeStorage.flush", killed)
        with pytest.raises(Killed):
            action()


def four_hours_of_work(site: Site) -> int:
    """A save a minute for four hours, most of them in 城关村: cases opened and stepped, so that
    the hourly backups hold only older versions. Returns how many saves were acknowledged."""
    saves = 0
    numbers: list[str] = []
    for minute in range(240):
        now = START + dt.timedelta(minutes=minute)
        village = "南石村" if minute % 5 == 0 else "城关村"
        if minute % 3 == 0 or not numbers:
            numbers.append(site.cases.open(site.operator, now, "dibao", village, f"申请人{minute:03d}").number)
        else:
            number = numbers[minute % len(numbers)]
            case = site.cases.get(number)
            if case.record["current"] == "apply":
                site.cases.complete_step(site.operator, now, number, note=f"第 {minute} 分钟")
            else:
                numbers.append(site.cases.open(site.operator, now, "xinfang", village, f"来访{minute:03d}").number)
        saves += 1
    return saves


@pytest.fixture
def worked(tmp_path: Path) -> Site:
    site = new_site(tmp_path / "data", now=START)
    four_hours_of_work(site)
    return site


def test_a_file_cut_in_half_after_four_hours_comes_back_with_every_save(worked: Site) -> None:
    site = worked
    before = records_of(site, "城关村")
    others = (site.root / "cases" / "南石村" / "2026.json").read_bytes()
    assert len(before) > 150
    path = site.root / "cases" / "城关村" / "2026.json"
    newest = backups.newest_good(site.root, path)
    assert newest is not None  # what the old advice would have restored holds far fewer cases
    in_backup = len(orjson.loads(newest.read_bytes()).get("cases", {}))
    assert in_backup < len([t for t in before if t.startswith("case:")]) - 10
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])

    with pytest.raises(DataDamaged):
        fresh(site).cases.get(next(t for t in before if t.startswith("case:")).partition(":")[2])
    found = repair.plan(fresh(site))
    assert [(r.village, r.state, r.lost) for r in found] == [("城关村", "damaged", [])]
    assert found[0].from_changes == len(before)
    repair.carry_out(fresh(site), START + dt.timedelta(hours=4))

    after = records_of(site, "城关村")
    assert after == before  # every case with its whole step history, to the byte
    assert (site.root / "cases" / "南石村" / "2026.json").read_bytes() == others
    assert list((site.root / "backups" / "damaged").iterdir())  # the damaged file is kept
    report = fresh(site).verify()
    assert report.ok, report.problems
    # Work goes on: a new case gets the next number, never one already given out.
    later = fresh(site)
    highest = max(int(t.rsplit("-", 1)[1]) for t in before if t.startswith("case:"))
    number = later.cases.open(
        later.operator, START + dt.timedelta(hours=4, minutes=1), "dibao", "城关村", "新申请"
    ).number
    assert int(number.rsplit("-", 1)[1]) == highest + 1
    assert fresh(site).verify().ok


def test_a_missing_file_comes_back_and_other_villages_are_untouched(worked: Site) -> None:
    site = worked
    before = records_of(site, "南石村")
    (site.root / "cases" / "南石村" / "2026.json").unlink()
    found = repair.plan(fresh(site), "南石村")
    assert [(r.state, len(r.records), r.lost) for r in found] == [("missing", len(before), [])]
    assert repair.plan(fresh(site), "城关村") == []
    repair.carry_out(fresh(site), START + dt.timedelta(hours=4))
    assert records_of(site, "南石村") == before
    assert fresh(site).verify().ok


def test_a_directory_from_before_change_logs_is_repaired_from_the_log_its_first_save_seeds(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    numbers = [site.cases.open(site.operator, NOW, "dibao", "城关村", f"申请人{i}").number for i in range(5)]
    log = images.log_path(site.root / "cases" / "城关村" / "2026.json")
    log.unlink()  # as a directory made before there were change logs
    for old in (site.root / "backups").rglob("*城关村*"):
        old.unlink()  # and its backups rotated away
    later = fresh(site)
    later.cases.complete_step(later.operator, NOW, numbers[0], note="受理")
    assert {t for _, t, _ in images.read(log)} >= {f"case:{n}" for n in numbers}
    before = records_of(site, "城关村")
    (site.root / "cases" / "城关村" / "2026.json").write_bytes(b"{")
    found = repair.plan(fresh(site))
    assert [(r.state, r.lost) for r in found] == [("damaged", [])]
    repair.carry_out(fresh(site), NOW)
    assert records_of(site, "城关村") == before


def edit_by_hand(site: Site, number: str, **fields: object) -> None:
    village = number.split("-")[0]
    path = site.root / "cases" / village / "2026.json"
    data = json.loads(path.read_text("utf-8"))
    seq = str(int(number.rsplit("-", 1)[1]))
    data["cases"][seq].update(fields)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_a_hand_edit_is_never_blessed_by_the_next_save_and_repair_puts_it_back(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    journal_before = site.store.journal.path.read_bytes()
    edit_by_hand(site, number, subject="李某某低保申请")

    with pytest.raises(RecordChangedOutside) as refused:
        later = fresh(site)
        later.cases.complete_step(later.operator, NOW, number, note="受理")
    assert number in str(refused.value) and "未做任何改动" in str(refused.value)
    assert site.store.journal.path.read_bytes() == journal_before  # nothing journaled
    report = fresh(site).verify()
    assert not report.ok and any(number in p for p in report.problems)
    assert not report.interrupted  # a hand edit is not an interrupted save

    found = repair.plan(fresh(site))
    assert [(r.state, r.wrong, r.lost) for r in found] == [("mismatch", [f"case:{number}"], [])]
    repair.carry_out(fresh(site), NOW)
    assert fresh(site).cases.get(number).record["subject"] == "王某某低保申请"
    later = fresh(site)
    later.cases.complete_step(later.operator, NOW, number, note="受理")
    assert fresh(site).verify().ok


def test_verify_names_a_save_made_over_a_hand_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a save that got past the check (an old program, a forged index) shows in verify:
    its entry's 'before' is not what the journal last said."""
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    edit_by_hand(site, number, subject="李某某低保申请")
    later = fresh(site)
    target = f"case:{number}"
    stored = later.cases.book.raw(number)
    assert stored is not None
    journaled = JournalIndex.digest_of

    def fooled(self: JournalIndex, asked: str) -> str | None:
        return digest(stored) if asked == target else journaled(self, asked)

    monkeypatch.setattr(JournalIndex, "digest_of", fooled)
    later.cases.complete_step(later.operator, NOW, number, note="受理")
    problems = fresh(site).verify().problems
    assert any("保存之前已被直接改动" in p and number in p for p in problems), problems


def test_an_interrupted_save_is_a_warning_not_tampering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number

    later = fresh(site)
    kill_during_flush(site, monkeypatch, lambda: later.cases.complete_step(later.operator, NOW, number, note="受理"))
    report = fresh(site).verify()
    assert report.ok, report.problems
    assert len(report.interrupted) == 1 and number in report.interrupted[0] and "中断" in report.interrupted[0]
    # The next save records it; then there is nothing to warn of.
    again = fresh(site)
    again.cases.open(again.operator, NOW, "dibao", "南石村", "下一次保存")
    report = fresh(site).verify()
    assert report.ok and not report.interrupted and report.recovered == 1


def test_a_number_named_by_an_interrupted_new_is_never_given_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "第一件")

    later = fresh(site)
    kill_during_flush(
        site, monkeypatch, lambda: later.cases.open(later.operator, NOW, "dibao", "城关村", "第二件（中断）")
    )
    journal = [json.loads(line) for line in site.store.journal.path.read_text("utf-8").splitlines()]
    lost_number = journal[-1]["target"].partition(":")[2]
    again = fresh(site)
    number = again.cases.open(again.operator, NOW, "dibao", "城关村", "第三件").number
    assert number != lost_number and number.endswith("0003")
    assert fresh(site).verify().ok


def test_a_clock_set_back_refuses_writes_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Store, "clock_guard", True)
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请")
    journal = site.store.journal.path.read_bytes()
    with pytest.raises(ClockBehind) as refused:
        site.cases.open(site.operator, NOW - dt.timedelta(days=400), "dibao", "城关村", "去年的编号")
    assert "时钟" in str(refused.value) and "未做任何改动" in str(refused.value)
    assert site.store.journal.path.read_bytes() == journal
    # A few minutes back (sessions crossing in the lock, NTP) is fine.
    site.cases.open(site.operator, NOW - dt.timedelta(minutes=3), "dibao", "城关村", "三分钟前")


def test_a_damaged_file_stops_only_its_village(worked: Site) -> None:
    site = worked
    (site.root / "cases" / "城关村" / "2026.json").write_bytes(b'{"cases": ')
    other = fresh(site)
    number = other.cases.open(other.operator, START + dt.timedelta(hours=5), "dibao", "南石村", "南石村的新申请").number
    other.cases.complete_step(other.operator, START + dt.timedelta(hours=5), number, note="受理")
    assert number in [r["number"] for r in other.cases.book.in_village("南石村")]
    listed = fresh(site)
    assert number in [c.number for c in listed.cases.all()]  # the township's list: the other villages
    assert [p.parent.name for p in listed.store.skipped] == ["城关村"]  # and which one is missing
    with pytest.raises(DataDamaged):
        fresh(site).cases.book.in_village("城关村")
    with pytest.raises(DataDamaged):
        fresh(site).cases.open(other.operator, START + dt.timedelta(hours=5), "dibao", "城关村", "城关村的新申请")
    code, out, err = run("--data", str(site.root), "case", "list")
    assert code == 0 and number in out and "城关村的数据文件已损坏" in err


# ----------------------------------------------------------------------------- the command


def test_repair_on_the_command_line_is_for_the_admin_and_dry_run_writes_nothing(worked: Site) -> None:
    from tests.accounts import CADRE, env, register

    site = worked
    register(site.root, f"{CADRE}=王文书:村干部:城关村")
    path = site.root / "cases" / "城关村" / "2026.json"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 3])
    damaged = path.read_bytes()
    journal = site.store.journal.path.read_bytes()

    code, _, err = run("--data", str(site.root), "repair", "--yes", env=env(CADRE))
    assert code == 1 and "管理员" in err
    code, out, err = run("--data", str(site.root), "repair", "--dry-run")
    assert code == 0, err
    assert "城关村/2026.json：已损坏" in out and "未做任何改动" in out
    code, _, err = run("--data", str(site.root), "repair")
    assert code == 1 and "--yes" in err
    assert path.read_bytes() == damaged and site.store.journal.path.read_bytes() == journal

    code, out, err = run("--data", str(site.root), "repair", "--village", "城关村", "--yes")
    assert code == 0, err
    assert "已修复" in out and "backups/damaged" in out
    entries, broken = scan(site.store.journal.path)
    assert broken is None and entries[-1]["action"] == "repair"
    assert entries[-1]["detail"]["lost"] == [] and entries[-1]["detail"]["state"] == "damaged"
    code, out, err = run("--data", str(site.root), "verify")
    assert code == 0, out + err
    code, out, _ = run("--data", str(site.root), "repair", "--dry-run")
    assert "不需要修复" in out


def test_repair_refuses_a_broken_journal(worked: Site) -> None:
    site = worked
    path = site.store.journal.path
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:5] + lines[6:]))
    with pytest.raises(StoreError) as refused:
        repair.plan(fresh(site))
    assert "日志" in str(refused.value) and "未做任何改动" in str(refused.value)


# ----------------------------------------------------------------------------- the adversary's round


def test_repair_after_an_interrupted_save_leaves_what_the_journal_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repair plans under the lock, after the cut-off save is recorded: it never brings back a
    change the journal calls undone (which verify would then call a hand edit)."""
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    later = fresh(site)
    kill_during_flush(site, monkeypatch, lambda: later.cases.complete_step(later.operator, NOW, number, note="受理"))
    assert fresh(site).verify().interrupted
    repair.carry_out(fresh(site), NOW)
    report = fresh(site).verify()
    assert report.ok and not report.interrupted, report.problems
    assert fresh(site).cases.get(number).record["current"] == "apply"
    again = fresh(site)
    again.cases.complete_step(again.operator, NOW, number, note="受理")
    assert fresh(site).verify().ok


def test_undoing_the_last_save_by_hand_is_tampering_not_an_interruption(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    first = site.cases.book.raw(number)
    site.cases.complete_step(site.operator, NOW, number, note="已入户")
    path = site.root / "cases" / "城关村" / "2026.json"
    data = json.loads(path.read_text("utf-8"))
    data["cases"]["1"] = first  # the previous version, as the change log holds it
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    report = fresh(site).verify()
    assert not report.ok and not report.interrupted and any(number in p for p in report.problems)
    other = fresh(site)
    other.cases.open(other.operator, NOW, "dibao", "南石村", "另一件")  # recovery must not bless the undo
    entries, _ = scan(site.store.journal.path)
    assert "recovered" not in [e["action"] for e in entries]
    assert not fresh(site).verify().ok
    repair.carry_out(fresh(site), NOW)
    assert fresh(site).cases.get(number).record["current"] != "apply"  # the clerk's step is back
    assert fresh(site).verify().ok


def test_a_save_made_while_the_clock_ran_fast_is_confirmed_by_the_admin_not_waited_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import Refused
    from tests.accounts import CADRE, open_as, register

    monkeypatch.setattr(Store, "clock_guard", True)
    site = new_site(tmp_path / "data")
    register(site.root, f"{CADRE}=王文书:村干部:城关村")
    fast = NOW + dt.timedelta(days=359)
    site.cases.open(site.operator, fast, "dibao", "城关村", "时钟偏快时的保存")
    with pytest.raises(ClockBehind):
        fresh(site).cases.open(site.operator, NOW, "dibao", "城关村", "现在")
    report = fresh(site).verify(now=NOW)
    assert any("晚于现在" in line for line in report.clock), report.clock
    with pytest.raises(Refused):
        open_as(site.root, CADRE).accept_clock(NOW)  # only a 管理员 decides the clock is right
    admin = fresh(site)
    assert admin.accept_clock(NOW).startswith(fast.date().isoformat())
    again = fresh(site)
    again.cases.open(again.operator, NOW, "dibao", "城关村", "现在")
    report = fresh(site).verify(now=NOW)
    assert report.ok, report.problems
    assert [c.kind for c in report.changes][-1] == "时钟"
    assert any("时钟偏快" in line for line in report.changes[-1].changes)


def test_verify_with_a_damaged_file_still_names_everything_else(worked: Site) -> None:
    site = worked
    (site.root / "cases" / "城关村" / "2026.json").write_bytes(b"")
    path = site.root / "cases" / "南石村" / "2026.json"
    data = json.loads(path.read_text("utf-8"))
    data["cases"]["1"]["subject"] = "改过的事由"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, out, _ = run("--data", str(site.root), "verify", "--json")
    report = json.loads(out)
    assert code == 3 and not report["ok"]
    assert any("城关村" in p and "损坏" in p for p in report["problems"])
    assert any("南石村-2026-0001" in p for p in report["problems"])
    assert not any("城关村-2026-" in p for p in report["problems"])  # one problem for the file, not one a record


def test_a_repair_is_listed_for_the_committee(worked: Site) -> None:
    site = worked
    path = site.root / "cases" / "城关村" / "2026.json"
    path.write_bytes(path.read_bytes()[:100])
    repair.carry_out(fresh(site), START + dt.timedelta(hours=4))
    change = fresh(site).verify().changes[-1]
    assert change.kind == "修复" and "cases/城关村/2026.json" in change.changes[0]


def test_compaction_keeps_the_version_before_the_newest(tmp_path: Path) -> None:
    log = tmp_path / "2026.changes.jsonl"
    lines = [images.encode(seq, "case:城关村-2026-0001", {"seq": 1, "v": seq}) for seq in range(1, 6)]
    log.write_bytes(b"".join(lines))
    assert images.maybe_compact(log, 0, 0o600) is False  # small: left alone
    monkey = images.COMPACT_MIN
    try:
        images.COMPACT_MIN = 1
        assert images.maybe_compact(log, 0, 0o600)
    finally:
        images.COMPACT_MIN = monkey
    assert [seq for seq, _, _ in images.read(log)] == [4, 5]
