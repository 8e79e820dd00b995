"""A real install has the whole app: the wheel carries every module and data file, and installed
into a fresh venv away from the checkout, ``cunwu`` opens the terminal app to its first screen.

An editable install (the checkout's .venv) reads everything from the checkout, so it cannot
show a subpackage or a ``.tcss`` file missing from the wheel; only an install from the wheel
can. The wheels are built as ``dev.py bundle`` builds them (pip wheel with constraints.txt,
from a copy of the sources, so the checkout gets no build/ folder); pip's cache serves the
pinned dependencies, and the venv gets them with ``--no-index`` from those wheels only.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from dev import copy_sources
from tests.installs import first_screen, offline_env

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("procedures", "store", "exports", "tui")


def checkout_files() -> set[str]:
    """Every file of the packages in the checkout (code and data), as wheel member names."""
    return {
        p.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels of cunwu and of its pinned dependencies."""
    tmp = tmp_path_factory.mktemp("packaging")
    source, wheels = tmp / "cunwu", tmp / "wheels"
    copy_sources(source)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q"]
    pip_wheel += ["-c", str(ROOT / "constraints.txt"), "-w", str(wheels), str(source)]
    built = subprocess.run(pip_wheel, capture_output=True, text=True, cwd=tmp)
    assert built.returncode == 0, built.stdout + built.stderr
    return wheels


def cunwu_wheel(wheels: Path) -> Path:
    (wheel,) = wheels.glob("cunwu-*.whl")
    return wheel


def test_the_wheel_carries_every_module_and_data_file(wheels: Path) -> None:
    with zipfile.ZipFile(cunwu_wheel(wheels)) as wheel:
        names = set(wheel.namelist())
    expected = checkout_files()
    assert {"tui/app.tcss", "tui/screens/first_run.py", "procedures/compiled.json"} <= expected
    assert len([n for n in expected if n.startswith("procedures/matters/") and n.endswith(".toml")]) == 57
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    # Nothing of the checkout beyond the packages (no tests, no dev.py, no caches).
    tops = {n.split("/")[0] for n in names if not n.startswith("cunwu-")}
    assert tops == set(PACKAGES), tops
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.timeout(300)
def test_the_installed_wheel_opens_the_app_to_its_first_screen(wheels: Path, tmp_path: Path) -> None:
    env = offline_env(tmp_path)
    target = tmp_path / "venv"
    venv.create(target, symlinks=True)  # no pip inside: the test's pip installs into it (--python)
    python = target / "bin" / "python"
    # Offline, blind to the machine's pip settings, as deploy/install.py installs the bundle.
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--isolated", "--no-index"]
    pip_install += ["-q", "--disable-pip-version-check", "--find-links", str(wheels), "cunwu"]
    installed = subprocess.run(pip_install, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [python, "-c", "import tui.screens.first_run as m; print(m.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(target)), f"imported from {where}, not from the fresh venv"

    screen = first_screen(target / "bin" / "cunwu", cwd=elsewhere, data=tmp_path / "data", env=env)
    assert "首次使用：请填写乡镇和村名单" in screen
