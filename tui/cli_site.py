"""``cunwu init|due|verify|backup|restore``: the data directory as a whole."""

from __future__ import annotations

import contextlib
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.text import Text

from procedures.recurring import OBLIGATION_LABELS, ObligationState
from store import anchor as anchor_mod
from store import archive, digest, outputs, resources, roles
from store import repair as repair_mod
from store import restore as restore_mod
from store import settings as settings_mod
from store.errors import BadInput, StoreError
from store.site import Site
from store.worklist import STATE_LABELS, due_items, work_list
from tui import cli_common, cli_hints
from tui.cli_common import (
    EXIT_DATA,
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    fail,
    handled,
    open_site,
    out,
    print_json,
    root,
)

DUE_STATE_LABELS = STATE_LABELS
"""The words of home's list (``store.worklist``): one word per state in the app and here."""


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.command("due")(due_command)
    app.command("schedule")(schedule_command)
    app.command("verify")(verify_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("repair")(repair_command)


def init_command(
    ctx: typer.Context,
    township: Annotated[str | None, typer.Option("--township", help="乡（镇）名称")] = None,
    name: Annotated[
        str,
        typer.Option("--name", help="首次设置时写你的真实姓名（你登记为第一位管理员，文书上印这个姓名）"),
    ] = "",
    village: Annotated[list[str] | None, typer.Option("--village", help="村名，可写多次；已有的村保留")] = None,
    staff: Annotated[
        list[str] | None,
        typer.Option(
            "--staff",
            help="人员：账号=姓名:角色[:村[,村…]]，角色为管理员、乡镇、村干部、监委会；村干部和监委会写明所在村。可写多次",
        ),
    ] = None,
    remove_staff: Annotated[
        list[str] | None, typer.Option("--remove-staff", help="从人员名单中删除此账号，可写多次", metavar="ACCOUNT")
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="监督举报电话（印在公示上）")] = None,
    timer: Annotated[
        list[str] | None,
        typer.Option(
            "--timer", help="本地时限：事项编号.步骤编号=天数（0 取消），如 dibao.publicize=10", metavar="KEY=N"
        ),
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="服务器所在时区（如 Asia/Shanghai；空：用系统时区）")
    ] = None,
    group_shared: Annotated[
        bool | None,
        typer.Option(
            "--group-shared/--owner-only",
            help="组共享数据目录：文件 0660、文件夹 2770（见 README 部署一节）；--owner-only 恢复 0600",
            show_default=False,
        ),
    ] = None,
    fonds: Annotated[
        str | None,
        typer.Option("--fonds", help="全宗号（县档案馆编定，如 J047；档号第一段，DA/T 22-2015；空字符串取消）"),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="档案门类代码（如 WS 文书；不设置时用 WS，DA/T 22-2015 档号示例所用）"),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            help="机构（问题）代码：村名=代码（只有一个村时可只写代码；不设置时用村名；村名= 取消）。可写多次",
            metavar="村=CODE",
        ),
    ] = None,
    accept_clock: Annotated[
        bool,
        typer.Option(
            "--accept-clock",
            help="确认服务器现在的时间是对的（日志最新一条晚于现在、是那次保存时时钟偏快时；记入日志，核验会列出）",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """新建或修改设置：乡镇、村名单、人员和角色、监督电话、本地时限、档号代码（首次设置之后只有管理员可以修改）。"""
    villages = village or []
    folder = root(ctx)
    cli_common.use_zone_of(folder)
    if accept_clock:
        archive = fonds is not None or category is not None or unit
        if (
            township
            or villages
            or staff
            or name
            or remove_staff
            or phone
            or timer
            or timezone
            or group_shared is not None
            or archive
        ):
            fail("--accept-clock 须单独使用（不能与其他设置一起修改）。未做任何改动。", EXIT_USAGE)
        with handled():
            site = Site(folder)
            now = cli_common.now()
            newest = site.accept_clock(now)
        out().print(
            Text(
                f"已确认服务器时间 {now:%Y-%m-%d %H:%M} 是对的（日志最新一条记于 {newest[:16].replace('T', ' ')}），已记入日志。"
            )
        )
        return
    with handled():
        site = Site(folder)
        first = not site.settings.township
        if first and not roles.is_admin(site.operator):
            fail(cli_hints.first_setup_message(folder), EXIT_REFUSED)
        if not township and first:
            fail("首次设置请写明乡镇：cunwu init --township 乡镇名 --village 村名 --name 你的姓名", 2)
        if not villages and not site.settings.villages:
            fail("请至少写一个村：--village 村名", 2)
        change = settings_mod.Change(
            township,
            tuple(villages),
            tuple(staff or ()),
            tuple(remove_staff or ()),
            phone,
            tuple(timer or ()),
            timezone,
            group_shared,
            fonds,
            category,
            tuple(unit or ()),
            my_name=name,
        )
        before = site.settings
        settings = site.change_settings(cli_common.now(), change)
    if as_json:
        print_json(settings.as_dict())
        return
    console = out()
    lines = settings_mod.describe(before, settings)
    if not lines:
        console.print(Text("设置没有变化，未做任何改动。"))
    for line in lines:
        console.print(Text(f"已修改 {line}"))
    if before.group_shared != settings.group_shared:
        mode = "chmod -R g+rw" if settings.group_shared else "chmod -R go-rwx"
        console.print(
            Text(
                f"注意：已有文件的权限不会自动改变，请 root 运行 {mode} {folder}；"
                "已经打开的 cunwu 要重新打开才按新设置写文件。"
            )
        )
    console.print(Text(f"当前设置：{settings.township}，村：{'、'.join(settings.villages)}（数据目录 {folder}）"))


def due_command(
    ctx: typer.Context,
    within: Annotated[
        int,
        typer.Option(
            "--within",
            min=0,
            max=3660,
            help="列出多少天内到期的事项（周期性工作至少列到本月底；--json 只列这些天内的）",
        ),
    ] = 7,
    village: Annotated[str | None, typer.Option("--village", help="只看此村")] = None,
    as_json: JsonOption = False,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="登录提示：按本账号的村和角色，每村一行列出逾期、今日到期、待签、整改逾期、整改待销号的件数；无事不显示",
        ),
    ] = False,
) -> None:
    """到期提醒：超期和即将到期的办件时限、期满可完成的公示期、会议记录草稿、其他在办的办件，以及三会一课等周期性工作（每项一行，列出待完成的村），超期的在前。"""
    if brief:
        if as_json:
            fail("--brief 是登录时的简短提示，不能与 --json 同用；脚本请用 cunwu due --json。", EXIT_USAGE)
        brief_digest(ctx, village)
        return
    site = open_site(ctx)
    today = cli_common.now().date()
    with handled():
        village = site.cases.village(village) if village else None
        if as_json:
            items = due_items(site, today, within, village)
        else:
            work = work_list(site, today, within, village)
    if as_json:
        print_json([i.as_dict() for i in items])
        return
    console = out()
    if not work.counts():
        console.print(Text(f"{within} 天内没有到期事项。"))
        return
    for i in work.cases:
        console.print(Text(f"[{DUE_STATE_LABELS.get(i.state, i.state)}] {i.due.isoformat()} {i.village} {i.number}"))
        console.print(Text(f"    {i.matter}·{i.step}：{i.text}"))
    for d in work.drafts:
        console.print(Text(f"[{DUE_STATE_LABELS['draft']}] {d.day.isoformat()} {d.village} {d.describe()}"))
    for c in work.undated:
        console.print(Text(f"[{DUE_STATE_LABELS['open']}] {c.since.isoformat()}起 {c.village} {c.describe()}"))
    for fix in work.fixes:
        late = (today - fix.deadline).days
        console.print(Text(f"[{DUE_STATE_LABELS['fix']}] {fix.deadline.isoformat()} {fix.village} {fix.number}"))
        console.print(Text(f"    整改：{fix.problem}（已超期 {late} 日）"))
    for duty in work.duties:
        label = DUE_STATE_LABELS[duty.state.value]
        console.print(Text(f"[{label}] {duty.window_end.isoformat()} 周期性工作 {duty.describe()}"))
        console.print(Text(f"    {duty.matter.name}·{duty.step.title}（{duty.timer.describe()}）"))
    console.print(Text(f"{today.month}月{today.day}日共计：{work.counts()}。"))


