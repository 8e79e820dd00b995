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
from store import settings as settings_mod
from store.errors import BadInput, Refused
from store.site import Site
from tests.accounts import CADRE, STRANGER, SUPERVISOR, TOWNSHIP, env, open_as, register
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


# ------------------------------------------------------------- what an account may take out now


def exported_name(site: Site, *args: str, environ: dict[str, str]) -> str:
    code, out, err = cli(site, "export", *args, "--json", environ=environ)
    assert code == 0, err
    return Path(json.loads(out)["path"]).name


def test_a_demoted_account_no_longer_takes_out_its_earlier_backups_and_exports(site: Site, tmp_path: Path) -> None:
    """The attack: a 乡镇 account backed up the whole directory into its export folder, was made a
    村干部 of 南石村, and still took the backup out with every village's ID numbers."""
    site.cases.open(site.operator, NOW, "dibao", "南石村", "李某某")
    own = site.root.resolve() / "exports" / TOWNSHIP
    baocun = env(TOWNSHIP)
    code, _, err = cli(site, "backup", "--out", str(own / "x.tar.gz"), environ=baocun)
    assert code == 0, err
    north = exported_name(site, "城关村-2026-0001", "--doc", "archive", environ=baocun)
    south = exported_name(site, "南石村-2026-0001", "--doc", "archive", environ=baocun)
    everyone = exported_name(site, "ledger", "--matter", "dibao", "--year", "2026", environ=baocun)
    south_ledger = exported_name(
        site, "ledger", "--matter", "dibao", "--year", "2026", "--village", "南石村", environ=baocun
    )
    assert "全部村" in everyone and "南石村" in south_ledger
    code, out, _ = cli(site, "export", "files", "--json", environ=baocun)
    assert {f["name"] for f in json.loads(out)} == {"x.tar.gz", north, south, everyone, south_ledger}

    # The 管理员 makes baocun a 村干部 of 南石村.
    code, _, err = cli(site, "init", "--staff", f"{TOWNSHIP}=包村干部:村干部:南石村")
    assert code == 0, err
    before = fingerprint(site.root)
    after = tmp_path / "after.tar.gz"
    for name, why in (
        ("x.tar.gz", "整个数据目录的备份"),
        (north, "是城关村的文书"),
        (everyone, "含有全部村的记录"),
    ):
        result = runner.invoke(app, ["--data", str(site.root), "export", "get", name], env=baocun)
        assert result.exit_code == 1 and why in result.stderr, (name, result.output)
        assert "南石村的村干部" in result.stderr and result.stdout_bytes == b""
        code, _, err = cli(site, "export", "get", name, "--to", str(after), environ=baocun)
        assert code == 1 and why in err and not after.exists(), err
    assert fingerprint(site.root) == before
    # What 南石村 may see, it still takes out.
    for name in (south, south_ledger):
        result = runner.invoke(app, ["--data", str(site.root), "export", "get", name], env=baocun)
        assert result.exit_code == 0 and result.stdout_bytes == (own / name).read_bytes(), result.output
    code, out, _ = cli(site, "export", "files", "--json", environ=baocun)
    assert sorted(f["name"] for f in json.loads(out)) == sorted([south, south_ledger])
    code, out, _ = cli(site, "export", "files", environ=baocun)
    assert code == 0 and "x.tar.gz" not in out and north not in out and "另有 3 个文件" in out

    # It follows the settings now, both ways: made 乡镇 again, baocun sees all again ...
    assert cli(site, "init", "--staff", f"{TOWNSHIP}=包村干部:乡镇")[0] == 0
    code, out, _ = cli(site, "export", "files", "--json", environ=baocun)
    assert len(json.loads(out)) == 5
    # ... and taken off the staff list, nothing at all.
    assert cli(site, "init", "--remove-staff", TOWNSHIP)[0] == 0
    for args in (["files"], ["get", south], ["get", "x.tar.gz"]):
        code, out, err = cli(site, "export", *args, environ=baocun)
        assert code == 1 and "不在本数据目录的人员名单中" in err and out == "", args


