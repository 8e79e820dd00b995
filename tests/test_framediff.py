"""Only the cells that changed (``tui.framediff``): every stream is drawn through a terminal
emulator (pyte) as it came and reduced, after every write, and the two screens compared cell by
cell (character, colours, bold, italics, underline, strike-through, reverse) with the cursor."""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable

import pyte
import pytest
from wcwidth import wcwidth

from tests.test_squeeze import SESSION
from tui.framediff import FrameDiff
from tui.squeeze import Squeeze

Size = tuple[int, int]


class WideScreen(pyte.Screen):  # type: ignore[misc]
    """pyte with what xterm and tmux do and pyte does not: a character written over half of a
    wide (2-cell) character blanks its other half, which shows a blank until written again."""

    def draw(self, data: str) -> None:
        for char in data:
            size = wcwidth(char)
            x, line = self.cursor.x, self.buffer[self.cursor.y]
            if size in (1, 2) and x + size <= self.columns:
                if x > 0 and line[x].data == "":  # the right half of a wide one
                    line[x - 1] = line[x - 1]._replace(data=" ")
                end = x + size  # the cell after the ones written: the right half of one cut?
                if end < self.columns and line[end].data == "":
                    line[end] = line[end]._replace(data=" ")
            super().draw(char)


def test_the_blanking_terminal_blanks_the_other_half_of_a_wide_character_written_over() -> None:
    """What the blanking comparisons rest on (tests/test_tui_wide.py shows tmux draws the same):
    a write that starts on the right half of a wide character, or ends on its left half, leaves
    a blank where plain pyte keeps the character."""
    data = "\x1b[1;1H村民代表会议\x1b[1;4Hx\x1b[1;8HYZ"
    shows = []
    for screen in (pyte.Screen(12, 1), WideScreen(12, 1)):
        pyte.Stream(screen).feed(data)
        shows.append("".join(screen.buffer[0][x].data or "|" for x in range(12)))  # | a right half
    assert shows == ["村|民x代|表YZ|议|", "村| x代| YZ 议|"]


class Both:
    """Two emulated terminals: one fed the writes as they came, one fed them reduced; with
    ``onlcr`` through a tty that writes each line feed as carriage return and line feed; with
    ``blanking`` terminals that blank the other half of a wide character written over by half
    (``WideScreen``), as xterm and tmux do."""

    def __init__(self, width: int = 80, height: int = 24, *, onlcr: bool = False, blanking: bool = False) -> None:
        self.onlcr = onlcr
        self.size: Size = (width, height)
        screen = WideScreen if blanking else pyte.Screen
        self.plain, self.reduced = screen(width, height), screen(width, height)
        self.plain_stream, self.reduced_stream = pyte.Stream(self.plain), pyte.Stream(self.reduced)
        self.diff = FrameDiff(lambda: self.size)
        self.squeeze = Squeeze()
        self.written = 0
        self.came = 0
        self.reduced_only = ""

    def resize(self, width: int, height: int) -> None:
        self.size = (width, height)
        for screen in (self.plain, self.reduced):
            screen.resize(height, width)

    def write(self, data: str) -> str:
        self.reduced_only = self.diff(data)
        out = self.squeeze(self.reduced_only)
        tty = (lambda text: text.replace("\n", "\r\n")) if self.onlcr else (lambda text: text)
        self.plain_stream.feed(tty(data))
        self.reduced_stream.feed(tty(out))
        self.came += len(data.encode())
        self.written += len(out.encode())
        return out

    def same(self) -> bool:
        return shown(self.plain) == shown(self.reduced)


def shown(screen: pyte.Screen) -> tuple[object, ...]:
    rows = tuple(
        tuple(
            (c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.strikethrough, c.reverse)
            for c in (screen.buffer[y][x] for x in range(screen.columns))
        )
        for y in range(screen.lines)
    )
    return rows, screen.cursor.x, screen.cursor.y


def text(screen: pyte.Screen) -> list[str]:
    return [line.rstrip() for line in screen.display]


