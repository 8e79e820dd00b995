"""The login digest ``cunwu due --brief`` (issue 21, item 4): what each role reads at SSH login,
from data built through the API — cases overdue and due today, a 公示 waiting for the 监委会's
signature, an overdue 整改 and one done awaiting 销号; nothing for an account not in the
settings; never a failed login."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store import digest
from store.countersign import waiting
from store.site import Site
from tests.accounts import CADRE, CADRE_SOUTH, STRANGER, SUPERVISOR, TOWNSHIP, env, open_as, register
from tests.sites import at, new_site, walk_to
from tui import cli_common
from tui.cli import app

D = dt.date
TODAY = D(2026, 12, 28)
"""A Monday: a 调解 received on 11-25 had until 12-25 (overdue now), one received on 11-28 until
12-28 (due today, 12-27 being a Sunday); no recurring duty ends today (they end on the 31st)."""
MEDIATE = {"dispute": "当事人申请受理"}
HEADER = "cunwu 待办（12月28日，详见 cunwu due）："


def dispute(site: Site, village: str, day: D, hour: int) -> str:
    """A 调解 received on ``day``: at 调解 with its month running from then."""
    number = site.cases.open(site.operator, at(day, hour), "maodun-jiufen", village, f"{village}邻里纠纷").number
    walk_to(site, number, "mediate", at(day, hour), MEDIATE)
    return number


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Two villages, set up on 11-02: in 城关村 a 调解 overdue and one due today, a 低保 whose
    公示 is registered for 12-29 and not signed, a second 低保 whose 公示 is signed; in 南石村 a
    调解 overdue. 整改: in 城关村 one past its deadline (12-10) and one done awaiting 销号, in
    南石村 one not yet due."""
    data = tmp_path / "data"
    new_site(data, at(D(2026, 11, 2)))
    register(data)
    admin = Site(data, environ={})  # the account running the tests: the 管理员
    dispute(admin, "城关村", D(2026, 11, 25), 10)
    dispute(admin, "南石村", D(2026, 11, 25), 11)
    dispute(admin, "城关村", D(2026, 11, 28), 10)
    notices = []
    for subject in ("王某低保申请", "李某低保申请"):
        number = admin.cases.open(admin.operator, at(TODAY, 8), "dibao", "城关村", subject).number
        walk_to(admin, number, "publicize", at(TODAY, 8))
        admin.cases.post_notice(
            admin.operator, at(TODAY, 8), number, {"posted_on": TODAY + dt.timedelta(days=1), "content": subject}
        )
        notices.append(number)
    committee = open_as(data, SUPERVISOR)
    committee.opinions.countersign(committee.operator, at(TODAY, 9), notices[1])
    rect = {"source": "inspection", "problem": "财务公开栏未更新", "measure": "更新并拍照留存", "responsible": "王文书"}
    township = open_as(data, TOWNSHIP)
    late = township.rectifications.new(
        township.operator, at(D(2026, 11, 28), 12), "城关村", {**rect, "deadline": "2026-12-10"}
    )
    done = township.rectifications.new(
        township.operator, at(D(2026, 11, 28), 12), "城关村", {**rect, "deadline": "2027-01-10"}
    )
    township.rectifications.new(
        township.operator, at(D(2026, 11, 28), 12), "南石村", {**rect, "deadline": "2027-01-10"}
    )
    cadre = open_as(data, CADRE)
    cadre.rectifications.finish(cadre.operator, at(TODAY, 9), done["number"], "已更新，照片存档")
    assert late["state"] == "open"
    return data


runner = CliRunner()


def brief(root: Path, account: str | None, monkeypatch: pytest.MonkeyPatch, *more: str) -> tuple[int, str, str]:
    monkeypatch.setattr(cli_common, "now", lambda: at(TODAY, 8))
    result = runner.invoke(app, ["--data", str(root), "due", "--brief", *more], env=env(account) if account else {})
    return result.exit_code, result.stdout, result.stderr


