"""The access attacks of issue 14, at the command line, by people as the shared-server launcher
presents them (``SUDO_USER``/``SUDO_UID`` of real accounts): each is refused in Chinese and
the data directory — settings, journal, data files — stays byte-identical."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from procedures.periods import free_from
from store import clock
from tests.accounts import CADRE, CADRE_SOUTH, STAFF, STRANGER, SUPERVISOR, TOWNSHIP, env
from tests.test_cli_cases import run
from tests.test_roles import fingerprint

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two villages set up by the 管理员 (this account), with everyone of ``tests.accounts``
    registered, and a 低保 case in each village opened by its own cadre. The clock is the
    real one, at a fixed instant: 2026-11-27 10:00 in Shanghai."""
    root = tmp_path / "data"
    monkeypatch.setenv("CUNWU_DATA", str(root))
    monkeypatch.setattr(clock, "instant", lambda: dt.datetime(2026, 11, 27, 10, tzinfo=CHINA).timestamp())
    staff = [arg for item in STAFF for arg in ("--staff", item)]
    code, _, err = run(
        "init", "--township", "沁河镇", "--village", "城关村", "--village", "南石村", "--name", "王文书", *staff
    )
    assert code == 0, err
    assert run("init", "--timezone", "Asia/Shanghai")[0] == 0
    for account, village in ((CADRE, "城关村"), (CADRE_SOUTH, "南石村")):
        code, _, err = run("case", "new", "dibao", "--village", village, "--subject", "低保申请", env=env(account))
        assert code == 0, err
    return root


NORTH, SOUTH = "城关村-2026-0001", "南石村-2026-0001"


def test_the_admin_sets_the_archive_codes_and_names_everyone(data: Path) -> None:
    code, out, err = run("init", "--fonds", "J047", "--category", "WS", "--unit", "城关村=CGC")
    assert code == 0, err
    assert "已修改 全宗号：（空） → J047" in out and "已修改 机构代码 城关村：（村名） → CGC" in out
    assert 'fonds = "J047"' in (data / "settings.toml").read_text(encoding="utf-8")
    before = fingerprint(data)
    code, _, err = run("init", "--staff", "zhaoliu=:村干部:城关村")
    assert code != 0 and "没有写姓名" in err and "不能空着或用账号代替" in err
    assert fingerprint(data) == before


@pytest.mark.parametrize("account", [CADRE, SUPERVISOR, TOWNSHIP, STRANGER])
def test_nobody_but_the_admin_changes_names_or_roles(data: Path, account: str) -> None:
    """A 村干部 made themselves 监委会 under the committee member's name, signed, changed back."""
    before = fingerprint(data)
    for args in (
        ["--staff", f"{account}=赵六:监委会:城关村"],
        ["--staff", f"{SUPERVISOR}=王文书:村干部:城关村"],
        ["--staff", f"{account}=某某:管理员"],
        ["--remove-staff", SUPERVISOR],
        ["--timer", "dibao.publicize=1"],
        ["--phone", "110"],
        ["--village", "新村"],
        ["--fonds", "J999"],
        ["--category", "KJ"],
        ["--unit", "城关村=X"],
    ):
        code, _, err = run("init", *args, env=env(account))
        assert code == 1, (args, err)
        assert "只有管理员可以修改设置" in err or "不在本数据目录的人员名单中" in err
    assert fingerprint(data) == before


def test_an_account_not_in_the_settings_may_only_read_the_catalogue(data: Path) -> None:
    stranger = env(STRANGER)
    before = fingerprint(data)
    for args in (
        ["case", "list"],
        ["case", "show", NORTH],
        ["case", "step", NORTH],
        ["case", "new", "dibao", "--village", "城关村", "--subject", "冒名"],
        ["due"],
        ["risks"],
        ["verify"],
        ["meeting", "list"],
        ["notice", "list"],
        ["export", NORTH, "--doc", "archive"],
        ["opinion", "add", NORTH, "--text", "冒名意见"],
    ):
        code, _, err = run(*args, env=stranger)
        assert code == 1, (args, err)
        assert f"账号 {STRANGER} 不在本数据目录的人员名单中" in err and "请管理员登记" in err, args
    assert fingerprint(data) == before
    assert run("matters", "--json", env=stranger)[0] == 0
    assert run("show", "dibao", env=stranger)[0] == 0


