"""``cunwu export``: Word documents — archives, notices, minutes, registers, ledgers and the supervision report."""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from exports import documents
from store import resources
from store.records import parse_date
from tui import cli_common
from tui.cli_common import JsonOption, fail, handled, open_site, out, print_json


class RecordByDefault(TyperGroup):
    """``cunwu export NUMBER --doc …`` means ``cunwu export record NUMBER --doc …``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["record", *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=RecordByDefault,
    help="导出 Word 文书：cunwu export 编号 --doc archive|notice|notice-result|minutes|blank-minutes；"
    "cunwu export register|ledger|meetings|supervision|summary … [--xlsx]；cunwu export rectifications（整改台账）",
    no_args_is_help=True,
    rich_markup_mode=None,
)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="保存到此目录（默认：数据目录/exports/本人账号/；不能在数据目录之内；共享服务器上只能是本人的导出目录）",
        metavar="DIR",
        readable=False,
    ),
]


XlsxOption = Annotated[
    bool,
    typer.Option(
        "--xlsx",
        help="导出为 Excel 表格（.xlsx）：首页“说明”写明内容、村、期间、导出时间、导出人和日志链头",
    ),
]


def _report(path: Path, as_json: bool) -> None:
    if as_json:
        print_json({"path": str(path)})
    else:
        out().print(Text(f"已导出：{path}"))


@app.command("record")
def record_command(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="办件、公示或会议记录编号", metavar="NUMBER")],
    doc: Annotated[
        str,
        typer.Option(
            "--doc",
            help="archive 归档卷宗 | notice 公示 | notice-result 公示结果 | minutes 会议记录 | blank-minutes 会前空白稿",
        ),
    ],
    folder: OutOption = None,
    rows: Annotated[
        int | None,
        typer.Option(
            "--rows",
            min=1,
            max=2000,
            help="签到表行数（只用于 minutes、blank-minutes；默认按应到人数，应到未填时为一页）",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """导出一个办件、公示或会议的文书。会议记录附签到表；会前空白稿可在开会之前打印。"""
    site = open_site(ctx)
    with handled():
        path = documents.export_record(site, number, doc, cli_common.now().date(), folder, rows)
    _report(path, as_json)


@app.command("register")
def register_command(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="起始日期")],
    end: Annotated[str, typer.Option("--to", help="截止日期")],
    seal: Annotated[
        str | None, typer.Option("--seal", help="印章：党支部、村委会、村集体经济组织（不写为全部）")
    ] = None,
    village: Annotated[str | None, typer.Option("--village", help="只导出此村")] = None,
    folder: OutOption = None,
    xlsx: XlsxOption = False,
    as_json: JsonOption = False,
) -> None:
    """导出用印登记簿（Word，或 --xlsx 为 Excel 表格）。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village) if village else None
        now = cli_common.now()
        path = documents.export_register(
            site,
            name,
            seal,
            parse_date(start, "起始日期"),
            parse_date(end, "截止日期"),
            now.date(),
            folder,
            xlsx=xlsx,
            exported=now,
        )
    _report(path, as_json)


