"""The write lock: ``flock`` on a lock file beside the data (standard library only).

The kernel drops the lock when its process dies, even on ``kill -9``, so a crashed
clerk never blocks the others. The lock file is opened with ``O_NOFOLLOW`` so that a
symlink planted in its place is refused rather than followed. Re-entrant within one
process (a depth counter); waiting is bounded by a timeout.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


class LockTimeoutError(Exception):
    """The lock was not free within the timeout."""


class FileLock:
    def __init__(self, path: Path, timeout: float, mode: int = 0o600):
        self.path, self.timeout, self.mode = path, timeout, mode
        self._fd = -1
        self._depth = 0

    def acquire(self) -> None:
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
                    os.close(fd)
                    raise LockTimeoutError(str(self.path)) from None
                time.sleep(0.02)
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if self._depth > 1:
            self._depth -= 1
            return
        if self._depth == 1:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd, self._depth = -1, 0
