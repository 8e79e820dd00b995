"""``cunwu doctor``: every check passes and fails on injected inputs; the command's exit code and JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from exports.style import FONTS
from procedures.workdays import WorkCalendar
from tests.sites import CST, new_site
from tui import cli_common, doctor
from tui.cli import app
from tui.doctor import Status

runner = CliRunner()
UID = os.getuid()


def test_locale_utf8_passes_and_names_the_putty_setting() -> None:
    check = doctor.check_locale({"LANG": "zh_CN.UTF-8"}, "utf-8")
    assert check.status is Status.PASS and "LANG=zh_CN.UTF-8" in check.message
    assert "Window → Translation" in check.hint


@pytest.mark.parametrize(
    ("environ", "encoding"),
    [
        ({"LANG": "zh_CN.GBK"}, "gbk"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.GB18030"}, "utf-8"),  # LC_ALL wins
        ({"LANG": "en_US"}, "utf-8"),  # no codeset: ISO-8859-1
        ({"LANG": "C.UTF-8"}, "ascii"),  # PYTHONIOENCODING or a replaced stream
    ],
)
def test_locale_not_utf8_fails(environ: dict[str, str], encoding: str) -> None:
    check = doctor.check_locale(environ, encoding)
    assert check.status is Status.FAIL and "不是 UTF-8" in check.message
    assert "UTF-8" in check.hint and "LANG=C.UTF-8" in check.hint


@pytest.mark.parametrize("environ", [{}, {"LANG": "C"}, {"LC_ALL": "POSIX", "LANG": "zh_CN.UTF-8"}])
def test_c_locale_is_a_warning(environ: dict[str, str]) -> None:
    # Python switches to UTF-8 in the C locale, so cunwu works; other programs do not.
    assert doctor.check_locale(environ, "utf-8").status is Status.WARN


@pytest.mark.parametrize(
    ("environ", "status", "words"),
    [
        ({"TERM": "xterm-256color"}, Status.PASS, "256 色"),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, Status.PASS, "真彩色"),
        ({"TERM": "xterm"}, Status.WARN, "16 色"),
        ({"TERM": "linux"}, Status.WARN, "16 色"),
        ({"TERM": "vt100"}, Status.WARN, "16 色"),
        ({"TERM": "dumb"}, Status.WARN, "不能打开终端界面"),
        ({}, Status.WARN, "未设置"),
    ],
)
def test_terminal_type_and_colours(environ: dict[str, str], status: Status, words: str) -> None:
    check = doctor.check_terminal(environ)
    assert check.status is status and words in check.message
    if "16 色" in words:
        assert "cunwu --colors 16" in check.hint


def test_terminal_size() -> None:
    assert doctor.check_size((80, 24)).status is Status.PASS
    assert doctor.check_size((120, 40)).message == "120 列 × 40 行"
    small = doctor.check_size((79, 30))
    assert small.status is Status.FAIL and "80 × 24" in small.message
    assert doctor.check_size((100, 23)).status is Status.FAIL
    # Not a terminal (a pipe, cron): nothing to measure, only a warning.
    assert doctor.check_size(None).status is Status.WARN


def test_data_dir(tmp_path: Path) -> None:
    missing = tmp_path / "a" / "data"
    check = doctor.check_data_dir(missing)
    assert check.status is Status.PASS and "尚不存在" in check.message
    check = doctor.check_data_dir(missing, writable=lambda _: False)
    assert check.status is Status.FAIL and "无法创建" in check.message and "CUNWU_DATA" in check.hint
    (tmp_path / "file").write_text("")
    assert doctor.check_data_dir(tmp_path / "file").status is Status.FAIL
    check = doctor.check_data_dir(tmp_path, writable=lambda _: False)
    assert check.status is Status.FAIL and "不能读写" in check.message
    check = doctor.check_data_dir(tmp_path)
    assert check.status is Status.WARN and "cunwu init" in check.hint
    check = doctor.check_data_dir(tmp_path, township="沁河镇", villages=2)
    assert check.status is Status.PASS and "沁河镇，2 个村" in check.message
    check = doctor.check_data_dir(tmp_path, township="沁河镇", villages=2, settings_problem="TOML 格式错误")
    assert check.status is Status.FAIL and "TOML 格式错误" in check.message


def private_site(root: Path, dir_mode: int = 0o700, file_mode: int = 0o600) -> Path:
    (root / "cases" / "城关村").mkdir(parents=True)
    (root / "cases" / "城关村" / "2026.json").write_text("{}")
    (root / "journal.jsonl").write_text("")
    for path in (root / "cases" / "城关村" / "2026.json", root / "journal.jsonl"):
        path.chmod(file_mode)
    for folder in (root / "cases" / "城关村", root / "cases", root):
        folder.chmod(dir_mode)
    return root


def test_permissions_private_directory_passes(tmp_path: Path) -> None:
    root = private_site(tmp_path / "data")
    check = doctor.check_permissions(root, uid=UID, group_shared=False)
    assert check.status is Status.PASS and "0700" in check.message and "4 个文件和子目录" in check.message
    check = doctor.check_permissions(tmp_path / "none", uid=UID, group_shared=False)
    assert check.status is Status.PASS and "尚未创建" in check.message


def test_world_readable_or_writable_data_fails(tmp_path: Path) -> None:
    root = private_site(tmp_path / "data")
    (root / "journal.jsonl").chmod(0o644)
    check = doctor.check_permissions(root, uid=UID, group_shared=False)
    assert check.status is Status.FAIL and "个人信息" in check.message and "journal.jsonl（0644）" in check.message
    assert f"chmod -R o-rwx {root}" in check.hint
    (root / "journal.jsonl").chmod(0o600)
    root.chmod(0o703)  # world-writable (and enterable) directory
    assert doctor.check_permissions(root, uid=UID, group_shared=False).status is Status.FAIL
    root.chmod(0o711)  # enterable only: lists nothing, and every file is private
    assert doctor.check_permissions(root, uid=UID, group_shared=False).status is Status.PASS


def test_group_access_and_owner(tmp_path: Path) -> None:
    root = private_site(tmp_path / "data", 0o2770, 0o660)
    # Group bits without group_shared: a warning that says both ways out.
    check = doctor.check_permissions(root, uid=UID, group_shared=False)
    assert check.status is Status.WARN and "同组账号" in check.message and "group_shared = true" in check.hint
    # Group-shared as the settings say: fine, also when the directory belongs to someone else.
    assert doctor.check_permissions(root, uid=UID + 1, group_shared=True).status is Status.PASS
    root.chmod(0o700)
    check = doctor.check_permissions(root, uid=UID, group_shared=True)
    assert check.status is Status.WARN and "2770" in check.hint
    root.chmod(0o700)
    private = private_site(tmp_path / "other")
    check = doctor.check_permissions(private, uid=UID + 1, group_shared=False)
    assert check.status is Status.WARN and "当前账号" in check.message


def test_disk_space() -> None:
    assert doctor.check_disk(2 * 1024**3).status is Status.PASS
    assert doctor.check_disk(2 * 1024**3).message == "可用 2.0 GB"
    warn = doctor.check_disk(300 * 1024**2)
    assert warn.status is Status.WARN and "300 MB" in warn.message
    fail = doctor.check_disk(20 * 1024**2)
    assert fail.status is Status.FAIL and "保存" in fail.message
    assert doctor.check_disk(None).status is Status.WARN


def test_calendar_covered_by_the_published_holidays() -> None:
    check = doctor.check_calendar(dt.date(2025, 6, 1), WorkCalendar(), (2004, 2026))
    assert check.status is Status.PASS and "2025、2026 年" in check.message and "2004—2026" in check.message


def test_calendar_years_not_yet_published_are_estimated() -> None:
    # Far enough ahead that no chinesecalendar release can know it.
    check = doctor.check_calendar(dt.date(2060, 11, 27), WorkCalendar(), (2004, 2026))
    assert check.status is Status.WARN
    assert "2060 年按法定节日规则预估；2061 年按法定节日规则预估" in check.message
    assert "“预估”" in check.message and "差一两天" in check.message
    assert "chinesecalendar" in check.hint


def test_calendar_without_the_libraries_counts_weekends_only() -> None:
    cal = WorkCalendar(use_official=False, use_estimate=False)
    check = doctor.check_calendar(dt.date(2026, 3, 1), cal, None)
    assert check.status is Status.WARN
    assert "2026 年仅按周末预估" in check.message and "2027 年仅按周末预估" in check.message
    assert "chinesecalendar 不可用" in check.message


def test_fonts_present_or_missing() -> None:
    names = {faces[0] for faces in FONTS.values()}
    check = doctor.check_fonts(FONTS, names | {"Noto Serif CJK SC"})
    assert check.status is Status.PASS
    check = doctor.check_fonts(FONTS, {"黑体", "宋体"}, {"方正小标宋简体": "Noto Serif CJK SC"})
    assert check.status is Status.WARN
    assert "方正小标宋简体" in check.message and "黑体" not in check.message.split("：")[1]
    assert "Noto Serif CJK SC" in check.message
    assert "方正小标宋简体 换用 华文中宋或宋体" in check.hint and "打印用的电脑" in check.hint
    check = doctor.check_fonts(FONTS, None)
    assert check.status is Status.WARN and "fc-list" in check.message and "仿宋_GB2312" in check.message


def test_installed_fonts_reads_every_name_of_a_family(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    out = "SimHei,黑体\nNoto Serif CJK SC,Noto Serif CJK SC Regular\nFZXiaoBiaoSong\\-B05S,方正小标宋简体\n"

    def run(*args: Any, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(stdout=out)

    assert doctor.installed_fonts(run) == {
        "SimHei",
        "黑体",
        "Noto Serif CJK SC",
        "Noto Serif CJK SC Regular",
        "FZXiaoBiaoSong-B05S",
        "方正小标宋简体",
    }
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert doctor.installed_fonts(run) is None


def test_python_version() -> None:
    assert doctor.check_python((3, 11, 7)).status is Status.PASS
    assert doctor.check_python((3, 13, 0)).status is Status.PASS
    old = doctor.check_python((3, 10, 12))
    assert old.status is Status.FAIL and "3.10.12" in old.message and "3.11" in old.hint


def test_clock_and_time_zone() -> None:
    check = doctor.check_clock(dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST))
    assert check.status is Status.PASS
    assert check.message.startswith("2026-11-27 09:30（星期五）") and "UTC+08:00" in check.message
    utc = doctor.check_clock(dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC))
    assert utc.status is Status.WARN and "UTC+00:00" in utc.message and "Asia/Shanghai" in utc.hint


def test_a_clock_behind_the_last_save_fails_with_both_times() -> None:
    now = dt.datetime(2025, 11, 27, 9, 30, tzinfo=CST)
    check = doctor.check_journal_clock("2026-11-27T09:00:00+08:00", now)
    assert check.status is Status.FAIL and check.check == "journal_clock"
    assert "2025-11-27 09:30" in check.message and "2026-11-27 09:00" in check.message, check.message
    assert "约 365 天" in check.message and "不接受任何保存" in check.message
    assert "timedatectl set-ntp true" in check.hint and "管理员" in check.hint
    hours = doctor.check_journal_clock("2026-11-27T12:50:00+08:00", now.replace(year=2026))
    assert hours.status is Status.FAIL and "3 小时 20 分钟" in hours.message
    # Shown in the server's zone, whatever zone the entry was written in.
    utc = doctor.check_journal_clock("2026-11-27T04:00:00+00:00", now.replace(year=2026))
    assert utc.status is Status.FAIL and "2026-11-27 12:00" in utc.message and "2 小时 30 分钟" in utc.message


@pytest.mark.parametrize(
    "last",
    [
        None,  # nothing saved yet
        "2026-11-27T09:00:00+08:00",  # earlier: as it should be
        "2026-11-27T09:34:00+08:00",  # four minutes ahead: two saves crossing, NTP's small step
        "not a time",
    ],
)
def test_a_clock_not_behind_the_last_save_passes(last: str | None) -> None:
    check = doctor.check_journal_clock(last, dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST))
    assert check.status is Status.PASS and check.check == "journal_clock"


def test_the_last_save_is_read_from_the_journal(tmp_path: Path) -> None:
    assert doctor.last_saved(tmp_path / "none") is None
    site = new_site(tmp_path / "data", dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    assert doctor.last_saved(site.root) == "2026-11-27T10:00:00+08:00"
    (site.root / "journal.jsonl").write_bytes(b"{not json\n")
    assert doctor.last_saved(site.root) is None


def test_a_line_says_the_status_in_words() -> None:
    line = doctor.check_size((60, 20)).line()
    assert line.startswith("[不通过] 终端窗口大小：60 列 × 20 行") and "处理：把窗口拉大" in line
    assert doctor.check_size((80, 24)).line() == "[通过] 终端窗口大小：80 列 × 24 行。"


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUNWU_DATA", str(tmp_path / "data"))
    for name in ("LC_ALL", "LC_CTYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(cli_common, "now", lambda: dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST))
    # Whatever terminal (or none) the tests run in.
    monkeypatch.setattr(doctor, "terminal_size", lambda: (80, 24))
    return tmp_path / "data"


KEYS = [
    "python",
    "locale",
    "terminal",
    "size",
    "data_dir",
    "permissions",
    "disk",
    "calendar",
    "fonts",
    "clock",
    "journal_clock",
]


def test_doctor_json_lists_every_check(environment: Path) -> None:
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["check"] for c in data] == KEYS
    for item in data:
        assert {"check", "status", "message", "hint"} <= set(item)
        assert item["status"] in ("pass", "warn", "fail")
        assert item["status_text"] == {"pass": "通过", "warn": "警告", "fail": "不通过"}[item["status"]]
    clock = next(c for c in data if c["check"] == "clock")
    assert clock["status"] == "pass" and clock["message"].startswith("2026-11-27 09:00（星期五）")


def test_doctor_prints_one_line_per_check(environment: Path) -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(KEYS) + 1
    assert all(line.startswith(("[通过]", "[警告]", "[不通过]")) for line in lines[:-1])
    assert lines[-1].startswith("结论：可以使用")


def test_doctor_exits_1_when_something_blocks(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment.mkdir(mode=0o700)
    environment.chmod(0o755)  # personal data readable by every account
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == doctor.EXIT_BLOCKED == 1
    failed = [c["check"] for c in json.loads(result.stdout) if c["status"] == "fail"]
    assert failed == ["permissions"]
    environment.chmod(0o700)
    monkeypatch.setenv("LC_ALL", "zh_CN.GBK")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "[不通过] 区域设置与编码：LC_ALL=zh_CN.GBK" in result.stdout
    assert "结论：1 项不通过" in result.stdout


def test_doctor_exits_1_when_the_clock_is_behind_the_last_save(environment: Path) -> None:
    new_site(environment, dt.datetime(2027, 3, 1, 8, 0, tzinfo=CST))  # saved while the clock ran ahead
    environment.chmod(0o700)
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == doctor.EXIT_BLOCKED, result.output
    failed = [c for c in json.loads(result.stdout) if c["status"] == "fail"]
    assert [c["check"] for c in failed] == ["journal_clock"]
    assert "2026-11-27 09:00" in failed[0]["message"] and "2027-03-01 08:00" in failed[0]["message"]


def test_doctor_does_not_import_textual(tmp_path: Path) -> None:
    probe = """
import json, sys
from tui.cli import app
try:
    app(["--data", sys.argv[1], "doctor", "--json"], standalone_mode=False)
finally:
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "textual")
    sys.stderr.write("LOADED " + json.dumps(loaded) + "\\n")
"""
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "data")], capture_output=True, text=True, timeout=120
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert marker, done.stderr
    assert json.loads(marker[0].removeprefix("LOADED ")) == []
    assert [c["check"] for c in json.loads(done.stdout)] == KEYS
