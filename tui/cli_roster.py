"""``cunwu roster``: the villages' rosters (名册) — the Excel template, export and import, and
a person's entry and memberships one at a time.

ID numbers never come from the command line (``tui.launch`` refuses arguments holding one):
a person's is given with ``--id-number -`` on standard input, a roster's in the imported file.
Through the shared server's launcher the service account would open the file, so only ``-``
(standard input) is accepted there, as for ``--entries-file``. Every file written (template,
export, the rows an import rejects) goes where ``store.outputs`` allows, as every export.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from exports.documents import ROSTER, ROSTER_IMPORT, ROSTER_TEMPLATE
from procedures import roster as rules
from store import outputs, shapes
from store import roster_import as ri
from store.errors import EXIT_USAGE, BadInput
from store.identity import human
from store.records import parse_date
from store.site import Site
from tui import cli_common
from tui.cli_common import JsonOption, fail, handled, open_site, out, print_json
from tui.cli_input import STDIN, read_bytes, text_option

app = typer.Typer(
    help="名册：cunwu roster template|export|import|list|show|add|join|leave",
    no_args_is_help=True,
    rich_markup_mode=None,
)

M = typer.Option
NOTHING = "未做任何改动。"
MASKED = "身份证号已隐去中间 8 位（导出的名册用于打印和传阅）。"
ROLES = "、".join(r.value for r in rules.Role)

VillageOpt = Annotated[str, M("--village", help="村名")]
NumberArg = Annotated[str, typer.Argument(metavar="RY编号", help="名册人员编号，如 城关村-2026-RY0001")]
OutOpt = Annotated[
    str | None,
    M(
        "--out",
        help="保存到此目录，或此文件（.xlsx/.csv；不覆盖已有文件）；写 - 则写到标准输出（> 文件）。"
        "默认：数据目录/exports/本人账号/；不能在数据目录之内；共享服务器上只能是本人的导出目录",
        metavar="DIR|FILE|-",
    ),
]


def _only_dash(value: str) -> str:
    if value != STDIN:
        raise typer.BadParameter(
            "身份证号只能从标准输入提供：写 --id-number -，再输入身份证号（或 < 文件）。" + NOTHING
        )
    return value


def _id_option() -> Any:
    option = text_option("--id-number", about="身份证号：只能写 -，从标准输入读取，不能写在命令行上")
    option.parser = _only_dash
    return option


# ---------------------------------------------------------------- files out


def _deliver(site: Site | None, target: str | None, stem: str, suffix: str, data: bytes) -> str:
    """Write an output file where ``--out`` says (``store.outputs``); returns where it went."""
    from exports import roster_xlsx

    if target == STDIN:
        if sys.stdout.isatty():
            fail(f"请写到文件：--out - > 文件{suffix}（这是 Excel/CSV 文件，不能显示在终端上）。{NOTHING}", EXIT_USAGE)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return "标准输出"
    assert site is not None
    with handled():
        if target is not None and target.lower().endswith((".xlsx", ".csv")):
            if not target.lower().endswith(suffix):
                raise BadInput(f"--out 写的文件名 {outputs.shown(target)} 应以 {suffix} 结尾。未写入任何文件。")
            place, name = outputs.file_place(site, Path(target), outputs.EXPORT)
            try:
                with place.create(name) as fh:
                    fh.write(data)
            except FileExistsError:
                raise BadInput(
                    f"{outputs.shown(place.file(name))} 已存在，不会覆盖已有文件；请换一个文件名。未写入任何文件。"
                ) from None
            return str(place.file(name))
        place = outputs.place(site, Path(target) if target is not None else None, outputs.EXPORT)
        return roster_xlsx.save(place, stem, suffix, data)
    raise AssertionError("unreachable")


@app.command("template")
def template_command(ctx: typer.Context, target: OutOpt = None, as_json: JsonOption = False) -> None:
    """空白的名册导入模板（.xlsx）：每行一个身份，附“填写说明”工作表。"""
    from exports import roster_xlsx

    site = None if target == STDIN else open_site(ctx)
    day = cli_common.now().date()
    where = _deliver(site, target, f"{day:%Y%m%d}_{ROSTER_TEMPLATE}", ".xlsx", roster_xlsx.template())
    if target == STDIN:
        return
    if as_json:
        print_json({"path": where})
    else:
        out().print(Text(f"已写出名册导入模板：{where}"))


@app.command("export")
def export_command(
    ctx: typer.Context,
    village: VillageOpt,
    xlsx: Annotated[bool, M("--xlsx", help="导出为 Excel（.xlsx，默认）")] = False,
    as_csv: Annotated[bool, M("--csv", help="导出为 CSV（UTF-8，带 BOM，Excel 可直接打开）")] = False,
    target: OutOpt = None,
    as_json: JsonOption = False,
) -> None:
    """导出一个村的名册（与导入模板同样的列，每行一个身份）。身份证号隐去中间 8 位：导出的名册用于打印和传阅。"""
    from exports import roster_xlsx

    if xlsx and as_csv:
        fail(f"--xlsx 与 --csv 只能选一个。{NOTHING}", EXIT_USAGE)
    site = open_site(ctx)
    day = cli_common.now().date()
    with handled():
        name = site.cases.village(village)
        people = site.roster.records(name)
        data = roster_xlsx.export_csv(people) if as_csv else roster_xlsx.export(people, name, day)
    suffix = ".csv" if as_csv else ".xlsx"
    where = _deliver(site, target, f"{day:%Y%m%d}_{ROSTER}_{name}", suffix, data)
    if target == STDIN:
        return
    if as_json:
        print_json({"path": where, "people": len(people), "masked": True})
    else:
        out().print(Text(f"已导出{name}名册（{len(people)} 人）：{where}"))
        out().print(Text(MASKED))


# ---------------------------------------------------------------- import


def _read_source(source: str) -> tuple[bytes, str, str]:
    """The file's bytes, how messages name it, and the stem of its rejects file."""
    from exports.roster_xlsx import LIMIT

    if source == STDIN:
        stream = sys.stdin
        if stream is None or stream.isatty():
            fail(
                f"写了 -，但没有从标准输入提供文件：cunwu roster import - --village 村名 < 名册.xlsx。{NOTHING}",
                EXIT_USAGE,
            )
        buffer = getattr(stream, "buffer", None)
        raw = (
            buffer.read(LIMIT + 1) if buffer is not None else stream.read(LIMIT + 1).encode("utf-8", "surrogateescape")
        )
        return raw, "标准输入", ""
    if human().via_sudo:
        fail(
            "在共享服务器上请从标准输入提供文件：cunwu roster import - --village 村名 < 名册.xlsx"
            f"（程序以服务账号运行，不读取您给出的路径）。{NOTHING}",
            EXIT_USAGE,
        )
    raw = read_bytes(source, "", " .xlsx 或 .csv 文件", LIMIT)
    return raw, f"文件 {outputs.shown(source)} ", Path(source).stem


