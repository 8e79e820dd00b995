"""Personal data stays off the command line (issue 14): an ID number in the arguments (in any
form: full-width, spaced, hyphenated, after letters, split over several arguments) is refused
before anything is opened, the notice list and every free-text option come from standard input
instead, at most one option per command reads it, and through the shared server's launcher a
list file's path is refused (the service account would read it). What the commands print of
free text has its ID numbers masked, as the exports do.

The argument check lives in ``run()``, so it is tested in a subprocess (``python -m tui.cli``);
the rest through the Typer app with a fixed clock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from procedures import idnumber
from store.site import Site
from tests.sites import post_notice, walk_to
from tests.test_cli_cases import Clock, clock, init
from tui import cli_input, launch
from tui.cli import app

__all__ = ["clock"]

ROOT = Path(__file__).resolve().parent.parent
ID = "140431198503150021"
MASKED = "140431********0021"
runner = CliRunner()
NO_SUDO: dict[str, str | None] = {"SUDO_USER": None, "SUDO_UID": None, "SUDO_GID": None, "SUDO_COMMAND": None}


def invoke(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str | None] | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin, env={**NO_SUDO, **(env or {})})
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def files(root: Path) -> dict[str, bytes]:
    """Every file under the data directory, with its bytes (settings, journal, data, backups)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def notice_case(root: Path) -> str:
    """A set-up data directory (the test's own account is its 管理员) with a 低保 case at its
    公示 step, opened today by the real clock (the subprocess posts with the real clock)."""
    now = dt.datetime.now().astimezone()
    site = Site(root, environ={})
    site.init(now, "沁河镇", ["城关村"], my_name="王文书")
    number = site.cases.open(site.operator, now, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize", now)
    return number


def case_at_notice() -> str:
    """A 低保 case of 城关村 opened and walked to its 公示 step through the CLI."""
    case = str(
        json.loads(invoke("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])["number"]
    )
    for _ in range(4):  # 申请, 受理, 入户调查, 民主评议
        assert invoke("case", "step", case)[0] == 0
    return case


def cunwu(root: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """``cunwu --data ROOT ARGS`` in a subprocess, through ``run()`` as installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUNWU_", "SUDO_"))}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data", str(root), *args],
        input=stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


# --- 1. an ID number in any argument -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["notice", "post", "{case}", "--entry", f"李某某,{ID},2,800元"],
        ["notice", "post", "{case}", f"--entry=李某某,{ID},2,800元"],
        ["notice", "post", "{case}", "--entry", "李某某,１４０４３１１９８５０３１５００２１,2,800元"],
        ["notice", "post", "{case}", "--entry", "李某某,14043119850315002x,2"],
        ["notice", "post", "{case}", "--entry", "李某某,1404 3119 8503 1500 21,2"],
        ["case", "step", "{case}", "--note", "申请人身份证号：140431　19850315　0021"],
        ["case", "step", "{case}", "--note", "身份证１４０４３１１９８５ ０３１５００２１"],
        ["case", "step", "{case}", "--note", "140431-19850315-0021"],
        ["case", "step", "{case}", "--note", "140431－19850315－0021"],
        ["case", "step", "{case}", "--note", "140431\u00a019850315\u00a00021"],
        ["case", "step", "{case}", "--note", "完成；ID140431198503150021"],
        ["case", "step", "{case}", "--note", "申请人", "140431", "19850315", "0021"],
        # The second adversary round: a digit glued on, a prefix glued before, other separators,
        # the check character split off, wide gaps.
        ["case", "step", "{case}", "--note", "ID1404311985031500213人"],
        ["case", "step", "{case}", "--note", "电话0355140431198503150021"],
        ["case", "step", "{case}", "--note", "140431.19850315.0021"],
        ["case", "step", "{case}", "--note", "140431_19850315_0021"],
        ["case", "step", "{case}", "--note", "140431/19850315/0021"],
        ["case", "step", "{case}", "--note", "140431，19850315，0021"],
        ["case", "step", "{case}", "--note", "14043119850315002 1"],
        ["case", "step", "{case}", "--note", "140431    19850315    0021"],
    ],
    ids=[
        "ascii", "option=value", "full-width", "lower-case-x", "spaces", "in-a-note", "full-width-and-space",
        "hyphens", "full-width-hyphens", "nbsp", "after-a-letter", "unquoted-over-four-arguments",
        "digit-glued-after", "prefix-glued-before", "dots", "underscores", "slashes", "full-width-commas",
        "check-character-split-off", "wide-gaps",
    ],
)  # fmt: skip
def test_an_id_number_in_an_argument_is_refused_and_nothing_changes(tmp_path: Path, args: list[str]) -> None:
    root = tmp_path / "data"
    case = notice_case(root)
    before = files(root)
    done = cunwu(root, *[a.replace("{case}", case) for a in args])
    assert done.returncode == 2, done.stdout + done.stderr
    assert "命令行参数中有身份证号" in done.stderr and "--entries-file -" in done.stderr
    assert "未做任何改动" in done.stderr and done.stdout == ""
    # The message shows the number masked, never whole (it may end up in a terminal log), and
    # Typer never echoes the pieces of an unquoted one ("Got unexpected extra argument(s)").
    masked = MASKED if "2x" not in args[-1] else "140431********002X"
    assert masked in done.stderr and "19850315" not in done.stderr
    assert files(root) == before


def test_the_refusal_comes_before_the_data_directory_is_opened(tmp_path: Path) -> None:
    # A data directory that does not exist yet is not created (any command would create it).
    root = tmp_path / "nowhere"
    done = cunwu(root, "case", "new", "dibao", "--village", "城关村", "--subject", f"王某某{ID}")
    assert done.returncode == 2 and "命令行参数中有身份证号" in done.stderr
    assert not root.exists()
    done = cunwu(root, "matters", "--json")
    assert done.returncode == 0, "the check must not refuse ordinary commands"


@pytest.mark.parametrize(
    "text",
    [
        "城关村-2026-0001",
        "城关村-2026-GS0001",
        "6222021234567890123",
        "卡号6222021234567890123",
        "6222 0212 3456 7890 123",
        "6222-0212-3456-7890-12",
        "电话13912345678",
        "电话13912345678 0355-1234567 7654321",
        "0355-1234567 1234567",
        "2026-11-27 09:00",
        "2026-11-27 2026-12-01 2027-01-01",
        "20261127 20261128 09",
        "1:20:4:3",
        "城关村-2026-0001 城关村-2026-0002 城关村-2026-GS0003",
        "1404311985031500232",  # 19 digits with no valid 18-digit stretch: a card, not an ID
    ],
)
def test_what_is_not_an_id_number_passes(text: str) -> None:
    launch.refuse_personal_data(["case", "step", text, "--note", text])  # no SystemExit
    assert idnumber.find_in_text(text) == [] and idnumber.mask_in_text(text) == text


def test_whole_command_lines_without_an_id_number_pass() -> None:
    for argv in (
        ["notice", "post", "城关村-2026-0001", "--entry", "14043119", "--note", "8503150021"],
        ["meeting", "new", "--start", "2026-11-27 09:00", "--expected", "39", "--present", "27", "--vote", "1:20:4:3"],
        ["case", "step", "城关村-2026-0001", "--meeting", "城关村-2026-HY0001", "--seal", "城关村-2026-YY0001"],
        ["init", "--phone", "0355-1234567", "--timer", "dibao.publicize=10", "--staff", "zhangsan=张三:村干部:城关村"],
        ["seal", "list", "--from", "2026-01-01", "--to", "2026-12-31", "--copies", "2", "3", "4"],
    ):
        launch.refuse_personal_data(argv)  # no SystemExit
        assert idnumber.in_arguments(argv) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("完成；ID140431198503150021", "完成；ID140431********0021"),
        ("身份证１４０４３１１９８５０３１５００２１。", "身份证140431********0021。"),
        ("申请人 140431 19850315 0021，电话13912345678", "申请人 140431********0021，电话13912345678"),
        ("号码：140431-19850315-0021（核）", "号码：140431********0021（核）"),
        ("140431－19850315－0021", "140431********0021"),
        ("140431\u300019850315\u30000021", "140431********0021"),
        ("１４０４３１１９８５ ０３１５００２１", "140431********0021"),
        ("1404 3119 8503 1500 2x 已核", "140431********002X 已核"),
        ("2026-11-27 140431198503150021", "2026-11-27 140431********0021"),
        (f"{ID}、11010519491231002X", f"{MASKED}、110105********002X"),
    ],
)
def test_id_numbers_in_free_text_are_found_and_masked(text: str, expected: str) -> None:
    assert idnumber.mask_in_text(text) == expected
    found = idnumber.find_in_text(text)
    assert found and all(len(n) == 18 and idnumber.mask(n) in expected for n in found)


def test_the_wrappers_entry_point_is_cunwus_check() -> None:
    """``procedures.idnumber.main``, which the shared server's wrapper runs before sudo: the
    same answer and message as ``run()``'s check."""
    for argv in (["case", "step", "X", "--note", "申请人", "140431", "19850315", "0021"], ["--note", f"ID{ID}"]):
        done = subprocess.run(
            [sys.executable, "-X", "utf8", "-I", "-m", "procedures.idnumber", *argv],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr == idnumber.refusal([ID]) and MASKED in done.stderr
    assert idnumber.main(["case", "list", "--json"]) == 0


# --- 2. the notice list from standard input --------------------------------------------------


LIST = f"""# 公示名单：姓名,身份证号,人数,金额,备注
李某某,{ID},2,800元

王某某，11010519491231002X，3，500元，备注,有逗号
赵某\t\t1\t300元
"""


def test_entries_from_standard_input_post_the_notice_and_show_masks(tmp_path: Path) -> None:
    root = tmp_path / "data"
    case = notice_case(root)
    done = cunwu(root, "notice", "post", case, "--entries-file", "-", "--json", stdin=LIST.encode())
    assert done.returncode == 0, done.stderr
    notice = json.loads(done.stdout)
    rows = [(e["name"], e["id_number"], e["household"], e["amount"], e["note"]) for e in notice["entries"]]
    assert rows == [
        ("李某某", MASKED, "2", "800.00", ""),
        ("王某某", "110105********002X", "3", "500.00", "备注,有逗号"),
        ("赵某", "", "1", "300.00", ""),
    ]
    shown = cunwu(root, "notice", "show", notice["number"])
    assert shown.returncode == 0 and MASKED in shown.stdout and ID not in shown.stdout
    # Stored whole (the 公示 export and the checks need it), shown masked everywhere.
    assert ID in Site(root, environ={}).notices.get(notice["number"])["entries"][0]["id_number"]


def test_no_personal_data_shows_in_ps_while_the_list_is_read(tmp_path: Path) -> None:
    ps = shutil.which("ps")
    if ps is None:
        pytest.skip("ps is not installed")
    root = tmp_path / "data"
    case = notice_case(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUNWU_", "SUDO_"))}
    command = [sys.executable, "-m", "tui.cli", "--data", str(root), "notice", "post", case, "--entries-file", "-"]
    child = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env
    )
    try:
        assert child.stdin is not None
        child.stdin.write(LIST.encode()[:60])  # half the list: the command is waiting for the rest
        child.stdin.flush()
        listing = ""
        for _ in range(100):  # until the command shows, waiting for the rest of its input
            listing = subprocess.run([ps, "-eww", "-o", "args"], capture_output=True, text=True, check=True).stdout
            if f"{root} notice post" in listing:
                break
            time.sleep(0.1)
        assert f"{root} notice post" in listing and "--entries-file -" in listing
        assert ID not in listing and "李某某" not in listing and "800元" not in listing
        _, err = child.communicate(LIST.encode()[60:], timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err.decode()


def test_list_errors_name_the_line_and_change_nothing(clock: Clock, tmp_path: Path) -> None:
    init()
    case = case_at_notice()
    root = tmp_path / "data"
    before = files(root)
    bad_check = f"# 名单\n\n李某某,{ID},2,800元\n王某某,11010519491231003X,3,500元\n"
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", stdin=bad_check)
    assert code == 2 and "名单第 4 行（王某某）：身份证号校验位不符" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", stdin=",140431198503150021,2\n")
    assert code == 2 and "名单第 1 行没有姓名" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", stdin="# 只有注释\n\n")
    assert code == 2 and "名单是空的" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", stdin="李某某,,2\n".encode("gbk") + b"\xc0\n")
    assert code == 2 and "第 1 行不是 UTF-8" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", stdin=b"a" * (cli_input.LIMIT + 1))
    assert code == 2 and "超过 1 MiB" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", "-", "--entry", "张三", stdin="李某某,,2\n")
    assert code == 2 and "--entry 与 --entries-file 不能同时使用" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", str(tmp_path))
    assert code == 2 and "不是普通文件" in err
    code, _, err = invoke("notice", "post", case, "--entries-file", str(tmp_path / "no-such.txt"))
    assert code == 2 and "不能读取" in err
    assert files(root) == before
    # A byte-order mark (Windows Notepad's UTF-8) is no part of the first name.
    code, out, _ = invoke("notice", "post", case, "--entries-file", "-", "--json", stdin="\ufeff李某某,,2\n".encode())
    assert code == 0 and json.loads(out)["entries"][0]["name"] == "李某某"


def test_a_list_file_is_read_as_the_user_outside_the_shared_server(clock: Clock, tmp_path: Path) -> None:
    init()
    case = case_at_notice()
    listing = tmp_path / "名单.txt"
    listing.write_text(LIST, "utf-8")
    code, out, err = invoke("notice", "post", case, "--entries-file", str(listing), "--json")
    assert code == 0, err
    assert json.loads(out)["entries"][0]["id_number"] == MASKED


# --- 3. free-text options read standard input ------------------------------------------------


def test_free_text_options_read_standard_input(clock: Clock) -> None:
    init()
    code, out, _ = invoke(
        "case", "new", "dibao", "--village", "城关村", "--subject", "-", "--json", stdin="王某某低保申请\n"
    )
    assert code == 0
    case = json.loads(out)["number"]
    code, out, _ = invoke("case", "step", case, "--note", "-", "--json", stdin="已收到申请书\n及户口簿复印件\n")
    assert code == 0
    data = json.loads(out)
    assert data["subject"] == "王某某低保申请"
    assert data["steps"][0]["history"][0]["note"] == "已收到申请书\n及户口簿复印件"
    for _ in range(3):
        assert invoke("case", "step", case)[0] == 0
    code, out, _ = invoke("notice", "post", case, "--content", "-", "--json", stdin="拟纳入低保\n\n特此公示\n")
    assert code == 0
    notice = json.loads(out)
    assert notice["content"] == "拟纳入低保\n\n特此公示"
    code, _, _ = invoke("notice", "object", notice["number"], "--from", "-", "--content", "有经营收入", stdin="李某\n")
    assert code == 0
    code, out, _ = invoke("notice", "show", notice["number"], "--json")
    assert json.loads(out)["objections"][0]["from"] == "李某"
    code, out, _ = invoke("opinion", "add", case, "--text", "-", "--json", stdin="请核实经营收入\n")
    assert code == 0 and json.loads(out)["text"] == "请核实经营收入"
    # A repeatable option: the one ``-`` stands for standard input's lines, in its place.
    code, out, _ = invoke(
        "meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "研究低保", "--start", "2026-11-27 09:00",
        "--item", "第一项", "--item", "-", "--resolution", "3:同意", "--json",
        stdin="第二项\n\n第三项\n",
    )  # fmt: skip
    assert code == 0
    items = json.loads(out)["items"]
    assert [i["title"] for i in items] == ["第一项", "第二项", "第三项"] and items[2]["resolution"] == "同意"
    code, _, err = invoke("case", "step", case, "--note", "-", stdin="  \n")
    assert code == 2 and "标准输入是空的" in err


def test_a_second_dash_is_refused_before_anything_is_written(clock: Clock, tmp_path: Path) -> None:
    init()
    case = case_at_notice()
    notice = json.loads(invoke("notice", "post", case, "--json")[1])["number"]
    root = tmp_path / "data"
    before = files(root)
    code, _, err = invoke("notice", "object", notice, "--from", "-", "--content", "-", stdin="李某\n有收入\n")
    assert code == 2 and "--from、--content 都写了 -" in err and "未做任何改动" in err
    code, _, err = invoke("notice", "post", case, "--content", "-", "--entries-file", "-", stdin="李某,,1\n")
    assert code == 2 and "--content、--entries-file 都写了 -" in err
    code, _, err = invoke(
        "meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", "x", "--start", "2026-11-27",
        "--item", "-", "--item", "-", stdin="a\n",
    )  # fmt: skip
    assert code == 2 and "--item、--item 都写了 -" in err
    # Whatever order the options come in (the one read last may be the one given first).
    code, _, err = invoke("case", "step", case, "--reason", "-", "--force", "--note", "-", stdin="x\n")
    assert code == 2 and "都写了 -" in err
    assert files(root) == before


NOT_PROSE = {
    "--village", "--kind", "--start", "--end", "--posted", "--date", "--outcome", "--meeting", "--seal",
    "--matter", "--status", "--vote", "--finding", "--target", "--entry", "--step", "--material", "--others",
}  # fmt: skip
DATES = {("seal list", "--from"), ("seal list", "--to"), ("risks", "--from"), ("risks", "--to")}


def test_every_free_text_option_reads_standard_input_and_says_so() -> None:
    """The commands of cli_case, cli_records and cli_supervision: every option that is neither
    a number, a flag, a date, a choice nor a record number takes ``-`` and its help says so."""
    root = get_command(app)
    groups = {"case", "meeting", "notice", "seal", "opinion"}
    commands = [(f"{g} {n}", c) for g in groups for n, c in root.commands[g].commands.items()]  # type: ignore[attr-defined]
    commands += [(n, root.commands[n]) for n in ("countersign", "risks")]
    prose = []
    for path, command in commands:
        for param in command.params:
            flag = max(param.opts, key=len)
            if param.param_type_name != "option" or getattr(param, "is_flag", False):
                continue
            if param.type_descriptor.annotation not in (str, list[str]):  # type: ignore[attr-defined]
                continue
            if flag in NOT_PROSE or (path, flag) in DATES:
                assert not cli_input.reads_stdin(param), (path, flag)
                continue
            prose.append((path, flag))
            assert cli_input.reads_stdin(param), f"{path} {flag} should accept - (cli_input.text_option)"
            assert "写 - 则从标准输入读取" in (param.help or ""), (path, flag)
    assert len(prose) >= 35 and ("notice post", "--entries-file") in prose and ("notice object", "--from") in prose


# --- 4. the shared server ---------------------------------------------------------------------


def other_account() -> pwd.struct_passwd:
    """A real account other than the test's own, whose uid maps back to it."""
    for entry in pwd.getpwall():
        if entry.pw_uid != os.getuid() and pwd.getpwuid(entry.pw_uid).pw_name == entry.pw_name:
            return entry
    pytest.skip("no other account in /etc/passwd")


def test_through_the_launcher_a_list_path_is_refused_and_standard_input_works(clock: Clock, tmp_path: Path) -> None:
    clerk = other_account()
    init()
    assert invoke("init", "--staff", f"{clerk.pw_name}=某某:村干部:城关村")[0] == 0
    case = case_at_notice()
    listing = tmp_path / "名单.txt"
    listing.write_text(LIST, "utf-8")
    root = tmp_path / "data"
    before = files(root)
    shared = {"SUDO_USER": clerk.pw_name, "SUDO_UID": str(clerk.pw_uid)}
    for path in (str(listing), str(root / "settings.toml"), "/etc/shadow"):
        code, out, err = invoke("notice", "post", case, "--entries-file", path, env=shared)
        assert code == 2 and out == ""
        assert "在共享服务器上请用 --entries-file - 并从标准输入提供" in err and "< 名单.txt" in err
    assert files(root) == before
    code, out, err = invoke("notice", "post", case, "--entries-file", "-", "--json", env=shared, stdin=LIST)
    assert code == 0, err
    assert json.loads(out)["entries"][0]["id_number"] == MASKED


# --- 5. what the commands print of free text ----------------------------------------------------


FORMS = [
    f"ID{ID}",
    f"身份证{ID}",
    "140431-19850315-0021",
    "１４０４３１ １９８５０３１５ ００２１",
    "140431　19850315　0021",
]
NOTE = "；".join(FORMS)
"""Free text holding one ID number in every form a clerk types (the store keeps it as typed)."""


def hidden(output: str) -> bool:
    """No ID number in ``output``: never its birth date, in either width, only masked forms."""
    return "19850315" not in output and "１９８５０３１５" not in output and idnumber.find_in_text(output) == []


def test_what_the_commands_print_of_free_text_has_id_numbers_masked(clock: Clock) -> None:
    """Notes, subjects, objections, minutes, seal entries and opinions, as text and as --json
    (the argument check is in run(), not here: CliRunner passes them as if read from stdin)."""
    init()
    printed: dict[str, str] = {}

    def show(name: str, *args: str) -> str:
        code, out, err = invoke(*args)
        assert code == 0, (name, err)
        printed[name] = out
        return out

    out = show("case new", "case", "new", "dibao", "--village", "城关村", "--subject", f"王某某{FORMS[0]}")
    case = out.split()[1].rstrip("：").split("：")[0]
    show("case step --json", "case", "step", case, "--note", NOTE, "--json")
    for _ in range(3):  # 受理, 入户调查, 民主评议
        show("case step", "case", "step", case)
    notice = json.loads(show("notice post --json", "notice", "post", case, "--content", NOTE, "--json"))["number"]
    show("notice object --json", "notice", "object", notice, "--from", f"李某{FORMS[1]}", "--content", NOTE,
         "--handling", NOTE, "--json")  # fmt: skip
    meeting_args = [
        "meeting", "new", "--village", "城关村", "--kind", "支委会", "--title", NOTE, "--start", "2026-11-27 09:00",
        "--host", FORMS[2], "--item", NOTE, "--resolution", f"1:{NOTE}", "--json",
    ]  # fmt: skip
    meeting = json.loads(show("meeting new --json", *meeting_args))["number"]
    show("seal new", "seal", "new", "--village", "城关村", "--seal", "村委会", "--document", NOTE, "--purpose", NOTE,
         "--keeper", "王文书", "--approver", "李书记", "--routine")  # fmt: skip
    show("opinion add --json", "opinion", "add", case, "--text", NOTE, "--json")
    for command in (
        ["case", "show", case], ["case", "list"], ["notice", "show", notice], ["notice", "list"],
        ["meeting", "show", meeting], ["meeting", "list"], ["seal", "list"], ["opinion", "list"], ["risks"],
    ):  # fmt: skip
        show(" ".join(command[:2]), *command)
        show(" ".join(command[:2]) + " --json", *command, "--json")
    for name, output in printed.items():
        assert hidden(output), (name, output)
    for name in ("case show", "case show --json", "case list --json", "notice show", "meeting show", "seal list",
                 "opinion list", "opinion list --json", "case step --json", "meeting new --json"):  # fmt: skip
        assert MASKED in printed[name], name
    # Stored as typed: only what is shown is masked.
    assert json.loads(show("x", "case", "show", case, "--json"))["steps"][0]["history"][0]["note"].count(MASKED) == 5


def test_the_archive_masks_an_id_number_after_letters_or_split_in_groups(tmp_path: Path) -> None:
    """The 归档卷宗 prints notes through ``exports.minutes.shown``: every form found is masked."""
    from exports.archive import archive_document
    from tests.docx_helpers import saved, text_of

    root = tmp_path / "data"
    number = notice_case(root)
    site = Site(root, environ={})
    now = dt.datetime.now().astimezone()
    post_notice(site, number, now.date(), now, content=NOTE)
    site.cases.complete_step(site.operator, now, number, "无异议", force_reason=f"已核实，申请人 {NOTE}")
    text = text_of(saved(archive_document(site, number, now.date()), tmp_path, "归档"))
    assert "ID140431********0021" in text and "身份证140431********0021" in text
    assert hidden(text), text
