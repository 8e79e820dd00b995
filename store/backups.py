"""Backups: rotating hard links of each data file, whole-directory archives, restore.

Before a data file is replaced, the current version is hard-linked into
``backups/hourly`` (at most one an hour, 48 kept) and ``backups/daily`` (one a day, 30
kept). ``os.replace`` installs a new inode, so a link keeps the old version at no cost.
Restoring is never automatic: a damaged file stops the program with the newest good
backup named, and a person runs ``cunwu restore``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import orjson

from store.files import make_dirs

BACKUP_DIR = "backups"
KEEP = {"hourly": 48, "daily": 30}
STAMPS = {"hourly": "%Y%m%d%H", "daily": "%Y%m%d"}
SEP = "__"


def flat_name(root: Path, path: Path) -> str:
    """cases/城关村/2026.json → cases__城关村__2026.json"""
    return SEP.join(path.relative_to(root).parts)


def original_path(root: Path, backup: Path) -> Path:
    """The data file a rotated backup (``<flat name>.<stamp>``) belongs to."""
    return root.joinpath(*backup.name.rsplit(".", 1)[0].split(SEP))


def rotate(root: Path, path: Path, now: dt.datetime, dir_mode: int = 0o700) -> None:
    """Link the current version of ``path`` into the hourly and daily backups when due."""
    if not path.exists():
        return
    flat = flat_name(root, path)
    for kind, keep in KEEP.items():
        folder = root / BACKUP_DIR / kind
        make_dirs(folder, dir_mode)
        target = folder / f"{flat}.{now.strftime(STAMPS[kind])}"
        if not target.exists():
            with contextlib.suppress(FileExistsError):
                os.link(path, target)
        versions = sorted(folder.glob(f"{flat}.*"))
        for old in versions[:-keep]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


def keep_pre_migration(root: Path, path: Path, version: int, dir_mode: int = 0o700) -> None:
    """Keep the file as it was before a format migration."""
    folder = root / BACKUP_DIR / "pre-migration"
    make_dirs(folder, dir_mode)
    target = folder / f"{flat_name(root, path)}.v{version}"
    if not target.exists() and path.exists():
        os.link(path, target)


def versions_of(root: Path, path: Path) -> list[Path]:
    """Every rotated backup of ``path``, newest first."""
    flat = flat_name(root, path)
    found = []
    for kind in KEEP:
        found += list((root / BACKUP_DIR / kind).glob(f"{flat}.*"))
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def parses(path: Path) -> bool:
    try:
        return isinstance(orjson.loads(path.read_bytes()), dict)
    except (OSError, ValueError):
        return False


def newest_good(root: Path, path: Path) -> Path | None:
    return next((p for p in versions_of(root, path) if parses(p)), None)


def damaged_message(root: Path, path: Path, reason: str) -> str:
    """What to tell the user when ``path`` cannot be read: a 管理员 rebuilds it (the newest good
    backup plus every save the journal holds since). Never to put the backup back as it is:
    that would lose every save made after it. How (a command, a key) is the caller's to add."""
    good = newest_good(root, path)
    head = f"数据文件 {path} 已损坏，无法读取（{reason}）。程序已停止，未写入任何内容。"
    if good is None:
        return head + "没有找到该文件的完好备份；请管理员修复，先查看能按日志重建哪些记录。"
    return head + (
        f"最近的完好备份：{good}\n请管理员修复：以这份备份为底，按日志补回它之后的每一次保存，重建这个文件；"
        "不要直接恢复这份备份，那会丢失它之后的保存。"
    )
