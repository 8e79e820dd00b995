"""One registry of user commands: it feeds every screen's key bindings, the footer and the help screen.

Every action has a letter or Ctrl key besides any F-key (some SSH clients lose F-keys),
none needs Alt, and Escape always goes back.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class Command:
    id: str
    """Stable id (also the binding id)."""
    keys: str
    """Comma-separated Textual key names, first shown in the footer."""
    action: str
    """The action run, e.g. ``app.help`` or ``open``."""
    label: str
    """Short Chinese label for the footer."""
    help: str
    """One sentence for the help screen."""
    show: bool = True
    """Shown in the footer (help always lists it)."""

    @property
    def key_display(self) -> str:
        names = {
            "question_mark": "?",
            "escape": "Esc",
            "enter": "回车",
            "space": "空格",
            "ctrl+q": "^Q",
            "ctrl+s": "^S",
            "ctrl+r": "^R",
            "ctrl+f": "^F",
            "ctrl+n": "^N",
            "ctrl+d": "^D",
            "ctrl+o": "^O",
        }
        return "/".join(
            names.get(k, k.upper() if k.startswith("f") and k[1:].isdigit() else k) for k in self.keys.split(",")
        )

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.show, key_display=self.key_display, id=self.id)


GLOBAL: tuple[Command, ...] = (
    Command("help", "f1,question_mark", "app.help", "帮助", "显示本屏可用的按键"),
    Command("back", "escape", "app.leave", "返回", "返回上一屏"),
    Command("quit", "f10,ctrl+q", "app.quit_app", "退出", "退出程序（已保存的内容不会丢失）"),
    Command("palette", "ctrl+p", "app.command_palette", "命令", "按名称查找并执行本屏的命令", show=False),
)

SCREENS: dict[str, tuple[Command, ...]] = {
    "home": (
        Command("open", "enter", "open", "打开", "打开选中的办件或事项", show=False),
        Command("catalog", "f3,c", "app.catalog", "事项目录", "57 个事项：按类别浏览、按拼音首字母查找"),
        Command("cases", "f4,b", "app.cases", "办件", "办件列表"),
        Command("new_case", "f7,n", "app.new_case", "新建办件", "为某村新建一个事项的办件"),
        Command("meetings", "f8,m", "app.meetings", "会议", "会议记录列表"),
        Command("notices", "f9,g", "app.notices", "公示用印", "公示和用印登记列表"),
        Command("supervision", "f6,j", "app.supervision", "监督", "村务监督：风险提示、日志核验、审核意见和公示签字"),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据"),
    ),
    "catalog": (
        Command("search", "f3,ctrl+f", "focus_search", "查找", "把光标移到查找框（输入中文或拼音首字母，如 dbsq）"),
        Command("open", "enter", "open", "打开", "查看选中事项的流程、时限、廉政风险点", show=False),
        Command("new_case", "f7,ctrl+n", "new_case", "新建办件", "为选中的事项新建办件"),
    ),
    "matter": (Command("new_case", "f7,n", "new_case", "新建办件", "为本事项新建办件"),),
    "cases": (
        Command("open", "enter", "open", "打开", "打开选中的办件", show=False),
        Command("new_case", "f7,n", "app.new_case", "新建办件", "新建办件"),
        Command("filter", "f3,ctrl+f", "focus_filter", "筛选", "按村、状态、是否超期筛选"),
        Command(
            "export_ledger",
            "f8,x",
            "export",
            "导出",
            "导出一个事项一年的办件台账（Word，后台生成）：先选事项、年度和村",
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据"),
    ),
    "case": (
        Command(
            "complete", "f2,ctrl+d", "complete", "完成本步", "完成当前步骤（有分支时选择结果；时限未满会说明规则）"
        ),
        Command("save", "ctrl+s", "save_progress", "暂存", "保存已勾选的清单、材料和备注，不完成步骤"),
        Command("notice", "f6,ctrl+o", "notice", "公示", "登记或查看本步骤的公示，登记异议"),
        Command("meeting", "f8,m", "meeting", "会议记录", "为本步骤登记会议记录"),
        Command("seal", "f9,y", "seal", "用印", "为本步骤登记用印"),
        Command(
            "export",
            "f3,x",
            "export",
            "导出",
            "导出 Word 文书：归档卷宗、公示、公示结果（在后台进行，完成后显示文件位置）",
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取办件"),
        Command(
            "correct", "f4,e", "correct_subject", "更正事由", "更正办件的事由（原事由保留在更正记录中）", show=False
        ),
        Command(
            "reopen",
            "u",
            "reopen",
            "重开上一步",
            "撤销上一个已完成步骤的办理结果，回到那一步（须填写理由；当前步骤已有登记时不能重开）",
            show=False,
        ),
        Command(
            "withdraw", "z", "withdraw", "撤回/终止", "撤回或终止办件（须填写理由；办件结束，不能再办理）", show=False
        ),
    ),
    "new_case_form": (
        Command("save", "f2,ctrl+s", "save", "保存", "新建办件（事项、村、事由都要填写）"),
        Command("cancel", "escape", "cancel", "取消", "不新建，返回"),
    ),
    "notice_view": (
        Command("object", "f6,o", "object", "登记异议", "为这份公示登记收到的异议"),
        Command("close", "escape,enter", "close", "关闭", "关闭公示，返回办件"),
    ),
    "records": (
        Command("open", "enter", "open", "打开", "查看选中的记录", show=False),
        Command("new", "f7,n", "new_record", "新登记", "登记一条新记录"),
        Command(
            "export_register",
            "f8,x",
            "export",
            "导出",
            "导出登记簿（Word，后台生成）：会议列表导出三会一课登记，公示和用印列表导出用印登记簿；先选村和期间",
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据"),
    ),
    "meeting": (
        Command("edit", "f4,e", "edit", "修改", "修改会议记录草稿（已确认、已锁定的不能修改）"),
        Command("confirm", "f6,c", "confirm", "确认", "确认会议记录（确认后不能再修改，只能锁定）"),
        Command("lock", "f8,l", "lock", "锁定", "锁定已确认的会议记录（锁定后只能追加更正说明）"),
        Command("correct", "f9,g", "correct", "更正", "为已锁定的会议记录追加更正说明（原记录保持不变）"),
        Command("export", "f3,x", "export", "导出", "导出会议记录，或会前空白稿（签到表、表决统计表）"),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取会议记录"),
    ),
    "notice": (
        Command("object", "f7,y", "object", "登记异议", "登记公示期间收到的异议及处理情况"),
        Command("decide", "f8,d", "decide", "核实结果", "登记选中异议的核实结果（成立或不成立）和处理情况"),
        Command("export", "f3,x", "export", "导出", "导出公示，或公示结果"),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取公示"),
    ),
    "form": (
        Command("save", "f2,ctrl+s", "save", "保存", "保存本表（检查不通过时说明原因，不会保存一半）"),
        Command("cancel", "escape", "app.leave", "取消", "放弃本表，返回"),
    ),
    "supervision": (
        Command("open", "enter", "open", "打开", "打开选中提示所在的办件或记录", show=False),
        Command("opinion", "f7,o", "opinion", "意见", "对选中的提示或办件填写审核意见（监委会、乡镇账号）"),
        Command("countersign", "f8,s", "countersign", "签字", "在待张贴公示列表中，对选中办件的公示签字（张贴前）"),
        Command("switch", "f6,t", "switch", "切换", "在“风险提示”和“待张贴公示”两个列表之间切换"),
        Command(
            "export",
            "f3,x",
            "export",
            "导出",
            "导出所选村、所选期间的监督检查报告（Word；未填期间时为本年1月1日至今天）",
        ),
        Command(
            "filter",
            "f4,ctrl+f",
            "focus_filter",
            "筛选",
            "按村、事项（编号或名称）、期间筛选；日期如 2026-01-01，回车应用",
        ),
        Command("detail", "f9,v", "detail", "详情", "查看选中提示的全文和已有的审核意见、签字"),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据并重新核验日志"),
        Command(
            "settings_log",
            "w",
            "settings_log",
            "设置变更",
            "所选期间的设置变更：谁在何时登记、删除人员，改了谁的角色和村、时限、监督电话",
        ),
    ),
}

READ_ONLY_REFUSED = frozenset(
    {
        "new_case",
        "complete",
        "save",
        "notice",
        "meeting",
        "seal",
        "edit",
        "confirm",
        "lock",
        "correct",
        "reopen",
        "withdraw",
        "object",
        "decide",
        "new",
    }
)
"""Ids of the commands that change a case or a record: a 监委会 (read-only) session is told
it can only look, give opinions and countersign, and no form opens (the store refuses the
write anyway; this saves filling in a form for nothing)."""


def commands_for(screen: str) -> tuple[Command, ...]:
    """The commands of a screen, then the global ones."""
    own = SCREENS.get(screen, ())
    ids = {c.id for c in own}
    return own + tuple(c for c in GLOBAL if c.id not in ids)


def editing_command(screen: str, action: str) -> Command | None:
    """The command of ``screen`` that ``action`` runs, when it is one a read-only session may not use."""
    name = action.removeprefix("app.")
    for command in SCREENS.get(screen, ()):
        if command.id in READ_ONLY_REFUSED and command.action.removeprefix("app.") == name:
            return command
    return None


def bindings_for(screen: str) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """A screen's bindings, help first so that the footer never cuts it off at 80 columns."""
    return [GLOBAL[0].binding(), *(c.binding() for c in SCREENS.get(screen, ()))]
