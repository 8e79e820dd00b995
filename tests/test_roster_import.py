"""Importing a roster below the command line (``store.roster_import``, ``exports.roster_xlsx``):
rows merged into people, people matched with the roster as stored, what differs from it
refused rather than overwritten, and the whole file written in one transaction or not at all."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from exports import roster_xlsx as rx
from procedures import idnumber
from store import roster_import as ri
from store.errors import BadInput
from store.site import Site
from tests.sites import NOW, new_site
from tests.test_cli_roster import HEAD, LI, ZHANG, make_id

COLUMNS = ("姓名", "性别", "出生日期", "身份证号", "户号", "户主", "村民小组", "身份", "职务/党小组/所代表的户", "起始日期", "终止日期", "备注")  # fmt: skip


def row(line: int, name: str, role: str, since: str, **more: str) -> rx.Row:
    keys = {"id": "身份证号", "home": "户号", "until": "终止日期", "detail": "职务/党小组/所代表的户",
            "gender": "性别", "birth": "出生日期", "head": "户主"}  # fmt: skip
    values = dict.fromkeys(COLUMNS, "")
    values.update({"姓名": name, "身份": role, "起始日期": since})
    values.update({keys[k]: v for k, v in more.items()})
    return rx.Row(line, values)


def plan(site: Site, *rows: rx.Row) -> ri.Plan:
    return ri.prepare(site, "城关村", rx.Sheet(list(rows), "测试"), NOW.date())


def problems(found: ri.Plan) -> list[str]:
    return [p.text() for p in found.problems]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def journal(site: Site) -> bytes:
    return (site.root / "journal.jsonl").read_bytes()


def test_rows_of_one_person_are_merged_by_id_number_or_household(site: Site) -> None:
    found = plan(
        site,
        row(2, "张三", "正式党员", "2010-07-01", id=ZHANG, home="012"),
        row(3, "张三", "村委会委员", "2021-03-01", home="012", detail="主任"),
        row(4, "张三", "户代表", "2021-03-01", id=ZHANG),
        row(5, "李四", "村民", "2021-03-01"),
        row(6, "李四", "户代表", "2021-03-01"),
        row(7, "张三", "村民", "2021-03-01", home="099"),
    )
    assert found.problems == []
    assert [(c.name, c.lines, c.added) for c in found.changes] == [
        ("张三", [2, 3, 4], 3),
        ("李四", [5, 6], 2),
        ("张三", [7], 1),  # another 张三: another household
    ]
    assert found.changes[0].fields["id_number"] == ZHANG and found.changes[0].fields["household"] == "012"


def test_rows_that_cannot_be_one_person_are_named(site: Site) -> None:
    found = plan(
        site,
        row(2, "张三", "正式党员", "2010-07-01", id=ZHANG, gender="男"),
        row(3, "张三", "村民", "2010-07-01", id=ZHANG, gender="女"),
        row(4, "王五", "村民", "2021-03-01", id=LI),
        row(5, "李四", "村民", "2021-03-01", id=LI),
        row(6, "赵六", "村民", "2021-03-01", home="015"),
        row(7, "赵六", "户代表", "2021-03-01"),
        row(8, "钱七", "村民", "2021-03-01"),
        row(9, "钱七", "村民", "2021-03-01"),
    )
    assert problems(found) == [
        "第 3 行，性别：与第 2 行（同一人）的性别不一致（“男”与“女”）",
        "第 5 行，身份证号：与第 4 行（王五）的身份证号相同，姓名却不同",
        "第 7 行，姓名：第 6 行的赵六填有身份证号或户号，这一行没有：请填上，以确定是不是同一人",
        "第 9 行，身份：与第 8 行重复（同一人、同一身份、同样的日期）",
    ]
    assert not found.writes


def test_a_person_in_the_roster_gets_what_is_missing_and_nothing_is_overwritten(site: Site) -> None:
    site.roster.add(
        site.operator,
        NOW,
        "城关村",
        {"name": "张三", "household": "012", "gender": "男",
         "memberships": [{"role": "预备党员", "since": "2025-06-01"}]},
    )  # fmt: skip
    # The ID number the roster lacks is added; a new membership too.
    found = plan(site, row(2, "张三", "村民代表", "2021-03-01", home="012", id=ZHANG))
    assert found.problems == [] and found.summary() == "新增 0 人（0 个身份），补充身份 1 条，未变 0 人"
    # A gender that differs from the roster is refused, not overwritten.
    refused = plan(site, row(2, "张三", "村民代表", "2021-03-01", home="012", gender="女"))
    assert problems(refused) == [
        "第 2 行，性别：与名册中的张三（城关村-2026-RY0001）不一致（名册中为“男”）：导入只补充，不修改；如需修改，请在名册中修改此人"
    ]
    # Two party statuses at once: the row that adds the second is named.
    both = plan(site, row(2, "张三", "正式党员", "2026-06-02", home="012"))
    assert [p.line for p in both.problems] == [2] and "既是预备党员又是正式党员" in problems(both)[0]
    # Ending the membership held (the same role and start, a last day) and the next one: one change.
    moved = plan(
        site,
        row(2, "张三", "预备党员", "2025-06-01", home="012", until="2026-06-01"),
        row(3, "张三", "正式党员", "2026-06-02", home="012"),
    )
    assert moved.problems == [] and moved.added == 2
    ri.apply(site, site.operator, NOW, moved)
    (person,) = site.roster.records("城关村")
    assert [(m["role"], m["until"]) for m in person["memberships"]] == [("预备党员", "2026-06-01"), ("正式党员", "")]
    assert person["memberships"][0]["ended_on"] == NOW.date().isoformat()
    again = plan(
        site,
        row(2, "张三", "预备党员", "2025-06-01", home="012", until="2026-06-01"),
        row(3, "张三", "正式党员", "2026-06-02", home="012"),
    )
    assert again.problems == [] and not again.writes and again.same == 1


def test_a_masked_id_number_names_only_a_person_already_there(site: Site) -> None:
    site.roster.add(site.operator, NOW, "城关村", {"name": "张三", "id_number": ZHANG, "memberships": []})
    found = plan(site, row(2, "张三", "村民", "2021-03-01", id=idnumber.mask(ZHANG)))
    assert found.problems == [] and found.added == 1 and found.changes[0].number == "城关村-2026-RY0001"
    unknown = plan(site, row(2, "李四", "村民", "2021-03-01", id=idnumber.mask(LI)))
    assert "中间几位已隐去" in problems(unknown)[0]
    # A bare name with someone of that name in another household is not guessed.
    site.roster.add(site.operator, NOW, "城关村", {"name": "王五", "household": "014", "memberships": []})
    guessed = plan(site, row(2, "王五", "村民", "2021-03-01"))
    assert "名册中已有叫王五的人：城关村-2026-RY0002（户号 014）" in problems(guessed)[0]


def test_the_file_is_written_whole_or_not_at_all(site: Site) -> None:
    found = plan(
        site,
        row(2, "张三", "村民", "2021-03-01", id=ZHANG),
        row(3, "李四", "村民", "2021-03-01", id=LI),
    )
    assert found.problems == [] and found.new == 2
    # Meanwhile someone enters 李四: the import stops at its second person, and its first is not kept.
    site.roster.add(site.operator, NOW, "城关村", {"name": "李四", "id_number": LI, "memberships": []})
    before = journal(site)
    with pytest.raises(BadInput, match="李四已在名册中"):
        ri.apply(site, site.operator, NOW, found)
    assert journal(site) == before and [p["name"] for p in site.roster.records("城关村")] == ["李四"]
    with pytest.raises(BadInput, match="整个文件都没有导入"):
        ri.apply(site, site.operator, NOW, plan(site, row(2, "", "村民", "2021-03-01")))


def _book(cells: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for col, text in enumerate(HEAD, start=1):
        sheet.cell(row=3, column=col, value=text)  # two blank rows above the headings
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _exact(data: bytes, cell: str, digits: str) -> bytes:
    """The workbook with ``cell``'s number written with all its digits, as some programs write
    a whole number (openpyxl itself, like Excel, writes 18 digits as a float)."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(
                    rf'(<c r="{cell}" t="n"><v>)[^<]*(</v>)'.encode(), rb"\g<1>" + digits.encode() + rb"\g<2>", body
                )
            target.writestr(item, body)
    return out.getvalue()


