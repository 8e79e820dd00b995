"""An unexpected error (a bug): the details go to a private log file, the screen gets one sentence.

Textual's and Typer's own reports print a traceback, Textual's with the local variables of every
frame, which hold personal data (names, ID numbers, case texts), on what is often a shared
screen. Here the traceback is written without local variables to a new file, created 0600 in a
0700 folder (the user's log folder, else a private folder in the temporary directory), and the
person at the screen is told in Chinese where it is. Used by ``CunwuApp`` and by ``cunwu``'s
sub-commands; no Textual here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import stat
import tempfile
import traceback
from pathlib import Path

import platformdirs

from store.identity import human

EXIT_INTERNAL = 4

__all__ = ["EXIT_INTERNAL", "details", "log_folders", "message", "report", "write_log"]


def log_folders() -> list[Path]:
    """Where a log may go, in order: the user's log folder, then a private one in the temp directory."""
    folders: list[Path] = []
    with contextlib.suppress(Exception):  # no usable home directory: the fallback below
        folders.append(platformdirs.user_log_path("cunwu", appauthor=False))
    folders.append(Path(tempfile.gettempdir()) / f"cunwu-{os.getuid()}-logs")
    return folders


def details(error: BaseException, now: dt.datetime | None = None) -> str:
    """The log's text: when, which version, and the traceback without local variables."""
    when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    lines = [
        "cunwu 程序错误日志",
        f"时间：{when}",
        f"版本：cunwu {_version()}，Python {platform.python_version()}，{platform.platform()}",
        f"账号：{_who()}",
        "",
        "".join(traceback.format_exception(error)).rstrip(),
    ]
    # An error that only carries the real one (Textual's WorkerFailed) was never raised: its own
    # traceback is empty, the real one is where the bug is.
    inner = getattr(error, "error", None)
    if isinstance(inner, BaseException) and inner is not error:
        lines += ["", "原始错误：", "".join(traceback.format_exception(inner)).rstrip()]
    return "\n".join(lines) + "\n"


def write_log(error: BaseException, now: dt.datetime | None = None, *, append_to: Path | None = None) -> Path | None:
    """Write the error's details to a new log file and return its path (None if none could be
    written). ``append_to``: add them to that earlier log instead (a second error of one run)."""
    now = now or dt.datetime.now().astimezone()
    text = details(error, now).encode("utf-8")
    if append_to is not None:
        try:
            fd = os.open(append_to, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "ab") as file:
                file.write(b"\n" + text)
            return append_to
        except OSError:
            pass  # gone or unwritable: a file of its own
    for folder in log_folders():
        try:
            _private_folder(folder)
            return _new_file(folder, f"cunwu-{now:%Y%m%d-%H%M%S}-{os.getpid()}", text)
        except OSError:
            continue
    return None


def message(log: Path | None) -> str:
    """What the person at the screen is told: what happened, and where the details are."""
    if log is None:
        return "程序出错，已退出。已保存的内容不受影响。\n详细信息未能写入日志文件，请把出错前的操作告诉管理员。"
    # The path on a line of its own: on 80 columns it is not broken, and can be copied whole.
    # Through the shared-server launcher the file belongs to the service account: only root
    # can read it, not cunwu's own 管理员.
    reader = "请告诉服务器管理员（root）查看" if human().via_sudo else "请交给管理员"
    return f"程序出错，已退出。已保存的内容不受影响。\n详细信息已写入下面的文件，{reader}：\n{log}"


def _who() -> str:
    """Who ran into the error (the person, through the launcher too), for whoever reads the log."""
    person = human()
    return f"{person.account}（经 sudo 以 {os.getuid()} 运行）" if person.via_sudo else person.account


def report(error: BaseException) -> str:
    """Log ``error`` and return the message for the screen."""
    return message(write_log(error))


def _private_folder(folder: Path) -> None:
    """``folder`` exists, is a real directory of this account and is 0700 (raises OSError if not)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise OSError(f"{folder} 不是本账号的目录")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _new_file(folder: Path, stem: str, text: bytes) -> Path:
    """A file that did not exist before, created 0600 (never through a symbolic link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for n in range(100):
        path = folder / (f"{stem}.log" if n == 0 else f"{stem}-{n}.log")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as file:
                os.fchmod(file.fileno(), 0o600)  # whatever the umask
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
        except OSError:
            path.unlink(missing_ok=True)
            raise
        return path
    raise OSError(f"{folder} 中无法新建日志文件")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("cunwu")
    except Exception:  # not installed (a checkout): still log the error
        return "（未安装）"
