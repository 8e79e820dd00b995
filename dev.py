#!/usr/bin/env python3
"""Set up and run cunwu from a fresh checkout with nothing but python3 (standard library only).

    python3 dev.py run [ARGS...]   set up .venv (runtime packages) and run `cunwu ARGS...`
    python3 dev.py test            set up .venv (with test tools) and run ruff, mypy and pytest
    python3 dev.py bench           run the benchmarks (figures and ratios, not pass/fail tests)
    python3 dev.py lock            rewrite constraints.txt from what .venv has installed

Packages are installed with the versions pinned in constraints.txt. The virtualenv is
rebuilt only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
CONSTRAINTS = ROOT / "constraints.txt"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*cmd: str | Path) -> int:
    say(" ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def setup(extras: str) -> None:
    """Create .venv and install the project with ``extras`` unless already done for these files."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the machine has
        sys.exit(f"cunwu 需要 Python 3.11 或更高版本，当前是 {sys.version.split()[0]}")
    stamp = VENV / f".installed-{extras or 'run'}"
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    wanted = digest.hexdigest()
    # An install with the test tools also serves `run`.
    done = [stamp, VENV / ".installed-dev"] if not extras else [stamp]
    if PY.exists() and any(s.exists() and s.read_text() == wanted for s in done):
        return
    if not PY.exists():
        say(f"creating {VENV}")
        try:
            venv.create(VENV, with_pip=True)
        except Exception as exc:
            sys.exit(f"无法创建虚拟环境（{exc}）。Debian/Ubuntu 上请先安装 python3-venv。")
    target = f".[{extras}]" if extras else "."
    code = run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-c", CONSTRAINTS, "-e", target)
    if code:
        sys.exit(code)
    stamp.write_text(wanted)


def cmd_run(args: list[str]) -> int:
    setup("")
    return subprocess.call([str(BIN / "cunwu"), *args])


def cmd_test(args: list[str]) -> int:
    setup("dev")
    checks = [
        (BIN / "ruff", "check", "."),
        (BIN / "ruff", "format", "--check", "."),
        (BIN / "mypy",),
        (PY, "-m", "pytest", *args),
    ]
    for check in checks:
        code = run(*check)
        if code:
            say(f"FAILED: {' '.join(str(c) for c in check)} (exit {code})")
            return code
    say("all checks passed")
    return 0


def cmd_bench(_: list[str]) -> int:
    setup("dev")
    benches = ("tests.bench.bench_store", "tests.bench.bench_tui", "tests.bench.bench_export")
    return max(run(PY, "-m", bench) for bench in benches)


def cmd_lock(_: list[str]) -> int:
    setup("dev")
    frozen = subprocess.run(
        [str(PY), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    CONSTRAINTS.write_text("# Pinned versions, written by `python3 dev.py lock`.\n" + frozen)
    say(f"wrote {CONSTRAINTS}")
    return 0


COMMANDS = {"run": cmd_run, "test": cmd_test, "bench": cmd_bench, "lock": cmd_lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