def test_taking_out_follows_role_and_villages_through_the_api(site: Site, tmp_path: Path) -> None:
    site.cases.open(site.operator, NOW, "dibao", "南石村", "李某某")
    township = open_as(site.root, TOWNSHIP)
    backup = archive.backup(township, NOW, outputs.own_folder(township) / "全镇.tar.gz").name
    north = documents.export_record(township, "城关村-2026-0001", "archive", TODAY).name
    south = documents.export_record(township, "南石村-2026-0001", "archive", TODAY).name
    register_all = documents.export_register(township, None, None, TODAY, TODAY, TODAY).name
    south_register = documents.export_register(township, "南石村", "村委会", TODAY, TODAY, TODAY).name
    assert {p.name for p in documents.exported(township)} == {backup, north, south, register_all, south_register}

    register(site.root, f"{TOWNSHIP}=包村干部:监委会:南石村")
    demoted = open_as(site.root, TOWNSHIP)
    assert {p.name for p in documents.exported(demoted)} == {south, south_register}
    assert documents.withheld(demoted) == sorted([backup, north, register_all])
    for name, why in ((backup, "整个数据目录的备份"), (north, "城关村的文书"), (register_all, "全部村")):
        with pytest.raises(Refused, match=why):
            documents.exported_file(demoted, name)
        with pytest.raises(Refused, match=why):
            documents.exported_bytes(demoted, name)
        with pytest.raises(Refused, match=why):  # the reason first, not the shared-mode --to refusal
            documents.save_exported(demoted, name, tmp_path / "x")
    assert documents.exported_bytes(demoted, south) == (outputs.own_folder(demoted) / south).read_bytes()
    # A 村干部 of both villages sees both villages' documents, still not the backup nor 全部村.
    register(site.root, f"{TOWNSHIP}=包村干部:村干部:城关村,南石村")
    both = open_as(site.root, TOWNSHIP)
    assert {p.name for p in documents.exported(both)} == {north, south, south_register}
    # Taken off the staff list: refused, whatever the file.
    site.change_settings(NOW, settings_mod.Change(None, (), (), (TOWNSHIP,), None))
    gone = open_as(site.root, TOWNSHIP)
    for call in (lambda: documents.exported(gone), lambda: documents.exported_file(gone, south)):
        with pytest.raises(Refused, match="不在本数据目录的人员名单中"):
            call()
    with pytest.raises(Refused, match="不在本数据目录的人员名单中"):
        documents.exported(open_as(site.root, STRANGER))


def test_scope_of_every_export_name(site: Site) -> None:
    """Every name the exports give is read back as the village it is of; anything unsure is no village's."""
    villages = ["城关村", "南石村", "南石村_东"]
    day = "20261127"
    names = {
        documents.export_record(site, "城关村-2026-0001", "archive", TODAY).name: "城关村",
        documents.export_meetings(site, "南石村", 2026, TODAY).name: "南石村",
        documents.export_supervision(site, "南石村", TODAY, TODAY, TODAY).name: "南石村",
        documents.export_ledger(site, "dibao", 2026, "城关村", TODAY).name: "城关村",
        documents.export_ledger(site, "dibao", 2026, "城关村", TODAY).name: "城关村",  # a second copy: （2）
        documents.export_register(site, "南石村", "村集体经济组织", TODAY, TODAY, TODAY).name: "南石村",
        **{f"{day}_{label}_南石村-2026-GS0001.docx": "南石村" for label in documents.RECORD_KINDS.values()},
        f"{day}_会议记录空白稿_南石村_东-2026-HY0001（3）.docx": "南石村_东",
        f"{day}_用印登记簿_南石村_东_全部印章_20260101-20261231.docx": "南石村_东",
    }
    assert any("（2）" in name for name in names)
    for name, village in names.items():
        assert documents.scope_of(name, villages) == documents.Scope(documents.VILLAGE, village), name
    township = {
        documents.export_ledger(site, "dibao", 2026, None, TODAY).name,
        documents.export_register(site, None, None, TODAY, TODAY, TODAY).name,
        f"{day}_台账_dibao_2026_全部村（2）.docx",
    }
    for name in township:
        assert documents.scope_of(name, villages).kind == documents.TOWNSHIP, name
    # A 台账 is named by the matter's order and words, never by its ASCII id.
    ledger = documents.export_ledger(site, "tekun-wubao", 2026, "南石村", TODAY).name
    assert ledger == f"{day}_台账_44农村特困人员五保申请和审核_2026_南石村.docx"
    assert documents.scope_of(ledger, villages) == documents.Scope(documents.VILLAGE, "南石村")
    for name in ("x.tar.gz", "x.tgz"):
        assert documents.scope_of(name, villages).kind == documents.BACKUP
    unknown = [
        "notes.docx",
        "南石村.docx",
        f"{day}_归档卷宗_北村-2026-0001.docx",  # no village of the settings
        "２０261127_归档卷宗_南石村-2026-0001.docx",  # full-width digits are not a date
        f"{day}_台账_dibao_2026_南石村",  # not a document
        f"{day}_用印登记簿_南石村_公章_20260101-20261231.docx",  # no seal cunwu knows
        f"{day}_监督检查报告_南石村_20260101.docx",  # cut short
        f"{day}_台账_a_2026_b_2026_南石村_东.docx",  # matter "a" of 2026 for "b_2026_南石村_东", or ...
    ]
    for name in unknown:
        assert documents.scope_of(name, [*villages, "b_2026_南石村_东"]).kind == documents.UNKNOWN, name
    # A second copy of a village whose name could also be a village's: neither.
    assert documents.scope_of(f"{day}_台账_dibao_2026_南石村（2）.docx", [*villages, "南石村（2）"]).kind == (
        documents.UNKNOWN
    )
    with pytest.raises(BadInput, match="印章“公章”无效"):
        documents.export_register(site, "南石村", "公章", TODAY, TODAY, TODAY)


