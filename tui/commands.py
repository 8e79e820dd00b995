"""One registry of user commands: it feeds every screen's key bindings, the footer, the help
screen and the command palette.

One key means one kind of action on every screen (``KEY_KINDS``; tests/test_tui_keys.py walks
the registry): F2 always saves and never completes anything, F6 is the kind that cannot be
undone (it always asks first, and the question's default answer is 取消), F8 always exports;
``u`` is kept for going back on what was done (reopen a step, withdraw a case), which asks
first too. A new command names its ``kind``; one whose kind asks first (``ASKS_FIRST``) needs
a scenario in tests/test_tui_keys.py, which presses its key then Enter and expects no change.
Every action has a letter or Ctrl key besides any F-key (some SSH clients lose F-keys), none
needs Alt, and Escape always goes back (asking first when a form has unsaved changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from textual.binding import Binding


class Kind(StrEnum):
    """What a command does, whatever the screen: the key says the kind."""

    HELP = "帮助"
    BACK = "返回"
    QUIT = "退出"
    PALETTE = "命令"
    OPEN = "打开"
    SAVE = "保存"
    FIND = "查找"
    EDIT = "修改"
    REFRESH = "刷新"
    FINISH = "办结"
    """Irreversible: completing a step, confirming or locking minutes, countersigning."""
    UNDO = "撤回"
    """Going back on what was done (reopening a step, withdrawing or terminating a case): asks
    first with 取消 as the default, like FINISH, and says what it will record."""
    NEW = "新建"
    EXPORT = "导出"
    GOTO = "转到"
    VIEW = "查看"
    """Shows something more on the same screen (details, another list)."""
    MARK = "标记"
    """Marks the highlighted person of a meeting's attendance list (出席, 缺席 …): changes the
    form only, saved with it."""


KEY_KINDS: dict[str, Kind] = {
    "f1": Kind.HELP,
    "question_mark": Kind.HELP,
    "f2": Kind.SAVE,
    "ctrl+s": Kind.SAVE,
    "f3": Kind.FIND,
    "ctrl+f": Kind.FIND,
    "f4": Kind.EDIT,
    "e": Kind.EDIT,
    "f5": Kind.REFRESH,
    "ctrl+r": Kind.REFRESH,
    "f6": Kind.FINISH,
    "d": Kind.FINISH,
    "f7": Kind.NEW,
    "n": Kind.NEW,
    "ctrl+n": Kind.NEW,
    "f8": Kind.EXPORT,
    "x": Kind.EXPORT,
    "f9": Kind.GOTO,
    "g": Kind.GOTO,
    "f10": Kind.QUIT,
    "ctrl+q": Kind.QUIT,
    "u": Kind.UNDO,
    "ctrl+u": Kind.UNDO,
    "escape": Kind.BACK,
    "enter": Kind.OPEN,
    "ctrl+p": Kind.PALETTE,
}
"""The key scheme: a key listed here has this kind on every screen (other letters, e.g. the
home screen's navigation letters, keep one kind across screens too)."""


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
    kind: Kind
    """What kind of action it is (the same key is the same kind everywhere)."""
    show: bool = True
    """Shown in the footer (help and the palette always list it)."""
    short: str = ""
    """A shorter label for the footer, where 80 columns must hold the keys that matter."""
    footer_keys: str = ""
    """The keys as the footer shows them, when shorter than ``key_display`` (help shows all)."""

    @property
    def key_display(self) -> str:
        names = {
            "question_mark": "?",
            "escape": "Esc",
            "enter": "回车",
            "space": "空格",
        }

        def shown(key: str) -> str:
            if key in names:
                return names[key]
            if key.startswith("ctrl+"):
                return "^" + key.removeprefix("ctrl+").upper()
            if key.startswith("f") and key[1:].isdigit():
                return key.upper()
            return key

        return "/".join(shown(k) for k in self.keys.split(","))

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.short or self.label,
            show=self.show,
            key_display=self.footer_keys or self.key_display,
            id=self.id,
        )


