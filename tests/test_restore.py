"""cunwu restore trusts nothing in an archive: only a 管理员, only what cunwu backup made of this
data directory (its chain a prefix of the current one, or ending at the anchor when the
directory was lost), every record matching its journal, the size bounded; all or nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from store import anchor as anchor_mod
from store import archive, restore_commit
from store import restore as restore_mod
from store.errors import BadInput, DataDamaged, Refused
from store.journal import digest, entry_hash
from store.resources import ResourceProblem
from store.site import Site
from store.verify import verify
from tests.accounts import CADRE, STAFF, STRANGER, SUPERVISOR, TOWNSHIP, env, open_as, register
from tests.sites import NOW, new_site
from tui import cli_common
from tui.cli import app

runner = CliRunner()
LATER = NOW + dt.timedelta(hours=2)
PARTITION = "cases/城关村/2026.json"


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under the data directory (the lock aside) by its digest: nothing written means equal."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def journal(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "journal.jsonl").read_text("utf-8").splitlines()]


def verified(root: Path, anchor_file: Path | None = None) -> list[str]:
    fresh = Site(root, environ={})
    return verify(fresh.store, fresh.records(), anchor_file).problems


@pytest.fixture(autouse=True)
def no_anchor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A data directory with three cases; its 管理员 is the account running the tests."""
    s = new_site(tmp_path / "data")
    for subject in ("王某某", "李某某"):
        s.cases.open(s.operator, NOW, "dibao", "城关村", subject)
    s.cases.open(s.operator, NOW, "xinfang", "南石村", "张某来访")
    return s


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def write_archive(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
    return path


def forged(source: Path, target: Path, edit: Callable[[dict[str, bytes]], object]) -> Path:
    """A genuine archive, unpacked, edited and packed again (what anyone with a text editor can do)."""
    files = members(source)
    edit(files)
    return write_archive(target, files)


def rechain(entries: list[dict[str, Any]]) -> bytes:
    prev = "0" * 64
    lines = []
    for entry in entries:
        full = {**entry, "prev": prev}
        full["hash"] = entry_hash(full)
        lines.append(json.dumps(full, ensure_ascii=False))
        prev = full["hash"]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def changed_since_backup(site: Site, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A backup, then a case added and one changed: what restoring it must undo."""
    path = archive.backup(site, NOW, tmp_path / "older.tar.gz")
    added = site.cases.open(site.operator, LATER, "dibao", "城关村", "备份后新增").number
    changed = "城关村-2026-0001"
    site.cases.complete_step(site.operator, LATER, changed)
    return path, {"added": added, "changed": changed}


# ------------------------------------------------------------------------------- genuine restores


def test_a_genuine_older_backup_restores_is_journaled_and_verifies(site: Site, tmp_path: Path) -> None:
    path, numbers = changed_since_backup(site, tmp_path)
    old_record = members(path)[PARTITION]
    before_journal = (site.root / "journal.jsonl").read_bytes()
    before_record = site.cases.get(numbers["changed"]).record
    plan = restore_mod.restore(site, LATER, path)
    assert plan.removed == [f"case:{numbers['added']}"] and plan.changed == [f"case:{numbers['changed']}"]
    restored_file = json.loads((site.root / PARTITION).read_bytes())
    archived_file = json.loads(old_record)
    assert restored_file["cases"] == archived_file["cases"]  # the records as they were
    # ...but the counter stays past the case the restore removed: its number is never given again.
    assert restored_file["_meta"]["1"]["next_case"] == archived_file["_meta"]["1"]["next_case"] + 1
    fresh = Site(site.root, environ={})
    assert len(fresh.cases.all()) == 3 and fresh.cases.get(numbers["changed"]).record["current"] == "apply"
    # The journal is never rolled back: the old one is a prefix of the new one.
    after_journal = (site.root / "journal.jsonl").read_bytes()
    assert after_journal.startswith(before_journal)
    entries = journal(site.root)
    restored = {e["target"]: e for e in entries if e["action"] == "restored"}
    assert set(restored) == {f"case:{numbers['added']}", f"case:{numbers['changed']}"}
    changed = restored[f"case:{numbers['changed']}"]
    assert changed["detail"]["from"] == "older.tar.gz" and changed["detail"]["before"] == digest(before_record)
    assert changed["detail"]["after"] == changed["digest"] == digest(fresh.cases.get(numbers["changed"]).record)
    assert restored[f"case:{numbers['added']}"]["digest"] is None
    assert entries[-1]["action"] == "restore" and entries[-1]["detail"]["changed"] == 1
    assert verified(site.root) == []
    # What was replaced is kept.
    kept = list((site.root / "backups" / "pre-restore").glob("cases__城关村__2026.json.*"))
    assert len(kept) == 1 and b"\xe5\xa4\x87\xe4\xbb\xbd\xe5\x90\x8e\xe6\x96\xb0\xe5\xa2\x9e" in kept[0].read_bytes()
    assert not (site.root / restore_commit.MANIFEST).exists()
    assert not list(site.root.rglob(f"{restore_commit.STAGED}*"))
    again = fresh.cases.open(fresh.operator, LATER, "dibao", "城关村", "恢复之后新办")
    assert again.number > numbers["added"]


def test_the_newest_backup_changes_nothing(site: Site, tmp_path: Path) -> None:
    path = archive.backup(site, NOW, tmp_path / "now.tar.gz")
    assert journal(site.root)[-1]["action"] == "backup"
    before = fingerprint(site.root)
    plan = restore_mod.restore(site, LATER, path)
    assert plan.empty and fingerprint(site.root) == before


def test_data_files_not_in_the_archive_are_moved_aside(site: Site, tmp_path: Path) -> None:
    path = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    next_year = dt.datetime(2027, 1, 5, 9, tzinfo=NOW.tzinfo)
    site.cases.open(site.operator, next_year, "dibao", "南石村", "次年新增")
    newer = site.root / "cases" / "南石村" / "2027.json"
    assert newer.exists()
    plan = restore_mod.restore(site, next_year, path)
    assert plan.removed == ["case:南石村-2027-0001"] and "cases/南石村/2027.json" in plan.writes
    # The file keeps only its counters: no record, and 南石村-2027-0001 is never given again.
    assert json.loads(newer.read_bytes()) == {"_meta": {"1": {"schema_version": 1, "next_case": 2}}}
    assert list((site.root / "backups" / "pre-restore").glob("cases__南石村__2027.json.*"))
    assert verified(site.root) == []
    fresh = Site(site.root, environ={})
    assert fresh.cases.all() and fresh.cases.open(fresh.operator, next_year, "dibao", "南石村", "再办").number == (
        "南石村-2027-0002"
    )


def test_dry_run_lists_what_changes_and_writes_nothing(site: Site, tmp_path: Path) -> None:
    path, numbers = changed_since_backup(site, tmp_path)
    site.init(LATER, None, ["北村"], staff=[f"{TOWNSHIP}=包村干部:乡镇"])
    before = fingerprint(site.root)
    plan = restore_mod.restore(site, LATER, path, dry_run=True)
    assert fingerprint(site.root) == before
    text = "\n".join(plan.lines())
    assert f"删除记录 1 条：{numbers['added']}" in text and f"改动记录 1 条：{numbers['changed']}" in text
    assert "设置：" in text and f"删除人员 {TOWNSHIP}" in text
    code, out, err = cli("restore", str(path), "--dry-run", data=site.root)
    assert code == 0, err
    assert "试运行" in out and numbers["added"] in out and numbers["changed"] in out and f"删除人员 {TOWNSHIP}" in out
    assert fingerprint(site.root) == before


# -------------------------------------------------------------------------------- forged archives


def edit_subject(files: dict[str, bytes]) -> None:
    files[PARTITION] = files[PARTITION].replace("王某某".encode(), "王某甲".encode())


def test_an_archive_with_one_record_edited_is_refused(site: Site, tmp_path: Path) -> None:
    bad = forged(archive.backup(site, NOW, tmp_path / "b.tar.gz"), tmp_path / "forged.tar.gz", edit_subject)
    before = fingerprint(site.root)
    with pytest.raises(DataDamaged, match="城关村-2026-0001 与备份中日志最后记录的内容不符"):
        restore_mod.restore(site, LATER, bad)
    with pytest.raises(DataDamaged):
        restore_mod.restore(site, LATER, bad, dry_run=True)
    assert fingerprint(site.root) == before


def test_an_archive_whose_journal_was_rewritten_with_new_hashes_is_refused(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")

    def rewrite(files: dict[str, bytes]) -> None:
        edit_subject(files)
        record = next(r for r in json.loads(files[PARTITION])["cases"].values() if r["seq"] == 1)
        entries = [json.loads(line) for line in files["journal.jsonl"].splitlines()]
        for entry in entries:
            if entry["target"] == "case:城关村-2026-0001":
                entry["digest"] = digest(record)
        files["journal.jsonl"] = rechain(entries)

    bad = forged(genuine, tmp_path / "rewritten.tar.gz", rewrite)
    before = fingerprint(site.root)
    with pytest.raises(DataDamaged, match="与当前日志不同"):
        restore_mod.restore(site, LATER, bad)
    assert fingerprint(site.root) == before

    def extend(files: dict[str, bytes]) -> None:
        # A forged last entry, chained correctly, that "blesses" an edited record.
        edit_subject(files)
        record = next(r for r in json.loads(files[PARTITION])["cases"].values() if r["seq"] == 1)
        entries = [json.loads(line) for line in files["journal.jsonl"].splitlines()]
        entries.append({**entries[-1], "seq": entries[-1]["seq"] + 1, "target": "case:城关村-2026-0001"})
        entries[-1].update(action="case.edit", digest=digest(record))
        files["journal.jsonl"] = rechain(entries)

    site.cases.open(site.operator, LATER, "dibao", "城关村", "之后又办")
    before = fingerprint(site.root)
    with pytest.raises(DataDamaged, match="与当前日志不同"):
        restore_mod.restore(site, LATER, forged(genuine, tmp_path / "extended.tar.gz", extend))
    assert fingerprint(site.root) == before


def test_a_backup_of_another_data_directory_is_refused(site: Site, tmp_path: Path) -> None:
    other = new_site(tmp_path / "other")
    path = archive.backup(other, NOW, tmp_path / "other.tar.gz")
    before = fingerprint(site.root)
    with pytest.raises(DataDamaged, match="不是本数据目录"):
        restore_mod.restore(site, LATER, path)
    assert fingerprint(site.root) == before


def test_malformed_or_edited_settings_in_an_archive_are_refused(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    settings = members(genuine)["settings.toml"]
    before = fingerprint(site.root)
    variants: dict[str, tuple[bytes | None, str]] = {
        "not TOML": (b"township = \n[[[", "TOML 格式错误"),
        "a role that does not exist": (settings + b'\n[staff.x]\nrole = "x"\n', "角色“x”无效"),
        "valid but edited": (settings.replace("沁河镇".encode(), "沁源镇".encode()), "设置 与备份中日志最后记录"),
        "missing": (None, "缺少设置文件"),
    }
    for number, (what, (content, match)) in enumerate(variants.items()):

        def edit(files: dict[str, bytes], content: bytes | None = content) -> None:
            if content is None:
                del files["settings.toml"]
            else:
                files["settings.toml"] = content

        bad = forged(genuine, tmp_path / f"settings-{number}.tar.gz", edit)
        with pytest.raises(DataDamaged, match=match):
            restore_mod.restore(site, LATER, bad)
        assert fingerprint(site.root) == before, what


def test_records_the_journal_names_must_all_be_in_the_archive(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    bad = forged(genuine, tmp_path / "less.tar.gz", lambda f: f.pop("cases/南石村/2026.json"))
    with pytest.raises(DataDamaged, match=r"南石村-2026-0001.*备份中却没有"):
        restore_mod.restore(site, LATER, bad)


def test_archives_with_other_kinds_of_members_are_refused(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    files = members(genuine)
    before = fingerprint(site.root)
    cases: dict[str, tuple[Callable[[tarfile.TarFile], None], str]] = {
        "a symlink": (lambda t: t.addfile(_info("cases/城关村/2027.json", tarfile.SYMTYPE, "/etc/passwd")), "普通文件"),
        "a folder": (lambda t: t.addfile(_info("cases/北村", tarfile.DIRTYPE)), "普通文件"),
        "another name": (lambda t: _add(t, "../../etc/cron.d/x", b"x"), "不应有的文件"),
        "a duplicate": (lambda t: _add(t, "journal.jsonl", files["journal.jsonl"]), "不止一次"),
    }
    for what, (extra, match) in cases.items():
        path = tmp_path / f"{len(what)}-{what[0:2]}.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for name, data in files.items():
                _add(tar, name, data)
            extra(tar)
        with pytest.raises(DataDamaged, match=match):
            restore_mod.restore(site, LATER, path)
        assert fingerprint(site.root) == before, what


def _info(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def bomb(path: Path, kind: bytes = tarfile.REGTYPE, size: int = 1 << 30) -> Path:
    """A ~1 MB .tar.gz whose one member unpacks to ``size`` bytes of zeros: gzip members of 1 MiB
    of zeros (about 1 KB each) repeated, after the member's tar header."""
    info = tarfile.TarInfo("cases/x/2026.json")
    info.size, info.type = size, kind
    zeros = gzip.compress(bytes(1 << 20), compresslevel=9)
    with path.open("wb") as fh:
        fh.write(gzip.compress(info.tobuf(format=tarfile.USTAR_FORMAT)))
        for _ in range(size >> 20):
            fh.write(zeros)
        fh.write(gzip.compress(bytes(1024)))
    return path


@pytest.mark.parametrize("kind", [tarfile.REGTYPE, tarfile.XHDTYPE])
def test_a_gzip_bomb_is_refused_quickly_without_big_memory(site: Site, tmp_path: Path, kind: bytes) -> None:
    path = bomb(tmp_path / "bomb.tar.gz", kind)
    assert path.stat().st_size < 2 * 1024 * 1024
    before = fingerprint(site.root)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(DataDamaged, match=r"上限|扩展头"):
            restore_mod.restore(site, LATER, path)
        took = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert took < 2.0 and peak < 16 * 1024 * 1024, (took, peak)
    assert fingerprint(site.root) == before


def test_the_bound_follows_the_data_directory(site: Site, tmp_path: Path) -> None:
    assert archive.limit(site.root) == archive.LIMIT_FLOOR
    big = bomb(tmp_path / "b.tar.gz", size=archive.LIMIT_FLOOR + (1 << 20))
    with pytest.raises(DataDamaged, match="上限 256 MiB"):
        restore_mod.restore(site, LATER, big, dry_run=True)


# ------------------------------------------------------------------------------------------ who


@pytest.mark.parametrize("account", [CADRE, TOWNSHIP, SUPERVISOR, STRANGER])
def test_only_a_manager_restores_checked_before_the_archive_is_read(site: Site, tmp_path: Path, account: str) -> None:
    register(site.root)
    path = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    site.cases.open(site.operator, LATER, "dibao", "城关村", "之后")
    other = open_as(site.root, account)
    before = fingerprint(site.root)
    for source in (path, tmp_path / "does-not-exist.tar.gz", bomb(tmp_path / "bomb.tar.gz", size=8 << 20)):
        with pytest.raises(Refused, match=r"只有管理员可以恢复备份|不在本数据目录的人员名单中"):
            restore_mod.restore(other, LATER, source)
        with pytest.raises(Refused):
            restore_mod.restore(other, LATER, source, dry_run=True)
    code, _, err = cli("restore", str(path), "--yes", data=site.root, environ=env(account))
    assert code == 1 and ("只有管理员" in err or "人员名单" in err), err
    assert fingerprint(site.root) == before


# ----------------------------------------------------------------------------- a lost directory


def lose(root: Path) -> None:
    """The disk died: nothing left of the data directory."""
    shutil.rmtree(root)
    root.mkdir(mode=0o700)


def test_a_lost_directory_comes_back_from_the_backup_that_ends_at_the_anchor(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = tmp_path / "anchor" / "head.json"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(head))
    site.cases.open(site.operator, NOW, "dibao", "城关村", "锚点之后")
    older = archive.backup(site, NOW, tmp_path / "older.tar.gz")
    copy = tmp_path / "anchor-copy.json"
    shutil.copy(head, copy)  # the head right after the older backup (its own entry)
    site.cases.open(site.operator, LATER, "dibao", "南石村", "再之后")
    newest = archive.backup(site, LATER, tmp_path / "newest.tar.gz")
    journal_before = (site.root / "journal.jsonl").read_bytes()
    lose(site.root)
    lost = Site(site.root, environ={})
    assert lost.operator.role == "管理员"  # the machine's owner, no settings left
    with pytest.raises(DataDamaged, match="正好结束于锚点记录的链头"):
        restore_mod.restore(lost, LATER, older)
    assert fingerprint(site.root) == {}
    plan = restore_mod.restore(lost, LATER, newest)
    assert plan.lost and "已与锚点" in plan.anchor_note
    assert (site.root / "journal.jsonl").read_bytes().startswith(journal_before)
    assert verified(site.root) == []
    assert len(Site(site.root, environ={}).cases.all()) == 5
    # The anchor moved on to the restore's own entries.
    assert json.loads(head.read_text("utf-8"))["hash"] == journal(site.root)[-1]["hash"]

    # An older backup with a copy of the anchor taken at its time: allowed, but the journal (and
    # so verify, for the committee) says the live anchor named a later head whose entries are lost.
    live = json.loads(head.read_text("utf-8"))
    lose(site.root)
    plan = restore_mod.restore(Site(site.root, environ={}), LATER, older, anchor_file=copy)
    assert plan.lost and str(copy) in plan.anchor_note
    lost_note = f"注意：当前锚点 {head} 记录的是序号 {live['seq']}"
    assert lost_note in plan.anchor_note and "其后的日志已丢失" in plan.anchor_note
    assert verified(site.root) == [] and len(Site(site.root, environ={}).cases.all()) == 4
    [shown] = [c for c in Site(site.root, environ={}).verify().changes if c.kind == "恢复"][-1:]
    assert any(lost_note in line for line in shown.changes)


def test_a_lost_directory_without_an_anchor_is_restored_and_says_so(site: Site, tmp_path: Path) -> None:
    path = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    lose(site.root)
    code, out, err = cli("restore", str(path), "--yes", data=site.root)
    assert code == 0, err
    assert "没有配置锚点" in out
    last = journal(site.root)[-1]
    assert last["action"] == "restore" and "没有配置锚点" in last["detail"]["anchor"]
    assert verified(site.root) == []
    # A forged archive is still refused on a lost directory: its own chain and records are checked.
    bad = forged(path, tmp_path / "forged.tar.gz", edit_subject)
    lose(site.root)
    with pytest.raises(DataDamaged, match="与备份中日志最后记录的内容不符"):
        restore_mod.restore(Site(site.root, environ={}), LATER, bad)
    assert fingerprint(site.root) == {}


# --------------------------------------------------------------------------- crash part-way


class Crash(BaseException):
    """A process killed on the spot (not an ordinary error that cleans up after itself)."""


def test_a_crash_after_journaling_is_finished_by_the_next_transaction(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, numbers = changed_since_backup(site, tmp_path)
    site.init(LATER, None, [], staff=[f"{TOWNSHIP}=包村干部:乡镇"])  # the settings file changes too
    calls = []

    def dies_on_the_second(root: Path, target: Path, aside: Path, dir_mode: int) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise Crash
        keep(root, target, aside, dir_mode)

    keep = restore_commit._keep
    monkeypatch.setattr(restore_commit, "_keep", dies_on_the_second)
    with pytest.raises(Crash):
        restore_mod.restore(site, LATER, path)
    monkeypatch.setattr(restore_commit, "_keep", keep)
    assert (site.root / restore_commit.MANIFEST).exists()
    assert journal(site.root)[-1]["action"] == "restore"  # journaled: the restore is committed
    # One file in place, the other not yet: an interrupted save, a warning, not tampering.
    fresh = Site(site.root, environ={})
    halfway = verify(fresh.store, fresh.records())
    assert halfway.ok and halfway.interrupted, halfway.problems
    # The next save, by anyone, finishes it first.
    fresh = Site(site.root, environ={})
    fresh.cases.open(fresh.operator, LATER, "dibao", "南石村", "下一次保存")
    assert not (site.root / restore_commit.MANIFEST).exists() and not list(site.root.rglob(f"{restore_commit.STAGED}*"))
    assert verified(site.root) == []
    again = Site(site.root, environ={})
    assert TOWNSHIP not in again.settings.staff
    assert [c.number for c in again.cases.all() if c.number == numbers["added"]] == []


def test_a_crash_before_journaling_is_undone_by_the_next_transaction(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = changed_since_backup(site, tmp_path)
    before = fingerprint(site.root)
    journal_before = (site.root / "journal.jsonl").read_bytes()

    write = site.store.journal.write

    def killed(entries: list[dict[str, Any]]) -> None:
        if entries:
            raise Crash
        write(entries)

    with monkeypatch.context() as patched:
        patched.setattr(site.store.journal, "write", killed)
        patched.setattr(restore_commit, "_roll_back", lambda *args: None)  # killed: nothing cleans up
        with pytest.raises(Crash):
            restore_mod.restore(site, LATER, path)
    assert (site.root / restore_commit.MANIFEST).exists() and list(site.root.rglob(f"{restore_commit.STAGED}*"))
    assert (site.root / "journal.jsonl").read_bytes() == journal_before
    fresh = Site(site.root, environ={})
    with fresh.store.transaction(fresh.operator, LATER):
        pass
    assert fingerprint(site.root) == before
    assert verified(site.root) == []


def test_a_failure_while_staging_leaves_nothing_behind(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = changed_since_backup(site, tmp_path)
    before = fingerprint(site.root)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(restore_commit, "_write_new", disk_full)
    with pytest.raises(ResourceProblem, match="恢复没有完成：磁盘已满") as caught:
        restore_mod.restore(site, LATER, path)
    assert "恢复没有进行，数据没有改动" in str(caught.value) and caught.value.exit_code == 3
    assert fingerprint(site.root) == before


# ------------------------------------------------------------------- a single data-file backup


def test_a_rotated_data_file_backup_restores_when_every_record_was_journaled(site: Site) -> None:
    site.cases.complete_step(site.operator, NOW + dt.timedelta(hours=1), "城关村-2026-0001")
    hourly = sorted((site.root / "backups" / "hourly").glob("cases__城关村__2026.json.*"))[-1]
    fresh = Site(site.root, environ={})
    plan = restore_mod.restore(fresh, LATER, hourly)
    assert plan.changed == ["case:城关村-2026-0001"] and plan.files == [PARTITION]
    assert verified(site.root) == []

    forged_copy = site.root / "backups" / "daily" / "cases__城关村__2026.json.20990101"
    forged_copy.write_bytes(hourly.read_bytes().replace("王某某".encode(), "王某甲".encode()))
    before = fingerprint(site.root)
    with pytest.raises(DataDamaged, match="从未记入日志"):
        restore_mod.restore(fresh, LATER, forged_copy)
    elsewhere = site.root.parent / "cases__城关村__2026.json.2026112709"
    shutil.copy(hourly, elsewhere)
    with pytest.raises(BadInput, match="不是本数据目录 backups/"):
        restore_mod.restore(fresh, LATER, elsewhere)
    assert fingerprint(site.root) == before


# ------------------------------------------------------------------------------ from outside


def cli(
    *args: str, data: Path, environ: dict[str, str] | None = None, stdin: bytes | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--data", str(data), *args], env=environ or {"SUDO_USER": "", "SUDO_UID": ""}, input=stdin
    )
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_common, "now", lambda: LATER)


@pytest.mark.skipif(shutil.which("tar") is None, reason="需要 tar 命令")
def test_an_archive_edited_by_hand_with_tar_is_refused_from_the_command_line(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    work = tmp_path / "unpacked"
    work.mkdir()
    subprocess.run(["tar", "-xzf", str(genuine), "-C", str(work)], check=True)
    data = work / PARTITION
    data.write_bytes(data.read_bytes().replace("王某某".encode(), "王某甲".encode()))
    bad = tmp_path / "edited.tar.gz"
    names = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    subprocess.run(["tar", "-czf", str(bad), "-C", str(work), *names], check=True)
    before = fingerprint(site.root)
    for extra in (["--yes"], ["--dry-run"]):
        code, _, err = cli("restore", str(bad), *extra, data=site.root)
        assert code == 3 and "城关村-2026-0001 与备份中日志最后记录的内容不符" in err, err
    # Packed with folders, as people usually do: refused for that already.
    subprocess.run(["tar", "-czf", str(tmp_path / "dirs.tar.gz"), "-C", str(work), "."], check=True)
    code, _, err = cli("restore", str(tmp_path / "dirs.tar.gz"), "--yes", data=site.root)
    assert code == 3 and "普通文件以外" in err, err
    assert fingerprint(site.root) == before
    code, out, _ = cli("verify", data=site.root)
    assert code == 0, out


# ------------------------------------------------------------------------- from standard input


class Endless(io.RawIOBase):
    """Standard input that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        buffer[:size] = bytes(size)
        self.read_bytes += size
        return size


def test_an_archive_on_standard_input_restores_like_a_file(site: Site, tmp_path: Path) -> None:
    """A 管理员 bringing an archive in from outside no longer has to make it world-readable."""
    path, numbers = changed_since_backup(site, tmp_path)
    raw = path.read_bytes()
    path.unlink()
    before = fingerprint(site.root)
    code, out, err = cli("restore", "-", "--dry-run", data=site.root, stdin=raw)
    assert code == 0 and "试运行" in out and numbers["added"] in out and "标准输入" in out, err
    assert fingerprint(site.root) == before
    code, out, err = cli("restore", "-", "--yes", data=site.root, stdin=raw)
    assert code == 0 and "已恢复 标准输入" in out, err
    restored = [e for e in journal(site.root) if e["action"] == "restored"]
    assert {e["detail"]["from"] for e in restored} == {"标准输入"} and len(restored) == 2
    assert verified(site.root) == []
    # Through the API: a stream.
    assert restore_mod.restore(site, LATER, io.BytesIO(raw), dry_run=True).empty


def test_a_forged_or_empty_archive_on_standard_input_is_refused(site: Site, tmp_path: Path) -> None:
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    bad = forged(genuine, tmp_path / "forged.tar.gz", edit_subject).read_bytes()
    before = fingerprint(site.root)
    for extra in (["--yes"], ["--dry-run"]):
        code, _, err = cli("restore", "-", *extra, data=site.root, stdin=bad)
        assert code == 3 and "城关村-2026-0001 与备份中日志最后记录的内容不符" in err, err
    code, _, err = cli("restore", "-", "--yes", data=site.root, stdin=b"")
    assert code == 2 and "标准输入是空的" in err
    code, _, err = cli("restore", "-", "--yes", data=site.root, stdin=b"not a tar.gz")
    assert code == 3 and "已损坏" in err
    code, _, err = cli("restore", "-", "--yes", "--anchor", "-", data=site.root, stdin=genuine.read_bytes())
    assert code == 2 and "标准输入只能读一次" in err
    assert fingerprint(site.root) == before


def test_standard_input_is_read_only_up_to_the_bound(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = 3 * archive.MIB
    monkeypatch.setattr(archive, "limit", lambda root: bound)
    before = fingerprint(site.root)
    endless = Endless()
    with pytest.raises(DataDamaged, match="超过上限 3 MiB"):
        restore_mod.restore(site, LATER, io.BufferedReader(endless), dry_run=True)
    assert bound < endless.read_bytes <= bound + 2 * archive.MIB  # the bound and a little (buffering)
    code, _, err = cli("restore", "-", "--dry-run", data=site.root, stdin=bytes(bound + 1))
    assert code == 3 and "超过上限 3 MiB" in err
    # A gzip bomb on standard input is refused as quickly as from a file.
    monkeypatch.undo()
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)
    raw = bomb(tmp_path / "bomb.tar.gz").read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(DataDamaged, match="上限"):
            restore_mod.restore(site, LATER, io.BytesIO(raw))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
    assert fingerprint(site.root) == before


@pytest.mark.parametrize("account", [TOWNSHIP, CADRE, STRANGER])
def test_standard_input_is_not_read_for_anyone_but_a_manager(site: Site, account: str) -> None:
    register(site.root)
    endless = Endless()
    with pytest.raises(Refused):
        restore_mod.restore(open_as(site.root, account), LATER, io.BufferedReader(endless), dry_run=True)
    assert endless.read_bytes == 0


# ------------------------------------------------------------------------------------ shared mode

STAFF_WITH_ADMIN = (*STAFF, f"{STRANGER}=管理员乙:管理员")
"""Everyone, and a 管理员 who works through the shared-server launcher like the others."""


def test_in_shared_mode_a_path_is_read_only_from_backups_or_ones_own_export_folder(site: Site, tmp_path: Path) -> None:
    """The service account reads a restore's path: only cunwu's own folders, else ``-``."""
    register(site.root, *STAFF_WITH_ADMIN)
    admin = open_as(site.root, STRANGER)
    assert admin.operator.via_sudo and admin.operator.role == "管理员"
    outside = archive.backup(site, NOW, tmp_path / "outside.tar.gz")
    others = archive.backup(open_as(site.root, TOWNSHIP), NOW, site.root / "exports" / TOWNSHIP / "theirs.tar.gz")
    full = archive.backup(site, NOW)
    own = archive.backup(admin, NOW, site.root / "exports" / STRANGER / "mine.tar.gz")
    link = tmp_path / "link.tar.gz"
    link.symlink_to(outside)
    planted = site.root / "exports" / STRANGER / "planted.tar.gz"  # only cunwu writes there; were one to appear
    planted.symlink_to(outside)
    before = fingerprint(site.root)
    for source in (
        outside,
        link,
        planted,
        others,
        site.root / PARTITION,
        tmp_path / "missing.tar.gz",
        tmp_path / ("a" * 300),
    ):
        with pytest.raises(Refused, match="不替你打开"):
            restore_mod.restore(admin, LATER, source, dry_run=True)
        code, _, err = cli("restore", str(source), "--dry-run", data=site.root, environ=env(STRANGER))
        assert code == 1 and "cunwu restore - --dry-run <" in err and "不存在" not in err, err
    assert fingerprint(site.root) == before
    for source in (full, own):
        code, out, err = cli("restore", str(source), "--dry-run", data=site.root, environ=env(STRANGER))
        assert code == 0, err
    code, out, err = cli("restore", "-", "--dry-run", data=site.root, environ=env(STRANGER), stdin=outside.read_bytes())
    assert code == 0 and "标准输入" in out, err
    # A data-file backup under backups/ still restores by path.
    hourly = sorted((site.root / "backups" / "hourly").glob("cases__城关村__2026.json.*"))[-1]
    code, out, err = cli("restore", str(hourly), "--dry-run", data=site.root, environ=env(STRANGER))
    assert code == 0, err


def test_in_shared_mode_an_anchor_copy_comes_only_from_standard_input(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = tmp_path / "anchor" / "head.json"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(head))
    register(site.root, *STAFF_WITH_ADMIN)
    admin = open_as(site.root, STRANGER)
    path = archive.backup(site, NOW)
    copy = tmp_path / "copy.json"
    shutil.copy(head, copy)
    before = fingerprint(site.root)
    with pytest.raises(Refused, match="只能写 -"):
        restore_mod.restore(admin, LATER, path, dry_run=True, anchor_file=copy)
    for anchor in (copy, tmp_path / "missing.json", tmp_path / ("a" * 300)):
        code, _, err = cli(
            "restore", str(path), "--dry-run", "--anchor", str(anchor), data=site.root, environ=env(STRANGER)
        )
        assert code == 1 and "--anchor 只能写 -" in err and "不存在" not in err, err
    code, _, err = cli(
        "restore",
        str(path),
        "--dry-run",
        "--anchor",
        "-",
        data=site.root,
        environ=env(STRANGER),
        stdin=copy.read_bytes(),
    )
    assert code == 0, err
    assert fingerprint(site.root) == before


def test_a_lost_directory_is_checked_against_an_anchor_copy_on_standard_input(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = tmp_path / "anchor" / "head.json"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(head))
    older = archive.backup(site, NOW, tmp_path / "older.tar.gz")
    copy = head.read_bytes()
    site.cases.open(site.operator, LATER, "dibao", "南石村", "再之后")
    lose(site.root)
    # The live anchor moved on: the older backup is refused against it, and against a wrong copy.
    code, _, err = cli("restore", str(older), "--dry-run", data=site.root)
    assert code == 3 and "正好结束于锚点记录的链头" in err, err
    wrong = head.read_bytes()
    code, _, err = cli("restore", str(older), "--dry-run", "--anchor", "-", data=site.root, stdin=wrong)
    assert code == 3 and "标准输入中的锚点副本" in err, err
    for junk in (b"", b"{}", b"\xff", bytes(65 * 1024)):
        code, _, err = cli("restore", str(older), "--yes", "--anchor", "-", data=site.root, stdin=junk)
        assert code == 2 and "锚点副本" in err, err
    assert fingerprint(site.root) == {}
    with pytest.raises(Refused, match="标准输入中的锚点副本无效"):
        restore_mod.restore(Site(site.root, environ={}), LATER, older, anchor_file=b"[]")
    code, out, err = cli("restore", str(older), "--yes", "--anchor", "-", data=site.root, stdin=copy)
    assert code == 0 and "已与标准输入中的锚点副本核对" in out, err
    assert verified(site.root) == []


def test_restore_paths_the_system_refuses_are_refused_in_chinese(site: Site, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"x")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    genuine = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    before = fingerprint(site.root)
    cases = {
        tmp_path / f"{'a' * 300}.tar.gz": "文件名或路径太长",
        a_file / "x.tar.gz": "不是文件夹",
        loop / "x.tar.gz": "符号链接",
        site.root / "backups" / "hourly" / f"cases__城关村__2026.json.{'1' * 300}": "太长",
    }
    for source, why in cases.items():
        code, _, err = cli("restore", str(source), "--dry-run", data=site.root)
        assert code == 2 and why in err and "未做任何改动" in err, (source, err)
        code, _, err = cli("restore", str(genuine), "--dry-run", "--anchor", str(source), data=site.root)
        assert code == 2 and why in err and "锚点文件" in err, (source, err)
    code, _, err = cli("restore", "~no-such-user-here/b.tar.gz", "--dry-run", data=site.root)
    assert code == 2 and "用户主目录" in err
    assert fingerprint(site.root) == before
