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
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from procedures import idnumber

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
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
"""Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks
(U+200E/U+200F, U+061C), zero-width spaces and joiners, soft hyphen, BOM: invisible on paper,
and the bidi ones reorder the printed text around them."""
_DIGEST = re.compile(r"[0-9a-f]{64}")
"""A SHA-256 in hex (the journal's chain head): printed verbatim, see ``digest``."""
_BAD_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def printable(text: object) -> str:
    """The one way text goes onto paper: NFC; line and paragraph separators as newlines; bidi and
    other invisible format characters, control characters (tab and newline kept), lone
    surrogates and non-characters removed; then every resident ID number masked
    (``110101********1234``, as the notices' ID column prints it)."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    value = _UNSAFE.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", value)))
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
    doc.add_paragraph()
    return paragraph


def heading(doc: DocumentObject, text: str, level: int = 1) -> Paragraph:
    """一、 in 黑体 (level 1), （一） in 楷体 (level 2), 3号, indented two characters."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = CHAR * 2
    run(paragraph, text, "h1" if level == 1 else "h2", SIZE_BODY)
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
            run(paragraph, value, "body", size, bold=r == 0)
    return cast("Table", grid)


def signature(doc: DocumentObject, issuer: str, day: dt.date) -> None:
    """署名 and date without a seal (GB/T 9704 §7.3.5.2): one blank line, 署名 右空二字, the date below it."""
    doc.add_paragraph()
    for text in (issuer, cn_date(day)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = CHAR * 2
        run(paragraph, text, "body", SIZE_BODY)


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
