"""``cunwu rectify`` (issue 21, item 1) from the command line, as each account runs it through
the shared server's launcher."""

from __future__ import annotations

import json
from pathlib import Path

from store.site import Site
from tests.accounts import CADRE, SUPERVISOR, TOWNSHIP, env, register
from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]


def finding(root: Path) -> str:
    """A current finding of 城关村 (a 监委会 member whose household has a 村委会 member), as
    ``cunwu risks --json`` lists it."""
    from tests.test_conflicts import supervisor_and_cousin

    supervisor_and_cousin(Site(root, environ={}))
    code, out, _ = run("risks", "--village", "城关村", "--json")
    assert code == 0
    (key,) = [f["key"] for f in json.loads(out) if f["key"].startswith("supervisor-on-committee|")]
    return str(key)


def test_a_rectification_walks_from_a_finding_to_closure(clock: Clock, tmp_path: Path) -> None:
    init()
    register(tmp_path / "data")
    code, out, err = run(
        "rectify", "new", "--village", "城关村", "--finding", finding(tmp_path / "data"),
        "--problem", "会议记录未锁定", "--measure", "补全并锁定", "--responsible", "王文书",
        "--deadline", "2026-12-10", "--json", env=env(SUPERVISOR),
    )  # fmt: skip
    assert code == 0, err
    number = json.loads(out)["number"]
    assert json.loads(out)["state_label"] == "整改中" and json.loads(out)["overdue"] is False
    assert run("rectify", "progress", number, "--text", "-", env=env(CADRE), stdin="已补全议题\n")[0] == 0
    code, _, err = run("rectify", "close", number, env=env(SUPERVISOR))
    assert code != 0 and "村里登记整改完成（附佐证）后才能销号" in err
    assert run("rectify", "done", number, "--evidence", "已于12月1日锁定", env=env(CADRE))[0] == 0
    code, _, err = run("rectify", "close", number, env=env(CADRE))
    assert code != 0 and "整改销号只能由监委会、乡镇或管理员账号办理" in err
    code, out, _ = run("rectify", "close", number, "--note", "核实属实", env=env(TOWNSHIP))
    assert code == 0 and f"已销号 {number}" in out
    code, out, _ = run("rectify", "show", number, env=env(CADRE))
    assert "已销号" in out and "进展" in out and "已补全议题" in out and "完成" in out and "核实属实" in out


def test_the_ledger_marks_what_is_overdue_from_the_day_after_its_deadline(clock: Clock, tmp_path: Path) -> None:
    init()
    register(tmp_path / "data")
    code, out, err = run(
        "rectify", "new", "--village", "城关村", "--problem", "村务公开栏未更新", "--measure", "按季度更新",
        "--responsible", "李主任", "--deadline", "2026-12-10", env=env(TOWNSHIP),
    )  # fmt: skip
    assert code == 0, err
    clock.to(clock.now.date().replace(month=12, day=10))
    code, out, _ = run("rectify", "list", "--status", "已逾期")
    assert code == 0 and "没有整改事项" in out
    clock.to(clock.now.date().replace(day=11))
    code, out, _ = run("rectify", "list")
    assert "【已逾期】城关村-2026-ZG0001 [整改中] 期限 2026-12-10 责任人 李主任" in out
    code, out, _ = run("rectify", "list", "--status", "已逾期", "--json")
    assert [r["overdue"] for r in json.loads(out)] == [True]
    code, _, err = run("rectify", "list", "--status", "逾期了")
    assert code == 2 and "状态“逾期了”无效" in err


def new_args(*more: str) -> list[str]:
    return [
        "rectify", "new", "--village", "城关村", "--problem", "问题", "--measure", "措施",
        "--responsible", "王文书", "--deadline", "2026-12-10", *more,
    ]  # fmt: skip


def journal(root: Path) -> bytes:
    return (root / "journal.jsonl").read_bytes()


def test_a_made_up_finding_another_villages_or_two_sources_are_refused(clock: Clock, tmp_path: Path) -> None:
    init()
    data = tmp_path / "data"
    register(data)
    key = finding(data)
    before = journal(data)
    code, _, err = run(*new_args("--finding", "minutes-unlocked|城关村-2026-HY0009|"), env=env(SUPERVISOR))
    assert code == 2 and "不是城关村当前的风险提示" in err and "cunwu risks --village 城关村 --json" in err
    code, _, err = run(*new_args("--finding", key.replace("城关村", "南石村")), env=env(TOWNSHIP))
    assert code == 2 and "不是城关村当前的风险提示" in err
    code, _, err = run(*new_args("--finding", key, "--opinion", "城关村-2026-YJ0001"), env=env(SUPERVISOR))
    assert code == 2 and "只能写一个来源" in err
    code, _, err = run(*new_args("--opinion", "南石村-2026-YJ0001"), env=env(TOWNSHIP))
    assert code == 2 and "监督意见 南石村-2026-YJ0001 是南石村的，不是城关村的" in err
    code, _, err = run(*new_args("--target", "城关村-2026-0007"), env=env(TOWNSHIP))
    assert code == 2 and "没有编号为“城关村-2026-0007”的办件" in err
    assert journal(data) == before
    code, _, err = run(*new_args("--finding", key), env=env(SUPERVISOR))
    assert code == 0, err
    code, _, err = run(*new_args("--finding", key, "--measure", "另一办法"), env=env(TOWNSHIP))
    assert code == 1 and "这条风险提示已有整改事项 城关村-2026-ZG0001（整改中）" in err