def brief_digest(ctx: typer.Context, village: str | None) -> None:
    """``cunwu due --brief``, run at every SSH login (deploy/setup-server.sh): a few lines, or
    nothing. It never fails the login: an account the settings do not list, or a data directory
    not set up yet, gets nothing; any error one short line on stderr; the exit status is 0."""
    try:
        folder = root(ctx)
        if not settings_mod.settings_path(folder).is_file():
            return  # not set up (and not made here: a login creates nothing)
        site = Site(folder)
        if not site.settings.villages or not roles.known(site.operator):
            return
        cli_common.use_zone_of(site.root)
        today = cli_common.now().date()
        found = digest.lines(site, today, site.cases.village(village) if village else None)
    except Exception as exc:  # whatever it is, the login goes on
        if isinstance(exc, OSError):  # a folder it may not read: said as every command says it
            exc = resources.problem(exc, doing=resources.ACCESS) or exc
        reason = cli_hints.message(exc) if isinstance(exc, StoreError) else type(exc).__name__
        sys.stderr.write(f"cunwu 待办提示未能显示：{reason.splitlines()[0] if reason else '未知错误'}\n")
        return
    if found:
        console = out()
        console.print(Text(f"cunwu 待办（{today.month}月{today.day}日，详见 cunwu due）："))
        for line in found:
            console.print(Text(f"  {line}"))
    damaged = sorted({path.parent.name for path in site.store.skipped})
    if damaged:
        sys.stderr.write(f"cunwu 待办提示：{'、'.join(damaged)}的数据文件已损坏，未计入；请管理员运行 cunwu verify。\n")


