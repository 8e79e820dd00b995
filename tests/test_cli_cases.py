"""The case, init, due, verify, backup and restore commands, with the clock fixed."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store.identity import os_account
from tests.accounts import CADRE, env, register
from tests.sites import CST
from tui import cli_common
from tui.cli import app

runner = CliRunner()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def to(self, day: dt.date) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=CST)


@pytest.fixture
def clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setenv("CUNWU_DATA", str(tmp_path / "data"))
    c = Clock()
    monkeypatch.setattr(cli_common, "now", c)
    return c


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str, str]:
    """``cunwu ARGS`` run by the account running the tests (the 管理员), or by the person ``env``
    names (``tests.accounts.env``)."""
    result = runner.invoke(app, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def init() -> None:
    code, out, _ = run("init", "--township", "沁河镇", "--village", "城关村", "--village", "南石村", "--name", "刘建华")
    assert code == 0 and "城关村、南石村" in out


def test_commands_before_init_say_what_to_do(clock: Clock) -> None:
    code, _, err = run("case", "list")
    assert code == 2 and "cunwu init --township" in err


def test_init_creates_private_settings_and_extends(clock: Clock, tmp_path: Path) -> None:
    init()
    code, out, _ = run("init", "--village", "北村", "--json")
    assert code == 0 and json.loads(out)["villages"] == ["城关村", "南石村", "北村"]
    settings = tmp_path / "data" / "settings.toml"
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    code, _, err = run("init", "--village", "城/关")
    assert code == 2 and "不能含" in err
    code, _, err = run("init", "--staff", "zhangsan=张三:监委会")
    assert code == 2 and "请写明所在村" in err
    code, out, _ = run("init", "--staff", "zhangsan=张三:监委会:城关村", "--phone", "0355-1234567", "--json")
    data = json.loads(out)
    me = os_account()
    assert data["staff"] == {
        me: {"name": "刘建华", "role": "管理员"},
        "zhangsan": {"name": "张三", "role": "监委会", "villages": ["城关村"]},
    }
    assert data["supervision_phone"] == "0355-1234567"
    code, _, err = run("init", "--staff", "zhangsan=张三:书记")
    assert code == 2 and "角色“书记”无效" in err


def test_a_case_walks_to_the_notice_which_cannot_close_early(clock: Clock) -> None:
    init()
    code, out, _ = run("case", "new", "dibao", "--village", "城关村", "--subject", "[bold]王某某[/]", "--json")
    assert code == 0
    number = json.loads(out)["number"]
    assert number == "城关村-2026-0001"
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    code, out, _ = run("case", "show", number, "--json")
    data = json.loads(out)
    assert data["subject"] == "[bold]王某某[/]" and data["current_step"] == "publicize"
    assert [s["state"] for s in data["steps"]][:5] == ["done", "done", "done", "done", "active"]
    assert data["timers"][0]["last_day"] == "2026-12-04" and data["timers"][0]["days_left"] == 7
    code, _, err = run("case", "step", number, "--outcome", "无异议")
    assert code == 1 and "须先登记公示" in err and f"登记公示：cunwu notice post {number} --posted" in err
    code, out, _ = run(
        "notice", "post", number, "--content", "拟纳入低保", "--entry", "王某某,11010519491231002X,3,500元", "--json"
    )
    assert code == 0
    notice = json.loads(out)
    assert notice["entries"][0]["id_number"] == "110105********002X" and notice["earliest_end"] == "2026-12-04"
    code, out, _ = run("notice", "show", notice["number"])
    assert "110105********002X" in out and "11010519491231002X" not in out
    code, _, err = run("notice", "post", number, "--entry", "王某某,11010519491231003X")
    assert code == 2 and "校验位不符" in err
    clock.to(dt.date(2026, 12, 4))
    code, _, err = run("case", "step", number, "--outcome", "无异议")
    assert code == 1 and "公示7日" in err and "2026年12月5日起方可完成" in err
    assert f"cunwu case step {number} --step publicize --outcome 无异议 --force --reason 理由" in err
    code, _, err = run("case", "step", number, "--outcome", "无异议", "--force")
    assert code == 2 and "--reason" in err
    clock.to(dt.date(2026, 12, 5))
    code, out, _ = run("case", "step", number, "--outcome", "无异议", "--note", "无人提出异议")
    assert code == 0 and "下一步：上报乡（镇）人民政府" in out
    code, out, _ = run("case", "step", number, "--json")
    assert code == 0 and json.loads(out)["status"] == "done"
    code, out, _ = run("case", "show", number)
    assert "[bold]王某某[/]" in out and "已办结" in out and notice["number"] in out
    data = json.loads(run("case", "show", number, "--json")[1])
    kinds = {r["kind"]: r["record"] for r in data["records"]}
    assert kinds["notice"]["result"] == "无异议" and kinds["notice"]["entries"][0]["id_number"].count("*") == 8
    # 民主评议 is held by the 村（居）民代表会议: the draft minute has that kind.
    assert kinds["meeting"]["state"] == "draft" and kinds["meeting"]["kind"] == "村民代表会议"


def test_branch_needs_an_outcome_and_lists_choices(clock: Clock) -> None:
    init()
    number = json.loads(run("case", "new", "xinfang", "--village", "南石村", "--subject", "张某", "--json")[1])[
        "number"
    ]
    code, _, err = run("case", "step", number)
    assert code == 1 and "请选择办理结果：接待、排查矛盾纠纷" in err
    assert run("case", "step", number, "--outcome", "接待")[0] == 0


def test_list_filters_and_due(clock: Clock) -> None:
    init()
    a = json.loads(run("case", "new", "xinfang", "--village", "城关村", "--subject", "甲", "--json")[1])["number"]
    run("case", "new", "dibao", "--village", "南石村", "--subject", "乙")
    for outcome in ("接待", "", "", ""):
        run("case", "step", a, *(["--outcome", outcome] if outcome else []))
    code, out, _ = run("case", "list", "--village", "城关村", "--json")
    assert [c["number"] for c in json.loads(out)] == [a]
    code, out, _ = run("case", "list", "--status", "已办结", "--json")
    assert json.loads(out) == []
    code, _, err = run("case", "list", "--status", "半途")
    assert code == 2 and "状态“半途”无效" in err
    clock.to(dt.date(2026, 12, 2))
    code, out, _ = run("due", "--json")
    items = json.loads(out)
    assert items[0]["number"] == a and items[0]["state"] == "overdue" and items[0]["days_left"] == -2
    code, out, _ = run("due")
    assert code == 0 and "[已超期]" in out.splitlines()[0]


def test_list_by_year_reads_only_that_year_s_files(clock: Clock, tmp_path: Path) -> None:
    init()
    old = json.loads(run("case", "new", "xinfang", "--village", "城关村", "--subject", "甲", "--json")[1])["number"]
    clock.to(dt.date(2027, 1, 5))
    new = json.loads(run("case", "new", "xinfang", "--village", "城关村", "--subject", "乙", "--json")[1])["number"]
    code, out, _ = run("case", "list", "--year", "2027", "--json")
    assert code == 0 and [c["number"] for c in json.loads(out)] == [new]
    # Last year's file is not even read: damaged, it does not stop this year's list.
    (tmp_path / "data" / "cases" / "城关村" / "2026.json").write_bytes(b"{not json")
    code, out, err = run("case", "list", "--year", "2027", "--village", "城关村", "--json")
    assert code == 0 and [c["number"] for c in json.loads(out)] == [new], err
    code, _, err = run("case", "list", "--village", "城关村")
    assert code != 0 and "2026.json" in err and old not in err
    code, _, err = run("case", "list", "--year", "1999")
    assert code == 2 and "--year" in err


def test_verify_backup_tamper_restore(clock: Clock, tmp_path: Path) -> None:
    init()
    run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某")
    code, out, _ = run("verify")
    assert code == 0 and "核验通过" in out
    archive = tmp_path / "all.tar.gz"
    assert run("backup", "--out", str(archive))[0] == 0
    data_file = tmp_path / "data" / "cases" / "城关村" / "2026.json"
    data_file.write_text(data_file.read_text(encoding="utf-8").replace("王某某", "王某乙"), encoding="utf-8")
    code, out, _ = run("verify", "--json")
    report = json.loads(out)
    assert code == 3 and not report["ok"] and "case:城关村-2026-0001" in report["problems"][0]
    code, _, err = run("restore", str(archive))
    assert code == 1 and "--yes" in err
    assert run("restore", str(archive), "--yes")[0] == 0
    code, out, _ = run("verify")
    assert code == 0, out


def damage(clock: Clock, tmp_path: Path) -> Path:
    """A village's data file, with an hourly backup, cut short."""
    init()
    run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某")
    clock.now += dt.timedelta(hours=1)
    run("case", "new", "dibao", "--village", "城关村", "--subject", "李某某")
    data_file = tmp_path / "data" / "cases" / "城关村" / "2026.json"
    data_file.write_bytes(b'{"cases": {"1": ')
    return data_file


