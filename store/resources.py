"""A write the machine refused for want of room or rights, said in words.

A full disk (ENOSPC), a used-up quota (EDQUOT), a file too big for its file system or for
``ulimit -f`` (EFBIG), a file system the kernel made read-only after an error (EROFS), or no
permission (EACCES, EPERM) can stop any save, export, backup or restore. None of them is a bug:
the person is told what was being written and where, that nothing half-written was left, and
what to do (free space, ask the 管理员 about permissions or the disk), with exit code 3 — never
a traceback, never the crash handler.

Writers wrap their system calls in ``guard(path)`` (``store.files.atomic_write``, the journal,
``store.outputs.Place.create``, a restore's staged files): a resource error becomes a
``ResourceProblem`` naming ``path``; any other OSError passes unchanged. The operation around
them says what it was with ``doing(BACKUP)`` (a backup's journal entry is part of the backup, not
a save of its own). ``problem`` turns an OSError that reached the command line or the terminal
app unwrapped into one, or None when it is not a resource error (then it stays a bug).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from store.errors import EXIT_DATA, StoreError

RESOURCE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM})


@dataclass(frozen=True, slots=True)
class Doing:
    """The operation a refused write belonged to, as the message names it."""

    what: str
    """The operation, as a noun: 保存, 导出, 备份, 恢复."""
    outcome: str
    """What the failure left, in one sentence: that it was not done and nothing is half-written."""


SAVE = Doing("保存", "这次保存没有写入，数据保持保存前的样子，没有留下写了一半的文件")
EXPORT = Doing("导出", "没有生成文件，也没有留下不完整的文件；数据没有改动")
BACKUP = Doing("备份", "没有生成备份文件，也没有留下不完整的文件；数据没有改动")
RESTORE = Doing("恢复", "恢复没有进行，数据没有改动")
ACCESS = Doing("打开数据", "没有做任何改动")
"""An error no write guard named: reaching the data directory itself (a read, a stat)."""
RESTORE_FINISH = Doing("恢复", "恢复已记入日志，但还有文件没有换好；问题解决后，下一次保存会自动完成恢复")


_CAUSES = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超过了允许的大小",
    errno.EROFS: "磁盘是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
}


def cause(code: int) -> str:
    """The problem in a few words (磁盘已满 …), empty for another error."""
    return _CAUSES.get(code, "")


def _account() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def _shown(path: str | Path | None) -> str:
    if path is None:
        return ""
    from store.outputs import shown  # outputs uses this module: imported when a message is made

    return shown(path)


class ResourceProblem(StoreError):
    """A write refused by the system for want of space or rights; ``str()`` is the message."""

    exit_code = EXIT_DATA

    def __init__(self, code: int, path: str | Path | None, doing: Doing = SAVE) -> None:
        self.errno = code
        """ENOSPC, EDQUOT, EFBIG, EROFS, EACCES or EPERM."""
        self.path = path
        """What was being written (None when unknown)."""
        self.doing = doing
        super().__init__(message(code, path, doing))

    def as_part_of(self, doing: Doing) -> ResourceProblem:
        """The same problem, named as part of ``doing``."""
        return ResourceProblem(self.errno, self.path, doing)


def message(code: int, path: str | Path | None, doing: Doing = SAVE) -> str:
    """What happened, what it left, and what to do, in Chinese."""
    where = _shown(path)
    file = f"{where} " if where else "文件"
    if code == errno.ENOSPC:
        cause = f"磁盘已满，{file}写不进去"
        advice = "请清理磁盘空间（或请管理员清理；运行环境检查可查看剩余空间），然后重试"
    elif code == errno.EDQUOT:
        cause = f"账号的磁盘配额已用完，{file}写不进去"
        advice = "请删除不需要的文件，或请管理员增加配额，然后重试"
    elif code == errno.EFBIG:
        cause = f"文件超过了允许的大小，{file}写不进去"
        advice = "请管理员检查该磁盘和账号的文件大小限制（ulimit -f），或换一个位置，然后重试"
    elif code == errno.EROFS:
        cause = f"{where or '要写的位置'} 所在的磁盘是只读的（常见于磁盘出错后被系统改为只读）"
        advice = "请管理员检查磁盘，重新挂载为可写后再试"
    else:  # EACCES, EPERM
        cause = f"账号 {_account()} 没有权限读写 {where or '所需的文件'}"
        advice = "请管理员修正该文件或文件夹的所有者和权限（运行环境检查可查看数据目录的权限），然后重试"
    return f"{doing.what}没有完成：{cause}。{doing.outcome}。{advice}。"


def problem(exc: OSError, path: str | Path | None = None, doing: Doing = SAVE) -> ResourceProblem | None:
    """``exc`` as a ResourceProblem about ``path`` (else the file the system named), or None
    when it is not a resource error."""
    if exc.errno not in RESOURCE_ERRNOS:
        return None
    if path is None:
        path = exc.filename2 if exc.filename2 is not None else exc.filename
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        elif path is not None and not isinstance(path, str | Path):
            path = None  # a file descriptor
    return ResourceProblem(exc.errno or 0, path, doing)


@contextlib.contextmanager
def guard(path: str | Path | None, doing: Doing = SAVE) -> Iterator[None]:
    """Writing ``path``: a resource error inside becomes a ResourceProblem naming it."""
    try:
        yield
    except OSError as exc:
        found = problem(exc, path, doing)
        if found is None:
            raise
        raise found from None


@contextlib.contextmanager
def part_of(doing: Doing) -> Iterator[None]:
    """Everything inside belongs to ``doing``: a ResourceProblem (or a resource error not yet
    turned into one) is named as part of it."""
    try:
        yield
    except ResourceProblem as exc:
        raise exc.as_part_of(doing) from None
    except OSError as exc:
        found = problem(exc, None, doing)
        if found is None:
            raise
        raise found from None


def full_write(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``: ``os.write`` may write less than it is given."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # a regular file that takes nothing more has no room left
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]
