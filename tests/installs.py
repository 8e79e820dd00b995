"""Helpers for tests of a real install: an environment without network, and a program in a
pseudo-terminal of 80×24 (TERM=xterm, as over SSH) read as a person sees it.

The bytes the program writes go through ``pyte``, a terminal emulator, so a test asserts on the
visible screen (what is on which row) rather than on escape sequences. ``first_screen`` is the
check shared by the packaging and the offline-bundle tests: an installed ``cunwu``, started
from a directory outside the checkout on a fresh data directory, shows its first-run screen
and quits cleanly on Ctrl+Q.
"""

from __future__ import annotations

import copy
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyte

CTRL_Q, F10 = b"\x11", b"\x1b[21~"
COLUMNS, LINES = 80, 24


def offline_env(tmp: Path) -> dict[str, str]:
    """An environment in which any attempt to use the network, or the machine's pip settings, fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "CUNWU_"))}
    dead = "http://127.0.0.1:9"
    env.update(HOME=str(tmp / "home"), http_proxy=dead, https_proxy=dead, HTTP_PROXY=dead, HTTPS_PROXY=dead)
    env.update(PIP_INDEX_URL=f"{dead}/simple", PIP_FIND_LINKS=str(tmp / "no-such-dir"))
    return env


class AlternateScreen(pyte.Screen):
    """pyte's screen with xterm's alternate screen (mode 1049), which pyte lacks: a full-screen
    program draws on it, and what it prints after leaving it lands on the screen from before."""

    ALTERNATE = 1049

    def __init__(self, columns: int, lines: int):
        super().__init__(columns, lines)
        self.saved: tuple[object, object] | None = None

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and self.ALTERNATE in modes and self.saved is None:
            self.saved = (copy.deepcopy(self.buffer), copy.copy(self.cursor))
            self.erase_in_display(2)
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and self.ALTERNATE in modes and self.saved is not None:
            buffer, cursor = self.saved
            self.buffer, self.cursor, self.saved = buffer, cursor, None  # type: ignore[assignment]
            self.dirty.update(range(self.lines))
        super().reset_mode(*modes, **kwargs)


class PtyScreen:
    """``argv`` running on the slave side of a new pty; ``text()`` is what the screen shows."""

    def __init__(self, argv: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str]):
        self.screen = AlternateScreen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        master, slave = os.openpty()
        # The size is set before the program starts, so its first frame is already 80×24.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {**env, "TERM": "xterm", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        self.process = subprocess.Popen(
            [str(a) for a in argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            start_new_session=True,  # its own session, with the pty as controlling terminal
            close_fds=True,
        )
        os.close(slave)
        self.fd = master

    def _pump(self, timeout: float) -> bytes | None:
        """Feed what the program writes within ``timeout`` to the emulator and return it (b"" if
        nothing came); None once the pty is closed (every process holding it has exited)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO on Linux when the other side is closed
            return None
        if not chunk:
            return None
        self.raw += chunk
        self.stream.feed(chunk)
        return chunk

    def text(self) -> str:
        """The visible screen, one line per row, trailing blanks removed. (Not ``screen.display``:
        it fails on the empty right half of a wide character whose left half was overwritten.)"""
        rows = (self.screen.buffer[y] for y in range(LINES))
        return "\n".join("".join(row[x].data for x in range(COLUMNS)).rstrip() for row in rows)

    def wait_for(self, wanted: str, seconds: float = 30) -> bool:
        """Whether ``wanted`` appears on the visible screen within ``seconds``; once it does, the
        rest of that frame is read too (until the program has been quiet for a moment)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if wanted in self.text():
                self.settle()
                return True
            if self._pump(0.1) is None:
                break
        return wanted in self.text()

    def settle(self, quiet: float = 0.3, seconds: float = 5) -> None:
        """Read output until none came for ``quiet`` seconds (at most ``seconds`` in all)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._pump(quiet):
            pass

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def exit_code(self, seconds: float = 15) -> int | None:
        """The program's exit code once it has ended, reading its last output; None if it did not end."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(0.1)
            code = self.process.poll()
            if code is not None:
                while self._pump(0.05):  # what it wrote last, until the pty is drained or closed
                    pass
                return code
        return None

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.fd)


def first_screen(cunwu: Path, *, cwd: Path, data: Path, env: Mapping[str, str]) -> str:
    """Start ``cunwu`` (the terminal app) on the fresh data directory ``data`` from ``cwd``; assert
    that its first-run screen shows and that Ctrl+Q ends it with exit code 0; return that screen."""
    assert not data.exists(), "a fresh data directory"
    env = {k: v for k, v in env.items() if not k.startswith("CUNWU_") and k != "PYTHONPATH"}
    env.update(CUNWU_DATA=str(data), LANG="C.UTF-8")
    term = PtyScreen([cunwu], cwd=cwd, env=env)
    try:
        shown = term.wait_for("首次使用")
        screen = term.text()
        raw = term.raw.decode("utf-8", "replace")
        assert shown, f"the first-run screen did not appear; the screen shows:\n{screen}\n(raw tail: {raw[-800:]!r})"
        assert "乡（镇）名称" in screen and "如：沁河镇" in screen and "F10 退出" in screen, screen
        assert "Traceback" not in raw, raw
        term.send(CTRL_Q)
        code = term.exit_code()
        assert code == 0, f"Ctrl+Q: exit {code}; the screen shows:\n{term.text()}"
        return screen
    finally:
        term.close()
