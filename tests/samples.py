"""A village year to look at: the sample data every document kind is exported from, for the
README's page images (``python3 dev.py samples``) and for reading documents as an archivist does.

Two villages; a 低保 case with its 公示 (three families, ID numbers that must print masked) and
an objection; a 四议两公开 case through its meetings; seal uses (one approved by its keeper,
shown red); 支委会 meetings; one entry of hostile text (markup, a right-to-left override, an
emoji, XML specials). Every name is made up.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from exports import documents
from store.site import Site
from tests.sites import CST, walk_to

YEAR = 2026
START = dt.datetime(YEAR, 9, 1, 9, tzinfo=CST)
TODAY = dt.date(YEAR, 11, 27)
HOSTILE = "[b]张某[/b]来访 \u202e反向\u202c 🙂 <w:t>&amp;</w:t> \"引号\" 'x'"


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def build(root: Path) -> tuple[Site, dict[str, str]]:
    """The sample data directory at ``root``; returns the site and the numbers exports need."""
    site = Site(root, environ={})
    account = site.operator.account
    site.init(START, "沁河镇", ["城关村", "南石村"], staff=[f"{account}=王文书:管理员"])
    site = Site(root, environ={})
    me = site.operator
    numbers: dict[str, str] = {}

    def branch_meeting(month: int) -> None:
        site.meetings.new(
            me,
            at(dt.date(YEAR, month, 5)),
            "城关村",
            {
                "kind": "支委会",
                "title": f"{month}月支委会",
                "start": f"{YEAR}-{month:02d}-05 15:00",
                "host": "李书记",
                "recorder": "王文书",
                "expected": 5,
                "present": 5,
                "items": [{"title": "研究本月重点工作"}],
            },
        )

    def seal(day: int, document: str, approver: str) -> None:
        site.seals.new(
            me,
            at(dt.date(YEAR, 11, day)),
            "城关村",
            {
                "seal": "村委会",
                "document": document,
                "purpose": "报乡镇",
                "approver": approver,
                "keeper": "王文书",
                "routine": True,
                **({"irregular": "保管人自批，已补报说明"} if approver == "王文书" else {}),
            },
        )

    # In the order it happened (the store refuses a save dated before the one before it).
    branch_meeting(9)
    # 四议两公开: a road repair, through its first steps (meeting drafts made by the steps).
    road = site.cases.open(me, at(dt.date(YEAR, 9, 10)), "siyi-liangkaigong", "城关村", "村内道路硬化工程").number
    passed = {step: "通过" for step in ("consult", "review", "decide")}
    walk_to(site, road, "publish-resolution", at(dt.date(YEAR, 9, 20)), choose=passed)
    numbers["road"] = road
    branch_meeting(10)

    # 低保: applied in October, 公示 posted with three families, one objection.
    dibao = site.cases.open(me, at(dt.date(YEAR, 10, 8)), "dibao", "城关村", "王某某低保申请").number
    walk_to(site, dibao, "publicize", at(dt.date(YEAR, 10, 20)))
    meeting = site.meetings.new(
        me,
        at(dt.date(YEAR, 10, 22)),
        "城关村",
        {
            "kind": "村民代表会议",
            "title": "民主评议低保申请",
            "start": f"{YEAR}-10-22 09:00",
            "host": "李书记",
            "recorder": "王文书",
            "expected": 39,
            "present": 27,
            "items": [{"title": "评议王某某低保申请", "vote": {"ayes": 20, "nays": 4, "abstain": 3}}],
        },
    )
    notice = site.cases.post_notice(
        me,
        at(dt.date(YEAR, 10, 26)),
        dibao,
        {
            "posted_on": dt.date(YEAR, 10, 26),
            "place": "村委会门口公开栏",
            "entries": [
                {"name": "王某某", "id_number": "11010519491231002X", "household": "3", "amount": "500元/月"},
                {"name": "赵某", "id_number": "14043119620815002X", "household": "1", "amount": "420元/月"},
                {"name": "孙某某", "household": "2", "amount": "460元/月", "note": "无身份证号，以户口簿为准"},
            ],
        },
    )
    site.notices.object(
        me, at(dt.date(YEAR, 10, 28)), notice["number"], dt.date(YEAR, 10, 28), "李某", "王某某家有经营性车辆一辆"
    )
    numbers.update(dibao=dibao, notice=notice["number"], meeting=meeting["number"])

    # Another village, with one entry of hostile text; then November's seal uses and 支委会.
    site.cases.open(me, at(dt.date(YEAR, 11, 2)), "xinfang", "南石村", HOSTILE)
    seal(3, "低保申请证明", "李书记")
    branch_meeting(11)
    seal(9, "道路硬化工程公示", "李书记")
    seal(15, "困难证明", "王文书")  # approved by its own keeper: shown red
    return site, numbers


def export_all(site: Site, numbers: dict[str, str], out: Path, today: dt.date = TODAY) -> dict[str, Path]:
    """Every document kind, exported from the sample data into ``out``."""
    year_from, year_to = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    return {
        "notice": documents.export_record(site, numbers["notice"], "notice", today, out),
        "notice-result": documents.export_record(site, numbers["notice"], "notice-result", today, out),
        "archive": documents.export_record(site, numbers["dibao"], "archive", today, out),
        "minutes": documents.export_record(site, numbers["meeting"], "minutes", today, out),
        "blank-minutes": documents.export_record(site, numbers["meeting"], "blank-minutes", today, out),
        "register": documents.export_register(site, "城关村", "村委会", year_from, year_to, today, out),
        "ledger": documents.export_ledger(site, "dibao", YEAR, None, today, out),
        "meetings": documents.export_meetings(site, "城关村", YEAR, today, out),
        "supervision": documents.export_supervision(site, "城关村", year_from, year_to, today, out),
    }
