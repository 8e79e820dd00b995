"""The write lock: ``flock`` on a lock file beside the data (standard library only).

The kernel drops the lock when its process dies, even on ``kill -9``, so a crashed
clerk never blocks the others. The lock file is opened with ``O_NOFOLLOW`` so that a
symlink planted in its place is refused rather than followed. Re-entrant within one
process (a depth counter); waiting is bounded by a timeout.

The holder writes who it is into the lock file, so that someone who waits in vain is told
who is saving. While the lock is held, the signals a person sends from the keyboard or a
dropped SSH session (Ctrl+Z, Ctrl+C, hang-up, terminate, quit) are deferred until it is
released (``deferred_signals``): a process stopped with Ctrl+Z in the middle of a save would
otherwise keep every other clerk from saving for as long as it stays stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

DEFERRED = tuple(
    getattr(signal, name) for name in ("SIGTSTP", "SIGINT", "SIGHUP", "SIGTERM", "SIGQUIT") if hasattr(signal, name)
)


class LockTimeoutError(Exception):
    """The lock was not free within the timeout; ``holder`` says who held it, when known."""

    def __init__(self, path: str, holder: str = ""):
        super().__init__(path)
        self.holder = holder


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold back ``DEFERRED`` signals until the block ends, then deliver them in the order they
    came. Only the main thread can set signal handlers; elsewhere nothing is deferred."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        if signum not in pending:
            pending.append(signum)

    previous = {}
    for sig in DEFERRED:
        with contextlib.suppress(OSError, ValueError):
            previous[sig] = signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in pending:
            os.kill(os.getpid(), sig)  # now that the lock is free: stop, interrupt or end as asked


class FileLock:
    def __init__(self, path: Path, timeout: float, mode: int = 0o600):
        self.path, self.timeout, self.mode = path, timeout, mode
        self._fd = -1
        self._depth = 0

    def acquire(self, holder: str = "") -> None:
        """Take the lock, waiting at most the timeout; ``holder`` (who is saving) is written into
        the lock file for whoever waits."""
        if self._depth:
            self._depth += 1
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, self.mode)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    held_by = _read_holder(fd)
                    os.close(fd)
                    raise LockTimeoutError(str(self.path), held_by) from None
                time.sleep(0.02)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, holder.encode("utf-8")[:200], 0)
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if self._depth > 1:
            self._depth -= 1
            return
        if self._depth == 1:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)  # nobody holds it now: no stale name for the next waiter
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd, self._depth = -1, 0


def _read_holder(fd: int) -> str:
    """What the holder wrote into the lock file (empty when nothing readable is there)."""
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
