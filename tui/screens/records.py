"""Record forms and registers: meetings (会议记录), notices (公示) with objections, seal uses (用印登记).

The screens live in their own modules; this one is where the rest of the app imports them from.
"""

from __future__ import annotations

from tui.screens.meeting_form import MeetingFormScreen
from tui.screens.meeting_list import MeetingDetailScreen, MeetingListScreen
from tui.screens.notice_forms import DecisionFormScreen, NoticeFormScreen, ObjectionFormScreen
from tui.screens.notice_list import NoticeDetailScreen, NoticeSealListScreen
from tui.screens.seal_form import SealFormScreen

__all__ = [
    "DecisionFormScreen",
    "MeetingDetailScreen",
    "MeetingFormScreen",
    "MeetingListScreen",
    "NoticeDetailScreen",
    "NoticeFormScreen",
    "NoticeSealListScreen",
    "ObjectionFormScreen",
    "SealFormScreen",
]