def test_a_damaged_file_stops_its_village_and_never_advises_restoring_the_backup(clock: Clock, tmp_path: Path) -> None:
    data_file = damage(clock, tmp_path)
    for args in (
        ["case", "list", "--village", "城关村"],
        ["case", "new", "dibao", "--village", "城关村", "--subject", "x"],
        ["due", "--village", "城关村"],
    ):
        code, _, err = run(*args)
        assert code == 3 and "已损坏" in err and "最近的完好备份" in err and "重建" in err, args
        # Restoring the backup would lose every save made since it (here, the second case).
        assert "cunwu restore" not in err and "不要直接恢复这份备份" in err, args
    assert data_file.read_bytes() == b'{"cases": {"1": '
    # The other villages go on; a listing of all says which village it could not read.
    code, out, _ = run("case", "new", "dibao", "--village", "南石村", "--subject", "张某某")
    assert code == 0, out
    for args in (["case", "list"], ["due"]):
        code, out, err = run(*args)
        assert code == 0 and "城关村的数据文件已损坏" in err and "cunwu restore" not in err, (args, err)
    assert "南石村" in run("case", "list")[1]


def test_a_damaged_file_names_the_repair_command_for_its_village(clock: Clock, tmp_path: Path) -> None:
    damage(clock, tmp_path)
    for args in (["case", "list", "--village", "城关村"], ["case", "list"]):
        _, _, err = run(*args)
        assert "cunwu repair --village 城关村 --dry-run" in err and "cunwu repair --village 城关村 --yes" in err, args


