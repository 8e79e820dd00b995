"""Which document to build for what, and where it is written.

Files go to ``<data>/exports/<OS account>/`` unless a folder is given, named
``YYYYMMDD_文书_编号.docx`` — never a person's name or ID number (file names end up in
shell history, listings and backups) — written 0600 and never over an existing file. A
folder given (``--out``) is checked by ``store.outputs`` before the document is built: never
inside the data directory, its ``matters/`` or the anchor's folder, and in shared mode only
the person's own export folder.

Taking a file out again (``cunwu export files|get``) follows what the account may see now,
not what it could see when the file was made (an account moved to another village, or from
乡镇 to 村干部, keeps its export folder): the name says whose records a file holds
(``scope_of``). A backup (``.tar.gz``) holds every village: 管理员 and 乡镇 only. A document
named for a village (``…_归档卷宗_南石村-2026-0001.docx``, ``…_台账_45城乡低保申请审核和确认_2026_南石村.docx`` …):
only an account that sees that village. A document of every village (``全部村``), or a name
that cannot be read for certain: 管理员 and 乡镇 only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from procedures.loader import ID_PATTERN
from procedures.recurring import short_name
from store import outputs, roles
from store.errors import BadExportName, BadInput, NoSuchMatter, NotAnExport, NotFound, Refused, WrapperOnly
from store.seals import SEALS

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

    from store.identity import Operator
    from store.site import Site

RECORD_KINDS = {
    "archive": "归档卷宗",
    "notice": "公示",
    "notice-result": "公示结果",
    "minutes": "会议记录",
    "blank-minutes": "会议记录空白稿",
}


BACKUP_SUFFIXES = (".tar.gz", ".tgz")
SHEET_SUFFIXES = (".xlsx", ".csv")
EXPORTED_SUFFIXES = (".docx", *SHEET_SUFFIXES, *BACKUP_SUFFIXES)
"""What a person finds in their export folder: documents, spreadsheets (the roster), and backups
made there in shared mode."""
ROSTER, ROSTER_IMPORT, ROSTER_TEMPLATE = "名册", "名册导入", "名册导入模板"
"""How the roster's files are named: ``20261206_名册_城关村.xlsx`` (an export),
``20261206_名册导入_城关村-有误.xlsx`` (an import's rejected rows), ``20261206_名册导入模板.xlsx``
(the blank template: no one's data)."""
_BLANK = re.compile(rf"[0-9]{{8}}_{ROSTER_TEMPLATE}(?:（[0-9]+）)?")
ALL_VILLAGES, ALL_SEALS = "全部村", "全部印章"
"""How a register or ledger of every village (every seal) is named."""
SEAL_REGISTER, LEDGER, MEETINGS, SUPERVISION = "用印登记簿", "台账", "三会一课登记", "监督检查报告"
RECTIFICATIONS = "整改台账"
SUMMARY = "乡镇汇总"
"""``20261206_乡镇汇总_全部村_20261101-20261130.docx`` (a village's name when it covers one village)."""
"""``20261206_整改台账_城关村.xlsx`` (``全部村`` for every village the operator sees)."""
BACKUP, VILLAGE, TOWNSHIP, BLANK, UNKNOWN = "backup", "village", "township", "blank", "unknown"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose records an exported file holds, as its name says."""

    kind: str
    """BACKUP (every village), VILLAGE (one), TOWNSHIP (every village's, ``全部村``), BLANK (a
    template holding nobody's data), UNKNOWN."""
    village: str = ""


_STEM = re.compile(r"(?P<day>[0-9]{8})_(?P<label>[^_]+)_(?P<rest>.+)")
_COPY = re.compile(r"(?P<stem>.+)（[0-9]+）")
_RECORD = re.compile(r"(?P<village>[^-]+)-[0-9]{4}-[A-Z]*[0-9]+")
_SEAL_REGISTER = re.compile(
    rf"(?P<village>.+)_(?:{'|'.join(map(re.escape, (*SEALS, ALL_SEALS)))})_[0-9]{{8}}-[0-9]{{8}}"
)
_MEETINGS = re.compile(r"(?P<village>.+)_[0-9]{4}")
_SUPERVISION = re.compile(r"(?P<village>.+)_[0-9]{8}-[0-9]{8}")
_LEDGER_YEAR = re.compile(r"(?=_[0-9]{4}_)")
_MATTER_LABEL = re.compile(r"[0-9]{2}[^_]+")
"""A matter in a 台账's name: its order and short name (45城乡低保申请审核和确认). Files exported
before carry the matter's ASCII id instead (dibao), which is read too."""


def scope_of(name: str, villages: Collection[str] | None = None) -> Scope:
    """Whose records the exported file ``name`` holds, read from the names this module gives
    (see ``export_record`` …), among ``villages`` (the settings' village list) when given. A
    name that could be read two ways (a second copy's ``（2）``, a matter id or a village name
    with ``_`` in it) is UNKNOWN unless only one reading names one of ``villages``."""
    if name.endswith(BACKUP_SUFFIXES):
        return Scope(BACKUP)
    suffix = next((x for x in (".docx", *SHEET_SUFFIXES) if name.endswith(x)), None)
    if suffix is None:
        return Scope(UNKNOWN)
    stem = name.removesuffix(suffix)
    if suffix == ".xlsx" and _BLANK.fullmatch(stem):
        return Scope(BLANK)
    copy = _COPY.fullmatch(stem)
    found = _villages(stem) | (_villages(copy["stem"]) if copy else set())
    if villages is not None:
        found = {v for v in found if v == ALL_VILLAGES or v in villages}
    if len(found) != 1:
        return Scope(UNKNOWN)
    (village,) = found
    return Scope(TOWNSHIP) if village == ALL_VILLAGES else Scope(VILLAGE, village)


def _villages(stem: str) -> set[str]:
    """Every village ``stem`` (a file name without ``.docx``) can be read as naming."""
    match = _STEM.fullmatch(stem)
    if match is None:
        return set()
    label, rest = match["label"], match["rest"]
    if label == LEDGER:  # 台账_<matter id>_<year>_<village>: a matter id may hold "_"
        found = set()
        for at in _LEDGER_YEAR.finditer(rest):
            matter, village = rest[: at.start()], rest[at.start() + 6 :]
            if (ID_PATTERN.fullmatch(matter) or _MATTER_LABEL.fullmatch(matter)) and village:
                found.add(village)
        return found
    if label in (ROSTER, RECTIFICATIONS):
        return {rest}
    if label == ROSTER_IMPORT:
        return {rest.removesuffix("-有误")} if rest.endswith("-有误") and rest != "-有误" else set()
    pattern = {
        SEAL_REGISTER: _SEAL_REGISTER,
        MEETINGS: _MEETINGS,
        SUPERVISION: _SUPERVISION,
        SUMMARY: _SUPERVISION,
    }.get(label)
    if pattern is None and label in RECORD_KINDS.values():
        pattern = _RECORD
    found_one = pattern.fullmatch(rest) if pattern is not None else None
    return {found_one["village"]} if found_one else set()


def withheld_reason(operator: Operator, name: str, villages: Collection[str] | None = None) -> str | None:
    """None when ``operator`` may take the file ``name`` out of their export folder now; else
    why not and what to do, in Chinese (``villages``: the settings' village list, see ``scope_of``)."""
    if not roles.known(operator):
        return roles.unknown_message(operator)
    if not name.endswith(EXPORTED_SUFFIXES):
        return f"“{outputs.shown(name)}”不是 cunwu 导出的文书（.docx）、表格（.xlsx、.csv）或备份（.tar.gz），不能取出"
    if roles.sees_every_village(operator):
        return None
    scope = scope_of(name, villages)
    if scope.kind == BLANK:
        return None
    if scope.kind == VILLAGE and roles.sees(operator, scope.village):
        return None
    now = f"{operator.label} 现在是{roles.scope_text(operator)}的{operator.role}"
    shown = outputs.shown(name)
    if scope.kind == BACKUP:
        return (
            f"“{shown}”是整个数据目录的备份，含有各村的记录，只有管理员和乡镇账号可以取出；{now}。"
            "未写入任何文件。如确需这份备份，请联系管理员"
        )
    if scope.kind == VILLAGE:
        return (
            f"“{shown}”是{scope.village}的文书；{now}，不能取出其他村的文书。未写入任何文件。"
            "如需调整所在村，请联系管理员"
        )
    own = operator.villages[0] if operator.villages else "村名"
    what = "含有全部村的记录（导出时没有写 --village）" if scope.kind == TOWNSHIP else "的文件名看不出是哪个村的文书"
    return (
        f"“{shown}”{what}，只有管理员和乡镇账号可以取出；{now}。未写入任何文件。"
        f"请按村重新导出本村的文书（如 --village {own}），再取出"
    )


def default_folder(site: Site) -> Path:
    return outputs.own_folder(site)


def _place(site: Site, folder: Path | None) -> outputs.Place:
    """Where the document goes, checked before it is built (``store.outputs``)."""
    return outputs.place(site, folder, outputs.EXPORT)


def _author(site: Site, village: str | None) -> str:
    """Who the file says made it (its 作者): the village, else the township."""
    return village or site.settings.township


def _notice_number(site: Site, number: str) -> str:
    """A notice number, or the notice of a case (its current one, else the last linked)."""
    if "GS" in number.upper().rsplit("-", 1)[-1]:
        return number
    case = site.cases.get(number)
    notices = [n for n in case.records() if "GS" in n.rsplit("-", 1)[-1]]
    if not notices:
        raise NotFound(f"办件 {case.number} 还没有登记公示")
    return notices[-1]


def build_record(
    site: Site, number: str, kind: str, today: dt.date, rows: int | None = None
) -> tuple[DocumentObject, str]:
    """The document of ``kind`` for a case, notice or meeting number, and the number it is of
    (``rows``: rows of a meeting's 签到表, else its 应到)."""
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
        return maker(site, meeting, rows), meeting
    raise BadInput(f"文书种类“{kind}”无效，应为：{'、'.join(RECORD_KINDS)}")


def export_record(
    site: Site, number: str, kind: str, today: dt.date, folder: Path | None = None, rows: int | None = None
) -> Path:
    """Build and write one record's document; returns the path written."""
    from exports.style import write

    if kind not in RECORD_KINDS:
        raise BadInput(f"文书种类“{kind}”无效，应为：{'、'.join(RECORD_KINDS)}")
    place = _place(site, folder)
    if rows is not None and kind not in ("minutes", "blank-minutes"):
        raise BadInput("--rows（签到表行数）只用于会议记录（minutes、blank-minutes）")
    doc, of = build_record(site, number, kind, today, rows)
    found = _RECORD.fullmatch(of)
    return write(
        doc, place, f"{today:%Y%m%d}_{RECORD_KINDS[kind]}_{of}", author=_author(site, found and found["village"])
    )


def export_register(
    site: Site,
    village: str | None,
    seal: str | None,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    folder: Path | None = None,
    *,
    xlsx: bool = False,
    exported: dt.datetime | None = None,
) -> Path:
    """The seal register of a period (``xlsx``: the spreadsheet, ``exported`` the time its 说明 gives)."""

    if end < start:
        raise BadInput("截止日期早于起始日期")
    if seal and seal not in SEALS:  # the file name says whose register it is (``scope_of``)
        raise BadInput(f"印章“{seal}”无效，应为：{'、'.join(SEALS)}（不写为全部印章）")
    place = _place(site, folder)
    name = f"{today:%Y%m%d}_用印登记簿_{village or '全部村'}_{seal or '全部印章'}_{start:%Y%m%d}-{end:%Y%m%d}"
    if xlsx:
        from exports import registers_xlsx

        data = registers_xlsx.seal_register(site, village, seal, start, end, _when(today, exported))
        return _write_sheet(place, name, data)
    from exports.registers import seal_register_document
    from exports.style import write

    doc = seal_register_document(site, village, seal, start, end)
    return write(doc, place, name, author=_author(site, village))


def export_ledger(
    site: Site,
    matter_id: str,
    year: int,
    village: str | None,
    today: dt.date,
    folder: Path | None = None,
    *,
    xlsx: bool = False,
    exported: dt.datetime | None = None,
) -> Path:
    """The 台账 of one matter's cases in a year (``xlsx``: the spreadsheet)."""

    try:
        matter = site.catalog.get(matter_id)
    except KeyError:
        raise NoSuchMatter(matter_id) from None
    place = _place(site, folder)
    # The matter by its order and words, never by the ASCII id a cadre does not know.
    label = re.sub(r'[<>:"/\\|?*_\s]', "", f"{matter.order:02d}{short_name(matter)}")
    name = f"{today:%Y%m%d}_台账_{label}_{year}_{village or '全部村'}"
    if xlsx:
        from exports import registers_xlsx

        return _write_sheet(place, name, registers_xlsx.ledger(site, matter.id, year, village, _when(today, exported)))
    from exports.registers import ledger_document
    from exports.style import write

    doc = ledger_document(site, matter_id, year, village)
    return write(doc, place, name, author=_author(site, village))


def export_meetings(
    site: Site,
    village: str,
    year: int,
    today: dt.date,
    folder: Path | None = None,
    *,
    xlsx: bool = False,
    exported: dt.datetime | None = None,
) -> Path:
    """The 三会一课 register of a village's year (``xlsx``: the spreadsheet)."""
    place = _place(site, folder)
    name = f"{today:%Y%m%d}_三会一课登记_{village}_{year}"
    if xlsx:
        from exports import registers_xlsx

        return _write_sheet(place, name, registers_xlsx.meetings(site, village, year, today, _when(today, exported)))
    from exports.registers import meetings_register_document
    from exports.style import write

    doc = meetings_register_document(site, village, year, today)
    return write(doc, place, name, author=_author(site, village))


def export_supervision(
    site: Site,
    village: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    folder: Path | None = None,
    *,
    xlsx: bool = False,
    exported: dt.datetime | None = None,
) -> Path:
    """The 村务监督检查报告 of a village's period: risk findings, opinions, the journal check
    (``xlsx``: its 风险提示 as a spreadsheet)."""
    if end < start:
        raise BadInput("截止日期早于起始日期")
    name = site.cases.village(village)
    place = _place(site, folder)
    file = f"{today:%Y%m%d}_监督检查报告_{name}_{start:%Y%m%d}-{end:%Y%m%d}"
    if xlsx:
        from exports import registers_xlsx

        data = registers_xlsx.supervision(site, name, start, end, today, _when(today, exported))
        return _write_sheet(place, file, data)
    from exports.style import write
    from exports.supervision import supervision_report_document

    doc = supervision_report_document(site, name, start, end, today)
    return write(doc, place, file, author=_author(site, name))


def export_rectifications(
    site: Site, village: str | None, today: dt.date, folder: Path | None = None, *, exported: dt.datetime | None = None
) -> Path:
    """The 整改台账 (.xlsx) of one village, or of every village the operator sees; overdue as of
    ``today``. An account that sees one village alone (a 村干部) gets it named by that village
    (file and 说明), so that it may take it out like any file of its own village."""
    from exports import registers_xlsx

    name = _named_for(site, village)
    place = _place(site, folder)
    data = registers_xlsx.rectifications(site, name, today, _when(today, exported))
    return _write_sheet(place, f"{today:%Y%m%d}_{RECTIFICATIONS}_{name or ALL_VILLAGES}", data)


def export_summary(
    site: Site,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    folder: Path | None = None,
    *,
    village: str | None = None,
    xlsx: bool = False,
    exported: dt.datetime | None = None,
) -> Path:
    """The 乡镇汇总 of ``start``..``end`` and the period before (``store.summary``), of ``village``
    or every village the operator sees: Word (landscape) or ``xlsx``."""
    from store.summary import summarise

    one = _named_for(site, village)
    found = summarise(site, start, end, today, village)
    place = _place(site, folder)
    file = f"{today:%Y%m%d}_{SUMMARY}_{one or ALL_VILLAGES}_{start:%Y%m%d}-{end:%Y%m%d}"
    if xlsx:
        from exports import summary

        return _write_sheet(place, file, summary.workbook(found, site, _when(today, exported), one))
    from exports.style import write
    from exports.summary import summary_document

    return write(summary_document(found, site), place, file, author=_author(site, one))


def _named_for(site: Site, village: str | None) -> str | None:
    """The village a file of ``village`` (None: every village the operator sees) is named and
    scoped by: that village, or the only one the operator sees (a 村干部's file stays theirs to
    take out); None for several (``全部村``)."""
    if village:
        return site.cases.village(village)
    seen = site.villages
    return seen[0] if len(seen) == 1 else None


def _when(today: dt.date, exported: dt.datetime | None) -> dt.datetime:
    """When a spreadsheet says it was exported: ``exported``, else the start of ``today``."""
    return exported or dt.datetime.combine(today, dt.time())


def _write_sheet(place: outputs.Place, stem: str, data: bytes) -> Path:
    """Write a spreadsheet as ``stem.xlsx`` (0600, never over an existing file)."""
    from exports import sheets

    return Path(sheets.save(place, stem, ".xlsx", data))


def _own_files(site: Site) -> list[Path]:
    """The exported documents and backups in the operator's own export folder (regular files
    only), whoever may take them."""
    if not roles.known(site.operator):
        raise roles.not_listed(site.operator)
    folder = default_folder(site)
    try:
        if not folder.is_dir():
            return []
        return [p for p in folder.iterdir() if p.name.endswith(EXPORTED_SUFFIXES) and _regular(p.lstat())]
    except OSError as exc:
        raise outputs.path_error(folder, exc, "本人的导出目录", "请管理员检查它的权限") from None


def _regular(info: os.stat_result) -> bool:
    return stat.S_ISREG(info.st_mode)


def exported(site: Site) -> list[Path]:
    """What the operator may take out of their own export folder now (``withheld_reason``),
    newest first."""
    files = [p for p in _own_files(site) if withheld_reason(site.operator, p.name, site.settings.villages) is None]
    return sorted(files, key=lambda p: (p.lstat().st_mtime, p.name), reverse=True)


def withheld(site: Site) -> list[str]:
    """The files of the operator's own export folder they may not take out now (by name)."""
    return sorted(
        p.name for p in _own_files(site) if withheld_reason(site.operator, p.name, site.settings.villages) is not None
    )


def exported_file(site: Site, name: str) -> Path:
    """One file of the operator's own export folder, by its file name (no folders: under the
    shared-server setup this is how a clerk takes a document out through sudo), when the
    operator may take it now (``withheld_reason``); else Refused, saying why."""
    clean = name.strip()
    hint = "未写入任何文件；请查看本人可以取出的文件"
    if not clean or "/" in clean or "\\" in clean or "\x00" in clean or clean.startswith("."):
        raise BadExportName(f"“{outputs.shown(name)}”不是导出文件名；{hint}")
    size = len(clean.encode("utf-8", "surrogateescape"))
    if size > outputs.NAME_MAX:
        raise BadExportName(
            f"“{outputs.shown(clean)}”不是导出文件名：太长（{size} 字节，文件名最多 {outputs.NAME_MAX} 字节）；{hint}"
        )
    if not roles.known(site.operator):
        raise roles.not_listed(site.operator)
    path = default_folder(site) / clean
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        raise NotAnExport(f"本人的导出目录中没有“{outputs.shown(clean)}”；{hint}", name=clean) from None
    except OSError as exc:
        raise NotAnExport(str(outputs.path_error(clean, exc, "导出文件", hint)), name=clean) from None
    if not _regular(info):
        raise NotAnExport(f"本人的导出目录中的“{outputs.shown(clean)}”不是普通文件；{hint}", name=clean)
    why = withheld_reason(site.operator, clean, site.settings.villages)
    if why is not None:
        raise Refused(why)
    return path


def exported_bytes(site: Site, name: str) -> bytes:
    """The content of one file of the operator's own export folder (``exported_file``; never
    through a symlink)."""
    path = exported_file(site, name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise NotAnExport(
            f"本人的导出目录中的“{outputs.shown(path.name)}”无法读取（{outputs.reason(exc)}）；请查看本人可以取出的文件",
            name=path.name,
        ) from None
    with os.fdopen(fd, "rb") as fh:
        if not _regular(os.fstat(fh.fileno())):
            raise NotAnExport(
                f"本人的导出目录中的“{outputs.shown(path.name)}”不是普通文件；请查看本人可以取出的文件", name=path.name
            )
        return fh.read()


def save_exported(site: Site, name: str, to: Path) -> Path:
    """Copy one file of the operator's own export folder to ``to`` (0600, never over an
    existing file; ``store.outputs`` decides where). Not in shared mode: there the Python side
    runs as the service account, and the ``cunwu`` wrapper creates the file as the person."""
    exported_file(site, name)  # the file, and whether it may be taken out now, first
    if site.operator.via_sudo:
        raise WrapperOnly(
            "在共享服务器上，--to 的文件由 cunwu 命令（/usr/local/bin/cunwu）以你本人的身份创建；"
            f"这里以服务账号运行，不能替你写到 {outputs.shown(to)}，未写入任何文件。请直接用 cunwu 命令取出",
            name=name,
        )
    place, file = outputs.file_place(site, to, outputs.EXPORT)
    data = exported_bytes(site, name)
    try:
        with place.create(file) as fh:
            fh.write(data)
    except FileExistsError:
        raise BadInput(f"{outputs.shown(place.file(file))} 已存在，不会覆盖已有文件；请换一个文件名") from None
    return place.file(file)
