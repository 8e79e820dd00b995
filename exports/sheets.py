"""What every cunwu spreadsheet (.xlsx) shares: column widths that fit Chinese, text cells for
ID numbers and numbers that must stay as typed, formula-safe text, date cells, and saving a
file 0600 and never over an existing one.

A register's workbook (``workbook``) opens on a sheet "说明" saying what it is, which villages,
which period, when and by whom it was exported and the journal head it was taken at, then the
data sheet: header row bold and frozen, dates as date cells, text as text.

openpyxl is imported inside the functions that need it: ``cunwu`` and ``cunwu due`` never load it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store.errors import BadInput

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

    from store.outputs import Place

ABOUT_SHEET = "说明"
DATE_FORMAT = "yyyy-mm-dd"
TEXT, DATE, NUMBER, WRAP = "text", "date", "number", "wrap"
"""How a column's cells are written: text cells (number format "@"), date cells from
YYYY-MM-DD text (other text stays text), numbers, or wrapped long text (text cells too)."""
WRAP_WIDTH = 40
"""The widest a wrapped column is made (its text wraps within it)."""


def width(text: str) -> float:
    """A column width that fits ``text``: about two units a Chinese character."""
    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return cells + 2


def formula_safe(cell: Cell | MergedCell) -> None:
    """A text cell starting with = stays text as typed, never a formula that runs when the file is opened."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def text_cell(cell: Cell | MergedCell) -> None:
    """The cell as text (a str value, number format "@"): an ID number or 户号 keeps every digit."""
    if not isinstance(cell.value, str):
        cell.value = "" if cell.value is None else str(cell.value)
    cell.number_format = "@"
    formula_safe(cell)


def date_cell(cell: Cell | MergedCell) -> None:
    """A YYYY-MM-DD text (or a date) as a date cell shown yyyy-mm-dd; any other text stays text."""
    value = cell.value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # 2026-02-30: not a day, stays text
            value = dt.date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else value
    if isinstance(value, dt.date) and value.year >= 1900:
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        text_cell(cell)


def book_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a data sheet: its header and how its cells are written (TEXT, DATE, NUMBER, WRAP)."""

    header: str
    kind: str = TEXT


def _fit(values: Sequence[str], kind: str) -> float:
    most = WRAP_WIDTH if kind == WRAP else 60
    widest: float = 12 if kind == DATE else 4
    for value in values:
        for line in str(value).splitlines():
            if 2 * len(line) + 2 > widest:  # a line can be wider only when it is long enough (10,000 rows)
                widest = max(widest, width(line))
        if widest >= most:
            break
    return min(widest, most)


def data_sheet(sheet: Worksheet, columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> None:
    """Fill ``sheet``: the header row bold and frozen, each cell as its column says, widths that fit."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for at, row in enumerate(rows, start=2):  # not sheet.max_row: it walks every cell (10,000 rows: 18 s)
        sheet.append(["" if v is None else v for v in row])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=at, column=index)
            if column.kind == DATE:
                date_cell(cell)
            elif column.kind == NUMBER and isinstance(cell.value, int | float):
                pass
            else:
                text_cell(cell)
                if column.kind == WRAP:
                    cell.alignment = wrap
    for index, column in enumerate(columns, start=1):
        values = [column.header, *(str(r[index - 1] or "") for r in rows)]
        sheet.column_dimensions[get_column_letter(index)].width = _fit(values, column.kind)
    sheet.freeze_panes = "A2"


def workbook(
    title: str,
    about: Sequence[tuple[str, str]],
    sheets: Sequence[tuple[str, Sequence[Column], Sequence[Sequence[object]]]],
    author: str = "",
) -> bytes:
    """A workbook: first the sheet 说明 (``title``, then one line a (label, value) of ``about``),
    then each (name, columns, rows) of ``sheets`` as a data sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    info = book.active
    assert info is not None
    info.title = ABOUT_SHEET
    info.append([title])
    info["A1"].font = Font(bold=True, size=14)
    for label, value in about:
        info.append([label, value])
        text_cell(info.cell(row=info.max_row, column=2))
        info.cell(row=info.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = max([width(label) for label, _ in about] + [12])
    info.column_dimensions["B"].width = 80
    for name, columns, rows in sheets:
        data_sheet(book.create_sheet(name), columns, rows)
    if author:
        book.properties.creator = author
    book.properties.title = title
    return book_bytes(book)


_BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_stem(name: str, limit: int = 160, fallback: str = "表格") -> str:
    """A file name kept in Chinese but without / \\ : * ? " < > | or control characters,
    bounded in bytes (as ``exports.style.safe_filename``, without loading python-docx)."""
    clean = _BAD_NAME.sub("_", "".join(c for c in name if c.isprintable())).strip(" .") or fallback
    while len(clean.encode("utf-8")) > limit:
        clean = clean[:-1]
    return clean


def save(place: Place, stem: str, suffix: str, data: bytes, fallback: str = "表格") -> str:
    """Write ``data`` as ``stem + suffix`` in ``place`` (0600, never over an existing file: a
    numbered sibling instead); returns the file's path."""
    clean = safe_stem(stem, fallback=fallback)
    for n in range(1, 1000):
        name = f"{clean}{suffix}" if n == 1 else f"{clean}（{n}）{suffix}"
        try:
            with place.create(name) as fh:
                fh.write(data)
        except FileExistsError:
            continue
        return str(place.file(name))
    raise BadInput(f"{place.path} 中已有 999 个名为 {clean}{suffix} 的文件，请换一个位置。未写入任何文件。")