@pytest.mark.parametrize("blanking", [False, True])
@pytest.mark.parametrize("onlcr", [False, True])
def test_the_recorded_session_is_drawn_the_same_after_every_write_in_a_third_of_the_bytes(
    onlcr: bool, blanking: bool
) -> None:
    raw = gzip.decompress(SESSION.read_bytes()).decode("utf-8")
    if onlcr:  # as Textual writes it: the recording is what the pty made of its line feeds
        raw = raw.replace("\r\n", "\n")
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(1, len(raw)), 400))
    both = Both(onlcr=onlcr, blanking=blanking)
    for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True):
        both.write(raw[a:b])
        assert both.same(), (a, b, raw[a:b])
    assert not both.diff.off
    # Squeezing alone leaves about 70 % (tests/test_squeeze.py); only changed cells: under 30 %.
    assert both.written <= 0.3 * both.came, (both.came, both.written)


def frame(*parts: str, cursor: str = "\x1b[24;80H") -> str:
    return "".join(parts) + cursor


HOME = frame(
    "\x1b[1;1H\x1b[0m\x1b[97;100m 村务履职 — 沁河镇 2026-12-06" + " " * 51 + "\x1b[0m",
    "\x1b[2;1H\x1b[0m\x1b[1;97;40m今日 12月6日：无时限 1000。\x1b[0m",
    "\x1b[3;1H\x1b[0m\x1b[97;46m [无时限] 村00-2026-0001 申请人低保申请 \x1b[0m",
)


def test_a_frame_drawn_again_writes_only_the_cursor() -> None:
    both = Both()
    first = both.write(HOME)
    assert "村务履职" in first
    again = both.write(HOME)
    assert again == "", repr(again)  # the cursor and the attributes are where the frame left them
    both.write(HOME.replace("1000", "1001"))
    assert both.same()
    changed = both.write(HOME.replace("1000", "1002"))
    assert "1002" not in changed and "2" in changed and "村务" not in changed, repr(changed)
    assert both.same()


@pytest.mark.parametrize("blanking", [False, True])
def test_wide_characters_overwritten_by_narrow_ones_and_halves(blanking: bool) -> None:
    both = Both(blanking=blanking)
    both.write(HOME)
    # Narrow characters over both halves of wide ones (starting on a right half), a wide one
    # over two narrow ones, a wide one straddling two wide ones.
    for change in (
        "\x1b[2;2H\x1b[0m\x1b[1;97;40mab",
        "\x1b[2;1H\x1b[0m\x1b[1;97;40mxy",
        "\x1b[3;2H\x1b[0m\x1b[97;46m村",
        "\x1b[1;3H\x1b[0m\x1b[97;100m镇务",
    ):
        both.write(frame(change))
        assert both.same(), change
    assert both.written < both.came
    # Half of a wide character overwritten and the other half left: written as it came.
    both.write(HOME)
    cut = frame("\x1b[1;4H\x1b[0m\x1b[97;100mZ")
    both.write(cut)
    assert both.reduced_only == cut
    assert both.same()
    both.write(HOME)
    assert both.same()


def test_attributes_are_reset_before_a_run_and_changed_only_where_they_differ() -> None:
    both = Both()
    both.write(HOME)
    recoloured = HOME.replace("97;46m", "1;4;7;31;43m").replace("1;97;40m", "38;5;208;48;2;0;0;0m")
    both.write(recoloured)
    assert both.same()
    both.write(HOME.replace("97;100m", "3;9;97;100m"))
    assert both.same()
    out = both.write(HOME)
    assert both.same()
    assert "村务履职" in out and "申请人" not in out, "only the line whose attributes changed"
    assert out.startswith("\x1b[1H\x1b[97;100m"), repr(out)  # from the plain attributes the frame left


def test_the_last_column() -> None:
    both = Both()
    both.write("\x1b[?7l" + HOME)
    for change in (
        "\x1b[5;80H\x1b[0mx",  # the last cell
        "\x1b[5;79H\x1b[0m村",  # a wide character in the last two cells
        "\x1b[5;80H\x1b[0myz",  # past the last column: as it came
        "\x1b[5;78H\x1b[0m\x1b[31mab",
        "\x1b[5;80H\x1b[0mq",  # the frame ends with the cursor after the last column
    ):
        both.write(change)
        assert both.same(), change
    both.write("\x1b[?7h")
    for change in ("\x1b[6;79H\x1b[0mabc", "\x1b[24;80H\x1b[0mw", "\x1b[24;1H\x1b[0mq\r\nline"):
        both.write(change)
        assert both.same(), change  # wrapping, scrolling
    both.write(HOME)
    assert both.same()


