"""The terminal output squeezed (``tui.squeeze``): the same screen, fewer bytes. Each stream is
drawn through a terminal emulator (pyte) both ways and compared cell by cell: character,
colours, bold, italics, underline, strike-through, reverse."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pyte

from tui.squeeze import Squeeze

SESSION = Path(__file__).parent / "data" / "terminal-session.raw.gz"
"""What the app wrote (before squeezing) in an 80×24 pty, TERM=xterm: home, the case list and
three moves, a case, Esc twice, the catalogue searched for 低保, Esc, 监督."""


def drawn(chunks: list[str]) -> list[list[tuple[object, ...]]]:
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return [
        [(c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.strikethrough, c.reverse) for c in row.values()]
        for row in (screen.buffer[y] for y in range(24))
    ]


def squeezed(chunks: list[str]) -> list[str]:
    squeeze = Squeeze()
    return [squeeze(c) for c in chunks]


def test_the_app_s_screens_are_drawn_the_same_in_a_third_fewer_bytes() -> None:
    raw = gzip.decompress(SESSION.read_bytes()).decode("utf-8")
    # Cut where the app's writes might be cut, and at random places, escape sequences included.
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(1, len(raw)), 400))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    small = squeezed(chunks)
    assert drawn(small) == drawn([raw])
    before, after = len(raw.encode()), len("".join(small).encode())
    assert after <= 0.75 * before, (before, after)


VOCABULARY = [
    "0", "1", "2", "3", "4", "7", "9", "22", "23", "24", "27", "29", "39", "49",
    *map(str, range(30, 38)), *map(str, range(40, 48)), *map(str, range(90, 98)), *map(str, range(100, 108)),
    "38;5;208", "48;5;17", "38;2;10;20;30", "48;2;200;100;0",
]  # fmt: skip


def test_random_attribute_changes_draw_the_same_screen() -> None:
    rng = random.Random(19)
    for _ in range(200):
        parts = []
        for _ in range(60):
            pick = rng.random()
            if pick < 0.45:
                params = ";".join(rng.choice(VOCABULARY) for _ in range(rng.randint(0, 3)))
                parts.append(f"\x1b[{params}m")
            elif pick < 0.75:
                parts.append(rng.choice(["ab", "村务", " ", "公示期7日", "x"]))
            elif pick < 0.9:
                parts.append(f"\x1b[{rng.randint(1, 24)};{rng.randint(1, 80)}H")
            else:
                parts.append(rng.choice(["\x1b[K", "\x1b[2K", "\x1b[?25l", "\x1b[?25h"]))
        stream = "".join(parts)
        cut = rng.randint(0, len(stream))
        chunks = [stream[:cut], stream[cut:]]
        assert drawn(squeezed(chunks)) == drawn([stream]), repr(stream)


def test_nothing_is_dropped_while_the_attributes_are_not_known() -> None:
    squeeze = Squeeze()
    # At the start the terminal's attributes are not known: written as they come.
    assert squeeze("\x1b[97;40mA") == "\x1b[97;40mA"
    assert squeeze("\x1b[0m\x1b[97;40mB") == "\x1b[0m\x1b[97;40mB"  # known from this reset on
    assert squeeze("\x1b[0m\x1b[97;40mC") == "C", "the same attributes again: nothing to write"
    assert squeeze("\x1b[0m\x1b[97;100mD") == "\x1b[100mD", "only what differs"
    # A parameter it does not know (a curly underline): passed on, and the next reset is kept.
    assert squeeze("\x1b[4:3mE\x1b[0m\x1b[97;100mF") == "\x1b[4:3mE\x1b[0m\x1b[97;100mF"


def test_an_escape_cut_at_the_end_of_a_write_waits_for_the_rest() -> None:
    squeeze = Squeeze()
    assert squeeze("\x1b[0mA\x1b[9") == "\x1b[0mA"
    assert squeeze("7;40mB\x1b") == "\x1b[97;40mB"
    assert squeeze("[0m") == "\x1b[0m"
