"""``cunwu risks``, ``cunwu opinion``, ``cunwu countersign``: supervision from the command line.

``risks`` lists what the risk checks see (``procedures.risks``) for scripts and for the
township; opinions and countersignatures are the 村务监督委员会's own records.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from procedures import idnumber
from procedures.risks import SEVERITY_WORDS, STATUS_WORDS, village_status
from store import shapes
from store.opinions import KINDS
from store.records import parse_date
from tui import cli_common
from tui.cli_common import JsonOption, fail, handled, open_site, out, print_json
from tui.cli_input import text_option

opinion_app = typer.Typer(
    help="监督意见：填写（监委会、乡镇账号）和查看。", no_args_is_help=True, rich_markup_mode=None
)

VillageOpt = Annotated[str | None, typer.Option("--village", help="只看此村")]


def register(app: typer.Typer) -> None:
    app.command("risks")(risks_command)
    app.command("countersign")(countersign_command)
    app.add_typer(opinion_app, name="opinion")


def risks_command(
    ctx: typer.Context,
    village: VillageOpt = None,
    matter: Annotated[str | None, typer.Option("--matter", help="只看此事项（编号，如 dibao）")] = None,
    start: Annotated[str | None, typer.Option("--from", help="起始日期（含），如 2026-01-01")] = None,
    end: Annotated[str | None, typer.Option("--to", help="截止日期（含）")] = None,
    as_json: JsonOption = False,
) -> None:
    """廉政风险提示：各项检查在数据中发现的情况，红（违规）在前，再按起始日期。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village) if village else None
        first = parse_date(start, "起始日期") if start else None
        last = parse_date(end, "截止日期") if end else None
        if first and last and last < first:
            fail("截止日期早于起始日期", 2)
        if matter:
            try:
                site.catalog.get(matter.strip())
            except KeyError:
                fail(f"没有编号为“{matter}”的事项；用 cunwu matters 查看全部编号", 2)
        findings = site.risks(cli_common.now().date(), name, first, last, matter.strip() if matter else None)
    if as_json:
        # A finding's text is its only free text (a reason, a meeting's title): the rest is
        # the catalogue's words, numbers and dates.
        print_json([{**f.as_dict(), "text": idnumber.mask_in_text(f.text)} for f in findings])
        return
    console = out()
    for village_name in [name] if name else site.villages:
        mine = [f for f in findings if f.village == village_name]
        worst, red, amber = village_status(mine)
        lines = [f"{village_name}：{STATUS_WORDS[worst]}（红 {red} 项，黄 {amber} 项）"]
        for f in mine:
            where = " ".join(x for x in (f.matter, f.target, f.step) if x)
            state = "，仍存在" if f.ongoing else ""
            lines.append(f"  [{SEVERITY_WORDS[f.severity]}] {f.title}：{where}（自 {f.since.isoformat()}{state}）")
            lines.append(idnumber.mask_in_text(f"      {f.text}"))
        console.print(Text("\n".join(lines)))  # one print a village: 44,000 findings took 88,000
    if not findings:
        console.print(Text("没有发现风险提示。（人工核查的风险点见 cunwu show 事项编号）"))


@opinion_app.command("add")
def opinion_add(
    ctx: typer.Context,
    text: Annotated[str, text_option("--text", about="审核意见")],
    target: Annotated[
        str, typer.Argument(help="办件、会议记录、公示或用印登记的编号（针对没有办件的风险提示时不写）")
    ] = "",
    finding: Annotated[str, typer.Option("--finding", help="针对的风险提示（cunwu risks --json 的 key）")] = "",
    village: Annotated[str, typer.Option("--village", help="没有办件的风险提示（如三会一课未开）所在的村")] = "",
    as_json: JsonOption = False,
) -> None:
    """填写审核意见（监委会、乡镇账号），记入日志。"""
    site = open_site(ctx)
    with handled():
        record = site.opinions.add(site.operator, cli_common.now(), target, text, finding, village)
    record = idnumber.mask_in_data(record)
    if as_json:
        print_json(shapes.opinion(record))
    else:
        about = record["target"] or f"{record['village']}，{record['finding']}"
        out().print(Text(f"已登记审核意见 {record['number']}（{about}）"))


@opinion_app.command("list")
def opinion_list(
    ctx: typer.Context,
    village: VillageOpt = None,
    target: Annotated[str | None, typer.Option("--target", help="只看针对此编号的意见")] = None,
    as_json: JsonOption = False,
) -> None:
    """审核意见和签字，按日期。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village) if village else None
        found = idnumber.mask_in_data(site.opinions.find(name, target))  # opinions are free text
    if as_json:
        print_json([shapes.opinion(o) for o in found])
        return
    console = out()
    for o in found:
        console.print(Text(f"{o['date']} {o['number']} [{KINDS[o['kind']]}] {o['target']}  {o['by']}"))
        console.print(Text(f"    {o['text']}"))
    if not found:
        console.print(Text("没有审核意见。"))


def countersign_command(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="办件编号（当前步骤是公示、尚未张贴）")],
    text: Annotated[str, text_option("--text", about="签字意见（默认：同意公示）")] = "",
    as_json: JsonOption = False,
) -> None:
    """监委会在公示张贴前签字（审核公示内容），记入日志。"""
    site = open_site(ctx)
    with handled():
        record = site.opinions.countersign(site.operator, cli_common.now(), case, text)
    record = idnumber.mask_in_data(record)
    if as_json:
        print_json(shapes.opinion(record))
    else:
        out().print(Text(f"已签字 {record['number']}：办件 {record['target']} 的公示（{record['text']}）"))
