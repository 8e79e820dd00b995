"""A cadre's first hour, as a test (issue 18 item 9): the real app in a pseudo-terminal of
80×24 with TERM=xterm, Chinese typed as UTF-8 bytes, keys pressed as the escape sequences an
xterm sends, and every check made on the text the terminal shows (``tests.installs.PtyScreen``
feeds the program's output to a terminal emulator).

The walk: first run; a 低保 case from the application to its 公示 step (checklists, the
completion question whose default is 取消, the minutes the 民主评议 step asks for, the 公示
registered, then its completion refused by the 7-day rule, since the real clock is today);
Esc in a filled form; a seal use approved by its own keeper (the 印章 drop-down read on screen,
the 情况说明 field); an export from the meeting list; 监督; quitting with F10.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.installs import PtyScreen

ROOT = Path(__file__).resolve().parents[1]

KEYS: dict[str, bytes] = {
    "F1": b"\x1bOP",
    "F2": b"\x1bOQ",
    "F3": b"\x1bOR",
    "F4": b"\x1bOS",
    "F5": b"\x1b[15~",
    "F6": b"\x1b[17~",
    "F7": b"\x1b[18~",
    "F8": b"\x1b[19~",
    "F9": b"\x1b[20~",
    "F10": b"\x1b[21~",
    "Enter": b"\r",
    "Esc": b"\x1b",
    "Tab": b"\t",
    "Up": b"\x1b[A",
    "Down": b"\x1b[B",
    "Right": b"\x1b[C",
    "Left": b"\x1b[D",
    "Space": b" ",
}
"""What an xterm sends for each key (a plain letter is sent as itself)."""


def start_app(data: Path) -> PtyScreen:
    """The terminal app of this checkout on the data directory ``data``, as a cadre starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNWU_")}
    env.update(CUNWU_DATA=str(data), LANG="C.UTF-8", PYTHONPATH=str(ROOT))
    return PtyScreen([sys.executable, "-c", "from tui.launch import run; run()"], cwd=ROOT, env=env)


class Cadre:
    """Someone at the keyboard: presses keys, types, and reads the screen."""

    def __init__(self, term: PtyScreen):
        self.term = term

    def screen(self) -> str:
        return self.term.text()

    def press(self, *keys: str, settle: float = 0.15) -> None:
        """Press each key (a name from KEYS, or a letter), letting the app answer in between."""
        for key in keys:
            self.term.send(KEYS.get(key) or key.encode())
            if key == "Esc":  # alone, so that it is not read as the start of an escape sequence
                time.sleep(0.15)
            self.term.settle(quiet=settle)

    def type(self, text: str) -> None:
        """Type ``text`` (Chinese as UTF-8 bytes, as a terminal with an input method sends it)."""
        self.term.send(text.encode("utf-8"))
        self.expect(text.splitlines()[0][:12])

    def expect(self, *texts: str, seconds: float = 30) -> str:
        """Wait until every one of ``texts`` shows; fail with the whole screen otherwise."""
        deadline = time.monotonic() + seconds
        for text in texts:
            while text not in self.screen():
                if time.monotonic() > deadline or self.term.process.poll() is not None:
                    raise AssertionError(f"not on the screen: {text!r}; the screen shows:\n{self.screen()}")
                self.term.settle(quiet=0.05, seconds=0.5)
        self.term.settle(quiet=0.1)  # the rest of that frame
        return self.screen()

    def expect_not(self, text: str) -> None:
        screen = self.screen()
        assert text not in screen, f"{text!r} should not show; the screen shows:\n{screen}"

    def row(self, text: str) -> str:
        """The screen row that shows ``text``."""
        screen = self.expect(text)
        return next(line for line in screen.splitlines() if text in line)

    def between(self, first: str, last: str) -> str:
        """What a dialog shows between the row of ``first`` and the row of ``last``, its lines
        joined without their borders (a long file path wraps over several rows)."""
        lines = self.expect(first, last).splitlines()
        start = next(i for i, line in enumerate(lines) if first in line)
        end = next(i for i in range(start, len(lines)) if last in lines[i])
        return "".join(line.strip().strip("│").strip() for line in lines[start + 1 : end])

    def complete_step(self, title: str) -> None:
        """F6 on the case screen: the question names the step and defaults to 取消; choose 完成本步."""
        self.press("F6")
        self.expect(f"完成“{title}”？", "> [ 取消 ]", "[ 完成本步 ]")
        self.press("Down")
        self.expect("> [ 完成本步 ]")
        self.press("Enter")
        self.expect(f"已完成“{title}”")

    def tick(self, *items: str) -> None:
        """Tick the items of the focused list, in order, from its first row (space ticks)."""
        for n, item in enumerate(items):
            if n:
                self.press("Down")
            self.press("Space")
            self.expect(f"[√] {item}")