def test_a_resize_and_a_clear_forget_what_the_screen_shows() -> None:
    both = Both()
    both.write(HOME)
    both.resize(100, 30)
    assert "村务履职" in both.write(HOME), "after a resize every cell is written"
    assert both.same()
    both.write("\x1b[2J")
    assert "村务履职" in both.write(HOME), "after a clear every cell is written"
    assert both.same()
    both.write("\x1b[?1049l\x1b[?1049h")
    assert "村务履职" in both.write(HOME)
    assert both.same()
    both.write("\x1b[2;5H\x1b[K")  # erasing part of a line
    both.write(HOME)
    assert both.same()


def test_odd_sequences_textual_does_not_write() -> None:
    both = Both()
    both.write(HOME)
    for odd in (
        "\x1b[0;0H\x1b[0mA",  # row and column 0 are 1
        "\x1b[H\x1b[0mB\x1b[;5HC",
        "\x1b[>4;1m\x1b[3;3HD",  # a keyboard setting, not an attribute
        "\x1b[5;80H\x1b[0mE\n\rF",  # a line feed after the last column
        "\x1b[51m\x1b[6;1HG\x1b[0mH",  # an attribute it does not know (framed)
        "\x1b[7;1H\x1b[0mI\x08J\tK",
        "\x1b[8;1H\x1b[0me\u0301",  # a combining mark
        "\x1b[9;1H\x1b[0mL\x1b[3CM\x1b[2DN",
    ):
        both.write(odd)
        assert both.same(), odd
        both.write(HOME)
        assert both.same(), odd
    assert not both.diff.off


def test_a_sequence_it_cannot_follow_turns_it_off() -> None:
    both = Both()
    both.write(HOME)
    both.write("\x1b(0")  # line drawing characters: "q" is drawn as a line from now on
    assert both.diff.off
    both.write(HOME)
    assert both.reduced_only == HOME
    assert both.same()


def test_escape_sequences_cut_between_writes() -> None:
    both = Both()
    for cut in range(0, len(HOME), 7):
        both.write(HOME[:cut])
        both.write(HOME[cut:])
        assert both.same(), cut


WORDS = ["ab", "村务", " ", "公示期7日", "x", "履职事项", "  ", "Q"]
SGRS = ["0", "1", "7", "4", "22", "27", "31", "97;40", "97;100", "38;5;208", "48;2;1;2;3", "39;49", ""]
OTHER = [
    "\x1b[?25l",
    "\x1b[?25h",
    "\x1b[?2026h",
    "\x1b[?2026l",
    "\x1b]22;default\x07",
    "\x1b[K",
    "\x1b[2J",
    "\r\n",
    "\x07",
]


def random_stream(rng: random.Random, width: int, height: int) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 40)):
        pick = rng.random()
        if pick < 0.35:
            parts.append(f"\x1b[{rng.randint(1, height)};{rng.randint(1, width)}H")
        elif pick < 0.55:
            parts.append(f"\x1b[{rng.choice(SGRS)}m")
        elif pick < 0.95:
            parts.append(rng.choice(WORDS))
        else:
            parts.append(rng.choice(OTHER))
    return "".join(parts)


@pytest.mark.parametrize("blanking", [False, True])
def test_random_frames_draw_the_same_screen(blanking: bool) -> None:
    rng = random.Random(19)
    for round_ in range(60):
        width, height = rng.choice([(80, 24), (20, 6), (7, 3)])
        both = Both(width, height, blanking=blanking)
        both.write("\x1b[?7l" if rng.random() < 0.7 else "")
        base = random_stream(rng, width, height)
        for _ in range(30):
            data = base if rng.random() < 0.3 else random_stream(rng, width, height)
            cut = rng.randint(0, len(data))
            both.write(data[:cut])
            both.write(data[cut:])
            assert both.same(), (round_, repr(data))
            if rng.random() < 0.05:
                width, height = rng.choice([(80, 24), (20, 6), (7, 3)])
                both.resize(width, height)


