"""Rotated backups (``store.backups``) are kept by the order they were made, not by the clock's
stamp in their names: a clock set back never deletes the backup just made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from store import backups
from store.site import Site
from tests.sites import CST, new_site

FLAT = "cases__城关村__2025.json"
IN_2026 = dt.datetime(2026, 3, 1, 0, 0, tzinfo=CST)
BACK_IN_2025 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=CST)


def data_file(root: Path) -> Path:
    path = root / "cases" / "城关村" / "2025.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def version(root: Path, path: Path, text: str, now: dt.datetime) -> None:
    """What a save does: the current file is rotated, then replaced by a new one (a new inode)."""
    backups.rotate(root, path, now)
    path.with_suffix(".new").write_text(f'{{"v": "{text}"}}', encoding="utf-8")
    path.with_suffix(".new").replace(path)


def kept(root: Path, kind: str = "hourly") -> list[Path]:
    return sorted((root / "backups" / kind).iterdir())


def test_a_clock_set_back_a_year_keeps_the_new_backups_and_rotates_out_the_oldest_made(tmp_path: Path) -> None:
    path = data_file(tmp_path)
    path.write_text('{"v": "start"}', encoding="utf-8")
    for hour in range(48):
        version(tmp_path, path, f"2026-{hour}", IN_2026 + dt.timedelta(hours=hour))
    assert len(kept(tmp_path)) == 48
    first_2026 = [p for p in kept(tmp_path) if p.name.endswith("-2026030100")]
    assert first_2026, "the first backup of 2026 is there before the clock goes back"
    for hour in range(5):  # the clock is set back a year: five saves, an hour apart
        version(tmp_path, path, f"2025-{hour}", BACK_IN_2025 + dt.timedelta(hours=hour))
    hourly = kept(tmp_path)
    assert len(hourly) == 48
    stamps = [p.name.rsplit("-", 1)[1] for p in hourly]
    assert [s for s in stamps if s.startswith("2025")] == [f"20250301{9 + h:02d}" for h in range(5)]
    assert "2026030100" not in stamps and "2026030104" not in stamps, "the five made first went"
    assert "2026030105" in stamps and "2026030123" in stamps
    # The backup made last holds the version before the last save, whatever its stamp says.
    newest = backups.versions_of(tmp_path, path)[0]
    assert newest.name.endswith("-2025030113") and newest.read_text(encoding="utf-8") == '{"v": "2025-3"}'
    assert backups.newest_good(tmp_path, path) == newest
    assert backups.original_path(tmp_path, newest) == path
    daily = kept(tmp_path, "daily")
    assert [p.name.rsplit("-", 1)[1] for p in daily] == ["20260301", "20260302", "20250301"]


def test_versions_of_lists_in_the_order_rotate_keeps(tmp_path: Path) -> None:
    path = data_file(tmp_path)
    path.write_text('{"v": "start"}', encoding="utf-8")
    times = [IN_2026, BACK_IN_2025, IN_2026 + dt.timedelta(days=40), BACK_IN_2025 + dt.timedelta(hours=2)]
    for n, now in enumerate(times):
        version(tmp_path, path, str(n), now)
    listed = backups.versions_of(tmp_path, path)
    contents = [p.read_text(encoding="utf-8") for p in listed]
    # Each rotate links one version into hourly and daily (the 4th: hourly only, same day as the 2nd).
    assert contents == [
        '{"v": "2"}',
        '{"v": "1"}',
        '{"v": "1"}',
        '{"v": "0"}',
        '{"v": "0"}',
        '{"v": "start"}',
        '{"v": "start"}',
    ]


def test_backups_named_before_numbering_are_still_found_and_rotate_out_first(tmp_path: Path) -> None:
    path = data_file(tmp_path)
    path.write_text('{"v": "now"}', encoding="utf-8")
    hourly = tmp_path / "backups" / "hourly"
    hourly.mkdir(parents=True)
    for hour in range(24):
        (hourly / f"{FLAT}.20260302{hour:02d}").write_text('{"v": "old"}', encoding="utf-8")
    for day in range(3, 28):
        (hourly / f"{FLAT}.202603{day:02d}00").write_text('{"v": "old"}', encoding="utf-8")
    assert len(list(hourly.iterdir())) == 49
    old_newest = hourly / f"{FLAT}.2026032700"
    assert backups.versions_of(tmp_path, path)[0] == old_newest
    assert backups.original_path(tmp_path, old_newest) == path
    backups.rotate(tmp_path, path, BACK_IN_2025)
    names = [p.name for p in kept(tmp_path)]
    assert len(names) == 48 and f"{FLAT}.000001-2025030109" in names
    assert f"{FLAT}.2026030200" not in names and f"{FLAT}.2026030201" not in names, "the two oldest went"
    assert backups.versions_of(tmp_path, path)[0].name.startswith(f"{FLAT}.000002-")  # the daily one


def test_saves_with_the_clock_set_back_keep_their_backups(tmp_path: Path) -> None:
    """Through the store: 48 hourly backups from a year ahead, then saves at the right time."""
    site = new_site(tmp_path / "data", BACK_IN_2025)
    number = site.cases.open(site.operator, BACK_IN_2025, "dibao", "城关村", "王某某").number
    path = site.root / "cases" / "城关村" / "2025.json"
    for hour in range(48):  # made while the clock ran a year ahead
        backups.rotate(site.root, path, IN_2026 + dt.timedelta(hours=hour))
    assert len(kept(site.root)) == 48
    for hour in range(1, 4):
        fresh = Site(site.root, environ={})
        rev = fresh.cases.get(number).rev
        fresh.cases.save_progress(
            fresh.operator, BACK_IN_2025 + dt.timedelta(hours=hour), number, rev, note=f"第{hour}次"
        )
    hourly = kept(site.root)
    assert len(hourly) == 48
    made = [p for p in hourly if "-2025" in p.name]
    assert len(made) == 3 and all(p.exists() for p in made)
    last = backups.versions_of(site.root, path)[0]
    assert last in made and "第2次" in last.read_text(encoding="utf-8")
