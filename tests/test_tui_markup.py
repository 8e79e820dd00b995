"""Markup-like text in every place user text appears is shown literally and crashes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.sites import NOW, new_site, walk_to
from tests.tui_helpers import make, screen_text
from tui.screens.case import CaseScreen
from tui.screens.cases import CaseListScreen
from tui.screens.meeting_list import MeetingDetailScreen, MeetingListScreen
from tui.screens.notice_list import NoticeDetailScreen, NoticeSealListScreen

BAD = "[b]甲[/b][/]"
CLICK = "[@click=app.quit]乙[/]"


def hostile_site(root: Path) -> dict[str, str]:
    site = new_site(root)
    case = site.cases.open(site.operator, NOW, "dibao", "城关村", BAD).number
    walk_to(site, case, "publicize")
    notice = site.cases.post_notice(
        site.operator,
        NOW,
        case,
        {
            "title": CLICK,
            "content": BAD,
            "place": "[red]公开栏",
            "entries": [{"name": CLICK, "amount": "500", "note": "[i]备注"}],
        },
    )["number"]
    site.notices.object(site.operator, NOW, notice, NOW.date(), CLICK, BAD, handling="[/]处理")
    meeting = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {
            "kind": "支委会",
            "title": CLICK,
            "start": "2026-11-27 09:00",
            "place": BAD,
            "host": "[b]李",
            "recorder": "[/]王",
            "expected": 5,
            "present": 4,
            "absent": [{"name": "[x]赵", "reason": CLICK}],
            "attendees": ["[@click=app.bell]钱"],
            "items": [
                {
                    "title": BAD,
                    "speeches": [{"name": "[b]孙", "summary": CLICK}],
                    "vote": {"ayes": 3},
                    "resolution": BAD,
                }
            ],
        },
    )["number"]
    site.seals.new(
        site.operator,
        NOW,
        "城关村",
        {"seal": "村委会", "document": BAD, "purpose": CLICK, "approver": "[b]周", "keeper": "[/]吴", "routine": True},
    )
    return {"case": case, "notice": notice, "meeting": meeting}


async def test_every_screen_shows_markup_literally(tmp_path: Path) -> None:
    numbers = hostile_site(tmp_path / "data")
    app = make(tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screens = [
            CaseListScreen(),
            CaseScreen(numbers["case"]),
            MeetingListScreen(),
            MeetingDetailScreen(numbers["meeting"]),
            NoticeSealListScreen(),
            NoticeDetailScreen(numbers["notice"]),
        ]
        for screen in screens:
            app.push_screen(screen)
            await pilot.pause()
            text = screen_text(app)
            assert app.is_running, screen
            assert "[b]" in text or "[@click" in text or "[/]" in text, (screen, text[:400])
            await pilot.press("escape")
            await pilot.pause()
        app.push_screen(MeetingDetailScreen(numbers["meeting"]))
        await pilot.pause()
        page = screen_text(app)
        for literal in (CLICK, BAD, "[b]李", "[/]王", "[x]赵", "[@click=app.bell]钱", "[b]孙"):
            assert literal in page, literal
        app.push_screen(NoticeDetailScreen(numbers["notice"]))
        await pilot.pause()
        page = screen_text(app)
        for literal in (CLICK, BAD, "[red]公开栏", "[/]处理"):
            assert literal in page, literal
        app.push_screen(CaseScreen(numbers["case"]))
        await pilot.pause()
        assert BAD in screen_text(app)
    assert app.return_code in (None, 0), "a [@click=app.quit] never quits the app"