def test_every_command_has_help() -> None:
    for args in (
        ["case"],
        ["case", "new"],
        ["case", "list"],
        ["case", "show"],
        ["case", "step"],
        ["init"],
        ["due"],
        ["verify"],
        ["backup"],
        ["restore"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "用法" in result.stdout, args


# ---- the step a person means to complete (``--step``), and the hints by type


def at_survey(clock: Clock) -> str:
    """A 低保 case at its third step, 入户调查."""
    init()
    number = str(
        json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])["number"]
    )
    for _ in range(2):
        assert run("case", "step", number)[0] == 0
    return number


def test_two_clerks_who_both_mean_to_finish_step_three(clock: Clock, tmp_path: Path) -> None:
    number = at_survey(clock)
    register(tmp_path / "data")  # 王文书, 村干部 of 城关村, is the second clerk
    clock.now = dt.datetime(2026, 11, 28, 10, 5, tzinfo=CST)
    code, out, _ = run("case", "step", number, "--step", "survey")
    assert code == 0 and "已完成“入户调查”" in out and "下一步：民主评议" in out
    before = (tmp_path / "data" / "cases" / "城关村" / "2026.json").read_bytes()
    code, out, err = run("case", "step", number, "--step", "3", env=env(CADRE))
    assert code == 3 and out == ""
    data = json.loads(run("case", "show", number, "--json")[1])
    assert data["current_step"] == "appraise" and len([h for s in data["steps"] for h in s["history"]]) == 3
    first = data["steps"][2]["history"][0]["by_name"]
    assert first and first != "王文书"
    assert f"办件 {number} 现在在第4步“民主评议”，不是第3步“入户调查”" in err
    assert f"第3步已由 {first} 于 2026-11-28 10:05 完成。" in err
    assert f"查看办件的最新状态：cunwu case show {number}" in err
    assert (tmp_path / "data" / "cases" / "城关村" / "2026.json").read_bytes() == before, "nothing written"
    # The step the case is at is completed as before, by id or by its number in `case show`.
    assert run("case", "step", number, "--step", "4", env=env(CADRE))[0] == 0
    assert json.loads(run("case", "show", number, "--json")[1])["current_step"] == "publicize"