def test_the_roster_s_spreadsheets_are_scoped_by_their_village_and_the_template_is_anyone_s(site: Site) -> None:
    villages = ["城关村", "南石村"]
    day = "20261127"
    for name in (f"{day}_名册_南石村.xlsx", f"{day}_名册_南石村.csv", f"{day}_名册导入_南石村-有误（2）.xlsx"):
        assert documents.scope_of(name, villages) == documents.Scope(documents.VILLAGE, "南石村"), name
    for name in (f"{day}_名册导入模板.xlsx", f"{day}_名册导入模板（2）.xlsx"):
        assert documents.scope_of(name, villages).kind == documents.BLANK, name
    for name in (f"{day}_名册_北村.xlsx", f"{day}_名册导入_南石村.xlsx", "名册.xlsx", f"{day}_名册导入模板.csv"):
        assert documents.scope_of(name, villages).kind == documents.UNKNOWN, name
    north = open_as(site.root, CADRE)
    assert documents.withheld_reason(north.operator, f"{day}_名册导入模板.xlsx", villages) is None
    assert documents.withheld_reason(north.operator, f"{day}_名册_城关村.xlsx", villages) is None
    assert "是南石村的文书" in str(documents.withheld_reason(north.operator, f"{day}_名册_南石村.xlsx", villages))


# ------------------------------------------------------------------ paths the system will not open

LONG = "a" * 300


