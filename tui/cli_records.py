"""``cunwu meeting|notice|seal``: minutes with votes, public notices with objections, the seal register."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.text import Text

from procedures import idnumber
from procedures.periods import format_date, free_from
from procedures.roster import tally
from store import shapes
from store.errors import BadInput
from store.identity import who_did
from store.meetings import STATES, counts_source, present_names
from store.notices import notice_period, standing
from store.records import parse_date
from tui import cli_common
from tui.cli_common import JsonOption, fail, handled, open_site, out, print_json
from tui.cli_input import entries_file_option, lines_option, notice_entries, text_option

meeting_app = typer.Typer(
    help="会议记录：登记、修改草稿、确认、锁定、追加更正。", no_args_is_help=True, rich_markup_mode=None
)
notice_app = typer.Typer(
    help="公示：登记张贴、查看（身份证号遮蔽）、登记异议。", no_args_is_help=True, rich_markup_mode=None
)
seal_app = typer.Typer(help="用印登记簿：登记用印、列出。", no_args_is_help=True, rich_markup_mode=None)

Many = list[str] | None
VillageOpt = Annotated[str, typer.Option("--village", help="村名")]


def _indexed(values: Many, what: str, parts: int) -> list[tuple[int, list[str]]]:
    """``序号:…`` items (``--vote 1:20:3:4``) split into (index, fields)."""
    out = []
    for value in values or []:
        fields = value.replace("：", ":").split(":", parts - 1)
        if len(fields) < 2 or not fields[0].strip().isdigit():
            raise BadInput(f"{what}“{value}”格式不对，开头应为议题序号，如 1:…")
        out.append((int(fields[0]), [f.strip() for f in fields[1:]]))
    return out


def meeting_fields(
    kind: str | None,
    title: str | None,
    start: str | None,
    end: str | None,
    place: str | None,
    host: str | None,
    recorder: str | None,
    expected: int | None,
    present: int | None,
    household: bool | None,
    absent: Many,
    attendee: Many,
    written: Many,
    item: Many,
    speech: Many,
    vote: Many,
    resolution: Many,
    mark: Many = None,
    others: str | None = None,
) -> dict[str, Any]:
    """The options of ``meeting new``/``edit`` as the store's fields (None: not given)."""
    fields: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "start": start,
        "end": end,
        "place": place,
        "host": host,
        "recorder": recorder,
        "expected": expected,
        "present": present,
        "by_household": household,
        "absent": absent,
        "attendees": attendee,
        "written": written,
        "marks": marks(mark) if mark else None,
        "others": others,
    }
    if item or speech or vote or resolution:
        items: list[dict[str, Any]] = [{"title": t, "speeches": [], "vote": None, "resolution": ""} for t in item or []]

        def at(index: int, what: str) -> dict[str, Any]:
            if not 1 <= index <= len(items):
                raise BadInput(f"{what}指向第 {index} 项议题，但只登记了 {len(items)} 项（用 --item 登记议题）")
            return items[index - 1]

        for index, rest in _indexed(speech, "发言", 3):
            if len(rest) != 2:
                raise BadInput("发言格式：议题序号:发言人:发言摘要")
            at(index, "发言")["speeches"].append({"name": rest[0], "summary": rest[1]})
        for index, rest in _indexed(vote, "表决", 7):
            numbers = rest[:3] + rest[4:]
            if len(rest) not in (3, 4, 6) or not all(x.isdigit() for x in numbers):
                raise BadInput("表决格式：议题序号:赞成:反对:弃权[:举手|无记名[:书面赞成:书面反对]]，如 1:20:3:4")
            at(index, "表决")["vote"] = {
                "ayes": int(rest[0]),
                "nays": int(rest[1]),
                "abstain": int(rest[2]),
                "method": rest[3] if len(rest) >= 4 else "举手",
                "written_ayes": int(rest[4]) if len(rest) == 6 else 0,
                "written_nays": int(rest[5]) if len(rest) == 6 else 0,
            }
        for index, rest in _indexed(resolution, "决议", 2):
            at(index, "决议")["resolution"] = rest[0]
        fields["items"] = items
    return fields


