"""Where backups and exports may be written (``store.outputs``): never inside the data directory,
its matters/ or the anchor's folder, only the person's own export folder in shared mode, always
a new 0600 file that no symlink redirects; and who may take a backup at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exports import documents
from store import anchor as anchor_mod
from store import archive, outputs
from store.errors import BadInput, Refused
from store.site import Site
from tests.accounts import CADRE, SUPERVISOR, TOWNSHIP, env, open_as, register
from tests.sites import NOW, new_site
from tui import cli_common
from tui.cli import app

runner = CliRunner()
TODAY = NOW.date()
NOBODY = {"SUDO_USER": "", "SUDO_UID": ""}


def fingerprint(root: Path) -> dict[str, str]:
    """Every file and folder under the data directory (the lock aside)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
        if p.name != ".lock"
    }


@pytest.fixture(autouse=True)
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)
    monkeypatch.setattr(cli_common, "now", lambda: NOW + dt.timedelta(hours=1))
    yield


@pytest.fixture
def site(tmp_path: Path) -> Site:
    s = new_site(tmp_path / "data")
    register(s.root)
    s.cases.open(s.operator, NOW, "dibao", "城关村", "王某某")
    return Site(s.root, environ={})


def cli(site: Site, *args: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(site.root), *args], env=environ or NOBODY)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


# -------------------------------------------------------------------------------------- backups


@pytest.mark.parametrize("account", [SUPERVISOR, CADRE])
def test_only_managers_and_township_back_up_and_a_refusal_writes_nothing(site: Site, account: str) -> None:
    before = fingerprint(site.root)
    # The report from outside: the committee's backup into the data directory stopped every command.
    target = site.root / "cases" / "城关村" / "2099.json"
    for out in (None, target, site.root.parent / "elsewhere.tar.gz"):
        with pytest.raises(Refused, match="只有管理员和乡镇账号可以备份"):
            archive.backup(open_as(site.root, account), NOW, out)
    code, _, err = cli(site, "backup", "--out", str(target), environ=env(account))
    assert code == 1 and "只有管理员和乡镇账号可以备份" in err, err
    assert fingerprint(site.root) == before and not (site.root.parent / "elsewhere.tar.gz").exists()
    assert cli(site, "case", "list")[0] == 0


