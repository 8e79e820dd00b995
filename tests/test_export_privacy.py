"""Issue 16 items 1 and 10: one privacy boundary for every document, the hostile corpus through
every kind, and WPS-clean files.

Every kind ``cunwu export`` makes is built from one village year whose every free-text field
holds a resident ID number (half-width, full-width, in groups, with a lower-case x) and a
right-to-left override: once typed through the store, once written into the data file by hand
(an old file, an edit that bypassed the store). Each file is read back with python-docx —
paragraphs, table cells, headers and footers — and ``idnumber.find_in_text`` finds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import docx
import pytest

from exports import documents, style
from procedures import idnumber
from store.site import Site
from tests.sites import NOW, at, new_site, post_notice, walk_to
from tests.test_export_supervision import as_supervisor

D = dt.date
TODAY = D(2026, 12, 10)
ID = "110101199003071234"
FORMS = (
    ID,
    "１１０１０１１９９００３０７１２３４",
    "110101 19900307 1234",
    "1101-0119-9003-0712-34",
    "１１０１０１ １９９００３０７ １２３４",
    "11010519491231002x",
    "１１０１０５１９４９１２３１００２ｘ",
)
"""One number as people type it: half- and full-width digits, in groups, with a lower-case x."""
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
RLO = "\u202e"
HOSTILE = f"{RLO}倒序{BIDI}[b]粗[/b]<w:t>&<>\"'\x01\x07\x1b😀👨‍👩‍👧\u2028行"
"""Markup, XML specials, control characters, bidi overrides, emoji (with joiners), a line separator."""
LONG = "长" * 2990 + "3000字结束标记"
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")
KINDS = ("notice", "notice-result", "archive", "minutes", "blank-minutes")


def printed(doc: Any) -> str:
    """Everything the document prints: body paragraphs, table cells (nested too), every
    section's headers and footers — and, for certainty, every text node of the body part."""
    parts = [p.text for p in doc.paragraphs]

    def cells(tables: Any) -> Iterator[str]:
        for grid in tables:
            for row in grid.rows:
                for cell in row.cells:
                    yield cell.text
                    yield from cells(cell.tables)

    parts += cells(doc.tables)
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.even_page_header,
            section.even_page_footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            parts += [p.text for p in part.paragraphs]
            parts += cells(part.tables)
    parts.append("".join(t.text or "" for t in doc.element.iter("{*}t")))
    return "\n".join(parts)


def unmasked(text: str) -> list[str]:
    """The ID numbers in ``text`` (the journal's chain-head hash set aside: it is no one's number)."""
    return idnumber.find_in_text(DIGEST.sub(" ", text))


def id_text(forms: Iterator[str]) -> str:
    return f"身份证{next(forms)}"


def village_year(site: Site, text: Callable[[], str], long: Callable[[], str] | None = None) -> dict[str, str]:
    """A 低保 case with materials, note, a notice with an entry and an objection, its minutes
    filled in, a seal use, a 三会一课 meeting, a supervisor's opinion: ``text()`` in every
    free-text field, ``long()`` in the long ones (content, note, resolution, speech, opinion)."""
    long = long or text
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", f"王某{text()}低保申请").number
    rev = site.cases.get(case).rev
    site.cases.save_progress(site.operator, NOW, case, rev, materials=["低保申请书"], note=f"材料{long()}")
    walk_to(site, case, "publicize")
    entry = {
        "name": f"王某{text()}",
        "id_number": "11010519491231002X",
        "household": "3",
        "amount": "500元/月",
        "note": text(),
    }
    notice = post_notice(
        site, case, D(2026, 11, 27), entries=[entry], title=f"关于{text()}的公示", content=long(), place=text()
    )
    site.notices.object(
        site.operator, at(D(2026, 11, 30)), str(notice["number"]), D(2026, 11, 30), text(), text(), text()
    )
    meeting = next(n for n in site.cases.get(case).records() if "HY" in n)
    fields = {
        "title": f"民主评议{text()}",
        "end": "2026-11-27 11:30",
        "place": text(),
        "host": text(),
        "recorder": text(),
        "expected": 30,
        "present": 25,
        "absent": [{"name": text(), "reason": text()}],
        "attendees": [text()],
        "items": [
            {
                "title": text(),
                "speeches": [{"name": text(), "summary": text()}],
                "vote": {"ayes": 20, "nays": 1, "abstain": 4},
                "resolution": long(),
            }
        ],
    }
    site.meetings.edit(site.operator, NOW, meeting, site.meetings.get(meeting)["rev"], fields)
    party = {"kind": "支委会", "title": f"支委会{text()}", "start": "2026-11-27 08:00", "expected": 5, "present": 5}
    site.meetings.new(site.operator, NOW, "城关村", {**party, "place": text(), "host": text()})
    seal = {"seal": "村委会", "document": text(), "purpose": text(), "approver": text(), "keeper": text()}
    site.seals.new(
        site.operator, NOW, "城关村", {**seal, "date": "2026-11-27", "irregular": text(), "unapproved": True}
    )
    supervisor = as_supervisor(site)
    supervisor.opinions.add(supervisor.operator, at(TODAY), case, long())
    return {"case": case, "notice": str(notice["number"]), "meeting": meeting}