def test_an_unknown_step_is_a_usage_error_listing_the_steps(clock: Clock) -> None:
    number = at_survey(clock)
    code, _, err = run("case", "step", number, "--step", "investigate")
    assert code == 2 and "没有步骤“investigate”" in err and "3 survey（入户调查）" in err
    assert json.loads(run("case", "show", number, "--json")[1])["current_step"] == "survey"


def test_step_by_its_title_or_full_width_number(clock: Clock) -> None:
    number = at_survey(clock)
    code, _, err = run("case", "step", number, "--step", "民主评议")  # not the current step: a conflict
    assert code == 3 and "入户调查" in err
    code, _, err = run("case", "step", number, "--step", "３")  # full-width 3: 入户调查, the current step
    assert code == 0, err
    assert json.loads(run("case", "show", number, "--json")[1])["current_step"] != "survey"


def test_case_step_help_explains_step() -> None:
    result = runner.invoke(app, ["case", "step", "--help"])
    assert result.exit_code == 0 and "--step" in result.stdout and "已被他人办理" in result.stdout


def test_refusals_end_with_the_command_that_does_what_they_ask(clock: Clock) -> None:
    init()
    code, _, err = run("case", "new", "dibao", "--village", "北村", "--subject", "x")
    assert code == 2 and "不在本乡镇的村名单中" in err and "新增村请管理员运行：cunwu init --village 北村" in err
    code, _, err = run("case", "new", "nosuch", "--village", "城关村", "--subject", "x")
    assert code == 2 and "没有编号为“nosuch”的事项" in err and "cunwu matters" in err
    number = str(
        json.loads(
            run("case", "new", "yinzhang-dangzhibu", "--village", "城关村", "--subject", "出具证明", "--json")[1]
        )["number"]
    )
    for args in (["--outcome", "一般党建常规业务资料"], ["--outcome", "同意用印"], []):
        assert run("case", "step", number, *args)[0] == 0
    code, _, err = run("case", "step", number)
    assert code == 1 and "须先登记用印" in err
    assert "先登记用印：cunwu seal new --village 城关村 " in err
    assert f"再完成本步骤：cunwu case step {number} --step stamp --seal 用印编号" in err


def test_an_objection_outcome_without_an_objection_names_the_objection_command(clock: Clock) -> None:
    number = at_survey(clock)
    for _ in range(2):
        assert run("case", "step", number)[0] == 0
    notice = json.loads(run("notice", "post", number, "--entry", "王某某,,3,500元", "--json")[1])["number"]
    code, _, err = run("case", "step", number, "--outcome", "有异议")
    assert code == 1 and "没有登记异议" in err and f"登记异议：cunwu notice object {notice} --from" in err
