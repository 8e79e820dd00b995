"""Deployment: the offline bundle installs with no index, and the shared-server script is sound.

The bundle test builds the real bundle (``python3 dev.py bundle``) and installs it into a
fresh venv with pip unable to reach anything, then opens the installed terminal app to its
first screen in a pseudo-terminal (tests/installs.py); it takes several seconds up to a
minute or two on a slow machine (pip's cache serves the pinned wheels), so it has a longer time limit.
The server script itself needs root and is not run here: its syntax, shellcheck, visudo on
its sudoers drop-in, and the launcher it writes (run against the installed bundle) are.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.installs import first_screen, offline_env

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "deploy" / "setup-server.sh"


def script(*args: str | Path) -> str:
    done = subprocess.run(["bash", SETUP, *map(str, args)], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.timeout(900)
def test_the_offline_bundle_installs_into_a_fresh_venv_without_an_index(tmp_path: Path) -> None:
    build_dir_before = (ROOT / "build").exists()
    bundle = tmp_path / "cunwu-offline"
    built = subprocess.run(
        [sys.executable, ROOT / "dev.py", "bundle", bundle], capture_output=True, text=True, cwd=tmp_path
    )
    assert built.returncode == 0, built.stdout + built.stderr
    info = json.loads((bundle / "bundle.json").read_text("utf-8"))
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    assert wheels == info["wheels"] and any(w.startswith("cunwu-") for w in wheels)
    pins = (bundle / "requirements.txt").read_text("utf-8").split()
    assert len(pins) == len(wheels) and all("==" in p for p in pins)
    assert {"install.py", "setup-server.sh", "README.txt"} <= {p.name for p in bundle.iterdir()}
    assert (ROOT / "build").exists() == build_dir_before, "the bundle must be built outside the checkout"

    env = offline_env(tmp_path)
    prefix = tmp_path / "opt" / "cunwu"
    installed = subprocess.run(
        [sys.executable, "-I", bundle / "install.py", "--prefix", prefix], capture_output=True, text=True, env=env
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert str(prefix / "bin" / "cunwu") in installed.stdout
    # The terminal app, from outside the checkout on a fresh data directory: its first screen.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first_screen(prefix / "bin" / "cunwu", cwd=elsewhere, data=tmp_path / "first-run", env=env)

    env["CUNWU_DATA"] = str(tmp_path / "data")
    for command in ([prefix / "bin" / "cunwu"], [prefix / "bin" / "python", "-I", prefix / "bin" / "cunwu"]):
        listed = subprocess.run([*command, "matters", "--json"], capture_output=True, env=env)
        assert listed.returncode == 0, listed.stderr.decode()
        assert len(json.loads(listed.stdout)) == 57

    # The launcher the server script writes, pointed at this install: fixed data and anchor.
    data, anchors = tmp_path / "srv" / "cunwu", tmp_path / "anchor"
    launcher = tmp_path / "cunwu-shared"
    options = ["--prefix", prefix, "--data", data, "--anchor-dir", anchors]
    launcher.write_text(script(*options, "--print", "launcher"), "utf-8")
    launcher.chmod(0o755)
    run = [str(launcher), "init", "--township", "沁河镇", "--village", "城关村", "--name", "王文书"]
    done = subprocess.run(run, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (data / "settings.toml").exists() and not (tmp_path / "data").exists()
    verified = subprocess.run([launcher, "verify", "--json"], capture_output=True, text=True, env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    anchor = json.loads(verified.stdout)["anchor"]
    assert anchor["status"] == "ok" and anchor["path"] == str(anchors / "head.json")
    refused = subprocess.run([launcher, "--data", tmp_path, "verify"], capture_output=True, text=True, env=env)
    assert refused.returncode == 2 and "--data" in refused.stderr


def test_the_server_script_parses() -> None:
    subprocess.run(["bash", "-n", SETUP], check=True)
    for name in ("launcher", "wrapper", "digest"):
        subprocess.run(["sh", "-n"], input=script("--print", name), text=True, check=True)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_server_script_and_what_it_writes_pass_shellcheck() -> None:
    subprocess.run(["shellcheck", SETUP], check=True)
    for name in ("launcher", "wrapper", "digest"):
        subprocess.run(["shellcheck", "-s", "sh", "-"], input=script("--print", name), text=True, check=True)


def test_the_sudoers_rule_allows_only_the_launcher_as_the_service_account() -> None:
    rules = [line for line in script("--print", "sudoers").splitlines() if line and not line.startswith("#")]
    assert rules[-1] == "%cunwu-staff ALL=(cunwu) NOPASSWD: /opt/cunwu/bin/cunwu-shared"
    assert "--data /srv/cunwu" in script("--print", "launcher")
    assert "sudo -n -u cunwu -H /opt/cunwu/bin/cunwu-shared" in script("--print", "wrapper")


@pytest.mark.skipif(shutil.which("visudo") is None, reason="visudo (sudo) is not installed")
def test_the_sudoers_drop_in_passes_visudo(tmp_path: Path) -> None:
    drop_in = tmp_path / "cunwu"
    drop_in.write_text(script("--print", "sudoers"), "utf-8")
    checked = subprocess.run(["visudo", "-cf", drop_in], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
