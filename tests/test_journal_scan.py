"""The journal scan checks each line as written (its bytes without the hash hash to the hash)
and serialises an entry again only when a line is not in the form cunwu writes: both ways
give the same verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from store import journal
from store.journal import Journal, canonical, scan

ENTRY = {
    "ts": "2026-11-27T09:30:00+08:00",
    "os_user": "clerk",
    "operator": "clerk",
    "ssh": "",
    "action": "case.open",
    "digest": "0" * 64,
    "txn": "t1",
}


def written(tmp_path: Path, details: list[object]) -> Path:
    path = tmp_path / "journal.jsonl"
    Journal(path).append(
        [{**ENTRY, "target": f"case:城关村-2026-BJ{i:04d}", "detail": d} for i, d in enumerate(details)]
    )
    return path


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def test_lines_as_written_are_checked_without_serialising_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = written(tmp_path, [{"subject": "王某某低保申请"}, None, {"n": 3}])
    again: list[object] = []
    monkeypatch.setattr(journal, "entry_hash", lambda entry: again.append(entry) or "")
    entries, broken = scan(path)
    assert broken is None and len(entries) == 3
    assert again == [], "every line was checked as written"


def test_a_line_written_otherwise_is_checked_the_long_way(tmp_path: Path) -> None:
    path = written(tmp_path, [{"a": 1}, {"b": 2}])
    first, second = lines(path)
    spaced = json.dumps(json.loads(first), ensure_ascii=False, indent=1).replace("\n", " ").encode()
    path.write_bytes(spaced + b"\n" + second + b"\n")
    entries, broken = scan(path)
    assert broken is None and len(entries) == 2, "the same entry, spaced: its canonical form still hashes"


def test_a_detail_holding_a_hash_key_is_checked_the_long_way(tmp_path: Path) -> None:
    path = written(tmp_path, [{"hash": "abc", "zzz": {"hash": "def"}}])
    entries, broken = scan(path)
    assert broken is None and entries[0]["detail"]["hash"] == "abc"


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.update(action="case.delete"),
        lambda e: e["detail"].update(subject="李某某低保申请"),
        lambda e: e.update(hash="f" * 64),
    ],
)
def test_a_changed_line_is_a_modified_entry_either_way(tmp_path: Path, change: object) -> None:
    path = written(tmp_path, [{"subject": "王某某低保申请"}, {"n": 1}])
    first, second = lines(path)
    entry = orjson.loads(first)
    change(entry)  # type: ignore[operator]
    for raw in (canonical(entry), json.dumps(entry, ensure_ascii=False, indent=1).replace("\n", " ").encode()):
        path.write_bytes(raw + b"\n" + second + b"\n")
        entries, broken = scan(path)
        assert broken is not None and (broken.kind, broken.line) == ("modified_entry", 1), raw
        assert entries == []


def test_a_line_with_its_hash_made_over_other_bytes_is_refused(tmp_path: Path) -> None:
    """Bytes that are not the entry's JSON (a second hash member) cannot carry it through."""
    path = written(tmp_path, [{"n": 1}])
    (entry,) = [orjson.loads(raw) for raw in lines(path)]
    body = {k: v for k, v in entry.items() if k != "hash"}
    forged = canonical(body)[:-1] + b',"hash":"' + entry["hash"].encode() + b'","hash":"' + b"0" * 64 + b'"}'
    path.write_bytes(forged + b"\n")
    _, broken = scan(path)
    assert broken is not None and broken.kind == "modified_entry"


def test_the_chain_is_still_checked(tmp_path: Path) -> None:
    path = written(tmp_path, [{"n": 1}, {"n": 2}, {"n": 3}])
    first, _, third = lines(path)
    path.write_bytes(first + b"\n" + third + b"\n")
    _, broken = scan(path)
    assert broken is not None and broken.kind == "seq_gap"
