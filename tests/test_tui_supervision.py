"""The 监督 screen, read-only 监委会 sessions and the matter page's risk checks: Pilot at 80×24.

The situation is built through the public API as a village cadre would leave it: one 低保
公示 ended by force after three days (红), one 公示 step still waiting for its posting (黄,
and waiting for the committee's signature). Then the OS account is given a role and the app
is opened as that account.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Select
from textual.widgets._footer import FooterKey

from store.identity import os_account
from store.settings import Change
from store.site import Site
from store.verify import verify
from tests.accounts import SUPERVISOR as PERSON
from tests.accounts import env
from tests.sites import NOW, VILLAGES, at, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make, screen_text, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, TextDialog
from tui.screens.case import CaseScreen
from tui.screens.supervision import SupervisionScreen

SIZE = (80, 24)
TODAY = dt.date(2026, 12, 10)
SHORT = "城关村-2026-0001"
"""The 低保 case whose 公示 was ended by force after three days (公示期不足, red)."""
WAITING = "南石村-2026-0001"
"""The 低保 case at its 公示 step with nothing posted (公示未按时张贴, amber; waits for signatures)."""


def bad_situation(root: Path) -> None:
    site = new_site(root)
    short = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, short, "publicize")
    post_notice(site, short)
    site.cases.complete_step(site.operator, at(dt.date(2026, 11, 30)), short, "无异议", force_reason="乡镇要求提前上报")
    waiting = site.cases.open(site.operator, NOW, "dibao", "南石村", "李某低保申请").number
    walk_to(site, waiting, "publicize")
    assert (short, waiting) == (SHORT, WAITING)


def give_role(root: Path, role: str) -> dict[str, str]:
    """The 管理员 registers 张监督 (another account of this machine) with ``role`` in both
    villages; returns the environment the shared-server launcher gives 张监督's session."""
    villages = f":{','.join(VILLAGES)}" if role in ("监委会", "村干部") else ""
    Site(root, environ={}).init(NOW, "沁河镇", VILLAGES, staff=[f"{PERSON}=张监督:{role}{villages}"], my_name="王文书")
    return env(PERSON)


def current(app: CunwuApp) -> Screen[Any]:
    """The screen on top (a call, so that mypy does not carry an isinstance over the awaits)."""
    return app.screen


def rows(app: CunwuApp, table: str = "#sv-findings") -> list[list[str]]:
    widget = app.screen.query_one(table, DataTable)
    return [[str(c) for c in widget.get_row_at(i)] for i in range(widget.row_count)]


def detail(app: CunwuApp) -> str:
    return str(app.screen.query_one("#sv-detail").render())