def test_a_backup_is_private_and_ends_with_its_own_journal_entry(site: Site, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = archive.backup(site, NOW, tmp_path / "b.tar.gz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with tarfile.open(path, "r:gz") as tar:
        names = tar.getnames()
        journal = tar.extractfile("journal.jsonl").read()  # type: ignore[union-attr]
    assert names[:2] == ["settings.toml", "journal.jsonl"]
    assert journal == (site.root / "journal.jsonl").read_bytes()
    assert json.loads(journal.splitlines()[-1])["action"] == "backup"
    with pytest.raises(BadInput, match="已存在"):
        archive.backup(site, NOW, path)
    with pytest.raises(BadInput, match=r"\.tar\.gz"):
        archive.backup(site, NOW, tmp_path / "b.zip")


def test_backups_and_exports_never_go_inside_the_data_directory(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchor_dir = tmp_path / "anchor"
    monkeypatch.setenv(anchor_mod.ENV_VAR, str(anchor_dir / "head.json"))
    site.cases.open(site.operator, NOW, "dibao", "城关村", "写锚点")
    (site.root / "matters").mkdir()
    alias = tmp_path / "alias"
    alias.symlink_to(site.root)
    root = site.root
    refused = {
        root / "cases" / "城关村" / "2099.tar.gz": "数据目录",
        root / "x.tar.gz": "数据目录",
        root / "backups" / "hourly" / "x.tar.gz": "数据目录",
        root / "exports" / CADRE / "x.tar.gz": "数据目录",
        root / "matters" / "x.tar.gz": "数据目录",
        alias / "cases" / "x.tar.gz": "数据目录",
        anchor_dir / "x.tar.gz": "锚点所在的目录",
    }
    before = fingerprint(root)
    for path, why in refused.items():
        with pytest.raises(Refused, match=why):
            archive.backup(site, NOW, path)
        with pytest.raises(Refused, match=why):
            documents.export_record(site, "城关村-2026-0001", "archive", TODAY, path.parent)
        code, _, err = cli(site, "backup", "--out", str(path))
        assert code == 1 and why in err, (path, err)
        assert not os.path.lexists(path), path
    assert fingerprint(root) == before
    assert sorted(p.name for p in anchor_dir.iterdir()) == ["head.json"]
    # matters/ pointing elsewhere is still matters/.
    (root / "matters").rmdir()
    elsewhere = tmp_path / "local-matters"
    elsewhere.mkdir()
    (root / "matters").symlink_to(elsewhere)
    with pytest.raises(Refused, match="本地事项目录"):
        archive.backup(site, NOW, elsewhere / "x.tar.gz")
    with pytest.raises(Refused, match="本地事项目录"):
        documents.export_record(site, "城关村-2026-0001", "archive", TODAY, elsewhere)
    assert list(elsewhere.iterdir()) == []
    # cunwu's own output folders are fine, and anywhere outside.
    assert archive.backup(site, NOW).parent == root.resolve() / "backups" / "full"
    assert archive.backup(site, NOW, root / "exports" / site.operator.account / "mine.tar.gz").exists()
    assert archive.backup(site, NOW, tmp_path / "out" / "x.tar.gz").exists()
    assert documents.export_record(site, "城关村-2026-0001", "archive", TODAY, tmp_path / "docs").exists()


def test_a_folder_swapped_for_a_symlink_after_the_check_is_not_followed(site: Site, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    place = outputs.place(site, folder, outputs.EXPORT)
    folder.rmdir()
    folder.symlink_to(site.root / "cases" / "城关村")
    before = fingerprint(site.root)
    with pytest.raises(Refused, match="符号链接"), place.create("x.docx") as fh:
        fh.write(b"x")
    # A symlink where the file would go is never followed, nor replaced.
    folder.unlink()
    folder.mkdir()
    victim = tmp_path / "victim"
    (folder / "x.docx").symlink_to(victim)
    with pytest.raises(FileExistsError), place.create("x.docx") as fh:
        fh.write(b"x")
    assert not victim.exists() and fingerprint(site.root) == before


# ---------------------------------------------------------------------------------- shared mode


def test_in_shared_mode_a_person_writes_only_to_their_own_export_folder(site: Site, tmp_path: Path) -> None:
    township = open_as(site.root, TOWNSHIP)
    assert township.operator.via_sudo
    own = site.root.resolve() / "exports" / TOWNSHIP
    before = fingerprint(site.root)
    with pytest.raises(Refused, match="只能写到你本人的导出目录"):
        archive.backup(township, NOW, tmp_path / "b.tar.gz")
    with pytest.raises(Refused, match="只能写到你本人的导出目录"):
        documents.export_record(township, "城关村-2026-0001", "archive", TODAY, tmp_path)
    code, _, err = cli(site, "backup", "--out", str(tmp_path / "b.tar.gz"), environ=env(TOWNSHIP))
    assert code == 1 and str(own) in err
    code, _, err = cli(site, "export", "城关村-2026-0001", "--doc", "archive", "--out", "/tmp", environ=env(CADRE))
    assert code == 1 and "只能写到你本人的导出目录" in err
    assert fingerprint(site.root) == before and not (tmp_path / "b.tar.gz").exists()

    code, out, err = cli(site, "backup", "--out", str(own / "b.tar.gz"), environ=env(TOWNSHIP))
    assert code == 0 and (own / "b.tar.gz").exists(), err
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    code, out, _ = cli(site, "export", "files", "--json", environ=env(TOWNSHIP))
    assert [f["name"] for f in json.loads(out)] == ["b.tar.gz"]
    assert cli(site, "backup", environ=env(TOWNSHIP))[0] == 0  # the default backups/full/ stays allowed
    code, out, err = cli(site, "export", "城关村-2026-0001", "--doc", "archive", "--json", environ=env(CADRE))
    assert code == 0 and Path(json.loads(out)["path"]).parent == site.root.resolve() / "exports" / CADRE, err


# -------------------------------------------------------------------------------- export get --to


def test_export_get_to_writes_a_new_private_file(site: Site, tmp_path: Path) -> None:
    code, out, err = cli(site, "export", "城关村-2026-0001", "--doc", "archive", "--json")
    assert code == 0, err
    name = Path(json.loads(out)["path"]).name
    to = tmp_path / "home" / "卷宗.docx"
    to.parent.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        code, out, err = cli(site, "export", "get", name, "--to", str(to))
    finally:
        os.umask(old)
    assert code == 0 and str(to) in out, err
    assert stat.S_IMODE(to.stat().st_mode) == 0o600
    assert to.read_bytes() == (site.root / "exports" / site.operator.account / name).read_bytes()
    # Never over an existing file, nor through a symlink.
    to.write_bytes(b"mine")
    code, _, err = cli(site, "export", "get", name, "--to", str(to))
    assert code == 2 and "已存在" in err and to.read_bytes() == b"mine"
    link, victim = tmp_path / "link.docx", tmp_path / "victim.docx"
    link.symlink_to(victim)
    code, _, err = cli(site, "export", "get", name, "--to", str(link))
    assert code == 2 and not victim.exists()
    # The same policy as every export: not into the data directory.
    before = fingerprint(site.root)
    code, _, err = cli(site, "export", "get", name, "--to", str(site.root / "settings.toml.docx"))
    assert code == 1 and "数据目录" in err and fingerprint(site.root) == before


def test_export_get_to_is_refused_in_shared_mode(site: Site, tmp_path: Path) -> None:
    code, out, err = cli(site, "export", "城关村-2026-0001", "--doc", "archive", "--json", environ=env(CADRE))
    assert code == 0, err
    name = Path(json.loads(out)["path"]).name
    own = site.root / "exports" / CADRE
    for to in (tmp_path / "x.docx", own / "copy.docx"):
        code, _, err = cli(site, "export", "get", name, "--to", str(to), environ=env(CADRE))
        assert code == 1 and "以你本人的身份创建" in err, err
        assert not to.exists()
    result = runner.invoke(app, ["--data", str(site.root), "export", "get", name], env=env(CADRE))
    assert result.exit_code == 0 and result.stdout_bytes == (own / name).read_bytes()
