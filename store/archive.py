"""Whole-directory backups (``cunwu backup``) and restores (``cunwu restore``).

A backup is one ``.tar.gz`` of the settings, the journal and every data file, taken under
the write lock so it is consistent. A restore is only ever run by a person: it checks
that every file in the backup can be read, keeps the current files aside, writes the
backup's files, and journals which records changed. The journal itself is never rolled
back: it keeps the history, including the restore.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tarfile
import tomllib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import orjson

from store import backups
from store.db import JOURNAL_FILE, PARTITIONS_DIR
from store.errors import BadInput, DataDamaged
from store.files import atomic_write, make_dirs
from store.settings import SETTINGS_FILE

if TYPE_CHECKING:
    from store.site import Site

_PARTITION = re.compile(rf"^{PARTITIONS_DIR}/[^/]+/\d{{4}}\.json$")


def backup(site: Site, now: dt.datetime, out: Path | None = None) -> Path:
    """Write a consistent archive of the data directory; returns its path."""
    root = site.root
    if out is None:
        folder = root / backups.BACKUP_DIR / "full"
        make_dirs(folder, site.store.dir_mode)
        out = folder / f"cunwu-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    if out.exists():
        raise BadInput(f"{out} 已存在，请换一个文件名")
    # A backup changes no record: a 监委会 account may take one too (``store.roles``).
    with site.store.transaction(site.operator, now, supervision=True) as txn:
        members = [root / SETTINGS_FILE, root / JOURNAL_FILE]
        members += sorted((root / PARTITIONS_DIR).glob("*/*.json"))
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            for path in members:
                if path.exists():
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
        txn.record("backup", f"backup:{out.name}", None, {"files": len(members)})
    return out


def restore(site: Site, now: dt.datetime, source: Path) -> list[str]:
    """Put the files of a backup back; returns the restored paths relative to the data directory."""
    files = _read_backup(site.root, source)
    root = site.root
    with site.store.transaction(site.operator, now) as txn:
        before = site.records(skip_damaged=True)
        aside = root / backups.BACKUP_DIR / "pre-restore"
        make_dirs(aside, site.store.dir_mode)
        stamp = now.strftime("%Y%m%d%H%M%S")
        for rel, content in files.items():
            target = root / rel
            if target.exists():
                keep = aside / f"{backups.flat_name(root, target)}.{stamp}"
                if not keep.exists():
                    os.link(target, keep)
            make_dirs(target.parent, site.store.dir_mode)
            atomic_write(target, content, site.store.file_mode)
        after = site.records()
        for target_id in sorted(set(before) | set(after)):
            if before.get(target_id) != after.get(target_id):
                txn.record("restored", target_id, after.get(target_id), {"from": source.name})
    return sorted(files)


def _read_backup(root: Path, source: Path) -> dict[str, bytes]:
    if not source.is_file():
        raise BadInput(f"备份文件 {source} 不存在")
    if source.name.endswith((".tar.gz", ".tgz")):
        files = _from_archive(source)
    else:
        original = (
            backups.original_path(root, source.resolve()) if source.resolve().is_relative_to(root.resolve()) else None
        )
        rel = original.relative_to(root).as_posix() if original is not None else ""
        if not (_PARTITION.match(rel) or rel == SETTINGS_FILE):
            raise BadInput(f"{source} 不是本数据目录 backups/ 下的数据文件备份，也不是 cunwu backup 生成的 .tar.gz")
        files = {rel: source.read_bytes()}
    for rel, content in files.items():
        _check(rel, content, source)
    if not files:
        raise BadInput(f"{source} 中没有可恢复的数据文件")
    return files


def _from_archive(source: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            for member in tar.getmembers():
                name = PurePosixPath(member.name).as_posix()
                if name == JOURNAL_FILE:
                    continue  # the journal is never rolled back
                if not member.isfile() or not (name == SETTINGS_FILE or _PARTITION.match(name)) or ".." in name:
                    raise BadInput(f"备份 {source} 含有不应有的文件“{member.name}”，已拒绝恢复")
                extracted = tar.extractfile(member)
                files[name] = extracted.read() if extracted is not None else b""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataDamaged(f"备份文件 {source} 无法读取（{exc}），未做任何改动") from None
    return files


def _check(rel: str, content: bytes, source: Path) -> None:
    try:
        if rel == SETTINGS_FILE:
            tomllib.load(io.BytesIO(content))
        elif not isinstance(orjson.loads(content), dict):
            raise ValueError("顶层不是对象")
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataDamaged(f"备份 {source} 中的 {rel} 已损坏（{exc}），未做任何改动") from None
