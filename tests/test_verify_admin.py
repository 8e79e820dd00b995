"""What ``cunwu verify`` shows the committee beyond the chain: restores and what they took
away, a clock set back, data in a folder or file it does not belong to."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest

from store import archive, db
from store.errors import StoreError
from store.restore import restore
from store.site import Site
from tests.accounts import SUPERVISOR, open_as, register
from tests.sites import NOW, at, new_site

D = dt.date


def test_a_restore_that_takes_records_away_is_listed_with_them(tmp_path: Path) -> None:
    """The adversary's case: a 管理员 restored an older file and the committee's opinions went
    with it, while verify, the opinion list and the report all looked clean."""
    root = tmp_path / "data"
    site = new_site(root)
    register(root)
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    older = archive.backup(site, at(D(2026, 11, 28)), tmp_path / "older.tar.gz")
    supervisor = open_as(root, SUPERVISOR)
    opinion = supervisor.opinions.add(supervisor.operator, at(D(2026, 11, 29)), case, "请补充材料")["number"]
    restore(Site(root, environ={}), at(D(2026, 11, 30)), older)
    report = Site(root, environ={}).verify()
    assert report.ok, report.problems
    [restored] = [c for c in report.changes if c.kind == "恢复"]
    assert restored.role == "管理员" and restored.ts.startswith("2026-11-30")
    assert restored.changes[0] == "从备份 older.tar.gz 恢复：新增 0 条、改动 0 条、删除 1 条记录"
    assert restored.changes[1] == f"恢复后不再有的记录：{opinion}"


def test_a_clock_set_back_is_named_but_does_not_break_the_chain(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, at(D(2026, 12, 6)), "dibao", "城关村", "钟正常")
    site.cases.open(site.operator, at(D(2026, 11, 1)), "dibao", "城关村", "钟被调回")
    site.cases.open(site.operator, at(D(2026, 12, 6), 9) - dt.timedelta(minutes=5), "dibao", "城关村", "两人同时保存")
    report = site.verify()
    assert report.ok, report.problems
    [warning] = report.clock
    assert "日志时间倒退：序号 3（2026-11-01T09:00:00+08:00" in warning and "早于上一条序号 2" in warning


def test_data_outside_its_village_or_twice_is_a_problem(tmp_path: Path) -> None:
    """A locale that writes folder names in another encoding made a second 城关村 folder; the
    records in it must not pass verify."""
    root = tmp_path / "data"
    site = new_site(root)
    site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某")
    assert site.verify().ok
    twin = root / "cases" / "鍩庡叧鏉"  # 城关村 in GBK read as UTF-8: what the split folder looks like
    shutil.copytree(root / "cases" / "城关村", twin)
    moved = root / "cases" / "城关村" / "2025.json"
    shutil.copy(root / "cases" / "城关村" / "2026.json", moved)
    problems = Site(root, environ={}).verify().problems
    assert any(f"数据文件夹 {twin} 不是设置中的村" in p for p in problems), problems
    assert any(f"{moved} 中的记录 城关村-2026-0001 不属于这个文件" in p for p in problems)
    assert any("记录 城关村-2026-0001 同时出现在" in p for p in problems)


def test_a_filesystem_encoding_other_than_utf8_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "gbk")
    with pytest.raises(StoreError, match="文件名编码是 gbk") as refused:
        Site(tmp_path / "data", environ={})
    assert "LANG=zh_CN.UTF-8" in str(refused.value) and not (tmp_path / "data").exists()
    assert db.utf8_names("utf-8") and db.utf8_names("UTF8") and not db.utf8_names("ascii")


def test_verify_json_lists_changes_and_clock(tmp_path: Path) -> None:
    from tests.test_cli_cases import run

    root = tmp_path / "data"
    new_site(root)
    code, out, _ = run("--data", str(root), "verify", "--json")
    data = json.loads(out)
    assert code == 0 and data["clock"] == [] and data["changes"][0]["kind"] == "设置"
    assert data["changes"][0]["changes"][0] == "乡镇：（空） → 沁河镇"


def test_a_clock_set_ahead_is_named_once_at_the_entry_made_ahead(tmp_path: Path) -> None:
    """The adversary's forward-dated entry went unnamed while every honest entry after it was flagged."""
    site = new_site(tmp_path / "data")
    site.cases.open(site.operator, at(D(2026, 12, 20)), "dibao", "城关村", "钟被调快")
    for subject in ("之后正常", "再之后正常", "又一条"):
        site.cases.open(site.operator, at(D(2026, 12, 6)), "dibao", "城关村", subject)
    report = site.verify()
    assert report.ok and len(report.clock) == 1
    assert "序号 3（2026-12-06" in report.clock[0] and "早于上一条序号 2（2026-12-20" in report.clock[0]


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Asia/Tokyo", "UTC", "America/New_York"])
def test_the_time_zone_is_china_time_or_nothing(tmp_path: Path, zone: str) -> None:
    """A 管理员 switched to Etc/GMT-14 for a minute and a 公示 closed a day early."""
    from store.errors import BadInput
    from store.settings import Change

    site = new_site(tmp_path / "data")
    with pytest.raises(BadInput, match="不是北京时间（UTC\\+8）"):
        site.change_settings(NOW, Change(timezone=zone))
    assert site.change_settings(NOW, Change(timezone="Asia/Chongqing")).timezone == "Asia/Chongqing"
