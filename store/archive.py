"""Whole-directory backups (``cunwu backup``), and reading an archive or a data-file backup
for a restore (``store.restore``) without trusting it.

A backup is one ``.tar.gz`` of the settings, the journal and every data file, taken under the
write lock so it is consistent. Its journal already ends with the backup's own entry (the
entry is chained in advance and the archive is kept only when the journal then holds exactly
that entry), so the newest backup ends at the anchored chain head.

Reading an archive bounds its size unpacked before anything is read into memory (``limit``),
and accepts only regular files with the expected names, each once. An archive may come from a
file or from standard input (``read_archive_stream``: ``cunwu restore -``, so that on the shared
server the service account never opens a path a person names); standard input is read only up
to the same bound.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import os
import re
import stat
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from store import backups, outputs, resources, roles
from store.db import JOURNAL_FILE, PARTITIONS_DIR
from store.errors import BadInput, DataDamaged, StdinEmpty
from store.journal import canonical, chain
from store.settings import SETTINGS_FILE

if TYPE_CHECKING:
    from store.site import Site

MIB = 1024 * 1024
LIMIT_FLOOR = 256 * MIB
"""The smallest bound on an archive's unpacked size (see ``limit``)."""
LIMIT_FACTOR = 4
PAX_LIMIT = 64 * 1024
"""A pax extended header (non-ASCII member names) is a few hundred bytes; tarfile reads it whole."""
ROTATED = frozenset({"hourly", "daily", "pre-restore", "pre-migration"})
"""Folders under ``backups/`` whose files are single data-file versions."""
PARTITION = re.compile(rf"^{PARTITIONS_DIR}/(?P<village>[^/]+)/(?P<year>\d{{4}})\.json$")
STDIN_NAME = "标准输入"
"""How an archive read from standard input is named in messages and in the journal."""
_REGULAR = (b"0", b"\0")
_PAX = b"x"


# --------------------------------------------------------------------------------------- backup


def backup(site: Site, now: dt.datetime, out: Path | None = None) -> Path:
    """Write a consistent archive of the data directory; returns its path.

    Only a 管理员 or 乡镇 account (an archive holds every village's records), refused before
    anything is written; ``out`` follows ``store.outputs`` (never inside the data directory,
    and only the person's export folder in shared mode). The archive's journal ends with this
    backup's own entry."""
    roles.check(site.operator, "backup")
    if out is None:
        place, name = outputs.place(site, None, outputs.BACKUP), f"cunwu-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    else:
        place, name = outputs.file_place(site, out, outputs.BACKUP)
    if not name.endswith((".tar.gz", ".tgz")):
        raise BadInput(f"备份文件名“{name}”应以 .tar.gz 结尾（恢复时按此识别整目录备份）")
    if place.exists(name):
        raise BadInput(f"{place.file(name)} 已存在，请换一个文件名（不会覆盖已有文件）")
    root, written = site.root, False
    try:
        with resources.part_of(resources.BACKUP), site.store.transaction(site.operator, now) as txn:
            partitions = partition_files(root)
            present = [p for p in (root / SETTINGS_FILE, root / JOURNAL_FILE) if p.exists()]
            txn.record("backup", f"backup:{name}", None, {"files": len(present) + len(partitions)})
            (own,) = chain(txn.entries[-1:], site.store.journal.last())
            journal = site.store.journal.path.read_bytes() if site.store.journal.path.exists() else b""
            try:
                # Written under a temporary name and given its own only when complete and fsynced.
                with place.create(name, resources.BACKUP) as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
                    _add(tar, SETTINGS_FILE, root / SETTINGS_FILE)
                    _add_bytes(tar, JOURNAL_FILE, journal + canonical(own) + b"\n")
                    for path in partitions:
                        _add(tar, path.relative_to(root).as_posix(), path)
            except FileExistsError:
                raise BadInput(f"{place.file(name)} 已存在，请换一个文件名（不会覆盖已有文件）") from None
            written = True  # from here on the file under ``name`` is ours: removed if the commit fails
        last = site.store.journal.last()
        if last is None or last["hash"] != own["hash"]:
            raise DataDamaged(f"备份未完成：日志没有按预期记下这次备份（{place.file(name)} 已删除）。请重试。")
    except BaseException:
        if written:
            with contextlib.suppress(OSError):
                place.file(name).unlink()
        raise
    return place.file(name)


