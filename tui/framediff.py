"""Fewer bytes down a slow SSH link: each frame Textual writes, reduced to the cells that differ
from what the terminal already shows.

Textual draws a whole screen on every screen change (a dialog, Esc back to a list): 14-36 KB at
80×24 with Chinese text and colours, most of it the same characters in the same colours as
before. ``FrameDiff`` keeps a copy of what the terminal shows (a grid of the screen's size: each
cell a character and its attributes, a wide character taking two cells), reads what Textual
writes (cursor positions ``ESC[r;cH``, attributes ``ESC[…m``, text, carriage return, line feed)
into it, and writes only the cells whose character or attributes changed, with a cursor move
between runs of changed cells, and the cursor and attributes left where Textual left them.
Lines that moved together (a text or a list scrolled) are scrolled on the terminal (a scrolling
region and line feeds: VT100) and only what then still differs is written.

Widths are Textual's (``rich.cells``): on a terminal that draws East Asian "ambiguous" characters
(— … “ ” box drawing) two cells wide, Textual's own lines are misaligned already; the remedy is
``cunwu --ascii``, which writes none of them.

Correctness never depends on the reading. What it does not model is handled so that the
terminal ends up exactly as Textual's own bytes would leave it:
- a sequence that changes no cell (modes such as ``ESC[?25l``, synchronized output
  ``ESC[?2026h``, queries, OSC titles) is written as it came, in order, after the changes before
  it; one that changes the screen in a way not modelled (the alternate screen, erasing, a relative
  move, text whose position or attributes are not known) is written as it came and the copy
  forgets what it covered (the screen, the cursor or the attributes), so later cells are written
  until it knows them again;
- a frame that cannot be reduced exactly (text past the last column, a line feed on the last
  line that scrolls, a wide character cut in half and left so) is written as it came;
- a sequence that changes how later bytes are read (character sets, origin or insert mode,
  scrolling margins, anything unknown) turns the reduction off: from then on everything is
  written as it came.
A change of the terminal's size (``size`` differs from the grid's), or a clear, forgets the whole
copy. tests/test_framediff.py draws both streams through a terminal emulator and compares them.

Wide characters: a terminal (xterm, tmux) blanks the other half of a wide character when a write
covers one half only. No write of the changes can do that: the copy holds a wide character's two
cells together (a character written over one half makes the other half not known, and a frame
that leaves one so is written as it came), so a cell of an old wide character that changes
means its other half changes too and is written in the same run, and a run never starts on a
right half (it starts on the character's left half) nor ends on a left half (the character is
written whole). Textual's own bytes, where written as they came, cut a wide character only
where its frame does, and the terminal shows what Textual sent. tests/test_framediff.py also
compares both streams on an emulator that blanks as tmux does (tests/test_tui_wide.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from rich.cells import get_character_cell_size

from tui.squeeze import PLAIN, Attributes, apply, change

applied = functools.lru_cache(maxsize=512)(apply)
"""``squeeze.apply``, remembered: a screen sets the same few attributes again and again."""

TOKEN = re.compile(
    r"\x1b\[([0-?]*)([ -/]*)([@-~])"  # CSI: parameters, intermediates, final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, ended by BEL or ST
    r"|\x1b[^\[\]]"  # another escape
    r"|[\r\n]"
    r"|[^\x00-\x1f\x7f-\x9f]+"  # printable text
    r"|[\s\S]",  # any other control character, or a lone ESC
)
PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*(?:\x1b)?)?\Z")
"""An escape sequence cut off at the end of a write: kept for the next one."""

HARMLESS_MODES = frozenset(
    {1, 7, 12, 25, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1015, 1016, 2004, 2026, 2027, 2048}
)
"""Private modes (``ESC[?n h/l``) that change no cell and not how later bytes are drawn:
cursor keys, autowrap (text never reaches past the last column here), cursor blink and
visibility, mouse and focus reports, bracketed paste, synchronized output, size reports."""
SCREEN_MODES = frozenset({47, 1047, 1048, 1049})
"""Private modes that switch to or from the alternate screen (or save the cursor)."""
ERASING = frozenset("JKXPL@MST")
"""CSI final bytes that erase, insert, delete or scroll: what the screen shows is not known after."""
JUMP = re.compile(r"\x1b\[[0-9]*(?:;[0-9]*)?[Hf]")
"""A move to a row and column, which sets the cursor wherever it was."""
MOVING = frozenset("ABCDEFGade`")
"""CSI final bytes that move the cursor relative to where it is (or to a column or row only)."""

SCROLL_ROWS = 3
"""Lines that must have moved together for the terminal to scroll them instead of drawing them."""

Cell = tuple[str, Attributes]
"""A cell the terminal shows: its character ("" for the right half of a wide one) and attributes."""
Grid = list[list[Cell | None]]
"""The terminal's cells, row by row; None where what it shows is not known."""


class FrameDiff:
    """Terminal output reduced to what changes on the screen (see above); one per terminal, as
    it keeps what the terminal shows between writes. ``size`` gives the terminal's (width,
    height) at each write."""

    def __init__(self, size: Callable[[], tuple[int, int]]) -> None:
        self.size = size
        self.width, self.height = 0, 0
        self.grid: Grid = []
        self.cursor: tuple[int, int] | None = None
        """Where the cursor is (row, column; column == width after writing the last column)."""
        self.attrs: Attributes | None = None
        """The attributes text is written with; None while not known."""
        self.off = False
        """Set for good once a sequence changes how later bytes are read: all written as it came."""
        self.carry = ""
        self._out: list[str] = []
        self._dirty: dict[int, dict[int, Cell | None]] = {}
        """What each cell written since the last flush showed before: by row, then column."""
        self._cells: dict[Attributes, dict[str, Cell]] = {}
        """One tuple for each character and attributes (a screen has a few hundred), by attributes."""
        self._term: tuple[tuple[int, int] | None, Attributes | None] = (None, None)
        self._then = (False, False, False)

    def forget(self) -> None:
        """Nothing is known of what the screen shows (a clear, a resize, the alternate screen)."""
        self.grid = [[None] * self.width for _ in range(self.height)]
        if sum(map(len, self._cells.values())) > 4096:
            self._cells = {}
        self.cursor = None
        self._term = (None, self._term[1])  # a resize may have moved the terminal's cursor too

    def __call__(self, data: str) -> str:
        data, self.carry = self.carry + data, ""
        if self.off:
            return data
        cut = PARTIAL.search(data)
        if cut is not None:
            data, self.carry = data[: cut.start()], data[cut.start() :]
        width, height = self.size()
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self.forget()
        self._out = []
        start = 0  # where the bytes not yet written begin
        for match in TOKEN.finditer(data):
            token = match.group(0)
            kind = self._read(match)
            if kind == "drawn":
                continue
            if kind == "raw":  # this part of the frame as it came
                self._dirty = {}
                self._out.append(data[start : match.end()])
                self._term = (self.cursor, self.attrs)
            else:  # the changes so far, then the token as it came, then what it changed
                self._flush(data[start : match.start()])
                self._out.append(token)
                self._after()
                self._term = (self.cursor, self.attrs)
                if kind == "off":
                    self.off = True
                    self._out.append(data[match.end() :] + self.carry)
                    self.carry = ""
                    return "".join(self._out)
            start = match.end()
        self._flush(data[start:])
        return "".join(self._out)

    # Reading ---------------------------------------------------------------------------------

    def _after(self) -> None:
        """What a token written as it came changes in the copy, once the changes before it are
        written (they are written with the cursor and attributes as they were)."""
        forget, cursor, attrs = self._then
        self._then = (False, False, False)
        if forget:
            self.forget()
        if cursor:
            self.cursor = None
        if attrs:
            self.attrs = None

    def _pass(self, forget: bool = False, cursor: bool = False, attrs: bool = False) -> str:
        self._then = (forget, cursor, attrs)
        return "pass"

    def _read(self, match: re.Match[str]) -> str:
        """Apply one token to the copy of the screen. Returns "drawn" (modelled: written later as
        changes), "pass" (written as it came; the copy updated or forgotten after the changes
        before it are written: ``_pass``), "raw" (this part of the frame written as it came: it
        cannot be reduced exactly) or "off"."""
        token = match.group(0)
        final = match.group(3)
        if final is not None:
            params, middle = match.group(1), match.group(2)
            if middle:
                return "pass" if final == "p" or final == "q" else "off"  # queries, cursor shape
            if final == "m" and params[:1] in ("<", "=", ">", "?"):
                # A keyboard setting (xterm's modifyOtherKeys …), which a terminal that does
                # not know it may take for attributes: not known until the next reset.
                return self._pass(attrs=True)
            if final == "m":
                state = self.attrs
                if state is None and (params in ("", "0") or params.startswith("0;")):
                    state = PLAIN
                state = applied(state, params) if state is not None else None
                if state is None:
                    return self._pass(attrs=True)
                self.attrs = state
                return "drawn"
            if final in "Hf" and re.fullmatch(r"[0-9]*(?:;[0-9]*)?", params):
                row, _, col = params.partition(";")
                y, x = max(int(row or 1), 1) - 1, max(int(col or 1), 1) - 1  # row 0 is row 1
                if y >= self.height or x >= self.width:
                    return self._pass(cursor=True)  # the terminal puts it on its last row or column
                self.cursor = (y, x)
                return "drawn"
            if params.startswith("?") and final in "hl":
                modes = {int(p) for p in params[1:].split(";") if p.isdigit()}
                if not modes or not all(m in HARMLESS_MODES or m in SCREEN_MODES for m in modes):
                    return "off"
                return self._pass(forget=bool(modes & SCREEN_MODES))
            if params.startswith((">", "<", "=")) or final in "nc" or (params.startswith("?") and final == "u"):
                return "pass"  # keyboard protocol, reports and queries
            if final in ERASING and not params.startswith("?"):
                return self._pass(forget=True)
            if final in MOVING and not params.startswith("?"):
                return self._pass(cursor=True)
            return "off"
        if token.startswith("\x1b]"):
            return "pass"  # OSC: a title, the pointer's shape
        if token == "\r":
            if self.cursor is None:
                return "pass"
            self.cursor = (self.cursor[0], 0)
            return "drawn"
        if token == "\n":
            # Textual ends a line with a line feed and then moves the cursor; the terminal may
            # take it as a carriage return too (the tty's ONLCR), so it is left out only when a
            # move follows and it scrolls nothing.
            if self.cursor is None or self.cursor[0] >= self.height - 1:
                return self._pass(forget=True)  # it may scroll
            if JUMP.match(match.string, match.end()):
                return "drawn"
            return self._pass(cursor=True)
        if token in ("\x07", "\x1b=", "\x1b>", "\x1b\\"):
            return "pass"  # the bell, keypad modes, a lone string terminator
        if token in ("\x08", "\t"):
            return self._pass(cursor=True)
        if token.startswith("\x1b") or token < " " or "\x7f" <= token[0] <= "\x9f":
            return "off"  # character sets, save and restore, shift-out …: not modelled
        return self._text(token)

    def _text(self, text: str) -> str:
        if self.cursor is None or self.attrs is None:
            return self._pass(forget=True)
        y, x = self.cursor
        row, attrs, width = self.grid[y], self.attrs, self.width
        cells = self._cells.get(attrs)
        if cells is None:
            cells = self._cells[attrs] = {}
        before = self._dirty.setdefault(y, {})
        for char in text:
            size = 1 if char < "\u0300" else get_character_cell_size(char)  # below: Latin, no marks
            if size not in (1, 2) or x + size > width:
                self.forget()  # a combining mark, past the last column: the terminal decides
                return "raw"
            cell = cells.get(char)
            if cell is None:
                cell = cells[char] = (char, attrs)
            old = row[x]
            if old is not None and (old[0] == "" or (x + 1 < width and (row[x + 1] or "-")[0] == "")):
                self._put(row, y, x, cell)  # over half of a wide character
            else:
                if x not in before:
                    before[x] = old
                row[x] = cell
            if size == 2:
                tail = cells.get("")
                if tail is None:
                    tail = cells[""] = ("", attrs)
                self._put(row, y, x + 1, tail)
            x += size
        self.cursor = (y, x)
        return "drawn"

    def _put(self, row: list[Cell | None], y: int, x: int, cell: Cell) -> None:
        """Write one cell; half of a wide character it overwrites is no longer known."""
        old = row[x]
        if old is not None:
            if old[0] == "" and cell[0] != "" and x > 0:
                self._lose(row, y, x - 1)  # the right half of a wide one, by a new character
            elif old[0] != "" and x + 1 < self.width and (row[x + 1] or ("-",))[0] == "":
                self._lose(row, y, x + 1)  # the left half of a wide one
        self._touch(row, y, x)
        row[x] = cell

    def _lose(self, row: list[Cell | None], y: int, x: int) -> None:
        self._touch(row, y, x)
        row[x] = None

    def _touch(self, row: list[Cell | None], y: int, x: int) -> None:
        before = self._dirty.get(y)
        if before is None:
            self._dirty[y] = {x: row[x]}
        elif x not in before:
            before[x] = row[x]

    # Writing ---------------------------------------------------------------------------------

    def _flush(self, raw: str) -> None:
        """Write what ``raw`` (the bytes since the last flush) changed: the changed cells and the
        cursor and attributes as they left them, or ``raw`` itself when that cannot be exact."""
        dirty, self._dirty = self._dirty, {}
        starts: set[tuple[int, int]] = set()
        rows: set[int] = set()
        for y, before in dirty.items():
            row = self.grid[y]
            for x, old in before.items():
                new = row[x]
                if new is None:
                    break
                if new != old:
                    starts.add((y, x - 1) if new[0] == "" else (y, x))
                    rows.add(y)
            else:
                continue
            break
        else:
            if self.cursor is None or self.cursor[1] < self.width:
                if len(rows) >= SCROLL_ROWS:
                    starts = self._scroll(dirty, starts)
                self._write(sorted(starts))
                return
        self._out.append(raw)  # a wide character left cut, or the cursor after the last column
        self._term = (self.cursor, self.attrs)

    def _scroll(self, dirty: dict[int, dict[int, Cell | None]], starts: set[tuple[int, int]]) -> set[tuple[int, int]]:
        """When lines moved up or down (a text or a list scrolled), scroll them on the terminal
        (a scrolling region, line feeds or reverse line feeds, the region reset: VT100) and
        return the cells that still differ; else ``starts`` as they are. Lines are matched
        without their last two columns, where a scrollbar does not move with the text."""
        width, height, grid = self.width, self.height, self.grid
        old_rows: list[list[Cell | None]] = list(grid)
        for y, before in dirty.items():
            old_rows[y] = grid[y][:]
            for x, old in before.items():
                old_rows[y][x] = old
        span = max(1, width - 2)
        new_keys = [tuple(row[:span]) for row in grid]
        old_keys = [tuple(row[:span]) for row in old_rows]
        where: dict[tuple[Cell | None, ...], list[int]] = {}
        for y, key in enumerate(old_keys):
            if None not in key and len(set(key)) > 1:  # a line of one cell repeated matches anywhere
                where.setdefault(key, []).append(y)
        votes: dict[int, int] = {}
        for y in {y for y, _ in starts}:
            for source in where.get(new_keys[y], ()):
                if source != y:
                    votes[source - y] = votes.get(source - y, 0) + 1
        if not votes:
            return starts
        shift = max(votes, key=lambda k: (votes[k], -abs(k)))
        # The lines that moved by ``shift``, in the largest group with at most two lines between
        # them (a highlighted line does not move with the others).
        groups: list[list[int]] = []
        for y in range(max(0, -shift), min(height, height - shift)):
            if new_keys[y] == old_keys[y + shift] and new_keys[y] in where:
                if groups and y - groups[-1][-1] <= 3:
                    groups[-1].append(y)
                else:
                    groups.append([y])
        matched = max(groups, key=len, default=[])
        if len(matched) < SCROLL_ROWS:
            return starts
        top, bottom = (matched[0], matched[-1] + shift) if shift > 0 else (matched[0] + shift, matched[-1])
        blank: list[Cell | None] = [(" ", PLAIN)] * width
        moved: set[tuple[int, int]] = {(y, x) for y, x in starts if not top <= y <= bottom}
        for y in range(top, bottom + 1):
            source = y + shift
            scrolled = old_rows[source] if top <= source <= bottom else blank
            row = grid[y]
            for x in range(width):
                cell = row[x]
                if cell != scrolled[x]:
                    if cell is None:
                        return starts  # a cell not known where the region would change it
                    moved.add((y, x - 1) if cell[0] == "" else (y, x))
        if len(moved) + 12 >= len(starts):
            return starts
        attrs = self._term[1]
        out = self._out
        if attrs != PLAIN:
            out.append(sgr(attrs, PLAIN))  # lines scrolled in are blank in plain attributes
        out.append(f"\x1b[{top + 1};{bottom + 1}r")
        out.append(f"\x1b[{bottom + 1}H" + "\n" * shift if shift > 0 else f"\x1b[{top + 1}H" + "\x1bM" * -shift)
        out.append("\x1b[r")  # the whole screen again; the cursor is at its top left
        self._term = (None, PLAIN)
        return moved

    def _write(self, starts: list[tuple[int, int]]) -> None:
        out, grid = self._out, self.grid
        cursor, attrs = self._term
        for y, x in starts:
            cell = grid[y][x]
            assert cell is not None
            if cursor != (y, x):
                out.append(self._move(cursor, (y, x), attrs))
                cursor = (y, x)
            if attrs != cell[1]:
                out.append(sgr(attrs, cell[1]))
                attrs = cell[1]
            out.append(cell[0])
            x += 1 if x + 1 >= self.width or (grid[y][x + 1] or ("-",))[0] != "" else 2
            cursor = (y, x) if x < self.width else None
        if self.cursor is not None and cursor != self.cursor:
            out.append(self._move(cursor, self.cursor, attrs))
        if self.attrs is not None and attrs != self.attrs:
            out.append(sgr(attrs, self.attrs))
        self._term = (self.cursor, self.attrs)

    def _move(self, cursor: tuple[int, int] | None, to: tuple[int, int], attrs: Attributes | None) -> str:
        """The shortest way from ``cursor`` to ``to``: a jump, a step right, or the cells between
        written again (they show what they already show)."""
        y, x = to
        jump = f"\x1b[{y + 1};{x + 1}H" if x else f"\x1b[{y + 1}H"
        if cursor is None or cursor[0] != y or cursor[1] >= x:
            return jump
        gap = x - cursor[1]
        best = min(jump, "\x1b[C" if gap == 1 else f"\x1b[{gap}C", key=len)
        if gap > len(best):
            return best
        cells = self.grid[y][cursor[1] : x]
        if any(c is None for c in cells) or cells[0] is None or cells[0][0] == "":
            return best
        text = []
        for cell in cells:
            assert cell is not None
            if cell[1] != attrs:
                return best  # not worth an attribute change
            text.append(cell[0])
        again = "".join(text)
        return again if len(again.encode()) < len(best) else best


def sgr(old: Attributes | None, new: Attributes) -> str:
    """The attribute change from ``old`` (None: not known) to ``new``."""
    if old is None:
        return "\x1b[0;" + ";".join(new.params()) + "m" if new != PLAIN else "\x1b[0m"
    return change(old, new)
