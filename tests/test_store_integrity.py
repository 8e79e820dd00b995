"""Tamper evidence, damaged files, backups and restore, migrations, the lock."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import backups, db
from store.archive import backup
from store.errors import DataDamaged, LockTimeout, SchemaTooNew
from store.files import sweep_temp_files
from store.restore import restore
from store.site import Site
from store.verify import verify
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    s = new_site(tmp_path / "data")
    for subject in ("王某某", "李某某"):
        number = s.cases.open(s.operator, NOW, "dibao", "城关村", subject).number
        walk_to(s, number, "publicize")
        post_notice(s, number)
    s.cases.open(s.operator, NOW, "xinfang", "南石村", "张某来访")
    return s


def report_of(site: Site) -> list[str]:
    fresh = Site(site.root, environ={})
    return verify(fresh.store, fresh.records()).problems


def test_an_untouched_site_verifies(site: Site) -> None:
    fresh = Site(site.root, environ={})
    report = verify(fresh.store, fresh.records())
    assert report.ok, report.problems
    # init, 3 cases opened, 2 × 4 steps (each 民主评议 makes a draft minute), 2 notices posted (notice + case)
    assert report.entries == 1 + 3 + 2 * (4 + 1) + 2 * 2 and report.records == 8 and len(report.head) == 64


def test_changing_any_byte_of_any_journal_entry_is_named(site: Site) -> None:
    path = site.store.journal.path
    original = path.read_bytes()
    lines = original.split(b"\n")[:-1]
    for index, line in enumerate(lines):
        # Change one byte inside the entry's hash field, and one inside its timestamp.
        for needle in (b'"hash":"', b'"ts":"2026-11-2'):
            at_byte = line.index(needle) + len(needle)
            changed = bytearray(line)
            changed[at_byte] = ord("1") if changed[at_byte] != ord("1") else ord("2")
            path.write_bytes(b"\n".join([*lines[:index], bytes(changed), *lines[index + 1 :]]) + b"\n")
            problems = report_of(site)
            assert problems and f"第 {index + 1} 行" in problems[0], (index, needle, problems)
    path.write_bytes(original)
    assert report_of(site) == []


def test_deleted_swapped_and_torn_journal_lines(site: Site) -> None:
    path = site.store.journal.path
    lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"\n".join(lines[:4] + lines[5:]) + b"\n")
    assert "序号不连续" in report_of(site)[0]
    path.write_bytes(b"\n".join([*lines[:4], lines[5], lines[4], *lines[6:]]) + b"\n")
    assert "第 5 行" in report_of(site)[0]
    path.write_bytes(b"\n".join(lines) + b"\n" + lines[-1][:40])
    assert "最后一行不完整" in report_of(site)[0]
    # The next save cuts the torn line (never acknowledged) and the journal verifies again.
    fresh = Site(site.root, environ={})
    fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "赵某某")
    assert report_of(site) == []


def test_changing_one_byte_of_a_data_record_is_named(site: Site) -> None:
    path = site.root / "cases" / "城关村" / "2026.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"subject":"李某某"', '"subject":"李某甲"'), encoding="utf-8")
    problems = report_of(site)
    assert problems == ["数据记录 case:城关村-2026-0002 与日志最后记录的内容不符（可能是直接改动了数据文件）"]
    rev = json.loads(text)["cases"]["1"]["rev"]
    assert text.index(f'"rev":{rev}') > text.index('"number":"城关村-2026-0001"')
    path.write_text(text.replace(f'"rev":{rev}', f'"rev":{rev + 1}', 1), encoding="utf-8")
    assert "case:城关村-2026-0001" in report_of(site)[0]
    settings = site.root / "settings.toml"
    path.write_text(text, encoding="utf-8")
    settings.write_text(settings.read_text(encoding="utf-8").replace("沁河镇", "沁源镇"), encoding="utf-8")
    assert report_of(site) == ["数据记录 settings:site 与日志最后记录的内容不符（可能是直接改动了数据文件）"]


def test_a_damaged_file_is_refused_with_the_backup_named_and_left_untouched(site: Site) -> None:
    path = site.root / "cases" / "城关村" / "2026.json"
    # A save one hour later links the previous version into the hourly backups.
    site.cases.complete_step(
        site.operator, NOW + dt.timedelta(hours=1), "城关村-2026-0001", "无异议", force_reason="测试"
    )
    damaged = path.read_bytes()[:-30]
    path.write_bytes(damaged)
    fresh = Site(site.root, environ={})
    with pytest.raises(DataDamaged) as caught:
        fresh.cases.find("城关村")
    message = str(caught.value)
    good = backups.newest_good(site.root, path)
    assert good is not None
    assert f"最近的完好备份：{good}" in message and "请管理员修复" in message and "cunwu" not in message
    with pytest.raises(DataDamaged):
        fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "新办件")
    assert path.read_bytes() == damaged, "nothing is written over a damaged file"
    restore(fresh, NOW + dt.timedelta(hours=2), good)
    again = Site(site.root, environ={})
    assert len(again.cases.all()) == 3
    report = verify(again.store, again.records())
    assert report.ok, report.problems
    # The restored records, then one entry for the restore as a whole (``store.archive``).
    assert again.store.journal.last()["action"] == "restore"  # type: ignore[index]
    actions = [json.loads(line)["action"] for line in again.store.journal.path.read_text().splitlines()]
    assert actions[-2] == "restored"


def test_backup_and_restore_of_the_whole_directory(site: Site, tmp_path: Path) -> None:
    archive = backup(site, NOW, tmp_path / "b.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0
    site.cases.open(site.operator, NOW, "dibao", "城关村", "备份后新增")
    assert len(site.cases.all()) == 4
    restored = restore(site, NOW, archive)
    assert "cases/城关村/2026.json" in restored.files and "journal.jsonl" not in restored.files
    assert len(restored.removed) == 1 and not restored.added
    fresh = Site(site.root, environ={})
    assert len(fresh.cases.all()) == 3
    assert verify(fresh.store, fresh.records()).ok
    assert any(e["action"] == "restored" for e in map(json.loads, fresh.store.journal.path.read_text().splitlines()))


def test_hourly_and_daily_backups_rotate(tmp_path: Path) -> None:
    s = new_site(tmp_path / "data")
    number = s.cases.open(s.operator, NOW, "dibao", "城关村", "王某某").number
    for hour in range(1, 60):
        s.cases.save_progress(
            s.operator, NOW + dt.timedelta(hours=hour), number, s.cases.get(number).rev, note=str(hour)
        )
    path = s.root / "cases" / "城关村" / "2026.json"
    hourly = list((s.root / "backups" / "hourly").glob("cases__城关村__2026.json.*"))
    daily = list((s.root / "backups" / "daily").glob("cases__城关村__2026.json.*"))
    assert len(hourly) == 48 and len(daily) == 3
    assert backups.original_path(s.root, hourly[0]) == path


def test_a_file_from_a_newer_version_is_refused(site: Site) -> None:
    path = site.root / "cases" / "南石村" / "2026.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["_meta"]["1"]["schema_version"] = db.SCHEMA_VERSION + 1
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SchemaTooNew, match="请先升级程序"):
        Site(site.root, environ={}).cases.find("南石村")
    listed = Site(site.root, environ={})
    assert {c.village for c in listed.cases.all()} == {"城关村"}  # the other village goes on
    assert isinstance(listed.store.skipped[path], SchemaTooNew)


def test_migrations_run_in_order_after_a_backup(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def add_field(data: dict[str, object]) -> dict[str, object]:
        cases = data.get("cases", {})
        assert isinstance(cases, dict)
        for record in cases.values():
            record["migrated"] = True
        return data

    monkeypatch.setattr(db, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(db.MIGRATIONS, 2, add_field)
    fresh = Site(site.root, environ={})
    assert all(c.record["migrated"] for c in fresh.cases.all())
    fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "迁移后")
    kept = site.root / "backups" / "pre-migration" / "cases__城关村__2026.json.v1"
    assert kept.exists() and '"migrated"' not in kept.read_text(encoding="utf-8")
    stored = json.loads((site.root / "cases" / "城关村" / "2026.json").read_text(encoding="utf-8"))
    assert stored["_meta"]["1"]["schema_version"] == 2


def test_lock_timeout_says_to_retry(site: Site) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(site.root / ".lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiting = Site(site.root, environ={}, lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(LockTimeout, match="其他同事正在保存，请稍候重试"):
            waiting.cases.open(waiting.operator, NOW, "dibao", "城关村", "等待")
        assert time.monotonic() - started < 5
        assert len(waiting.cases.all()) == 3, "a reader needs no lock"
    finally:
        holder.kill()
        holder.wait()


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("不应被改动", encoding="utf-8")
    root = tmp_path / "data"
    root.mkdir()
    (root / ".lock").symlink_to(victim)
    s = Site(root, environ={})
    with pytest.raises(OSError):
        s.init(NOW, "沁河镇", ["城关村"], my_name="王文书")
    assert victim.read_text(encoding="utf-8") == "不应被改动"


def test_stale_temp_files_are_swept(tmp_path: Path) -> None:
    old, new = tmp_path / ".tmp-old", tmp_path / ".tmp-new"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    past = time.time() - 3600
    import os

    os.utime(old, (past, past))
    assert sweep_temp_files(tmp_path) == 1
    assert not old.exists() and new.exists()


def test_a_write_outside_a_transaction_is_refused(site: Site) -> None:
    table = site.store.partition("城关村", 2026).table("cases")
    with pytest.raises(RuntimeError, match="写入必须在事务中进行"):
        table.insert({"x": 1})


def test_a_failed_transaction_writes_nothing(site: Site) -> None:
    path = site.root / "cases" / "城关村" / "2026.json"
    before, journal = path.read_bytes(), site.store.journal.path.read_bytes()
    with pytest.raises(ZeroDivisionError), site.store.transaction(site.operator, at(D(2026, 11, 28))):
        site.store.partition("城关村", 2026).table("cases").remove(doc_ids=[1])
        _ = 1 / 0
    assert path.read_bytes() == before and site.store.journal.path.read_bytes() == journal
    assert site.cases.get("城关村-2026-0001").subject == "王某某", "the aborted change is not kept in memory"
