"""Minutes that cannot contradict themselves: attendance and a vote before confirming, a
resolution's wording against its vote, and a list that summarises every item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from procedures.meetings import ItemFacts, MeetingKind, missing_before_confirm, resolution_conflict, summary
from store.errors import BadInput, Refused
from store.site import Site
from tests.sites import NOW, new_site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def minutes(**change: Any) -> dict[str, Any]:
    """A 村民代表会议 held, 39 members, 26 present: its one item passes 14 to 9."""
    return {
        "kind": "村民代表会议",
        "title": "审议村道硬化方案",
        "start": "2026-11-26 09:00",
        "host": "李书记",
        "recorder": "王文书",
        "expected": 39,
        "present": 26,
        "items": [{"title": "村道硬化方案", "vote": {"ayes": 14, "nays": 9, "abstain": 3}, "resolution": "同意实施"}],
        **change,
    }


def test_a_draft_without_attendance_or_a_vote_is_saved_but_not_confirmed(site: Site) -> None:
    unvoted = [{"title": "村道硬化方案"}]
    draft = site.meetings.new(site.operator, NOW, "城关村", minutes(expected=0, present=0, items=unvoted))
    assert draft["state"] == "draft"  # drafts may be incomplete
    with pytest.raises(Refused) as refused:
        site.meetings.confirm(site.operator, NOW, draft["number"])
    message = str(refused.value)
    assert "请先补填：应到人数、实到人数、表决（村民代表会议至少要登记一项议题的表决）" in message
    assert "草稿可以先保存" in message
    draft = site.meetings.edit(site.operator, NOW, draft["number"], draft["rev"], {"expected": 39, "present": 26})
    with pytest.raises(Refused, match="请先补填：表决（村民代表会议"):
        site.meetings.confirm(site.operator, NOW, draft["number"])
    voted = [{"title": "村道硬化方案", "vote": {"ayes": 14, "nays": 9, "abstain": 3}}]
    draft = site.meetings.edit(site.operator, NOW, draft["number"], draft["rev"], {"items": voted})
    assert site.meetings.confirm(site.operator, NOW, draft["number"])["state"] == "confirmed"


def test_present_is_needed_even_when_expected_is_known(site: Site) -> None:
    draft = site.meetings.new(site.operator, NOW, "城关村", minutes(present=0, items=[{"title": "村道"}]))
    with pytest.raises(Refused, match="请先补填：实到人数、表决"):
        site.meetings.confirm(site.operator, NOW, draft["number"])


def test_a_resolution_needs_the_vote_it_reports(site: Site) -> None:
    items = [
        {"title": "村道", "vote": {"ayes": 14, "nays": 9, "abstain": 3}, "resolution": "同意实施"},
        {"title": "路灯", "resolution": "同意安装"},
    ]
    draft = site.meetings.new(site.operator, NOW, "城关村", minutes(items=items))
    with pytest.raises(Refused, match="请先补填：第2项议题的表决（已写决议）"):
        site.meetings.confirm(site.operator, NOW, draft["number"])


def test_a_meeting_that_does_not_decide_needs_no_vote(site: Site) -> None:
    lecture = minutes(kind="党课", items=[{"title": "学习党章"}], expected=20, present=18)
    record = site.meetings.new(site.operator, NOW, "城关村", lecture)
    assert site.meetings.confirm(site.operator, NOW, record["number"])["state"] == "confirmed"
    assert missing_before_confirm(MeetingKind.PARTY_LECTURE, "李书记", "王文书", 20, 18, [ItemFacts(False, "")]) == []
    assert missing_before_confirm(MeetingKind.OTHER, "李书记", "王文书", 20, 18, [ItemFacts(False, "")]) == [
        "表决（其他会议至少要登记一项议题的表决）"
    ]


@pytest.mark.parametrize(
    ("ayes", "present", "resolution"),
    [
        (13, 26, "同意实施"),  # 13 of 26 is not more than half
        (13, 26, "经表决，同意实施"),
        (13, 26, "会议一致通过"),
        (13, 26, "村民代表会议审议通过"),
        (13, 26, "批准实施"),
        (20, 25, "同意实施"),  # 25 of 39 is short of the 2/3 quorum: no decision at all
    ],
)
def test_a_failed_item_cannot_read_agreed(site: Site, ayes: int, present: int, resolution: str) -> None:
    vote = {"ayes": ayes, "nays": present - ayes, "abstain": 0}
    items = [{"title": "村道硬化方案", "vote": vote, "resolution": resolution}]
    with pytest.raises(BadInput, match=f"第1项议题表决未通过，决议却写“{resolution}”"):
        site.meetings.new(site.operator, NOW, "城关村", minutes(present=present, items=items))
    assert site.meetings.find() == []


def test_a_failed_item_may_say_so_and_a_passed_one_cannot_read_rejected(site: Site) -> None:
    failed = [{"title": "村道", "vote": {"ayes": 13, "nays": 13, "abstain": 0}, "resolution": "同意票未过半数，未通过"}]
    record = site.meetings.new(site.operator, NOW, "城关村", minutes(items=failed))
    assert record["items"][0]["passed"] is False
    passed = [{"title": "村道", "vote": {"ayes": 14, "nays": 9, "abstain": 3}, "resolution": "不同意实施"}]
    with pytest.raises(BadInput, match="第1项议题表决已通过，决议却写“不同意实施”"):
        site.meetings.edit(site.operator, NOW, record["number"], record["rev"], {"items": passed})
    assert site.meetings.get(record["number"])["items"][0]["resolution"] == "同意票未过半数，未通过"


def test_the_wording_check() -> None:
    assert resolution_conflict(1, "同意实施", True) is None
    assert resolution_conflict(1, "同意实施", None) is None  # not voted on: confirming asks for the vote
    assert resolution_conflict(1, "暂缓实施", False) is None
    assert resolution_conflict(1, "未通过", False) is None
    assert resolution_conflict(2, "全体与会人员一致同意", False) is not None
    assert resolution_conflict(2, "决议：未通过", True) is not None


@pytest.mark.parametrize(
    ("passed", "text"),
    [
        ([], "无议题"),
        ([None, None], "2项：无表决"),
        ([True], "1项：1通过"),
        ([True, False], "2项：1通过 1未通过"),
        ([False, False], "2项：2未通过"),
        ([True, None, False], "3项：1通过 1未通过 1未表决"),
    ],
)
def test_the_list_summarises_every_item(passed: list[bool | None], text: str) -> None:
    assert summary(passed) == text
    if False in passed:
        assert "未通过" in summary(passed) and not summary(passed).endswith("：1通过")
