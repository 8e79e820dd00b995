"""Where a Word export, a backup or a fetched document may be written, and how it is created.

One policy for every file cunwu writes outside its own bookkeeping (``cunwu backup``, every
``cunwu export``, ``cunwu export get --to``):

- In shared mode (the shared-server launcher: the process is the service account, which can
  read and write every village's data) a path the person chose is limited to their own export
  folder ``<data>/exports/<account>/``; the default ``backups/full/`` of a backup stays allowed.
- In every mode, never inside the data directory (its records, journal, settings, backups or
  another person's export folder: anything written there is read back as data or replaces
  it), except the person's own export folder and, for a backup, ``backups/full/``; never in
  ``matters/`` (local matter files: a file there would be loaded as a matter), wherever it
  points; never in the anchor's folder (``store.anchor.location``).
- Paths are compared after resolving symlinks, and every folder on the way is compared by
  (device, inode) too, so a second path to the same folder (a bind mount) does not pass.
- The folder is opened one component at a time without following symlinks, and the file is
  written in it under a new temporary name (``O_CREAT | O_EXCL | O_NOFOLLOW``, mode 0600),
  fsynced, and given its name with a hard link: never over an existing file or through a
  symlink swapped in after the check, and never listed under its name until it is complete (a
  full disk part-way leaves nothing; ``store.resources`` says so in words).

Checking (``place``, ``file_place``) writes nothing, so a refusal comes before any file or
folder is made; the folders are created only when the first file is.

Every path a person types (``--out``, ``--to``, ``restore PATH``, ``--anchor``) can be one the
system refuses to open: too long (ENAMETOOLONG), a symlink loop (ELOOP), a file where a folder
should be (ENOTDIR), no permission (EACCES) … ``given_path`` and ``path_error`` turn each into
a refusal in Chinese that names the path and what to do, never a crash.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from procedures.loader import CatalogError
from store import resources
from store.errors import BadInput, OwnFolderOnly, Refused, StoreError
from store.files import TEMP_PREFIX

if TYPE_CHECKING:
    from store.site import Site

EXPORT, BACKUP = "export", "backup"
EXPORTS_DIR = "exports"
FULL_BACKUPS = ("backups", "full")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_PATH", 0)
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_MODE = 0o600
OUTPUT_TEMP = f"{TEMP_PREFIX}cunwu-"
"""Prefix of the temporary name a file is written under until it is complete (``Place.create``)."""
_NO_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK})
"""What ``link`` says on a file system without hard links."""
NAME_MAX = 255
"""The longest file name (in bytes) of the usual Linux file systems (ext4, xfs, btrfs)."""
SHOWN = 120
"""A path longer than this is shown shortened in messages (its start and its end)."""

_REASONS = {
    errno.ENOENT: "不存在",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.ELOOP: "经过的符号链接太多（或是符号链接）",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EISDIR: "是文件夹，不是文件",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的文件系统是只读的",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EINVAL: "路径无效",
    errno.ENXIO: "不是普通文件（设备或管道）",
}


def shown(path: object) -> str:
    """A path (or name) for a message: printable, and shortened in the middle when very long."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= SHOWN else f"{text[: SHOWN // 2]}…{text[-(SHOWN // 2) :]}（共 {len(text)} 字）"


def reason(exc: OSError, shared: bool = False) -> str:
    """Why the system refused, in Chinese (``shared``: the process is the service account)."""
    text = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    if shared and exc.errno in (errno.EACCES, errno.EPERM):
        text += "（cunwu 在共享服务器上以服务账号运行）"
    return text


def path_error(path: object, exc: OSError, what: str, hint: str = "请检查路径后重试", shared: bool = False) -> BadInput:
    """The refusal for a path a person gave that the system would not open: ``what`` names it
    (“备份文件”, “锚点文件” …); nothing was changed."""
    return BadInput(f"{what} {shown(path)} 无法使用：{reason(exc, shared)}。未做任何改动；{hint}。")


def given_path(path: Path, what: str) -> Path:
    """A path a person typed, ``~`` expanded and made absolute (no file system access but the
    home directory's look-up); BadInput for ``~nobody/…`` or a NUL character."""
    if "\x00" in str(path):
        raise BadInput(f"{what} {shown(path)} 含有空字符，不是有效的路径。未做任何改动")
    try:
        return Path(os.path.abspath(path.expanduser()))
    except RuntimeError:
        raise BadInput(
            f"{what} {shown(path)} 无效：找不到“{shown(path.parts[0])}”所指的用户主目录。未做任何改动；请写完整路径"
        ) from None


def resolved(path: Path, what: str) -> Path:
    """``given_path`` with symlinks resolved; a symlink loop is refused (pathlib raises RuntimeError)."""
    try:
        return given_path(path, what).resolve()
    except RuntimeError:
        raise path_error(path, OSError(errno.ELOOP, "loop"), what, "请换一个位置") from None


@dataclass(frozen=True, slots=True)
class Zone:
    """A folder nothing may be written into (nor below): its resolved path and, when it exists, its id."""

    path: Path
    id: tuple[int, int] | None
    why: str
    """The refusal, in Chinese: what the folder is and what to do instead."""


@dataclass(frozen=True)
class Place:
    """A folder checked against the policy: files are created in it with ``create``."""

    path: Path
    """The folder, symlinks resolved."""
    allowed: bool
    """One of the folders cunwu itself writes into (the person's export folder, ``backups/full``)."""
    zones: tuple[Zone, ...] = ()
    dir_mode: int = 0o700
    """Mode of a folder created inside the data directory on the way (``backups/full``)."""
    root: Path = field(default=Path("/"))
    """The data directory, resolved."""
    private: bool = True
    """The folder itself, when created, is 0700 (a person's export folder, or one of their own)."""

    def file(self, name: str) -> Path:
        return self.path / _file_name(name)

    def exists(self, name: str) -> bool:
        return os.path.lexists(self.file(name))

    @contextlib.contextmanager
    def create(self, name: str, doing: resources.Doing = resources.EXPORT) -> Iterator[BinaryIO]:
        """A new file ``name`` (0600) in this folder, written in the block. It is written under a
        temporary name beside it, fsynced, and only then given ``name`` (never over an existing
        file), so a file under ``name`` is always complete; when the block or the write fails,
        the temporary file is removed. FileExistsError when ``name`` exists (before the block, or
        when it appeared meanwhile); a full disk or no permission is a ResourceProblem (``doing``)."""
        name = _file_name(name)
        target = self.path / name
        folder = self._open_folder(doing)
        try:
            if self.allowed:
                _sweep(folder)
            with resources.guard(target, doing):
                if _lexists(name, folder):
                    raise FileExistsError(errno.EEXIST, "File exists", str(target))
            fd, temp = self._new_temp(folder, name, doing)
            try:
                with resources.guard(target, doing):
                    os.fchmod(fd, FILE_MODE)
                    fh = os.fdopen(fd, "wb")
                    fd = -1
                try:
                    yield fh
                    with resources.guard(target, doing):
                        fh.flush()
                        os.fsync(fh.fileno())
                except OSError as exc:  # the caller's reads name their own file
                    found = resources.problem(exc, None if exc.filename else target, doing)
                    if found is None:
                        raise
                    raise found from None
                finally:
                    # After a failure the rest of the buffer cannot be written either: closing
                    # must not replace the error with a second one.
                    with contextlib.suppress(OSError):
                        fh.close()
                with resources.guard(target, doing):
                    _install(folder, temp, name)
                _fsync_folder(folder)
            except BaseException:
                if fd >= 0:
                    os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=folder)
                raise
        finally:
            os.close(folder)

    def _new_temp(self, folder: int, name: str, doing: resources.Doing) -> tuple[int, str]:
        """A new private temporary file in ``folder`` for ``name``: its descriptor and name."""
        for _ in range(100):
            temp = f"{OUTPUT_TEMP}{secrets.token_hex(8)}"
            try:
                return os.open(temp, _FILE_FLAGS, FILE_MODE, dir_fd=folder), temp
            except FileExistsError:
                continue
            except OSError as exc:
                found = resources.problem(exc, self.path / name, doing)
                if found is not None:
                    raise found from None
                raise Refused(
                    f"无法在 {shown(self.path)} 中创建 {shown(name)}：{reason(exc)}。未写入任何文件；请换一个位置或文件名。"
                ) from None
        raise Refused(f"无法在 {shown(self.path)} 中创建临时文件。未写入任何文件；请换一个位置。")

    def _open_folder(self, doing: resources.Doing = resources.EXPORT) -> int:
        """The folder opened component by component without following a symlink, missing
        folders created; refused when a folder on the way is one nothing may be written into."""
        fd = os.open("/", _DIR_FLAGS)
        seen = [_id(os.fstat(fd))]
        try:
            so_far = Path("/")
            for part in self.path.parts[1:]:
                so_far = so_far / part
                try:
                    child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    child = self._make_folder(fd, part, so_far, doing)
                except OSError as exc:
                    found = resources.problem(exc, so_far, doing)
                    if found is not None:
                        raise found from None
                    what = "不是文件夹或是符号链接" if exc.errno in (errno.ENOTDIR, errno.ELOOP) else "无法打开"
                    raise Refused(
                        f"无法写入 {shown(self.path)}：路径中的 {shown(so_far)} {what}（{reason(exc)}）。"
                        "未写入任何文件；请换一个位置。"
                    ) from None
                os.close(fd)
                fd = child
                seen.append(_id(os.fstat(fd)))
            if not self.allowed:
                for zone in self.zones:
                    if zone.id is not None and zone.id in seen:
                        raise Refused(zone.why)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _make_folder(self, parent: int, part: str, so_far: Path, doing: resources.Doing) -> int:
        """Create the missing folder ``part`` (on the way to ``self.path``) and open it."""
        mode = 0o700 if self.private and so_far == self.path else self._mode_for(so_far)
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, mode, dir_fd=parent)
                _chmod_in(parent, part, mode)
            return os.open(part, _DIR_FLAGS, dir_fd=parent)
        except OSError as exc:
            found = resources.problem(exc, so_far, doing)
            if found is not None:
                raise found from None
            raise Refused(
                f"无法写入 {shown(self.path)}：不能建立文件夹 {shown(so_far)}（{reason(exc)}）。未写入任何文件；请换一个位置。"
            ) from None

    def _mode_for(self, folder: Path) -> int:
        return self.dir_mode if folder.is_relative_to(self.root) else 0o700