HELP = Command("help", "f1,question_mark", "app.help", "帮助", "显示本屏可用的按键", Kind.HELP, footer_keys="F1")
BACK = Command("back", "escape", "app.leave", "返回", "返回上一屏（表中有未保存的内容时先询问）", Kind.BACK)
QUIT = Command(
    "quit",
    "f10,ctrl+q",
    "app.quit_app",
    "退出",
    "退出程序（有未保存的内容时先询问：保存、放弃或继续编辑）",
    Kind.QUIT,
    footer_keys="F10",
)
PALETTE = Command("palette", "ctrl+p", "app.command_palette", "命令", "按名称查找并执行本屏的命令", Kind.PALETTE, False)

GLOBAL: tuple[Command, ...] = (HELP, BACK, QUIT, PALETTE)

SCREENS: dict[str, tuple[Command, ...]] = {
    "home": (
        Command("open", "enter", "open", "打开", "打开选中的办件或事项", Kind.OPEN, show=False),
        Command("cases", "b", "app.cases", "办件", "办件列表", Kind.GOTO),
        # 新建 shows F7 alone and 事项目录 is 目录 in the footer (help shows both in full): with
        # 名册 the home footer's nine keys are 80 columns.
        Command(
            "new_case",
            "f7,n",
            "app.new_case",
            "新建办件",
            "为某村新建一个事项的办件",
            Kind.NEW,
            short="新建",
            footer_keys="F7",
        ),
        Command(
            "catalog",
            "c",
            "app.catalog",
            "事项目录",
            "57 个事项：按类别浏览、按拼音首字母查找",
            Kind.GOTO,
            short="目录",
        ),
        Command("meetings", "m", "app.meetings", "会议", "会议记录列表", Kind.GOTO),
        Command("notices", "g", "app.notices", "公示用印", "公示和用印登记列表", Kind.GOTO),
        Command(
            "roster",
            "r",
            "app.roster",
            "名册",
            "本村人员名册：党员、两委、村民代表等身份",
            Kind.GOTO,
        ),
        Command(
            "supervision", "j", "app.supervision", "监督", "村务监督：风险提示、日志核验、审核意见和公示签字", Kind.GOTO
        ),
        QUIT,
        # Not in the footer (its nine keys are 80 columns): help, F9 and the palette list it.
        Command(
            "rectifications",
            "y",
            "app.rectifications",
            "整改",
            "整改事项列表：进展、完成、销号、无需整改",
            Kind.GOTO,
            show=False,
        ),
        Command(
            "search",
            "f3,ctrl+f",
            "app.find_matter",
            "查找",
            "在事项目录中查找事项（输入中文或拼音首字母，如 dbsq）",
            Kind.FIND,
            show=False,
        ),
        Command(
            "goto",
            "f9,ctrl+g",
            "app.goto",
            "转到",
            "选择要去的列表（每个列表也有字母键，见上）",
            Kind.GOTO,
            show=False,
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据", Kind.REFRESH, show=False),
    ),
    "catalog": (
        Command(
            "search",
            "f3,ctrl+f",
            "focus_search",
            "查找",
            "把光标移到查找框（输入中文或拼音首字母，如 dbsq）",
            Kind.FIND,
        ),
        Command("open", "enter", "open", "打开", "查看选中事项的流程、时限、廉政风险点", Kind.OPEN, show=False),
        Command("new_case", "f7,ctrl+n", "new_case", "新建办件", "为选中的事项新建办件", Kind.NEW),
        BACK,
    ),
    "matter": (Command("new_case", "f7,n", "new_case", "新建办件", "为本事项新建办件", Kind.NEW), BACK),
    "cases": (
        Command("open", "enter", "open", "打开", "打开选中的办件", Kind.OPEN, show=False),
        Command("new_case", "f7,n", "app.new_case", "新建办件", "新建办件", Kind.NEW),
        Command("filter", "f3,ctrl+f", "focus_filter", "筛选", "按村、状态、是否超期筛选", Kind.FIND),
        Command(
            "export_ledger",
            "f8,x",
            "export",
            "导出",
            "导出一个事项一年的办件台账（Word，后台生成）：先选事项、年度和村",
            Kind.EXPORT,
        ),
        BACK,
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据", Kind.REFRESH),
    ),
    "case": (
        Command(
            "complete",
            "f6,d",
            "complete",
            "完成本步",
            "完成当前步骤：先显示办理结果、将记录的内容和下一步，确认后才完成（默认“取消”）",
            Kind.FINISH,
        ),
        Command("save", "f2,ctrl+s", "save_progress", "暂存", "保存已勾选的清单、材料和备注，不完成步骤", Kind.SAVE),
        Command(
            "register",
            "f7,n",
            "register",
            "登记",
            "登记本步骤形成的记录：公示（已登记公示时登记异议）、会议记录或用印",
            Kind.NEW,
        ),
        Command("goto", "f9,g", "goto", "转到", "打开本办件的会议记录、公示、用印登记或事项说明", Kind.GOTO),
        BACK,
        Command(
            "export",
            "f8,x",
            "export",
            "导出",
            "导出 Word 文书：归档卷宗、公示、公示结果（在后台进行，完成后显示文件位置）",
            Kind.EXPORT,
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取办件", Kind.REFRESH, show=False),
        Command(
            "correct",
            "f4,e",
            "correct_subject",
            "更正事由",
            "更正办件的事由（原事由保留在更正记录中）",
            Kind.EDIT,
            show=False,
        ),
        Command(
            "reopen",
            "u",
            "reopen",
            "重开上一步",
            "撤销上一个已完成步骤的办理结果，回到那一步（须填写理由；当前步骤已有登记时不能重开）",
            Kind.UNDO,
            show=False,
        ),
        Command(
            "withdraw",
            "ctrl+u",
            "withdraw",
            "撤回/终止",
            "撤回或终止办件（须填写理由；办件结束，不能再办理）",
            Kind.UNDO,
            show=False,
        ),
    ),
    "new_case_form": (
        Command("save", "f2,ctrl+s", "save", "保存", "新建办件（事项、村、事由都要填写）", Kind.SAVE),
        Command("cancel", "escape", "cancel", "返回", "不新建，返回（已填写内容时先询问）", Kind.BACK),
    ),
    "records": (
        Command("open", "enter", "open", "打开", "查看选中的记录", Kind.OPEN, show=False),
        Command("new", "f7,n", "new_record", "新登记", "登记一条新记录", Kind.NEW),
        Command(
            "export_register",
            "f8,x",
            "export",
            "导出",
            "导出登记簿（Word，后台生成）：会议列表导出三会一课登记，公示和用印列表导出用印登记簿；先选村和期间",
            Kind.EXPORT,
        ),
        BACK,
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据", Kind.REFRESH),
    ),
    "meeting": (
        Command(
            "finish",
            "f6,d",
            "finish",
            "确认/锁定",
            "草稿：确认会议记录（确认后不能再修改）；已确认：锁定（永久保持原样）。都先询问，默认“取消”",
            Kind.FINISH,
        ),
        Command(
            "edit",
            "f4,e",
            "edit",
            "修改/更正",
            "草稿：修改会议记录；已锁定：追加更正说明（原记录保持不变）",
            Kind.EDIT,
        ),
        BACK,
        Command("export", "f8,x", "export", "导出", "导出会议记录，或会前空白稿（签到表、表决统计表）", Kind.EXPORT),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取会议记录", Kind.REFRESH),
    ),
    "notice": (
        Command("object", "f7,n", "object", "登记异议", "登记公示期间收到的异议及处理情况", Kind.NEW),
        Command(
            "decide",
            "f4,e",
            "decide",
            "核实结果",
            "登记异议的核实结果（成立或不成立）和处理情况",
            Kind.EDIT,
        ),
        BACK,
        Command("export", "f8,x", "export", "导出", "导出公示，或公示结果", Kind.EXPORT),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取公示", Kind.REFRESH),
    ),
    "form": (
        Command("save", "f2,ctrl+s", "save", "保存", "保存本表（检查不通过时说明原因，不会保存一半）", Kind.SAVE),
        Command(
            "cancel",
            "escape",
            "app.leave",
            "返回",
            "返回（有未保存的内容时先询问：保存、放弃或继续编辑，默认继续编辑）",
            Kind.BACK,
        ),
    ),
    "roster": (
        Command(
            "open", "enter", "open", "详情", "查看选中人员的全部身份（含已终止的）和起止日期", Kind.OPEN, show=False
        ),
        Command(
            "new", "f7,n", "new_person", "登记人员", "在本村名册中登记一个人和他的第一个身份", Kind.NEW, short="登记"
        ),
        Command(
            "join", "s", "join", "加身份", "给选中的人增加一个身份（如 村民代表、正式党员），写明起始日期", Kind.NEW
        ),
        Command(
            "leave",
            "z",
            "end_membership",
            "终止身份",
            "终止选中的人现有的一个身份（如 卸任、转为正式党员），写明终止日期（最后一天）",
            Kind.EDIT,
            short="终止",
        ),
        Command("edit", "f4,e", "edit_person", "修改", "修改选中的人的姓名、性别、出生日期、户号等", Kind.EDIT),
        Command(
            "filter",
            "f3,ctrl+f",
            "focus_filter",
            "筛选",
            "按身份筛选，或填写名册日期（如 2026-03-01）看那一天的名册，回车应用；Tab 到“查找姓名”输入姓名查找",
            Kind.FIND,
        ),
        BACK,
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取名册", Kind.REFRESH, show=False),
    ),
    "first_run": (
        Command("save", "f2,ctrl+s", "save", "保存", "保存乡镇名称和村名单，进入首页", Kind.SAVE),
        QUIT,
    ),
    "supervision": (
        Command("open", "enter", "open", "打开", "打开选中提示所在的办件或记录", Kind.OPEN, show=False),
        Command(
            "opinion",
            "f7,n",
            "opinion",
            "意见",
            "对选中的提示或办件填写审核意见（监委会、乡镇账号）",
            Kind.NEW,
        ),
        Command(
            "countersign",
            "f6,d",
            "countersign",
            "签字",
            "在待张贴公示列表中，对选中办件的公示签字（张贴前；签字后不能撤回，先询问，默认“取消”）",
            Kind.FINISH,
        ),
        Command(
            "rectify",
            "k",
            "rectify",
            "整改",
            "对选中的提示登记整改事项：整改措施、责任人、期限（销号后提示不再列出）",
            Kind.NEW,
            show=False,
        ),
        Command(
            "switch",
            "t",
            "switch",
            "切换",
            "在“风险提示”“待张贴公示”“各村汇总”三个列表之间切换（各村汇总：各村本期和上期的数字）",
            Kind.VIEW,
        ),
        Command(
            "filter",
            "f3,ctrl+f",
            "focus_filter",
            "筛选",
            "按村、事项（编号或名称）、期间筛选；日期如 2026-01-01，回车应用",
            Kind.FIND,
        ),
        BACK,
        Command(
            "export",
            "f8,x",
            "export",
            "导出",
            "导出：在风险提示列表，为所选村、所选期间的监督检查报告（Word）；在各村汇总列表，为乡镇汇总"
            "（Word 或 Excel）。未填期间时为本年1月1日至今天",
            Kind.EXPORT,
        ),
        Command("detail", "v", "detail", "详情", "查看选中提示的全文和已有的审核意见、签字", Kind.VIEW),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取数据并重新核验日志", Kind.REFRESH, show=False),
        Command(
            "settings_log",
            "w",
            "settings_log",
            "设置变更",
            "所选期间的设置变更：谁在何时登记、删除人员，改了谁的角色和村、时限、监督电话",
            Kind.VIEW,
            show=False,
        ),
    ),
    "rectify": (
        Command(
            "open",
            "enter",
            "open",
            "详情",
            "查看选中整改事项的全文：问题、措施、进展、完成佐证、销号",
            Kind.OPEN,
            show=False,
        ),
        Command(
            "settle",
            "f6,d",
            "settle",
            "完成/销号",
            "整改中：村里登记整改完成，写明佐证；已完成待销号：监委会或乡镇销号（责任人本人、登记完成的人和村干部不能销号）。"
            "都先询问，默认“取消”",
            Kind.FINISH,
        ),
        Command(
            "new_fix",
            "f7,n",
            "new_fix",
            "登记整改",
            "登记检查发现的问题的整改事项：问题、整改措施、责任人、期限（监委会、乡镇或本村村干部）",
            Kind.NEW,
            short="登记",
        ),
        Command("progress", "f4,e", "progress", "进展", "为选中的整改事项登记整改进展（本村村干部、乡镇）", Kind.EDIT),
        BACK,
        Command("export", "f8,x", "export", "导出", "导出所选村的整改台账（Excel 表格，.xlsx）", Kind.EXPORT),
        Command(
            "waive",
            "u",
            "waive",
            "无需整改",
            "认定选中的整改事项无需整改，写明理由（乡镇、管理员；先询问，默认“取消”）",
            Kind.UNDO,
            show=False,
        ),
        Command(
            "filter",
            "f3,ctrl+f",
            "focus_filter",
            "筛选",
            "按村、状态筛选（已逾期：过了期限仍在整改中）",
            Kind.FIND,
            show=False,
        ),
        Command("refresh", "f5,ctrl+r", "refresh", "刷新", "重新读取整改事项", Kind.REFRESH, show=False),
    ),
}

ROLL: tuple[Command, ...] = (
    Command("present", "1", "screen.mark('出席')", "出席", "把出席名单中选中的人标为出席", Kind.MARK),
    Command("absent", "2", "screen.mark('缺席')", "缺席", "标为缺席（再填写缺席原因）", Kind.MARK),
    Command(
        "written",
        "3",
        "screen.mark('书面意见')",
        "书面意见",
        "标为缺席但提交了书面意见（再填写意见）",
        Kind.MARK,
        short="书面",
    ),
    Command(
        "proxy",
        "4",
        "screen.mark('委托')",
        "委托",
        "标为缺席、委托到会的人代为表决（再从已标出席的人中选受托人；党组织的会议不能委托）",
        Kind.MARK,
    ),
    Command("clear", "0", "screen.mark('')", "清除", "清除选中的人的标记", Kind.MARK, show=False),
    Command("others", "q", "screen.mark_others", "其余出席", "把还没有标记的人都标为出席", Kind.MARK),
)
"""The keys of a meeting form's attendance list (bound on the list itself: the digits type
into the other fields)."""

SCREENS["meeting_form"] = (*SCREENS["form"], *ROLL)
"""The meeting form: the form's keys, and those of its attendance list (help lists them)."""

READ_ONLY_REFUSED = frozenset(
    {
        "join",
        "leave",
        "new_case",
        "complete",
        "save",
        "register",
        "edit",
        "finish",
        "correct",
        "reopen",
        "withdraw",
        "object",
        "decide",
        "new",
        "progress",
        "waive",
    }
)
"""Ids of the commands that change a case or a record: a 监委会 (read-only) session does not see
them in the footer or the palette, and pressing their keys says it can only look, give
opinions and countersign; no form opens (the store refuses the write anyway)."""


ASKS_FIRST = frozenset({Kind.FINISH, Kind.UNDO})
"""The kinds whose commands open a question whose default answer is 取消 (tests walk them)."""


def commands_for(screen: str) -> tuple[Command, ...]:
    """The commands of a screen, then the global ones it does not list itself."""
    own = SCREENS.get(screen, ())
    ids = {c.id for c in own}
    keys = {k for c in own for k in c.keys.split(",")}
    return own + tuple(c for c in GLOBAL if c.id not in ids and not keys & set(c.keys.split(",")))


def command(screen: str, command_id: str) -> Command:
    """A screen's command by its id (the global ones too)."""
    return next(c for c in commands_for(screen) if c.id == command_id)


def editing_command(screen: str, action: str) -> Command | None:
    """The command of ``screen`` that ``action`` runs, when it is one a read-only session may not use."""
    name = action.removeprefix("app.")
    for found in SCREENS.get(screen, ()):
        if found.id in READ_ONLY_REFUSED and found.action.removeprefix("app.") == name:
            return found
    return None


def bindings_for(screen: str) -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """A screen's bindings in the order the footer shows them: help first, then the screen's
    commands as listed (the important ones first, 返回 where there is somewhere to go back to),
    so that the footer is not cut before them at 80 columns."""
    return [HELP.binding(), *(c.binding() for c in SCREENS.get(screen, ()))]
