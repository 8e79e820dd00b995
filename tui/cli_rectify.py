"""``cunwu rectify``: 整改事项 from a finding, an opinion or an inspection note to 销号."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from procedures import idnumber
from store import shapes
from store.rectifications import STATES, describe, overdue
from tui import cli_common
from tui.cli_common import JsonOption, handled, open_site, out, print_json
from tui.cli_input import text_option

app = typer.Typer(
    help="整改：登记整改事项（来自风险提示、监督意见或检查），登记进展和完成，销号或认定无需整改。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
NumberArg = Annotated[str, typer.Argument(help="整改事项编号，如 城关村-2026-ZG0001", metavar="NUMBER")]


def _report(record: dict[str, Any], as_json: bool, said: str) -> None:
    record = idnumber.mask_in_data(record)
    if as_json:
        print_json(shapes.rectification(record, cli_common.now().date()))
        return
    out().print(Text(f"{said} {record['number']}（{STATES[record['state']]}，期限 {record['deadline']}）"))


@app.command("new")
def rectify_new(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help="村名")],
    problem: Annotated[str, text_option("--problem", about="问题")],
    measure: Annotated[str, text_option("--measure", about="整改措施")],
    responsible: Annotated[str, text_option("--responsible", about="责任人姓名")],
    deadline: Annotated[str, typer.Option("--deadline", help="整改期限，如 2026-12-31")],
    finding: Annotated[str, typer.Option("--finding", help="来自风险提示：cunwu risks --json 的 key")] = "",
    opinion: Annotated[str, typer.Option("--opinion", help="来自监督意见：其编号，如 城关村-2026-YJ0001")] = "",
    target: Annotated[str, typer.Option("--target", help="针对的办件或记录编号（可不写）")] = "",
    as_json: JsonOption = False,
) -> None:
    """登记整改事项（监委会、乡镇或本村村干部），记入日志。不写 --finding/--opinion 即为检查发现的问题。"""
    if finding.strip() and opinion.strip():
        cli_common.fail("只能写一个来源：--finding（风险提示）或 --opinion（监督意见），二者选一。未做任何改动。", 2)
    site = open_site(ctx)
    source, key = ("finding", finding) if finding else ("opinion", opinion) if opinion else ("inspection", "")
    fields = {
        "source": source,
        "source_key": key,
        "target": target,
        "problem": problem,
        "measure": measure,
        "responsible": responsible,
        "deadline": deadline,
    }
    with handled():
        name = site.cases.village(village)
        if source == "finding" and key.strip() not in {f.key for f in site.risks(cli_common.now().date(), name)}:
            cli_common.fail(
                f"“{key}”不是{name}当前的风险提示：请用 cunwu risks --village {name} --json 查看各条提示的 key，"
                "复制其中一条；已不存在的提示无需整改。未做任何改动。",
                cli_common.EXIT_USAGE,
            )
        fields["source_key"] = key.strip()
        record = site.rectifications.new(site.operator, cli_common.now(), name, fields)
    _report(record, as_json, "已登记整改事项")


@app.command("list")
def rectify_list(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help="只看此村")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="只看此状态：整改中、已完成待销号、已销号、无需整改、已逾期")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """整改台账：按期限排列；已逾期的标明。"""
    site = open_site(ctx)
    today = cli_common.now().date()
    with handled():
        name = site.cases.village(village) if village else None
        found = site.rectifications.find(name)
    if status:
        wanted = status.strip()
        states = {v: k for k, v in STATES.items()}
        if wanted == "已逾期":
            found = [r for r in found if overdue(r, today)]
        elif wanted in states:
            found = [r for r in found if r["state"] == states[wanted]]
        else:
            cli_common.fail(f"状态“{status}”无效，应为：{'、'.join(STATES.values())}、已逾期", 2)
    found = idnumber.mask_in_data(found)
    if as_json:
        print_json([shapes.rectification(r, today) for r in found])
        return
    console = out()
    for r in found:
        late = "【已逾期】" if overdue(r, today) else ""
        console.print(
            Text(f"{late}{r['number']} [{STATES[r['state']]}] 期限 {r['deadline']} 责任人 {r['responsible']}")
        )
        console.print(Text(f"    问题：{r['problem']}"))
    if not found:
        console.print(Text("没有整改事项。"))


@app.command("show")
def rectify_show(ctx: typer.Context, number: NumberArg, as_json: JsonOption = False) -> None:
    """查看整改事项：问题、措施、责任人、期限、进展、完成佐证、销号。"""
    site = open_site(ctx)
    today = cli_common.now().date()
    with handled():
        r = idnumber.mask_in_data(site.rectifications.get(number))
    if as_json:
        print_json(shapes.rectification(r, today))
        return
    lines = describe(r, today)
    console = out()
    for line in lines:
        console.print(Text(line))


@app.command("progress")
def rectify_progress(
    ctx: typer.Context,
    number: NumberArg,
    text: Annotated[str, text_option("--text", about="整改进展")],
    as_json: JsonOption = False,
) -> None:
    """登记整改进展（本村村干部、乡镇）。"""
    site = open_site(ctx)
    with handled():
        record = site.rectifications.progress(site.operator, cli_common.now(), number, text)
    _report(record, as_json, "已登记进展")


@app.command("done")
def rectify_done(
    ctx: typer.Context,
    number: NumberArg,
    evidence: Annotated[str, text_option("--evidence", about="整改完成的佐证（做了什么、材料在哪里）")],
    as_json: JsonOption = False,
) -> None:
    """登记整改完成（本村村干部、乡镇），附佐证；之后由监委会或乡镇销号。"""
    site = open_site(ctx)
    with handled():
        record = site.rectifications.finish(site.operator, cli_common.now(), number, evidence)
    _report(record, as_json, "已登记整改完成")


@app.command("close")
def rectify_close(
    ctx: typer.Context,
    number: NumberArg,
    note: Annotated[str, text_option("--note", about="销号意见（默认：经核实已整改到位，同意销号）")] = "",
    as_json: JsonOption = False,
) -> None:
    """销号（监委会、乡镇；责任人本人和村干部不能销号）。"""
    site = open_site(ctx)
    with handled():
        record = site.rectifications.close(site.operator, cli_common.now(), number, note)
    _report(record, as_json, "已销号")


@app.command("waive")
def rectify_waive(
    ctx: typer.Context,
    number: NumberArg,
    reason: Annotated[str, text_option("--reason", about="无需整改的理由")],
    as_json: JsonOption = False,
) -> None:
    """认定无需整改（乡镇、管理员），写明理由。"""
    site = open_site(ctx)
    with handled():
        record = site.rectifications.waive(site.operator, cli_common.now(), number, reason)
    _report(record, as_json, "已认定无需整改")