SCHEDULE_LABELS = {
    "overdue": "上期未完成",
    "due": OBLIGATION_LABELS[ObligationState.DUE],
    "met": OBLIGATION_LABELS[ObligationState.MET],
}
"""The current period's state, in the words of home and ``cunwu due`` (待完成, 已完成); a duty
whose last period went unmet is 上期未完成."""


def schedule_command(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help="只看此村")] = None,
    as_json: JsonOption = False,
) -> None:
    """三会一课等周期性工作：每村每项上次完成日期、本期状态和下次截止日期，未完成的在前。"""
    site = open_site(ctx)
    with handled():
        village = site.cases.village(village) if village else None
        rows = site.schedule(cli_common.now().date(), village)
    if as_json:
        print_json(rows)
        return
    console = out()
    for r in rows:
        last = r["last_done"] or "无记录"
        console.print(
            Text(
                f"[{SCHEDULE_LABELS[r['state']]}] {r['village']} {r['matter']}（{r['rule']}）上次：{last}，截止：{r['next_due']}"
            )
        )


def verify_command(
    ctx: typer.Context,
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="用这个锚点文件核对（如另存的锚点副本），而不是设置中的锚点；写 - 则从标准输入读取"
            "（共享服务器上只能写 -：cunwu verify --anchor - < 锚点副本.json）",
            metavar="FILE",
            readable=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """核验：日志哈希链是否完整、是否与锚点相符、数据文件能否读取、每条记录是否与日志一致。"""
    site = open_site(ctx, need_settings=False)
    copy = _anchor_copy(site, anchor, "cunwu verify --anchor - < 锚点副本.json")
    with handled(), _anchor_path(copy) as anchor_file:
        # A damaged data file is one problem among the others, never the only thing said.
        report = site.verify(anchor_file, skip_damaged=True, now=cli_common.now())
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "records": report.records,
                "head": report.head,
                "forced": report.forced,
                "recovered": report.recovered,
                "amended": report.amended,
                "problems": report.problems,
                "anchor": report.anchor.as_dict(),
                "changes": [c.as_dict() for c in report.changes],
                "clock": report.clock,
                "interrupted": report.interrupted,
            }
        )
    else:
        console = out()
        if report.ok:
            console.print(
                Text(f"核验通过：日志 {report.entries} 条，记录 {report.records} 条，链头 {report.head[:16]}")
            )
        else:
            console.print(Text(f"核验未通过（{len(report.problems)} 处）：", style="bold"))
            for problem in report.problems:
                console.print(Text(f"  - {problem}"))
        anchored = report.anchor
        if anchored.status == "ok" and anchored.anchor is not None:
            console.print(Text(f"锚点 {anchored.path}：序号 {anchored.anchor.seq} 与日志相符"))
        elif anchored.status in ("missing", "unchecked"):
            console.print(Text(f"提示：{anchored.message}"))
        if report.forced:
            console.print(Text(f"提示：有 {report.forced} 个步骤是强制完成的（见日志）"))
        if report.recovered:
            console.print(Text(f"提示：有 {report.recovered} 次保存中断已记录"))
        if report.amended:
            console.print(
                Text(f"提示：有 {report.amended} 次重开步骤、撤回或终止办件、更正事由（理由见各办件的更正记录）")
            )
        for warning in report.clock:
            console.print(Text(f"注意：{warning}"))
        for warning in report.interrupted:
            console.print(Text(f"注意：{warning}"))
        if report.changes:
            console.print(
                Text(f"设置变更、备份恢复和数据修复（人员、角色、村、时限、时钟等，共 {len(report.changes)} 次）：")
            )
            for change in report.changes:
                when = change.ts[:16].replace("T", " ")
                console.print(Text(f"  {when} [{change.kind}] {change.who}：{'；'.join(change.changes)}"))
    if not report.ok:
        raise typer.Exit(EXIT_DATA)


