"""The roster (名册) in Excel and CSV: the blank import template, the export of a village's
roster, reading a filled-in .xlsx or .csv into rows, and the rejected rows written back in
the same template with an 错误说明 column.

One row per membership; the first columns describe the person, so a person holding three
memberships takes three rows (``store.roster_import`` merges them). ID numbers are text
cells (number format "@", a str value): a number cell shows 4.40981E+17 and has lost its
last digits, so such a cell is refused when read, never guessed. Exports mask ID numbers
(``procedures.idnumber.mask``): a roster export is paper that gets passed around.

openpyxl is imported inside the functions that need it: ``cunwu`` and ``cunwu due`` never
load it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from exports import sheets
from procedures import idnumber
from procedures.roster import DETAIL_WORD, Role
from store.errors import BadInput
from store.roster_import import (
    BIRTH,
    DATES,
    DETAIL,
    ERRORS,
    FIELDS,
    GENDER,
    GROUP,
    HEAD,
    HOUSEHOLD,
    ID_NUMBER,
    NAME,
    NOTE,
    NUMBER,
    REQUIRED,
    ROLE,
    SINCE,
    UNTIL,
    Row,
    Sheet,
    heading,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from store.outputs import Place

NOTHING = "未做任何改动。"
SHEET, GUIDE_SHEET = "名册", "填写说明"
TEXT_ROWS = 2000
"""The template's rows formatted as text (ID number, 户号) and offered the drop-downs."""
LIMIT = 5 << 20
"""The largest file an import reads (5 MiB: some ten thousand rows)."""
UNPACKED_LIMIT = 80 << 20
"""The most an .xlsx may unpack to (a small file that unpacks to gigabytes is refused)."""

GUIDE = (
    (NUMBER, "可不填，只为方便核对；导入时不读取。"),
    (NAME, "必填。同一人有几个身份就填几行，每行的姓名、身份证号或户号相同。"),
    (GENDER, "男 或 女，可不填。"),
    (BIRTH, "如 1985-03-15，也可写 1985/3/15 或 1985年3月15日；填了身份证号可不填。"),
    (
        ID_NUMBER,
        "18 位，可不填。这一列必须是“文本”格式：数字格式会显示成 4.40981E+17，末几位已丢失，这样的行不能导入。"
        "从别处粘贴时请用“选择性粘贴 → 值”，并先把这一列设为文本。",
    ),
    (HOUSEHOLD, "本村的户号，如 012。同一户号中同名的两行算同一人。"),
    (HEAD, "是 或 否，可不填（不填为否）。"),
    (GROUP, "如 第一村民小组，可不填。"),
    (
        ROLE,
        f"必填，从下拉列表中选：{'、'.join(r.value for r in Role)}。只登记这个人、暂不登记身份时，身份和日期都不填。",
    ),
    (
        DETAIL,
        "按身份填写："
        + "；".join(f"{role.value}填{word}" for role, word in DETAIL_WORD.items())
        + "；其他身份可不填。",
    ),
    (SINCE, "必填，取得这一身份的日期（如入党、当选、确定为积极分子的日期）。"),
    (UNTIL, "不再具有这一身份的最后一天（如转正、换届、迁出）；仍具有的不填。"),
    (NOTE, "可不填。"),
)


_WIDTHS = {
    NUMBER: 6,
    NAME: 12,
    GENDER: 6,
    BIRTH: 12,
    ID_NUMBER: 22,
    HOUSEHOLD: 10,
    HEAD: 12,
    GROUP: 14,
    ROLE: 20,
    DETAIL: 26,
    SINCE: 12,
    UNTIL: 12,
    NOTE: 24,
    ERRORS: 60,
}


# ---------------------------------------------------------------- writing


def _sheet(columns: Sequence[str]) -> tuple[Any, Worksheet]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([heading(c) for c in columns])
    for index, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(_WIDTHS.get(name, 10), sheets.width(heading(name)))
        if name in (ID_NUMBER, HOUSEHOLD):
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return book, sheet


