"""The real app in a pseudo-terminal: invalid UTF-8 input does not freeze it; SIGHUP ends it cleanly."""

from __future__ import annotations

import codecs
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
F1, F10 = b"\x1bOP", b"\x1b[21~"


class Terminal:
    """The app (the console script, ``tui.launch.run``, with ``argv``) running in a pty of 80×24,
    as over SSH with TERM=xterm."""

    def __init__(self, data: Path, *argv: str):
        env = {
            **os.environ,
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "CUNWU_DATA": str(data),
            "COLUMNS": "80",
            "LINES": "24",
            "PYTHONPATH": str(ROOT),
        }
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-c", "from tui.launch import run; run()", *argv], env)
        self.seen = b""

    def quiet(self, gap: float = 0.5) -> None:
        """Read until the app has written nothing for ``gap`` seconds."""
        last = -1
        while len(self.seen) != last:
            last = len(self.seen)
            self.read_until("\x00never\x00", gap)

    def read_until(self, text: str, seconds: float = 20) -> bool:
        wanted = text.encode("utf-8")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return wanted in self.seen
                self.seen += chunk
                if wanted in self.seen:
                    return True
        return False

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def exited(self, seconds: float = 10) -> int | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.read_until("\x00", 0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        return None

    def kill(self) -> None:
        try:
            # The app leads its pty's session and process group: its children (the 监督 screen's
            # verify) go with it, as they would with a dropped SSH session.
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def test_the_strict_decoder_would_fail_on_these_bytes() -> None:
    with pytest.raises(UnicodeDecodeError):
        codecs.getincrementaldecoder("utf-8")().decode(b"\xd6\xd0", final=True)


@pytest.mark.timeout(60)
def test_invalid_utf8_input_does_not_freeze_the_app(terminal: Terminal) -> None:
    assert terminal.read_until("今日"), terminal.seen[-500:]
    terminal.send(b"\xd6\xd0\xce\xc4")  # 中文 in GBK, as from a client set to the wrong charset
    time.sleep(0.3)
    terminal.send(F1)
    assert terminal.read_until("按键说明"), "the app stopped answering after invalid bytes"
    terminal.send(b"\x1b")
    time.sleep(0.3)
    terminal.send(F10)
    assert terminal.exited() == 0


@pytest.mark.timeout(60)
def test_sighup_ends_the_app_cleanly(terminal: Terminal) -> None:
    assert terminal.read_until("今日")
    os.kill(terminal.pid, signal.SIGHUP)
    assert terminal.exited() is not None
