"""A bug never puts a traceback (with local variables: personal data) on the screen.

The app and every ``cunwu`` command show a short Chinese message instead and write the
traceback, without local variables, to a new 0600 file in a 0700 log folder; a command ends
with exit code 4. The errors the program expects (the store's, usage errors, Ctrl+C) keep
their messages and exit codes and write no log.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.installs import PtyScreen
from tests.sites import new_site
from tests.tui_helpers import make
from tui import crash
from tui.app import CunwuApp

ROOT = Path(__file__).resolve().parent.parent
SECRET = "王某某142430199001011234"  # what a local variable of the failing code holds
SHOWN = "程序出错，已退出。已保存的内容不受影响。"


def the_log(state: Path) -> Path:
    """The one log file in the user's log folder (XDG_STATE_HOME=state), checked 0700/0600."""
    folder = state / "cunwu" / "log"
    logs = list(folder.iterdir())
    assert len(logs) == 1, logs
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    return logs[0]


def assert_logged(log: Path) -> None:
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: 模拟的程序错误" in text, text
    assert "in broken" in text, "the frame where it failed"
    assert SECRET not in text, "local variables are never written"


async def test_an_error_in_a_key_handler_shows_a_chinese_message_and_logs_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    new_site(tmp_path / "data")

    def broken(self: CunwuApp) -> None:
        person = SECRET
        assert person
        raise RuntimeError("模拟的程序错误")

    monkeypatch.setattr(CunwuApp, "action_catalog", broken)
    app = make(tmp_path / "data")
    with pytest.raises(RuntimeError, match="模拟的程序错误"):  # run_test re-raises it for the test
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("c")  # 事项目录
            await pilot.pause()
    assert app.return_code == crash.EXIT_INTERNAL
    captured = capsys.readouterr()
    shown = captured.out + captured.err  # what is left on the terminal once the app has gone
    log = the_log(tmp_path / "state")
    assert SHOWN in shown and str(log) in shown.replace("\n", ""), shown  # a long path is folded
    assert "Traceback" not in shown and SECRET not in shown and "RuntimeError" not in shown, shown
    assert_logged(log)


@pytest.mark.timeout(60)
def test_the_real_app_in_a_terminal_leaves_only_the_message(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    code = (
        "import tui.app\n"
        "def broken(self):\n"
        f"    person = {SECRET!r}\n"
        "    assert person\n"
        "    raise RuntimeError('模拟的程序错误')\n"
        "tui.app.CunwuApp.action_catalog = broken\n"
        "from tui.launch import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNWU_")}
    env.update(
        CUNWU_DATA=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
    )
    term = PtyScreen([sys.executable, "-c", code], cwd=tmp_path, env=env)
    try:
        assert term.wait_for("今日"), term.text()
        term.send(b"c")
        assert term.exit_code() is not None, term.text()
        screen, raw = term.text(), term.raw.decode("utf-8", "replace")
    finally:
        term.close()
    log = the_log(tmp_path / "state")
    assert screen.startswith(SHOWN) and "请交给管理员" in screen and str(log) in screen.replace("\n", ""), screen
    assert "Traceback" not in raw and SECRET not in raw, raw[-2000:]
    assert_logged(log)


BROKEN_COMMAND = """
import sys
import tui.cli
from procedures.loader import CatalogError
from store.errors import Refused

case = sys.argv[1]

def broken(data):
    person = {secret!r}
    if case == "refused":
        raise Refused("规则不允许：模拟")
    if case == "catalog":
        raise CatalogError([])
    if case == "interrupt":
        raise KeyboardInterrupt
    assert person
    raise RuntimeError("模拟的程序错误")

tui.cli._catalog = broken
sys.argv = ["cunwu", "matters"] if case != "usage" else ["cunwu", "--no-such-option"]
tui.cli.run()
"""


def cunwu_command(tmp_path: Path, case: str) -> subprocess.CompletedProcess[str]:
    """``cunwu matters`` (or a bad option) with the catalog loader replaced by a failing one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNWU_")}
    env.update(CUNWU_DATA=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"), PYTHONPATH=str(ROOT))
    code = BROKEN_COMMAND.format(secret=SECRET)
    return subprocess.run(
        [sys.executable, "-c", code, case], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )


def test_a_command_that_fails_unexpectedly_says_so_in_chinese_and_exits_4(tmp_path: Path) -> None:
    done = cunwu_command(tmp_path, "bug")
    assert done.returncode == crash.EXIT_INTERNAL == 4, done.stderr
    log = the_log(tmp_path / "state")
    assert done.stderr.startswith(SHOWN) and str(log) in done.stderr and done.stdout == "", done.stderr
    assert "Traceback" not in done.stderr and "RuntimeError" not in done.stderr and SECRET not in done.stderr
    assert_logged(log)


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("refused", 1, "规则不允许：模拟"),
        ("catalog", 3, "事项数据有 0 处错误"),
        ("usage", 2, "--no-such-option"),
        ("interrupt", 130, ""),
    ],
)
def test_expected_errors_keep_their_message_and_code_and_write_no_log(
    tmp_path: Path, case: str, code: int, message: str
) -> None:
    done = cunwu_command(tmp_path, case)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr and "程序出错" not in done.stderr
    assert not (tmp_path / "state").exists()


def test_an_unwritable_log_folder_falls_back_to_a_private_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "state").write_text("a file, not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    log = crash.write_log(RuntimeError("模拟的程序错误"))
    assert log is not None and log.parent == tmp_path / "tmp" / f"cunwu-{os.getuid()}-logs"
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700 and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "RuntimeError: 模拟的程序错误" in log.read_text("utf-8")
    assert str(log) in crash.message(log)


def test_a_log_folder_that_is_a_symbolic_link_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another account could plant a link in the shared temporary directory, pointing where it reads.
    (tmp_path / "state").write_text("a file, not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "theirs").mkdir()
    (tmp_path / "tmp" / f"cunwu-{os.getuid()}-logs").symlink_to(tmp_path / "theirs")
    assert crash.write_log(RuntimeError("模拟的程序错误")) is None
    assert not list((tmp_path / "theirs").iterdir())
    assert "未能写入日志文件" in crash.message(None)


def test_a_log_folder_made_too_open_is_closed_again_and_logs_never_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "state" / "cunwu" / "log"
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    first = crash.write_log(RuntimeError("第一"))
    second = crash.write_log(RuntimeError("第二"))
    assert first is not None and second is not None and first != second
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "第一" in first.read_text("utf-8") and "第二" in second.read_text("utf-8")


def test_through_the_launcher_the_log_says_who_and_who_can_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The adversary found the log readable by root only, while the message said 交给管理员."""
    from tests.accounts import CADRE, env

    for key, value in env(CADRE).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(crash, "log_folders", lambda: [tmp_path / "log"])
    text = crash.report(RuntimeError("boom"))
    assert "请告诉服务器管理员（root）查看" in text
    [log] = (tmp_path / "log").iterdir()
    assert f"账号：{CADRE}（经 sudo 以 " in log.read_text(encoding="utf-8")