def test_a_cadre_neither_reads_nor_changes_another_villages_cases(data: Path) -> None:
    north = env(CADRE)
    code, out, _ = run("case", "list", "--json", env=north)
    assert code == 0 and [c["number"] for c in json.loads(out)] == [NORTH]
    before = fingerprint(data)
    for args in (
        ["case", "show", SOUTH],
        ["case", "step", SOUTH],
        ["case", "list", "--village", "南石村"],
        ["case", "new", "dibao", "--village", "南石村", "--subject", "替别村办"],
        ["due", "--village", "南石村"],
        ["export", SOUTH, "--doc", "archive"],
    ):
        code, _, err = run(*args, env=north)
        assert code == 1, (args, err)
        assert "城关村的村干部" in err and "南石村" in err, (args, err)
    assert fingerprint(data) == before
    # The township sees and works in both; the committee member only in its own village.
    code, out, _ = run("case", "list", "--json", env=env(TOWNSHIP))
    assert {c["number"] for c in json.loads(out)} == {NORTH, SOUTH}
    code, _, err = run("countersign", SOUTH, env=env(SUPERVISOR))
    assert code == 1 and "不能查看南石村" in err
    assert fingerprint(data) == before


def test_who_did_a_step_is_printed_as_they_were_after_a_rename(data: Path) -> None:
    assert run("case", "step", NORTH, env=env(CADRE))[0] == 0
    assert run("init", "--staff", f"{CADRE}=李主任:村干部:城关村")[0] == 0
    code, out, _ = run("case", "show", NORTH, "--json", env=env(CADRE))
    [done] = [h for s in json.loads(out)["steps"] for h in s["history"]]
    assert (done["by"], done["by_name"], done["by_role"]) == (CADRE, "王文书", "村干部")
    code, out, _ = run("case", "show", NORTH, env=env(CADRE))
    assert "王文书：" in out and "李主任" not in out
    code, out, _ = run("verify")
    assert code == 0 and f"人员 {CADRE}：王文书（村干部，城关村） → 李主任（村干部，城关村）" in out


