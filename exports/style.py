"""The house style of every Word document (GB/T 9704-2012 page and fonts), and safe writing.

- A4; margins 上37 下35 左28 右26 mm (版心 156 × 225 mm).
- Body 3号 (16 pt) 仿宋_GB2312, exactly 28.95 pt a line (225 mm / 22 lines), condensed by
  0.25 pt so that 28 hanzi fill a line; title 2号 (22 pt) 方正小标宋简体; headings 黑体 / 楷体_GB2312.
- East Asian font names go into ``w:eastAsia`` (python-docx only writes ``w:ascii``/``w:hAnsi``),
  and the theme attributes that would override them are removed, so Word and WPS both use them.
- Page numbers "— 1 —" in 4号 宋体: odd pages right, even pages left, one character in.
- Every text passes ``xml_safe`` (python-docx rejects control characters); files are written
  0600 under a safe name, never over an existing file, into a folder ``store.outputs`` checked.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, cast

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from store.outputs import Place

FONTS: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "华文中宋", "宋体"),
    "body": ("仿宋_GB2312", "仿宋"),
    "h1": ("黑体",),
    "h2": ("楷体_GB2312", "楷体"),
    "page": ("宋体",),
}
"""The face written into ``w:eastAsia`` first; where a machine lacks it, Word/WPS substitute the next."""

SIZE_TITLE, SIZE_BODY, SIZE_PAGE, SIZE_TABLE = Pt(22), Pt(16), Pt(14), Pt(12)
LINE = Pt(28.95)
"""225 mm / 22 lines."""
CHAR = Pt(16)
"""One 3号 character: paragraph indents are counted in these (首行缩进二字 = 2 × CHAR)."""

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def xml_safe(text: object) -> str:
    """Text Word can store: NFC, no control characters (tab and newline kept), no lone surrogates."""
    return _UNSAFE.sub("", unicodedata.normalize("NFC", str(text)))


def fonts_line() -> str:
    """The fonts the documents ask for, and what stands in for a missing one."""
    return "；".join(
        f"{faces[0]}（无此字体时用 {'、'.join(faces[1:])}）" if len(faces) > 1 else faces[0] for faces in FONTS.values()
    )


def cn_date(day: dt.date) -> str:
    """2026年11月27日 (GB/T 9704 §7.3.5.4: Arabic numerals, full year, no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run: Run, role: str, size: Pt | None = None, bold: bool = False) -> Run:
    """A run in one of the house faces, written into w:eastAsia as well as w:ascii/w:hAnsi."""
    face = FONTS[role][0]
    run.font.name = face
    _east_asia(run._element.get_or_add_rPr(), face)
    if size is not None:
        run.font.size = size
    run.font.bold = bold
    return run


def _east_asia(rpr: object, face: str) -> None:
    fonts = rpr.get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), face)
    fonts.set(qn("w:ascii"), face)
    fonts.set(qn("w:hAnsi"), face)


def new_document() -> DocumentObject:
    """An empty document in the house style."""
    doc = Document()
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.size = SIZE_BODY
    rpr = normal.element.get_or_add_rPr()
    _east_asia(rpr, FONTS["body"][0])
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-5")  # −0.25 pt: 28 hanzi of 3号 fill the 156 mm line
    rpr.append(spacing)
    language = OxmlElement("w:lang")
    language.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(language)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    return doc


def _page_number(paragraph: Paragraph, odd: bool) -> None:
    """ "— 1 —" in 4号宋体; odd pages right, even pages left, one character from the edge."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        paragraph.paragraph_format.right_indent = SIZE_PAGE
    else:
        paragraph.paragraph_format.left_indent = SIZE_PAGE
    set_font(paragraph.add_run("— "), "page", SIZE_PAGE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = set_font(paragraph.add_run(), "page", SIZE_PAGE)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text or ""
    set_font(paragraph.add_run(" —"), "page", SIZE_PAGE)


def title(doc: DocumentObject, text: str) -> Paragraph:
    """The document title: 2号小标宋, centred, one blank line below it."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(35)
    set_font(paragraph.add_run(xml_safe(text)), "title", SIZE_TITLE)
    doc.add_paragraph()
    return paragraph


def heading(doc: DocumentObject, text: str, level: int = 1) -> Paragraph:
    """一、 in 黑体 (level 1), （一） in 楷体 (level 2), 3号, indented two characters."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = CHAR * 2
    set_font(paragraph.add_run(xml_safe(text)), "h1" if level == 1 else "h2", SIZE_BODY)
    return paragraph


def body(doc: DocumentObject, text: str, *, indent: bool = True, align: str = "") -> Paragraph:
    """A body paragraph in 3号仿宋, first line indented two characters; newlines become new paragraphs."""
    lines = xml_safe(text).split("\n") or [""]
    paragraph = doc.add_paragraph()
    for i, line in enumerate(lines):
        if i:
            paragraph = doc.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = CHAR * 2
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph.add_run(line), "body", SIZE_BODY)
    return paragraph


def table(
    doc: DocumentObject, headers: list[str], rows: list[list[str]], widths_mm: list[float], size: Pt = SIZE_TABLE
) -> Table:
    """A grid table: the header row repeats on every page, rows never split across pages."""
    grid = doc.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for c, width in enumerate(widths_mm):
        grid.columns[c].width = Mm(width)  # w:tblGrid, which LibreOffice and WPS follow
    for r, values in enumerate([headers, *rows]):
        row = grid.rows[r]
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            trpr.append(OxmlElement("w:tblHeader"))
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Mm(widths_mm[c])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing = Pt(20)
            set_font(paragraph.add_run(xml_safe(value)), "body", size, bold=r == 0)
    return cast("Table", grid)


def signature(doc: DocumentObject, issuer: str, day: dt.date) -> None:
    """署名 and date without a seal (GB/T 9704 §7.3.5.2): one blank line, 署名 右空二字, the date below it."""
    doc.add_paragraph()
    for text in (issuer, cn_date(day)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = CHAR * 2
        set_font(paragraph.add_run(xml_safe(text)), "body", SIZE_BODY)


def page_break(doc: DocumentObject) -> None:
    doc.add_section(WD_SECTION.NEW_PAGE)


def safe_filename(name: str, limit: int = 180) -> str:
    """A file name kept in Chinese but without / \\ : * ? " < > | or control characters, bounded in bytes."""
    clean = _BAD_NAME.sub("_", xml_safe(name)).strip(" .") or "文档"
    if clean.split(".")[0].upper() in RESERVED:
        clean = f"_{clean}"
    while len(clean.encode("utf-8")) > limit:
        clean = clean[:-1]
    return clean


def write(doc: DocumentObject, folder: Path | Place, name: str) -> Path:
    """Save ``doc`` as ``folder/name.docx`` (0600); an existing file gets a numbered sibling, never overwritten.

    ``folder``: a ``store.outputs.Place`` already checked against the output policy (what every
    export passes); a plain path (tests, benchmarks) is only opened safely, not checked."""
    from store.outputs import Place

    buffer = io.BytesIO()
    doc.save(buffer)
    place = folder if isinstance(folder, Place) else Place(Path(os.path.abspath(folder)).resolve(), allowed=False)
    stem = safe_filename(name)
    for n in range(1, 1000):
        file = f"{stem}.docx" if n == 1 else f"{stem}（{n}）.docx"
        try:
            with place.create(file) as fh:
                fh.write(buffer.getvalue())
        except FileExistsError:
            continue
        return place.file(file)
    raise FileExistsError(f"{place.path / stem}.docx 已有 999 个同名文件")