def test_the_size_is_read_at_every_write() -> None:
    sizes: list[Size] = [(80, 24)]
    read: Callable[[], Size] = lambda: sizes[-1]  # noqa: E731
    diff = FrameDiff(read)
    diff(HOME)
    assert diff(HOME) == ""
    sizes.append((81, 24))
    assert "村务履职" in diff(HOME)


TEXT = "申请人村委会书面填写审核公示民主评议低保户家庭收入财产状况调查入户核查"


def page(first: int, bar: int, rows: range = range(2, 22)) -> str:
    """Lines ``first``… of a text in ``rows``, a scrollbar's thumb on line ``bar`` in the last two
    columns, a title and a footer that stay."""
    parts = ["\x1b[1;1H\x1b[0m\x1b[1;97;100m" + "事项：城乡低保申请审核".ljust(69) + "\x1b[0m"]
    for n, y in enumerate(rows):
        number = first + n
        line = f"{number:3d}. " + "".join(TEXT[(number * 7 + i * 3) % len(TEXT)] for i in range(number % 5 + 12))
        line += " " * (78 - 5 - 2 * (number % 5 + 12))
        thumb = "\x1b[0;7;90;40m  " if y == bar else "\x1b[0;90;40m▐▌"
        parts.append(f"\x1b[{y};1H\x1b[0m\x1b[97;40m{line}" + thumb + "\x1b[0m")
    parts.append("\x1b[24;1H\x1b[0m\x1b[1;91;100m Esc \x1b[0m\x1b[97;100m返回 \x1b[0m")
    return frame(*parts)


def test_lines_that_moved_are_scrolled_on_the_terminal_not_drawn_again() -> None:
    both = Both()
    both.write(page(1, 2))
    drawn_again = len(page(2, 3).encode())
    for first in (2, 3, 4, 7, 6, 5, 1, 12, 1):  # down one line at a time, a page, back up
        out = both.write(page(first, first + 1))
        assert both.same(), first
    down = both.write(page(2, 3))
    assert both.same()
    assert "\x1b[2;21r" in down and len(down.encode()) < drawn_again / 4, (len(down.encode()), drawn_again)
    up = both.write(page(1, 2))
    assert both.same()
    assert "\x1bM" in up and len(up.encode()) < drawn_again / 4, repr(up)
    assert down.count("\x1b[r") == up.count("\x1b[r") == 1, "the region is reset after the scroll"
    assert out


@pytest.mark.parametrize("blanking", [False, True])
def test_random_scrolls_draw_the_same_screen(blanking: bool) -> None:
    rng = random.Random(23)
    both = Both(blanking=blanking)
    both.write(page(1, 2))
    for _ in range(80):
        top = rng.randint(1, 10)
        rows = range(top, rng.randint(top + 3, 24))
        both.write(page(rng.randint(1, 30), rng.randint(1, 24), rows))
        assert both.same()
        if rng.random() < 0.2:
            both.write(random_stream(rng, 80, 24))
            assert both.same()


def test_the_compositor_is_mended_only_on_the_textual_release_it_was_copied_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual._compositor import Compositor

    from tui import driver

    assert driver.textual_version().startswith(driver.MENDED_FOR), "the pinned Textual is the one mended"
    for name in ("_render_chops", "render_partial_update"):  # put back as they were after the test
        monkeypatch.setattr(Compositor, name, Compositor.__dict__[name])
    textual_own = Compositor.__dict__["_render_chops"]
    monkeypatch.setattr(driver, "textual_version", lambda: "9.0.0")
    assert driver.mend_wide_cuts() is False and Compositor.__dict__["_render_chops"] is textual_own
    monkeypatch.setattr(driver, "textual_version", lambda: "8.2.8")
    assert driver.mend_wide_cuts() is True and Compositor.__dict__["_render_chops"] is driver._render_chops
