"""The command line that does what a refusal asks, chosen by the error's type and fields.

The store's messages say what happened and what is to be done in words; only the command line
knows its own commands, so it adds them here (the terminal app offers keys instead:
``tui.refusals``). Nothing here reads a message's text.
"""

from __future__ import annotations

from store.errors import (
    BadExportName,
    Blocked,
    CannotReopen,
    CaseClosed,
    ClockBehind,
    DataDamaged,
    JournalUnchecked,
    Needed,
    NeedsMyName,
    NeedsRecord,
    NoSuchMatter,
    NoSuchVillage,
    NotAnExport,
    NotListed,
    OutOfScope,
    OwnFolderOnly,
    RecordChangedOutside,
    StdinEmpty,
    StdinOnly,
    StepMismatch,
    StoreError,
    TooEarly,
    VerdictContradicts,
    WrapperOnly,
)
from store.resources import ResourceProblem

RESTORE_FROM_STDIN = "cunwu restore - --dry-run < 备份.tar.gz，核对后 cunwu restore - --yes < 备份.tar.gz"
ANCHOR_FROM_STDIN = "cunwu restore 备份 --dry-run --anchor - < 锚点副本.json"


def staff_line(account: str, role: str = "角色", village: str = "[:村]") -> str:
    return f"cunwu init --staff {account}=姓名:{role}{village}"


def hint(exc: StoreError) -> str:
    """What to run about ``exc``, as one line; empty when the message needs no command."""
    if isinstance(exc, TooEarly):
        outcome = f" --outcome {exc.outcome}" if exc.outcome else ""
        return f"如确需提前完成（强制完成）：cunwu case step {exc.case} --step {exc.step_id}{outcome} --force --reason 理由"
    if isinstance(exc, NeedsRecord):
        return _needs(exc)
    if isinstance(exc, NeedsMyName):
        return "在同一条 cunwu init 命令中加上 --name 你的姓名，如 --name 王文书"
    if isinstance(exc, VerdictContradicts):
        return f"查看异议的核实结果：cunwu notice show {exc.notice}"
    if isinstance(exc, CannotReopen):
        if exc.blocked is Blocked.NOTHING_DONE:
            return ""
        if exc.blocked is Blocked.RECORDED and exc.ticked:
            return f"查看当前步骤：cunwu case show {exc.case}（勾选和备注可在终端界面的办件页取消后暂存）"
        return f"查看办件的最新状态：cunwu case show {exc.case}"
    if isinstance(exc, CaseClosed):
        return f"查看办件：cunwu case show {exc.case}"
    if isinstance(exc, StepMismatch):
        return f"查看办件的最新状态：cunwu case show {exc.case}"
    if isinstance(exc, DataDamaged):
        if not exc.village:
            return ""
        village = exc.village
        return (
            f"请管理员先查看修复将重建什么：cunwu repair --village {village} --dry-run，"
            f"核对后重建：cunwu repair --village {village} --yes"
        )
    if isinstance(exc, RecordChangedOutside):
        return "请管理员查明：cunwu verify；按日志把记录改回：cunwu repair --dry-run，核对后 cunwu repair --yes"
    if isinstance(exc, ClockBehind):
        return "检查服务器时间：cunwu doctor"
    if isinstance(exc, ResourceProblem):
        return "查看剩余空间和数据目录的权限：cunwu doctor"
    if isinstance(exc, NotListed):
        return f"本账号只能运行 cunwu matters、cunwu show 和 cunwu doctor。请管理员登记：{staff_line(exc.account)}"
    if isinstance(exc, OutOfScope):
        if exc.villages:
            return ""
        return f"请管理员指定所在村：{staff_line(exc.account, exc.role, ':村名')}"
    if isinstance(exc, NoSuchMatter):
        return "查看全部事项编号：cunwu matters"
    if isinstance(exc, NoSuchVillage):
        return f"新增村请管理员运行：cunwu init --village {exc.village}"
    if isinstance(exc, OwnFolderOnly):
        return "写到本人的导出目录后查看和取出：cunwu export files；cunwu export get 文件名 --to 文件"
    if isinstance(exc, StdinEmpty):
        return f"从标准输入提供备份：{RESTORE_FROM_STDIN}"
    if isinstance(exc, StdinOnly):
        if exc.what == "anchor":
            return f"从标准输入提供锚点副本：{ANCHOR_FROM_STDIN}"
        return f"从标准输入提供备份：{RESTORE_FROM_STDIN}"
    if isinstance(exc, JournalUnchecked):
        return "查明原因：cunwu verify"
    if isinstance(exc, WrapperOnly):
        return f"请直接运行 cunwu export get {exc.name} --to 文件，或 cunwu export get {exc.name} > 文件"
    if isinstance(exc, NotAnExport | BadExportName):
        return "查看本人可以取出的文件：cunwu export files"
    return ""


def _needs(exc: NeedsRecord) -> str:
    if exc.needed is Needed.NOTICE:
        return (
            f"登记公示：cunwu notice post {exc.case} --posted 张贴日期 --entries-file - < 名单.txt"
            "（没有名单的公示写 --content 公示内容）"
        )
    if exc.needed is Needed.OBJECTION:
        return f"登记异议：cunwu notice object {exc.notice} --from 异议人 --content 异议内容"
    if exc.needed is Needed.VERDICT:
        first = exc.objections[0] if exc.objections else 1
        return (
            f"登记核实结果：cunwu notice decide {exc.notice} --objection {first} --upheld（或 --not-upheld）"
            " --handling 处理情况"
        )
    return (
        f"先登记用印：cunwu seal new --village {exc.village} --seal 印章 --document 文件 --purpose 用途 "
        "--approver 批准人 --keeper 保管人（--meeting 会议记录编号 或 --routine），"
        f"再完成本步骤：cunwu case step {exc.case} --step {exc.step_id} --seal 用印编号"
    )


def message(exc: StoreError) -> str:
    """The store's message, and on the next line the command that does what it asks."""
    more = hint(exc)
    return f"{exc}\n{more}" if more else str(exc)


def first_setup_message(folder: object) -> str:
    """What to tell someone who may not do a data directory's first set-up."""
    return (
        f"数据目录 {folder} 尚未设置。首次设置须由服务器管理员（root）运行，并登记一名管理员："
        "sudo cunwu init --township 乡镇名 --village 村名 --staff 账号=姓名:管理员"
    )
