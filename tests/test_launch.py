"""``cunwu`` with no sub-command opens the app without the command line's machinery (Typer,
click, the sub-commands' modules); everything else still goes to the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.common import ROOT
from tests.sites import new_site
from tui.launch import app_options

PROBE = r"""
import atexit, sys
def loaded():
    # tui.cli_hints is the wording of refusals, which the app's checks use too.
    heavy = sorted(
        m for m in sys.modules
        if m.split(".")[0] in ("typer", "click") or (m.startswith("tui.cli") and m != "tui.cli_hints")
    )
    sys.stderr.write("LOADED:" + ",".join(heavy) + "\n")
atexit.register(loaded)
sys.argv = ["cunwu", *sys.argv[1:]]
from tui.launch import run
run()
"""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"data": None, "ascii_borders": False, "colors": "auto", "slow": False}),
        (["--data", "/srv/d"], {"data": Path("/srv/d"), "ascii_borders": False, "colors": "auto", "slow": False}),
        (
            ["--data=/srv/d", "--ascii", "--colors", "16"],
            {"data": Path("/srv/d"), "ascii_borders": True, "colors": "16", "slow": False},
        ),
        (["--colors=256"], {"data": None, "ascii_borders": False, "colors": "256", "slow": False}),
        (
            ["--colors", "99"],
            {"data": None, "ascii_borders": False, "colors": "99", "slow": False},
        ),  # refused by open_app
        (
            ["--slow", "--data", "/srv/d"],
            {"data": Path("/srv/d"), "ascii_borders": False, "colors": "auto", "slow": True},
        ),
        (["--slow=yes"], None),
        (["matters"], None),
        (["--help"], None),
        (["--data"], None),  # the command line says the value is missing
        (["--data", "--ascii"], None),
        (["--ascii=yes"], None),
        (["--asc"], None),  # click would take an abbreviation? it does not: the command line says so
        (["--data", "/srv/d", "case", "list"], None),
    ],
)
def test_only_the_app_s_own_options_open_it_directly(argv: list[str], expected: dict[str, object] | None) -> None:
    assert app_options(argv) == expected


def probe(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNWU_")}
    env.update(CUNWU_DATA=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_the_app_starts_without_the_command_line(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    done = probe(tmp_path, "--ascii")
    # Not a terminal here: refused where the app would take the terminal over, with every check before it made.
    assert done.returncode == 2 and "终端界面需要在终端中运行" in done.stderr
    assert "LOADED:\n" in done.stderr, done.stderr


def test_a_bad_colour_option_is_refused_in_chinese(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    done = probe(tmp_path, "--colors", "99")
    assert done.returncode == 2 and "--colors 只能是 16、256 或 auto" in done.stderr


def test_sub_commands_still_go_to_the_command_line(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    done = probe(tmp_path, "matters", "--search", "dbsq")
    assert done.returncode == 0 and "低保" in done.stdout
    assert "typer" in done.stderr.split("LOADED:")[1]
    usage = probe(tmp_path, "--data")
    assert usage.returncode == 2 and "--data" in usage.stderr


def test_an_id_number_is_refused_before_anything_opens(tmp_path: Path) -> None:
    done = probe(tmp_path, "--data", "/srv/140431198503150023")
    assert done.returncode == 2 and "身份证" in done.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("argv", [[], ["due"], ["verify", "--json"], ["risks"]])
def test_a_data_directory_that_is_a_file_is_named_not_a_crash(tmp_path: Path, argv: list[str]) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    for where in (afile, afile / "data"):
        done = probe(tmp_path, "--data", str(where), *argv)
        assert done.returncode == 2, done.stderr
        assert f"数据目录 {where} 不是文件夹" in done.stderr and "程序出错" not in done.stderr
    assert not (tmp_path / "state").exists(), "no crash report written"
