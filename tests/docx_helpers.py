"""Shared by the export tests: the hostile corpus, writing and reading back, the house-style checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

from exports import style

ID = "11010519491231002X"
MASKED = "110105********002X"
WHOLE_ID = re.compile(r"\d{17}[\dX]")
HOSTILE = "坏\x00字\x07符\x0b号\x1b[31m\ufffe<&>\"' [bold]😀"
CLEAN = "坏字符号<&>\"' [bold]😀"  # the escape sequence removed whole, not just its ESC
LONG_TEXT = "长" * 9_990 + "结束标记"


def saved(doc: Any, tmp_path: Path, name: str) -> Any:
    """Write with the house writer (0600) and read the file back."""
    path = style.write(doc, tmp_path / "out", name)
    assert path.stat().st_mode & 0o777 == 0o600
    return docx.Document(str(path))


def text_of(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for grid in doc.tables:
        parts += [cell.text for row in grid.rows for cell in row.cells]
    return "\n".join(parts)


def assert_house_style(doc: Any) -> None:
    """A4 and GB/T 9704 margins on every section, East Asian faces on the runs, PAGE in both footers."""
    for section in doc.sections:
        page = (round(section.page_width.mm), round(section.page_height.mm))
        margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        # A landscape section (用印登记簿, 归档文件目录) is A4 turned with the margins turned with it.
        expected = {(210, 297): [37, 35, 28, 26], (297, 210): [28, 26, 37, 35]}
        assert page in expected and [round(m.mm) for m in margins] == expected[page]
    section = doc.sections[0]
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for g in doc.tables for row in g.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    faces = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs if r.text.strip()}
    assert "仿宋_GB2312" in faces and faces <= {face for faces in style.FONTS.values() for face in faces}
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
