"""The 公示 waiting for the 监委会's countersignature: open cases at a notice step whose notice
is not up yet. The 监督 screen lists them (待张贴公示) and the login digest counts the unsigned
ones (待签); both from here, so that they never disagree.

Read from the overviews (``store.overview``): no record of a closed case, and no notice, is
read; only the signatures of the few cases found are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procedures.model import Produces, Step
from store.overview import OpenRow

if TYPE_CHECKING:
    from store.site import Site


@dataclass(frozen=True, slots=True)
class Waiting:
    """A case at a 公示 step whose notice is not up yet: its text registered with the day it is to
    be posted (the committee reads and signs it before), or not even registered (nothing to sign)."""

    case: OpenRow
    matter: str
    step: Step
    signed: tuple[dict[str, Any], ...]
    """The signatures that stand for the 公示's words as they now read."""
    notice: str = ""
    """The registered notice, to be posted on ``posted_on``; "" while its text is not registered."""
    posted_on: str = ""

    @property
    def unsigned(self) -> bool:
        """Registered, not posted yet, and nobody has signed it: 待签."""
        return bool(self.notice) and not self.signed

    @property
    def sign_state(self) -> str:
        if not self.notice:
            return "内容未登记"
        return f"{len(self.signed)} 人" if self.signed else "未签"


def at_notice(
    site: Site,
    today: dt.date,
    cases: Iterable[OpenRow],
    posted: Mapping[str, str],
    matters: Collection[str] | None = None,
) -> list[Waiting]:
    """The cases of ``cases`` (open cases from the overviews) at a 公示 step whose notice is not
    posted by ``today`` (``posted``: notice number → the day it is, or is to be, posted), of
    ``matters`` only when given, by case number. A posted notice is left out: signatures are
    over, opinions remain."""
    out = []
    for case in cases:
        if matters is not None and case.matter_id not in matters:
            continue
        current, notice = case.current, case.pending_notice
        posted_on = ""
        if notice:
            posted_on = posted.get(notice, "")
            if not posted_on or posted_on <= today.isoformat():
                continue
        if not current:
            continue
        try:
            matter = site.catalog.get(case.matter_id)
            step = matter.step(current)
        except KeyError:
            continue  # a matter or step the catalogue no longer has: nothing to sign against
        if step.produces is Produces.NOTICE:
            signed = tuple(site.opinions.countersigns(case.number, step.id))
            out.append(Waiting(case, matter.name, step, signed, notice, posted_on))
    return sorted(out, key=lambda w: w.case.number)


def waiting(
    site: Site, today: dt.date, village: str | None = None, matters: Collection[str] | None = None
) -> list[Waiting]:
    """``at_notice`` over the open cases of ``village`` (of every village this session sees)."""
    return at_notice(site, today, site.open_cases(village), site.notice_days(village), matters)