def export_all(site: Site, numbers: dict[str, str], folder: Path) -> dict[str, Path]:
    """One file of each kind ``cunwu export`` makes, as it makes them."""
    of = {"notice": "notice", "notice-result": "notice", "archive": "case", "minutes": "meeting"}
    files = {
        kind: documents.export_record(site, numbers[of.get(kind, "meeting")], kind, TODAY, folder) for kind in KINDS
    }
    year = (D(2026, 1, 1), D(2026, 12, 31))
    files["register"] = documents.export_register(site, "城关村", None, *year, TODAY, folder)
    files["ledger"] = documents.export_ledger(site, "dibao", 2026, "城关村", TODAY, folder)
    files["meetings"] = documents.export_meetings(site, "城关村", 2026, TODAY, folder)
    files["supervision"] = documents.export_supervision(site, "城关村", *year, TODAY, folder)
    return files


STRUCTURAL = {
    "number", "village", "year", "seq", "matter_id", "opened_on", "status", "current", "current_since",
    "step_id", "started", "finished", "records", "materials", "checklist", "at", "kind", "start", "end",
    "state", "case", "step", "posted_on", "entered_on", "min_unit", "earliest_end", "received", "closed_on",
    "seal", "date", "id_number", "by", "by_role", "rule", "notice", "meeting", "target", "finding", "result",
    "outcome", "amount", "household", "created_at", "updated_at", "created_by", "updated_by", "created_by_role",
    "updated_by_role", "opened_by", "opened_by_role", "arithmetic", "rolled_from", "verified_on", "decided_on",
    "decided_by", "decided_by_role",
}  # fmt: skip
"""What a record holds as identifiers, dates and fixed words rather than typed text."""


def poison(value: Any, forms: Iterator[str], key: str = "") -> Any:
    """Every typed-text string in a stored record with a raw ID number and bidi characters added,
    as a hand edit of the data file would (the store would have refused or cleaned them)."""
    if isinstance(value, dict):
        return {k: v if k in STRUCTURAL or k.startswith("_") else poison(v, forms, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, forms, key) for v in value]
    if isinstance(value, str):
        return f"{value}{RLO}{next(forms)}\u2066{BIDI}\x07"
    return value


def assert_clean(files: dict[str, Path]) -> None:
    assert set(files) == {*KINDS, "register", "ledger", "meetings", "supervision"}
    for kind, path in files.items():
        text = printed(docx.Document(str(path)))
        assert unmasked(text) == [], kind
        assert not set(BIDI) & set(text), kind
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text), kind


