"""Backups: rotating hard links of each data file, whole-directory archives, restore.

Before a data file is replaced, the current version is hard-linked into
``backups/hourly`` (at most one an hour, 48 kept) and ``backups/daily`` (one a day, 30
kept). ``os.replace`` installs a new inode, so a link keeps the old version at no cost.
Restoring is never automatic: a damaged file stops the program with the newest good
backup named, and a person runs ``cunwu restore``.

A rotated backup is named ``<flat name>.<number>-<stamp>``: the number counts the backups of
that file in the order they were made (one count for hourly and daily), the stamp is the
clock's hour or day, for people to read. Rotation keeps the newest by number, never by stamp:
with the clock set back a year, every new backup's stamp would sort first, and sorting by
stamp would delete the backup just made. Backups from before the number (``<flat>.<stamp>``)
count as older than any numbered one, in stamp order among themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from store.files import make_dirs

BACKUP_DIR = "backups"
KEEP = {"hourly": 48, "daily": 30}
STAMPS = {"hourly": "%Y%m%d%H", "daily": "%Y%m%d"}
SEP = "__"
_SUFFIX = re.compile(r"(?:(?P<number>\d{1,12})-)?(?P<stamp>\d{8}(?:\d{2})?)")


@dataclass(frozen=True, slots=True)
class Version:
    """One rotated backup of a data file."""

    path: Path
    number: int
    """Its place in the order the backups of its file were made; 0 for one named before numbering."""
    stamp: str
    """The clock's hour (hourly) or day (daily) when it was made, as in its name."""

    def order(self) -> tuple[int, str, str]:
        """Sorts in the order the backups were made (unnumbered ones first, by stamp)."""
        return (self.number, self.stamp, self.path.name)


def flat_name(root: Path, path: Path) -> str:
    """cases/城关村/2026.json → cases__城关村__2026.json"""
    return SEP.join(path.relative_to(root).parts)


def original_path(root: Path, backup: Path) -> Path:
    """The data file a rotated backup (``<flat name>.<number>-<stamp>`` or ``.<stamp>``) belongs to."""
    return root.joinpath(*backup.name.rsplit(".", 1)[0].split(SEP))


def _versions(folder: Path, flat: str) -> list[Version]:
    """The rotated backups of ``flat`` in ``folder`` (a name that is not one is left alone)."""
    prefix = f"{flat}."
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if entry.name.startswith(prefix):
                match = _SUFFIX.fullmatch(entry.name[len(prefix) :])
                if match:
                    number = int(match["number"]) if match["number"] else 0
                    found.append(Version(Path(entry.path), number, match["stamp"]))
    return found


def rotate(root: Path, path: Path, now: dt.datetime, dir_mode: int = 0o700) -> None:
    """Link the current version of ``path`` into the hourly and daily backups when due (no
    backup of this hour, or day, yet), then remove the oldest made beyond what is kept."""
    if not path.exists():
        return
    flat = flat_name(root, path)
    folders = {kind: root / BACKUP_DIR / kind for kind in KEEP}
    found = {kind: _versions(folder, flat) for kind, folder in folders.items()}
    number = 1 + max((v.number for versions in found.values() for v in versions), default=0)
    for kind, keep in KEEP.items():
        folder = folders[kind]
        make_dirs(folder, dir_mode)
        stamp = now.strftime(STAMPS[kind])
        versions = found[kind]
        if not any(v.stamp == stamp for v in versions):
            target = folder / f"{flat}.{number:06d}-{stamp}"
            with contextlib.suppress(FileExistsError):
                os.link(path, target)
            versions.append(Version(target, number, stamp))
            number += 1
        versions.sort(key=Version.order)
        for old in versions[:-keep]:
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()


def keep_pre_migration(root: Path, path: Path, version: int, dir_mode: int = 0o700) -> None:
    """Keep the file as it was before a format migration."""
    folder = root / BACKUP_DIR / "pre-migration"
    make_dirs(folder, dir_mode)
    target = folder / f"{flat_name(root, path)}.v{version}"
    if not target.exists() and path.exists():
        os.link(path, target)


def versions_of(root: Path, path: Path) -> list[Path]:
    """Every rotated backup of ``path``, the last made first (the order ``rotate`` keeps them by)."""
    flat = flat_name(root, path)
    found = [v for kind in KEEP for v in _versions(root / BACKUP_DIR / kind, flat)]
    return [v.path for v in sorted(found, key=Version.order, reverse=True)]


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
    head = (
        f"数据文件 {path} 已损坏，无法读取（{reason}）。修好之前，这个村这一年的记录不能查看和办理；没有写入任何内容。"
    )
    if good is None:
        return head + "没有找到该文件的完好备份；请管理员修复，先查看能按日志重建哪些记录。"
    return head + (
        f"最近的完好备份：{good}\n请管理员修复：以这份备份为底，按日志补回它之后的每一次保存，重建这个文件；"
        "不要直接恢复这份备份，那会丢失它之后的保存。"
    )
