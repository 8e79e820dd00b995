#!/usr/bin/env python3
"""Set up and run cunwu from a fresh checkout with nothing but python3 (standard library only).

    python3 dev.py run [ARGS...]   set up .venv (runtime packages) and run `cunwu ARGS...`
    python3 dev.py test            set up .venv (with test tools) and run ruff, mypy and pytest
    python3 dev.py samples [DIR]   export every document kind from the sample data and render page 1 of each to PNG
    python3 dev.py bench [NAMES]   run every benchmark (or tui, store, due, export, scale) and print one
                                   table: medians beside what they are compared with, ratios,
                                   budgets and OK/MISSED (figures, not pass/fail tests)
    python3 dev.py lock            rewrite constraints.txt from what .venv has installed
    python3 dev.py bundle [DIR]    build the offline install folder (default dist/cunwu-offline):
                                   the wheels of cunwu and its pinned dependencies, install.py,
                                   setup-server.sh and README.txt; on the server, with no network:
                                   python3 DIR/install.py [--prefix /opt/cunwu]

Packages are installed with the versions pinned in constraints.txt. The virtualenv is
rebuilt only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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


def cmd_bench(args: list[str]) -> int:
    """Every benchmark in one run, one table at the end (``bench tui store due export`` picks some)."""
    setup("dev")
    return run(PY, "-m", "tests.bench.report", *args)


def cmd_samples(args: list[str]) -> int:
    """Export every document kind from the sample data (tests/samples.py) and render the first
    page of each to docs/samples/<kind>.png (needs soffice and pdftoppm), for the README."""
    setup("dev")
    dest = Path(args[0]).expanduser().absolute() if args else ROOT / "docs" / "samples"
    script = (
        "import sys, pathlib, tempfile; from tests.samples import build, export_all; "
        "t = pathlib.Path(tempfile.mkdtemp(prefix='cunwu-samples-')); site, n = build(t / 'data'); "
        "[print(k, p) for k, p in export_all(site, n, t / 'out').items()]"
    )
    made = subprocess.run([str(PY), "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        sys.exit("需要 LibreOffice 和 poppler-utils（Debian：libreoffice-writer-nogui fonts-noto-cjk poppler-utils）")
    dest.mkdir(parents=True, exist_ok=True)
    for line in made.splitlines():
        kind, docx = line.split(" ", 1)
        work = Path(docx).parent
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{work}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                docx,
            ],
            check=True,
            capture_output=True,
        )
        pdf = work / (Path(docx).stem + ".pdf")
        subprocess.run(
            [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(dest / kind)], check=True
        )
        say(f"{kind}: {dest / kind}.png")
    return 0


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


def cmd_bundle(args: list[str]) -> int:
    """Build a folder that installs cunwu on a server without network (see deploy/README.txt)."""
    import json
    import shutil
    import tempfile

    if len(args) > 1 or (args and args[0].startswith("-")):
        sys.exit("用法：python3 dev.py bundle [DIR]（默认 dist/cunwu-offline）")
    dest = Path(args[0]).expanduser().absolute() if args else ROOT / "dist" / "cunwu-offline"
    if dest.exists() and any(dest.iterdir()) and not (dest / "bundle.json").exists():
        sys.exit(f"{dest} 已存在且不是 cunwu 离线安装包，未做任何改动")
    setup("")
    if dest.exists():
        shutil.rmtree(dest)  # an earlier bundle: its wheels must not mix with these
    wheels = dest / "wheels"
    with tempfile.TemporaryDirectory(prefix="cunwu-bundle-") as tmp:
        # Build from a copy: an in-tree build would leave build/ and egg-info in the checkout.
        source = Path(tmp) / "cunwu"
        copy_sources(source)
        code = run(
            PY, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "-c", CONSTRAINTS, "-w", wheels, source
        )
    if code:
        return code
    names = sorted(w.name for w in wheels.glob("*.whl"))
    # Exact versions: reinstalling over an older bundle moves every package to this bundle's.
    pins = "".join(f"{n.split('-')[0]}=={n.split('-')[1]}\n" for n in names)
    (dest / "requirements.txt").write_text(pins, encoding="utf-8")
    probe = "import json, platform, sys; print(json.dumps([f'{sys.version_info[0]}.{sys.version_info[1]}', platform.machine()]))"
    python, machine = json.loads(subprocess.check_output([str(PY), "-c", probe], text=True))
    version = next(n.split("-")[1] for n in names if n.startswith("cunwu-"))
    info = {"name": "cunwu", "version": version, "python": python, "machine": machine, "wheels": names}
    (dest / "bundle.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name in ("install.py", "setup-server.sh", "README.txt"):
        shutil.copy2(ROOT / "deploy" / name, dest / name)
    say(f"wrote {dest} ({len(names)} wheels, Python {python}, {machine})")
    say(f"on the server: python3 {dest.name}/install.py [--prefix /opt/cunwu]   (see {dest.name}/README.txt)")
    return 0


def copy_sources(target: Path) -> None:
    """Copy what the wheel is built from: pyproject.toml, README.md and the top-level packages that
    its ``[tool.setuptools.packages.find]`` patterns match (each with its subpackages and data)."""
    import fnmatch
    import shutil
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        p.name
        for p in sorted(ROOT.iterdir())
        if (p / "__init__.py").is_file() and any(fnmatch.fnmatchcase(p.name, pattern) for pattern in patterns)
    ]
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in packages:
        shutil.copytree(ROOT / package, target / package, ignore=skip)


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "bench": cmd_bench,
    "lock": cmd_lock,
    "bundle": cmd_bundle,
    "samples": cmd_samples,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
