"""The app's lists: columns that keep their widths, rows keyed by record, a highlight that
follows the record (not the row index) when the list is re-read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

R = TypeVar("R")


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (CJK counts 2), marked with ``..`` when cut
    (two ASCII dots: an ellipsis is drawn double width in some CJK terminal fonts)."""
    if cell_len(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        used += cell_len(ch)
        if used > width - 2:
            break
        out += ch
    return out + ".."


def short_number(number: str, village: str) -> str:
    """``2026-ZG0001``: a number without the village it starts with (a 村 column shows it)."""
    return number.removeprefix(f"{village}-")


def columns(table: DataTable[object], spec: Sequence[tuple[str, int]]) -> None:
    """Add fixed-width columns: a filter that leaves short rows does not shrink them."""
    for label, width in spec:
        table.add_column(label, width=width)


def current_key(table: DataTable[object]) -> str:
    """The key of the highlighted row ("" when the table is empty)."""
    if not table.row_count:
        return ""
    row_key = table.coordinate_to_cell_key(Coordinate(min(table.cursor_row, table.row_count - 1), 0)).row_key
    return str(row_key.value or "")


def refill(table: DataTable[object], rows: Iterable[tuple[str, Sequence[str]]], select: str = "") -> list[str]:
    """Replace the rows (``key``, cells clipped to their column's width) and keep the highlight
    on the record it was on — or on ``select`` — wherever that record now stands; when it is
    gone, on the row at the same place. Returns the keys in order."""
    keep, old_row = select or current_key(table), table.cursor_row
    table.clear()
    keys = add(table, rows)
    if keys:
        table.move_cursor(row=keys.index(keep) if keep in keys else min(old_row, len(keys) - 1))
    return keys


def add(table: DataTable[object], rows: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """Append the rows (``key``, cells clipped to their column's width); returns their keys."""
    widths = [column.width for column in table.columns.values()]
    keys: list[str] = []
    for key, cells in rows:
        texts = [
            Text(clip(str(c), w) if w else str(c), no_wrap=True, end="") for c, w in zip(cells, widths, strict=True)
        ]
        table.add_row(*texts, key=key)
        keys.append(key)
    return keys


def unique(keys: Iterable[str]) -> list[str]:
    """``keys`` made unique by numbering repeats (rows without an id of their own)."""
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


PAGE = 200
"""Rows a long list adds at a time: the next page once the highlight comes near its last row."""


class Pager(Generic[R]):
    """A long list (thousands of cases or findings) in a table a page at a time, each row's
    cells made only when it is shown: a table of 44,000 rows took eight seconds to fill and
    measure, for the 24 a screen shows. ``key`` names a row's record, ``cells`` gives its key
    and cells."""

    def __init__(self, key: Callable[[R], str], cells: Callable[[R], tuple[str, Sequence[str]]]) -> None:
        self.key, self.cells = key, cells
        self.rows: Sequence[R] = ()
        self.shown = 0

    def fill(self, table: DataTable[object], rows: Sequence[R], select: str = "") -> None:
        """``refill`` with ``rows``, showing as many pages as the highlighted record (``select``,
        else the one highlighted now) needs to be among them again."""
        keep = select or current_key(table)
        self.rows = rows
        at = next((i for i, row in enumerate(rows) if self.key(row) == keep), 0)
        self.shown = min(len(rows), (at // PAGE + 1) * PAGE)
        refill(table, map(self.cells, rows[: self.shown]), select=keep)

    def more(self, table: DataTable[object]) -> None:
        """The next page, once the highlight is near the last row shown."""
        if self.shown >= len(self.rows) or table.cursor_row < self.shown - 20:
            return
        added = add(table, map(self.cells, self.rows[self.shown : self.shown + PAGE]))
        self.shown += len(added)
