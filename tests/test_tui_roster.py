"""The 名册 screen (issue 20, item 6): a village's people and the memberships they hold on the
名册日期, filtered by membership; a person entered, a membership ended, through the screen.
Pilot at 80×24, reading what the terminal shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select

from procedures import roster as rules
from store.site import Site
from tests.accounts import SUPERVISOR as PERSON
from tests.accounts import env
from tests.sites import NOW, VILLAGES, new_site
from tests.test_tui_dropdowns import open_dropdown, shows_all
from tests.test_tui_supervision import give_role
from tests.tui_helpers import Clock, make, visible_text
from tui.app import CunwuApp
from tui.dialogs import ChoiceDialog, MessageDialog, ReadDialog
from tui.screens.roster import RosterScreen
from tui.screens.roster_forms import JoinFormScreen, LeaveFormScreen, PersonFormScreen

SIZE = (80, 24)
ID = "11010519491231002X"
OTHER_ID = "140431200307221240"


def current(app: CunwuApp) -> Screen[Any]:
    """The screen on top (a call, so that mypy does not carry an isinstance over the awaits)."""
    return app.screen


def footer(app: CunwuApp) -> str:
    return visible_text(app).splitlines()[-1]


def person(
    site: Site, name: str, *memberships: tuple[str, str, str], household: str = "", id_number: str = ""
) -> dict[str, Any]:
    """``memberships``: (role, since, detail)."""
    fields = {
        "name": name,
        "gender": "男",
        "household": household,
        "id_number": id_number,
        "memberships": [{"role": r, "since": s, "detail": d} for r, s, d in memberships],
    }
    return site.roster.add(site.operator, NOW, "城关村", fields)


def village_roster(root: Path) -> Site:
    site = new_site(root)
    person(
        site,
        "张建国",
        ("正式党员", "1971-07-01", ""),
        ("支委会委员", "2024-03-01", "书记"),
        household="0012",
        id_number=ID,
    )
    person(site, "李秀英", ("村民代表", "2021-01-01", "第二村民小组"))
    person(site, "王小明", ("村民代表", "2026-06-01", "第三村民小组"))
    return site


async def open_roster(pilot: Pilot[None], app: CunwuApp, village_key: str = "1") -> None:
    await pilot.press("r")
    await pilot.pause()
    if isinstance(current(app), ChoiceDialog):
        await pilot.press(village_key)
        await pilot.pause()
    assert isinstance(current(app), RosterScreen)


async def type_into(pilot: Pilot[None], app: CunwuApp, selector: str, text: str) -> None:
    app.screen.query_one(selector).focus()
    await pilot.pause()
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    await pilot.pause()


async def test_home_offers_the_roster_and_it_lists_people_with_their_memberships(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "r 名册" in footer(app)
        await pilot.press("f1")
        await pilot.pause()
        assert "名册：本村人员名册" in visible_text(app)
        await pilot.press("escape")
        await open_roster(pilot, app)
        seen = visible_text(app)
        assert "城关村名册 · 名册日期 2026-11-27 · 全部：共 3 人" in seen
        assert "张建国" in seen and "正式党员、支委会委员（书记）" in seen
        assert "李秀英" in seen and "村民代表（第二村民小组）" in seen
        assert "0012（户主）" not in seen and "0012" in seen
        assert ID not in seen and "19491231" not in seen
        footer_line = footer(app)
        for key in ("登记", "加身份", "终止", "修改", "筛选", "返回"):
            assert key in footer_line, footer_line
        await pilot.press("enter")  # 张建国's page: every membership, the ID number masked
        await pilot.pause()
        assert isinstance(current(app), ReadDialog)
        page = visible_text(app)
        assert idnumber_masked() in page and ID not in page
        assert "支委会委员（书记） 2024-03-01 起" in page


def idnumber_masked() -> str:
    from procedures import idnumber

    return idnumber.mask(ID)


async def test_role_filter_opens_with_every_role_and_filters(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        # The list opens at its top and scrolls for the rest: the first choices are on screen.
        shows_all(await open_dropdown(pilot, app, "#roster-role"), ["全部", *[r.value for r in rules.Role][:6]])
        app.screen.query_one("#roster-role", Select).focus()
        await pilot.press("enter", "end")
        await pilot.pause()
        shows_all(visible_text(app), [r.value for r in rules.Role][-6:])
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f3", "enter", *["down"] * 3, "enter")  # 全部 村民 户代表 村民代表
        await pilot.pause()
        seen = visible_text(app)
        assert "村民代表：共 2 人" in seen
        assert "李秀英" in seen and "王小明" in seen and "张建国" not in seen


async def test_an_earlier_day_hides_a_member_who_joined_later(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        assert "王小明" in visible_text(app)
        field = app.screen.query_one("#roster-day", Input)
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2026-03-01", "enter")
        await pilot.pause()
        seen = visible_text(app)
        assert "名册日期 2026-03-01 · 全部：共 2 人" in seen
        assert "王小明" not in seen and "李秀英" in seen
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2026-13-01", "enter")  # not a date: said, nothing changes
        await pilot.pause()
        assert "名册日期 2026-03-01 · 全部：共 2 人" in visible_text(app)
        assert any("名册日期“2026-13-01”不是有效日期" in str(n.message) for n in app._notifications)
        field.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"2026-11-27", "tab")  # leaving the field applies it too
        await pilot.pause()
        assert "名册日期 2026-11-27 · 全部：共 3 人" in visible_text(app) and "王小明" in visible_text(app)


async def test_a_person_entered_through_the_form_is_listed_and_stored(tmp_path: Path) -> None:
    site = village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), PersonFormScreen)
        await type_into(pilot, app, "#name", "赵春花")
        await pilot.press("tab", "enter", "down", "down", "enter")  # 性别: (不填) 男 女
        await type_into(pilot, app, "#id_number", OTHER_ID)
        await type_into(pilot, app, "#household", "0031")
        await type_into(pilot, app, "#group", "第一村民小组")
        app.screen.query_one("#role", Select).focus()
        await pilot.press("enter", *["down"] * 4, "enter")  # (暂不登记) 村民 户代表 村民代表
        await type_into(pilot, app, "#detail", "第一村民小组")
        app.screen.query_one("#since", Input).value = ""
        await type_into(pilot, app, "#since", "2026-01-05")
        await pilot.press("escape")  # filled: asks first, and Enter keeps editing
        await pilot.pause()
        assert isinstance(current(app), ChoiceDialog) and "有未保存的内容" in visible_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(current(app), PersonFormScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        seen = visible_text(app)
        assert "共 4 人" in seen and "赵春花" in seen and "村民代表（第一村民小组）" in seen
        assert OTHER_ID not in seen
    [entered] = [p for p in site.roster.people("城关村") if p["name"] == "赵春花"]
    assert (entered["gender"], entered["household"], entered["birth"]) == ("女", "0031", "2003-07-22")
    assert entered["memberships"] == [
        {"role": "村民代表", "since": "2026-01-05", "until": "", "detail": "第一村民小组"}
    ]


async def test_a_bad_entry_is_refused_in_chinese_and_nothing_is_saved(tmp_path: Path) -> None:
    site = village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, app, "#name", "张建国")
        await type_into(pilot, app, "#id_number", ID)  # the same ID number as 张建国's
        app.screen.query_one("#role", Select).focus()
        await pilot.press("enter", "down", "enter")  # (暂不登记身份)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog)
        assert "已在名册中" in visible_text(app) and "身份证号相同" in visible_text(app)
    assert len(site.roster.people("城关村")) == 3


async def test_a_membership_added_then_ended_through_the_screen(tmp_path: Path) -> None:
    site = village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await pilot.press("down")  # 李秀英
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(current(app), JoinFormScreen)
        await pilot.press(
            "enter", *["down"] * 7, "enter"
        )  # (请选择) 村民 户代表 村民代表 积极分子 发展对象 预备党员 正式党员
        await type_into(pilot, app, "#detail", "")
        app.screen.query_one("#since", Input).value = ""
        await type_into(pilot, app, "#since", "2020-07-01")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        assert "村民代表（第二村民小组）、正式党员" in visible_text(app)
        await pilot.press("z")  # end one: two still held, choose which
        await pilot.pause()
        assert isinstance(current(app), LeaveFormScreen)
        await pilot.press("enter")
        await pilot.pause()
        shows_all(visible_text(app), ["村民代表（第二村民小组） 2021-01-01 起", "正式党员 2020-07-01 起"])
        await pilot.press("down", "enter")  # (请选择身份) then the first: 村民代表
        app.screen.query_one("#until", Input).value = ""
        await type_into(pilot, app, "#until", "2026-03-10")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        seen = visible_text(app)
        assert "李秀英" in seen and "村民代表（第二村民小组）、正式党员" not in seen
        line = next(line for line in seen.splitlines() if "李秀英" in line)
        assert "正式党员" in line and "村民代表" not in line
    [record] = [p for p in site.roster.people("城关村") if p["name"] == "李秀英"]
    assert record["memberships"][0]["until"] == "2026-03-10"


async def test_a_supervisor_account_sees_the_roster_read_only(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    environ = give_role(tmp_path / "data", "监委会")
    app = make(tmp_path / "data", Clock(dt.date(2026, 11, 27)), environ=environ)
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        assert "张建国" in visible_text(app)
        line = footer(app)
        assert "登记" not in line and "加身份" not in line and "修改" not in line
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "监委会账号" in visible_text(app)
        await pilot.press("enter", "z")
        await pilot.pause()
        assert isinstance(current(app), MessageDialog) and "终止身份" in visible_text(app)


async def test_correcting_a_person_keeps_the_id_number_unless_a_new_one_is_typed(tmp_path: Path) -> None:
    site = village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await pilot.press("e")  # 张建国, highlighted first
        await pilot.pause()
        assert isinstance(current(app), PersonFormScreen)
        seen = visible_text(app)
        assert f"已登记 {idnumber_masked()}" in seen and ID not in seen
        assert app.screen.query_one("#id_number", Input).value == ""
        app.screen.query_one("#household", Input).value = ""
        await type_into(pilot, app, "#household", "0013")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        assert "0013" in visible_text(app)
    [record] = [p for p in site.roster.records("城关村") if p["name"] == "张建国"]
    assert record["household"] == "0013" and record["id_number"] == ID


async def test_a_village_cadre_of_one_village_goes_straight_to_its_roster(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    Site(tmp_path / "data", environ={}).init(
        NOW, "沁河镇", VILLAGES, staff=[f"{PERSON}=张村干:村干部:城关村"], my_name="王文书"
    )
    app = make(tmp_path / "data", environ=env(PERSON))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        assert "城关村名册" in visible_text(app) and "张建国" in visible_text(app)


async def test_two_digits_typed_at_once_answer_a_choice_once(tmp_path: Path) -> None:
    """ "12" in one burst at the village choice: the second digit reached the closing dialog and
    dismissed the screen beneath it too (once the app ended with ScreenStackError)."""
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = current(app)
        await pilot.press("r")
        await pilot.pause()
        dialog = current(app)
        assert isinstance(dialog, ChoiceDialog)
        for digit in "12":  # both queued before the first is handled, as a terminal's burst arrives
            dialog.post_message(events.Key(digit, digit))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(current(app), RosterScreen)
        assert "城关村名册" in visible_text(app) and "Esc 返回" in footer(app)
        await pilot.press("escape")
        await pilot.pause()
        assert current(app) is home


async def test_what_is_typed_as_a_membership_s_detail_is_seen(tmp_path: Path) -> None:
    """The 职务/说明 input was squeezed to its two borders by the case list's #detail rule: what
    the clerk typed was saved, never seen."""
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(current(app), JoinFormScreen)
        await type_into(pilot, app, "#detail", "第二党小组")
        assert "第二党小组" in visible_text(app)
        assert app.screen.query_one("#detail", Input).outer_size.height == 3


async def test_a_name_typed_in_the_search_field_narrows_the_list(tmp_path: Path) -> None:
    village_roster(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await open_roster(pilot, app)
        await type_into(pilot, app, "#roster-name", "李")
        seen = visible_text(app)
        assert "姓名含“李”：共 1 人" in seen and "李秀英" in seen and "张建国" not in seen
        await pilot.press("enter")  # back to the list, on the one found
        await pilot.pause()
        assert "RY0002 李秀英" in visible_text(app)
