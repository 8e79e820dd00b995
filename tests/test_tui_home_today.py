"""Home as "my work today", finding in the catalogue, the palette in Chinese: Pilot at 80×24,
asserting on the text the terminal shows (the rendered screen, not widget values)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.accounts import CADRE, CADRE_SOUTH, SUPERVISOR, TOWNSHIP, env, register
from tests.sites import ADMIN_NAME, NOW, new_site, post_notice, walk_to
from tests.tui_helpers import Clock, make
from tui.app import CunwuApp
from tui.screens.catalog import CatalogScreen
from tui.screens.home import HomeScreen
from tui.screens.matter import MatterScreen
from tui.screens.meeting_form import MeetingFormScreen

SIZE = (80, 24)


def shown(app: CunwuApp) -> list[str]:
    """The 24 lines the terminal shows, as text (double-width characters once each)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def seen(app: CunwuApp) -> str:
    return "\n".join(shown(app))


async def test_home_on_day_one_lists_each_duty_once(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = shown(app)
        rows = [line for line in lines if line.lstrip().startswith("[")]
        assert len(rows) == 4, rows  # the month's duties for both villages, not 2 × 21 rows
        assert any("支部委员会 每月 — 待完成：城关村、南石村" in line and "[待完成]" in line for line in rows)
        assert "周期性工作待完成 4 项" in lines[1]
        assert "本月待办" not in seen(app)


async def test_a_notice_whose_days_have_run_is_on_home_the_day_it_matters(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "南石村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    post_notice(site, number)
    petition = site.cases.open(site.operator, NOW, "xinfang", "城关村", "张某来访").number
    app = make(tmp_path / "data", Clock(dt.date(2026, 12, 5)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [line for line in shown(app) if line.lstrip().startswith("[")]
        assert f"{number} 城乡低保申请审核和确认·公示7日" in rows[0] and "[可完成]" in rows[0]
        assert "[草稿]" in rows[1], "the 民主评议 minutes are still a draft"
        assert "[无时限]" in rows[2] and petition in rows[2], "an open case with no time limit"
        assert "[待完成]" in rows[3]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CaseScreen"


async def test_enter_on_a_duty_says_how_it_is_done_and_opens_the_meeting_form(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # the second row: 支部委员会
        await pilot.pause()
        text = seen(app)
        assert "完成办法：登记一次“支委会”会议记录" in text
        assert "1. 登记城关村的支委会会议记录" in text and "2. 登记南石村的支委会会议记录" in text
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, MeetingFormScreen)
        text = seen(app)
        assert "登记南石村的会议记录" in text and "支委会" in text and "请选择会议类别" not in text


async def test_the_supervisor_sees_the_duties_but_is_offered_only_to_read(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    register(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)), environ=env(SUPERVISOR))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = shown(app)
        assert "监委会只读；监督按" in lines[2]
        assert "支部委员会 每月 — 待完成：城关村" in seen(app) and "南石村" not in seen(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        text = seen(app)
        assert "完成办法" in text and "查看事项说明" in text and "登记城关村" not in text


@pytest.mark.parametrize(
    ("account", "villages"), [(TOWNSHIP, "城关村、南石村"), (CADRE, "城关村"), (CADRE_SOUTH, "南石村")]
)
async def test_each_role_sees_its_villages_on_one_row_and_may_record(
    tmp_path: Path, account: str, villages: str
) -> None:
    new_site(tmp_path / "data")
    register(tmp_path / "data")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)), environ=env(account))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        lines = shown(app)
        assert "今日 11月27日：周期性工作待完成 4 项。" in lines[1] and "回车：打开选中的办件" in lines[2]
        assert f"支部委员会 每月 — 待完成：{villages}" in seen(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        first = villages.split("、")[0]
        assert f"1. 登记{first}的支委会会议记录" in seen(app)


async def test_typing_in_the_catalogue_searches_at_once(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CatalogScreen)
        await pilot.press(*"dbsq")
        await pilot.pause()
        assert "45. 救助救灾（城乡低保申请审核和确认）" in seen(app)
        assert "【党建工作】" not in seen(app)
        await pilot.press("escape", "c")
        await pilot.pause()
        await pilot.press(*"三会一课")
        await pilot.pause()
        text = seen(app)
        for name in ("支部党员大会", "支部委员会", "党小组会议", "党课"):
            assert name in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatterScreen)
        assert "支部党员大会" in shown(app)[0], "the first found is opened"


async def test_a_key_typed_on_the_list_goes_into_the_search(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("down", "down", "y", "y")
        await pilot.pause()
        text = seen(app)
        assert "14. 村级印章管理（党支部印章使用和管理）" in text
        assert "16. 村级印章管理（村集体经济组织印章使用和管理）" in text


async def test_the_palette_speaks_chinese_and_takes_pinyin(tmp_path: Path) -> None:
    new_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert "查找命令：输入名称或拼音首字母" in seen(app) and "Search" not in seen(app)
        await pilot.press(*"qqqq")
        await pilot.pause(0.8)
        assert "没有找到这个命令" in seen(app) and "No matches" not in seen(app)
        await pilot.press(*["backspace"] * 4, *"sxml")
        await pilot.pause(0.5)
        assert "事项目录" in seen(app)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CatalogScreen)


async def test_with_many_villages_the_offer_asks_which_village_next(tmp_path: Path) -> None:
    from store.site import Site

    villages = ["城关村", "南石村", "东村", "西村", "北村", "中村"]
    Site(tmp_path / "data", environ={}).init(NOW, "沁河镇", villages, my_name=ADMIN_NAME)
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "支部委员会 每月 — 待完成：城关村、南石村等6个村" in seen(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "1. 登记支委会会议记录（再选村）" in seen(app)
        await pilot.press("1")
        await pilot.pause()
        assert "哪个村？" in seen(app) and "6. 中村" in seen(app)
        await pilot.press("6")
        await pilot.pause()
        assert isinstance(app.screen, MeetingFormScreen) and "登记中村的会议记录" in seen(app)


async def test_open_cases_without_a_time_limit_are_shown_and_the_rest_counted(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    numbers = [site.cases.open(site.operator, NOW, "xinfang", "城关村", f"来访{n}").number for n in range(12)]
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = shown(app)
        assert "无时限 12" in lines[1]
        assert any(numbers[0] in line and "[无时限]" in line for line in lines)
        assert numbers[-1] not in seen(app)
        assert "另有 2 件无时限的办件" in seen(app)
        await pilot.press(*["down"] * 10, "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CaseListScreen"


def test_a_missed_duty_is_dated_by_the_window_it_missed() -> None:
    """[已逾期] goes with the end of the window that was missed (超N天), never with the current
    window's end (which read "已逾期 … 25天后")."""
    from types import SimpleNamespace

    from tui.screens.home import duty_date

    today = dt.date(2026, 12, 6)
    missed = SimpleNamespace(missed=("城关村",), window_start=dt.date(2026, 12, 1), window_end=dt.date(2026, 12, 31))
    pending = SimpleNamespace(missed=(), window_start=dt.date(2026, 12, 1), window_end=dt.date(2026, 12, 31))
    assert duty_date(missed, today) == "11-30 超6天"  # type: ignore[arg-type]
    assert duty_date(pending, today) == "12-31 25天后"  # type: ignore[arg-type]
