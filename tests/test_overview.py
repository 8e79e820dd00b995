"""The overviews (``store.overview``): home and ``cunwu due`` read a small file per village and
year instead of every record, and what they read is what the records say — after every kind
of save, after a save cut off between the two files, a stale or hand-made overview, a matter
file that adds a recurring duty."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import orjson
import pytest

from store import overview
from store.errors import StoreError
from store.files import signature
from store.site import Site
from store.worklist import work_list
from tests.accounts import CADRE_SOUTH, open_as, register
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date


def busy(site: Site) -> dict[str, str]:
    """Cases and meetings in every state a save can leave them in, in both villages."""
    op = site.operator
    made = {
        "open": site.cases.open(op, NOW, "dibao", "城关村", "王某某低保申请").number,
        "walked": site.cases.open(op, NOW, "dibao", "南石村", "李某某低保申请").number,
        "undated": site.cases.open(op, NOW, "xinfang", "南石村", "张某来访").number,
        "withdrawn": site.cases.open(op, NOW, "xinfang", "城关村", "赵某来访").number,
        "reopened": site.cases.open(op, NOW, "dibao", "城关村", "钱某低保申请").number,
        "recurring": site.cases.open(op, NOW, "cunwu-gongkai", "城关村", "十一月村务公开").number,
    }
    walk_to(site, made["walked"], "publicize")  # leaves the 民主评议 minutes as a draft
    post_notice(site, made["walked"], dt.date(2026, 11, 30))  # to be posted on Monday
    site.amendments.withdraw(op, NOW, made["withdrawn"], "来访人撤回")
    site.cases.complete_step(op, NOW, made["reopened"])
    site.amendments.reopen(op, NOW, made["reopened"], "材料登记错了")
    site.cases.complete_step(op, NOW, made["recurring"])
    fields = {"kind": "支委会", "title": "支委会", "start": "2026-11-20 09:00", "host": "李书记"}
    fields |= {
        "recorder": "王文书",
        "expected": 5,
        "present": 4,
        "items": [{"title": "工作安排", "vote": {"ayes": 4, "nays": 0, "abstain": 0}, "resolution": "同意"}],
    }
    held = site.meetings.new(op, NOW, "南石村", fields)
    site.meetings.confirm(op, NOW, held["number"])
    made["meeting"] = held["number"]
    site.opinions.add(op, NOW, made["open"], "请补充收入证明")
    site.opinions.add(
        op, NOW, "", "本月支委会未见记录", "recurring-missed|南石村/zhibu-weiyuanhui|x|2026-11-01", "南石村"
    )
    return made


def full(site: Site, path: Path) -> overview.Overview:
    """The overview made whole from a data file, as a reader with no overview file makes it."""
    return overview.build(orjson.loads(path.read_bytes()), signature(path), site.store.recurring)


def data_files(site: Site) -> list[Path]:
    return sorted(site.root.glob("cases/*/[0-9][0-9][0-9][0-9].json"))


def test_every_save_leaves_the_overview_its_data_file_says(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    busy(site)
    files = data_files(site)
    assert len(files) == 2
    for path in files:
        written = orjson.loads(overview.path_for(path).read_bytes())
        assert written == full(site, path), f"{path}: updated save by save, it is the one made whole"
        assert written["source"] == list(signature(path) or ())


def test_the_work_list_reads_what_the_records_say(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    made = busy(site)
    records = [c for c in site.cases.find() if c.status.value == "open"]
    rows = site.open_cases()
    assert sorted(r.number for r in rows) == sorted(c.number for c in records)
    assert made["withdrawn"] not in {r.number for r in rows}
    by_number = {r.number: r for r in rows}
    for case in records:
        row = by_number[case.number]
        assert (row.village, row.subject, row.matter_id) == (case.village, case.subject, case.matter_id)
        assert row.state() == case.state()
    recurring = {f"{m}.{s.id}" for m in site.store.recurring for s in site.catalog.get(m).steps}
    for day in (D(2026, 11, 19), NOW.date(), D(2027, 1, 5)):
        every = site.done_by_village(today=day)
        wanted = {v: {k: sorted(d) for k, d in keys.items() if k in recurring} for v, keys in every.items()}
        got = {v: {k: sorted(d) for k, d in keys.items()} for v, keys in site.duty_done(day).items()}
        assert {v: k for v, k in got.items() if k} == {v: k for v, k in wanted.items() if k}, day
    assert site.duty_done(NOW.date())["南石村"]["zhibu-weiyuanhui.resolve"] == [D(2026, 11, 20)]
    (draft,) = work_list(site, NOW.date()).drafts
    assert draft.case == made["walked"]


def test_a_stale_or_missing_overview_is_made_again_from_the_data(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    made = busy(site)
    before = work_list(site, NOW.date())
    path = next(p for p in data_files(site) if p.parent.name == "城关村")
    # A save cut off after its data file and before its overview: the overview names the old file.
    stale = orjson.loads(overview.path_for(path).read_bytes())
    stale["cases"].pop(made["open"])
    stale["source"][0] += 1
    overview.path_for(path).write_bytes(orjson.dumps(stale))
    fresh = Site(site.root, environ={})
    assert fresh.open_cases("城关村") and made["open"] in {r.number for r in fresh.open_cases("城关村")}
    assert work_list(fresh, NOW.date()) == before
    # The reader that made it again kept it: the next one reads it (a closed year sees no saves).
    assert orjson.loads(overview.path_for(path).read_bytes()) == full(site, path)
    overview.path_for(path).unlink()
    assert work_list(Site(site.root, environ={}), NOW.date()) == before
    assert orjson.loads(overview.path_for(path).read_bytes()) == full(site, path)
    assert stat.S_IMODE(overview.path_for(path).stat().st_mode) == 0o600
    # The next save of that village and year writes it again.
    site.cases.complete_step(site.operator, NOW, made["open"])
    assert orjson.loads(overview.path_for(path).read_bytes()) == full(site, path)


def test_overviews_are_not_for_others_to_read(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    busy(site)
    for path in data_files(site):
        mode = stat.S_IMODE(os.stat(overview.path_for(path)).st_mode)
        assert mode == 0o600, f"{path}: the 事由 name applicants"


def test_a_matter_that_gains_a_recurring_duty_is_read_from_the_data(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    busy(site)
    # The overviews were made for these matters; a catalogue with another set reads the data.
    site.store.recurring = site.store.recurring - {"cunwu-gongkai"}
    assert all(k.split(".")[0] != "cunwu-gongkai" for v in site.duty_done(NOW.date()).values() for k in v)
    site.store.recurring = site.store.recurring | {"cunwu-gongkai"}
    assert any(k.split(".")[0] == "cunwu-gongkai" for v in site.duty_done(NOW.date()).values() for k in v)


def test_a_village_outside_the_account_s_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "data"
    site = new_site(root)
    register(root)
    busy(site)
    south = open_as(root, CADRE_SOUTH)
    assert {r.village for r in south.open_cases()} == {"南石村"}
    assert set(south.duty_done(NOW.date())) <= {"南石村"}
    with pytest.raises(StoreError):
        south.open_cases("城关村")


def test_a_late_save_after_another_process_s_uses_its_overview(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    made = busy(site)
    other = Site(site.root, environ={})
    other.cases.complete_step(other.operator, at(D(2026, 11, 28)), made["open"])
    site.cases.complete_step(site.operator, at(D(2026, 11, 28)), made["reopened"])
    for path in data_files(site):
        assert orjson.loads(overview.path_for(path).read_bytes()) == full(site, path)


def forged(tmp_path: Path) -> tuple[Site, dict[str, str], Path]:
    """A site whose 城关村 overview someone with write access changed to hide an open case from
    home and ``due``, keeping its source (the data file's signature): the site, its records, the
    data file."""
    site = new_site(tmp_path / "data")
    made = busy(site)
    path = next(p for p in data_files(site) if p.parent.name == "城关村")
    found = orjson.loads(overview.path_for(path).read_bytes())
    del found["cases"][made["open"]]
    overview.path_for(path).write_bytes(orjson.dumps(found))
    return site, made, path


def test_a_hand_made_overview_is_named_by_verify_and_written_again_by_repair(tmp_path: Path) -> None:
    from store import repair

    site, made, path = forged(tmp_path)
    fresh = Site(site.root, environ={})
    assert made["open"] not in {r.number for r in fresh.open_cases()}, "the overview is what home reads"
    report = fresh.verify()
    assert not report.ok
    (problem,) = report.problems
    assert str(overview.path_for(path)) in problem and "不符" in problem
    written: list[Path] = []
    assert repair.carry_out(fresh, NOW, overviews=written) == [], "no record needed repair"
    assert written == [overview.path_for(path)]
    assert Site(site.root, environ={}).verify().ok
    assert made["open"] in {r.number for r in Site(site.root, environ={}).open_cases()}


def test_a_stale_overview_is_no_problem_for_verify(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    busy(site)
    path = data_files(site)[0]
    stale = orjson.loads(overview.path_for(path).read_bytes())
    stale["source"][1] -= 1
    stale["cases"].clear()
    overview.path_for(path).write_bytes(orjson.dumps(stale))
    assert Site(site.root, environ={}).verify().ok, "made from another version of the file: never read"


def test_the_repair_command_says_it_wrote_the_overviews_again(tmp_path: Path) -> None:
    from tests.test_cli_cases import run

    site, made, _ = forged(tmp_path)
    code, out, err = run("--data", str(site.root), "verify")
    assert code != 0 and "概览文件" in out + err
    code, out, err = run("--data", str(site.root), "repair", "--yes")
    assert code == 0, err
    assert "重新生成了 1 个概览文件" in out and "不需要修复" in out and "未做任何改动" not in out
    code, out, err = run("--data", str(site.root), "due")
    assert code == 0 and made["open"] in out
    code, out, err = run("--data", str(site.root), "verify")
    assert code == 0, out + err


def test_a_full_disk_at_the_overview_leaves_the_save_made_and_home_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    site = new_site(tmp_path / "data")
    made = busy(site)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(overview, "atomic_write", full)
    site.cases.complete_step(site.operator, NOW, made["open"])
    monkeypatch.undo()
    assert site.cases.get(made["open"]).record["current"] != "apply", "the save itself was made"
    fresh = Site(site.root, environ={})
    (row,) = [r for r in fresh.open_cases() if r.number == made["open"]]
    assert row.state() == fresh.cases.get(made["open"]).state(), "the old overview is not read"
    assert fresh.verify().ok


def test_the_work_list_works_out_again_only_the_files_saved_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import settings as settings_mod
    from store import worklist

    site = new_site(tmp_path / "data")
    busy(site)
    other = Site(site.root, environ={})  # another user's session
    worked: list[str] = []
    original = worklist.part_work
    monkeypatch.setattr(
        worklist, "part_work", lambda s, name, *rest: (worked.append(name), original(s, name, *rest))[1]
    )
    first = work_list(site, NOW.date())
    assert sorted(worked) == ["南石村", "城关村"]
    worked.clear()
    assert work_list(site, NOW.date()) == first and worked == [], "nothing saved: nothing worked out"
    other.cases.open(other.operator, NOW, "xinfang", "南石村", "孙某来访")
    after = work_list(site, NOW.date())
    assert worked == ["南石村"], "only the file the other user saved"
    assert after == work_list(Site(site.root, environ={}), NOW.date()), "the same as read afresh"
    worked.clear()
    later = dt.date(2026, 12, 10)
    mine = work_list(site, later)
    assert len(worked) == 2, "a new day: every file worked out for it"
    assert mine == work_list(Site(site.root, environ={}), later)
    # A local time limit changes the due dates: everything is worked out with it.
    transfer = site.cases.open(site.operator, NOW, "xinfang", "城关村", "周某来访").number
    walk_to(site, transfer, "transfer", choose={"entry": "接待"})
    before = {i.number: (i.due, i.rule) for i in work_list(site, NOW.date(), within=30).cases}
    site.change_settings(NOW, settings_mod.Change(timers=("xinfang.transfer=1",)))
    site.refresh()
    changed = {i.number: (i.due, i.rule) for i in work_list(site, NOW.date(), within=30).cases}
    fresh = Site(site.root, environ={})
    assert changed == {i.number: (i.due, i.rule) for i in work_list(fresh, NOW.date(), within=30).cases}
    assert before.keys() == changed.keys() and before[transfer] != changed[transfer]


def test_a_record_s_opinions_are_read_from_the_files_that_hold_them(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    made = busy(site)
    fresh = Site(site.root, environ={})
    assert fresh.opinions.find("南石村", made["walked"]) == []
    assert fresh.opinions.about_case(made["walked"], [made["meeting"]]) == []
    assert not any(p.storage.holds() for p in fresh.store.partitions()), "no file holds one: none parsed"
    (on_case,) = fresh.opinions.about_case(made["open"])
    assert on_case["text"] == "请补充收入证明"
    (opinion,) = fresh.opinions.find("城关村", made["open"])
    assert opinion["text"] == "请补充收入证明"
    key = "recurring-missed|南石村/zhibu-weiyuanhui|x|2026-11-01"
    (about,) = fresh.opinions.find("南石村", finding=key)
    assert about["text"] == "本月支委会未见记录"
    assert fresh.opinions.find("南石村", finding=key) == site.opinions.find(finding=key)