def partition_files(root: Path) -> list[Path]:
    base = root / PARTITIONS_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*/*.json") if PARTITION.match(p.relative_to(root).as_posix()) and p.is_file())


def _add(tar: tarfile.TarFile, name: str, path: Path) -> None:
    if path.exists():
        _add_bytes(tar, name, path.read_bytes(), path.stat().st_mtime)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float | None = None) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(mtime if mtime is not None else dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def limit(root: Path) -> int:
    """The largest unpacked archive accepted: max(256 MiB, 4 × the data directory's size now).

    A genuine archive is a copy of this data directory at an earlier time, so it is normally no
    bigger than the directory is now; 4× leaves room for data that shrank since (drafts
    removed), and 256 MiB for a lost or new directory (about 500,000 journal entries and
    10,000s of cases). The archive is held in memory while it is checked (nothing is written
    before every check passes), so this also bounds the memory a restore uses."""
    size = sum(p.stat().st_size for p in (root / SETTINGS_FILE, root / JOURNAL_FILE) if p.exists())
    size += sum(p.stat().st_size for p in partition_files(root))
    return max(LIMIT_FLOOR, LIMIT_FACTOR * size)


def refuse(name: str, why: str) -> DataDamaged:
    return DataDamaged(f"备份 {name} 未通过核验，已拒绝恢复，未做任何改动：{why}")


def _open_file(site: Site, source: Path, path: Path, flags: int = 0) -> IO[bytes]:
    """``path`` (given as ``source``) opened for reading, refused in Chinese unless it is a
    regular file (never a FIFO that would block, or a terminal)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY | flags)
    except FileNotFoundError:
        raise BadInput(f"备份文件 {outputs.shown(source)} 不存在") from None
    except OSError as exc:
        raise outputs.path_error(source, exc, "备份文件", shared=site.operator.via_sudo) from None
    fh = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        fh.close()
        raise BadInput(f"{outputs.shown(source)} 不是文件")
    return fh


def read_archive(site: Site, source: Path) -> dict[str, bytes]:
    """The members of an archive, each checked for kind, name and size before it is read."""
    name, bound = source.name, limit(site.root)
    with _open_file(site, source, source) as fh:
        info = os.fstat(fh.fileno())
        if info.st_size > bound:
            raise refuse(name, f"文件大小 {info.st_size // MIB} MiB 超过上限 {bound // MIB} MiB")
        return _checked_members(fh, bound, name)


def read_archive_stream(site: Site, stream: IO[bytes]) -> dict[str, bytes]:
    """``read_archive`` of an archive read from ``stream`` (standard input): never more than
    the bound (``limit``) and one chunk is read; a longer stream is refused."""
    name, bound = STDIN_NAME, limit(site.root)
    buffer = io.BytesIO()
    size = 0
    while True:
        try:
            chunk = stream.read(min(MIB, bound + 1 - size))
        except OSError as exc:
            raise BadInput(f"无法读取标准输入（{outputs.reason(exc)}），未做任何改动") from None
        if not chunk:
            break
        buffer.write(chunk)
        size += len(chunk)
        if size > bound:
            raise refuse(name, f"超过上限 {bound // MIB} MiB（读到上限即停止）")
    if not size:
        raise StdinEmpty("标准输入是空的：请从标准输入提供备份文件，未做任何改动")
    buffer.seek(0)
    return _checked_members(buffer, bound, name)


def _checked_members(fh: IO[bytes], bound: int, name: str) -> dict[str, bytes]:
    try:
        _scan_headers(fh, bound, name)
        fh.seek(0)
        return _members(fh, bound, name)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise refuse(name, f"文件已损坏或不是整目录备份生成的 .tar.gz（{exc}）") from None


def _scan_headers(fh: IO[bytes], bound: int, name: str) -> None:
    """Walk the tar headers in the unpacked stream without keeping it: refuse a member of another
    kind, a large pax header, or sizes adding up to more than ``bound``, as soon as its header
    is seen (a 1 MB archive holding a 1 GiB member is refused before that member is unpacked)."""
    total = 0
    with gzip.GzipFile(fileobj=fh, mode="rb") as stream:
        while True:
            block = stream.read(512)
            total += 512
            if len(block) < 512:
                raise refuse(name, "文件不完整（tar 结尾缺失）")
            if block == bytes(512):
                return
            kind, size = block[156:157], _header_size(block[124:136], name)
            if kind not in (*_REGULAR, _PAX):
                raise refuse(name, "含有普通文件以外的内容（目录、链接或设备），不是整目录备份生成的")
            if kind == _PAX and size > PAX_LIMIT:
                raise refuse(name, f"含有 {size} 字节的扩展头，不是整目录备份生成的")
            padded = -(-size // 512) * 512
            if total + padded > bound:
                raise refuse(name, f"解压后超过上限 {bound // MIB} MiB（其中一项声明 {size // MIB} MiB）")
            left = padded
            while left:
                chunk = stream.read(min(left, MIB))
                if not chunk:
                    raise refuse(name, "文件不完整")
                left -= len(chunk)
            total += padded


def _header_size(field_: bytes, name: str) -> int:
    if field_[:1] and field_[0] & 0x80:
        raise refuse(name, "含有超大的项（base-256 长度）")
    text = field_.split(b"\0", 1)[0].strip()
    try:
        return int(text.decode("ascii") or "0", 8)
    except (UnicodeDecodeError, ValueError):
        raise refuse(name, "tar 头中的长度无效") from None


def _members(fh: IO[bytes], bound: int, name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    with tarfile.open(fileobj=fh, mode="r:gz") as tar:
        for member in tar:
            rel = member.name
            if not member.isreg():
                raise refuse(name, f"“{rel}”不是普通文件")
            if not expected_name(rel):
                raise refuse(
                    name, f"含有不应有的文件“{rel}”（只应有 settings.toml、journal.jsonl 和 cases/村/年.json）"
                )
            if rel in files:
                raise refuse(name, f"“{rel}”出现了不止一次")
            total += member.size
            if total > bound:
                raise refuse(name, f"解压后超过上限 {bound // MIB} MiB")
            extracted = tar.extractfile(member)
            data = extracted.read(member.size + 1) if extracted is not None else b""
            if len(data) != member.size:
                raise refuse(name, f"“{rel}”不完整")
            files[rel] = data
    return files


def expected_name(rel: str) -> bool:
    if rel in (SETTINGS_FILE, JOURNAL_FILE):
        return True
    match = PARTITION.match(rel)
    return match is not None and PurePosixPath(rel).as_posix() == rel and match["village"] not in (".", "..")


def read_data_file(site: Site, source: Path) -> dict[str, bytes]:
    """A rotated version of one data file (``backups/hourly|daily/…``), by its original path."""
    root = site.root.resolve()
    resolved = outputs.resolved(source, "备份文件")
    folder = resolved.parent
    if folder.parent != root / backups.BACKUP_DIR or folder.name not in ROTATED:
        raise BadInput(
            f"{outputs.shown(source)} 不是本数据目录 backups/ 下某个数据文件的备份，也不是整目录备份生成的 .tar.gz，不能恢复"
        )
    rel = backups.original_path(root, resolved).relative_to(root).as_posix()
    if not expected_name(rel) or rel == SETTINGS_FILE:
        raise BadInput(f"{outputs.shown(source)} 不是数据文件（cases/村/年.json）的备份，不能单独恢复")
    with _open_file(site, source, resolved, os.O_NOFOLLOW) as fh:
        info = os.fstat(fh.fileno())
        bound = limit(site.root)
        if info.st_size > bound:
            raise refuse(source.name, "文件过大")
        data = fh.read(bound + 1)
    if len(data) > bound:
        raise refuse(source.name, "文件过大")
    return {rel: data}
