"""The meeting, notice and seal commands."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]


def test_meeting_commands(clock: Clock) -> None:
    init()
    code, out, err = run(
        "meeting", "new", "--village", "城关村", "--kind", "村民代表会议", "--title", "审议村道硬化",
        "--start", "2026-11-27 09:00", "--place", "村委会", "--host", "李书记", "--recorder", "王文书",
        "--expected", "39", "--present", "26", "--absent", "赵某:外出务工",
        "--item", "村道硬化方案", "--speech", "1:张某:同意", "--vote", "1:13:10:3", "--resolution", "1:同意实施", "--json",
    )  # fmt: skip
    assert code == 2 and "第1项议题表决未通过，决议却写“同意实施”" in err, "a failed vote cannot read 同意"
    code, out, err = run(
        "meeting", "new", "--village", "城关村", "--kind", "村民代表会议", "--title", "审议村道硬化",
        "--start", "2026-11-27 09:00", "--place", "村委会", "--host", "李书记", "--recorder", "王文书",
        "--expected", "39", "--present", "26", "--absent", "赵某:外出务工",
        "--item", "村道硬化方案", "--speech", "1:张某:同意", "--vote", "1:13:10:3", "--resolution", "1:未通过", "--json",
    )  # fmt: skip
    assert code == 0
    record = json.loads(out)
    assert record["items"][0]["passed"] is False and "赞成 13 ≤ 26/2" in record["items"][0]["arithmetic"]
    number = record["number"]
    code, out, _ = run("meeting", "edit", number, "--vote", "1:14:9:3", "--json")
    assert code == 0 and json.loads(out)["items"][0]["passed"] is True
    code, out, _ = run("meeting", "show", number)
    assert "实到 26/应到 39 ≥ 2/3；赞成 14 > 26/2" in out and "缺席：赵某（外出务工）" in out
    assert run("meeting", "confirm", number)[0] == 0
    assert run("meeting", "lock", number)[0] == 0
    code, _, err = run("meeting", "edit", number, "--present", "27")
    assert code == 1 and "不能再修改" in err
    assert run("meeting", "correct", number, "--text", "赵某应为赵某某")[0] == 0
    code, out, _ = run("meeting", "list", "--kind", "村民代表会议", "--json")
    assert [m["number"] for m in json.loads(out)] == [number]
    code, _, err = run(
        "meeting", "new", "--village", "城关村", "--kind", "茶话会", "--title", "x", "--start", "2026-11-27"
    )
    assert code == 2 and "会议类别“茶话会”无效" in err
    code, _, err = run(
        "meeting",
        "new",
        "--village",
        "城关村",
        "--kind",
        "支委会",
        "--title",
        "x",
        "--start",
        "2026-11-27",
        "--vote",
        "2:1:0:0",
    )
    assert code == 2 and "指向第 2 项议题" in err


def test_notice_objection_and_seal_commands(clock: Clock) -> None:
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])[
        "number"
    ]
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    notice = json.loads(run("notice", "post", number, "--posted", "2026-11-27", "--json")[1])
    clock.to(dt.date(2026, 11, 30))
    code, out, _ = run(
        "notice", "object", notice["number"], "--from", "李某", "--content", "有经营收入", "--not-upheld"
    )
    assert code == 0 and "第 1 条异议" in out
    clock.to(dt.date(2026, 12, 5))
    code, _, err = run("case", "step", number, "--outcome", "无异议")
    assert code == 1 and "收到 1 条异议" in err
    assert run("case", "step", number, "--outcome", "有异议")[0] == 0
    code, out, _ = run("notice", "show", notice["number"])
    assert "异议（2026-11-30，李某）" in out and "结果：异议不成立" in out
    code, _, err = run(
        "seal",
        "new",
        "--village",
        "城关村",
        "--seal",
        "村委会",
        "--document",
        "证明",
        "--purpose",
        "户口迁移",
        "--approver",
        "王主任",
        "--keeper",
        "王主任",
        "--routine",
    )
    assert code == 1 and "不能是同一人" in err
    code, out, _ = run(
        "seal",
        "new",
        "--village",
        "城关村",
        "--seal",
        "村委会",
        "--document",
        "证明",
        "--purpose",
        "户口迁移",
        "--approver",
        "王主任",
        "--keeper",
        "刘会计",
        "--routine",
        "--json",
    )
    assert code == 0 and json.loads(out)["number"] == "城关村-2026-YY0001"
    code, out, _ = run("seal", "list", "--seal", "村委会")
    assert "城关村-2026-YY0001" in out and "一般常规业务资料" in out
    code, _, err = run(
        "seal",
        "new",
        "--village",
        "城关村",
        "--seal",
        "公章",
        "--document",
        "x",
        "--purpose",
        "y",
        "--approver",
        "a",
        "--keeper",
        "b",
        "--routine",
    )
    assert code == 2 and "印章“公章”无效" in err
    assert run("verify")[0] == 0


@pytest.mark.parametrize("group", ["meeting", "notice", "seal"])
def test_record_commands_have_help(group: str) -> None:
    from typer.testing import CliRunner

    from tui.cli import app

    result = CliRunner().invoke(app, [group, "--help"])
    assert result.exit_code == 0 and "用法" in result.stdout


def test_schedule_command(clock: Clock) -> None:
    init()
    run(
        "meeting",
        "new",
        "--village",
        "城关村",
        "--kind",
        "支委会",
        "--title",
        "十一月支委会",
        "--start",
        "2026-11-27 09:00",
        "--expected",
        "5",
        "--present",
        "5",
    )
    code, out, _ = run("schedule", "--village", "城关村", "--json")
    rows = {r["matter_id"]: r for r in json.loads(out)}
    assert (
        code == 0
        and rows["zhibu-weiyuanhui"]["state"] == "met"
        and rows["zhibu-weiyuanhui"]["last_done"] == "2026-11-27"
    )
    assert rows["dangxiaozu-huiyi"]["state"] == "due"
    code, out, _ = run("schedule")
    assert "[待完成]" in out and "无记录" in out
    code, _, err = run("schedule", "--village", "火星村")
    assert code == 2 and "不在本乡镇的村名单中" in err


COMMON = {"number", "village", "year", "version", "created_at", "updated_at", "updated_by"}
SHAPES = {
    "meeting": COMMON
    | {"state", "state_label", "kind", "title", "start", "end", "place", "host", "recorder", "expected", "present"}
    | {"by_household", "absent", "attendees", "written", "items", "rule", "corrections", "case", "step"}
    | {"counts_from", "roll"},
    "notice": COMMON
    | {"case", "matter_id", "step", "title", "content", "place", "posted_on", "entered_on", "backdated", "rule"}
    | {"earliest_end", "estimated", "entries", "objections", "result", "closed_on"},
    "seal": COMMON
    | {"seal", "date", "document", "copies", "purpose", "approver", "keeper", "basis", "irregular", "case", "step"}
    | {"registered_by"},
}


def test_json_prints_the_documented_shapes_not_the_storage_layout(clock: Clock) -> None:
    """README "JSON output": no seq, rev (it is version), roles or accounts of stamps."""
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])[
        "number"
    ]
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    code, out, err = run(
        "notice", "post", number, "--entries-file", "-", "--json", stdin="李某,11010519491231002X,3人,500元\n"
    )
    assert code == 0, err
    notice = json.loads(out)
    assert set(notice) == SHAPES["notice"] and notice["version"] == 1
    assert notice["entries"] == [
        {"name": "李某", "id_number": "110105********002X", "household": "3", "amount": "500.00", "note": ""}
    ]
    assert [set(n) for n in json.loads(run("notice", "list", "--json")[1])] == [SHAPES["notice"]]
    meeting = json.loads(
        run("meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "支委会", "--start",
            "2026-11-27 08:00", "--expected", "5", "--present", "5", "--item", "议题", "--vote", "1:5:0:0",
            "--json")[1]
    )  # fmt: skip
    assert set(meeting) == SHAPES["meeting"] and meeting["items"][0]["passed"] is True
    shown = json.loads(run("meeting", "show", meeting["number"], "--json")[1])
    assert shown == json.loads(run("meeting", "list", "--json")[1])[0] == meeting
    seal = ["seal", "new", "--village", "城关村", "--seal", "村委会", "--document", "证明", "--purpose", "上报"]
    code, out, err = run(*seal, "--approver", "王主任", "--keeper", "刘会计", "--routine", "--json")
    assert code == 0, err
    assert set(json.loads(out)) == SHAPES["seal"] == set(json.loads(run("seal", "list", "--json")[1])[0])
    case = json.loads(run("case", "show", number, "--json")[1])
    assert "rev" not in case and case["version"] >= 5
    shapes = {r["kind"]: set(r["record"]) for r in case["records"]}
    assert shapes == {"meeting": SHAPES["meeting"], "notice": SHAPES["notice"]}


@pytest.mark.parametrize(
    "args",
    [
        ("meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "会", "--start", "0001-01-01 00:00"),
        ("meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "会", "--start", "0999-12-31 09:00"),
        ("meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "会", "--start", "2026-11-27 08:00",
         "--expected", str(10**30)),
        ("meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "会", "--start", "2026-11-27 08:00",
         "--expected", "-1"),
        ("seal", "new", "--village", "城关村", "--seal", "村委会", "--document", "证明", "--purpose", "上报",
         "--approver", "王主任", "--keeper", "刘会计", "--routine", "--date", "0001-01-01"),
    ],
    ids=["year-1", "year-999", "expected-10**30", "expected-minus-1", "seal-year-1"],
)  # fmt: skip
def test_poison_on_the_command_line_exits_2_with_nothing_changed(clock: Clock, args: tuple[str, ...]) -> None:
    init()
    code, _, err = run(*args)
    assert code == 2 and "未做任何改动" in err
    assert run("meeting", "list", "--json")[1].strip() == "[]" and run("seal", "list", "--json")[1].strip() == "[]"
    assert run("case", "new", "dibao", "--village", "城关村", "--subject", "之后照常")[0] == 0
    code, _, err = run("verify")
    assert code == 0, err


def test_a_money_value_that_is_not_yuan_exits_2(clock: Clock) -> None:
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])[
        "number"
    ]
    for _ in range(4):
        assert run("case", "step", number)[0] == 0
    for amount in ("1e9999", "NaN", "1.005"):
        code, _, err = run("notice", "post", number, "--entry", f"王某,,3,{amount}")
        assert code == 2 and "公示第1行金额" in err and "未做任何改动" in err
    assert run("notice", "list", "--json")[1].strip() == "[]"
