"""Issue 15, item 1: one codec checks every record before its journal entry.

Each poison input is refused with nothing written (journal included) or stored harmlessly,
and afterwards a save in the same village works and ``verify`` passes. Records written by an
earlier version keep their stored form, and so their journal digests, unless edited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from store import codec, sanitize
from store.errors import BadInput, Refused
from store.journal import digest
from store.site import Site
from tests.sites import NOW, new_site, post_notice, walk_to

MEETING = {"kind": "支委会", "title": "支委会", "start": "2026-11-27 08:00", "expected": 5, "present": 5}
SEAL = {"seal": "村委会", "document": "证明", "purpose": "上报", "approver": "李书记", "keeper": "王文书"}
BIDI = "\u202e"


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "backups" not in p.parts and p.name != ".lock"
    }


def then_saves_and_verifies(root: Path) -> None:
    """A later save in the same village works, and the directory verifies."""
    fresh = Site(root, environ={})
    assert fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "之后照常").village == "城关村"
    report = fresh.verify()
    assert report.ok, report


def at_notice_step(site: Site, opened: dt.datetime = NOW) -> str:
    number = site.cases.open(site.operator, opened, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize", opened)
    return number


@pytest.mark.parametrize(
    ("what", "fields", "words"),
    [
        ("meeting", {**MEETING, "start": "0001-01-01 00:00"}, "年"),
        ("meeting", {**MEETING, "start": "0999-12-31 09:00"}, "年"),
        ("seal", {**SEAL, "date": "0001-01-01", "routine": True}, "年"),
        ("meeting", {**MEETING, "expected": 10**30}, "应到人数 100000000000… 数值超出范围"),
        ("meeting", {**MEETING, "expected": -1}, "应到人数 -1 数值超出范围"),
        ("meeting", {**MEETING, "present": True}, "实到人数应为整数"),
        ("meeting", {**MEETING, "items": [{"title": "议题", "vote": {"ayes": -1}}]}, "第1项赞成票数 -1 数值超出范围"),
        ("seal", {**SEAL, "routine": True, "copies": 10**30}, "用印份数"),
    ],
    ids=["year-1", "year-999", "seal-year-1", "count-10**30", "count-minus-1", "bool-count", "vote-minus-1", "copies"],
)
def test_an_out_of_bounds_meeting_or_seal_is_refused_with_nothing_written(
    tmp_path: Path, what: str, fields: dict[str, object], words: str
) -> None:
    site = new_site(tmp_path / "data")
    before = files(site.root)
    book = site.meetings if what == "meeting" else site.seals
    with pytest.raises(BadInput, match=re.escape(words)) as refused:
        book.new(site.operator, NOW, "城关村", fields)  # type: ignore[attr-defined]
    assert "未做任何改动" in str(refused.value)
    assert files(site.root) == before, "journal included"
    then_saves_and_verifies(site.root)


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"name": "王某", "amount": "1e9999"}, "公示第1行金额“1e9999”不是金额"),
        ({"name": "王某", "amount": "NaN"}, "公示第1行金额“NaN”不是金额"),
        ({"name": "王某", "amount": "1.005"}, "最多两位小数"),
        ({"name": "王某", "amount": "-500"}, "不是金额"),
        ({"name": "王某", "amount": "9999999999"}, "数值超出范围"),
        ({"name": "王某", "household": "-1"}, "公示第1行人数“-1”应为人数"),
        ({"name": "王某", "household": 10**30}, "数值超出范围"),
    ],
    ids=["1e9999", "NaN", "1.005", "negative", "too-much", "household-minus-1", "household-10**30"],
)
def test_a_notice_row_out_of_bounds_is_refused_with_nothing_written(
    tmp_path: Path, row: dict[str, object], words: str
) -> None:
    site = new_site(tmp_path / "data")
    number = at_notice_step(site)
    before = files(site.root)
    with pytest.raises(BadInput, match=re.escape(words)):
        post_notice(site, number, entries=[row])
    assert files(site.root) == before
    then_saves_and_verifies(site.root)
    notice = post_notice(Site(site.root, environ={}), number, entries=[{"name": "王某", "amount": "¥１,200.5元"}])
    assert notice["entries"][0]["amount"] == "1200.50"  # type: ignore[index]


def test_a_notice_posted_before_its_case_was_opened_is_refused(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = at_notice_step(site)
    before = files(site.root)
    with pytest.raises(BadInput, match="早于办件立案日期"):
        post_notice(site, number, day=dt.date(2026, 11, 20))
    # Past the entry point too: the codec itself refuses such a notice, whoever writes it.
    case = site.cases.get(number).record
    fields = {**_notice_body(number), "posted_on": "2026-11-20"}
    with (
        pytest.raises(BadInput, match=f"早于办件 {number} 的立案日期 2026-11-27"),
        site.store.transaction(site.operator, NOW) as txn,
    ):
        site.notices.book.insert(txn, case["village"], 2026, fields, "notice.post")
    assert files(site.root) == before
    then_saves_and_verifies(site.root)


def _notice_body(case: str) -> dict[str, Any]:
    return {
        "case": case,
        "matter_id": "dibao",
        "step": "publicize",
        "title": "公示",
        "content": "",
        "place": "村务公开栏",
        "posted_on": "2026-11-27",
        "entered_on": "2026-11-27",
        "earliest_end": "2026-12-04",
        "entries": [],
        "objections": [],
        "result": "",
        "closed_on": "",
    }


def test_invisible_and_full_width_text_is_stored_harmlessly(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", f"王某{BIDI}某１号，（低保）……①㎡")
    assert case.subject == "王某某1号，（低保）……①㎡"  # Chinese punctuation, ①, ㎡ kept as typed
    # An invisible character no longer makes the keeper look like another person.
    with pytest.raises(Refused, match="批准人与印章保管人不能是同一人"):
        site.seals.new(site.operator, NOW, "城关村", {**SEAL, "approver": "王\u200b文书", "routine": True})
    then_saves_and_verifies(site.root)


def _refused_directly(site: Site, change: Any) -> None:
    """``change(txn)`` writes past the entry points: refused by the codec, nothing written."""
    before = files(site.root)
    with pytest.raises(BadInput, match="未做任何改动"), site.store.transaction(site.operator, NOW) as txn:
        change(txn)
    assert files(site.root) == before
    then_saves_and_verifies(site.root)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", f"王某{BIDI}某"),
        ("subject", "王某１"),
        ("subject", "王某\n某"),
        ("opened_on", "0001-01-01"),
        ("current_since", "2030-01-01"),
        ("progress", {"checklist": [], "materials": [], "note": "", "notice": "南石村-2026-GS0001"}),
        (
            "history",
            [{"step_id": "apply", "started": "2026-11-27", "finished": "2026-11-01", "at": "2026-11-27T09:30"}],
        ),
        ("opened_on", ""),
        ("history", [{"step_id": "apply", "started": "", "finished": "2026-11-27", "at": "2026-11-27T09:30"}]),
    ],
    ids=[
        "bidi",
        "full-width",
        "newline",
        "year-1",
        "years-ahead",
        "other-village",
        "done-before-opened",
        "no-opening-day",
        "step-without-start",
    ],
)
def test_the_codec_refuses_a_case_written_past_the_entry_points(tmp_path: Path, field: str, value: object) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number

    def change(txn: Any) -> None:
        record = site.cases.book.for_update(number, None)
        record[field] = value
        site.cases.book.save(txn, record, "case.progress")

    _refused_directly(site, change)


@pytest.mark.parametrize(
    ("book", "fields"),
    [
        ("meetings", {**MEETING, "start": "0001-01-01T00:00", "items": []}),
        ("seals", {**SEAL, "date": "2026-11-27", "copies": True}),
        ("notices", {"entries": [{"name": "王某", "household": "3", "amount": "500元", "note": ""}]}),
        ("notices", {"entries": [{"name": "王某", "household": "三", "amount": "", "note": ""}]}),
        ("opinions", {"kind": "opinion", "target": "南石村-2026-HY0001", "text": "同意", "date": "2026-11-27"}),
    ],
    ids=["meeting-year-1", "bool-copies", "money-as-text", "household-as-text", "target-in-another-village"],
)
def test_the_codec_refuses_other_records_written_past_the_entry_points(
    tmp_path: Path, book: str, fields: dict[str, object]
) -> None:
    site = new_site(tmp_path / "data")
    body = {**_notice_body(""), **fields} if book == "notices" else fields

    def change(txn: Any) -> None:
        getattr(site, book).book.insert(txn, "城关村", 2026, body, f"{book[:-1]}.new")

    _refused_directly(site, change)


def test_records_of_an_earlier_version_keep_their_stored_form_and_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory made before the codec: text NFC only, invisible characters kept, money and
    人数 as free text. It verifies; saves work, around those records and on them; what a save
    did not change stays byte for byte what the journal recorded."""
    site = new_site(tmp_path / "data")
    with monkeypatch.context() as old:  # the code as it was: no codec, text NFC only
        old.setattr(codec, "check", lambda *args: None)
        old.setattr(sanitize, "normalize", lambda text, compat=True: text)
        old.setattr(sanitize, "_FORMAT", re.compile(r"[^\s\S]"))
        old.setattr(codec, "money", lambda v, f: str(v or ""))
        old.setattr(codec, "household", lambda v, f: str(v or ""))
        kept = site.cases.open(site.operator, NOW, "dibao", "南石村", f"赵某１{BIDI}").number
        number = at_notice_step(site)
        site.cases.save_progress(site.operator, NOW, number, site.cases.get(number).rev, note="旧备注１")
        notice = post_notice(site, number, entries=[{"name": "李某", "household": "3人", "amount": "500元/月"}])
        meeting = site.meetings.new(site.operator, NOW, "城关村", {**MEETING, "title": "支委会（第１次）"})
    stored = {target: digest(record) for target, record in site.records().items()}
    assert site.verify().ok

    fresh = Site(site.root, environ={})
    fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "新办件")
    fresh.notices.object(fresh.operator, NOW, str(notice["number"]), NOW.date(), "张某", "有异议")
    fresh.cases.save_progress(fresh.operator, NOW, number, fresh.cases.get(number).rev, note="新备注")
    after = {target: digest(record) for target, record in fresh.records().items()}

    for untouched in (f"case:{kept}", f"meeting:{meeting['number']}"):
        assert after[untouched] == stored[untouched]
    again = fresh.notices.get(str(notice["number"]))
    assert again["entries"] == [{"name": "李某", "id_number": "", "household": "3人", "amount": "500元/月", "note": ""}]
    assert fresh.cases.get(kept).subject == f"赵某１{BIDI}"
    report = fresh.verify()
    assert report.ok, report
