"""A Linux terminal driver that never freezes on bytes that are not UTF-8, and writes fewer.

Textual 8.2's driver decodes stdin with a strict UTF-8 decoder: one GBK byte from a
PuTTY or Xshell session set to the wrong charset kills its input thread and the app stops
answering (textual#6456). This driver decodes with ``errors="replace"``: a bad byte
becomes U+FFFD, which the store's sanitizer drops, and the next key works. Its output goes
through ``tui.framediff`` (only the cells that changed since the last frame) and then
``tui.squeeze`` (each attribute change in its shortest form): the same screen in far fewer
bytes over a slow link.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable
from typing import Any

from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver

from tui.framediff import FrameDiff
from tui.squeeze import Squeeze

_strict = codecs.getincrementaldecoder


def tolerant_decoder(encoding: str) -> Callable[..., Any]:
    """``codecs.getincrementaldecoder`` whose decoders replace invalid bytes instead of raising."""
    factory = _strict(encoding)

    def make(errors: str = "replace") -> codecs.IncrementalDecoder:
        return factory(errors="replace")

    return make


class TolerantLinuxDriver(LinuxDriver):
    """LinuxDriver reading input with a replacing decoder, writing only the cells that changed
    and attribute changes once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._diff = FrameDiff(self._terminal_size)
        self._squeeze = Squeeze()

    def _terminal_size(self) -> tuple[int, int]:
        """The terminal's own size, read at every write, so that a resize forgets what the frame
        diff knows of the screen even where COLUMNS and LINES (which Textual reads first) stay;
        Textual's size where the terminal reports none (a new pty is 0×0)."""
        stream = sys.__stderr__  # where LinuxDriver writes
        try:
            size = os.get_terminal_size(stream.fileno()) if stream is not None else os.terminal_size((0, 0))
        except (OSError, ValueError):
            return self._get_terminal_size()
        if size.columns and size.lines:
            return size.columns, size.lines
        return self._get_terminal_size()

    def write(self, data: str) -> None:
        super().write(self._squeeze(self._diff(data)))

    def run_input_thread(self) -> None:
        # The input loop looks the decoder factory up in its module when it starts.
        linux_driver.getincrementaldecoder = tolerant_decoder  # type: ignore[attr-defined]
        super().run_input_thread()
