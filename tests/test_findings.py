"""The kept findings (``store.findings``): ``cunwu risks``, the 监督 screen and the supervision
report read a file per village instead of every record, and what they give is what every
record says — on any day, after another user's save, after the catalogue changes; a hand-made
file is named by verify and written again by repair."""

from __future__ import annotations

import datetime as dt
import errno
import stat
from pathlib import Path

import orjson
import pytest

from procedures import risks
from procedures.views import MeetingView, NoticeView, SealView
from store import findings
from store import settings as settings_mod
from store.site import Site
from tests.accounts import CADRE_SOUTH, open_as, register
from tests.sites import NOW, at, new_site, post_notice, walk_to
from tests.test_risks import assembly, low_income, major_seal_case, petition

D = dt.date
DAYS = (D(2026, 11, 27), D(2026, 12, 1), D(2026, 12, 3), D(2026, 12, 5), D(2026, 12, 28), D(2027, 3, 1))
"""Before and after each threshold of the checks on ``varied``'s records."""


def varied(site: Site) -> dict[str, str]:
    """Records that the checks see in every way, in both villages."""
    op = site.operator
    made = {"unposted": low_income(site), "posted": low_income(site, "李某某低保申请")}
    post_notice(site, made["posted"], D(2026, 12, 5), now=at(D(2026, 12, 5)))
    made["petition"] = petition(site)
    made["seal"] = major_seal_case(site, {"routine": True})
    mediation = site.cases.open(op, NOW, "maodun-jiufen", "南石村", "邻里宅基地纠纷").number
    walk_to(site, mediation, "follow-up", choose={"dispute": "当事人申请受理", "mediate": "化解"})
    forced = site.cases.open(op, NOW, "fazhan-dangyuan", "南石村", "张某入党").number
    walk_to(site, forced, "cultivate")
    site.cases.complete_step(op, NOW, forced, force_reason="县委组织部批准缩短")
    site.meetings.new(op, NOW, "南石村", assembly("2026-11-20 09:00", 25))
    withdrawn = site.cases.open(op, NOW, "xinfang", "南石村", "赵某来访").number
    site.amendments.withdraw(op, NOW, withdrawn, "来访人撤回")
    made.update(mediation=mediation, forced=forced, withdrawn=withdrawn)
    return made


def from_every_record(site: Site, today: dt.date) -> list[risks.Finding]:
    """The findings worked out from every record read whole, as before there were findings files."""
    cases = site.cases.all()
    done = site.done_by_village(cases, today)
    data = risks.Data(
        cases=[c.view() for c in cases],
        meetings=[MeetingView.from_record(m) for m in site.meetings.book.all()],
        notices=[NoticeView.from_record(n) for n in site.notices.book.all()],
        seals=[SealView.from_record(s) for s in site.seals.book.all()],
        done={name: done.get(name, {}) for name in site.villages},
        since=dt.date.fromisoformat(site.settings.since) if site.settings.since else None,
    )
    return risks.run(site.catalog, data, today, site.cal)


def kept_files(site: Site) -> list[Path]:
    return sorted((site.root / "cases").glob(f"*/{findings.NAME}"))


