"""Compatibility mode (``cunwu --ascii``): every symbol drawn as ASCII of the same width.

Terminals such as PuTTY with a CJK font draw the "ambiguous width" symbols (▼ ▲ √ □ — … “ ”,
box and block characters) two cells wide while the program counts one, and every line after
such a symbol is shifted. In this mode a line filter rewrites what the app draws, just before
it goes to the terminal: Chinese text (always two cells) stays, and every other character
outside ASCII becomes ASCII of the width the program counted. Borders, scrollbars, drop-down
arrows, ticks and punctuation are all covered, including those drawn by Textual itself.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

SYMBOLS = {
    "—": "-",
    "–": "-",
    "―": "-",
    "…": ".",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "√": "x",
    "✓": "x",
    "✔": "x",
    "✗": "x",
    "×": "x",
    "□": " ",
    "■": "#",
    "▼": "v",
    "▽": "v",
    "▲": "^",
    "△": "^",
    "▶": ">",
    "►": ">",
    "◀": "<",
    "◄": "<",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "●": "*",
    "○": "o",
    "◆": "*",
    "◇": "o",
    "★": "*",
    "☆": "*",
    "•": "*",
    "·": ".",
    "※": "*",
    "≥": ">",
    "≤": "<",
    "≠": "#",
    "±": "+",
    "°": "o",
}
"""One-cell symbols the app and Textual draw, by hand; any other is found by its Unicode name."""

WIDE = {"【": "[ ", "】": " ]", "〔": "[ ", "〕": " ]"}
"""Brackets that CJK fonts draw as symbols: two cells either way, as ASCII."""


def _symbol(ch: str) -> str:
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    code = ord(ch)
    if 0x2500 <= code <= 0x257F:  # box drawing: lines and corners
        name = unicodedata.name(ch, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements: the tall borders and the scrollbars
        if ch in "▔▀":
            return "-"
        if ch in "▁▂▃▄▅▆▇":
            return "_"
        if ch in "░▒▓":
            return "#"
        return "|"
    return "?"


@lru_cache(maxsize=4096)
def ascii_text(text: str) -> str:
    """``text`` with every character that is neither ASCII nor wide (Chinese) made ASCII, each
    replacement as many cells wide as the character it replaces."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in WIDE:
            out.append(WIDE[ch])
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append(ch)
        else:
            width = cell_len(ch)
            out.append((_symbol(ch) * width)[:width] if width else "")
    return "".join(out)


class AsciiSymbols(LineFilter):
    """The line filter of compatibility mode (see the module's docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.control else Segment(ascii_text(segment.text), segment.style) for segment in segments
        ]
