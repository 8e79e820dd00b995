"""Fewer bytes down a slow SSH link: the terminal output without attribute changes that change
nothing, and each change written in its shortest form.

Textual writes every run of text with its full attributes, reset first: ``ESC[0m ESC[97;40m``
before each piece of a line, even when the piece before had the same colours. About half of a
screen's bytes were such sequences (a case list: 9,439 of 19,695). ``Squeeze`` follows what the
terminal's attributes are (SGR: colours, bold, reverse …) across every write, drops a group of
attribute changes that leaves them as they were, and writes one that changes them as the shorter
of "reset and set" or "change only what differs". Cursor moves between such groups do not depend
on attributes and go first; everything else (text, erasing, modes) is written as it came, in
order. A sequence it does not know (an attribute outside the table below) is written as it came,
and nothing is dropped until the next reset makes the attributes known again. The screen drawn is
the same (tests/test_squeeze.py draws both through a terminal emulator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"\x1b\[([0-?]*)m|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[^\[]|[^\x1b]+|\x1b", re.S)
"""An SGR sequence (its parameters captured), another CSI sequence, another escape, or text."""
PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*)?\Z")
"""An escape sequence cut off at the end of a write: kept for the next one."""
MOVE = re.compile(r"\x1b\[[0-9;]*[HfABCDGd]")
"""Cursor moves: they neither use nor change the attributes."""
OFF: dict[int, tuple[int, ...]] = {
    22: (1, 2),
    23: (3,),
    24: (4, 21),
    25: (5, 6),
    27: (7,),
    28: (8,),
    29: (9,),
    55: (53,),
}
"""Each code that turns attributes off, and the flags it turns off."""
OFF_CODE = {flag: code for code, flags in OFF.items() for flag in flags}
FLAGS = frozenset(OFF_CODE)


@dataclass(frozen=True, slots=True)
class Attributes:
    """What SGR has set: foreground, background and underline colour as their parameters
    (``97``, ``38;5;208``, ``48;2;0;0;0``), and the flags (bold 1, reverse 7 …)."""

    fg: str = ""
    bg: str = ""
    ul: str = ""
    flags: frozenset[int] = frozenset()

    def params(self) -> list[str]:
        """The parameters that set these attributes after a reset."""
        out = [str(f) for f in sorted(self.flags)]
        return out + [p for p in (self.fg, self.bg, self.ul) if p]


PLAIN = Attributes()


def apply(state: Attributes, params: str) -> Attributes | None:
    """``state`` after ``ESC[params m``; None when a parameter is not one this module knows."""
    fg, bg, ul, flags = state.fg, state.bg, state.ul, set(state.flags)
    values = params.split(";") if params else ["0"]
    i = 0
    while i < len(values):
        if not values[i].isdigit():
            return None
        n = int(values[i])
        if n == 0:
            fg, bg, ul, flags = "", "", "", set()
        elif n in FLAGS:
            flags.add(n)
        elif n in OFF:
            flags -= set(OFF[n])
        elif 30 <= n <= 37 or 90 <= n <= 97:
            fg = str(n)
        elif n == 39:
            fg = ""
        elif 40 <= n <= 47 or 100 <= n <= 107:
            bg = str(n)
        elif n == 49:
            bg = ""
        elif n == 59:
            ul = ""
        elif n in (38, 48, 58):
            kind = values[i + 1] if i + 1 < len(values) else ""
            size = {"5": 1, "2": 3}.get(kind)
            if (
                size is None
                or i + 1 + size >= len(values)
                or not all(v.isdigit() for v in values[i + 2 : i + 2 + size])
            ):
                return None
            color = ";".join(values[i : i + 2 + size])
            i += 1 + size
            if n == 38:
                fg = color
            elif n == 48:
                bg = color
            else:
                ul = color
        else:
            return None
        i += 1
    return Attributes(fg, bg, ul, frozenset(flags))


def change(old: Attributes, new: Attributes) -> str:
    """The shortest SGR sequence that takes the terminal from ``old`` to ``new``."""
    if new == PLAIN:
        return "\x1b[0m"
    reset = "\x1b[0;" + ";".join(new.params()) + "m"
    params: list[str] = []
    removed = old.flags - new.flags
    for code in sorted({OFF_CODE[f] for f in removed}):
        params.append(str(code))
        params += [str(f) for f in sorted(new.flags & set(OFF[code]))]  # what the code also turned off
    params += [str(f) for f in sorted(new.flags - old.flags)]
    for attribute, off in (("fg", "39"), ("bg", "49"), ("ul", "59")):
        value = getattr(new, attribute)
        if value != getattr(old, attribute):
            params.append(value or off)
    delta = "\x1b[" + ";".join(params) + "m"
    return delta if len(delta) < len(reset) else reset


class Squeeze:
    """Terminal output with its attribute changes made as short as they can be (see above);
    one per terminal, as it keeps what the terminal's attributes are between writes."""

    def __init__(self) -> None:
        self.state: Attributes | None = None
        """The terminal's attributes; None while they are not known (at the start)."""
        self.carry = ""
        """The start of an escape sequence that the last write ended in."""

    def __call__(self, data: str) -> str:
        data, self.carry = self.carry + data, ""
        cut = PARTIAL.search(data)
        if cut is not None:
            data, self.carry = data[: cut.start()], data[cut.start() :]
        out: list[str] = []
        pending: list[str] = []
        new = self.state
        for match in TOKEN.finditer(data):
            token, params = match.group(0), match.group(1)
            if params is not None:
                pending.append(token)
                if new is not None:
                    new = apply(new, params)
                elif params in ("", "0") or params.startswith("0;"):
                    new = apply(PLAIN, params)
                continue
            if pending and MOVE.fullmatch(token):
                out.append(token)
                continue
            if pending:
                out.append(self._settle(pending, new))
                pending = []
            out.append(token)
        if pending:
            out.append(self._settle(pending, new))
        return "".join(out)

    def _settle(self, pending: list[str], new: Attributes | None) -> str:
        """What to write for a group of SGR sequences that leaves the attributes ``new``."""
        old, self.state = self.state, new
        if new is None or old is None:
            return "".join(pending)
        if new == old:
            return ""
        shortest = change(old, new)
        written = "".join(pending)
        return shortest if len(shortest) < len(written) else written
