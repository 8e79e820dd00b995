#!/usr/bin/env python3
"""Install cunwu from the offline bundle this script sits in (standard library only, no network).

    python3 install.py [--prefix /opt/cunwu]

Creates a virtualenv at the prefix (or reuses it) and installs exactly the wheels of the
bundle with ``pip --no-index``: nothing is fetched, and the pip settings of the machine
(an index that is not reachable here) are ignored. Needs python3 with venv, of the
version the bundle was built for (bundle.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
WHEELS = HERE / "wheels"


def fail(message: str) -> int:
    print(f"安装失败：{message}", file=sys.stderr)
    return 1


def pip(python: Path, *args: str | Path) -> int:
    """Run the venv's pip offline, blind to pip.conf and PIP_* variables (they may name an index)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    cmd = [str(python), "-m", "pip", "install", "--isolated", "--no-index", "--no-cache-dir"]
    cmd += ["--disable-pip-version-check", "--find-links", str(WHEELS), *map(str, args)]
    return subprocess.call(cmd, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="从离线安装包安装 cunwu（不联网）")
    parser.add_argument("--prefix", default="/opt/cunwu", help="安装目录（一个虚拟环境），默认 /opt/cunwu")
    args = parser.parse_args(argv)
    try:
        info = json.loads((HERE / "bundle.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return fail(f"{HERE} 不是完整的离线安装包（bundle.json：{exc}）")
    have = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if have != info["python"]:
        want = info["python"]
        return fail(
            f"安装包是为 Python {want} 制作的，这里运行的是 {have}。"
            f"如本机装有 python{want}，请用 python{want} install.py；否则请用同版本的 Python 重新制作安装包。"
        )
    if info.get("machine") and platform.machine() != info["machine"]:
        return fail(f"安装包是为 {info['machine']} 架构制作的，本机是 {platform.machine()}。")
    # The program must be readable by the service account even where root's umask is strict.
    os.umask(0o022)
    prefix = Path(args.prefix).expanduser().absolute()
    python = prefix / "bin" / "python"
    existed = (prefix / "bin" / "cunwu").exists()
    has_pip = python.exists() and not subprocess.call(
        [str(python), "-m", "pip", "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if not has_pip:
        try:
            venv.create(prefix, with_pip=True, symlinks=True)
        except PermissionError:
            return fail(f"没有写入 {prefix} 的权限。请用 sudo 运行，或换一个目录：--prefix ~/cunwu")
        except subprocess.CalledProcessError:
            return fail(f"无法在 {prefix} 创建带 pip 的虚拟环境。Debian/Ubuntu 上请先安装 python3-venv。")
        except OSError as exc:
            return fail(f"无法在 {prefix} 创建虚拟环境（{exc.strerror or exc}）")
    if pip(python, "-r", HERE / "requirements.txt"):
        return fail("pip 安装出错（见上）")
    if existed:
        # Same version number, newer build: put this bundle's cunwu in place regardless.
        wheel = next(WHEELS.glob("cunwu-*.whl"))
        if pip(python, "--no-deps", "--force-reinstall", wheel):
            return fail("pip 安装出错（见上）")
    command = prefix / "bin" / "cunwu"
    print(f"已安装 cunwu {info.get('version', '')}：{command}")
    print(f"  试运行：{command} matters")
    print("  共享服务器（多人、服务账号、sudo 规则）请改用：sudo bash setup-server.sh（见 README.txt）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
