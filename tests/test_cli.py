"""The headless command line: listings, JSON, errors in Chinese with the right exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tui.cli import EXIT_DATA, EXIT_USAGE, app

runner = CliRunner()


@pytest.fixture(autouse=True)
def empty_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUNWU_DATA", str(tmp_path))
    return tmp_path


def test_matters_json_lists_all_57_with_their_flows() -> None:
    result = runner.invoke(app, ["matters", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [m["order"] for m in data] == list(range(1, 58))
    for matter in data:
        assert {"id", "order", "category", "name", "supervision", "risks", "controls", "basis", "steps"} <= set(matter)
        for step in matter["steps"]:
            assert {"id", "title", "actor", "timer", "outcomes"} <= set(step)
            if step["timer"] is not None:
                assert {"kind", "amount", "unit", "basis"} <= set(step["timer"])
            for outcome in step["outcomes"]:
                assert set(outcome) == {"label", "goto"}


def test_matters_by_category_and_search() -> None:
    result = runner.invoke(app, ["matters", "--category", "阳光公开", "--json"])
    assert [m["name"] for m in json.loads(result.stdout)] == ["党务公开", "村务公开", "财务公开"]
    result = runner.invoke(app, ["matters", "--search", "dbsq", "--json"])
    assert json.loads(result.stdout)[0]["id"] == "dibao"
    result = runner.invoke(app, ["matters", "--category", "不存在"])
    assert result.exit_code == EXIT_USAGE and "没有类别“不存在”" in result.stderr


def test_text_listing_by_category() -> None:
    result = runner.invoke(app, ["matters"])
    assert result.exit_code == 0
    for category in (
        "党建工作",
        "村级重大事项决策",
        "日常管理",
        "平安建设",
        "农村集体资产管理",
        "阳光公开",
        "民生保障",
        "生态环境保护",
    ):
        assert category in result.stdout
    assert "共 57 个事项" in result.stdout
    # With no sub-command cunwu opens the terminal app, which needs a terminal.
    bare = runner.invoke(app, [])
    assert bare.exit_code == 2 and "终端界面需要在终端中运行" in bare.stderr


def test_show_text_and_json() -> None:
    result = runner.invoke(app, ["show", "dibao"])
    assert result.exit_code == 0, result.output
    for text in ("救助救灾（城乡低保申请审核和确认）", "公示7日", "无异议 → 第", "廉政风险点", "虚假公开"):
        assert text in result.stdout
    by_order = runner.invoke(app, ["show", "45", "--json"])
    assert json.loads(by_order.stdout)["id"] == "dibao"


def test_show_unknown_matter_says_what_to_do() -> None:
    result = runner.invoke(app, ["show", "dbsq"])
    assert result.exit_code == EXIT_USAGE
    assert "没有编号为“dbsq”的事项" in result.stderr and "dibao" in result.stderr


def test_broken_local_matter_file_gives_a_clear_error(empty_data: Path) -> None:
    (empty_data / "matters").mkdir()
    (empty_data / "matters" / "dibao.toml").write_text('id = "dibao"\n[[steps]\n', encoding="utf-8")
    result = runner.invoke(app, ["matters"])
    assert result.exit_code == EXIT_DATA
    assert "dibao.toml：TOML 格式错误" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [[], ["matters"], ["show"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "用法" in result.stdout


def test_local_timer_override_is_shown(empty_data: Path) -> None:
    (empty_data / "settings.toml").write_text('[timers]\n"dibao.publicize" = 10\n', encoding="utf-8")
    result = runner.invoke(app, ["show", "dibao"])
    assert result.exit_code == 0, result.output
    assert "公示7日（本地设置为10日，原为7日）" in result.stdout
    data = json.loads(runner.invoke(app, ["show", "dibao", "--json"]).stdout)
    timer = next(s["timer"] for s in data["steps"] if s["id"] == "publicize")
    assert (timer["amount"], timer["default_amount"]) == (10, 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[timers]\n"dibao.publicize" = "十"\n', "dibao.publicize：时限应为正整数"),
        ('[timers]\n"dibao.nope" = 3\n', "dibao.nope：没有这个带时限的步骤"),
        ("[timers\n", "TOML 格式错误"),
        ("timers = 3\n", "应为 [timers] 表"),
    ],
)
def test_bad_settings_are_reported(empty_data: Path, text: str, message: str) -> None:
    (empty_data / "settings.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["show", "dibao"])
    assert result.exit_code == EXIT_DATA
    assert message in result.stderr and "settings.toml" in result.stderr
    assert "Traceback" not in result.output