@pytest.mark.timeout(180)
def test_a_cadres_first_hour(tmp_path: Path) -> None:
    started = time.monotonic()
    data = tmp_path / "data"
    term = start_app(data)
    me = Cadre(term)
    try:
        first_run(me)
        dibao_case_to_its_notice(me)
        seal_use_approved_by_its_keeper(me)
        export_from_the_meeting_list(me, data)
        supervision(me)
        me.press("Esc")
        me.expect("j 监督")
        me.press("F10")
        code = term.exit_code()
        assert code == 0, f"F10 from home: exit {code}; the screen shows:\n{me.screen()}"
        assert "Traceback" not in term.raw.decode("utf-8", "replace")
    finally:
        term.close()
    assert time.monotonic() - started < 170


def first_run(me: Cadre) -> None:
    """The first-run screen asks for the township, the villages and my name, then shows home."""
    me.expect("首次使用", "乡（镇）名称", "村（社区）名单", "你的姓名")
    me.type("沁河镇")
    me.press("Tab")
    me.type("城关村 南石村")  # the village list shows what is typed (issue 18 item 2)
    me.press("Tab")
    me.type("王文书")
    me.press("F2")
    me.expect("村务履职 — 沁河镇", "今日")
    footer = me.screen().splitlines()[-1]
    for key in ("F1 帮助", "b 办件", "F7 新建", "m 会议", "g 公示用印", "j 监督", "F10 退出"):
        assert key in footer, f"home's footer at 80 columns lacks {key!r}: {footer!r}"
    assert footer.rstrip().endswith("F10 退出"), f"home's footer is cut: {footer!r}"