def test_names_and_paths_the_system_refuses_are_refused_in_chinese_not_a_crash(site: Site, tmp_path: Path) -> None:
    """``export get $(printf 'a%.0s' {1..300}).docx`` crashed with OSError ENAMETOOLONG (exit 4)."""
    code, out, _ = cli(site, "export", "城关村-2026-0001", "--doc", "archive", "--json")
    name = Path(json.loads(out)["path"]).name
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"x")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    before = fingerprint(site.root)
    cases: list[tuple[list[str], int, str]] = [
        (["export", "get", f"{LONG}.docx"], 2, "太长"),
        (["export", "get", f"{LONG}.docx", "--to", str(tmp_path / "x.docx")], 2, "太长"),
        (["export", "get", name, "--to", str(tmp_path / f"{LONG}.docx")], 2, "太长"),
        (["export", "get", name, "--to", str(tmp_path / LONG / "x.docx")], 1, "文件名或路径太长"),
        (["export", "get", name, "--to", str(a_file / "x.docx")], 1, "不是文件夹"),
        (["export", "get", name, "--to", str(loop / "x.docx")], 2, "符号链接"),
        (["export", "get", name, "--to", "~no-such-user-here/x.docx"], 2, "用户主目录"),
        (["backup", "--out", str(tmp_path / f"{LONG}.tar.gz")], 2, "太长"),
        (["backup", "--out", str(tmp_path / LONG / "x.tar.gz")], 1, "文件名或路径太长"),
        (["backup", "--out", str(a_file / "x.tar.gz")], 1, "不是文件夹"),
        (["backup", "--out", str(loop / "x.tar.gz")], 2, "符号链接"),
        (["export", "城关村-2026-0001", "--doc", "archive", "--out", str(tmp_path / LONG)], 1, "太长"),
        (["export", "城关村-2026-0001", "--doc", "archive", "--out", str(a_file)], 1, "不是文件夹"),
    ]
    for args, expected, why in cases:
        code, _, err = cli(site, *args)
        assert code == expected and why in err and "未" in err, (args, code, err)
        assert len(err) < 600, err  # a 300-character name is shortened in the message
    assert fingerprint(site.root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data", "loop"]


def test_a_folder_the_service_account_may_not_open_is_refused_in_chinese(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EACCES cannot be shown as root by permissions alone: the system's answer is given here.
    No permission and a read-only disk are the machine's limits (``store.resources``): exit 3."""
    real_open = os.open
    denied = tmp_path / "denied"
    denied.mkdir()
    blocked = tmp_path / "blocked"
    blocked.mkdir()

    def refusing(path: object, *args: object, **kwargs: object) -> int:
        temp = str(path).startswith(outputs.OUTPUT_TEMP) and os.listdir(blocked) == []
        if path == "denied" or temp or str(path).startswith(str(denied)):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    real_mkdir = os.mkdir

    def read_only(path: object, *args: object, **kwargs: object) -> None:
        if path == "new":
            raise OSError(30, "Read-only file system")
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)
    monkeypatch.setattr(os, "mkdir", read_only)
    before = fingerprint(site.root)
    code, _, err = cli(site, "backup", "--out", str(denied / "x.tar.gz"))
    assert code == 3 and "没有权限" in err and str(denied) in err and "没有生成备份文件" in err, err
    code, _, err = cli(site, "backup", "--out", str(blocked / "x.tar.gz"))
    assert code == 3 and "没有权限" in err and str(blocked / "x.tar.gz") in err and "请管理员" in err, err
    code, _, err = cli(site, "backup", "--out", str(tmp_path / "new" / "x.tar.gz"))
    assert code == 3 and "只读" in err and str(tmp_path / "new") in err and "没有生成备份文件" in err, err
    assert fingerprint(site.root) == before and os.listdir(blocked) == []
    code, _, err = cli(site, "export", "get", "x.docx", "--to", str(tmp_path / "new" / "x.docx"))
    assert code == 2 and "没有“x.docx”" in err, err  # the file is looked for first
    code, _, err = cli(site, "restore", str(denied / "x.tar.gz"), "--dry-run")
    assert code == 2 and "没有权限" in err and "未做任何改动" in err, err


def test_the_registers_spreadsheets_and_the_rectification_ledger_are_scoped_by_their_village(site: Site) -> None:
    villages = ["城关村", "南石村"]
    day = "20261127"
    named = {
        documents.export_rectifications(site, "南石村", TODAY).name: "南石村",
        documents.export_meetings(site, "南石村", 2026, TODAY, xlsx=True).name: "南石村",
        documents.export_ledger(site, "dibao", 2026, "城关村", TODAY, xlsx=True).name: "城关村",
        documents.export_register(site, "南石村", None, TODAY, TODAY, TODAY, xlsx=True).name: "南石村",
        documents.export_supervision(site, "南石村", TODAY, TODAY, TODAY, xlsx=True).name: "南石村",
        f"{day}_整改台账_南石村（2）.xlsx": "南石村",
    }
    assert f"{day}_整改台账_南石村.xlsx" in named
    for name, village in named.items():
        assert name.endswith(".xlsx") and documents.scope_of(name, villages) == documents.Scope(
            documents.VILLAGE, village
        ), name
    every = documents.export_rectifications(site, None, TODAY).name
    assert every == f"{day}_整改台账_全部村.xlsx" and documents.scope_of(every, villages).kind == documents.TOWNSHIP
    for name in (f"{day}_整改台账_北村.xlsx", f"{day}_整改台账.xlsx", "整改台账_南石村.xlsx"):
        assert documents.scope_of(name, villages).kind == documents.UNKNOWN, name
    north = open_as(site.root, CADRE)
    assert documents.withheld_reason(north.operator, f"{day}_整改台账_城关村.xlsx", villages) is None
    assert "南石村的文书" in str(documents.withheld_reason(north.operator, f"{day}_整改台账_南石村.xlsx", villages))
