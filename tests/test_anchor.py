"""The anchored chain head: a journal rewritten with correct hashes, or cut short, no longer matches it."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store import anchor as anchor_mod
from store.anchor import AnchorError
from store.journal import digest, entry_hash
from store.site import Site
from store.verify import verify
from tests.accounts import CADRE, CADRE_SOUTH, env, register
from tests.sites import NOW, new_site
from tui.cli import EXIT_DATA, app

runner = CliRunner()


@pytest.fixture
def anchor_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "anchor" / "head.json"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(path))
    return path


def journal(site: Site) -> list[dict[str, object]]:
    return [json.loads(line) for line in site.store.journal.path.read_text("utf-8").splitlines()]


def write_journal(site: Site, entries: list[dict[str, object]]) -> None:
    site.store.journal.path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), "utf-8")


def rechain(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """What an attacker who can write the journal does: recompute every prev and hash."""
    prev = "0" * 64
    out = []
    for entry in entries:
        full = {**entry, "prev": prev}
        full["hash"] = entry_hash(full)
        out.append(full)
        prev = str(full["hash"])
    return out


def with_cases(root: Path, count: int = 3) -> tuple[Site, list[str]]:
    site = new_site(root)
    numbers = [site.cases.open(site.operator, NOW, "dibao", "城关村", f"王某{i}低保申请").number for i in range(count)]
    return site, numbers


def test_every_commit_moves_the_anchor_to_the_journal_head(tmp_path: Path, anchor_file: Path) -> None:
    site, _ = with_cases(tmp_path / "data")
    last = journal(site)[-1]
    stored = json.loads(anchor_file.read_text("utf-8"))
    assert (stored["seq"], stored["hash"]) == (last["seq"], last["hash"])
    assert stored["data"] == str((tmp_path / "data").resolve())
    assert anchor_file.stat().st_mode & 0o777 == 0o600
    report = verify(site.store, site.records())
    assert report.ok, report.problems
    assert report.anchor.status == "ok"
    assert report.anchor.anchor is not None and report.anchor.anchor.seq == last["seq"]


def test_a_journal_rewritten_with_correct_hashes_passes_the_chain_but_not_the_anchor(
    tmp_path: Path, anchor_file: Path
) -> None:
    site, numbers = with_cases(tmp_path / "data")
    # The attacker edits a case in its data file with a text editor ...
    partition = site.store.partition("城关村", NOW.year)
    data = json.loads(partition.path.read_text("utf-8"))
    case = next(c for c in data["cases"].values() if c["number"] == numbers[0])
    case["subject"] = "李某低保申请"
    partition.path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    # ... then makes the journal agree: the record's digest, and every hash from there on.
    entries = journal(site)
    target = f"case:{numbers[0]}"
    for entry in entries:
        if entry["target"] == target:
            entry["digest"] = digest(case)
    write_journal(site, rechain(entries))

    again = Site(tmp_path / "data", environ={})
    report = verify(again.store, again.records())
    assert report.entries == len(entries)  # the chain itself is whole
    assert report.anchor.status == "anchor_mismatch"
    assert len(report.problems) == 1, report.problems
    anchored = json.loads(anchor_file.read_text("utf-8"))
    message = report.problems[0]
    assert "anchor_mismatch" in message and f"序号 {anchored['seq']}" in message
    assert anchored["hash"] == entries[-1]["hash"] and anchored["hash"][:16] in message
    assert str(rechain(entries)[-1]["hash"])[:16] in message  # what the journal has there now


def test_a_truncated_journal_is_detected(tmp_path: Path, anchor_file: Path) -> None:
    site, _ = with_cases(tmp_path / "data")
    entries = journal(site)
    write_journal(site, entries[:-2])  # a clean cut: the remaining chain is whole
    report = verify(site.store, site.records())
    assert report.anchor.status == "anchor_mismatch"
    assert report.anchor.journal_hash is None
    assert any(f"只有 {len(entries) - 2} 条" in p for p in report.problems), report.problems


def test_an_older_copy_of_the_anchor_still_matches_a_journal_that_only_grew(tmp_path: Path, anchor_file: Path) -> None:
    site, _ = with_cases(tmp_path / "data", 1)
    copy = tmp_path / "copy-of-anchor.json"
    shutil.copy(anchor_file, copy)
    site.cases.open(site.operator, NOW, "dibao", "城关村", "赵某低保申请")
    report = verify(site.store, site.records(), copy)
    assert report.ok and report.anchor.status == "ok" and report.anchor.path == copy
    # The live anchor moved on; a rewrite of everything (live anchor included) is still caught by the copy.
    entries = journal(site)
    entries[1]["ts"] = "2026-11-27T08:00:00+08:00"
    write_journal(site, rechain(entries))
    anchor_mod.write(anchor_file, site.root, journal(site)[-1])
    assert verify(site.store, site.records()).ok
    assert verify(site.store, site.records(), copy).anchor.status == "anchor_mismatch"


def test_without_an_anchor_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)
    site, _ = with_cases(tmp_path / "data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    report = verify(site.store, site.records())
    assert report.ok and report.anchor.status == "off" and report.anchor.path is None
    entries = journal(site)
    write_journal(site, entries[:-1])
    assert verify(site.store, site.records()).anchor.status == "off"


def test_the_settings_key_names_the_anchor_and_init_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)
    root = tmp_path / "data"
    root.mkdir()
    head = tmp_path / "anchor" / "head.json"
    (root / "settings.toml").write_text(f'anchor = "{head}"\n', "utf-8")
    site, _ = with_cases(root, 1)
    assert site.settings.anchor == str(head)
    assert json.loads(head.read_text("utf-8"))["seq"] == journal(site)[-1]["seq"]
    assert f'anchor = "{head}"' in (root / "settings.toml").read_text("utf-8")
    assert verify(site.store, site.records()).anchor.status == "ok"
    # The environment wins over the settings (the shared-server launcher sets it).
    other = tmp_path / "elsewhere.json"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(other))
    assert anchor_mod.location(root) == other


def test_a_missing_anchor_is_a_note_and_a_damaged_one_a_problem(tmp_path: Path, anchor_file: Path) -> None:
    site, _ = with_cases(tmp_path / "data", 1)
    anchor_file.unlink()
    report = verify(site.store, site.records())
    assert report.ok and report.anchor.status == "missing"
    anchor_file.write_text("{not json", "utf-8")
    report = verify(site.store, site.records())
    assert report.anchor.status == "unreadable" and not report.ok
    assert str(anchor_file) in report.problems[0]


def test_an_anchor_that_cannot_be_written_says_the_save_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(blocker / "head.json"))
    with pytest.raises(AnchorError, match="已保存") as caught:
        new_site(tmp_path / "data")
    assert "锚点文件" in str(caught.value)
    monkeypatch.delenv(anchor_mod.ENV_VAR)
    again = Site(tmp_path / "data", environ={})
    assert again.settings.township == "沁河镇"
    assert verify(again.store, again.records()).ok


def test_cli_verify_reports_the_anchor(tmp_path: Path, anchor_file: Path) -> None:
    site, _ = with_cases(tmp_path / "data", 1)
    data = ["--data", str(site.root)]
    result = runner.invoke(app, [*data, "verify", "--json"])
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)["anchor"]
    assert reported["status"] == "ok" and reported["path"] == str(anchor_file)
    assert reported["seq"] == journal(site)[-1]["seq"] and reported["hash"] == journal(site)[-1]["hash"]
    result = runner.invoke(app, [*data, "verify"])
    assert "与日志相符" in result.stdout

    write_journal(site, journal(site)[:-1])
    result = runner.invoke(app, [*data, "verify"])
    assert result.exit_code == EXIT_DATA
    assert "anchor_mismatch" in result.stdout
    result = runner.invoke(app, [*data, "verify", "--anchor", str(tmp_path / "no-such.json")])
    assert result.exit_code == 2 and "不存在" in result.stderr


# ------------------------------------------------------------------- --anchor on the shared server


def test_verify_reads_an_anchor_copy_from_standard_input(
    tmp_path: Path, anchor_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, _ = with_cases(tmp_path / "data", 2)
    copy = anchor_file.read_bytes()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    data = ["--data", str(site.root)]
    result = runner.invoke(app, [*data, "verify", "--anchor", "-", "--json"], input=copy)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["anchor"]["status"] == "ok"
    assert list((tmp_path / "tmp").iterdir()) == []  # the copy's temporary file is gone
    write_journal(site, journal(site)[:-1])
    result = runner.invoke(app, [*data, "verify", "--anchor", "-"], input=copy)
    assert result.exit_code == EXIT_DATA and "anchor_mismatch" in result.stdout
    for junk, why in ((b"", "无效"), (b"not json", "无效"), (b'{"seq": 1}', "hash"), (bytes(65 * 1024), "KiB")):
        result = runner.invoke(app, [*data, "verify", "--anchor", "-"], input=junk)
        assert result.exit_code == 2 and why in result.stderr and "Traceback" not in result.output, result.output


def test_in_shared_mode_verify_opens_no_anchor_path_a_person_names(tmp_path: Path, anchor_file: Path) -> None:
    """A 城关村 cadre learned which 南石村 documents others exported, and which years have data,
    from ``--anchor /srv/cunwu/…``: "无法读取 utf-8" for a file that exists, "不存在" for one that
    does not. Now every path is refused alike, before anything is opened."""
    site, _ = with_cases(tmp_path / "data")
    register(site.root)
    (site.root / "exports" / CADRE_SOUTH).mkdir(parents=True)
    exported = site.root / "exports" / CADRE_SOUTH / "20261127_归档卷宗_南石村-2026-0001.docx"
    exported.write_bytes(b"PK\x03\x04 not utf-8 \xff")
    probes = [
        exported,
        exported.with_name("20261127_归档卷宗_南石村-2026-0002.docx"),
        site.root / "cases" / "城关村" / "2026.json",
        site.root / "cases" / "城关村" / "2025.json",
        tmp_path / ("a" * 300),
    ]
    answers = set()
    for probe in probes:
        result = runner.invoke(app, ["--data", str(site.root), "verify", "--anchor", str(probe)], env=env(CADRE))
        assert result.exit_code == 1 and "--anchor 只能写 -" in result.stderr, result.output
        assert "Traceback" not in result.output and result.stdout == ""
        answers.add(result.stderr.replace(str(probe), "PATH"))
    assert len(answers) == 1, answers  # the same answer whatever the path
    result = runner.invoke(
        app,
        ["--data", str(site.root), "verify", "--anchor", "-", "--json"],
        env=env(CADRE),
        input=anchor_file.read_bytes(),
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["anchor"]["status"] == "ok", result.output


def test_outside_shared_mode_an_anchor_path_the_system_refuses_is_refused_in_chinese(
    tmp_path: Path, anchor_file: Path
) -> None:
    site, _ = with_cases(tmp_path / "data", 1)
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"x")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for path, why in (
        (tmp_path / ("a" * 300), "文件名或路径太长"),
        (a_file / "x", "不是文件夹"),
        (loop / "x", "符号链接"),
        (tmp_path, "不是普通文件"),
        (Path("~no-such-user-here/head.json"), "用户主目录"),
    ):
        result = runner.invoke(app, ["--data", str(site.root), "verify", "--anchor", str(path)])
        assert result.exit_code == 2 and why in result.stderr and "Traceback" not in result.output, result.output
    result = runner.invoke(app, ["--data", str(site.root), "verify", "--anchor", str(anchor_file)])
    assert result.exit_code == 0, result.output