def marks(values: list[str]) -> list[dict[str, str]]:
    """``--mark`` lines: 姓名:出席, 姓名:缺席:原因, 姓名:书面意见:意见, 姓名:委托:受托人 (a 名册编号
    instead of the name where two people share it)."""
    out = []
    for value in values:
        parts = [p.strip() for p in value.replace("：", ":").split(":", 2)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise BadInput(f"出席登记“{value}”格式不对：{MARK_FORMAT}。未做任何改动。")
        out.append({"who": parts[0], "mark": parts[1], "note": parts[2] if len(parts) > 2 else ""})
    return out


MARK_FORMAT = "每行 姓名:出席、姓名:缺席:原因、姓名:书面意见:意见 或 姓名:委托:受托人姓名（同名时用名册编号代替姓名）"
M = typer.Option


@meeting_app.command("new")
def meeting_new(
    ctx: typer.Context,
    village: VillageOpt,
    kind: Annotated[
        str,
        M(
            "--kind",
            help="会议类别：支部党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议党员、两委联席会议、村民代表会议、村民会议、村务监督委员会会议、其他会议",
        ),
    ],
    title: Annotated[str, text_option("--title", about="会议名称")],
    start: Annotated[str, M("--start", help="开始时间，如 2026-11-27 09:00")],
    end: Annotated[str | None, M("--end", help="结束时间")] = None,
    place: Annotated[str | None, text_option("--place", about="地点")] = None,
    host: Annotated[str | None, text_option("--host", about="主持人")] = None,
    recorder: Annotated[str | None, text_option("--recorder", about="记录人")] = None,
    expected: Annotated[int, M("--expected", help="应到人数")] = 0,
    present: Annotated[int, M("--present", help="实到人数")] = 0,
    household: Annotated[bool, M("--household", help="村民会议按户代表计（三分之二以上的户）")] = False,
    absent: Annotated[Many, lines_option("--absent", about="缺席人员及原因：姓名:原因，可写多次")] = None,
    attendee: Annotated[Many, lines_option("--attendee", about="列席人员，可写多次")] = None,
    written: Annotated[Many, lines_option("--written", about="书面意见：姓名:意见，可写多次")] = None,
    item: Annotated[Many, lines_option("--item", about="议题，按顺序可写多次")] = None,
    speech: Annotated[Many, lines_option("--speech", about="发言：议题序号:发言人:摘要")] = None,
    vote: Annotated[
        Many,
        M(
            "--vote",
            help="表决：议题序号:赞成:反对:弃权[:举手|无记名[:书面赞成:书面反对]]（书面意见票只计入支部党员大会）",
        ),
    ] = None,
    resolution: Annotated[Many, lines_option("--resolution", about="决议：议题序号:决议内容")] = None,
    mark: Annotated[Many, lines_option("--mark", about=f"逐人登记出席（本村名册有应到人员时）：{MARK_FORMAT}")] = None,
    others: Annotated[str | None, M("--others", help="其余未登记的应到人员一律记为：出席、缺席")] = None,
    as_json: JsonOption = False,
) -> None:
    """登记会议记录（草稿）：出席、议题、发言、表决；按会议类别的规则计算法定人数和表决结果。

    本村名册有这类会议的应到人员时（如村民代表会议：村委会委员和村民代表），应到按会议当天的名册，
    实到按 --mark 逐人登记得出，不能用 --expected/--present 手填。"""
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village)
        fields = meeting_fields(
            kind,
            title,
            start,
            end,
            place,
            host,
            recorder,
            expected,
            present,
            household,
            absent,
            attendee,
            written,
            item,
            speech,
            vote,
            resolution,
            mark,
            others,
        )
        record = site.meetings.new(site.operator, cli_common.now(), name, fields)
    _report_meeting(record, as_json)