async def open_supervision(pilot: Pilot[None], app: CunwuApp) -> None:
    await pilot.press("j")
    await pilot.pause()
    assert isinstance(current(app), SupervisionScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def submit(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    """Put ``text`` in a filter field and press Enter there."""
    field = app.screen.query_one(selector, Input)
    field.value = text
    field.focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_findings_show_severity_in_words_and_filters_narrow_them(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        shown = rows(app)
        assert ["红（违规）", "城关村", "城乡低保..", "2026-0001", "公示期不足", "2026-11-30"] in shown
        assert ["黄（待核实）", "南石村", "城乡低保..", "2026-0001", "公示未按时张贴", "2026-12-03"] in shown
        villages = str(app.screen.query_one("#villages").render())
        assert "城关村【红】红 " in villages and "南石村【" in villages
        assert "日志核验通过：" in str(app.screen.query_one("#verify").render())
        assert "公示期不足" in detail(app) and "只公示了 3 日" in detail(app)

        app.screen.query_one("#sv-village", Select).value = "南石村"
        await pilot.pause()
        assert shown != rows(app) and {r[1] for r in rows(app)} == {"南石村"}
        app.screen.query_one("#sv-village", Select).value = "*"
        await pilot.pause()

        await submit(pilot, app, "#sv-matter", "xinfang")  # no 信访 case: nothing found
        assert rows(app) == [] and "没有符合条件的风险提示" in detail(app)
        await submit(pilot, app, "#sv-matter", "低保")
        assert rows(app) == shown

        # From 12-01: the 公示 that ended on 11-30 drops out, the posting still awaited stays.
        await submit(pilot, app, "#sv-start", "2026-12-01")
        titles = [r[4] for r in rows(app)]
        assert "公示期不足" not in titles and "公示未按时张贴" in titles
        narrowed = rows(app)
        await submit(pilot, app, "#sv-end", "2026-13-01")
        assert rows(app) == narrowed, "a bad date changes nothing"
        assert any("截止日期“2026-13-01”不是有效日期" in str(n.message) for n in app._notifications)
        await submit(pilot, app, "#sv-end", "2026-11-01")  # before the start
        assert rows(app) == narrowed


async def test_a_journal_changed_by_hand_fails_verification_naming_the_entry(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    journal = tmp_path / "data" / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace('"case.open"', '"case.opened"')
    journal.write_text("".join(lines), encoding="utf-8")
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        line = app.screen.query_one("#verify")
        assert str(line.render()).startswith("日志核验未通过：日志 ")
        assert "第 2 行（序号 2）" in str(line.render()) and line.has_class("-bad")


async def test_enter_opens_the_case_behind_the_finding(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        assert rows(app)[0][4] == "公示期不足"
        await pilot.press("enter")
        await pilot.pause()
        screen = current(app)
        assert isinstance(screen, CaseScreen) and screen.number == SHORT


async def test_a_supervisor_files_an_opinion_which_is_shown_and_journaled(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    # The 公示 of the waiting case has its text registered, to go up in two days: it can be signed.
    planned = TODAY + dt.timedelta(days=2)
    post_notice(Site(tmp_path / "data", environ={}), WAITING, planned, now=at(TODAY), content="李某，2人，每月400元")
    session = give_role(tmp_path / "data", "监委会")
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        assert "j 监督" in visible_text(app).splitlines()[-1]  # the home footer at 80 columns
        await open_supervision(pilot, app)
        assert "审核意见：暂无" in detail(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), TextDialog)
        await pilot.press(*"请说明提前结束公示的理由")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), SupervisionScreen)
        assert "审核意见：本提示 1 条" in detail(app) and "请说明提前结束公示的理由" in detail(app)
        await pilot.press("v")
        await pilot.pause()
        assert "张监督（" in screen_text(app) and "审核意见［本提示］：请说明提前结束公示的理由" in screen_text(app)
        # and signs the 公示 waiting in 南石村: 签字 in the question, then the text offered
        await pilot.press("escape", "t", "d", "down", "enter", "enter")
        await pilot.pause()
    site = Site(tmp_path / "data", environ={})
    assert [o["role"] for o in site.opinions.countersigns(WAITING, "publicize")] == ["监委会"]
    [opinion] = site.opinions.find(target=SHORT)
    assert (opinion["text"], opinion["role"]) == ("请说明提前结束公示的理由", "监委会")
    assert opinion["finding"].startswith("notice-short|" + SHORT)
    report = verify(site.store, site.records())
    assert report.ok, report.problems


async def test_countersign_before_posting_and_refused_after(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    session = give_role(tmp_path / "data", "乡镇")  # may countersign, and may post the notice too
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    app.watch_store = lambda: None  # type: ignore[method-assign]  # the list stays as read, as in another session
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        waiting = ["南石村", "2026-0001", "城乡低保申..", "李某低保申请", "公示7日"]
        assert rows(app, "#sv-waiting") == [[*waiting, "内容未登记"]]
        assert "公示内容尚未登记，无从审核" in detail(app)
        await pilot.press("d", "down", "enter", "enter")  # 签字 asked for: refused, nothing to read
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "公示内容尚未登记" in screen_text(app)
        await pilot.press("enter")
        # The cadre registers the text with the day it is to go up; the list is re-read.
        site = Site(tmp_path / "data", environ={})
        post_notice(site, WAITING, TODAY + dt.timedelta(days=2), now=at(TODAY), content="李某，2人，每月400元")
        await pilot.press("f5")
        await pilot.pause()
        assert rows(app, "#sv-waiting") == [[*waiting, "未签"]]
        assert "计划" in detail(app) and "张贴" in detail(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "不能撤回" in screen_text(app)
        await pilot.press("down", "enter")  # 签字
        await pilot.pause()
        assert isinstance(current(app), TextDialog)
        await pilot.press("enter")  # 同意公示, as offered
        await pilot.pause()
        assert rows(app, "#sv-waiting")[0][-1] == "1 人"
        assert "同意公示" in detail(app)
        assert [o["text"] for o in site.opinions.countersigns(WAITING, "publicize")] == ["同意公示"]

        post_notice(site, WAITING, TODAY, now=at(TODAY))  # put up today after all
        await pilot.press("d", "down", "enter", "enter")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        assert "张贴，签字应在张贴前" in screen_text(app)
    assert len(Site(tmp_path / "data", environ={}).opinions.find(target=WAITING)) == 1


async def test_a_supervisor_cannot_change_a_case_through_the_app(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    session = give_role(tmp_path / "data", "监委会")
    before = Site(tmp_path / "data", environ={}).cases.get(WAITING).record
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        assert "监委会（只读）" in app.title
        assert "新建" not in visible_text(app).splitlines()[-1], "the footer does not offer it"
        await pilot.press("n")  # 新建办件 on the home screen: the key says why not
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "不能“新建办件”" in screen_text(app)
        await pilot.press("enter")
        app.open_case(WAITING)
        await pilot.pause()
        footer = visible_text(app).splitlines()[-1]
        assert "完成本步" not in footer and "暂存" not in footer and "登记" not in footer and "转到" in footer
        await pilot.press("space", "f6")  # tick a material, then 完成本步
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        assert "只能查看、填写审核意见和签字，不能“完成本步”" in screen_text(app)
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert "不能“暂存”" in screen_text(app)
        await pilot.press("enter", "f7")
        await pilot.pause()
        assert "不能“登记”" in screen_text(app), "no notice form opens"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), CaseScreen)
    after = Site(tmp_path / "data", environ={}).cases.get(WAITING).record
    assert (after["rev"], after["history"], after["progress"]) == (before["rev"], before["history"], before["progress"])


async def test_a_cadre_may_look_but_the_store_refuses_the_opinion(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(TODAY), environ=give_role(tmp_path / "data", "村干部"))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog), "no form to fill in for nothing"
        assert "监督意见和签字只能由监委会、乡镇或管理员账号填写" in screen_text(app)
    assert Site(tmp_path / "data", environ={}).opinions.find() == []


async def test_the_footer_keeps_help_and_the_supervision_keys_at_80_columns(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        keys = [k for k in app.screen.query_one(Footer).query(FooterKey) if k.region.right <= SIZE[0]]
        labels = [k.description for k in keys]
        assert labels[0] == "帮助"
        assert {"意见", "签字", "切换", "筛选", "详情"} <= set(labels)
        assert app.screen.query_one("#sv-detail").region.bottom <= SIZE[1] - 1


async def test_the_matter_page_says_how_each_risk_is_watched(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        app.open_matter("dibao")
        await pilot.pause()
        text = screen_text(app)
    at_risk = text.index("3. 公开达不到时间，虚假公开")
    after = text[at_risk:].splitlines()
    assert after[1].strip() == "软件核查：公示期不足"
    assert after[2].strip().startswith("人工核查：是否实际张贴")
    assert "软件核查：公示未按时张贴、公示补录" in text


async def test_export_writes_the_report_of_the_filtered_village_and_period(tmp_path: Path) -> None:
    from docx import Document

    bad_situation(tmp_path / "data")
    session = give_role(tmp_path / "data", "监委会")  # exporting is looking, not changing
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await submit(pilot, app, "#sv-start", "2026-11-01")
        app.screen.query_one("#sv-findings").focus()
        await pilot.press("x", "2")  # no village filtered: pick the second, 南石村
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "监督检查报告已保存到" in screen_text(app)
    [written] = list((tmp_path / "data" / "exports").rglob("*.docx"))
    assert "南石村" in written.name and "20261101-20261210" in written.name
    text = "\n".join(p.text for p in Document(str(written)).paragraphs)
    assert "南石村" in text


async def test_an_opinion_on_a_duty_not_done_is_filed_on_the_finding(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root, now=at(dt.date(2026, 9, 1)))
    session = give_role(root, "监委会")
    app = make(root, Clock(dt.date(2026, 11, 2)), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await submit(pilot, app, "#sv-matter", "zhibu-weiyuanhui")
        app.screen.query_one("#sv-findings", DataTable).focus()
        await pilot.pause()
        assert "审核意见：暂无" in detail(app) and "（1/" in detail(app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"九月未开支委会")
        await pilot.press("enter")
        await pilot.pause()
        assert "审核意见：本提示 1 条" in detail(app) and "九月未开支委会" in detail(app)
    site = Site(root, environ={})
    [opinion] = site.opinions.find()
    assert (opinion["target"], opinion["target_kind"]) == ("", "finding")
    assert opinion["finding"].startswith("recurring-missed|")


async def test_the_cadre_reads_the_committees_opinions_on_the_case_screen(tmp_path: Path) -> None:
    from store.identity import Operator

    bad_situation(tmp_path / "data")
    site = Site(tmp_path / "data", environ={})
    site.opinions.add(
        Operator("jiandu", "张监督", "监委会", villages=("城关村",)), NOW, SHORT, "请说明提前结束公示的理由"
    )
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(SHORT)
        await pilot.pause()
        assert isinstance(current(app), CaseScreen)
        text = screen_text(app)
        assert "监督意见和签字（村务监督委员会）" in text and "张监督（jiandu）：请说明提前结束公示的理由" in text


async def test_a_role_granted_and_taken_back_shows_on_the_supervision_screen(tmp_path: Path) -> None:
    """The attack this answers: a cadre made 监委会 for a day to sign, then changed back."""
    from tests.accounts import CADRE

    root = tmp_path / "data"
    bad_situation(root)
    admin = Site(root, environ={})
    admin.init(at(dt.date(2026, 12, 1)), None, [], staff=[f"{CADRE}=王文书:监委会:南石村"])
    admin.init(at(dt.date(2026, 12, 2)), None, [], staff=[f"{CADRE}=王文书:村干部:南石村"])
    app = make(root, Clock(TODAY), environ=give_role(root, "监委会"))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "本期设置变更和恢复 4 次（w 查看）" in screen_text(app)  # no period: the set-up, 张监督, and the two
        await submit(pilot, app, "#sv-start", "2026-12-01")
        await pilot.pause()
        assert "本期设置变更和恢复 2 次（w 查看）" in screen_text(app)
        app.screen.query_one("#sv-findings").focus()
        await pilot.press("w")
        await pilot.pause()
        text = screen_text(app)
    assert "2026-12-01 09:00" in text and f"新增人员 {CADRE}：王文书（监委会，南石村）" in text
    assert f"人员 {CADRE}：王文书（监委会，南石村） → 王文书（村干部，南石村）" in text
    assert "（管理员）" not in text and f"{os_account()}，管理员）" in text


async def test_an_open_app_loses_what_the_admin_takes_away(tmp_path: Path) -> None:
    """The attack: an account removed while its app was open went on listing and saving."""
    root = tmp_path / "data"
    bad_situation(root)
    app = make(root, Clock(TODAY), environ=give_role(root, "乡镇"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert SHORT in screen_text(app) and WAITING in screen_text(app)
        Site(root, environ={}).change_settings(NOW, Change(remove_staff=(PERSON,)))
        await pilot.press("f5")
        await pilot.pause()
        assert SHORT not in screen_text(app) and WAITING not in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        text = screen_text(app)
    assert f"账号 {PERSON} 不在本数据目录的人员名单中" in text and "选择村" not in text
    assert Site(root, environ={}).cases.find(village="城关村")[0].number == SHORT


def test_the_journal_is_verified_by_a_process_of_its_own(tmp_path: Path) -> None:
    from tui.screens.supervision import Verifier

    bad_situation(tmp_path / "data")
    entries = len((tmp_path / "data" / "journal.jsonl").read_bytes().splitlines())
    report = Verifier().run(tmp_path / "data", {})
    assert report["ok"] is True and report["entries"] == entries


def test_a_verification_that_cannot_run_says_why_in_chinese(tmp_path: Path) -> None:
    from tui.screens.supervision import Verifier, VerifyFailed

    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    with pytest.raises(VerifyFailed, match="不是文件夹"):
        Verifier().run(afile, {})


async def test_a_long_list_of_findings_is_shown_a_page_at_a_time_to_its_end(tmp_path: Path) -> None:
    from tui.tables import PAGE

    site = new_site(tmp_path / "data")
    total = PAGE * 2 + 50
    with site.store.transaction(site.operator, NOW):
        numbers = [
            site.cases.open(site.operator, NOW, "xinfang", "城关村", f"第{n + 1:03d}号来访").number
            for n in range(total)
        ]
    with site.store.transaction(site.operator, NOW):
        for number in numbers:  # 三日内转办, none done: each one red by TODAY
            walk_to(site, number, "transfer", choose={"entry": "接待"})
    assert len([f for f in site.risks(TODAY) if f.check == "deadline-missed"]) == total
    app = make(tmp_path / "data", Clock(TODAY))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        assert f"（1/{total}）" in detail(app)
        assert app.screen.query_one("#sv-findings", DataTable).row_count == PAGE, "one page, not every finding"
        for _ in range(3):  # Ctrl+End goes to the last row shown; the next page comes as it nears it
            await pilot.press("ctrl+end")
            await pilot.pause()
        assert f"（{total}/{total}）" in detail(app) and "超过办理时限" in detail(app)


def test_the_verification_runs_nothing_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the shared server the app runs as the service account in the person's directory: a
    ``tui/`` planted there must not be what the verify child imports."""
    from tui.screens.supervision import Verifier

    bad_situation(tmp_path / "data")
    planted = tmp_path / "home" / "tui"
    planted.mkdir(parents=True)
    (planted / "__init__.py").write_text("")
    marker = tmp_path / "ran-as-service-account"
    (planted / "launch.py").write_text(f"open({str(marker)!r}, 'w').close()\ndef run(): print('{{}}')\n")
    monkeypatch.chdir(planted.parent)
    report = Verifier().run(tmp_path / "data", {"PYTHONPATH": str(planted.parent)})
    assert report["ok"] is True and report["entries"] > 0
    assert not marker.exists()


async def test_the_village_table_of_the_summary_is_a_list_of_its_own(tmp_path: Path) -> None:
    """t twice: each village's figures for the period filtered, the period before below."""
    from tests.test_summary import DEC, build
    from tests.test_summary import TODAY as SUMMED

    root = build(tmp_path / "data")
    app = make(root, Clock(SUMMED))
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await submit(pilot, app, "#sv-start", DEC.start.isoformat())
        await submit(pilot, app, "#sv-end", DEC.end.isoformat())
        app.screen.query_one("#sv-findings").focus()
        await pilot.press("t", "t")
        await pilot.pause()
        await app.workers.wait_for_complete()  # the summary is made in a worker thread
        await pilot.pause()
        text = visible_text(app)
        assert "【各村汇总】" in text
        lines = [line.split() for line in text.splitlines()]
        # 三会一课 已开/应开, 公示 按时/张贴, 超期, 红, 黄, 整改 未销号（逾期）, 受理, 在办
        found = rows(app, "#sv-summary")
        assert found[0][:4] == ["城关村", "本期", "2/7", "0/0"] and found[0][7] == "2（1）"
        assert found[1][:4] == ["", "上期", "1/3", "1/1"]
        assert found[2][:2] == ["南石村", "本期"] and found[3][3] == "0/1"
        assert any(line[:4] == ["城关村", "本期", "2/7", "0/0"] for line in lines)
        assert "城关村 本期 2026-12-01至2026-12-31，上期 2026-11-01至2026-11-30" in text
        assert "回车看全部数字；x 导出乡镇汇总" in text
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog)
        assert "Word 文书（横向 A4）" in screen_text(app) and "Excel 表格（.xlsx）" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "乡镇汇总" in screen_text(app)
    [written] = list((root / "exports").rglob("*.xlsx"))
    assert written.name.endswith("_乡镇汇总_全部村_20261201-20261231.xlsx")


async def test_a_finding_s_rectification_is_in_its_row_its_strip_and_its_detail(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    session = give_role(tmp_path / "data", "乡镇")
    township = Site(tmp_path / "data", environ=session)
    fields = {
        "source": "finding",
        "source_key": f"notice-short|{SHORT}|publicize",
        "target": SHORT,
        "problem": "公示期不足",
        "measure": "重新公示",
        "responsible": "王文书",
        "deadline": "2026-12-05",
    }
    township.rectifications.new(township.operator, NOW, "城关村", fields)
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        shown = rows(app)
        assert ["红·整改逾期", "城关村", "城乡低保..", "2026-0001", "公示期不足", "2026-11-30"] in shown
        assert "【整改逾期】城关村-2026-ZG0001 整改中，期限 2026-12-05；" in visible_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert "整改事项：城关村-2026-ZG0001（整改中，已逾期），期限 2026-12-05" in screen_text(app)


async def test_a_refused_deadline_is_asked_again_with_what_was_typed(tmp_path: Path) -> None:
    bad_situation(tmp_path / "data")
    session = give_role(tmp_path / "data", "乡镇")
    app = make(tmp_path / "data", Clock(TODAY), environ=session)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        await pilot.press("k")
        await pilot.pause()
        for text in ("重新公示七日", "王文书"):
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
            await pilot.pause()
        app.screen.query_one(Input).value = "2026-12-01"  # before today: refused
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), TextDialog)
        assert app.screen.query_one(Input).value == "2026-12-01"  # what was typed, to correct
        app.screen.query_one(Input).value = "2026-12-31"
        await pilot.press("enter")
        await pilot.pause()
    [saved] = Site(tmp_path / "data", environ={}).rectifications.find()
    assert (saved["measure"], saved["responsible"], saved["deadline"]) == ("重新公示七日", "王文书", "2026-12-31")
