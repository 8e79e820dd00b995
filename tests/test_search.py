"""Search by Chinese text or pinyin initials, without loading pypinyin at search time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procedures import compiled
from procedures.model import Catalog
from procedures.search import initials_of, normalize, score, search


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


def test_compiled_catalog_is_current(catalog: Catalog) -> None:
    stored = json.loads(compiled.COMPILED_FILE.read_text(encoding="utf-8"))
    assert stored == compiled.build(), "run: .venv/bin/python -m procedures.compiled"
    assert compiled.load() is not None
    assert {m.id: list(m.initials) for m in catalog.matters} == stored["initials"]


def test_an_edited_matter_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from procedures import loader

    copy = tmp_path / "matters"
    shutil.copytree(compiled.BUILTIN_DIR, copy)
    text = (copy / "45-dibao.toml").read_text(encoding="utf-8")
    (copy / "45-dibao.toml").write_text(text.replace('title = "入户调查"', 'title = "入户调查核实"'), encoding="utf-8")
    monkeypatch.setattr(compiled, "BUILTIN_DIR", copy)
    monkeypatch.setattr(loader, "BUILTIN_DIR", copy)
    assert compiled.load() is None, "the digest no longer matches"
    assert loader.load_catalog().get("dibao").step("survey").title == "入户调查核实"


def _orders(catalog: Catalog, query: str, first: int) -> list[int]:
    return [m.order for m in search(catalog, query)[:first]]


@pytest.mark.parametrize("query", ["三会一课", "shyk", "三会"])
def test_three_meetings_one_lesson_finds_the_meeting_matters(catalog: Catalog, query: str) -> None:
    assert _orders(catalog, query, 4) == [5, 6, 7, 8]


@pytest.mark.parametrize("query", ["用印", "yy"])
def test_using_a_seal_finds_the_seal_matters(catalog: Catalog, query: str) -> None:
    assert _orders(catalog, query, 3) == [14, 15, 16]


@pytest.mark.parametrize("query", ["公示", "gs"])
def test_notice_finds_the_matters_with_a_notice_step(catalog: Catalog, query: str) -> None:
    from procedures.model import Produces

    with_notice = [m.order for m in catalog.matters if any(s.produces is Produces.NOTICE for s in m.steps)]
    found = _orders(catalog, query, len(with_notice))
    assert set(with_notice) <= set(found) and 45 in found
    assert 3 not in found, "党组织关系转移 has no 公示 step"


def test_search_reads_what_the_steps_say(catalog: Catalog) -> None:
    # 入户调查 is a step of 低保 (and of 特困, 医疗救助), in none of their names.
    assert "dibao" in [m.id for m in search(catalog, "入户调查")]
    assert all("入户调查" not in m.name for m in search(catalog, "入户调查"))
    # A name still comes before a matter that only mentions the word.
    assert search(catalog, "党费")[0].id == "dangfei"
