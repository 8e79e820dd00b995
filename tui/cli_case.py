"""``cunwu case new|list|show|step``: open cases and walk them through their flows;
``cunwu case reopen|withdraw|terminate|correct``: undo a mistake, with a reason (``store.amendments``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from procedures import engine, idnumber
from procedures.engine import STATUS_LABELS
from procedures.model import listed
from procedures.periods import format_date
from store import shapes
from store.amendments import KIND_WORDS, describe
from store.cases import Case
from store.identity import who_did
from store.site import Site
from tui import cli_common
from tui.cli_common import EXIT_USAGE, JsonOption, fail, handled, open_site, out, print_json
from tui.cli_input import text_option

app = typer.Typer(
    help="办件：新建、列出、查看、办理步骤；重开上一步、撤回或终止办件、更正事由。",
    no_args_is_help=True,
    rich_markup_mode=None,
)

STEP_STATE_LABELS = {"done": "已完成", "active": "办理中", "pending": "待办", "skipped": "未经过"}


def case_to_dict(site: Site, case: Case, today: dt.date) -> dict[str, Any]:
    """A case for ``--json``: the record's facts, every step with its state, and running timers."""
    matter = site.catalog.get(case.matter_id)
    record = case.record
    visits: dict[str, list[dict[str, Any]]] = {}
    for h in record["history"]:
        visits.setdefault(h["step_id"], []).append(h)
    steps = []
    for step_id, state in case.step_states(matter):
        step = matter.step(step_id)
        steps.append(
            {
                "id": step.id,
                "title": step.title,
                "state": state,
                "started": record["current_since"] if state == "active" else None,
                "history": [
                    {
                        "started": h["started"],
                        "finished": h["finished"],
                        "by": h["by"],
                        "by_name": who_did(h),
                        "by_role": h.get("by_role", ""),
                        "at": h["at"],
                        "outcome": h["outcome"],
                        "note": h["note"],
                        "forced_reason": h.get("forced_reason", "") or None,
                    }
                    for h in visits.get(step.id, [])
                ],
            }
        )
    timers = [
        {
            "step_id": t.step.id,
            "kind": t.timer.kind.value,
            "rule": t.timer.describe(),
            "state": t.state.value,
            "start": t.end.start.isoformat(),
            "last_day": t.end.last_day.isoformat(),
            "days_left": t.days_left,
            "estimated": t.end.estimated,
            "text": t.describe(),
        }
        for t in engine.running_timers(matter, case.state(), today, site.cal)
    ]
    records = []
    for number in case.records():
        kind, linked = site.linked(number)
        records.append({"number": number, "kind": kind, "record": shapes.of(kind, linked)})
    opinions = [shapes.opinion(o) for o in site.opinions.about_case(case.number, case.records())]
    amendments = [
        {
            "kind": a["kind"],
            "kind_label": KIND_WORDS.get(a["kind"], a["kind"]),
            "at": a["at"],
            "by": a["by"],
            "by_name": who_did(a),
            "by_role": a.get("by_role", ""),
            "reason": a["reason"],
            "text": describe(a, matter),
            "step_id": a.get("step_id") or None,
            "outcome": a.get("outcome") or None,
            "old": a.get("old") or None,
            "new": a.get("new") or None,
            "notice": a.get("notice") or None,
        }
        for a in case.amendments
    ]
    return {
        **_facts(site, case),
        "records": records,
        "opinions": opinions,
        "opened_on": record["opened_on"],
        "opened_by": record["opened_by"],
        "opened_by_name": who_did(record, "opened_by"),
        "version": case.rev,
        "choices": [c.label for c in engine.choices(matter, case.state())],
        "steps": steps,
        "timers": timers,
        "amendments": amendments,
    }


@app.command("new")
def new_command(
    ctx: typer.Context,
    matter_id: Annotated[str, typer.Argument(help="事项编号，如 dibao（见 cunwu matters）", metavar="MATTER_ID")],
    village: Annotated[str, typer.Option("--village", help="村名（须在设置的村名单中）")],
    subject: Annotated[str, text_option("--subject", about="办件事由，如 申请人姓名、会议议题")],
    as_json: JsonOption = False,
) -> None:
    """新建办件，输出办件编号。"""
    site = open_site(ctx)
    with handled():
        case = site.cases.open(site.operator, cli_common.now(), matter_id, village, subject)
    if as_json:
        print_json({"number": case.number})
    else:
        subject = idnumber.mask_in_text(case.subject)
        out().print(Text(f"已新建办件 {case.number}：{site.catalog.get(case.matter_id).name}（{subject}）"))


