"""Find matters by Chinese text or by pinyin initials ("dbsq" finds 低保申请).

The catalog's initials are prepared ahead (``compiled.json``) so that searching never
loads a pinyin dictionary; pypinyin is imported only to compute the initials of new text.
Each character keeps the *set* of its possible initials, so polyphones (重 z/c, 调 t/d)
match either reading.
"""

from __future__ import annotations

import os
import unicodedata

from procedures.model import Catalog, Matter


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


def _run_matches(initials: tuple[str, ...], query: str) -> bool:
    """True when ``query`` matches a contiguous run of characters' initials."""
    n = len(query)
    return any(all(query[i] in initials[begin + i] for i in range(n)) for begin in range(len(initials) - n + 1))


def score(matter: Matter, query: str) -> int:
    """How well ``matter`` matches: 0 for no match, higher is better."""
    q = normalize(query)
    if not q:
        return 1
    name = normalize(matter.name)
    if q in name:
        return 4
    if q.isdigit() and int(q) == matter.order:
        return 5
    if q.isascii() and q.isalnum():
        if q in matter.id.replace("-", ""):
            return 3
        if _run_matches(matter.initials, q):
            return 2
    return 0


def search(catalog: Catalog, query: str) -> tuple[Matter, ...]:
    """The matters matching ``query``, best first, then in the document's order."""
    scored = [(score(m, query), m) for m in catalog.matters]
    return tuple(m for s, m in sorted(scored, key=lambda p: (-p[0], p[1].order)) if s > 0)
