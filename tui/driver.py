"""A Linux terminal driver that never freezes on bytes that are not UTF-8, and writes fewer.

Textual 8.2's driver decodes stdin with a strict UTF-8 decoder: one GBK byte from a
PuTTY or Xshell session set to the wrong charset kills its input thread and the app stops
answering (textual#6456). This driver decodes with ``errors="replace"``: a bad byte
becomes U+FFFD, which the store's sanitizer drops, and the next key works. Its output goes
through ``tui.framediff`` (only the cells that changed since the last frame) and then
``tui.squeeze`` (each attribute change in its shortest form): the same screen in far fewer
bytes over a slow link.

It also mends how Textual 8.2 cuts lines (``mend_wide_cuts``): the compositor divides each line
of a widget at every edge of every widget on that line, hidden ones included, and a Chinese
character that straddles such an edge is written as two blanks. An open drop-down over the form
lost 择 of 请选择会议类别, 党 of 主题党日, 村 of 村民代表会议 where the labels under it end
(textual#6357). The terminal drew exactly what it was sent.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from rich.cells import cell_len
from textual._compositor import ChopsUpdate, Compositor
from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Region
from textual.strip import Strip

from tui.framediff import FrameDiff
from tui.squeeze import Squeeze

_strict = codecs.getincrementaldecoder


def tolerant_decoder(encoding: str) -> Callable[..., Any]:
    """``codecs.getincrementaldecoder`` whose decoders replace invalid bytes instead of raising."""
    factory = _strict(encoding)

    def make(errors: str = "replace") -> codecs.IncrementalDecoder:
        return factory(errors="replace")

    return make


EMPTY = Strip([], 0)
"""What a stretch of a line takes when the widget's text before it runs across it."""


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> list[dict[int, Strip | None]]:
    """Textual's ``Compositor._render_chops`` (8.2), except that a widget's line is divided only
    where the widget drawing it changes: consecutive stretches won by the same widget (cut apart
    by the edges of widgets it hides) stay one strip, kept at the first stretch, the others
    given ``EMPTY`` so that no widget below claims them. A wide character is split only where
    half of it is hidden, which shows as a blank, as on any terminal."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            won = [line.get(cut) is None for cut in final[:-1]]
            starts = [i for i in range(len(won)) if i == 0 or won[i] != won[i - 1]]
            ends = [*starts[1:], len(won)]
            pieces = strip.divide([final[end] - render_x for end in ends])
            for start, end, piece in zip(starts, ends, pieces, strict=False):
                if won[start]:
                    line[final[start]] = piece
                    for i in range(start + 1, end):
                        line[final[i]] = EMPTY
    return chops


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """Textual's ``Compositor.render_partial_update`` (8.2), with each stretch's end where its
    strip ends (a strip may now run across the stretches after it), so that an update starting
    inside a strip writes it from there."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(list(update_regions)).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    spans = [(y, x1, _whole_end(chops[y], x2)) for y, x1, x2 in spans]
    chop_ends: list[list[int]] = []
    for cut_set, line in zip(self.cuts, chops, strict=True):
        chop_ends.append(
            [
                x + strip.cell_length if strip is not None and strip.cell_length > end - x else end
                for end, (x, strip) in zip(cut_set[1:], line.items(), strict=False)
            ]
        )
    return ChopsUpdate(chops, spans, chop_ends)


def _whole_end(line: Mapping[int, Strip | None], x2: int) -> int:
    """``x2``, or the cell after the wide character it would cut in half: an update is written
    up to its span's end, cropped there (``ChopsUpdate.render_segments``)."""
    for x, strip in line.items():
        if strip is None or not x < x2 < x + strip.cell_length:
            continue
        at = x
        for segment in strip:
            for char in segment.text:
                size = cell_len(char)
                if at < x2 < at + size:
                    return at + size
                at += size
                if at >= x2:
                    return x2
    return x2


MENDED_FOR = "8.2."
"""The Textual release whose compositor methods ``_render_chops`` and ``_render_partial_update``
were copied from: another release keeps its own (textual#6357 may be fixed there, or the
methods changed)."""


def textual_version() -> str:
    """The installed Textual's version, from its dist-info folder's name ("" if not found):
    importlib.metadata would load a megabyte of modules at start-up."""
    import textual

    packages = os.path.dirname(os.path.dirname(textual.__file__))
    try:
        names = os.listdir(packages)
    except OSError:
        return ""
    for name in names:
        if name.startswith("textual-") and name.endswith(".dist-info"):
            return name.removeprefix("textual-").removesuffix(".dist-info")
    return ""


def mend_wide_cuts() -> bool:
    """Make Textual's compositor keep a widget's wide characters whole (see above); once, for
    the whole process, and only on the release the methods were copied from."""
    if not textual_version().startswith(MENDED_FOR):
        return False
    Compositor._render_chops = _render_chops  # type: ignore[method-assign,assignment]
    Compositor.render_partial_update = _render_partial_update  # type: ignore[method-assign]
    return True


class TolerantLinuxDriver(LinuxDriver):
    """LinuxDriver reading input with a replacing decoder, writing only the cells that changed
    and attribute changes once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mend_wide_cuts()
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