def test_reading_cells_ids_as_numbers_dates_as_cells_or_text() -> None:
    data = _book(
        {"B4": "张三", "E4": 1, "I4": "村民", "K4": dt.datetime(2021, 3, 1, 0, 0),
         "B5": "李四", "E5": float(LI), "I5": "村民", "K5": 44256.0,
         "B6": "王五", "I6": "村民", "K6": "2021年3月1日", "D6": dt.date(1970, 7, 7)}
    )  # fmt: skip
    sheet = rx.read(_exact(data, "E4", ZHANG), "文件 ")
    assert [r.line for r in sheet.rows] == [4, 5, 6]
    first, second, third = sheet.rows
    assert first.values["身份证号"] == ZHANG and first.values["起始日期"] == "2021-03-01" and not first.problems
    assert [c for c, _ in second.problems] == ["身份证号", "起始日期"]
    assert third.values["出生日期"] == "1970-07-07" and third.values["起始日期"] == "2021年3月1日"
    with pytest.raises(BadInput, match="第 1 行不是名册的表头"):
        rx.read("标题\r\n姓名,身份\r\n".encode(), "文件 ")
    with pytest.raises(BadInput, match="缺少“起始日期\\*”"):
        rx.read("姓名*,身份*\r\n张三,村民\r\n".encode(), "文件 ")
    with pytest.raises(BadInput, match="只有表头"):
        rx.read((",".join(HEAD) + "\r\n").encode("utf-8-sig"), "文件 ")