def _letter(columns: Sequence[str], name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(columns.index(name) + 1)


def _text_cells(sheet: Worksheet, columns: Sequence[str], rows: int) -> None:
    """The ID number and 户号 cells of the first ``rows`` rows formatted as text, so that what
    is typed or pasted there stays text."""
    for name in (ID_NUMBER, HOUSEHOLD):
        letter = _letter(columns, name)
        for row in range(2, rows + 2):
            sheet[f"{letter}{row}"].number_format = "@"


def _drop_downs(sheet: Worksheet, columns: Sequence[str], rows: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = {
        ROLE: ",".join(r.value for r in Role),
        GENDER: "男,女",
        HEAD: "是,否",
    }
    for name, choices in lists.items():
        letter = _letter(columns, name)
        check = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        check.error = f"请从下拉列表中选择{name}"
        check.errorTitle = f"{name}无效"
        check.prompt = f"从下拉列表中选择{name}"
        check.showErrorMessage = name == ROLE
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{rows + 1}")


def _guide(book: Any, lines: Iterable[str] = ()) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet.append(["名册导入模板：每行一个身份。同一人有几个身份就填几行（如既是正式党员又是村委会委员，填两行）。"])
    sheet["A1"].font = Font(bold=True)
    for line in lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(["列", "填写说明"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for name, text in GUIDE:
        sheet.append([heading(name), text])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    sheet.append(["例", "张三，男，身份证号 140431198503150021，户号 012，户主 是，第一村民小组："])
    sheet.append(["", "第 1 行：身份 正式党员，起始日期 2010-07-01"])
    sheet.append(["", "第 2 行：身份 村委会委员，职务 委员，起始日期 2021-03-01"])
    sheet.append(["", "第 3 行：身份 户代表，起始日期 2021-03-01"])


def template() -> bytes:
    """The blank import template (.xlsx)."""
    book, sheet = _sheet(FIELDS)
    _text_cells(sheet, FIELDS, TEXT_ROWS)
    _drop_downs(sheet, FIELDS, TEXT_ROWS)
    _guide(book)
    return sheets.book_bytes(book)


def person_rows(person: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored person as the template's rows, one a membership (one row without a 身份 when
    they hold none), ID number masked, dates as dates."""
    base = {
        NAME: person["name"],
        GENDER: person.get("gender", ""),
        BIRTH: _day(person.get("birth")),
        ID_NUMBER: idnumber.mask(person["id_number"]) if person.get("id_number") else "",
        HOUSEHOLD: person.get("household", ""),
        HEAD: "是" if person.get("head") else "否",
        GROUP: person.get("group", ""),
        NOTE: person.get("note", ""),
    }
    items = person.get("memberships") or []
    if not items:
        return [{**base, ROLE: "", DETAIL: "", SINCE: None, UNTIL: None}]
    return [
        {**base, ROLE: m["role"], DETAIL: m.get("detail", ""), SINCE: _day(m["since"]), UNTIL: _day(m.get("until"))}
        for m in items
    ]


def _day(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None


def export(people: Sequence[Mapping[str, Any]], village: str, today: dt.date) -> bytes:
    """``village``'s roster (.xlsx), one row a membership, ID numbers masked."""
    rows = [row for person in people for row in person_rows(person)]
    book, sheet = _sheet(FIELDS)
    _fill(sheet, FIELDS, rows)
    _guide(
        book,
        [
            f"{village}名册，导出日期 {today.isoformat()}，共 {len(people)} 人。",
            "身份证号已隐去中间 8 位：导出的名册用于打印和传阅。再导入这个文件时，隐去的身份证号不会替换名册中的号码。",
        ],
    )
    return sheets.book_bytes(book)


def _fill(sheet: Worksheet, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    from openpyxl.styles import Alignment

    for number, row in enumerate(rows, start=1):
        values = [number if name == NUMBER and not row.get(NUMBER) else row.get(name) for name in columns]
        sheet.append(["" if v is None else v for v in values])
        at = sheet.max_row
        for index, name in enumerate(columns, start=1):
            cell = sheet.cell(row=at, column=index)
            sheets.formula_safe(cell)
            if name in DATES and isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif name in (ID_NUMBER, HOUSEHOLD):
                sheets.text_cell(cell)
            elif name == ERRORS:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def export_csv(people: Sequence[Mapping[str, Any]]) -> bytes:
    """``export`` as CSV, UTF-8 with a byte-order mark (so that Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([heading(c) for c in FIELDS])
    rows = [row for person in people for row in person_rows(person)]
    for number, row in enumerate(rows, start=1):
        values = [number if name == NUMBER else row.get(name) for name in FIELDS]
        writer.writerow(
            [csv_text("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v)) for v in values]
        )
    return buffer.getvalue().encode("utf-8-sig")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell of a CSV file as a formula (or a DDE command)."""


def csv_text(value: str) -> str:
    """A value for a CSV cell that a spreadsheet shows as text: one that would start a formula
    gets a leading apostrophe (the usual defence against formula injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def rejects(rows: Sequence[Row], problems: Mapping[int, Sequence[str]]) -> bytes:
    """The rows with problems (``problems``: row number → what is wrong) in the template, an
    错误说明 column last, ID numbers and 户号 as text."""
    columns = (*FIELDS, ERRORS)
    book, sheet = _sheet(columns)
    out = []
    for row in rows:
        if row.line in problems:
            values: dict[str, Any] = {name: row.values.get(name, "") for name in FIELDS}
            for name in DATES:
                values[name] = _date_or_text(values[name])
            values[ERRORS] = f"第 {row.line} 行：" + "；".join(problems[row.line])
            out.append(values)
    _fill(sheet, columns, out)
    _drop_downs(sheet, columns, max(len(out), 1))
    _guide(
        book, ["这些行有错误，没有导入（整个文件都没有导入）。请按“错误说明”一列改正，改正后把它们放回原文件再导入。"]
    )
    return sheets.book_bytes(book)


def _date_or_text(text: str) -> dt.date | str:
    """A rejected row's date as a date cell, or as the text typed: a day Excel cannot show
    (before 1900, such as a year typed as 0001) stays text, so the clerk sees what to correct."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return day if day.year >= 1900 else text


def safe_stem(name: str, limit: int = 160) -> str:
    """``exports.sheets.safe_stem``, 名册 when nothing is left."""
    return sheets.safe_stem(name, limit, fallback="名册")


def save(place: Place, stem: str, suffix: str, data: bytes) -> str:
    """``exports.sheets.save``: 0600, never over an existing file (a numbered sibling instead)."""
    return sheets.save(place, stem, suffix, data, fallback="名册")


# ---------------------------------------------------------------- reading


_MIDNIGHT = re.compile(r"[ T]0{1,2}:00(:00)?$")
XLSX_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def read(data: bytes, source: str) -> Sheet:
    """The rows of a filled-in template (.xlsx, or .csv in UTF-8 or GB18030); BadInput says
    what the file is when it is not one."""
    if len(data) > LIMIT:
        raise BadInput(f"{source}超过 {LIMIT >> 20} MiB，不能导入：请分几个文件导入。{NOTHING}")
    if not data.strip():
        raise BadInput(f"{source}是空的。{NOTHING}")
    if data.startswith(OLE_MAGIC):
        raise BadInput(
            f"{source}是旧版 Excel（.xls）或 WPS 文件：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）"
            f"或 CSV（UTF-8）后再导入。{NOTHING}"
        )
    if data.startswith(XLSX_MAGIC):
        return Sheet(_read_xlsx(data, source), "Excel 文件")
    if b"\x00" in data:
        raise BadInput(f"{source}不是 Excel（.xlsx）或 CSV 文件，不能导入：请用名册导入模板填写。{NOTHING}")
    try:
        text, kind = data.decode("utf-8-sig"), "CSV 文件（UTF-8 编码）"
    except UnicodeDecodeError:
        try:
            text, kind = data.decode("gb18030"), "CSV 文件（GB18030/GBK 编码）"
        except UnicodeDecodeError:
            raise BadInput(
                f"{source}既不是 UTF-8 也不是 GBK 编码的 CSV 文件，也不是 Excel（.xlsx）文件：请用名册导入模板填写，"
                f"或在 Excel 中另存为“CSV UTF-8”。{NOTHING}"
            ) from None
    lines = list(csv.reader(io.StringIO(text, newline="")))
    return Sheet(_rows(((n, list(cells)) for n, cells in enumerate(lines, start=1)), source), kind)


def _read_xlsx(data: bytes, source: str) -> list[Row]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise BadInput(
            f"{source}不是完整的 Excel（.xlsx）文件（可能只复制了一部分）：请重新保存后再导入。{NOTHING}"
        ) from None
    if unpacked > UNPACKED_LIMIT:
        raise BadInput(f"{source}解开后超过 {UNPACKED_LIMIT >> 20} MiB，不能导入：请分几个文件导入。{NOTHING}")
    if "xl/workbook.xml" not in names:
        raise BadInput(
            f"{source}不是 Excel 工作簿（.xlsx），可能是 Word 文档或其他压缩文件：请用名册导入模板填写。{NOTHING}"
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise BadInput(
            f"{source}无法作为 Excel 工作簿读取（{type(exc).__name__}）：请在 Excel 中重新保存后再导入。{NOTHING}"
        ) from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        lines = ((n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1))
        return _rows(lines, source)
    finally:
        book.close()


def _key(text: object) -> str:
    """A heading as the short name of its column: full-width folded, no spaces, no *, no (…)."""
    clean = "".join(unicodedata.normalize("NFKC", str(text or "")).split()).replace("*", "")
    return clean.split("(", 1)[0] if clean.split("(", 1)[0] else clean


def _rows(lines: Iterable[tuple[int, list[Any]]], source: str) -> list[Row]:
    columns: dict[int, str] | None = None
    out: list[Row] = []
    known = (*FIELDS, ERRORS)
    for line, cells in lines:
        if columns is None:
            found = {i: _key(c) for i, c in enumerate(cells) if _key(c) in known}
            if NAME in found.values():
                missing = [heading(n) for n in REQUIRED if n not in found.values()]
                if missing:
                    raise BadInput(
                        f"{source}第 {line} 行的表头缺少“{'”“'.join(missing)}”列：请用名册导入模板填写。{NOTHING}"
                    )
                columns = found
            elif any(_text(c) for c in cells):
                raise BadInput(
                    f"{source}第 {line} 行不是名册的表头（应有“姓名*”“身份*”“起始日期*”等列）：请用名册导入模板填写，"
                    f"表头放在第一行。{NOTHING}"
                )
            continue
        row = Row(line, {})
        for index, name in columns.items():
            if name in (NUMBER, ERRORS):
                continue
            value = cells[index] if index < len(cells) else None
            row.values[name] = _cell(value, name, row)
        if any(row.values.values()) or row.problems:
            out.append(row)
    if columns is None:
        raise BadInput(f"{source}中没有名册的表头（“姓名*”“身份*”“起始日期*”等列）：请用名册导入模板填写。{NOTHING}")
    if not out:
        raise BadInput(f"{source}只有表头，没有填写任何人。{NOTHING}")
    return out


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _cell(value: object, name: str, row: Row) -> str:
    """A cell's value as text; an ID number or 户号 in a number cell is noted on the row."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if name in DATES else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == ID_NUMBER and isinstance(value, float):
        row.problems.append(
            (
                ID_NUMBER,
                "身份证号是数字格式（显示为 4.40981E+17 这样），末几位已经丢失：请把这一列设置为“文本”格式，"
                "重新填写完整的身份证号",
            )
        )
        return ""
    if isinstance(value, float):
        if name in DATES:
            row.problems.append((name, f"“{value:g}”不是日期：请写成 2026-01-05，或设置为日期格式"))
            return ""
        return f"{value:.0f}" if value.is_integer() else f"{value:g}"
    if isinstance(value, int) and name in DATES:
        row.problems.append((name, f"“{value}”不是日期：请写成 2026-01-05"))
        return ""
    if name in DATES:  # Excel saves a date cell into CSV with its time: 2021/3/1 0:00
        return _MIDNIGHT.sub("", _text(value))
    return _text(value)
