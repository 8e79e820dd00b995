"""Which document to build for what, and where it is written.

Files go to ``<data>/exports/<OS account>/`` unless a folder is given, named
``YYYYMMDD_文书_编号.docx`` — never a person's name or ID number (file names end up in
shell history, listings and backups) — written 0600 and never over an existing file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import BadInput, NotFound

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

    from store.site import Site

RECORD_KINDS = {
    "archive": "归档卷宗",
    "notice": "公示",
    "notice-result": "公示结果",
    "minutes": "会议记录",
    "blank-minutes": "会议记录空白稿",
}


def default_folder(site: Site) -> Path:
    return site.root / "exports" / site.operator.account


def _notice_number(site: Site, number: str) -> str:
    """A notice number, or the notice of a case (its current one, else the last linked)."""
    if "GS" in number.upper().rsplit("-", 1)[-1]:
        return number
    case = site.cases.get(number)
    notices = [n for n in case.records() if "GS" in n.rsplit("-", 1)[-1]]
    if not notices:
        raise NotFound(f"办件 {case.number} 还没有登记公示")
    return notices[-1]


def build_record(site: Site, number: str, kind: str, today: dt.date) -> tuple[DocumentObject, str]:
    """The document of ``kind`` for a case, notice or meeting number, and the number it is of."""
    if kind == "archive":
        from exports.archive import archive_document

        case = site.cases.get(number)
        return archive_document(site, case.number, today), case.number
    if kind in ("notice", "notice-result"):
        from exports.notice import notice_document, notice_result_document

        notice = site.notices.get(_notice_number(site, number))["number"]
        maker = notice_document if kind == "notice" else notice_result_document
        return maker(site, notice), notice
    if kind in ("minutes", "blank-minutes"):
        from exports.minutes import blank_minutes_document, minutes_document

        meeting = site.meetings.get(number)["number"]
        maker = minutes_document if kind == "minutes" else blank_minutes_document
        return maker(site, meeting), meeting
    raise BadInput(f"文书种类“{kind}”无效，应为：{'、'.join(RECORD_KINDS)}")


def export_record(site: Site, number: str, kind: str, today: dt.date, folder: Path | None = None) -> Path:
    """Build and write one record's document; returns the path written."""
    from exports.style import write

    doc, of = build_record(site, number, kind, today)
    return write(doc, folder or default_folder(site), f"{today:%Y%m%d}_{RECORD_KINDS[kind]}_{of}")


def export_register(
    site: Site,
    village: str | None,
    seal: str | None,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    folder: Path | None = None,
) -> Path:
    """The seal register of a period."""
    from exports.registers import seal_register_document
    from exports.style import write

    if end < start:
        raise BadInput("截止日期早于起始日期")
    doc = seal_register_document(site, village, seal, start, end)
    name = f"{today:%Y%m%d}_用印登记簿_{village or '全部村'}_{seal or '全部印章'}_{start:%Y%m%d}-{end:%Y%m%d}"
    return write(doc, folder or default_folder(site), name)


def export_ledger(
    site: Site, matter_id: str, year: int, village: str | None, today: dt.date, folder: Path | None = None
) -> Path:
    """The 台账 of one matter's cases in a year."""
    from exports.registers import ledger_document
    from exports.style import write

    try:
        site.catalog.get(matter_id)
    except KeyError:
        raise NotFound(f"没有编号为“{matter_id}”的事项；用 cunwu matters 查看全部编号") from None
    doc = ledger_document(site, matter_id, year, village)
    return write(doc, folder or default_folder(site), f"{today:%Y%m%d}_台账_{matter_id}_{year}_{village or '全部村'}")


def export_meetings(site: Site, village: str, year: int, today: dt.date, folder: Path | None = None) -> Path:
    """The 三会一课 register of a village's year."""
    from exports.registers import meetings_register_document
    from exports.style import write

    doc = meetings_register_document(site, village, year, today)
    return write(doc, folder or default_folder(site), f"{today:%Y%m%d}_三会一课登记_{village}_{year}")


def export_supervision(
    site: Site, village: str, start: dt.date, end: dt.date, today: dt.date, folder: Path | None = None
) -> Path:
    """The 村务监督检查报告 of a village's period: risk findings, opinions, the journal check."""
    from exports.style import write
    from exports.supervision import supervision_report_document

    if end < start:
        raise BadInput("截止日期早于起始日期")
    name = site.cases.village(village)
    doc = supervision_report_document(site, name, start, end, today)
    return write(doc, folder or default_folder(site), f"{today:%Y%m%d}_监督检查报告_{name}_{start:%Y%m%d}-{end:%Y%m%d}")


def exported(site: Site) -> list[Path]:
    """The documents in the operator's own export folder, newest first."""
    folder = default_folder(site)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix == ".docx"]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def exported_file(site: Site, name: str) -> Path:
    """One document of the operator's own export folder, by its file name (no folders:
    under the shared-server setup this is how a clerk takes a document out through sudo)."""
    clean = name.strip()
    if not clean or "/" in clean or "\\" in clean or clean.startswith("."):
        raise BadInput(f"“{name}”不是导出文件名；用 cunwu export files 查看本人的导出文件")
    path = default_folder(site) / clean
    if not path.is_file() or path.is_symlink():
        raise NotFound(f"本人的导出目录中没有“{clean}”；用 cunwu export files 查看")
    return path
