"""Search by Chinese text or pinyin initials, without loading pypinyin at search time."""

from __future__ import annotations

import json

import pytest

from procedures.loader import SEARCH_KEYS_FILE
from procedures.model import Catalog
from procedures.search import build_keys, initials_of, normalize, score, search


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dbsq", "dibao"),
        ("fzdy", "fazhan-dangyuan"),
        ("ＤＢＳＱ", "dibao"),  # full-width letters from an IME
        ("低保", "dibao"),
        ("四议两公开", "siyi-liangkaigong"),
        ("syl", "siyi-liangkaigong"),
        ("45", "dibao"),
        ("xinfang", "xinfang"),
        ("zjd", "zhaijidi-weifang"),
    ],
)
def test_search_finds(catalog: Catalog, query: str, first: str) -> None:
    assert search(catalog, query)[0].id == first


def test_search_without_match(catalog: Catalog) -> None:
    assert search(catalog, "qqqqqq") == ()
    assert search(catalog, "火星") == ()


def test_polyphones_match_either_reading(catalog: Catalog) -> None:
    # 重大事项 reads zhòng, but a clerk may type c (chóng): both find it.
    matter = catalog.get("siyi-liangkaigong")
    assert score(matter, "zdsx") and score(matter, "cdsx")
    assert initials_of("调解") == ("dt", "jx")


def test_odd_input_never_crashes() -> None:
    assert initials_of("张3") == ("z", "3")
    assert initials_of("𠀀") in {(), ("",), ("h",)}  # CJK Ext-B: an initial or none, no error
    assert normalize(" Ｄ b\u3000S ") == "dbs"


def test_search_keys_file_is_up_to_date(catalog: Catalog) -> None:
    stored = json.loads(SEARCH_KEYS_FILE.read_text(encoding="utf-8"))
    assert stored == build_keys(catalog.matters), "run: .venv/bin/python -m procedures.search --write"