@app.command("list")
def list_command(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help="只列此村")] = None,
    matter: Annotated[str | None, typer.Option("--matter", help="只列此事项编号")] = None,
    status: Annotated[str | None, typer.Option("--status", help="办理中、已办结、已终止、已撤回")] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=9999, help="只列此年份立的办件（办件编号中的年份；其他年份的数据不读取）"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """列出办件。"""
    site = open_site(ctx)
    today = cli_common.now().date()
    with handled():
        cases = site.cases.find(village, matter, status, year)
    # Free text (subjects) is printed with ID numbers masked, as everywhere below.
    summaries = idnumber.mask_in_data([_summary(site, c, today) for c in cases])
    if as_json:
        print_json(summaries)
        return
    if not cases:
        out().print(Text("没有符合条件的办件。"))
        return
    table = Table(expand=False)
    table.add_column("办件编号", no_wrap=True)
    for column in ("事项", "事由", "状态", "当前步骤", "时限"):
        table.add_column(column, overflow="fold")
    for s in summaries:
        table.add_row(
            Text(s["number"]),
            Text(s["matter"]),
            Text(s["subject"]),
            s["status_label"],
            Text(s["step"]),
            Text(s["timer"]),
        )
    out().print(table)


def _facts(site: Site, case: Case) -> dict[str, Any]:
    """What both the list and the detail say about a case."""
    return {
        "number": case.number,
        "matter_id": case.matter_id,
        "matter": site.catalog.get(case.matter_id).name,
        "village": case.village,
        "subject": case.subject,
        "status": case.status.value,
        "status_label": STATUS_LABELS[case.status],
        "current_step": case.record["current"] or None,
    }


def _summary(site: Site, case: Case, today: dt.date) -> dict[str, Any]:
    matter = site.catalog.get(case.matter_id)
    timers = engine.running_timers(matter, case.state(), today, site.cal)
    current = case.record["current"]
    return {
        **_facts(site, case),
        "step": matter.step(current).title if current else "",
        "timer": "；".join(t.describe() for t in timers),
        "overdue": any(t.state is engine.TimerState.OVERDUE for t in timers),
    }


@app.command("show")
def show_command(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="办件编号，如 城关村-2026-0001", metavar="NUMBER")],
    as_json: JsonOption = False,
) -> None:
    """查看一个办件：每一步的状态、时间、经办人、结果，以及正在计时的时限。"""
    site = open_site(ctx)
    today = cli_common.now().date()
    with handled():
        case = site.cases.get(number)
    # Notes, reasons, subjects and opinions are free text: ID numbers in them are masked, as in
    # the archive (the store keeps them as typed).
    data = idnumber.mask_in_data(case_to_dict(site, case, today))
    if as_json:
        print_json(data)
        return
    console = out()
    console.print(Text(f"{data['number']}  {data['matter']}", style="bold"))
    console.print(Text(f"事由：{data['subject']}    状态：{data['status_label']}    第 {data['version']} 版"))
    for i, step in enumerate(data["steps"], start=1):
        mark = {"done": "[√]", "active": "[>]", "pending": "[ ]", "skipped": "[-]"}[step["state"]]
        console.print(Text(f"{mark} {listed(i, step['title'])}（{STEP_STATE_LABELS[step['state']]}）"))
        for h in step["history"]:
            line = f"      {h['finished']} {who_did(h)}：{h['outcome']}"
            if h["note"]:
                line += f"；{h['note']}"
            if h["forced_reason"]:
                line += f"；强制完成，理由：{h['forced_reason']}"
            console.print(Text(line))
    for t in data["timers"]:
        console.print(Text(f"时限：{t['text']}"))
    for r in data["records"]:
        console.print(Text(f"关联记录：{r['number']} {r['record'].get('title', r['record'].get('document', ''))}"))
    for o in data["opinions"]:
        what = "签字" if o["kind"] == "countersign" else "监督意见"
        console.print(Text(f"{what}：{o['date']} {o['by']}（{o['target']}）：{o['text']}"))
    for a in data["amendments"]:
        when = a["at"][:16].replace("T", " ")
        console.print(Text(f"更正记录：{when} {a['by_name']}：{a['text']}；理由：{a['reason']}"))
    if data["choices"]:
        console.print(Text("可选办理结果：" + "、".join(data["choices"])))


