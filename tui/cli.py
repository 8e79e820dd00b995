"""The ``cunwu`` command. Headless sub-commands never import Textual.

Exit codes: 0 ok, 1 refused by a rule, 2 usage (an unknown matter, a bad option),
3 data problem (a damaged or invalid data file; a full disk, a read-only disk or a missing
permission: ``store.resources``), 4 a bug (``tui.crash``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.cells import chop_cells
from rich.console import Console
from rich.table import Table
from rich.text import Text

from procedures.jsonable import matter_to_dict
from procedures.loader import apply_overrides, load_catalog
from procedures.model import CONFIDENCE_LABELS, PRODUCES_LABELS, Catalog, Closing, Matter, Produces
from procedures.risks import coverage
from procedures.search import search
from store.paths import data_dir, local_matters_dir
from store.settings import timer_overrides
from tui import (
    cli_case,
    cli_doctor,
    cli_export,
    cli_records,
    cli_rectify,
    cli_roster,
    cli_site,
    cli_supervision,
    cli_zh,
    launch,
)
from tui.cli_common import EXIT_DATA, EXIT_USAGE, JsonOption, fail, handled, out, print_json

__all__ = ["EXIT_DATA", "EXIT_USAGE", "app", "run"]

run = launch.run
"""The console script (``tui.launch.run``): the app opens without this module; sub-commands come here."""

cli_zh.install()
app = typer.Typer(
    name="cunwu",
    cls=cli_zh.ChineseGroup,
    pretty_exceptions_enable=False,  # an unexpected error is reported by run() (tui.crash), never as a traceback
    pretty_exceptions_show_locals=False,
    help="沁源县村级组织履职事项：57 个事项的流程、时限、办件与监督。",
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(cli_case.app, name="case")
app.add_typer(cli_records.meeting_app, name="meeting")
app.add_typer(cli_records.notice_app, name="notice")
app.add_typer(cli_records.seal_app, name="seal")
app.add_typer(cli_export.app, name="export")
app.add_typer(cli_roster.app, name="roster")
app.add_typer(cli_rectify.app, name="rectify")
cli_site.register(app)
cli_doctor.register(app)
cli_supervision.register(app)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="数据目录（默认取环境变量 CUNWU_DATA，再默认用户数据目录）", show_default=False, readable=False
    ),
]


def _catalog(data: Path | None) -> Catalog:
    folder = data_dir(data)
    with handled():
        catalog = load_catalog(local_matters_dir(folder))
        amounts, source = timer_overrides(folder)
        return apply_overrides(catalog, amounts, source) if amounts else catalog
    raise AssertionError("unreachable")


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    data: DataOption = None,
    ascii_borders: Annotated[
        bool, typer.Option("--ascii", help="兼容模式：用 ASCII 字符画边框（方框字符显示错位的终端）")
    ] = False,
    colors: Annotated[
        str, typer.Option("--colors", help="颜色：16（PuTTY 等只支持 16 色的终端）、256、auto", show_default=True)
    ] = "auto",
    slow: Annotated[
        bool, typer.Option("--slow", help="慢速网络模式：不画滚动条、列表边框等装饰，少传数据（网速很慢时用）")
    ] = False,
) -> None:
    """不带子命令时打开终端界面。"""
    ctx.obj = data
    if ctx.invoked_subcommand is None:  # `cunwu` alone starts the app without coming here (tui.launch)
        launch.open_app(data, ascii_borders, colors, slow)


def _print_catalog(matters: tuple[Matter, ...]) -> None:
    console = out()
    categories: dict[str, list[Matter]] = {}
    for matter in matters:
        categories.setdefault(matter.category, []).append(matter)
    for category, items in categories.items():
        table = Table(title=Text(f"{category}（{len(items)} 项）"), title_justify="left", expand=False)
        table.add_column("序号", justify="right", no_wrap=True)
        table.add_column("编号", no_wrap=True)
        table.add_column("事项名称")
        table.add_column("步骤", justify="right", no_wrap=True)
        for m in items:
            table.add_row(str(m.order), Text(m.id), Text(m.name), str(len(m.steps)))
        console.print(table)
    console.print(Text(f"共 {len(matters)} 个事项。查看流程：cunwu show 编号（或序号）"))


@app.command("matters")
def matters_command(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Option("--category", help="只列出此类别（可写类别名称的一部分）")] = None,
    query: Annotated[str | None, typer.Option("--search", help="按名称或拼音首字母查找，如 dbsq")] = None,
    as_json: JsonOption = False,
) -> None:
    """列出事项（按类别）。"""
    catalog = _catalog(ctx.obj)
    found = search(catalog, query) if query else catalog.matters
    if category:
        found = tuple(m for m in found if category.strip() in m.category)
        if not found and not query:
            fail(f"没有类别“{category}”。现有类别：{'、'.join(catalog.categories)}", EXIT_USAGE)
    if as_json:
        print_json([matter_to_dict(m) for m in found])
    elif found:
        _print_catalog(found)
    else:
        fail(f"没有找到与“{query}”相符的事项", EXIT_USAGE)


def find_matter(catalog: Catalog, key: str) -> Matter | None:
    """A matter by id, or by its order number in the document."""
    key = key.strip()
    for matter in catalog.matters:
        if matter.id == key or (key.isdigit() and int(key) == matter.order):
            return matter
    return None


@app.command("show")
def show_command(
    ctx: typer.Context,
    matter_id: Annotated[str, typer.Argument(help="事项编号（如 dibao）或序号（1—57）", metavar="MATTER_ID")],
    as_json: JsonOption = False,
) -> None:
    """显示一个事项：流程、时限、监督、廉政风险点和防控措施。"""
    catalog = _catalog(ctx.obj)
    matter = find_matter(catalog, matter_id)
    if matter is None:
        hints = search(catalog, matter_id)[:5]
        hint = (
            "；可能是：" + "、".join(f"{m.id}（{m.name}）" for m in hints)
            if hints
            else "；用 cunwu matters 查看全部编号"
        )
        fail(f"没有编号为“{matter_id}”的事项{hint}", EXIT_USAGE)
    if as_json:
        print_json(matter_to_dict(matter))
    else:
        print_matter(out(), matter)


def print_matter(console: Console, matter: Matter) -> None:
    """A readable page for one matter; wrapped lines keep their indent."""

    def line(text: str, indent: int = 0, style: str = "") -> None:
        width = max(console.width - indent, 10)
        for raw in text.splitlines() or [""]:
            for part in chop_cells(raw, width) or [""]:
                console.print(Text(" " * indent + part, style=style), overflow="ignore", crop=False)

    line(f"{matter.order}. {matter.name}", style="bold")
    line(f"类别：{matter.category}    编号：{matter.id}")
    line(f"监督管理：{matter.supervision}")
    for text in matter.intro:
        line(text, 2)
    line("操作流程：", style="bold")
    position = {s.id: i for i, s in enumerate(matter.steps, start=1)}
    phase = ""
    for i, step in enumerate(matter.steps, start=1):
        if step.phase and step.phase != phase:
            phase = step.phase
            line(f"【{phase}】", 1)
        mark = "（补充）" if step.added else ""
        line(f"{i}. {step.title}{mark} —— {step.actor}", 2)
        details = []
        if step.produces is not Produces.NONE:
            details.append(f"形成：{PRODUCES_LABELS[step.produces]}")
        if step.timer is not None:
            t = step.timer
            details.append(f"时限：{t.describe()}（{CONFIDENCE_LABELS[t.confidence]}）")
            details.append(f"时限依据：{t.basis}")
        details += [f"□{item}" for item in step.checklist]
        details += [f"材料：{item}" for item in step.materials]
        for o in step.outcomes:
            details.append(f"{o.label} → 第{position[o.goto]}步 {matter.step(o.goto).title}")
        if step.next and position[step.next] != i + 1:
            details.append(f"→ 第{position[step.next]}步 {matter.step(step.next).title}")
        if step.end:
            details.append("办结" if step.closes_as is Closing.DONE else "终止办理")
        if step.added and step.source:
            details.append(f"依据：{step.source}")
        if step.note:
            details.append(f"说明：{step.note}")
        for text in details:
            line(text, 6)
    line("廉政风险点：", style="bold")
    watched = {e.risk: e for e in matter.risk_checks}
    for i, risk in enumerate(matter.risks, start=1):
        line(f"{i}. {risk}", 2)
        if risk in watched:
            for text in coverage(watched[risk]):
                line(text, 5)
    line("防控措施：", style="bold")
    for i, control in enumerate(matter.controls, start=1):
        line(f"{i}. {control}", 2)
    line("依据：" + "；".join(matter.basis))
    if matter.note:
        line("流程整理说明：", style="bold")
        line(matter.note, 2)


if __name__ == "__main__":
    run()