@app.command("import")
def import_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="填好的名册（.xlsx 或 .csv）；写 - 从标准输入读取")],
    village: VillageOpt,
    dry_run: Annotated[bool, M("--dry-run", help="只检查每一行，不导入")] = False,
    folder: Annotated[
        str | None,
        M(
            "--out",
            help="有误的行写成 .xlsx 放到此目录（默认：本人的导出目录）；写 - 则写到标准输出（> 名册-有误.xlsx），"
            "检查结果改写到标准错误",
            metavar="DIR|-",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """从名册导入模板导入一个村的名册：每一行都检查，有一行有误就整个文件都不导入，有误的行连同“错误说明”写回同样格式的 .xlsx；
    没有错误时在一次保存中全部写入。同一人（身份证号相同，或同一户号中同名）已在名册中的，只补充名册中还没有的身份。"""
    from exports import roster_xlsx

    to_stdout = folder == STDIN
    if to_stdout and as_json:
        fail(f"--out - 与 --json 不能同时使用（标准输出只能写一样）。{NOTHING}", EXIT_USAGE)
    if to_stdout and sys.stdout.isatty():
        fail(f"请写到文件：--out - > 名册-有误.xlsx（这是 Excel 文件，不能显示在终端上）。{NOTHING}", EXIT_USAGE)
    raw, shown, stem = _read_source(source)
    site = open_site(ctx)
    now = cli_common.now()
    with handled():
        sheet = roster_xlsx.read(raw, shown)
        plan = ri.prepare(site, village, sheet, now.date())
    rejects = None
    if plan.problems:
        # Named for its village whatever the file was called, so that `cunwu export files|get`
        # lets this village's people take it out (exports.documents.scope_of).
        stem = f"{now:%Y%m%d}_{ROSTER_IMPORT}_{plan.village}-有误"
        data = roster_xlsx.rejects(plan.rows, plan.by_line())
        if to_stdout:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            rejects = "标准输出"
        else:
            with handled():
                place = outputs.place(site, Path(folder) if folder is not None else None, outputs.EXPORT)
                rejects = roster_xlsx.save(place, stem, ".xlsx", data)
    written: list[dict[str, Any]] = []
    if not plan.problems and not dry_run:
        with handled():
            written = ri.apply(site, site.operator, now, plan)
    if as_json:
        print_json(
            {
                "village": plan.village,
                "read": plan.kind,
                "dry_run": dry_run,
                "written": bool(written),
                "problems": [{"line": p.line, "column": p.column, "problem": p.what} for p in plan.problems],
                "rejects": rejects,
                "new": plan.new,
                "added": plan.added,
                "same": plan.same,
                "people": [str(p["number"]) for p in written],
            }
        )
        if plan.problems:
            raise typer.Exit(EXIT_USAGE)
        return
    _report(plan, dry_run, rejects, written, to_stdout)


def _report(plan: ri.Plan, dry_run: bool, rejects: str | None, written: list[dict[str, Any]], to_stderr: bool) -> None:
    console = Console(stderr=True, highlight=False, soft_wrap=True) if to_stderr else out()
    rows = len(plan.rows)
    if plan.problems:
        lines = [f"已读取{plan.kind}，共 {rows} 行；有 {len(plan.problems)} 处错误（{len(plan.by_line())} 行）："]
        lines += [f"  {p.text()}" for p in plan.problems]
        if dry_run:
            lines.append("这是检查（--dry-run），没有导入。")
        else:
            lines.append(f"整个文件都没有导入，{NOTHING}")
        lines.append(f"有误的行已写回同样格式的文件（最后一列是“错误说明”）：{rejects}")
        lines.append("改正后放回原文件再导入。")
        if dry_run:
            console.print(Text("\n".join(lines)))
            raise typer.Exit(EXIT_USAGE)
        fail("\n".join(lines), EXIT_USAGE)
    if dry_run:
        verdict = f"检查通过，没有导入：导入后将{plan.summary()}。"
        if not plan.writes:
            verdict = f"检查通过：文件中的 {plan.same} 人都已在名册中，身份也都已登记，导入不会有任何改动。"
        console.print(Text(f"已读取{plan.kind}，共 {rows} 行。{verdict}"))
        return
    if not written:
        console.print(
            Text(f"已读取{plan.kind}，共 {rows} 行：文件中的 {plan.same} 人都已在名册中，身份也都已登记，{NOTHING}")
        )
        return
    console.print(Text(f"已导入{plan.village}名册（{plan.kind}，{rows} 行）：{plan.summary()}。"))


# ---------------------------------------------------------------- one person


def _person_line(person: dict[str, Any], day: Any) -> str:
    shown = shapes.person(person)
    held = "、".join(m.label() for m in rules.roles_on(person, day)) or "（当天没有身份）"
    extra = "，".join(
        part
        for part in (
            shown["gender"],
            f"户号 {shown['household']}" if shown["household"] else "",
            "户主" if shown["head"] else "",
            shown["group"],
            f"身份证号 {shown['id_number']}" if shown["id_number"] else "",
        )
        if part
    )
    return f"{shown['number']}  {shown['name']}" + (f"（{extra}）" if extra else "") + f"  {held}"


@app.command("list")
def list_command(
    ctx: typer.Context,
    village: VillageOpt,
    role: Annotated[str | None, M("--role", help=f"只列当天具有此身份的人：{ROLES}")] = None,
    on: Annotated[str | None, M("--on", help="按哪一天的身份（默认今天），如 2026-03-01")] = None,
    as_json: JsonOption = False,
) -> None:
    """列出一个村名册中的人（身份证号隐去中间 8 位）。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village)
        day = parse_date(on, "--on 日期") if on else cli_common.now().date()
        wanted = None
        if role is not None:
            try:
                wanted = rules.role_of(role)
            except ValueError as exc:
                raise BadInput(f"{exc}。") from None
        people = [p for p in site.roster.records(name) if wanted is None or rules.holds(p, wanted, day)]
    if as_json:
        print_json([shapes.person(p) for p in people])
        return
    console = out()
    for person in people:
        console.print(Text(_person_line(person, day)))
    if not people:
        what = f"在 {day.isoformat()} 具有“{wanted.value}”身份的人" if wanted else "人"
        console.print(Text(f"{name}名册中没有{what}。"))
    else:
        console.print(Text(f"共 {len(people)} 人（身份按 {day.isoformat()}）。"))


@app.command("show")
def show_command(ctx: typer.Context, number: NumberArg, as_json: JsonOption = False) -> None:
    """一个人的名册信息和全部身份（身份证号隐去中间 8 位）。"""
    site = open_site(ctx)
    with handled():
        person = site.roster.get(number)
    shown = shapes.person(person)
    if as_json:
        print_json(shown)
        return
    lines = [
        f"{shown['number']}  {shown['name']}（第 {shown['version']} 版）",
        f"性别：{shown['gender'] or '未填'}  出生日期：{shown['birth'] or '未填'}  身份证号：{shown['id_number'] or '未填'}",
        f"户号：{shown['household'] or '未填'}  户主：{'是' if shown['head'] else '否'}  村民小组：{shown['group'] or '未填'}",
    ]
    if shown["note"]:
        lines.append(f"备注：{shown['note']}")
    items = rules.memberships(person)
    lines.append("身份：" + ("" if items else "没有"))
    lines += [f"  {m.label()}" for m in items]
    out().print(Text("\n".join(lines)))


def _report_person(record: dict[str, Any], as_json: bool, said: str) -> None:
    if as_json:
        print_json(shapes.person(record))
    else:
        out().print(Text(f"{said}：{record['number']} {record['name']}（第 {record['rev']} 版）"))


@app.command("add")
def add_command(
    ctx: typer.Context,
    village: VillageOpt,
    name: Annotated[str, text_option("--name", about="姓名")],
    gender: Annotated[str | None, M("--gender", help="性别：男 或 女")] = None,
    birth: Annotated[str | None, M("--birth", help="出生日期，如 1985-03-15")] = None,
    id_number: Annotated[str | None, _id_option()] = None,
    household: Annotated[str | None, M("--household", help="户号")] = None,
    head: Annotated[bool, M("--head", help="是户主")] = False,
    group: Annotated[str | None, text_option("--group", about="村民小组")] = None,
    note: Annotated[str | None, text_option("--note", about="备注")] = None,
    role: Annotated[str | None, M("--role", help=f"身份：{ROLES}")] = None,
    since: Annotated[str | None, M("--since", help="取得身份的日期")] = None,
    until: Annotated[str | None, M("--until", help="不再具有身份的最后一天（仍具有的不写）")] = None,
    detail: Annotated[str | None, text_option("--detail", about="职务 / 党小组名称 / 所代表的户或村民小组")] = None,
    as_json: JsonOption = False,
) -> None:
    """在名册中登记一个人（可同时登记一个身份；更多身份用 cunwu roster join）。身份证号只能用 --id-number - 从标准输入提供。"""
    if role is None and (since or until or detail):
        fail(f"--since、--until、--detail 要和 --role 一起写。{NOTHING}", EXIT_USAGE)
    if role is not None and not since:
        fail(f"写了 --role，还要写 --since（取得身份的日期）。{NOTHING}", EXIT_USAGE)
    site = open_site(ctx)
    fields: dict[str, Any] = {
        "name": name,
        "gender": gender or "",
        "birth": birth or "",
        "id_number": id_number or "",
        "household": household or "",
        "head": head,
        "group": group or "",
        "note": note or "",
        "memberships": [{"role": role, "since": since, "until": until or "", "detail": detail or ""}] if role else [],
    }
    with handled():
        record = site.roster.add(site.operator, cli_common.now(), site.cases.village(village), fields)
    _report_person(record, as_json, "已登记")


@app.command("join")
def join_command(
    ctx: typer.Context,
    number: NumberArg,
    role: Annotated[str, M("--role", help=f"身份：{ROLES}")],
    since: Annotated[str, M("--since", help="取得身份的日期")],
    until: Annotated[str | None, M("--until", help="不再具有身份的最后一天（仍具有的不写）")] = None,
    detail: Annotated[str | None, text_option("--detail", about="职务 / 党小组名称 / 所代表的户或村民小组")] = None,
    rev: Annotated[int | None, M("--rev", help="所依据的版本号（防止覆盖他人修改）")] = None,
    as_json: JsonOption = False,
) -> None:
    """给名册中的人增加一个身份（如预备党员转正：先 leave 预备党员，再 join 正式党员）。"""
    site = open_site(ctx)
    membership = {"role": role, "since": since, "until": until or "", "detail": detail or ""}
    with handled():
        record = site.roster.join(site.operator, cli_common.now(), number, rev, membership)
    _report_person(record, as_json, f"已增加身份“{role.strip()}”")


@app.command("leave")
def leave_command(
    ctx: typer.Context,
    number: NumberArg,
    role: Annotated[str, M("--role", help=f"身份：{ROLES}")],
    until: Annotated[str, M("--until", help="不再具有身份的最后一天")],
    detail: Annotated[
        str | None, text_option("--detail", about="有几个同样身份时，终止哪一个（职务、党小组名称…）")
    ] = None,
    rev: Annotated[int | None, M("--rev", help="所依据的版本号（防止覆盖他人修改）")] = None,
    as_json: JsonOption = False,
) -> None:
    """终止名册中的人仍具有的一个身份（--until 是仍具有这一身份的最后一天）。"""
    site = open_site(ctx)
    with handled():
        record = site.roster.leave(site.operator, cli_common.now(), number, rev, role, until, detail)
    _report_person(record, as_json, f"已终止身份“{role.strip()}”")