@app.command("ledger")
def ledger_command(
    ctx: typer.Context,
    matter: Annotated[str, typer.Option("--matter", help="事项编号，如 dibao")],
    year: Annotated[int, typer.Option("--year", min=2000, max=2100, help="年度")],
    village: Annotated[str | None, typer.Option("--village", help="只导出此村")] = None,
    folder: OutOption = None,
    xlsx: XlsxOption = False,
    as_json: JsonOption = False,
) -> None:
    """导出一个事项一年的办件台账（Word，或 --xlsx 为 Excel 表格）。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village) if village else None
        now = cli_common.now()
        path = documents.export_ledger(site, matter, year, name, now.date(), folder, xlsx=xlsx, exported=now)
    _report(path, as_json)


@app.command("meetings")
def meetings_command(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help="村名")],
    year: Annotated[int, typer.Option("--year", min=2000, max=2100, help="年度")],
    folder: OutOption = None,
    xlsx: XlsxOption = False,
    as_json: JsonOption = False,
) -> None:
    """导出三会一课登记（Word，或 --xlsx 为 Excel 表格）。"""
    site = open_site(ctx)
    with handled():
        now = cli_common.now()
        path = documents.export_meetings(
            site, site.cases.village(village), year, now.date(), folder, xlsx=xlsx, exported=now
        )
    _report(path, as_json)


@app.command("supervision")
def supervision_command(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help="村名")],
    start: Annotated[str, typer.Option("--from", help="检查期间起始日期")],
    end: Annotated[str, typer.Option("--to", help="检查期间截止日期")],
    folder: OutOption = None,
    xlsx: XlsxOption = False,
    as_json: JsonOption = False,
) -> None:
    """导出村务监督检查报告：风险提示、监督意见和签字、日志核验（--xlsx：风险提示的 Excel 表格）。"""
    site = open_site(ctx)
    with handled():
        now = cli_common.now()
        path = documents.export_supervision(
            site,
            village,
            parse_date(start, "起始日期"),
            parse_date(end, "截止日期"),
            now.date(),
            folder,
            xlsx=xlsx,
            exported=now,
        )
    _report(path, as_json)


@app.command("summary")
def summary_command(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="汇总期间起始日期")],
    end: Annotated[str, typer.Option("--to", help="汇总期间截止日期")],
    village: Annotated[str | None, typer.Option("--village", help="只汇总此村（不写为本人能看的全部村）")] = None,
    folder: OutOption = None,
    xlsx: XlsxOption = False,
    as_json: JsonOption = False,
) -> None:
    """导出乡镇汇总：各村定期事项、公示、步骤超期、风险提示、整改、办件、监督意见的数字，与上期对比，附风险提示明细。

    不评分、不排名。上期：整月的期间为前面同样多的月份，否则为前面同样多的天数。"""
    site = open_site(ctx)
    with handled():
        now = cli_common.now()
        path = documents.export_summary(
            site,
            parse_date(start, "起始日期"),
            parse_date(end, "截止日期"),
            now.date(),
            folder,
            village=village,
            xlsx=xlsx,
            exported=now,
        )
    _report(path, as_json)


@app.command("rectifications")
def rectifications_command(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help="只导出此村（不写为本人能看的全部村）")] = None,
    folder: OutOption = None,
    xlsx: Annotated[
        bool, typer.Option("--xlsx", help="Excel 表格（.xlsx）；整改台账只有这一种格式，可不写", show_default=False)
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """导出整改台账（Excel 表格）：编号、村、来源、问题、措施、责任人、期限、状态、是否逾期、完成和销号日期。"""
    site = open_site(ctx)
    with handled():
        now = cli_common.now()
        path = documents.export_rectifications(site, village, now.date(), folder, exported=now)
    _report(path, as_json)


@app.command("files")
def files_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """本人导出过、按现在的角色和所在村可以取出的文书和备份（最新的在前）；用 cunwu export get 文件名 --to 文件 取出。"""
    site = open_site(ctx)
    with handled():
        found = documents.exported(site)
        sizes = [p.lstat().st_size for p in found]
        withheld = documents.withheld(site)
    if as_json:
        print_json([{"name": p.name, "bytes": size} for p, size in zip(found, sizes, strict=True)])
        return
    console = out()
    for path, size in zip(found, sizes, strict=True):
        console.print(Text(f"{path.name}（{size // 1024 + 1} KB）"))
    if not found and not withheld:
        console.print(Text("还没有导出过文书。"))
    if withheld:
        console.print(
            Text(
                f"另有 {len(withheld)} 个文件按你现在的角色和所在村不能取出，未列出"
                "（整个数据目录的备份、其他村或全部村的文书）；如有疑问，请联系管理员。"
            )
        )


@app.command("get")
def get_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="导出文件名（见 cunwu export files）")],
    to: Annotated[
        Path | None,
        typer.Option(
            "--to", help="写到这个新文件（只有本人可读写，0600；不覆盖已有文件）", metavar="FILE", readable=False
        ),
    ] = None,
) -> None:
    """取出本人导出的一份文书：cunwu export get 文件名 --to 文件（或 > 文件）。

    共享服务器上数据目录属于服务账号，本人不能直接读取；这样取出的文件属于本人。
    按现在的角色和所在村：整个数据目录的备份只有管理员和乡镇账号可以取出，某村的文书只有能看该村的账号可以取出。"""
    site = open_site(ctx)
    if to is not None:
        with handled():
            written = documents.save_exported(site, name, to)
        out().print(Text(f"已取出到 {written}"))
        return
    with handled():
        path = documents.exported_file(site, name)
    if sys.stdout.isatty():
        fail(f"请写到文件：cunwu export get {path.name} --to {path.name}", 2)
    with handled():
        data = documents.exported_bytes(site, name)
        with resources.guard("标准输出", resources.EXPORT):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            _fsync_stdout()


def _fsync_stdout() -> None:
    """A file on standard output (``> FILE``, the launcher's ``--to``) is on disk before the
    command says it is done: a full disk may only show here."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # no real descriptor (tests)
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EROFS, errno.EBADF, errno.ENOTSUP):
            raise  # (a pipe or a terminal cannot be fsynced: nothing to wait for)
