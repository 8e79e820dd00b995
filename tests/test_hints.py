"""The how of a refusal, by its type: a command line on the command line (``tui.cli_hints``),
a key in the app (``tui.refusals``); the store's message stays as it is, first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from store.errors import (
    BadExportName,
    ClockBehind,
    Conflict,
    DataDamaged,
    JournalUnchecked,
    LockTimeout,
    Needed,
    NeedsRecord,
    NoSuchMatter,
    NoSuchVillage,
    NotAnExport,
    NotListed,
    OutOfScope,
    OwnFolderOnly,
    RecordChangedOutside,
    Refused,
    StdinEmpty,
    StdinOnly,
    StepMismatch,
    StoreError,
    TooEarly,
    WrapperOnly,
)
from tui import cli_hints, refusals

CASE = "城关村-2026-0001"
DAMAGED = Path("/srv/cunwu/cases/城关村/2026.json")


def needs(needed: Needed, notice: str = "") -> NeedsRecord:
    return NeedsRecord(
        "须先登记。", needed=needed, case=CASE, village="城关村", step_id="stamp", step_title="盖章", notice=notice
    )


def mismatch() -> StepMismatch:
    return StepMismatch(
        case=CASE,
        wanted="survey",
        wanted_title="入户调查",
        wanted_position=3,
        current="appraise",
        current_title="民主评议",
        current_position=4,
        done_by="张三",
        done_at="2026-11-28 10:05",
        outcome="完成",
    )


TOO_EARLY = TooEarly(
    "未满时限。",
    case=CASE,
    step_id="publicize",
    step_title="公示7日",
    earliest=dt.date(2026, 12, 4),
    rule="不少于7日",
    outcome="无异议",
)

CLI: list[tuple[StoreError, str]] = [
    (TOO_EARLY, f"cunwu case step {CASE} --step publicize --outcome 无异议 --force --reason 理由"),
    (needs(Needed.NOTICE), f"登记公示：cunwu notice post {CASE} --posted 张贴日期 --entries-file - < 名单.txt"),
    (needs(Needed.OBJECTION, "城关村-2026-GS0001"), "登记异议：cunwu notice object 城关村-2026-GS0001 --from"),
    (needs(Needed.SEAL), "cunwu seal new --village 城关村 --seal 印章 --document 文件 --purpose 用途"),
    (needs(Needed.SEAL), f"再完成本步骤：cunwu case step {CASE} --step stamp --seal 用印编号"),
    (mismatch(), f"查看办件的最新状态：cunwu case show {CASE}"),
    (DataDamaged("已损坏。", path=DAMAGED), "cunwu repair --village 城关村 --dry-run"),
    (DataDamaged("已损坏。", path=DAMAGED), "核对后重建：cunwu repair --village 城关村 --yes"),
    (NotListed("lisi"), "请管理员登记：cunwu init --staff lisi=姓名:角色[:村]"),
    (
        OutOfScope("还没有指定所在村。", account="lisi", role="村干部", village="南石村", villages=()),
        "请管理员指定所在村：cunwu init --staff lisi=姓名:村干部:村名",
    ),
    (NoSuchMatter("nosuch"), "cunwu matters"),
    (NoSuchVillage("北村", ("城关村",)), "新增村请管理员运行：cunwu init --village 北村"),
    (StdinOnly("只能从标准输入。", what="backup"), "cunwu restore - --dry-run < 备份.tar.gz"),
    (StdinOnly("只能从标准输入。", what="anchor"), "--anchor - < 锚点副本.json"),
    (JournalUnchecked("日志无法核验。"), "cunwu verify"),
    (WrapperOnly("不能替你写。", name="a.docx"), "cunwu export get a.docx --to 文件"),
    (NotAnExport("没有。", name="a.docx"), "cunwu export files"),
    (BadExportName("不是文件名。"), "cunwu export files"),
    (OwnFolderOnly("只能写到本人的导出目录。", folder="/srv/cunwu/exports/lisi"), "cunwu export get 文件名 --to 文件"),
    (StdinEmpty("标准输入是空的。"), "cunwu restore - --dry-run < 备份.tar.gz"),
    (RecordChangedOutside("case:城关村-2026-0001"), "cunwu repair --dry-run"),
    (ClockBehind("2027-01-01T09:00:00+08:00", "2026-12-06T09:00:00+08:00"), "cunwu doctor"),
]


@pytest.mark.parametrize(("exc", "line"), CLI, ids=[f"{type(e).__name__}-{i}" for i, (e, _) in enumerate(CLI)])
def test_the_command_line_adds_the_command_by_type(exc: StoreError, line: str) -> None:
    shown = cli_hints.message(exc)
    assert shown.startswith(f"{exc}\n") and line in shown.splitlines()[-1]


@pytest.mark.parametrize(
    "exc",
    [
        Refused("一条规则拒绝了。"),
        Conflict("已被他人修改。", number=CASE, expected_rev=1, current_rev=2, by="张三"),
        LockTimeout("张三"),
        DataDamaged("设置文件无法读取。", path=Path("/srv/cunwu/settings.toml")),
        DataDamaged("备份未通过核验。"),
        OutOfScope("不能查看南石村的记录。", account="lisi", role="村干部", village="南石村", villages=("城关村",)),
    ],
)
def test_nothing_is_added_when_there_is_no_command_to_run(exc: StoreError) -> None:
    """A damaged file that is not a village's data file is not rebuilt by repair."""
    assert cli_hints.message(exc) == str(exc)


APP: list[tuple[StoreError, str]] = [
    (TOO_EARLY, "按 F6/d 完成本步时选择“填写理由强制完成”"),
    (needs(Needed.NOTICE), "在办件页按 F7/n 登记公示"),
    (needs(Needed.OBJECTION), "按 F7/n 登记异议"),
    (needs(Needed.SEAL), "在办件页按 F7/n 登记用印"),
    (mismatch(), "按 F5/^R 重新读取最新内容"),
    (Conflict("已被他人修改。"), "按 F5/^R 重新读取最新内容"),
    (DataDamaged("已损坏。", path=DAMAGED), "请联系管理员修复城关村2026年的数据文件"),
    (NoSuchMatter("nosuch"), "在首页按 c 查看全部事项"),
]


@pytest.mark.parametrize(("exc", "line"), APP, ids=[f"{type(e).__name__}-{i}" for i, (e, _) in enumerate(APP)])
def test_the_app_adds_the_key_by_type_and_never_a_command(exc: StoreError, line: str) -> None:
    shown = refusals.message(exc)
    assert shown.startswith(f"{exc}\n") and line in shown and "cunwu" not in shown


def test_the_app_adds_nothing_to_a_plain_refusal_or_a_damaged_backup() -> None:
    for exc in (Refused("一条规则拒绝了。"), DataDamaged("备份未通过核验。"), LockTimeout()):
        assert refusals.message(exc) == str(exc)