def _lexists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _install(folder: int, temp: str, name: str) -> None:
    """Give the complete file ``temp`` its name ``name`` in ``folder``, never over an existing
    file: a hard link fails on any existing name (a file, a FIFO, a dangling link) and follows
    nothing. Where there are no hard links (a FAT USB stick) the name is checked, then renamed."""
    try:
        os.link(temp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if _lexists(name, folder):
            raise FileExistsError(errno.EEXIST, "File exists", name) from None
        os.rename(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        return
    with contextlib.suppress(OSError):  # the file is complete under its name; a stale temp name is swept
        os.unlink(temp, dir_fd=folder)


def _fsync_folder(folder: int) -> None:
    """The new name survives a power cut, as far as the file system can promise it: the file's
    content is already fsynced and under its name, so a failure here is not a failed export."""
    with contextlib.suppress(OSError):
        fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=folder)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sweep(folder: int, older_than: float = 600.0) -> None:
    """Remove temporary files a killed export or backup left in one of cunwu's own output folders."""
    cutoff = time.time() - older_than
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=folder)
    try:
        names = [n for n in os.listdir(fd) if n.startswith(OUTPUT_TEMP)]
    finally:
        os.close(fd)
    for name in names:
        with contextlib.suppress(OSError):
            if os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime < cutoff:
                os.unlink(name, dir_fd=folder)