@meeting_app.command("edit")
def meeting_edit(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="会议记录编号，如 城关村-2026-HY0001", metavar="NUMBER")],
    rev: Annotated[int | None, M("--rev", help="所依据的版本号（防止覆盖他人修改）")] = None,
    kind: Annotated[str | None, M("--kind", help="会议类别")] = None,
    title: Annotated[str | None, text_option("--title", about="会议名称")] = None,
    start: Annotated[str | None, M("--start", help="开始时间")] = None,
    end: Annotated[str | None, M("--end", help="结束时间")] = None,
    place: Annotated[str | None, text_option("--place", about="地点")] = None,
    host: Annotated[str | None, text_option("--host", about="主持人")] = None,
    recorder: Annotated[str | None, text_option("--recorder", about="记录人")] = None,
    expected: Annotated[int | None, M("--expected", help="应到人数")] = None,
    present: Annotated[int | None, M("--present", help="实到人数")] = None,
    household: Annotated[bool | None, M("--household/--no-household", help="村民会议按户代表计")] = None,
    absent: Annotated[Many, lines_option("--absent", about="缺席人员及原因（写了就整体替换）")] = None,
    attendee: Annotated[Many, lines_option("--attendee", about="列席人员（写了就整体替换）")] = None,
    written: Annotated[Many, lines_option("--written", about="书面意见（写了就整体替换）")] = None,
    item: Annotated[Many, lines_option("--item", about="议题（写了就整体替换议题、发言、表决、决议）")] = None,
    speech: Annotated[Many, lines_option("--speech", about="发言：议题序号:发言人:摘要")] = None,
    vote: Annotated[Many, M("--vote", help="表决：议题序号:赞成:反对:弃权[:方式]")] = None,
    resolution: Annotated[Many, lines_option("--resolution", about="决议：议题序号:决议内容")] = None,
    mark: Annotated[Many, lines_option("--mark", about=f"逐人登记出席（只改写到的人）：{MARK_FORMAT}")] = None,
    others: Annotated[str | None, M("--others", help="其余未登记的应到人员一律记为：出席、缺席")] = None,
    as_json: JsonOption = False,
) -> None:
    """修改会议记录草稿（已确认、已锁定的不能修改）。"""
    site = open_site(ctx)
    with handled():
        current = site.meetings.get(number)
        if (speech or vote or resolution) and not item:
            item = [i["title"] for i in current["items"]]
        fields = meeting_fields(
            kind,
            title,
            start,
            end,
            place,
            host,
            recorder,
            expected,
            present,
            household,
            absent,
            attendee,
            written,
            item,
            speech,
            vote,
            resolution,
            mark,
            others,
        )
        record = site.meetings.edit(
            site.operator, cli_common.now(), number, rev if rev is not None else current["rev"], fields
        )
    _report_meeting(record, as_json)


def _some(names: tuple[str, ...], shown: int = 10) -> str:
    """The first names and how many in all: a 村民会议's 1,000 unmarked people are not printed."""
    return "、".join(names[:shown]) + (f"等 {len(names)} 人" if len(names) > shown else "")


def _report_meeting(record: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(shapes.meeting(record))
        return
    record = idnumber.mask_in_data(record)
    console = out()
    console.print(Text(f"会议记录 {record['number']}（{STATES[record['state']]}）：{record['kind']}·{record['title']}"))
    console.print(Text(f"  应到 {record['expected']} 人，实到 {record['present']} 人{counts_source(record)}"))
    unmarked = tally(record.get("roll") or []).unmarked
    if unmarked:
        console.print(Text(f"  尚未登记出席情况：{_some(unmarked)}（会后用 --mark 逐人登记，或 --others 出席）"))
    for i, item in enumerate(record["items"], start=1):
        if item["arithmetic"]:
            console.print(Text(f"  议题{i} {item['title']}：{item['arithmetic']}"))


@meeting_app.command("show")
def meeting_show(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="会议记录编号", metavar="NUMBER")],
    as_json: JsonOption = False,
) -> None:
    """查看会议记录。"""
    site = open_site(ctx)
    with handled():
        record = site.meetings.get(number)
    if as_json:
        print_json(shapes.meeting(record))
        return
    record = idnumber.mask_in_data(record)  # ID numbers in free text masked
    console = out()
    lines = [
        f"{record['number']}  {record['kind']}·{record['title']}（{STATES[record['state']]}）",
        f"时间：{record['start'].replace('T', ' ')}{' 至 ' + record['end'].replace('T', ' ') if record['end'] else ''}  地点：{record['place']}",
        f"主持人：{record['host']}  记录人：{record['recorder']}",
        f"应到 {record['expected']} 人，实到 {record['present']} 人{counts_source(record)}",
    ]
    if record.get("roll"):
        lines.append("出席：" + ("、".join(present_names(record)) or "无"))
        unmarked = tally(record["roll"]).unmarked
        if unmarked:
            lines.append("尚未登记出席情况：" + _some(unmarked))
    lines += [f"缺席：{a['name']}（{a['reason']}）" for a in record["absent"]]
    if record["attendees"]:
        lines.append("列席：" + "、".join(record["attendees"]))
    lines += [f"书面意见：{w['name']}：{w['opinion']}" for w in record["written"]]
    for i, item in enumerate(record["items"], start=1):
        lines.append(f"议题{i}：{item['title']}")
        lines += [f"  {s['name']}：{s['summary']}" for s in item["speeches"]]
        if item["vote"]:
            v = item["vote"]
            lines.append(f"  表决（{v['method']}）：赞成 {v['ayes']}，反对 {v['nays']}，弃权 {v['abstain']}")
            lines.append(f"  {item['arithmetic']}")
        if item["resolution"]:
            lines.append(f"  决议：{item['resolution']}" + ("" if item["passed"] in (True, None) else "（未通过）"))
    lines += [f"更正（{c['at'][:10]} {who_did(c)}）：{c['text']}" for c in record["corrections"]]
    if record.get("case"):
        lines.append(f"关联办件：{record['case']}（{site.step_label(record['case'], record['step'])}）")
    lines.append(f"表决规则：{record['rule']}")
    for line in lines:
        console.print(Text(line))