def test_what_is_kept_gives_what_every_record_says_on_every_day(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    assert kept_files(site) == []
    checks = set()
    for today in DAYS:  # each day in a new session: the first finds and keeps, the others read
        got = Site(site.root, environ={}).risks(today)
        assert got == from_every_record(Site(site.root, environ={}), today), today
        checks |= {f.check for f in got}
    assert len(kept_files(site)) == 2, "one per village"
    assert {
        "notice-late",
        "deadline-missed",
        "seal-basis",
        "decision-no-meeting",
        "minutes-unlocked",
        "materials-missing",
        "no-follow-up",
        "forced-step",
        "case-withdrawn",
    } <= checks


def test_a_session_with_current_files_reads_no_record(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    expected = site.risks(D(2026, 12, 28))
    fresh = Site(site.root, environ={})
    assert fresh.risks(D(2026, 12, 28)) == expected
    assert not any(p.storage.holds() for p in fresh.store.partitions()), "no data file was parsed"


def test_another_user_s_save_is_seen_and_only_its_village_found_again(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    site.risks(NOW.date())
    south, north = kept_files(site)[0], kept_files(site)[1]
    assert "南石村" in str(south) and "城关村" in str(north)
    before = south.stat().st_mtime_ns, north.stat().st_ino
    other = Site(site.root, environ={})  # another user's session
    number = other.cases.open(other.operator, NOW, "dibao", "城关村", "孙某低保申请").number
    other.cases.complete_step(other.operator, NOW, number)  # its materials not ticked
    (missing,) = [f for f in site.risks(NOW.date()) if f.case == number]
    assert (missing.check, missing.village) == ("materials-missing", "城关村")
    assert south.stat().st_mtime_ns == before[0], "南石村's records did not change: its file is read"
    assert north.stat().st_ino != before[1], "城关村's was found again and kept"
    assert site.risks(NOW.date()) == from_every_record(site, NOW.date())


def test_a_local_time_limit_finds_again(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某反映排水问题").number
    walk_to(site, number, "transfer", now=at(D(2026, 11, 30)), choose={"entry": "接待"})
    site.cases.complete_step(site.operator, at(D(2026, 12, 2)), number)  # in time: three days
    assert [f for f in site.risks(D(2026, 12, 5)) if f.check == "deadline-missed"] == []
    site.change_settings(NOW, settings_mod.Change(timers=("xinfang.transfer=1",)))
    fresh = Site(site.root, environ={})
    (late,) = [f for f in fresh.risks(D(2026, 12, 5)) if f.check == "deadline-missed"]
    assert (late.case, late.severity) == (number, risks.Severity.AMBER)
    assert fresh.risks(D(2026, 12, 5)) == from_every_record(fresh, D(2026, 12, 5))


def forged(tmp_path: Path) -> tuple[Site, str, Path]:
    """A findings file that leaves out a red finding, with the right signatures."""
    site = new_site(tmp_path / "data")
    made = varied(site)
    assert any(f.check == "seal-basis" for f in site.risks(NOW.date()))
    path = next(p for p in kept_files(site) if "城关村" in str(p))
    kept = orjson.loads(path.read_bytes())
    kept["findings"] = [row for row in kept["findings"] if row[0] != "seal-basis"]
    path.write_bytes(orjson.dumps(kept))
    return site, made["seal"], path


def test_a_hand_made_file_is_named_by_verify_and_written_again_by_repair(tmp_path: Path) -> None:
    from store import repair

    site, seal_case, path = forged(tmp_path)
    fresh = Site(site.root, environ={})
    assert not any(f.check == "seal-basis" for f in fresh.risks(NOW.date())), "the file is what risks reads"
    report = fresh.verify()
    (problem,) = report.problems
    assert str(path) in problem and "不符" in problem
    written: list[Path] = []
    assert repair.carry_out(fresh, NOW, findings=written) == [], "no record needed repair"
    assert written == [path]
    assert Site(site.root, environ={}).verify().ok
    (red,) = [f for f in Site(site.root, environ={}).risks(NOW.date()) if f.check == "seal-basis"]
    assert red.case == seal_case


def test_the_repair_command_says_it_wrote_the_findings_again(tmp_path: Path) -> None:
    from tests.test_cli_cases import run

    site, seal_case, _ = forged(tmp_path)
    code, out, err = run("--data", str(site.root), "verify")
    assert code != 0 and "风险提示汇总文件" in out + err
    code, out, err = run("--data", str(site.root), "repair", "--yes")
    assert code == 0, err
    assert "重新生成了 1 个风险提示汇总文件" in out and "未做任何改动" not in out
    code, out, err = run("--data", str(site.root), "risks", "--json")
    assert code == 0 and any(f["check"] == "seal-basis" and f["case"] == seal_case for f in orjson.loads(out))


def test_a_stale_file_is_no_problem_for_verify(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    site.risks(NOW.date())
    path = kept_files(site)[0]
    stale = orjson.loads(path.read_bytes())
    stale["sources"][0][2] -= 1
    stale["findings"].clear()
    path.write_bytes(orjson.dumps(stale))
    fresh = Site(site.root, environ={})
    assert fresh.verify().ok, "made from another version of the files: never read"
    assert fresh.risks(NOW.date()) == from_every_record(fresh, NOW.date())


def test_kept_findings_are_not_for_others_to_read(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    site.risks(NOW.date())
    for path in kept_files(site):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_full_disk_leaves_the_findings_right(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = new_site(tmp_path / "data")
    varied(site)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(findings, "atomic_write", full)
    got = site.risks(D(2026, 12, 5))
    assert kept_files(site) == []
    monkeypatch.undo()
    assert got == from_every_record(site, D(2026, 12, 5))
    assert Site(site.root, environ={}).verify().ok


def test_a_damaged_data_file_is_left_out_and_nothing_kept_for_its_village(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    varied(site)
    damaged = site.root / "cases" / "南石村" / "2026.json"
    damaged.write_bytes(b"{not json")
    fresh = Site(site.root, environ={})
    got = fresh.risks(NOW.date())
    assert {f.village for f in got if f.case} == {"城关村"}
    assert damaged in fresh.store.skipped
    assert [p.parent.name for p in kept_files(site)] == ["城关村"]


def test_a_cadre_reads_and_keeps_only_their_village(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    register(site.root)
    site = Site(site.root, environ={})
    varied(site)
    south = open_as(site.root, CADRE_SOUTH)
    got = south.risks(NOW.date())
    assert got and {f.village for f in got} == {"南石村"}
    assert [p.parent.name for p in kept_files(site)] == ["南石村"]
    assert got == [f for f in site.risks(NOW.date()) if f.village == "南石村"]


def test_the_fingerprint_follows_the_catalogue(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    first = site.risk_fingerprint()
    assert Site(site.root, environ={}).risk_fingerprint() == first
    site.change_settings(NOW, settings_mod.Change(timers=("xinfang.transfer=1",)))
    assert Site(site.root, environ={}).risk_fingerprint() != first
