"""The house style of every Word document (GB/T 9704-2012 page and fonts), and safe writing.

- A4; margins 上37 下35 左28 右26 mm (版心 156 × 225 mm).
- Body 3号 (16 pt) 仿宋_GB2312, exactly 28.95 pt a line (225 mm / 22 lines), condensed by
  0.25 pt so that 28 hanzi fill a line; title 2号 (22 pt) 方正小标宋简体; headings 黑体 / 楷体_GB2312.
- East Asian font names go into ``w:eastAsia`` (python-docx only writes ``w:ascii``/``w:hAnsi``),
  and the theme attributes that would override them are removed, so Word and WPS both use them.
- Page numbers "— 1 —" in 4号 宋体: odd pages right, even pages left, one character in.
- The privacy boundary: every text passes ``printable`` (alias ``xml_safe``) — resident ID
  numbers masked (``procedures.idnumber.mask_in_text``: half- or full-width, in groups, with an
  x), bidi overrides/isolates/marks and other invisible format characters removed (a reversed
  line would print something else than what was stored), control characters removed (newline
  and tab kept). The helpers below apply it, and ``write`` applies it once more to every text
  node of every part (body, tables, headers, footers) before saving, so text that reached
  python-docx some other way is caught too.
- Files are WPS-clean: the theme names only the house faces, the core properties say who made
  the file (the village or township) and when, with no python-docx defaults; written 0600 under
  a safe name, never over an existing file, into a folder ``store.outputs`` checked.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from procedures import idnumber
from store.sanitize import without_escapes

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.table import Table, _Row
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
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
"""Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks
(U+200E/U+200F, U+061C), zero-width spaces and joiners, soft hyphen, BOM: invisible on paper,
and the bidi ones reorder the printed text around them."""
_DIGEST = re.compile(r"[0-9a-f]{64}")
"""A SHA-256 in hex (the journal's chain head): printed verbatim, see ``digest``."""
_BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def printable(text: object) -> str:
    """The one way text goes onto paper: NFC; line and paragraph separators as newlines; terminal
    escape sequences removed whole; bidi and other invisible format characters, control
    characters (tab and newline kept), lone
    surrogates and non-characters removed; then every resident ID number masked
    (``110101********1234``, as the notices' ID column prints it)."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    value = _UNSAFE.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", without_escapes(value))))
    return idnumber.mask_in_text(value)


xml_safe = printable
"""The earlier name of ``printable``: text Word can store is text that may be printed."""


def digest(value: str) -> str:
    """A hex SHA-256 as it is (masking 18 digits inside one would falsify it); anything else ``printable``."""
    return value if _DIGEST.fullmatch(value) else printable(value)


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


def run(paragraph: Paragraph, text: object, role: str, size: Pt | None = None, bold: bool = False) -> Run:
    """A run of ``printable(text)`` in a house face: how text enters a paragraph."""
    return set_font(paragraph.add_run(printable(text)), role, size, bold)


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
    run(paragraph, text, "title", SIZE_TITLE)
    break_title(paragraph, title_chars(doc))
    keep_with_next(paragraph)
    keep_with_next(doc.add_paragraph())
    return paragraph


def heading(doc: DocumentObject, text: str, level: int = 1) -> Paragraph:
    """一、 in 黑体 (level 1), （一） in 楷体 (level 2), 3号, indented two characters."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = CHAR * 2
    run(paragraph, text, "h1" if level == 1 else "h2", SIZE_BODY)
    keep_with_next(paragraph)
    return paragraph


def body(doc: DocumentObject, text: str, *, indent: bool = True, align: str = "") -> Paragraph:
    """A body paragraph in 3号仿宋, first line indented two characters; newlines become new paragraphs."""
    lines = printable(text).split("\n") or [""]
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
        keep_short_together(paragraph)
    return paragraph


def table(
    doc: DocumentObject, headers: list[str], rows: list[list[str]], widths_mm: list[float], size: Pt = SIZE_TABLE
) -> Table:
    """A grid table: the header row repeats on every page; a short row never splits across pages,
    a long one may (``short_row``), and no row has a fixed height that would clip its text."""
    grid = doc.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for c, width in enumerate(widths_mm):
        grid.columns[c].width = Mm(width)  # w:tblGrid, which LibreOffice and WPS follow
    for r, values in enumerate([headers, *rows]):
        row = grid.rows[r]
        trpr = row._tr.get_or_add_trPr()
        if r == 0 or short_row(values, widths_mm, size):
            trpr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            trpr.append(OxmlElement("w:tblHeader"))
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = Mm(widths_mm[c])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing = Pt(20)
            run(paragraph, value, "body", size, bold=r == 0)
    return cast("Table", grid)


def signature(doc: DocumentObject, issuer: str, day: dt.date, hold: int = 1) -> None:
    """署名 and date without a seal (GB/T 9704 §7.3.5.2): one blank line, 署名 右空二字, the date below it.

    The 落款 stays on the page with the body (§7.3.5): the ``hold`` paragraphs before it (the
    body's last paragraph; a notice's 审核 line too), the blank line and 署名 keep with the next."""
    hold_last(doc, hold)
    keep_with_next(doc.add_paragraph())
    for text in (issuer, cn_date(day)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = CHAR * 2
        run(paragraph, text, "body", SIZE_BODY)
        keep_with_next(paragraph, text is issuer)


# --- Layout that holds together (GB/T 9704 §7.3.5: the 落款 stays on the page with the body) ---

TEXT_WIDTH = Mm(156)
"""The 版心's width."""
TITLE_CHARS = 20
"""2号 characters on a title line (156 mm / 22 pt, less a little so the line never overflows)."""
SHORT_LINES = 4
"""A paragraph of at most this many lines is kept on one page (longer ones may break: a gap of a
whole page would look like the end of the text)."""
SHORT_ROW_LINES = 8
"""A table row of at most this many lines (its tallest cell) never splits; a longer row may, or
Word would push it whole to the next page and cut it off at the page's foot."""
CELL_MARGIN_MM = 3.8
"""Left plus right cell margin of the Table Grid style (2 × 0.19 cm)."""
PEN_LINE = Mm(10)
"""A handwriting line: 10 mm, a comfortable height for a pen (and a 签到表 row at least 9 mm)."""
_NO_BREAK_AFTER = set("（《“‘「〔［【([{")
_NO_BREAK_BEFORE = set("，。、：；！？）》”’」〕］】)]}…—·")
_GOOD_AFTER = set("，、：；）》〕")
_WORD_ENDS = ("关于", "的", "和", "及", "与")


def keep_with_next(paragraph: Paragraph, on: bool = True) -> Paragraph:
    """Keep ``paragraph`` on the same page as the next one (a heading, a title, the 落款 lines)."""
    paragraph.paragraph_format.keep_with_next = on
    return paragraph


def _width(text: str) -> float:
    """Characters as wide as a hanzi: Latin letters, digits and half-width signs count half."""
    return sum(0.5 if unicodedata.east_asian_width(c) in ("Na", "H") else 1.0 for c in text)


def keep_short_together(paragraph: Paragraph, chars_per_line: int = 28) -> None:
    """Keep the lines of a short paragraph (``SHORT_LINES``) together on one page."""
    lines = math.ceil(_width(paragraph.text) / chars_per_line) if paragraph.text else 1
    paragraph.paragraph_format.keep_together = lines <= SHORT_LINES
    paragraph.paragraph_format.widow_control = True


def row_lines(values: list[str], widths_mm: list[float], size: Pt = SIZE_TABLE) -> int:
    """About how many lines the tallest cell of a table row takes."""
    char_mm = size.pt * 25.4 / 72
    most = 1
    for value, width in zip(values, widths_mm, strict=False):
        per_line = max(int((width - CELL_MARGIN_MM) / char_mm), 1)
        lines = sum(max(math.ceil(_width(part) / per_line), 1) for part in str(value).split("\n"))
        most = max(most, lines)
    return most


def short_row(values: list[str], widths_mm: list[float], size: Pt = SIZE_TABLE) -> bool:
    """Whether a row is short enough never to split across pages (``SHORT_ROW_LINES``)."""
    return row_lines(values, widths_mm, size) <= SHORT_ROW_LINES


def row_height(row: _Row, height: Length | int = PEN_LINE) -> None:
    """At least ``height`` tall (a sign-in row for a pen): grows with its text, never clips it."""
    trpr = row._tr.get_or_add_trPr()
    for old in trpr.findall(qn("w:trHeight")):
        trpr.remove(old)
    tr_height = OxmlElement("w:trHeight")
    tr_height.set(qn("w:val"), str(Length(int(height)).twips))
    tr_height.set(qn("w:hRule"), "atLeast")
    trpr.append(tr_height)


def _break_allowed(text: str, at: int) -> bool:
    """Whether a line may start at ``text[at]``: never inside a number or a Latin word, never
    before closing or after opening punctuation."""
    before, after = text[at - 1], text[at]
    if before in _NO_BREAK_AFTER or after in _NO_BREAK_BEFORE:
        return False
    if _width(before) < 1 and _width(after) < 1:
        return False  # inside a number or a Latin word
    if before.isdigit() or (_width(before) < 1 and not after.isascii()):
        return after not in "年月日号期届次个项户人元万亿" and not after.isdigit()  # "2026年", "3户"
    return True


def _break_score(text: str, at: int) -> int:
    if text[at - 1] in _GOOD_AFTER or (text[at:].startswith("关于") and at > 1):
        return 3
    if any(text[:at].endswith(word) for word in _WORD_ENDS):
        return 2
    if text[at].isdigit() or (text[at - 1] in "年月日" and text[at - 2].isdigit()):
        return 1  # before or after a date or a number
    return 0


def title_chars(doc: DocumentObject) -> int:
    """2号 characters on a title line of the document's last section (20 on A4 portrait)."""
    section = doc.sections[-1]
    width = (section.page_width or Mm(210)) - (section.left_margin or 0) - (section.right_margin or 0)
    return int(width / SIZE_TITLE)


def title_lines(text: str, per_line: int = TITLE_CHARS) -> list[str]:
    """A long title broken into lines only between words (after punctuation, after 关于/的/和/及/与),
    the upper lines the longer ones (梯形); a title that fits stays one line."""
    lines = []
    rest = text
    while _width(rest) > per_line:
        fits = [at for at in range(1, len(rest)) if _width(rest[:at]) <= per_line and _break_allowed(rest, at)]
        if not fits:
            break
        floor = per_line * 0.4
        best = max(fits, key=lambda at: (_break_score(rest, at) if _width(rest[:at]) >= floor else -1, at))
        lines.append(rest[:best])
        rest = rest[best:]
    return [*lines, rest]


def break_title(paragraph: Paragraph, per_line: int = TITLE_CHARS) -> None:
    """Put the breaks of ``title_lines`` into a one-run title paragraph."""
    if len(paragraph.runs) != 1:
        return
    run = paragraph.runs[0]
    lines = title_lines(run.text, per_line)
    if len(lines) > 1:
        run.text = "\n".join(lines)  # python-docx writes each "\n" as a <w:br/>


def hold_last(doc: DocumentObject, count: int = 1) -> None:
    """Keep the last ``count`` blocks of the body with what comes next: a paragraph by its
    keep-with-next, a table by its last row (that row's paragraphs keep with the next)."""
    from docx.table import Table as TableObject
    from docx.text.paragraph import Paragraph as ParagraphObject

    blocks = [b for b in doc.element.body.iterchildren() if b.tag in (qn("w:p"), qn("w:tbl"))]
    for block in blocks[len(blocks) - count :] if count else []:
        if block.tag == qn("w:p"):
            keep_with_next(ParagraphObject(block, doc._body))
            continue
        last = TableObject(block, doc._body).rows[-1]
        for cell in last.cells:
            for paragraph in cell.paragraphs:
                keep_with_next(paragraph)


def hold_sign_off(doc: DocumentObject, reach: int = 6) -> int:
    """Keep a document's closing sign-off with the body above it: the signature lines at its end
    (after the last blank line within ``reach`` blocks), that blank line and the block before it
    keep with the next. Returns how many blocks were held."""
    blocks = [b for b in doc.element.body.iterchildren() if b.tag in (qn("w:p"), qn("w:tbl"))]
    tail = blocks[-reach:]
    blank = next(
        (
            i
            for i in range(len(tail) - 1, -1, -1)
            if tail[i].tag == qn("w:p") and not "".join(tail[i].itertext()).strip()
        ),
        None,
    )
    count = len(tail) - blank + 1 if blank is not None and blank > 0 else 2
    hold_last(doc, count)
    return count


def writing_lines(doc: DocumentObject, label: str, lines: int = 1, indent: bool = False) -> list[Paragraph]:
    """``label：`` and a full-width line to write on by hand, then ``lines - 1`` more full-width
    lines, each ``PEN_LINE`` high; kept together on one page. The line is a tab leader to the
    right edge of the 版心, so it is always as long as the text width, whatever the label."""
    made = []
    for i in range(max(lines, 1)):
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = PEN_LINE
        if indent and i == 0:
            fmt.first_line_indent = CHAR * 2
        fmt.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.LINES)
        set_font(paragraph.add_run(f"{xml_safe(label)}\t" if i == 0 else "\t"), "body", SIZE_BODY)
        keep_with_next(paragraph, i < lines - 1)
        made.append(paragraph)
    return made


def draft_mark(doc: DocumentObject, text: str) -> None:
    """A visible mark at the head of every page (a 草稿: not yet the record), odd and even pages."""
    section = doc.sections[0]
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_font(paragraph.add_run(xml_safe(text)), "h1", SIZE_BODY, bold=True)


def page_break(doc: DocumentObject) -> None:
    doc.add_section(WD_SECTION.NEW_PAGE)


def safe_filename(name: str, limit: int = 180) -> str:
    """A file name kept in Chinese but without / \\ : * ? " < > | or control characters, bounded in bytes."""
    clean = _BAD_NAME.sub("_", printable(name)).strip(" .") or "文档"
    if clean.split(".")[0].upper() in RESERVED:
        clean = f"_{clean}"
    while len(clean.encode("utf-8")) > limit:
        clean = clean[:-1]
    return clean


_TEXT_PARTS = ("/word/document.xml", "/word/header", "/word/footer", "/word/footnotes", "/word/endnotes")


def _text_parts(doc: DocumentObject) -> list[Any]:
    """The parts whose text is printed: the body (with its tables), headers, footers, notes."""
    return [
        part
        for part in doc.part.package.iter_parts()
        if str(part.partname).startswith(_TEXT_PARTS) and hasattr(part, "element")
    ]


def scrub(doc: DocumentObject) -> None:
    """``printable`` once more over every text node of every printed part, then over each
    paragraph's text as a whole (an ID number split over runs): what reached python-docx
    without the helpers above is caught here. A paragraph that still held an ID number keeps
    its text in its first run."""
    for part in _text_parts(doc):
        for node in part.element.iter(qn("w:t")):
            if node.text and not _DIGEST.fullmatch(node.text):
                node.text = printable(node.text)
        for para in part.element.iter(qn("w:p")):
            nodes = list(para.iter(qn("w:t")))
            whole = "".join(node.text or "" for node in nodes)
            if len(nodes) > 1 and idnumber.spans(whole):
                nodes[0].text = idnumber.mask_in_text(whole)
                for node in nodes[1:]:
                    node.text = ""


_THEME_FONTS = re.compile(rb"<a:(major|minor)Font>.*?</a:\1Font>", re.S)


def _theme(doc: DocumentObject) -> None:
    """The theme's major and minor fonts named as the house faces (title, body), and no
    per-script fallbacks (ＭＳ ゴシック, Angsana New …): WPS warns of 缺失字体 for any font the
    theme names that the machine lacks, even one no text uses."""
    for part in doc.part.package.iter_parts():
        if not str(part.partname).startswith("/word/theme/"):
            continue
        blob: bytes = part.blob

        def fonts(match: re.Match[bytes]) -> bytes:
            face = (FONTS["title"] if match[1] == b"major" else FONTS["body"])[0]
            escaped = face.encode("utf-8")
            return (
                b"<a:"
                + match[1]
                + b'Font><a:latin typeface="'
                + escaped
                + b'"/><a:ea typeface="'
                + escaped
                + b'"/><a:cs typeface=""/></a:'
                + match[1]
                + b"Font>"
            )

        part._blob = _THEME_FONTS.sub(fonts, blob)


_FONT_ENTRIES = re.compile(rb"(<w:fonts\b[^>]*>).*(</w:fonts>)", re.S)


def _font_table(doc: DocumentObject) -> None:
    """The font table lists the house faces only (the template's ＭＳ 明朝, Cambria … are not used)."""
    entries = b"".join(
        b'<w:font w:name="' + face.encode("utf-8") + b'"><w:charset w:val="86"/><w:family w:val="auto"/></w:font>'
        for face in dict.fromkeys(faces[0] for faces in FONTS.values())
    )
    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            part._blob = _FONT_ENTRIES.sub(lambda m: m[1] + entries + m[2], part.blob)


def _core_properties(doc: DocumentObject, author: str, now: dt.datetime) -> None:
    """Who made the file (the village or township, never "python-docx") and when (the export,
    not 2013); no 最后修改者, revision 1, no python-docx description."""
    props = doc.core_properties
    stamp = (now.astimezone(dt.UTC) if now.tzinfo else now).replace(tzinfo=None, microsecond=0)
    props.author = printable(author)
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = ""
    props.title = ""
    element = props._element
    for child in element.findall(qn("cp:lastModifiedBy")):
        element.remove(child)


def finish(doc: DocumentObject, author: str = "", now: dt.datetime | None = None) -> None:
    """What every file gets before it is saved: the text scrubbed, the theme fonts, the core properties."""
    scrub(doc)
    _theme(doc)
    _font_table(doc)
    _core_properties(doc, author, now or dt.datetime.now(dt.UTC))


def write(
    doc: DocumentObject, folder: Path | Place, name: str, *, author: str = "", now: dt.datetime | None = None
) -> Path:
    """Save ``doc`` as ``folder/name.docx`` (0600); an existing file gets a numbered sibling, never overwritten.

    ``folder``: a ``store.outputs.Place`` already checked against the output policy (what every
    export passes); a plain path (tests, benchmarks) is only opened safely, not checked.
    ``author``: the village or township the document is of (the file's 作者); ``now``: the
    export time (default: the system clock)."""
    from store.outputs import Place

    finish(doc, author, now)
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