def dibao_case_to_its_notice(me: Cadre) -> None:
    """A 低保 case for 城关村, from the application up to its 公示 step."""
    me.press("F7")
    me.expect("新建办件", "事项：输入中文或拼音首字母")
    me.type("dbsq")
    me.expect("救助救灾（城乡低保申请审核和确认）")
    me.press("Tab", "Tab")  # past the list of matters found, to the village
    me.press("Enter")
    me.expect("城关村", "南石村")
    me.press("Down", "Enter")
    me.press("Tab")
    me.type("低保申请人张三")

    # Esc in a filled form asks first; its default, 继续编辑, keeps what was typed.
    me.press("Esc")
    me.expect("有未保存的内容", "[ 保存 ]", "[ 放弃 ]", "> [ 继续编辑 ]")
    me.press("Enter")
    me.expect("新建办件", "低保申请人张三")
    me.expect_not("有未保存的内容")
    assert "城关村" in me.row("▼"), "the village chosen stays chosen"

    me.press("F2")
    me.expect("[办理中]", "事由：低保申请人张三", "第1步 个人申请")
    footer = me.screen().splitlines()[-1]
    for key in ("F6/d 完成本步", "F2/^S 暂存", "F7/n 登记", "F9/g 转到", "Esc 返回", "F8/x 导出"):
        assert key in footer, f"the case screen's footer lacks {key!r}: {footer!r}"

    # 1. 个人申请: the materials received, then the completion question (default 取消).
    me.tick("低保申请书", "家庭成员身份证、户口簿", "家庭收入和财产状况书面声明", "家庭经济状况核查授权书")
    me.press("F6")
    me.expect("完成“个人申请”？", "材料：已收到 4/4 项", "下一步：第2步", "> [ 取消 ]")
    me.press("Enter")  # the default answer changes nothing
    me.expect("[>] 1. 个人申请")
    me.expect_not("已完成“个人申请”")
    me.complete_step("个人申请")
    me.expect("[√] 1. 个人申请", "第2步 村（居）委会受理")

    # 2. 村（居）委会受理
    me.tick("核对申请材料是否齐全", "登记受理")
    me.complete_step("村（居）委会受理")
    me.expect("第3步 入户调查")

    # 3. 入户调查: its checklist, then (Tab) its material; completed with the letter key d.
    me.tick("入户核实家庭人口、收入和财产状况", "填写入户调查表")
    me.press("Tab")
    me.tick("入户调查表")
    me.press("d")
    me.expect("完成“入户调查”？", "> [ 取消 ]")
    me.press("Down", "Enter")
    me.expect("已完成“入户调查”", "第4步 民主评议", "[未登记会议记录]")

    # 4. 民主评议 needs minutes: completing asks for them and offers the meeting form.
    me.tick("召开民主评议会议", "如实记录评议意见")
    me.press("F6")
    me.expect("须先登记会议记录", "> [ 登记会议记录 ]", "[ 返回 ]")
    me.press("Enter")
    me.expect("登记城关村的会议记录", "会议类别", "村民代表会议", "民主评议（低保申请人张三）")
    # Tab from the 会议类别 to 名称, 开始, 结束, 地点, 主持人, 记录人, 应到, 实到, 缺席, 列席, 议题, 表决, 决议.
    me.press("Tab", "Tab", "Tab", "Tab")
    me.type("村委会会议室")
    me.press("Tab")
    me.type("李书记")
    me.press("Tab")
    me.type("王文书")
    me.press("Tab")
    me.type("25")
    me.press("Tab")
    me.type("21")
    me.expect("法定人数：实到 21/应到 25")
    me.press("Tab")
    me.type("张某:外出务工")
    me.press("Tab", "Tab")
    me.type("张三低保申请民主评议")
    me.press("Tab")
    me.type("1 19 1 1")
    me.press("Tab")
    me.type("1:同意张三纳入低保，进入公示")
    me.expect("赞成 19 > 21/2（反对 1，弃权 1）→ 通过")
    me.press("F2")
    me.expect("已保存：", "待关联会议记录")
    me.expect("[√] 召开民主评议会议", "[√] 如实记录评议意见")  # the ticks survived the detour
    me.press("F6")
    me.expect("完成“民主评议”？", "关联记录：", "下一步：第5步 公示7日", "> [ 取消 ]")
    me.press("Down", "Enter")
    me.expect("已完成“民主评议”", "第5步 公示7日", "[未登记公示]")

    # 5. 公示7日: register the 公示 (F7 at this step), then try to complete it.
    me.press("F7")
    me.expect("的公示：Tab 换栏", "公示标题", "关于低保申请人张三的公示", "公示7日（张贴当日不计）")
    me.press("Tab")
    me.type("经民主评议，张三家庭拟纳入城乡低保，现予公示。")
    me.press("Tab", "Tab", "Tab")  # 张贴地点 and 张贴日期 keep their defaults (村务公开栏, today)
    me.type("张三,,1,600")
    me.press("F2")
    me.expect("已登记（F9/g 查看，F7/n 登记异议）", "公示：关于低保申请人张三的公示")
    me.tick("在村务公开栏公示评议结果", "公示中不公开身份证号码等个人隐私", "留存公示照片")
    me.press("F6")
    me.expect("完成“公示7日”：选择办理结果", "> 1. 无异议", "2. 有异议")
    me.press("Enter")
    me.expect("完成“公示7日”？", "办理结果：无异议", "> [ 取消 ]")
    me.press("Down", "Enter")
    refused = me.expect("未满时限，暂不能完成", "未满时限（公示7日）", "方可完成", "> 1. 返回")
    assert "填写理由强制完成" in refused, refused
    me.press("Enter")
    me.expect("[>] 5. 公示7日", "第5步 公示7日")
    me.expect_not("已完成“公示7日”")
    me.press("Esc")
    me.expect("j 监督")
    # Back home, what was just done shows at once: the minutes are still a draft to confirm.
    assert "HY0001" in me.row("[草稿]"), me.screen()


