"""整改 to closure (issue 21, item 1): a finding → 整改 → 完成 → 销号 walk through the public API,
by the accounts that may do each step; 销号 refused for the person responsible and for a 村干部;
overdue from the day after the deadline."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from store import overview
from store.errors import BadInput, Refused
from store.rectifications import overdue
from tests.accounts import CADRE, CADRE_SOUTH, SUPERVISOR, TOWNSHIP, open_as, register
from tests.sites import NOW, new_site

D = dt.date


@pytest.fixture
def root(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    new_site(data)
    register(data)
    return data


def fields(**more: str) -> dict[str, str]:
    base = {
        "source": "finding",
        "source_key": "minutes-unlocked|城关村-2026-HY0001|",
        "target": "",
        "problem": "会议记录召开 7 日后仍未锁定",
        "measure": "补全会议记录并确认锁定",
        "responsible": "王文书",
        "deadline": "2026-12-10",
    }
    return {**base, **more}


def journal(root: Path) -> bytes:
    return (root / "journal.jsonl").read_bytes()


def test_a_finding_is_rectified_done_and_closed_by_the_committee(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)  # 赵六, 监委会 of 城关村
    item = committee.rectifications.new(committee.operator, NOW, "城关村", fields())
    assert item["number"] == "城关村-2026-ZG0001" and item["state"] == "open"
    village = open_as(root, CADRE)  # 王文书, 村干部 of 城关村, the person responsible
    village.rectifications.progress(village.operator, NOW, item["number"], "已补全议题和表决")
    done = village.rectifications.finish(village.operator, NOW, item["number"], "会议记录已于12月1日锁定")
    assert done["state"] == "done" and done["done"]["evidence"] == "会议记录已于12月1日锁定"
    closed = committee.rectifications.close(committee.operator, NOW, item["number"], "核实属实")
    assert closed["state"] == "closed" and closed["closed"]["by_name"] == "赵六"
    assert committee.finding_fixes("城关村")[fields()["source_key"]]["state"] == "closed"
    assert village.verify().ok
    actions = [json.loads(line)["action"] for line in journal(root).decode().splitlines()]
    assert [a for a in actions if a.startswith("rectification.")] == [
        "rectification.new",
        "rectification.progress",
        "rectification.done",
        "rectification.close",
    ]


def test_closing_is_refused_to_the_person_responsible_and_to_a_village_cadre(root: Path) -> None:
    township = open_as(root, TOWNSHIP)  # 包村干部
    village = open_as(root, CADRE)
    committee = open_as(root, SUPERVISOR)
    mine = township.rectifications.new(township.operator, NOW, "城关村", fields(responsible="赵六"))
    village.rectifications.finish(village.operator, NOW, mine["number"], "已整改")
    before = journal(root)
    with pytest.raises(Refused, match=r"责任人“赵六”中有 赵六（.*）的姓名，责任人不能为自己负责的整改销号"):
        committee.rectifications.close(committee.operator, NOW, mine["number"])
    with pytest.raises(Refused, match="整改销号只能由监委会、乡镇或管理员账号办理"):
        village.rectifications.close(village.operator, NOW, mine["number"])
    assert journal(root) == before
    assert township.rectifications.close(township.operator, NOW, mine["number"])["state"] == "closed"
    # Who registered it done does not close it too.
    other = township.rectifications.new(township.operator, NOW, "城关村", fields(responsible="李主任"))
    township.rectifications.finish(township.operator, NOW, other["number"], "已整改")
    with pytest.raises(Refused, match="完成和销号须由不同的人办理"):
        township.rectifications.close(township.operator, NOW, other["number"])


def test_only_the_township_may_find_no_rectification_needed(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    item = committee.rectifications.new(committee.operator, NOW, "城关村", fields())
    for account in (CADRE, SUPERVISOR):
        other = open_as(root, account)
        with pytest.raises(Refused, match="认定“无需整改”只能由乡镇或管理员账号办理"):
            other.rectifications.waive(other.operator, NOW, item["number"], "误报")
    township = open_as(root, TOWNSHIP)
    waived = township.rectifications.waive(township.operator, NOW, item["number"], "会议已于当日锁定，属误报")
    assert waived["state"] == "waived"
    with pytest.raises(Refused, match="已是“无需整改”，不能再登记完成"):
        open_as(root, CADRE).rectifications.finish(open_as(root, CADRE).operator, NOW, item["number"], "x")


def test_a_cadre_of_another_village_cannot_open_or_work_on_it(root: Path) -> None:
    south = open_as(root, CADRE_SOUTH)
    before = journal(root)
    with pytest.raises(Refused, match="不能登记整改于城关村"):
        south.rectifications.new(south.operator, NOW, "城关村", fields())
    committee = open_as(root, SUPERVISOR)
    item = committee.rectifications.new(committee.operator, NOW, "城关村", fields())
    before = journal(root)
    with pytest.raises(Refused):
        south.rectifications.finish(south.operator, NOW, item["number"], "替别村办")
    assert journal(root) == before


def test_bad_input_changes_nothing(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    before = journal(root)
    with pytest.raises(BadInput, match="整改期限 2026-11-01 早于今天"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(deadline="2026-11-01"))
    with pytest.raises(BadInput, match="整改期限“0001-13-01”不是有效日期"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(deadline="0001-13-01"))
    with pytest.raises(BadInput, match="问题不能为空"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(problem=""))
    with pytest.raises(BadInput, match="须写明是哪一条"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(source_key=""))
    assert journal(root) == before


def test_an_item_turns_overdue_the_day_after_its_deadline(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    item = committee.rectifications.new(committee.operator, NOW, "城关村", fields(deadline="2026-12-10"))
    assert not overdue(item, D(2026, 12, 10)) and overdue(item, D(2026, 12, 11))
    assert [r["number"] for r in committee.rectifications.overdue(D(2026, 12, 11))] == [item["number"]]
    part = committee.store.partition("城关村", 2026)
    kept = committee.store.overview_for(part)
    assert list(overview.rectifications_late(kept, D(2026, 12, 10))) == []
    assert [n for n, *_ in overview.rectifications_late(kept, D(2026, 12, 11))] == [item["number"]]
    village = open_as(root, CADRE)
    village.rectifications.finish(village.operator, NOW, item["number"], "已整改")
    assert committee.rectifications.overdue(D(2026, 12, 11)) == []
    assert list(overview.rectifications_late(committee.store.overview_for(part), D(2026, 12, 11))) == []


async def test_a_finding_gets_its_rectification_with_one_key_and_leaves_the_list_once_closed(tmp_path: Path) -> None:
    """On the 监督 screen: k on a finding asks the measure, who and by when; the detail then names
    the 整改 (【整改逾期】 from the day after its deadline), and once 销号 the finding is not listed."""
    from tests.test_conflicts import supervisor_and_cousin
    from tests.test_tui_supervision import SIZE, detail, open_supervision, rows
    from tests.tui_helpers import Clock, make
    from tui.dialogs import TextDialog

    data = tmp_path / "data"
    site = new_site(data)
    supervisor_and_cousin(site)  # 监委会成员兼任两委: a red finding on 城关村-2026-RY0001
    clock = Clock(D(2026, 12, 1))
    app = make(data, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        assert len(rows(app)) == 1 and "整改：未登记（k 登记）" in detail(app)
        await pilot.press("k")
        await pilot.pause()
        for answer in ("调整监委会人选", "张主任"):
            assert isinstance(app.screen, TextDialog)
            for ch in answer:
                await pilot.press(ch)
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, TextDialog)  # the deadline, a month ahead unless changed
        await pilot.press("enter")
        await pilot.pause()
        assert "整改 城关村-2026-ZG0001 整改中，期限 2026-12-31；" in detail(app)
    (fix,) = site.rectifications.find("城关村")
    assert (fix["measure"], fix["responsible"], fix["deadline"]) == ("调整监委会人选", "张主任", "2026-12-31")
    assert fix["source_key"].startswith("supervisor-on-committee|")
    clock.to(D(2027, 1, 1))
    app = make(data, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        assert "【整改逾期】城关村-2026-ZG0001 整改中" in detail(app)
    site.rectifications.finish(site.operator, NOW, fix["number"], "已改选")
    register(data)  # the 乡镇 closes what the 管理员 registered done
    township = open_as(data, TOWNSHIP)
    township.rectifications.close(township.operator, NOW, fix["number"], "核实属实")
    app = make(data, clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_supervision(pilot, app)
        assert rows(app) and not [r for r in rows(app) if r[3].startswith("2026-RY")]  # others of the new year stay
        # Not listed, but said: the 各村汇总 and the summary still count it for its period.
        assert "（另 1 条已整改销号）" in str(app.screen.query_one("#sv-section").render())


async def test_home_lists_an_overdue_rectification_from_the_day_after_its_deadline(tmp_path: Path) -> None:
    from tests.test_tui_supervision import SIZE
    from tests.tui_helpers import Clock, make, visible_text
    from tui.dialogs import ReadDialog

    data = tmp_path / "data"
    site = new_site(data)
    item = site.rectifications.new(site.operator, NOW, "城关村", fields(source="inspection", source_key=""))
    for day, shown in ((D(2026, 12, 10), False), (D(2026, 12, 11), True)):
        app = make(data, Clock(day))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            seen = visible_text(app)
            assert ("[已超期]  12-10 超1天" in seen and f"{item['number']} 整改：会议记录召开" in seen) is shown, seen
            assert ("整改逾期 1" in seen) is shown
            if shown:
                table = app.screen.query_one("DataTable")
                table.move_cursor(row=0)
                await pilot.press("enter")
                await pilot.pause()
                assert isinstance(app.screen, ReadDialog)
                page = visible_text(app)
                assert "整改中，已逾期" in page and "整改措施：补全会议记录并确认锁定" in page


ID = "11010519491231002X"


def test_an_id_number_in_the_problem_is_masked_in_the_overview_and_on_home(root: Path) -> None:
    """Masked before the first 40 characters are cut: an ID cut in two is not left readable."""
    from store.worklist import work_list

    committee = open_as(root, SUPERVISOR)
    problem = f"低保对象张三（身份证号{ID}）的收入证明未附，且家庭人口登记有误"
    assert problem.index(ID) + len(ID) <= 40 < len(problem)
    cut = "村民李四" + "的" * 28 + ID  # the ID begins before the 40th character and ends after it
    items = [
        committee.rectifications.new(
            committee.operator, NOW, "城关村", fields(source="inspection", source_key="", problem=text)
        )
        for text in (problem, cut)
    ]
    kept = committee.store.overview_for(committee.store.partition("城关村", 2026))
    words = [kept["rectifications"][item["number"]][2] for item in items]
    assert words[0] == problem.replace(ID, "110105********002X")[:40]
    assert words[1].endswith("110105**") and "1949" not in words[1]
    late = work_list(committee, D(2026, 12, 11)).fixes  # what home lists
    assert [f.problem for f in late] == words and all("19491231" not in f.problem for f in late)
    assert committee.verify().ok


def test_an_overview_of_version_6_is_made_again_and_verify_still_passes(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    item = committee.rectifications.new(
        committee.operator, NOW, "城关村", fields(source="inspection", source_key="", problem=f"身份证{ID}未核")
    )
    path = root / "cases" / "城关村" / "2026.overview.json"
    old = json.loads(path.read_text())
    old["version"] = 6
    old["rectifications"][item["number"]] = ["open", "2026-12-10", f"身份证{ID}未核", ""]
    path.write_text(json.dumps(old, ensure_ascii=False))
    again = open_as(root, SUPERVISOR)
    assert again.verify().ok
    kept = again.store.overview_for(again.store.partition("城关村", 2026))
    assert kept["version"] == overview.VERSION == 7
    assert kept["rectifications"][item["number"]][2] == "身份证110105********002X未核"


def test_a_finding_of_another_village_or_no_finding_at_all_is_refused(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    township = open_as(root, TOWNSHIP)
    before = journal(root)
    for key in ("minutes-unlocked|南石村-2026-HY0001|", "duty-missed|南石村/sanhui|meeting|2026-10-01"):
        with pytest.raises(BadInput, match=f"风险提示“{re.escape(key)}”是南石村的，不是城关村的：请在南石村登记整改"):
            township.rectifications.new(township.operator, NOW, "城关村", fields(source_key=key))
    with pytest.raises(BadInput, match="“随便写的”不是风险提示的编号"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(source_key="随便写的"))
    assert journal(root) == before


def test_a_fix_naming_another_villages_finding_does_not_hide_it_there(root: Path) -> None:
    """Saved before the store refused it (written here as an old version would have): it does
    not count for 南石村's finding, and does not count in 城关村 either."""
    township = open_as(root, TOWNSHIP)
    key = "minutes-unlocked|南石村-2026-HY0001|"
    mine = township.rectifications.new(township.operator, NOW, "城关村", fields())
    with township.store.transaction(township.operator, NOW) as txn:
        record = township.rectifications.book.for_update(mine["number"], None)
        record.update(source_key=key, state="waived")
        township.rectifications.book.save(txn, record, "rectification.waive")
    seen = open_as(root, TOWNSHIP)
    assert key not in seen.finding_fixes() and key not in seen.finding_fixes("南石村")