def _chmod_in(parent: int, name: str, mode: int) -> None:
    """Set a just-created folder's mode exactly (mkdir applies the umask)."""
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _id(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _file_name(name: str) -> str:
    if not name or name in (".", "..") or "/" in name or "\x00" in name:
        raise BadInput(f"“{shown(name)}”不是有效的文件名，未写入任何文件")
    size = len(name.encode("utf-8", "surrogateescape"))
    if size > NAME_MAX:
        raise BadInput(
            f"文件名“{shown(name)}”太长（{size} 字节，最多 {NAME_MAX} 字节），未写入任何文件；请换一个短些的文件名"
        )
    return name


def own_folder(site: Site) -> Path:
    """The person's own export folder, ``<data>/exports/<account>/`` (symlinks in the data
    directory's path resolved)."""
    return site.root.resolve() / EXPORTS_DIR / site.operator.account


def default_folder(site: Site, purpose: str) -> Path:
    """Where ``purpose`` writes when no folder is given."""
    return own_folder(site) if purpose == EXPORT else site.root.resolve().joinpath(*FULL_BACKUPS)


def place(site: Site, folder: Path | None, purpose: str) -> Place:
    """Check that ``purpose`` (EXPORT or BACKUP) may write into ``folder`` (None: its default
    folder) for the person at ``site``; writes nothing. Refused says why and what to do."""
    root = site.root.resolve()
    own = own_folder(site)
    allowed = [own, *([default_folder(site, BACKUP)] if purpose == BACKUP else [])]
    if folder is not None and site.operator.via_sudo and given_path(folder, "目录") not in allowed:
        # Refused as typed, before the service account looks at any part of the path.
        what = "备份" if purpose == BACKUP else "导出的文书"
        raise OwnFolderOnly(
            f"在共享服务器上，{what}只能写到你本人的导出目录 {own}（cunwu 以服务账号运行，能读写所有村的数据，"
            f"不能替你写到 {shown(given_path(folder, '目录'))}）。请去掉 --out，或写 --out {own}，写好后再从那里取出。",
            folder=str(own),
        )
    chosen = allowed[-1] if folder is None else resolved(folder, "目录")
    dir_mode = site.store.dir_mode
    if chosen in allowed:
        _check_allowed(root, chosen)
        return Place(chosen, True, (), dir_mode, root, private=chosen == own)
    if site.operator.via_sudo:  # typed as the folder, but a symlink to somewhere else
        raise Refused(f"{own} 应为文件夹，却是符号链接；请管理员检查数据目录 {root}。未写入任何文件。")
    zones = _zones(site, root, purpose)
    for zone in zones:
        if chosen == zone.path or chosen.is_relative_to(zone.path):
            raise Refused(zone.why)
    return Place(chosen, False, tuple(zones), dir_mode, root)


def file_place(site: Site, file: Path, purpose: str) -> tuple[Place, str]:
    """``place`` for a file path the person gave (``--out FILE``, ``--to FILE``): its folder and name."""
    full = given_path(file, "文件")
    name = _file_name(full.name)
    return place(site, full.parent, purpose), name


def _check_allowed(root: Path, folder: Path) -> None:
    """cunwu's own output folders inside the data directory must be real folders, not symlinks
    to somewhere else (the data directory itself is resolved before)."""
    path = root
    for part in folder.relative_to(root).parts:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise Refused(f"{path} 应为文件夹，却是符号链接或文件；请管理员检查数据目录 {root}。未写入任何文件。")


def _zones(site: Site, root: Path, purpose: str) -> list[Zone]:
    from store import anchor as anchor_mod

    default = default_folder(site, purpose)
    zones = [
        Zone(
            root,
            _stat_id(root),
            f"不能写到数据目录 {root} 之内：那里的文件由 cunwu 管理，写进去的文件会被当作数据读取或替换数据。"
            f"请换一个数据目录以外的位置，或去掉 --out（默认：{default}）。",
        )
    ]
    matters = (site.root / "matters").resolve()
    zones.append(
        Zone(
            matters,
            _stat_id(matters),
            f"不能写到本地事项目录 {matters} 之内：那里的文件会被当作事项加载。请换一个位置。",
        )
    )
    anchors = set()
    for environ in (site.environ, None):  # the session's, and the process's (where commits write it)
        try:
            found = anchor_mod.location(site.root, environ)
        except (StoreError, CatalogError, OSError):
            found = None  # a settings file that cannot be read is reported by the command itself
        if found is not None:
            anchors.add(Path(os.path.abspath(found)).parent.resolve())
    for folder in sorted(anchors):
        zones.append(
            Zone(
                folder,
                _stat_id(folder),
                f"不能写到锚点所在的目录 {folder} 之内：那里只应有日志的锚点文件（见 README 锚点一节）。请换一个位置。",
            )
        )
    return zones


def _stat_id(path: Path) -> tuple[int, int] | None:
    try:
        return _id(path.stat())
    except OSError:
        return None