@meeting_app.command("list")
def meeting_list(
    ctx: typer.Context,
    village: Annotated[str | None, M("--village", help="只列此村")] = None,
    kind: Annotated[str | None, M("--kind", help="只列此类会议")] = None,
    as_json: JsonOption = False,
) -> None:
    """列出会议记录。"""
    site = open_site(ctx)
    with handled():
        found = site.meetings.find(village, kind)
    if as_json:
        print_json([shapes.meeting(m) for m in found])
        return
    found = idnumber.mask_in_data(found)
    for m in found:
        out().print(Text(f"{m['number']}  {m['start'][:10]}  {m['kind']}·{m['title']}（{STATES[m['state']]}）"))
    if not found:
        out().print(Text("没有会议记录。"))


def _state_change(ctx: typer.Context, number: str, action: str) -> None:
    site = open_site(ctx)
    with handled():
        record = getattr(site.meetings, action)(site.operator, cli_common.now(), number)
    out().print(Text(f"会议记录 {record['number']} 已{STATES[record['state']].removeprefix('已')}"))


@meeting_app.command("confirm")
def meeting_confirm(
    ctx: typer.Context, number: Annotated[str, typer.Argument(metavar="NUMBER", help="会议记录编号")]
) -> None:
    """确认会议记录（须已填写主持人、记录人、应到和实到人数、议题；作决定的会议至少登记一项表决，写了决议的议题要有表决）。"""
    _state_change(ctx, number, "confirm")


@meeting_app.command("lock")
def meeting_lock(
    ctx: typer.Context, number: Annotated[str, typer.Argument(metavar="NUMBER", help="会议记录编号")]
) -> None:
    """锁定已确认的会议记录；锁定后只能追加更正。"""
    _state_change(ctx, number, "lock")


@meeting_app.command("correct")
def meeting_correct(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="会议记录编号")],
    text: Annotated[str, text_option("--text", about="更正说明")],
) -> None:
    """给已锁定的会议记录追加更正说明（原记录不变，更正记入日志）。"""
    site = open_site(ctx)
    with handled():
        record = site.meetings.correct(site.operator, cli_common.now(), number, text)
    out().print(Text(f"会议记录 {record['number']} 已追加第 {len(record['corrections'])} 条更正"))


@notice_app.command("post")
def notice_post(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="办件编号（当前步骤须是公示步骤）", metavar="CASE")],
    title: Annotated[str | None, text_option("--title", about="标题，默认“关于（事由）的公示”")] = None,
    content: Annotated[str, text_option("--content", about="公示内容")] = "",
    place: Annotated[str | None, text_option("--place", about="张贴地点，默认村务公开栏")] = None,
    posted: Annotated[
        str | None,
        M(
            "--posted",
            help="张贴日期（默认今天；早于今天的记为补录；先登记、监委会签字后再张贴的，填计划张贴的日子，30 天内）",
        ),
    ] = None,
    late_reason: Annotated[
        str, text_option("--late-reason", about="补录原因（张贴日期早于今天时填写，印在公示结果上）")
    ] = "",
    entry: Annotated[
        Many,
        M(
            "--entry",
            help="公示名单一行：姓名,身份证号,人数,金额[,备注]，可写多次。命令行上不能写身份证号"
            "（其他账号用 ps 可见）：身份证号处留空，或改用 --entries-file",
        ),
    ] = None,
    entries_file: Annotated[str | None, entries_file_option()] = None,
    as_json: JsonOption = False,
) -> None:
    """登记办件当前步骤的公示；张贴日期起算最短公示期。"""
    site = open_site(ctx)
    fields: dict[str, Any] = {
        "title": title,
        "content": content,
        "place": place,
        "entries": entry or [],
        "late_reason": late_reason,
    }
    with handled():
        if entries_file is not None:  # the list's text, from standard input or the file
            fields["entries"] = notice_entries(entries_file, entry, cli_common.now().date())
        if posted:
            fields["posted_on"] = parse_date(posted, "张贴日期")
        stored = site.cases.post_notice(site.operator, cli_common.now(), case, fields)
    notice = shapes.notice(stored)
    if as_json:
        print_json(notice)
        return
    text = f"已登记公示 {notice['number']}：{notice['title']}，{format_date(dt.date.fromisoformat(notice['posted_on']))}张贴"
    if notice["rule"]:
        text += f"；{notice['rule']}，{format_date(free_from(dt.date.fromisoformat(notice['earliest_end'])))}起可结束"
    if notice["backdated"]:
        text += "（补录）"
    out().print(Text(text))