def test_tz_in_the_environment_does_not_move_today(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``TZ=XXX-23:59 cunwu case step …`` (sudo keeps TZ) closed a 公示 a day early."""
    cadre = env(CADRE)
    for _ in range(4):  # 申请, 受理, 入户调查, 民主评议
        assert run("case", "step", NORTH, env=cadre)[0] == 0
    code, out, err = run("notice", "post", NORTH, "--posted", "2026-11-27", "--json", env=cadre)
    assert code == 0, err
    first = free_from(dt.date.fromisoformat(json.loads(out)["earliest_end"]))
    evening = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(23, 30), CHINA)
    monkeypatch.setattr(clock, "instant", evening.timestamp)
    before = fingerprint(data)
    for zone in ("XXX-23:59", "Asia/Tokyo", "UTC", ""):
        code, _, err = run("case", "step", NORTH, "--outcome", "无异议", env={**cadre, "TZ": zone})
        assert code == 1 and "公示" in err, (zone, err)
    assert fingerprint(data) == before
    morning = dt.datetime.combine(first, dt.time(8, 0), CHINA)
    monkeypatch.setattr(clock, "instant", morning.timestamp)
    code, _, err = run("case", "step", NORTH, "--outcome", "无异议", "--json", env={**cadre, "TZ": "XXX+23:59"})
    assert code == 0, err


def test_the_servers_zone_is_the_settings_then_the_system(tmp_path: Path) -> None:
    shanghai = clock.zone("Asia/Shanghai")
    noon = dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.UTC)
    assert noon.astimezone(shanghai).hour == 12
    missing = tmp_path / "localtime"
    assert clock.zone("", missing).utcoffset(noon) == dt.timedelta(hours=8)  # no system zone: Asia/Shanghai
    utc = Path("/usr/share/zoneinfo/UTC")
    if utc.exists():  # a system left at UTC is not the county's zone; a setting naming UTC is
        assert clock.zone("", utc).utcoffset(noon) == dt.timedelta(hours=8)
        assert clock.zone("UTC", utc).utcoffset(noon) == dt.timedelta(0)
    london = Path("/usr/share/zoneinfo/Europe/London")
    if london.exists():  # a zone chosen for the system, even one at UTC in winter, is kept
        assert clock.zone("", london).utcoffset(noon) == dt.timedelta(0)
        assert clock.zone("", london).utcoffset(dt.datetime(2026, 7, 1, tzinfo=dt.UTC)) == dt.timedelta(hours=1)
    assert clock.zone("No/Such_Zone", missing).utcoffset(noon) == dt.timedelta(hours=8)


def test_the_app_does_not_open_for_an_account_not_in_the_settings(data: Path, tmp_path: Path) -> None:
    """Checked before the terminal is taken over, so it holds for ``cunwu`` with no sub-command."""
    code, _, err = run(env=env(STRANGER))
    assert code == 1 and f"账号 {STRANGER} 不在本数据目录的人员名单中" in err
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    code, _, err = run("--data", str(fresh), env=env(CADRE))
    assert code == 1 and "首次设置须由服务器管理员（root）运行" in err
    code, _, err = run("--data", str(fresh), "init", "--township", "沁河镇", "--village", "城关村", env=env(CADRE))
    assert code == 1 and "首次设置须由服务器管理员（root）运行" in err
    assert not (fresh / "settings.toml").exists() and not (fresh / "journal.jsonl").exists()
    code, _, err = run(env=env(CADRE))  # listed: past the check, stopped only for want of a terminal
    assert code == 2 and "终端界面需要在终端中运行" in err


def test_the_apps_clock_is_the_servers_too(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from store.site import Site
    from tui.app import make_app

    late = dt.datetime(2026, 12, 4, 23, 30, tzinfo=CHINA)
    monkeypatch.setattr(clock, "instant", late.timestamp)
    monkeypatch.setenv("TZ", "XXX-23:59")
    app = make_app(Site(data, environ=env(CADRE)))
    assert app.today == dt.date(2026, 12, 4) and app.now.utcoffset() == dt.timedelta(hours=8)


def test_init_and_doctor_take_the_zone_of_the_settings(data: Path) -> None:
    """init stamped its journal entries in the system's zone and doctor judged the system's."""
    assert run("init", "--phone", "0355-1234567")[0] == 0
    last = json.loads((data / "journal.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["ts"] == "2026-11-27T10:00:00+08:00"
    _, out, _ = run("doctor", "--json")
    [checked] = [c for c in json.loads(out) if c["check"] == "clock"]
    assert checked["status"] == "pass" and "2026-11-27 10:00" in checked["message"]


def test_listing_another_village_is_refused_not_answered_empty(data: Path) -> None:
    north = env(CADRE)
    for args in (
        ["meeting", "list", "--village", "南石村"],
        ["notice", "list", "--village", "南石村"],
        ["seal", "list", "--village", "南石村"],
        ["opinion", "list", "--village", "南石村"],
    ):
        code, _, err = run(*args, env=north)
        assert code == 1 and "是城关村的村干部，不能查看南石村的记录" in err, (args, err)
        assert run(*args[:2], "--village", "城关村", env=north)[0] == 0


def test_group_sharing_is_a_journaled_setting_not_a_hand_edit(data: Path) -> None:
    """README told people to add group_shared = true by hand, which verify then flagged for good."""
    code, _, err = run("init", "--group-shared", env=env(TOWNSHIP))
    assert code == 1 and "只有管理员可以修改设置" in err
    code, out, _ = run("init", "--group-shared")
    assert code == 0 and "数据文件权限：仅服务账号（文件 0600） → 组共享（文件 0660）" in out
    assert f"已有文件的权限不会自动改变，请 root 运行 chmod -R g+rw {data}" in out
    code, out, _ = run("verify")
    assert code == 0 and "数据文件权限：仅服务账号（文件 0600） → 组共享（文件 0660）" in out


def test_no_path_option_is_checked_by_typer_before_cunwu_refuses_it() -> None:
    """Typer's own readability check ran as the service account before the shared-mode refusal,
    answering in English whether someone else's file exists (the adversary's probe)."""
    import pathlib

    import typer.main

    from tui.cli import app

    def commands(command: Any) -> list[Any]:
        found = [command]
        for sub in getattr(command, "commands", {}).values():
            found += commands(sub)
        return found

    paths = [
        (c.name, p.name, p.type_descriptor.parameter_info)
        for c in commands(typer.main.get_command(app))
        for p in c.params
        if getattr(p, "type_descriptor", None) is not None and p.type_descriptor.annotation is pathlib.Path
    ]
    assert len(paths) >= 7, paths  # --data, export --out and --to, verify/restore --anchor, restore PATH, backup --out
    assert [(c, p) for c, p, info in paths if info.readable or info.exists] == []