def backup_command(
    ctx: typer.Context,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="备份文件路径，以 .tar.gz 结尾（默认存到数据目录的 backups/full/；不能在数据目录之内；"
            "共享服务器上只能写到本人的导出目录）",
            metavar="FILE",
            readable=False,
        ),
    ] = None,
) -> None:
    """备份整个数据目录（设置、办件、日志）为一个 .tar.gz 文件（管理员和乡镇账号）。"""
    site = open_site(ctx, need_settings=False)
    with handled():
        path = archive.backup(site, cli_common.now(), out_path)
    out().print(Text(f"已备份到 {path}"))


STDIN = "-"
ANCHOR_LIMIT = 64 * 1024
"""An anchor file is about 200 bytes: standard input beyond this is not one."""


def restore_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="备份文件：cunwu backup 生成的 .tar.gz，或 backups/hourly|daily/ 下某个数据文件的备份；"
            "写 - 则从标准输入读取 .tar.gz（共享服务器上，数据目录 backups/ 和本人导出目录以外的备份须这样提供）",
            metavar="PATH",
            readable=False,
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="确认恢复（会覆盖当前数据，覆盖前自动另存）")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出会改动什么，不做任何改动")] = False,
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="数据目录丢失时，用这个锚点文件（如另存的锚点副本）核对备份；写 - 则从标准输入读取（共享服务器上只能写 -）",
            metavar="FILE",
            readable=False,
        ),
    ] = None,
) -> None:
    """从备份恢复数据（只有管理员；不会自动进行；备份须通过核验，恢复前的数据另存，恢复本身记入日志）。

    cunwu restore 备份.tar.gz --dry-run，或 cunwu restore - --dry-run < 备份.tar.gz；核对后把 --dry-run 换成 --yes。"""
    site = open_site(ctx, need_settings=False)
    with handled():
        roles.require_admin(site.operator, "恢复备份")
    from_stdin = str(path) == STDIN
    named = archive.STDIN_NAME + "中的备份" if from_stdin else outputs.shown(path)
    if not yes and not dry_run:
        fail(
            f"恢复会用 {named} 覆盖当前数据（当前数据会先另存）。先看会改动什么：加 --dry-run；确认恢复请加 --yes。", 1
        )
    if from_stdin and anchor is not None and str(anchor) == STDIN:
        fail(
            "备份和 --anchor 都写了 -，但标准输入只能读一次。请用路径给出备份（共享服务器上须在数据目录的 backups/ "
            "或本人的导出目录中）：cunwu restore 备份路径 --dry-run --anchor - < 锚点副本.json。未做任何改动。",
            EXIT_USAGE,
        )
    copy = _anchor_copy(site, anchor, "cunwu restore 备份路径 --dry-run --anchor - < 锚点副本.json")
    source: Path | IO[bytes] = _stdin("备份", "cunwu restore - --dry-run < 备份.tar.gz") if from_stdin else path
    with handled():
        plan = restore_mod.restore(site, cli_common.now(), source, dry_run=dry_run, anchor_file=copy)
    console = out()
    if plan.empty:
        console.print(Text(f"备份 {plan.source} 与当前数据一致，未做任何改动。"))
        return
    head = "试运行（未做任何改动），恢复" if dry_run else "已恢复"
    console.print(Text(f"{head} {plan.source} 会改动：" if dry_run else f"{head} {plan.source}："))
    for line in plan.lines():
        console.print(Text(f"  {line}"))
    if not dry_run and (plan.writes or plan.removes):
        console.print(Text("被替换或移走的文件另存在数据目录的 backups/pre-restore/ 下。"))