def seal_use_approved_by_its_keeper(me: Cadre) -> None:
    """A seal use approved by its keeper: refused without a 情况说明, saved with one."""
    me.press("g")
    me.expect("公示和用印登记", "关于低保申请人张三的公示", "用印登记（")
    me.press("Tab", "F7")  # to the seal register, then 新登记
    me.expect("哪个村？", "> 1. 城关村")
    me.press("Enter")
    me.expect("登记用印 · 城关村", "请选择印章")
    me.press("Enter")  # the 印章 drop-down opens, its choices on screen
    choices = me.expect("党支部", "村委会", "村集体经济组织")
    assert "Esc 收起" in choices.splitlines()[-1], choices
    me.press("Down", "Down", "Enter")
    assert "村委会" in me.row("▼"), me.screen()
    me.press("Tab", "Tab", "Tab")  # 用印日期 and 份数 keep today and 1
    me.type("低保申请材料")
    me.press("Tab")
    me.type("报乡镇审核")
    me.press("Tab", "Enter")
    me.expect("会议决议（重大事项）", "一般常规业务资料，经负责人审阅同意", "未经批准（如实登记，须写情况说明）")
    me.press("Down", "Down", "Enter")
    me.press("Tab")
    me.type("王文书")  # 批准人
    me.press("Tab")
    me.type("王文书")  # 印章保管人: the same person
    me.press("F2")
    me.expect("未能完成", "批准人与印章保管人不能是同一人（王文书）", "情况说明")
    me.press("Enter")
    me.press("Tab")  # the 情况说明 field, shown since 批准人 = 保管人
    me.expect("批准人与印章保管人是同一人（王文书）", "情况说明（如实写明用印经过，将列为监督提示）")
    me.type("负责人外出，保管人自批盖章，已电话报告支书")
    me.press("F2")
    me.expect("已保存：", "低保申请材料")
    row = me.row("低保申请材料")
    assert "村委会" in row and "王文书" in row, row
    me.press("Esc")
    me.expect("j 监督")


def export_from_the_meeting_list(me: Cadre, data: Path) -> None:
    """F8 on the meeting list exports the 三会一课登记; the screen says where the file went."""
    me.press("m")
    me.expect("会议记录 1 份", "F8/x 导出三会一课登记", "1项：1通过")
    me.press("F8")
    me.expect("年度写四位数", "城关村")
    me.press("F8")
    me.expect("已导出", "三会一课登记已保存到：")
    where = Path(me.between("已保存到：", "按 回车 或 Esc 关闭"))
    assert where.is_file() and where.stat().st_size > 0, f"{where} does not exist"
    assert data in where.parents, where
    assert "三会一课登记" in where.name and where.suffix == ".docx", where
    me.press("Enter")
    me.press("Esc")
    me.expect("j 监督")


def supervision(me: Cadre) -> None:
    """监督: the journal verified, and the findings (here the seal its keeper approved)."""
    me.press("j")
    shown = me.expect("日志核验通过", "风险提示")
    assert "批准人即保管人" in shown, shown
    assert "外出，保管人自批盖章" in shown, "the 情况说明 is shown to the 监委会"
