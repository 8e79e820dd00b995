"""Find matters by Chinese text or by pinyin initials ("dbsq" finds 低保申请), by what their
steps say (step titles, the text before the flow, checklists), and by the words cadres use for
a group of matters (``SYNONYMS``: 三会一课, 用印, 公示, also as shyk, yy, gs).

The catalog's initials are prepared ahead (``compiled.json``) so that searching never
loads a pinyin dictionary; pypinyin is imported only to compute the initials of new text.
Each character keeps the *set* of its possible initials, so polyphones (重 z/c, 调 t/d)
match either reading.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from procedures.model import Catalog, Matter, Produces


def normalize(text: str) -> str:
    """NFKC (full-width letters from an IME become ASCII), lower case, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _is_han(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


def initials_of(text: str) -> tuple[str, ...]:
    """One string of possible initials per letter-bearing character of ``text``.

    Han characters give their pinyin initials (all readings), ASCII letters and digits
    stand for themselves, punctuation is skipped; a character pypinyin does not know
    gives an empty set (it matches nothing, and breaks no search).
    """
    # The phrase dictionary costs ~40 MB and is not needed for per-character initials.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin import Style, pinyin

    out: list[str] = []
    for ch in normalize(text):
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif _is_han(ch):
            found = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors=lambda _: "")
            readings = found[0] if found else []
            letters = sorted({r[0].lower() for r in readings if r and r[0].isascii() and r[0].isalpha()})
            out.append("".join(letters))
    return tuple(out)


def run_matches(initials: tuple[str, ...], query: str) -> bool:
    """True when ``query`` matches a contiguous run of characters' initials."""
    n = len(query)
    return any(all(query[i] in initials[begin + i] for i in range(n)) for begin in range(len(initials) - n + 1))


@dataclass(frozen=True, slots=True)
class Synonym:
    """A word cadres use for a group of matters that no matter's name contains."""

    word: str
    initials: str
    """Its pinyin initials, written out so that searching loads no pinyin dictionary (a test
    checks them against ``initials_of``)."""
    why: str
    """Which matters it stands for, and why."""
    finds: Callable[[Matter], bool]

    def meant_by(self, query: str) -> bool:
        """The word, a part of it of two characters or more, its initials or their first two
        letters or more (三会, shyk, shy all mean 三会一课)."""
        if len(query) < 2:
            return False
        return query in normalize(self.word) or (query.isascii() and self.initials.startswith(query))


THREE_MEETINGS_ONE_LESSON = frozenset({"支部党员大会", "支委会", "党小组会", "党课"})

SYNONYMS: tuple[Synonym, ...] = (
    Synonym(
        "三会一课",
        "shyk",
        "党支部的“三会一课”：支部党员大会、支部委员会、党小组会和党课，即第5至第8项；"
        "按各事项所属的会议类别找，不按名称",
        lambda m: m.meeting_kind in THREE_MEETINGS_ONE_LESSON,
    ),
    Synonym(
        "用印",
        "yy",
        "用印是使用印章：村级印章管理的三个事项（党支部、村委会、村集体经济组织印章的使用和管理，"
        "第14至第16项），每次用印都要审批、登记；名称里写的是“印章”，不是“用印”",
        lambda m: m.name.startswith("村级印章管理"),
    ),
    Synonym(
        "公示",
        "gs",
        "有公示步骤的事项：某一步要张贴公示（登记公示记录），或步骤名称写明公示；"
        "不含只在说明里提到公示的事项（那些按内容查找时排在后面）",
        lambda m: any(s.produces is Produces.NOTICE or "公示" in s.title for s in m.steps),
    ),
)
"""Words for groups of matters, each explained: what a cadre types is rarely a matter's name."""


def content_of(matter: Matter) -> str:
    """What a matter says besides its name, normalised for searching: the text before the flow,
    every step's title and checklist."""
    parts = [*matter.intro]
    for step in matter.steps:
        parts.append(step.title)
        parts += step.checklist
    return normalize("\n".join(parts))


def score(matter: Matter, query: str) -> int:
    """How well ``matter`` matches: 0 for no match, higher is better: its number (6), its name
    (5), a word of ``SYNONYMS`` (4), its id (3), the pinyin initials of its name (2), what its
    steps say (1)."""
    q = normalize(query)
    if not q:
        return 1
    name = normalize(matter.name)
    if q.isdigit() and int(q) == matter.order:
        return 6
    if q in name:
        return 5
    if any(s.meant_by(q) and s.finds(matter) for s in SYNONYMS):
        return 4
    if q.isascii() and q.isalnum():
        if q in matter.id.replace("-", ""):
            return 3
        if run_matches(matter.initials, q):
            return 2
    elif q in content_of(matter):
        return 1
    return 0


def search(catalog: Catalog, query: str) -> tuple[Matter, ...]:
    """The matters matching ``query``, best first, then in the document's order."""
    scored = [(score(m, query), m) for m in catalog.matters]
    return tuple(m for s, m in sorted(scored, key=lambda p: (-p[0], p[1].order)) if s > 0)