def test_a_village_cadre_reads_its_own_village_only(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = brief(root, CADRE, monkeypatch)
    assert (code, err) == (0, "")
    # 城关村: one 调解 past its month, one ending today; the overdue 整改. Not 待签 (the
    # committee's), not 整改待销号 (not the village's to close).
    assert out.splitlines() == [HEADER, "  城关村：逾期 1，今日到期 1，整改逾期 1"]
    code, out, _ = brief(root, CADRE_SOUTH, monkeypatch)
    assert out.splitlines() == [HEADER, "  南石村：逾期 1"]


def test_the_committee_reads_what_waits_for_its_signature_and_its_closing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = brief(root, SUPERVISOR, monkeypatch)
    assert (code, err) == (0, "")
    # Two 公示 registered for tomorrow, one signed: 待签 1.
    assert out.splitlines() == [HEADER, "  城关村：待签 1，整改逾期 1，整改待销号 1"]
    # The 监督 screen's list is the same one (store.countersign): both 公示, one unsigned.
    found = waiting(open_as(root, SUPERVISOR), TODAY)
    assert [w.sign_state for w in found] == ["未签", "1 人"]
    # Once signed, it is no longer counted.
    committee = open_as(root, SUPERVISOR)
    committee.opinions.countersign(committee.operator, at(TODAY, 10), found[0].case.number)
    code, out, _ = brief(root, SUPERVISOR, monkeypatch)
    assert out.splitlines() == [HEADER, "  城关村：整改逾期 1，整改待销号 1"]


def test_the_township_reads_every_village_one_line_each(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = brief(root, TOWNSHIP, monkeypatch)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        HEADER,
        "  城关村：逾期 1，今日到期 1，整改逾期 1，整改待销号 1",
        "  南石村：逾期 1",
    ]
    code, out, _ = brief(root, TOWNSHIP, monkeypatch, "--village", "南石村")
    assert out.splitlines() == [HEADER, "  南石村：逾期 1"]


def test_the_day_after_a_deadline_it_is_overdue_and_nothing_is_due_today(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = open_as(root, TOWNSHIP)
    assert [c.words(digest.SHOWN["乡镇"]) for c in digest.counts(site, TODAY + dt.timedelta(days=1))] == [
        "逾期 2，整改逾期 1，整改待销号 1",
        "逾期 1",
    ]
    # Before anything ran late (12-01): the 调解 still running, the 整改 not yet due.
    assert [c.words(digest.SHOWN["乡镇"]) for c in digest.counts(site, D(2026, 12, 1))] == ["整改待销号 1", ""]


def test_many_busy_villages_are_summed_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    villages = ["一村", "二村", "三村", "四村", "五村"]
    site = Site(data, environ={})
    site.init(at(D(2026, 11, 2)), "沁河镇", villages, my_name="刘建华")
    for hour, name in enumerate(villages, start=9):
        dispute(site, name, D(2026, 11, 25), hour)
    code, out, _ = brief(data, None, monkeypatch)
    assert (code, out.splitlines()) == (0, [HEADER, "  5 个村合计：逾期 5"])
    assert len(digest.lines(site, TODAY, "三村")) == 1


def test_nothing_to_do_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    new_site(data, at(D(2026, 11, 2)))
    assert brief(data, None, monkeypatch) == (0, "", "")


def test_an_account_not_in_the_settings_or_no_data_gets_nothing_and_exit_0(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert brief(root, STRANGER, monkeypatch) == (0, "", "")
    assert brief(tmp_path / "not-set-up", None, monkeypatch) == (0, "", "")
    assert not (tmp_path / "not-set-up").exists()


def test_an_error_is_one_line_on_stderr_and_the_login_goes_on(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "cases" / "城关村" / "2026.json").write_text("{ not json", "utf-8")
    (root / "cases" / "城关村" / "2026.overview.json").unlink()
    code, out, err = brief(root, CADRE, monkeypatch)
    assert code == 0 and out == ""
    assert err == "cunwu 待办提示：城关村的数据文件已损坏，未计入；请管理员运行 cunwu verify。\n"
    # Of its own village alone (--village), the damage stops the listing: one line all the same.
    code, out, err = brief(root, CADRE, monkeypatch, "--village", "城关村")
    assert code == 0 and out == "" and len(err.splitlines()) == 1 and err.startswith("cunwu 待办提示未能显示：")

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(digest, "lines", broken)
    assert brief(root, TOWNSHIP, monkeypatch) == (0, "", "cunwu 待办提示未能显示：RuntimeError\n")


def test_brief_is_not_for_scripts(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = brief(root, TOWNSHIP, monkeypatch, "--json")
    assert code == 2 and out == "" and "cunwu due --json" in err


def test_a_notice_registered_the_next_year_still_waits_for_its_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case opened in December (the 2026 file) whose 公示 is registered in January (the 2027
    file): the two are matched across the village's files."""
    data = tmp_path / "data"
    new_site(data, at(D(2026, 11, 2)))
    register(data)
    admin = Site(data, environ={})
    number = admin.cases.open(admin.operator, at(D(2026, 12, 30)), "dibao", "城关村", "王某低保申请").number
    walk_to(admin, number, "publicize", at(D(2026, 12, 30)))
    day = D(2027, 1, 4)
    notice = admin.cases.post_notice(admin.operator, at(day), number, {"posted_on": D(2027, 1, 5), "content": "王某"})
    assert str(notice["number"]).startswith("城关村-2027-") and number.startswith("城关村-2026-")
    assert [c.unsigned for c in digest.counts(open_as(data, SUPERVISOR), day)] == [1]
    monkeypatch.setattr(cli_common, "now", lambda: at(day, 8))
    result = runner.invoke(app, ["--data", str(data), "due", "--brief"], env=env(SUPERVISOR))
    assert result.stdout.splitlines() == ["cunwu 待办（1月4日，详见 cunwu due）：", "  城关村：待签 1"]


def test_an_item_due_today_counts_and_one_the_account_may_not_close_does_not_wait_for_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 整改 whose deadline is today is 今日到期; 整改待销号 leaves out what the account may not
    close: one it is the 责任人 of (named among others), one it registered done itself."""
    rect = {"source": "inspection", "problem": "公开栏未更新", "measure": "更新"}
    township = open_as(root, TOWNSHIP)
    township.rectifications.new(
        township.operator,
        at(D(2026, 11, 28), 12),
        "南石村",
        {**rect, "responsible": "李主任", "deadline": "2026-12-28"},
    )
    mine = township.rectifications.new(
        township.operator,
        at(D(2026, 11, 28), 12),
        "城关村",
        {**rect, "responsible": "赵六同志", "deadline": "2027-01-10"},
    )
    theirs = township.rectifications.new(
        township.operator,
        at(D(2026, 11, 28), 12),
        "城关村",
        {**rect, "responsible": "王文书", "deadline": "2027-01-10"},
    )
    cadre = open_as(root, CADRE)
    cadre.rectifications.finish(cadre.operator, at(TODAY, 9), mine["number"], "已更新")
    township.rectifications.finish(township.operator, at(TODAY, 9), theirs["number"], "已更新")
    code, out, err = brief(root, SUPERVISOR, monkeypatch)  # 赵六: not the one naming 赵六同志
    assert (code, err) == (0, "")
    assert out.splitlines() == [HEADER, "  城关村：待签 1，整改逾期 1，整改待销号 2"]
    code, out, _ = brief(root, TOWNSHIP, monkeypatch)  # not the one it registered done
    assert out.splitlines() == [
        HEADER,
        "  城关村：逾期 1，今日到期 1，整改逾期 1，整改待销号 2",
        "  南石村：逾期 1，今日到期 1",
    ]
    code, out, _ = brief(root, CADRE_SOUTH, monkeypatch)
    assert out.splitlines() == [HEADER, "  南石村：逾期 1，今日到期 1"]


def test_a_folder_it_may_not_read_is_said_in_chinese(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object) -> None:
        raise PermissionError(13, "Permission denied", str(root / "cases" / "城关村" / "2026.json"))

    monkeypatch.setattr(digest, "lines", refused)
    code, out, err = brief(root, TOWNSHIP, monkeypatch)
    assert code == 0 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("cunwu 待办提示未能显示：") and "PermissionError" not in err
    assert "2026.json" in err and "权限" in err, err


def test_cunwu_due_lists_the_overdue_rectifications_home_lists(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Home lists an overdue 整改 and counts it; ``cunwu due`` (its list on the command line) too."""
    monkeypatch.setattr(cli_common, "now", lambda: at(TODAY, 8))
    result = runner.invoke(app, ["--data", str(root), "due"], env=env(TOWNSHIP))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at_fix = lines.index("[整改逾期] 2026-12-10 城关村 城关村-2026-ZG0001")
    assert lines[at_fix + 1] == "    整改：财务公开栏未更新（已超期 18 日）"
    assert "整改逾期 1" in lines[-1]
    result = runner.invoke(app, ["--data", str(root), "due", "--json"], env=env(TOWNSHIP))
    fixes = [i for i in json.loads(result.stdout) if i["kind"] == "rectification"]
    assert [(i["number"], i["state"], i["due"], i["days_left"]) for i in fixes] == [
        ("城关村-2026-ZG0001", "overdue", "2026-12-10", -18)
    ]
    result = runner.invoke(app, ["--data", str(root), "due", "--json"], env=env(CADRE_SOUTH))
    assert not [i for i in json.loads(result.stdout) if i["kind"] == "rectification"]  # 南石村's is not late
