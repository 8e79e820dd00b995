"""``cunwu risks``, ``cunwu opinion``, ``cunwu countersign`` and the roles at the command line."""

from __future__ import annotations

import datetime as dt
import json

from tests.accounts import CADRE, env
from tests.accounts import SUPERVISOR as PERSON
from tests.test_cli_cases import Clock, clock, init, run
from tests.test_cli_cases import run as run_as

__all__ = ["clock"]


def low_income_at_notice() -> str:
    code, out, _ = run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某低保申请", "--json")
    assert code == 0
    number = str(json.loads(out)["number"])
    for _ in range(4):  # 申请, 受理, 入户调查, 民主评议
        assert run("case", "step", number)[0] == 0
    return number


def test_risks_lists_findings_for_scripts_and_people(clock: Clock) -> None:
    init()
    number = low_income_at_notice()
    code, out, _ = run("risks", "--json")
    assert code == 0
    findings = json.loads(out)
    assert {f["check"] for f in findings} == {"materials-missing"}  # 申请 and 入户调查 without their materials
    clock.to(dt.date(2026, 12, 10))
    code, out, _ = run("risks", "--village", "城关村", "--json")
    checks = {f["check"] for f in json.loads(out)}
    assert {"notice-late", "decision-no-meeting", "minutes-unlocked"} <= checks
    late = next(f for f in json.loads(out) if f["check"] == "notice-late")
    assert "5 日内未登记张贴" in late["rule"]
    assert (late["case"], late["severity"], late["severity_label"], late["ongoing"]) == (
        number,
        "amber",
        "黄（待核实）",
        True,
    )
    code, out, _ = run("risks", "--village", "城关村")
    assert code == 0 and "城关村：红（红 1 项" in out and "[黄（待核实）] 公示未按时张贴" in out
    code, out, _ = run("risks", "--village", "南石村")
    assert "南石村：绿（红 0 项，黄 0 项）" in out and "没有发现风险提示" in out
    code, out, _ = run("risks", "--matter", "xinfang", "--json")
    assert json.loads(out) == []
    assert run("risks", "--from", "2026-13-01")[0] == 2
    code, _, err = run("risks", "--from", "2026-12-10", "--to", "2026-12-01")
    assert code == 2 and "截止日期早于起始日期" in err
    code, _, err = run("risks", "--matter", "nothing")
    assert code == 2 and "没有编号为“nothing”的事项" in err


def test_a_supervisor_signs_and_gives_opinions_but_cannot_step_a_case(clock: Clock) -> None:
    init()
    number = low_income_at_notice()
    assert (
        run_as("init", "--staff", f"{CADRE}=王文书:村干部:城关村", "--staff", f"{PERSON}=张监督:监委会:城关村")[0] == 0
    )
    code, _, err = run_as("opinion", "add", number, "--text", "请补充入户调查表", env=env(CADRE))
    assert code == 1 and "只能由监委会、乡镇或管理员账号填写" in err

    def run(*args: str) -> tuple[int, str, str]:
        return run_as(*args, env=env(PERSON))

    code, _, err = run("countersign", number)
    assert code == 1 and "公示内容尚未登记，无从审核" in err, "nothing to read yet: nothing to sign"
    planned = ("notice", "post", number, "--posted", "2026-11-29", "--content", "王某某，3人，每月500元")
    assert run_as(*planned, env=env(CADRE))[0] == 0  # registered before it goes up: 待张贴
    code, out, _ = run("notice", "show", f"{number.rsplit('-', 1)[0]}-GS0001")
    assert "待张贴（计划 2026-11-29 张贴）" in out
    code, out, _ = run("countersign", number, "--json")
    assert code == 0 and json.loads(out)["kind"] == "countersign"
    code, out, _ = run("opinion", "add", number, "--text", "请补充入户调查表", "--finding", "materials-missing|x|apply")
    assert code == 0 and "已登记审核意见 城关村-2026-YJ0002" in out
    code, out, _ = run("opinion", "list", "--target", number)
    assert "[签字]" in out and "[审核意见]" in out and "请补充入户调查表" in out
    code, out, _ = run("risks", "--matter", "zhibu-weiyuanhui", "--json")
    assert json.loads(out) == []  # nothing missed yet: records are kept since today
    code, out, _ = run(
        "opinion", "add", "--text", "十月支委会请按时召开", "--finding", "recurring-missed|城关村/zhibu-weiyuanhui|resolve|2026-11-01", "--village", "城关村"
    )  # fmt: skip
    assert code == 0 and "（城关村，recurring-missed|" in out
    code, _, err = run("opinion", "add", "--text", "没有对象")
    assert code == 2 and "写明审核意见针对的办件或记录编号" in err
    code, _, err = run("case", "step", number)
    assert code == 1 and "监委会账号，只能查看" in err
    code, _, err = run("notice", "post", number, "--posted", "2026-11-27")
    assert code == 1 and "监委会账号" in err
    code, out, _ = run("case", "show", number, "--json")
    shown = json.loads(out)
    assert shown["current_step"] == "publicize"
    assert [(o["kind"], o["text"]) for o in shown["opinions"]] == [
        ("countersign", "同意公示"),
        ("opinion", "请补充入户调查表"),
    ]
    code, out, _ = run("case", "show", number)
    assert "监督意见：2026-11-27 张监督" in out and "请补充入户调查表" in out and "签字：" in out
    assert run("verify")[0] == 0