def repair_command(
    ctx: typer.Context,
    village: Annotated[str | None, typer.Option("--village", help="只修复这个村的数据文件")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="确认修复（原来的文件另存在 backups/damaged/）")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出会修复什么，不做任何改动")] = False,
) -> None:
    """修复数据文件（只有管理员）：损坏、丢失或被直接改动过的村数据文件，按日志把每条记录补回到最后一次保存的内容。

    每条记录从文件本身、改动记录（每次保存时另存的内容）或备份中找与日志完全一致的版本，找不到的列出，不猜测。
    cunwu repair --dry-run 先看会修复什么，再 cunwu repair --yes（可加 --village 村名）。"""
    site = open_site(ctx)
    where = village.strip() if village else None
    overviews: list[Path] = []
    findings: list[Path] = []
    if dry_run or not yes:
        with handled():
            found = repair_mod.plan(site, where)
    else:
        with handled():
            found = repair_mod.carry_out(site, cli_common.now(), where, overviews, findings)
    console = out()
    if overviews:
        console.print(
            Text(f"重新生成了 {len(overviews)} 个概览文件（首页和到期提醒读取的摘要，由数据文件生成，不含新内容）。")
        )
    if findings:
        console.print(
            Text(
                f"重新生成了 {len(findings)} 个风险提示汇总文件（监督页面和风险提示读取的汇总，由数据文件生成，不含新内容）。"
            )
        )
    if not found:
        named = f"{where}的" if where else ""
        nothing = "" if overviews or findings else "未做任何改动。"
        console.print(Text(f"{named}数据文件都能读取，每条记录都与日志一致，不需要修复。{nothing}"))
        return
    head = "试运行（未做任何改动），修复会重建" if dry_run or not yes else "已修复，重建了"
    console.print(Text(f"{head} {len(found)} 个数据文件："))
    for repair in found:
        for line in repair.lines():
            console.print(Text(f"  {line}"))
    if dry_run:
        return
    if not yes:
        fail("以上是修复会做的事，未做任何改动。确认修复请加 --yes。", 1)
    console.print(Text("原来的文件另存在数据目录的 backups/damaged/ 下；修复已记入日志。"))
    lost = sum(len(r.lost) for r in found)
    if lost:
        fail(
            f"有 {lost} 条记录在文件、改动记录和备份中都找不到与日志一致的内容，未能补回（见上面的列表）；"
            "请用纸质档案核对后重新登记，cunwu verify 会一直列出它们。",
            EXIT_DATA,
        )


def _stdin(what: str, example: str) -> IO[bytes]:
    """Standard input as bytes, for ``-``; refused when there is none or it is a terminal
    (a backup or an anchor copy is a file: ``< 文件``)."""
    stream = sys.stdin
    buffer: IO[bytes] | None = getattr(stream, "buffer", None) if stream is not None else None
    if stream is None or buffer is None:
        fail(f"写了 -，但没有标准输入。请用 < 文件 提供{what}：{example}。未做任何改动。", EXIT_USAGE)
    if stream.isatty():
        fail(f"写了 -，但标准输入是终端。请用 < 文件 提供{what}：{example}。未做任何改动。", EXIT_USAGE)
    return buffer


def _anchor_copy(site: Site, anchor: Path | None, example: str) -> Path | bytes | None:
    """``--anchor``: None, the copy's content read from standard input (``-``, at most
    ``ANCHOR_LIMIT`` bytes), or a path; in shared mode only ``-`` (the service account does not
    open a path a person names). Refused before anything is opened or read."""
    if anchor is None:
        return None
    if str(anchor) == STDIN:
        raw = _stdin("锚点副本", example).read(ANCHOR_LIMIT + 1)
        if len(raw) > ANCHOR_LIMIT:
            fail(
                f"标准输入超过 {ANCHOR_LIMIT // 1024} KiB，不是锚点副本（head.json 只有几百字节）。未做任何改动。",
                EXIT_USAGE,
            )
        try:
            anchor_mod.parse(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            fail(f"标准输入中的锚点副本无效（{exc}）：应为锚点文件 head.json 的内容。未做任何改动。", EXIT_USAGE)
        return raw
    if site.operator.via_sudo:
        refusal = restore_mod.shared_anchor_refusal()
        fail(f"{refusal}\n从标准输入提供锚点副本：{example}", refusal.exit_code)
    with handled():
        path = outputs.given_path(anchor, "锚点文件")
        try:
            info = path.stat()
        except FileNotFoundError:
            raise BadInput(f"锚点文件 {outputs.shown(anchor)} 不存在") from None
        except OSError as exc:
            raise outputs.path_error(anchor, exc, "锚点文件") from None
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"锚点文件 {outputs.shown(anchor)} 不是普通文件")
    return path


@contextlib.contextmanager
def _anchor_path(copy: Path | bytes | None) -> Iterator[Path | None]:
    """``copy`` as a path for ``verify``: a copy read from standard input goes into a private
    temporary file (0600 in a 0700 folder), removed again afterwards."""
    if not isinstance(copy, bytes):
        yield copy
        return
    folder = Path(tempfile.mkdtemp(prefix="cunwu-anchor-"))
    try:
        file = folder / "标准输入的锚点副本.json"
        with outputs.Place(folder, allowed=False).create(file.name) as fh:
            fh.write(copy)
        yield file
    finally:
        shutil.rmtree(folder, ignore_errors=True)