def _check_materials(site: Site, number: str, names: list[str]) -> None:
    """Exit 2, naming the step's materials, when a ``--material`` is not one of them."""
    with handled():
        case = site.cases.get(number)
    current = case.record["current"]
    if not current:
        return  # complete_step says the case is closed
    step = site.catalog.get(case.matter_id).step(current)
    unknown = [name for name in dict.fromkeys(names) if name not in step.materials]
    if unknown:
        allowed = "、".join(step.materials) or "（本步骤没有材料）"
        fail(f"“{step.title}”没有这些材料：{'、'.join(unknown)}。可勾选的材料：{allowed}。未做任何改动", EXIT_USAGE)


@app.command("step")
def step_command(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="办件编号", metavar="NUMBER")],
    step: Annotated[
        str,
        typer.Option(
            "--step",
            help="要完成的步骤：步骤编号（如 publicize，见 cunwu show 事项 --json）或 case show 中的序号；"
            "办件已不在这一步（已被他人办理）时拒绝，不做任何改动",
        ),
    ] = "",
    outcome: Annotated[str, typer.Option("--outcome", help="办理结果（有分支时必填，如 无异议）")] = "",
    note: Annotated[str, text_option("--note", about="备注")] = "",
    force: Annotated[bool, typer.Option("--force", help="时限未满时强制完成（须同时写 --reason）")] = False,
    reason: Annotated[str, text_option("--reason", about="强制完成的理由（记入日志，提示监督）")] = "",
    meeting: Annotated[str, typer.Option("--meeting", help="本步骤的会议记录编号（不写则生成会议记录草稿）")] = "",
    seal: Annotated[str, typer.Option("--seal", help="本步骤的用印登记编号（用印步骤必填）")] = "",
    material: Annotated[
        list[str] | None,
        typer.Option("--material", help="已收到的材料名称（可写多次，名称见 case show --json 的步骤材料）"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """完成办件的当前步骤。时限未满（如公示不少于7日）时拒绝，并说明规则和最早日期。

    脚本和多人同时办理时请写 --step：只完成这一步；办件已不在这一步时拒绝（退出码 3），
    并说明办件现在在哪一步、这一步由谁在何时完成。"""
    if force and not reason.strip():
        fail("使用 --force 时必须用 --reason 写明理由", EXIT_USAGE)
    if reason.strip() and not force:
        fail("--reason 只在 --force 强制完成时使用", EXIT_USAGE)
    site = open_site(ctx)
    moment = cli_common.now()
    materials = list(material or [])
    if materials:
        _check_materials(site, number, materials)
    with handled():
        case = site.cases.complete_step(
            site.operator,
            moment,
            number,
            outcome,
            note,
            reason if force else "",
            meeting=meeting,
            seal=seal,
            step=step,
            materials=materials,
        )
    data = idnumber.mask_in_data(case_to_dict(site, case, moment.date()))
    if as_json:
        print_json(data)
        return
    finished = case.record["history"][-1]
    matter = site.catalog.get(case.matter_id)
    text = f"办件 {case.number}：已完成“{matter.step(finished['step_id']).title}”（{finished['outcome']}）"
    if finished.get("forced_reason"):
        text += "，强制完成已记入日志"
    if data["current_step"]:
        text += f"；下一步：{matter.step(data['current_step']).title}"
    else:
        text += f"；办件{data['status_label']}（{format_date(moment.date())}）"
    out().print(Text(text))
    for t in data["timers"]:
        out().print(Text(f"时限：{t['text']}"))


NUMBER_ARGUMENT = typer.Argument(help="办件编号，如 城关村-2026-0001", metavar="NUMBER")


def _reason_given(reason: str, what: str) -> None:
    """Exit 2 before anything is opened when ``--reason`` is missing or blank."""
    if not reason.strip():
        fail(f"{what}必须用 --reason 写明理由（记入日志和归档，提示监督）。未做任何改动", EXIT_USAGE)


def _changed(site: Site, case: Case, text: str, as_json: bool) -> None:
    """Print the changed case: ``--json`` as ``case show``, else one line."""
    if as_json:
        print_json(idnumber.mask_in_data(case_to_dict(site, case, cli_common.now().date())))
    else:
        out().print(Text(idnumber.mask_in_text(text)))


@app.command("reopen")
def reopen_command(
    ctx: typer.Context,
    number: Annotated[str, NUMBER_ARGUMENT],
    reason: Annotated[str, text_option("--reason", about="重开的理由（必填，记入日志和归档，提示监督）")] = "",
    as_json: JsonOption = False,
) -> None:
    """重开上一个已完成的步骤：撤销它的办理结果，办件回到这一步（勾选、材料、备注、公示照旧）。

    只在办件办理中、且当前步骤还没有任何登记（勾选、材料、备注、公示、会议记录、用印、签字）时可以重开；
    否则拒绝并说明已有什么登记，不做任何改动。"""
    _reason_given(reason, "重开步骤")
    site = open_site(ctx)
    with handled():
        case = site.amendments.reopen(site.operator, cli_common.now(), number, reason)
    undone = case.amendments[-1]
    matter = site.catalog.get(case.matter_id)
    title = matter.step(case.record["current"]).title
    position = [s.id for s in matter.steps].index(matter.step(case.record["current"]).id) + 1
    text = (
        f"办件 {case.number}：已重开第{position}步“{title}”，撤销原办理结果“{undone['outcome']}”；"
        "重开已记入日志和归档，提示监督"
    )
    _changed(site, case, text, as_json)


def _close(ctx: typer.Context, number: str, reason: str, kind: str, as_json: bool) -> None:
    what = KIND_WORDS[kind]
    _reason_given(reason, what)
    site = open_site(ctx)
    with handled():
        close = site.amendments.withdraw if kind == "withdraw" else site.amendments.terminate
        case = close(site.operator, cli_common.now(), number, reason)
    entry = case.amendments[-1]
    text = f"办件 {case.number}：{STATUS_LABELS[case.status]}（{format_date(cli_common.now().date())}）"
    if entry.get("notice"):
        text += f"；公示 {entry['notice']} 同日中止，请撤下张贴的公示"
    _changed(site, case, text + f"；{what[:2]}已记入日志和归档，提示监督", as_json)


@app.command("withdraw")
def withdraw_command(
    ctx: typer.Context,
    number: Annotated[str, NUMBER_ARGUMENT],
    reason: Annotated[str, text_option("--reason", about="撤回的理由（必填，如 申请人书面申请撤回）")] = "",
    as_json: JsonOption = False,
) -> None:
    """撤回办件（如申请人撤回申请）：办件结束，状态为已撤回，不能再办理。

    正在公示的，公示同日中止（公示结果写明“公示中止（办件已撤回）”）；关联的会议记录草稿保持原样。"""
    _close(ctx, number, reason, "withdraw", as_json)


@app.command("terminate")
def terminate_command(
    ctx: typer.Context,
    number: Annotated[str, NUMBER_ARGUMENT],
    reason: Annotated[str, text_option("--reason", about="终止的理由（必填）")] = "",
    as_json: JsonOption = False,
) -> None:
    """终止办件（未走完流程即停止办理）：办件结束，状态为已终止，不能再办理。

    正在公示的，公示同日中止（公示结果写明“公示中止（办件已终止）”）；关联的会议记录草稿保持原样。"""
    _close(ctx, number, reason, "terminate", as_json)


@app.command("correct")
def correct_command(
    ctx: typer.Context,
    number: Annotated[str, NUMBER_ARGUMENT],
    subject: Annotated[str, text_option("--subject", about="更正后的事由")] = "",
    reason: Annotated[str, text_option("--reason", about="更正的理由（必填）")] = "",
    as_json: JsonOption = False,
) -> None:
    """更正办件的事由（立案时填写的申请人、议题等）。原事由保留在更正记录中，记入日志和归档。"""
    if not subject.strip():
        fail("请用 --subject 写明更正后的事由。未做任何改动", EXIT_USAGE)
    _reason_given(reason, "更正事由")
    site = open_site(ctx)
    with handled():
        case = site.amendments.correct_subject(site.operator, cli_common.now(), number, subject, reason)
    old = case.amendments[-1]["old"]
    _changed(site, case, f"办件 {case.number}：事由已由“{old}”更正为“{case.subject}”；原事由保留在更正记录中", as_json)
