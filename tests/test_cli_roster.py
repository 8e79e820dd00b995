"""``cunwu roster`` (issue 20): the Excel template, the export with masked ID numbers as text
cells, the import checked row by row and written all or nothing (the rejected rows returned in
the same template with an 错误说明 column), CSV in UTF-8 (with a BOM) and GB18030, the file
read only from standard input through the shared server's launcher, and another village's
村干部 refused. Samples are built here with openpyxl, as a clerk's Excel would save them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from procedures import idnumber
from store.site import Site
from tests import accounts
from tests.test_cli_cases import Clock, clock, init
from tui.cli import app

__all__ = ["clock"]

runner = CliRunner()
NO_SUDO: dict[str, str | None] = {"SUDO_USER": None, "SUDO_UID": None, "SUDO_GID": None, "SUDO_COMMAND": None}
HEAD = ["序号", "姓名*", "性别", "出生日期", "身份证号", "户号", "户主(是/否)", "村民小组", "身份*",
        "职务/党小组/所代表的户", "起始日期*", "终止日期", "备注"]  # fmt: skip


def make_id(birth: str, seq: str = "002") -> str:
    """A valid ID number of 沁源县 (140431) born on ``birth`` (YYYYMMDD)."""
    first = f"140431{birth}{seq}"
    return first + idnumber.check_char(first)


ZHANG, LI, WANG = make_id("19850315", "001"), make_id("19900101", "002"), make_id("19700707", "003")


def invoke(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str | None] | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin, env={**NO_SUDO, **(env or {})})
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def good_rows() -> list[list[Any]]:
    """Three people, five memberships: 张三 (two rows, same ID), 李四, 王五 (two rows, same 户号)."""
    return [
        [
            1,
            "张三",
            "男",
            None,
            ZHANG,
            "012",
            "是",
            "第一村民小组",
            "正式党员",
            "第一党小组",
            dt.date(2010, 7, 1),
            None,
            "",
        ],
        [2, "张三", None, None, ZHANG, None, None, None, "村委会委员", "委员", dt.datetime(2021, 3, 1), None, ""],
        [3, "李四", "女", None, LI, "013", "否", "第二村民小组", "村民代表", "第二村民小组", "2021/3/1", None, ""],
        [4, "王五", "男", None, None, "014", "是", None, "户代表", None, "2021年3月1日", None, ""],
        [5, "王五", None, None, None, "014", None, None, "预备党员", None, "2025-06-01", "2026-06-01", "已转正"],
    ]


BAD = [
    [6, "赵六", "男", None, 4.40981198501e17, "015", None, None, "村民代表", None, "2021-03-01", None, ""],
    [7, "钱七", "女", None, None, "016", None, None, "党员", None, "2021-03-01", None, ""],
    [8, "孙八", "男", None, None, "017", None, None, "村民", None, "2021-13-01", None, ""],
]
"""Three bad rows: an ID number in a number cell (its last digits lost), a 身份 not in the
list, a date that does not exist."""
FIXED = [
    [6, "赵六", "男", None, make_id("19750505", "005"), "015", None, None, "村民代表", None, "2021-03-01", None, ""],
    [7, "钱七", "女", None, None, "016", None, None, "正式党员", None, "2021-03-01", None, ""],
    [8, "孙八", "男", None, None, "017", None, None, "村民", None, "2021-12-01", None, ""],
]


def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook as Excel saves a filled-in template: headings on row 1, ID numbers and 户号 as
    text cells, except where a row holds a number (as a clerk's paste makes it)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名册"
    for col, text in enumerate(HEAD, start=1):
        sheet.cell(row=1, column=col, value=text)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            if col in (5, 6) and isinstance(value, str):
                cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    lines = [",".join(HEAD)]
    for row in rows:
        lines.append(",".join("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in row))
    return "\r\n".join(lines) + "\r\n"


def data_root(tmp_path: Path) -> Path:
    return tmp_path / "data"


def journal(tmp_path: Path) -> bytes:
    return (data_root(tmp_path) / "journal.jsonl").read_bytes()


def people(tmp_path: Path, village: str = "城关村") -> list[dict[str, Any]]:
    return Site(data_root(tmp_path), environ={}).roster.records(village)


def my_exports(tmp_path: Path) -> Path:
    site = Site(data_root(tmp_path), environ={})
    return data_root(tmp_path).resolve() / "exports" / site.operator.account


def read_sheet_bytes(data: bytes) -> tuple[list[str], list[list[Any]], Any]:
    return read_sheet(io.BytesIO(data))


def read_sheet(path: Path | io.BytesIO) -> tuple[list[str], list[list[Any]], Any]:
    book = load_workbook(path)
    sheet = book["名册"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:], sheet


def test_three_bad_rows_dry_run_names_each_writes_nothing_then_fixed_imports_once(clock: Clock, tmp_path: Path) -> None:
    init()
    sample = tmp_path / "名册.xlsx"
    sample.write_bytes(xlsx(good_rows() + BAD))
    before = journal(tmp_path)

    code, out, _ = invoke("roster", "import", str(sample), "--village", "城关村", "--dry-run")
    assert code == 2
    # Each bad row named by the row number the spreadsheet shows (headings on row 1), its column, its problem.
    assert "第 7 行，身份证号：身份证号是数字格式" in out and "设置为“文本”格式" in out
    assert "第 8 行，身份：身份“党员”无效" in out
    assert "第 9 行，起始日期：“2021-13-01”不是有效日期" in out
    assert "有 3 处错误（3 行）" in out and "没有导入" in out
    for good in range(2, 7):
        assert f"第 {good} 行" not in out
    assert journal(tmp_path) == before and people(tmp_path) == []
    rejects = my_exports(tmp_path) / "20261127_名册导入_城关村-有误.xlsx"
    assert str(rejects) in out

    headings, rows, sheet = read_sheet(rejects)
    assert headings[-1] == "错误说明" and headings[:-1] == HEAD
    assert [r[1] for r in rows] == ["赵六", "钱七", "孙八"]
    assert rows[0][-1].startswith("第 7 行：身份证号：") and "第 8 行：身份：" in rows[1][-1]
    assert "第 9 行：起始日期：" in rows[2][-1]
    assert rows[1][4] is None or rows[1][4] == ""  # no ID number typed for 钱七
    for r in range(2, 5):  # ID number and 户号 cells as text
        assert sheet.cell(row=r, column=5).number_format == "@"
        assert sheet.cell(row=r, column=6).data_type == "s"
    assert rows[0][5] == "015"

    # The real import without fixing: nothing written either, the rejects returned again.
    code, _, err = invoke("roster", "import", str(sample), "--village", "城关村")
    assert code == 2 and "整个文件都没有导入" in err and "第 8 行，身份" in err
    assert journal(tmp_path) == before and people(tmp_path) == []
    assert (my_exports(tmp_path) / "20261127_名册导入_城关村-有误（2）.xlsx").exists()

    sample.write_bytes(xlsx(good_rows() + FIXED))
    code, out, _ = invoke("roster", "import", str(sample), "--village", "城关村", "--dry-run")
    assert code == 0 and "检查通过，没有导入：导入后将新增 6 人（8 个身份）" in out
    assert journal(tmp_path) == before
    code, out, err = invoke("roster", "import", str(sample), "--village", "城关村")
    assert code == 0, err
    assert "已导入城关村名册" in out and "新增 6 人（8 个身份），补充身份 0 条，未变 0 人" in out
    found = {p["name"]: p for p in people(tmp_path)}
    assert set(found) == {"张三", "孙八", "李四", "王五", "赵六", "钱七"}
    assert [m["role"] for m in found["张三"]["memberships"]] == ["正式党员", "村委会委员"]
    assert found["张三"]["id_number"] == ZHANG and found["张三"]["head"] is True
    ended = found["王五"]["memberships"][1]
    assert (ended["role"], ended["since"], ended["until"]) == ("预备党员", "2025-06-01", "2026-06-01")
    once = journal(tmp_path)
    assert once.count(b'"person.new"') == 6
    assert len({json.loads(line)["txn"] for line in once[len(before) :].splitlines()}) == 1  # one transaction

    code, out, _ = invoke("roster", "import", str(sample), "--village", "城关村")
    assert code == 0 and "文件中的 6 人都已在名册中，身份也都已登记，未做任何改动" in out
    assert journal(tmp_path) == once


def test_a_second_file_adds_only_the_memberships_not_there(clock: Clock, tmp_path: Path) -> None:
    init()
    sample = tmp_path / "a.xlsx"
    sample.write_bytes(xlsx(good_rows()))
    assert invoke("roster", "import", str(sample), "--village", "城关村")[0] == 0
    more = [
        [1, "张三", None, None, ZHANG, None, None, None, "村委会委员", "委员", "2021-03-01", "2026-10-31", ""],
        [2, "王五", None, None, None, "014", None, None, "正式党员", None, "2026-06-02", None, ""],
        [3, "李四", None, None, None, "013", None, None, "村民代表", "第二村民小组", "2021-03-01", None, ""],
    ]
    sample.write_bytes(xlsx(more))
    code, out, err = invoke("roster", "import", str(sample), "--village", "城关村")
    assert code == 0, err
    assert "新增 0 人（0 个身份），补充身份 2 条，未变 1 人" in out
    found = {p["name"]: p for p in people(tmp_path)}
    assert found["张三"]["memberships"][1]["until"] == "2026-10-31"  # the membership held was ended
    assert [m["role"] for m in found["王五"]["memberships"]] == ["户代表", "预备党员", "正式党员"]


def test_export_masks_id_numbers_as_text_cells_and_reimports_as_unchanged(clock: Clock, tmp_path: Path) -> None:
    init()
    sample = tmp_path / "名册.xlsx"
    sample.write_bytes(xlsx(good_rows()))
    assert invoke("roster", "import", str(sample), "--village", "城关村")[0] == 0
    code, out, _ = invoke("roster", "export", "--village", "城关村", "--json")
    assert code == 0
    shown = json.loads(out)
    path = Path(shown["path"])
    assert path.name == "20261127_名册_城关村.xlsx" and shown["masked"] is True
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    headings, rows, sheet = read_sheet(path)
    assert headings == HEAD
    assert [r[1] for r in rows] == ["张三", "张三", "李四", "王五", "王五"]
    assert rows[0][4] == idnumber.mask(ZHANG) == "140431********0011"[:6] + "********" + ZHANG[-4:]
    cell = sheet.cell(row=2, column=5)
    assert cell.data_type == "s" and cell.number_format == "@"
    since = sheet.cell(row=2, column=11)
    assert since.is_date and since.value == dt.datetime(2010, 7, 1)
    texts = [str(v) for r in rows for v in r if v is not None]
    assert not any(ZHANG in t or LI in t for t in texts)
    book = load_workbook(path)
    assert "身份证号已隐去中间 8 位" in "".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r)
    code, out, _ = invoke("roster", "export", "--village", "城关村")
    assert "身份证号已隐去中间 8 位" in out and "（2）.xlsx" in out

    # The export read back changes nothing: a masked ID number identifies who is already there.
    before = journal(tmp_path)
    code, out, err = invoke("roster", "import", str(path), "--village", "城关村")
    assert code == 0, err
    assert "文件中的 3 人都已在名册中" in out and journal(tmp_path) == before


def test_csv_with_a_bom_and_in_gb18030_import_and_the_csv_export_has_a_bom(clock: Clock, tmp_path: Path) -> None:
    init()
    utf8 = tmp_path / "名册.csv"
    utf8.write_bytes(csv_text(good_rows()[:3]).encode("utf-8-sig"))
    code, out, err = invoke("roster", "import", str(utf8), "--village", "城关村")
    assert code == 0, err
    assert "CSV 文件（UTF-8 编码）" in out and "新增 2 人（3 个身份）" in out
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(csv_text(good_rows()[3:]).encode("gb18030"))
    code, out, err = invoke("roster", "import", str(gbk), "--village", "城关村")
    assert code == 0, err
    assert "CSV 文件（GB18030/GBK 编码）" in out and "新增 1 人（2 个身份）" in out
    assert sorted(p["name"] for p in people(tmp_path)) == ["张三", "李四", "王五"]

    code, out, _ = invoke("roster", "export", "--village", "城关村", "--csv", "--json")
    data = Path(json.loads(out)["path"]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEAD) and idnumber.mask(ZHANG) in text and ZHANG not in text


def test_what_is_not_a_roster_file_is_refused_in_words(clock: Clock, tmp_path: Path) -> None:
    init()
    before = journal(tmp_path)
    cases = {
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Excel（.xls）"),
        "doc.docx": (_zip({"word/document.xml": b"<w/>"}), "不是 Excel 工作簿"),
        "bin.dat": (bytes(range(256)) * 4, "不是 Excel（.xlsx）或 CSV 文件"),
        "other.csv": ("名称,数量\r\n苹果,3\r\n".encode(), "不是名册的表头"),
        "big.csv": (b"x" * (5 * 1024 * 1024 + 1), "超过 5 MiB"),
    }
    for name, (data, said) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, _, err = invoke("roster", "import", str(path), "--village", "城关村")
        assert code == 2 and said in err and "未做任何改动" in err, (name, err)
    code, _, err = invoke("roster", "import", str(tmp_path / "missing.xlsx"), "--village", "城关村")
    assert code == 2 and "不能读取" in err
    assert journal(tmp_path) == before


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_through_the_launcher_a_path_is_refused_and_standard_input_works(clock: Clock, tmp_path: Path) -> None:
    init()
    assert invoke("init", "--staff", f"{accounts.CADRE}=王文书:村干部:城关村")[0] == 0
    sample = tmp_path / "名册.xlsx"
    sample.write_bytes(xlsx(good_rows()))
    shared = accounts.env(accounts.CADRE)
    before = journal(tmp_path)
    for path in (str(sample), str(data_root(tmp_path) / "settings.toml"), "/etc/shadow"):
        code, out, err = invoke("roster", "import", path, "--village", "城关村", env={**shared})
        assert code == 2 and out == ""
        assert "在共享服务器上请从标准输入提供文件" in err and "< 名册.xlsx" in err
    assert journal(tmp_path) == before and people(tmp_path) == []
    code, out, err = invoke(
        "roster", "import", "-", "--village", "城关村", "--json", env={**shared}, stdin=sample.read_bytes()
    )
    assert code == 0, err
    assert json.loads(out)["new"] == 3 and len(people(tmp_path)) == 3
    entries = [json.loads(line) for line in journal(tmp_path)[len(before) :].splitlines()]
    assert {e["os_user"] for e in entries} == {accounts.CADRE}
    # The rows with problems come back on standard output (the clerk cannot read the service
    # account's export folder), the report on standard error.
    result = runner.invoke(
        app,
        ["roster", "import", "-", "--village", "城关村", "--dry-run", "--out", "-"],
        input=xlsx(BAD),
        env={**NO_SUDO, **shared},
    )
    assert result.exit_code == 2 and "第 3 行，身份：" in result.stderr and "有误的行已写回" in result.stderr
    _, rows, _ = read_sheet_bytes(result.stdout_bytes)
    assert [r[1] for r in rows] == ["赵六", "钱七", "孙八"]
    assert not (data_root(tmp_path).resolve() / "exports" / accounts.CADRE).exists()


def test_another_villages_cadre_cannot_import_here(clock: Clock, tmp_path: Path) -> None:
    init()
    assert invoke("init", "--staff", f"{accounts.CADRE_SOUTH}=李主任:村干部:南石村")[0] == 0
    assert invoke("init", "--staff", f"{accounts.SUPERVISOR}=赵六:监委会:城关村")[0] == 0
    data = xlsx(good_rows())
    before = journal(tmp_path)
    for account in (accounts.CADRE_SOUTH, accounts.SUPERVISOR):
        for extra in ([], ["--dry-run"]):
            code, out, err = invoke(
                "roster", "import", "-", "--village", "城关村", *extra, env={**accounts.env(account)}, stdin=data
            )
            assert code == 1 and out == "" and ("城关村" in err or "监委会账号" in err), err
    assert journal(tmp_path) == before and people(tmp_path) == []
    # The same file into their own village is theirs to import.
    code, out, err = invoke(
        "roster", "import", "-", "--village", "南石村", env={**accounts.env(accounts.CADRE_SOUTH)}, stdin=data
    )
    assert code == 0, err
    assert len(people(tmp_path, "南石村")) == 3 and people(tmp_path) == []


def test_template_has_the_columns_a_drop_down_text_id_cells_and_the_guide(clock: Clock, tmp_path: Path) -> None:
    init()
    code, out, _ = invoke("roster", "template", "--json")
    assert code == 0
    path = Path(json.loads(out)["path"])
    assert path.name == "20261127_名册导入模板.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["名册", "填写说明"]
    sheet = book["名册"]
    assert [c.value for c in sheet[1]] == HEAD
    assert sheet["E2"].number_format == "@" and sheet["E500"].number_format == "@"
    assert sheet.column_dimensions["J"].width >= 2 * len("职务/党小组/所代表的户")
    lists = [v for v in sheet.data_validations.dataValidation if "I2" in str(v.sqref)]
    assert lists and "正式党员" in str(lists[0].formula1) and "村务监督委员会委员" in str(lists[0].formula1)
    guide = "".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    assert "4.40981E+17" in guide and "文本" in guide
    # --out FILE writes there, never over it; --out - to standard output.
    target = tmp_path / "模板.xlsx"
    assert invoke("roster", "template", "--out", str(target))[0] == 0
    code, _, err = invoke("roster", "template", "--out", str(target))
    assert code == 2 and "已存在" in err
    code, _, err = invoke("roster", "template", "--out", str(data_root(tmp_path) / "x.xlsx"))
    assert code == 1 and "不能写到数据目录" in err
    result = runner.invoke(app, ["roster", "template", "--out", "-"], env=NO_SUDO)
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK\x03\x04")


def test_one_person_add_join_leave_list_show_with_the_id_number_from_standard_input(
    clock: Clock, tmp_path: Path
) -> None:
    init()
    code, _, err = invoke("roster", "add", "--village", "城关村", "--name", "张三", "--id-number", ZHANG)
    assert code == 2 and "身份证号只能从标准输入提供" in err and ZHANG not in err
    code, out, err = invoke(
        "roster", "add", "--village", "城关村", "--name", "张三", "--household", "012", "--head",
        "--id-number", "-", "--role", "正式党员", "--since", "2010-07-01", "--json", stdin=ZHANG + "\n",
    )  # fmt: skip
    assert code == 0, err
    person = json.loads(out)
    number = person["number"]
    assert person["id_number"] == idnumber.mask(ZHANG) and person["birth"] == "1985-03-15"
    assert people(tmp_path)[0]["id_number"] == ZHANG
    code, out, err = invoke(
        "roster", "join", number, "--role", "村委会委员", "--since", "2021-03-01", "--detail", "主任"
    )
    assert code == 0 and "已增加身份“村委会委员”" in out, err
    code, out, _ = invoke("roster", "leave", number, "--role", "村委会委员", "--until", "2026-10-31")
    assert code == 0 and "已终止身份" in out
    code, out, _ = invoke("roster", "list", "--village", "城关村", "--role", "村委会委员", "--on", "2026-03-01")
    assert code == 0 and "张三" in out and idnumber.mask(ZHANG) in out and ZHANG not in out
    code, out, _ = invoke("roster", "list", "--village", "城关村", "--role", "村委会委员")
    assert code == 0 and "城关村名册中没有在 2026-11-27 具有“村委会委员”身份的人" in out
    code, out, _ = invoke("roster", "show", number)
    assert "村委会委员（主任） 2021-03-01 至 2026-10-31" in out and ZHANG not in out
    code, out, _ = invoke("roster", "list", "--village", "城关村", "--json")
    assert json.loads(out)[0]["id_number"] == idnumber.mask(ZHANG)


def test_the_roster_commands_do_not_load_openpyxl_at_start() -> None:
    probe = "import sys, tui.cli, tui.cli_roster, store.roster_import; print('openpyxl' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    seen = subprocess.run(
        [sys.executable, "-c", "import sys, exports.roster_xlsx as x; x.template(); print('openpyxl' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert seen.stdout.strip() == "True"  # the probe can fail


@pytest.fixture(autouse=True)
def _no_sudo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NO_SUDO:
        monkeypatch.delenv(name, raising=False)
