"""Which document to build for what, and where it is written.

Files go to ``<data>/exports/<OS account>/`` unless a folder is given, named
``YYYYMMDD_文书_编号.docx`` — never a person's name or ID number (file names end up in
shell history, listings and backups) — written 0600 and never over an existing file. A
folder given (``--out``) is checked by ``store.outputs`` before the document is built: never
inside the data directory, its ``matters/`` or the anchor's folder, and in shared mode only
the person's own export folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from store import outputs
from store.errors import BadInput, NotFound, Refused

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


EXPORTED_SUFFIXES = (".docx", ".tar.gz")
"""What a person finds in their export folder: documents, and backups made there in shared mode."""


def default_folder(site: Site) -> Path:
    return outputs.own_folder(site)


def _place(site: Site, folder: Path | None) -> outputs.Place:
    """Where the document goes, checked before it is built (``store.outputs``)."""
    return outputs.place(site, folder, outputs.EXPORT)


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

    if kind not in RECORD_KINDS:
        raise BadInput(f"文书种类“{kind}”无效，应为：{'、'.join(RECORD_KINDS)}")
    place = _place(site, folder)
    doc, of = build_record(site, number, kind, today)
    return write(doc, place, f"{today:%Y%m%d}_{RECORD_KINDS[kind]}_{of}")


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
    place = _place(site, folder)
    doc = seal_register_document(site, village, seal, start, end)
    name = f"{today:%Y%m%d}_用印登记簿_{village or '全部村'}_{seal or '全部印章'}_{start:%Y%m%d}-{end:%Y%m%d}"
    return write(doc, place, name)


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
    place = _place(site, folder)
    doc = ledger_document(site, matter_id, year, village)
    return write(doc, place, f"{today:%Y%m%d}_台账_{matter_id}_{year}_{village or '全部村'}")


def export_meetings(site: Site, village: str, year: int, today: dt.date, folder: Path | None = None) -> Path:
    """The 三会一课 register of a village's year."""
    from exports.registers import meetings_register_document
    from exports.style import write

    place = _place(site, folder)
    doc = meetings_register_document(site, village, year, today)
    return write(doc, place, f"{today:%Y%m%d}_三会一课登记_{village}_{year}")


def export_supervision(
    site: Site, village: str, start: dt.date, end: dt.date, today: dt.date, folder: Path | None = None
) -> Path:
    """The 村务监督检查报告 of a village's period: risk findings, opinions, the journal check."""
    from exports.style import write
    from exports.supervision import supervision_report_document

    if end < start:
        raise BadInput("截止日期早于起始日期")
    name = site.cases.village(village)
    place = _place(site, folder)
    doc = supervision_report_document(site, name, start, end, today)
    return write(doc, place, f"{today:%Y%m%d}_监督检查报告_{name}_{start:%Y%m%d}-{end:%Y%m%d}")


def exported(site: Site) -> list[Path]:
    """The documents (and backups) in the operator's own export folder, newest first."""
    folder = default_folder(site)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.name.endswith(EXPORTED_SUFFIXES) and p.is_file() and not p.is_symlink()]
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


def exported_bytes(site: Site, name: str) -> bytes:
    """The content of one file of the operator's own export folder (never through a symlink)."""
    path = exported_file(site, name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise NotFound(
            f"本人的导出目录中的“{path.name}”无法读取（{exc.strerror}）；用 cunwu export files 查看"
        ) from None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def save_exported(site: Site, name: str, to: Path) -> Path:
    """Copy one file of the operator's own export folder to ``to`` (0600, never over an
    existing file; ``store.outputs`` decides where). Not in shared mode: there the Python side
    runs as the service account, and the ``cunwu`` wrapper creates the file as the person."""
    if site.operator.via_sudo:
        raise Refused(
            f"在共享服务器上，--to 的文件由 cunwu 命令（/usr/local/bin/cunwu）以你本人的身份创建；"
            f"这里以服务账号运行，不能替你写到 {to}，未写入任何文件。请直接运行 cunwu export get {name} --to 文件，"
            f"或 cunwu export get {name} > 文件"
        )
    data = exported_bytes(site, name)
    place, file = outputs.file_place(site, to, outputs.EXPORT)
    try:
        with place.create(file) as fh:
            fh.write(data)
    except FileExistsError:
        raise BadInput(f"{place.file(file)} 已存在，不会覆盖已有文件；请换一个文件名") from None
    return place.file(file)