def test_ids_typed_into_every_field_print_masked_in_every_kind(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    forms = cycle(FORMS)
    numbers = village_year(site, lambda: id_text(forms))
    files = export_all(site, numbers, tmp_path / "out")
    assert_clean(files)
    notice = printed(docx.Document(str(files["notice"])))
    assert re.search(r"（张贴地点：身份证[0-9]{6}\*{8}[0-9]{3}[0-9X]）", notice)
    objections = printed(docx.Document(str(files["notice-result"])))
    assert "异议人：身份证" in objections and "处理情况：身份证" in objections


def test_ids_and_bidi_written_into_the_data_file_by_hand_print_masked(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    numbers = village_year(site, lambda: "某某")
    forms = cycle(FORMS)
    poisoned = 0
    for path in (tmp_path / "data" / "cases").rglob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps(poison(data, forms), ensure_ascii=False), "utf-8")
        poisoned += 1
    assert poisoned
    site = Site(tmp_path / "data", environ={})
    assert idnumber.find_in_text(json.dumps(site.cases.get(numbers["case"]).record, ensure_ascii=False))
    assert_clean(export_all(site, numbers, tmp_path / "out"))


@pytest.mark.parametrize("form", FORMS)
def test_printable_masks_every_form_as_the_notices_do(form: str) -> None:
    masked = style.printable(f"备注：{RLO}{form}\u2069。\n第二行\t完")
    (number,) = idnumber.find_in_text(form)
    assert masked == f"备注：{idnumber.mask(number)}。\n第二行\t完"
    assert idnumber.mask(number) in ("110101********1234", "110105********002X")


def test_text_that_bypassed_the_helpers_is_masked_when_written(tmp_path: Path) -> None:
    doc = style.new_document()
    doc.add_paragraph(f"直接写入{RLO}{ID}")
    split = doc.add_paragraph()
    split.add_run("身份证1101011990")
    split.add_run("03071234号")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = FORMS[1]
    doc.sections[0].header.paragraphs[0].text = FORMS[2]
    back = docx.Document(str(style.write(doc, tmp_path, "绕过")))
    text = printed(back)
    assert unmasked(text) == [] and RLO not in text
    assert back.paragraphs[-1].text == "身份证110101********1234号"


def test_the_hostile_corpus_goes_through_every_kind(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    numbers = village_year(site, lambda: HOSTILE, lambda: HOSTILE + LONG)
    files = export_all(site, numbers, tmp_path / "out")
    shown = {kind: printed(docx.Document(str(path))) for kind, path in files.items()}
    for kind, text in shown.items():
        assert not set(BIDI) & set(text), kind
    for kind in ("notice", "notice-result", "archive", "minutes", "register", "supervision"):
        assert "倒序[b]粗[/b]<w:t>&<>\"'😀" in shown[kind], kind
    for kind in ("notice", "archive", "minutes", "supervision"):
        assert "长" * 2990 + "3000字结束标记" in shown[kind], kind
    if shutil.which("soffice") is None:
        return
    out = tmp_path / "pdf"
    for path in files.values():
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    assert len(list(out.glob("*.pdf"))) == len(files)


def test_files_are_wps_clean(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    numbers = village_year(site, lambda: "某某")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    files = export_all(site, numbers, tmp_path / "out")
    house = {faces[0] for faces in style.FONTS.values()}
    for kind, path in files.items():
        with zipfile.ZipFile(path) as package:
            theme = package.read("word/theme/theme1.xml").decode("utf-8")
            faces = set(re.findall(r'<a:(?:latin|ea|font)\b[^>]*typeface="([^"]*)"', theme))
            assert faces == {style.FONTS["title"][0], style.FONTS["body"][0]}, kind
            table = set(re.findall(r'w:font w:name="([^"]*)"', package.read("word/fontTable.xml").decode("utf-8")))
            assert table == house, kind
            core = package.read("docProps/core.xml").decode("utf-8")
            assert "python-docx" not in core and "lastModifiedBy" not in core, kind
            body = package.read("word/document.xml").decode("utf-8")
            assert "TOC" not in body and "w:fldSimple" not in body, kind
        props = docx.Document(str(path)).core_properties
        assert props.author == ("沁河镇" if kind == "ledger-all" else "城关村"), kind
        assert props.revision == 1 and props.last_modified_by == "", kind
        assert props.created is not None and props.created >= before and props.modified == props.created, kind
    every = documents.export_ledger(site, "dibao", 2026, None, TODAY, tmp_path / "out")
    assert docx.Document(str(every)).core_properties.author == "沁河镇"