@notice_app.command("show")
def notice_show(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="公示编号，如 城关村-2026-GS0001", metavar="NUMBER")],
    as_json: JsonOption = False,
) -> None:
    """查看公示（身份证号一律遮蔽）。"""
    site = open_site(ctx)
    with handled():
        # The entries' numbers masked (masked), and any ID number in the other texts (names,
        # notes, objections, handling) too.
        raw = site.notices.get(number)
        notice = shapes.notice(raw)
    if as_json:
        print_json(notice)
        return
    period = notice_period(raw)
    lines = [
        f"{notice['number']}  {notice['title']}",
        f"张贴：{notice['posted_on']} {notice['place']}{'（补录）' if notice['backdated'] else ''}",
        f"公示期：{period}" if period else "公示期：（无最短期限）",
        f"规则：{notice['rule'] or '（无最短期限）'}，"
        f"{free_from(dt.date.fromisoformat(notice['earliest_end'])).isoformat()}起可结束",
        notice["content"],
    ]
    lines += [
        f"  {e['name']} {e['id_number']} {e['household']} {e['amount']} {e['note']}".rstrip() for e in notice["entries"]
    ]
    for i, o in enumerate(notice["objections"], start=1):
        state = {True: "异议成立", False: "异议不成立", None: "待核实"}[o["upheld"]]
        lines.append(
            f"第{i}条异议（{o['received']}，{o['from']}）：{o['content']}；处理：{o['handling'] or '—'}（{state}）{'（公示期后）' if o['late'] else ''}"
        )
    lines.append(f"结果：{standing(notice, cli_common.now().date())}")
    for line in lines:
        out().print(Text(line))


@notice_app.command("list")
def notice_list(
    ctx: typer.Context,
    village: Annotated[str | None, M("--village", help="只列此村")] = None,
    as_json: JsonOption = False,
) -> None:
    """列出公示。"""
    site = open_site(ctx)
    with handled():
        found = [shapes.notice(n) for n in site.notices.find(village)]
    if as_json:
        print_json(found)
        return
    for n in found:
        out().print(Text(f"{n['number']}  {n['posted_on']}  {n['title']}  {standing(n, cli_common.now().date())}"))
    if not found:
        out().print(Text("没有公示。"))


@notice_app.command("object")
def notice_object(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="公示编号", metavar="NUMBER")],
    from_whom: Annotated[str, text_option("--from", about="异议人")],
    content: Annotated[str, text_option("--content", about="异议内容")],
    date: Annotated[str | None, M("--date", help="收到日期（默认今天）")] = None,
    handling: Annotated[str, text_option("--handling", about="处理情况")] = "",
    upheld: Annotated[
        bool | None, M("--upheld/--not-upheld", help="核实结果：异议成立 / 异议不成立（不写为待核实）")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """登记公示期间收到的异议；有异议时公示步骤不能按“无异议”办结。"""
    site = open_site(ctx)
    moment = cli_common.now()
    with handled():
        record = site.notices.object(
            site.operator, moment, number, date or moment.date(), from_whom, content, handling, upheld
        )
    if as_json:
        print_json(shapes.notice(record))
    else:
        out().print(Text(f"公示 {record['number']} 已登记第 {len(record['objections'])} 条异议"))


@notice_app.command("decide")
def notice_decide(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="公示编号", metavar="NUMBER")],
    objection: Annotated[int, M("--objection", help="第几条异议（见 cunwu notice show）", min=1)],
    upheld: Annotated[bool, M("--upheld/--not-upheld", help="核实结果：异议成立 / 异议不成立")],
    handling: Annotated[str, text_option("--handling", about="处理情况")],
    as_json: JsonOption = False,
) -> None:
    """登记一条异议的核实结果和处理情况（公示结束后也可登记，核实异议步骤完成前可更正）。"""
    site = open_site(ctx)
    with handled():
        record = site.notices.decide(site.operator, cli_common.now(), number, objection, upheld, handling)
    if as_json:
        print_json(shapes.notice(record))
        return
    verdict = "异议成立" if upheld else "异议不成立"
    text = f"公示 {record['number']} 第 {objection} 条异议：{verdict}"
    if record["result"]:
        text += f"；公示结果：{record['result']}"
    out().print(Text(text))