def test_a_roster_born_long_ago_with_an_id_number_derives_its_birth() -> None:
    old = make_id("19300101", "007")
    found = ri.check("城关村", "测试", [row(2, "周九", "正式党员", "1950-10-01", id=old)], [], NOW.date())
    assert found.problems == [] and found.changes[0].fields["birth"] == "1930-01-01"


def test_an_id_number_added_to_a_person_must_agree_with_their_birth_date(site: Site) -> None:
    site.roster.add(site.operator, NOW, "城关村", {"name": "李四", "household": "013", "birth": "1985-03-15"})
    found = plan(site, row(2, "李四", "村民", "2021-03-01", home="013", id=LI))
    assert [(p.line, p.column) for p in found.problems] == [(2, "身份证号")]
    assert "出生日期 1985-03-15 与身份证号中的出生日期不一致" in found.problems[0].what
    fits = plan(site, row(2, "李四", "村民", "2021-03-01", home="013", id=make_id("19850315", "004")))
    assert fits.problems == [] and fits.completed == 0 and fits.added == 1


def test_a_row_without_membership_enters_the_person_only_and_a_half_filled_one_is_refused(site: Site) -> None:
    found = plan(site, row(2, "周九", "", "", home="020"))
    assert found.problems == [] and found.summary() == "新增 1 人（0 个身份），补充身份 0 条，未变 0 人"
    ri.apply(site, site.operator, NOW, found)
    assert [(p["name"], p["memberships"]) for p in site.roster.records("城关村")] == [("周九", [])]
    assert plan(site, row(2, "周九", "", "", home="020")).same == 1
    half = plan(site, row(2, "吴十", "", "2021-03-01"))
    assert [(p.line, p.column) for p in half.problems] == [(2, "身份")]
