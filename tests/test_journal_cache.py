"""The journal index's cache (``journal.index``): a save reads only the journal written after it,
a cache of another journal is not used, and a cache made by hand lets nothing past verify."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from store import db
from store.journal import digest
from store.journal_index import CACHE_FILE, JournalIndex
from store.site import Site
from tests.sites import NOW, new_site
from tests.test_store_repair import edit_by_hand


def busy(site: Site) -> list[str]:
    numbers = [site.cases.open(site.operator, NOW, "xinfang", "城关村", f"第{n}号来访").number for n in range(6)]
    for number in numbers[:3]:
        site.cases.complete_step(site.operator, NOW, number, "接待")
    return numbers


def whole(root: Path) -> dict[str, tuple[int, str | None]]:
    """What the journal says of each record, read whole (no cache)."""
    index = JournalIndex(root / "journal.jsonl")
    index.refresh()
    return index.entries()


def test_a_save_reads_only_the_journal_after_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SAVE_AFTER", 0)  # the cache written after every save
    site = new_site(tmp_path / "data")
    numbers = busy(site)
    cache = site.root / CACHE_FILE
    assert cache.exists()
    size = (site.root / "journal.jsonl").stat().st_size
    assert orjson.loads(cache.read_bytes())["offset"] == size
    # Another session saves once more; a fresh process reads the cache and that save only.
    monkeypatch.setattr(db, "SAVE_AFTER", 1 << 30)
    other = Site(site.root, environ={})
    other.cases.complete_step(other.operator, NOW, numbers[4], "接待")
    fresh = JournalIndex(site.root / "journal.jsonl")
    fresh.refresh()
    grown = (site.root / "journal.jsonl").stat().st_size
    assert 0 < fresh.unsaved == grown - size, "only what was written after the cache was read"
    assert fresh.entries() == whole_without_cache(site.root)


def whole_without_cache(root: Path) -> dict[str, tuple[int, str | None]]:
    cache = root / CACHE_FILE
    kept = cache.read_bytes()
    cache.unlink()
    try:
        return whole(root)
    finally:
        cache.write_bytes(kept)


def test_a_cache_of_another_journal_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SAVE_AFTER", 0)
    site = new_site(tmp_path / "data")
    busy(site)
    cache = site.root / CACHE_FILE
    found = orjson.loads(cache.read_bytes())
    found["head"] = "0" * 64  # the journal at that offset ends with another entry
    found["latest"] = {}
    cache.write_bytes(orjson.dumps(found))
    index = JournalIndex(site.root / "journal.jsonl")
    index.refresh()
    assert index.unsaved == (site.root / "journal.jsonl").stat().st_size, "read whole"
    assert index.entries() == whole_without_cache(site.root)


def test_a_cache_made_by_hand_lets_nothing_past_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SAVE_AFTER", 0)
    site = new_site(tmp_path / "data")
    numbers = busy(site)
    number = numbers[5]
    edit_by_hand(site, number, subject="李某某来访")
    # Someone who may write the directory makes the cache say the edited record is what was saved.
    cache = site.root / CACHE_FILE
    found = orjson.loads(cache.read_bytes())
    edited = Site(site.root, environ={}).cases.get(number).record
    found["latest"][f"case:{number}"][1] = digest(edited)
    cache.write_bytes(orjson.dumps(found))
    later = Site(site.root, environ={})
    later.cases.complete_step(later.operator, NOW, number, "接待")  # the cache let the save through
    report = Site(site.root, environ={}).verify()
    assert not report.ok and any("保存之前已被直接改动过数据文件" in p and number in p for p in report.problems)


def test_a_cache_entry_not_as_written_has_the_journal_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SAVE_AFTER", 0)
    site = new_site(tmp_path / "data")
    numbers = busy(site)
    cache = site.root / CACHE_FILE
    found = orjson.loads(cache.read_bytes())
    target = f"case:{numbers[0]}"
    found["latest"][target] = ["x", 7]  # neither a number nor a digest
    cache.write_bytes(orjson.dumps(found))
    index = JournalIndex(site.root / "journal.jsonl")
    index.refresh()
    assert index.unsaved < (site.root / "journal.jsonl").stat().st_size, "the cache was taken"
    assert index.known(target) and index.digest_of(target) == whole_without_cache(site.root)[target][1]
    assert index.entries() == whole_without_cache(site.root)
