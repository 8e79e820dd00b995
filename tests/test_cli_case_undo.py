"""``cunwu case reopen|withdraw|terminate|correct``, with the clock fixed: Chinese messages, the
reason required (from standard input too), refusals that change nothing, ``--json`` as ``case show``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.accounts import CADRE_SOUTH, SUPERVISOR, env, register
from tests.docx_helpers import ID, MASKED
from tests.sites import CST
from tui import cli_common
from tui.cli import app

runner = CliRunner()
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUNWU_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(cli_common, "now", lambda: NOW)
    code, _, _ = run("init", "--township", "沁河镇", "--village", "城关村", "--village", "南石村", "--name", "王文书")
    assert code == 0
    return tmp_path / "data"


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def new_case(subject: str = "王某某低保申请") -> str:
    code, out, _ = run("case", "new", "dibao", "--village", "城关村", "--subject", subject, "--json")
    assert code == 0
    return str(json.loads(out)["number"])


def journal(root: Path) -> bytes:
    return (root / "journal.jsonl").read_bytes()


def test_reopen_says_what_it_did_and_json_shows_the_amendment(data: Path) -> None:
    number = new_case()
    assert run("case", "step", number)[0] == 0
    code, out, _ = run("case", "reopen", number, "--reason", "误点了完成")
    assert code == 0
    assert out.strip() == f"办件 {number}：已重开第1步“个人申请”，撤销原办理结果“完成”；重开已记入日志和归档，提示监督"
    code, out, _ = run("case", "show", number)
    assert "[>] 1. 个人申请（办理中）" in out
    assert (
        "更正记录：2026-11-27 09:00 王文书：重开“个人申请”（撤销原办理结果“完成”" in out and "理由：误点了完成" in out
    )
    code, out, _ = run("case", "show", number, "--json")
    (amendment,) = json.loads(out)["amendments"]
    assert amendment["kind"] == "reopen" and amendment["kind_label"] == "重开步骤"
    assert amendment["reason"] == "误点了完成" and amendment["step_id"] == "apply"


def test_reopen_refusals_and_a_missing_reason_change_nothing(data: Path) -> None:
    number = new_case()
    before = journal(data)
    code, _, err = run("case", "reopen", number)
    assert code == 2 and "重开步骤必须用 --reason 写明理由" in err
    code, _, err = run("case", "reopen", number, "--reason", "想重开")
    assert code == 1 and "还没有完成任何步骤" in err
    assert journal(data) == before
    run("case", "step", number)
    run("case", "step", number)
    assert run("case", "step", number, "--material", "入户调查表")[0] == 0  # 入户调查
    code, _, err = run("case", "reopen", number, "--reason", "调查表未签字")
    assert code == 0, err
    before = journal(data)
    code, _, err = run("case", "reopen", number, "--reason", "再往前一步")
    assert code == 1
    assert "当前步骤“入户调查”已有登记：已勾选收到的材料：入户调查表" in err
    assert f"查看当前步骤：cunwu case show {number}" in err
    assert journal(data) == before


def test_reopen_refused_when_the_current_step_has_a_notice(data: Path) -> None:
    number = new_case()
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    code, out, err = run(
        "notice", "post", number, "--posted", "2026-11-27", "--content", "王某某，3人，每月500元", "--json"
    )
    assert code == 0, err
    notice = json.loads(out)["number"]
    before = journal(data)
    code, _, err = run("case", "reopen", number, "--reason", "评议结果选错")
    assert code == 1
    assert f"已登记公示 {notice}" in err and f"查看办件的最新状态：cunwu case show {number}" in err
    assert journal(data) == before


def test_withdraw_stops_the_notice_and_terminate_is_then_refused(data: Path) -> None:
    number = new_case()
    for _ in range(4):
        run("case", "step", number)
    code, out, err = run("notice", "post", number, "--posted", "2026-11-27", "--content", "公示内容", "--json")
    assert code == 0, err
    notice = json.loads(out)["number"]
    code, out, _ = run("case", "withdraw", number, "--reason", "-", stdin="申请人书面申请撤回\n")
    assert code == 0
    assert f"办件 {number}：已撤回（2026年11月27日）；公示 {notice} 同日中止，请撤下张贴的公示" in out
    code, out, _ = run("case", "list", "--status", "已撤回", "--json")
    assert [c["number"] for c in json.loads(out)] == [number]
    code, out, _ = run("notice", "show", notice, "--json")
    assert json.loads(out)["result"] == "公示中止（办件已撤回）"
    code, _, err = run("case", "terminate", number, "--reason", "重复")
    assert code == 1 and "已撤回，不能再终止" in err and f"cunwu case show {number}" in err
    code, out, _ = run("verify")
    assert code == 0 and "核验通过" in out
    assert "提示：有 1 次重开步骤、撤回或终止办件、更正事由（理由见各办件的更正记录）" in out


def test_terminate_and_correct_with_json(data: Path) -> None:
    number = new_case()
    code, out, _ = run("case", "correct", number, "--subject", "王某甲低保申请", "--reason", "姓名录错", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["subject"] == "王某甲低保申请" and shown["amendments"][0]["old"] == "王某某低保申请"
    code, _, err = run("case", "correct", number, "--subject", "-", "--reason", "-", stdin="x\n")
    assert code == 2 and "标准输入只能读一次" in err
    code, _, err = run("case", "correct", number, "--reason", "姓名录错")
    assert code == 2 and "--subject" in err
    code, out, _ = run("case", "terminate", number, "--reason", "申请人已迁出本村", "--json")
    assert code == 0 and json.loads(out)["status_label"] == "已终止"


def test_a_reason_from_standard_input_is_kept_and_shown_masked(data: Path) -> None:
    number = new_case()
    code, out, _ = run("case", "withdraw", number, "--reason", "-", "--json", stdin=f"申请人{ID}书面撤回\n")
    assert code == 0
    (amendment,) = json.loads(out)["amendments"]
    assert amendment["reason"] == f"申请人{MASKED}书面撤回"
    code, out, _ = run("case", "show", number)
    assert f"理由：申请人{MASKED}书面撤回" in out and ID not in out


def test_other_villages_and_the_committee_are_refused(data: Path) -> None:
    register(data, f"{CADRE_SOUTH}=李主任:村干部:南石村", f"{SUPERVISOR}=赵六:监委会:城关村")
    number = new_case()
    run("case", "step", number)
    before = journal(data)
    code, _, err = run("case", "reopen", number, "--reason", "理由", env=env(CADRE_SOUTH))
    assert code == 1 and "南石村的村干部，不能" in err
    code, _, err = run("case", "withdraw", number, "--reason", "理由", env=env(SUPERVISOR))
    assert code == 1 and "监委会账号" in err
    assert journal(data) == before


def test_every_new_command_has_chinese_help() -> None:
    for command in ("reopen", "withdraw", "terminate", "correct"):
        result = runner.invoke(app, ["case", command, "--help"])
        assert result.exit_code == 0 and "--reason" in result.output
    result = runner.invoke(app, ["case", "--help"])
    assert "重开上一步、撤回或终止办件、更正事由" in result.output