def test_a_second_open_rectification_on_one_finding_or_opinion_is_refused(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    first = committee.rectifications.new(committee.operator, NOW, "城关村", fields())
    before = journal(root)
    with pytest.raises(Refused, match="这条风险提示已有整改事项 城关村-2026-ZG0001（整改中）"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(measure="另一种办法"))
    village = open_as(root, CADRE)
    village.rectifications.finish(village.operator, NOW, first["number"], "已锁定")
    with pytest.raises(Refused, match="已有整改事项 城关村-2026-ZG0001（已完成待销号）"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields())
    township = open_as(root, TOWNSHIP)
    township.rectifications.close(township.operator, NOW, first["number"])
    second = committee.rectifications.new(committee.operator, NOW, "城关村", fields())  # once 销号, again
    assert committee.finding_fixes("城关村")[fields()["source_key"]]["number"] == second["number"]
    opinion = committee.opinions.add(
        committee.operator, NOW, "", "会议记录应及时锁定", finding="x|城关村-2026-HY0001|", village="城关村"
    )
    committee.rectifications.new(
        committee.operator, NOW, "城关村", fields(source="opinion", source_key=opinion["number"])
    )
    before = journal(root)
    with pytest.raises(Refused, match="这条监督意见已有整改事项 城关村-2026-ZG0003（整改中）"):
        committee.rectifications.new(
            committee.operator, NOW, "城关村", fields(source="opinion", source_key=opinion["number"])
        )
    assert journal(root) == before


def test_the_opinion_and_the_target_must_be_records_of_the_same_village(root: Path) -> None:
    committee = open_as(root, SUPERVISOR)
    township = open_as(root, TOWNSHIP)
    south = township.opinions.add(
        township.operator, NOW, "", "未按期召开", finding="x|南石村/m|s|2026-10-01", village="南石村"
    )
    case = township.cases.open(township.operator, NOW, "dibao", "城关村", "张三申请低保").number
    before = journal(root)
    with pytest.raises(BadInput, match=f"监督意见 {south['number']} 是南石村的，不是城关村的"):
        township.rectifications.new(
            township.operator, NOW, "城关村", fields(source="opinion", source_key=south["number"])
        )
    with pytest.raises(BadInput, match="没有编号为“城关村-2026-YJ0009”的监督意见"):
        committee.rectifications.new(
            committee.operator, NOW, "城关村", fields(source="opinion", source_key="城关村-2026-YJ0009")
        )
    with pytest.raises(BadInput, match="办件 南石村-2026-0001 是南石村的，不是城关村的"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(target="南石村-2026-0001"))
    with pytest.raises(BadInput, match="没有编号为“城关村-2026-HY0001”的记录"):
        committee.rectifications.new(committee.operator, NOW, "城关村", fields(target="城关村-2026-HY0001"))
    assert journal(root) == before
    made = committee.rectifications.new(committee.operator, NOW, "城关村", fields(target=case.replace("-", "—", 1)))
    assert made["target"] == case  # as the number is written


def test_the_person_responsible_may_not_waive_nor_close_when_named_among_others(root: Path) -> None:
    township = open_as(root, TOWNSHIP)  # 包村干部
    committee = open_as(root, SUPERVISOR)  # 赵六
    village = open_as(root, CADRE)
    waived = township.rectifications.new(
        township.operator, NOW, "城关村", fields(source="inspection", source_key="", responsible="包村干部（乡镇）")
    )
    before = journal(root)
    with pytest.raises(
        Refused, match=r"责任人“包村干部（乡镇）”中有 包村干部（.*）的姓名，责任人不能为自己负责的整改认定无需整改"
    ):
        township.rectifications.waive(township.operator, NOW, waived["number"], "不需要")
    assert journal(root) == before
    for responsible in ("赵六同志", "王文书、赵 六", "赵六（监委会）"):
        item = township.rectifications.new(
            township.operator, NOW, "城关村", fields(source="inspection", source_key="", responsible=responsible)
        )
        village.rectifications.finish(village.operator, NOW, item["number"], "已整改")
        before = journal(root)
        with pytest.raises(Refused, match="责任人不能为自己负责的整改销号"):
            committee.rectifications.close(committee.operator, NOW, item["number"])
        assert journal(root) == before