@seal_app.command("new")
def seal_new(
    ctx: typer.Context,
    village: VillageOpt,
    seal: Annotated[str, M("--seal", help="印章：党支部、村委会、村集体经济组织")],
    document: Annotated[str, text_option("--document", about="用印文件名称")],
    purpose: Annotated[str, text_option("--purpose", about="用途")],
    keeper: Annotated[str, text_option("--keeper", about="印章保管人")],
    approver: Annotated[str, text_option("--approver", about="批准人（不能是印章保管人）")] = "",
    date: Annotated[str | None, M("--date", help="用印日期（默认今天）")] = None,
    copies: Annotated[int, M("--copies", help="份数")] = 1,
    meeting: Annotated[str | None, M("--meeting", help="依据的会议记录编号（重大事项）")] = None,
    routine: Annotated[bool, M("--routine", help="一般常规业务资料，经负责人审阅同意")] = False,
    unapproved: Annotated[bool, M("--unapproved", help="如实登记未经批准的用印（须写 --irregular）")] = False,
    irregular: Annotated[
        str, text_option("--irregular", about="情况说明：未经批准，或批准人即保管人时，如实写明经过（列为监督提示）")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """登记用印。批准人不能是保管人；依据须为会议决议或一般常规业务的负责人审阅同意。
    违反这些规定的用印，写明情况说明后如实登记，并列为监督提示。"""
    if sum(map(bool, (meeting, routine, unapproved))) > 1:
        fail("--meeting、--routine 与 --unapproved 只能选一个", 2)
    site = open_site(ctx)
    with handled():
        name = site.cases.village(village)
        fields: dict[str, Any] = {
            "seal": seal,
            "document": document,
            "purpose": purpose,
            "approver": approver,
            "keeper": keeper,
            "copies": copies,
            "meeting": meeting,
            "routine": routine,
            "unapproved": unapproved,
            "irregular": irregular,
        }
        if date:
            fields["date"] = parse_date(date, "用印日期")
        record = site.seals.new(site.operator, cli_common.now(), name, fields)
    if as_json:
        print_json(shapes.seal(record))
        return
    record = idnumber.mask_in_data(record)
    out().print(
        Text(f"已登记用印 {record['number']}：{record['seal']}印章，{record['document']} {record['copies']} 份")
    )


@seal_app.command("list")
def seal_list(
    ctx: typer.Context,
    village: Annotated[str | None, M("--village", help="只列此村")] = None,
    seal: Annotated[str | None, M("--seal", help="只列此印章")] = None,
    start: Annotated[str | None, M("--from", help="起始日期")] = None,
    end: Annotated[str | None, M("--to", help="截止日期")] = None,
    as_json: JsonOption = False,
) -> None:
    """列出用印登记。"""
    site = open_site(ctx)
    with handled():
        found = site.seals.find(
            village,
            seal,
            parse_date(start, "起始日期") if start else None,
            parse_date(end, "截止日期") if end else None,
        )
    if as_json:
        print_json([shapes.seal(s) for s in found])
        return
    found = idnumber.mask_in_data(found)  # documents, purposes, explanations: free text
    for s in found:
        out().print(
            Text(
                f"{s['number']}  {s['date']}  {s['seal']}  {s['document']}×{s['copies']}  批准：{s['approver']}  依据：{s['basis']['text']}"
            )
        )
    if not found:
        out().print(Text("没有用印登记。"))
