"""A full disk, a read-only disk, no permission (``store.resources``): every save, export, backup
and restore says what was being written, where, that nothing half-written was left and what to
do, with exit code 3 — never a traceback, never the crash handler's 4. The journal never keeps
a torn line, and no export, backup or data file is ever seen under its name incomplete.

Most tests make the system call fail in-process (they always run); the last one fills a real,
small tmpfs (root and ``unshare`` needed; skipped, with the reason, otherwise).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from store import anchor as anchor_mod
from store import images, outputs, resources
from store.journal import scan
from store.resources import ResourceProblem
from store.site import Site
from store.verify import verify
from tests.sites import NOW, new_site
from tests.tui_helpers import Clock, make, screen_text
from tui import cli_common
from tui.cli import app
from tui.dialogs import MessageDialog

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
NUMBER = "城关村-2026-0001"
NOBODY = {"SUDO_USER": "", "SUDO_UID": ""}
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor_mod.ENV_VAR, raising=False)
    monkeypatch.setattr(cli_common, "now", lambda: LATER)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    s = new_site(tmp_path / "data")
    s.cases.open(s.operator, NOW, "dibao", "城关村", "王某某")
    return Site(s.root, environ={})


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under ``root`` (the lock aside) and its digest."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def opened(fd: int) -> str:
    """The path a descriptor of this process has open."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(root), *args], env=NOBODY)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def save(site: Site, note: str, now: dt.datetime = LATER) -> None:
    site.cases.save_progress(site.operator, now, NUMBER, site.cases.get(NUMBER).rev, note=note)


def assert_whole(site: Site) -> None:
    """The journal has no torn or broken line, and every record is what it last recorded."""
    _, broken = scan(site.store.journal.path)
    assert broken is None, broken
    fresh = Site(site.root, environ={})
    report = verify(fresh.store, fresh.records())
    assert report.ok, report.problems


# ------------------------------------------------------------------------------------ messages


@pytest.mark.parametrize(
    ("code", "cause", "advice"),
    [
        (errno.ENOSPC, "磁盘已满", "清理磁盘空间"),
        (errno.EDQUOT, "磁盘配额已用完", "增加配额"),
        (errno.EFBIG, "文件超过了允许的大小", "ulimit -f"),
        (errno.EROFS, "所在的磁盘是只读的", "重新挂载为可写"),
        (errno.EACCES, "没有权限", "请管理员修正"),
        (errno.EPERM, "没有权限", "请管理员修正"),
    ],
)
def test_each_resource_error_says_what_where_what_it_left_and_what_to_do(code: int, cause: str, advice: str) -> None:
    found = resources.problem(OSError(code, os.strerror(code), "/srv/cunwu/journal.jsonl"))
    assert isinstance(found, ResourceProblem) and found.exit_code == 3 and found.errno == code
    text = str(found)
    assert text.startswith("保存没有完成：") and cause in text and advice in text, text
    assert "/srv/cunwu/journal.jsonl" in text and "数据保持保存前的样子" in text, text
    export = resources.problem(OSError(code, "x"), Path("/home/a/卷宗.docx"), resources.EXPORT)
    assert export is not None and str(export).startswith("导出没有完成：") and "没有生成文件" in str(export)
    assert "/home/a/卷宗.docx" in str(export)


@pytest.mark.parametrize("code", [errno.ENOENT, errno.EIO, errno.ENAMETOOLONG, None])
def test_other_errors_are_not_resource_problems(code: int | None) -> None:
    error = OSError(code, "x") if code is not None else OSError("no errno")
    assert resources.problem(error) is None
    with pytest.raises(OSError) as caught, resources.guard(Path("/x")):
        raise error
    assert caught.value is error, "a bug stays a bug, for the crash report"


# --------------------------------------------------------------------------------- the journal


def test_a_short_write_is_finished_not_lost(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.write`` may write fewer bytes than it was given: the rest is written too."""
    real_write = os.write
    calls: list[int] = []

    def dribble(fd: int, data: bytes | memoryview) -> int:
        if opened(fd).endswith(("journal.jsonl", "2026.json")) or ".tmp-" in opened(fd):
            calls.append(fd)
            return real_write(fd, bytes(data[:7]))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", dribble)
    save(site, "分几次写完")
    monkeypatch.undo()
    assert len(calls) > 20
    assert Site(site.root, environ={}).cases.get(NUMBER).record["progress"]["note"] == "分几次写完"
    assert_whole(site)


def test_a_full_disk_part_way_through_a_journal_append_leaves_no_torn_line(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = site.store.journal.path
    before = fingerprint(site.root)
    real_write = os.write
    written: list[int] = []

    def fills_up(fd: int, data: bytes | memoryview) -> int:
        if not opened(fd).endswith("journal.jsonl"):
            return real_write(fd, data)
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(real_write(fd, bytes(data[: len(data) // 2])))  # half a line got in
        return written[-1]

    monkeypatch.setattr(os, "write", fills_up)
    with pytest.raises(ResourceProblem) as caught:
        save(site, "磁盘满了")
    monkeypatch.undo()
    assert written and written[0] > 0
    text = str(caught.value)
    assert text.startswith("保存没有完成：磁盘已满") and str(journal) in text, text
    assert fingerprint(site.root) == before, "the half line was cut off again; nothing else changed"
    save(site, "清理之后")
    assert Site(site.root, environ={}).cases.get(NUMBER).record["progress"]["note"] == "清理之后"
    assert_whole(site)


def test_a_failed_fsync_of_the_journal_takes_the_entry_back(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some file systems (NFS, delayed allocation) report a full disk only at fsync."""
    before = fingerprint(site.root)
    real_fsync = os.fsync

    def late(fd: int) -> None:
        if opened(fd).endswith("journal.jsonl"):
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", late)
    with pytest.raises(ResourceProblem, match="配额"):
        save(site, "配额用完")
    monkeypatch.undo()
    assert fingerprint(site.root) == before
    assert_whole(site)


def test_a_full_disk_while_replacing_a_data_file_keeps_the_old_file_and_no_temp_file(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = site.root / "cases" / "城关村" / "2026.json"
    old = data.read_bytes()
    real_write = os.write

    def fills_up(fd: int, chunk: bytes | memoryview) -> int:
        if ".tmp-" in opened(fd):
            real_write(fd, bytes(chunk[:100]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, chunk)

    monkeypatch.setattr(os, "write", fills_up)
    with pytest.raises(ResourceProblem) as caught:
        save(site, "写不进去")
    monkeypatch.undo()
    assert str(data) in str(caught.value) and "磁盘已满" in str(caught.value)
    assert data.read_bytes() == old
    assert not list(site.root.rglob(".tmp-*"))
    # The journal holds the entry whose change never reached the file: the next save records it.
    save(site, "下一次保存")
    entries, broken = scan(site.store.journal.path)
    assert broken is None and entries[-2]["action"] == "recovered"
    assert_whole(site)


# ------------------------------------------------------------------------------ the command line


def test_a_save_on_a_read_only_disk_exits_3_and_changes_nothing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint(site.root)
    real_open = os.open

    def read_only(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR) and str(path).endswith("journal.jsonl"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    code, _, err = cli(site.root, "case", "new", "dibao", "--village", "城关村", "--subject", "李某")
    assert code == 3, err
    assert err.startswith("保存没有完成：") and "只读" in err and "journal.jsonl" in err and "请管理员" in err, err
    monkeypatch.undo()
    assert fingerprint(site.root) == before


def test_a_lock_file_without_permission_exits_3_not_4(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError the store does not wrap itself (here: opening the lock) is still said in words."""
    real_open = os.open

    def denied(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    code, _, err = cli(site.root, "case", "step", NUMBER)
    assert code == 3 and "没有权限" in err and str(site.root / ".lock") in err, err


BROKEN_COMMAND = """
import errno, sys
import tui.cli

def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "/srv/cunwu/某文件")

tui.cli._catalog = full
sys.argv = ["cunwu", "matters"]
tui.cli.run()
"""


def test_a_resource_error_that_reaches_the_top_is_exit_3_and_writes_no_crash_log(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNWU_")}
    env.update(CUNWU_DATA=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_COMMAND], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert "磁盘已满" in done.stderr and "/srv/cunwu/某文件" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "state").exists(), "not a bug: no crash log"


def _failing_fsync(monkeypatch: pytest.MonkeyPatch, code: int) -> list[list[str]]:
    """fsync of an export's or a backup's temporary file fails; returns what its folder held then."""
    real_fsync = os.fsync
    seen: list[list[str]] = []

    def failing(fd: int) -> None:
        path = opened(fd)
        if Path(path).name.startswith(outputs.OUTPUT_TEMP):
            seen.append(sorted(os.listdir(Path(path).parent)))
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    return seen


def test_an_export_that_fails_part_way_leaves_no_file_under_its_name(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    seen = _failing_fsync(monkeypatch, errno.ENOSPC)
    code, _, err = cli(site.root, "export", NUMBER, "--doc", "archive", "--out", str(out))
    assert code == 3 and err.startswith("导出没有完成：磁盘已满") and str(out) in err and "没有生成文件" in err, err
    # While it was written, only the temporary name was there; afterwards nothing is.
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].startswith(outputs.OUTPUT_TEMP), seen
    assert os.listdir(out) == []
    monkeypatch.undo()
    code, stdout, err = cli(site.root, "export", NUMBER, "--doc", "archive", "--out", str(out))
    assert code == 0, err
    (written,) = out.iterdir()
    assert written.suffix == ".docx" and zipfile.is_zipfile(written) and str(written) in stdout


def test_a_backup_that_fails_part_way_leaves_no_archive_and_no_journal_entry(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(site.root)
    _failing_fsync(monkeypatch, errno.EFBIG)
    for args in (["--out", str(tmp_path / "b.tar.gz")], []):
        code, _, err = cli(site.root, "backup", *args)
        assert code == 3 and err.startswith("备份没有完成：文件超过了允许的大小") and "没有生成备份文件" in err, err
    assert not (tmp_path / "b.tar.gz").exists() and not list(tmp_path.glob(".tmp-*"))
    assert fingerprint(site.root) == before, "no archive in backups/full, no journal entry"
    monkeypatch.undo()
    assert cli(site.root, "backup", "--out", str(tmp_path / "b.tar.gz"))[0] == 0
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert "journal.jsonl" in tar.getnames()


def test_an_export_folder_without_permission_exits_3(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root no folder refuses by its mode: the system's answer is given here."""
    out = tmp_path / "out"
    out.mkdir()
    real_open = os.open

    def denied(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(outputs.OUTPUT_TEMP):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    code, _, err = cli(site.root, "export", NUMBER, "--doc", "archive", "--out", str(out))
    assert code == 3 and "导出没有完成" in err and "没有权限" in err and str(out) in err, err
    assert os.listdir(out) == []


def test_a_temporary_file_a_killed_export_left_is_removed_by_the_next_one(site: Site) -> None:
    folder = outputs.own_folder(site)
    folder.mkdir(parents=True)
    stale, fresh = folder / f"{outputs.OUTPUT_TEMP}killed", folder / f"{outputs.OUTPUT_TEMP}writing"
    stale.write_bytes(b"PK half")
    fresh.write_bytes(b"PK half")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    code, _, err = cli(site.root, "export", NUMBER, "--doc", "archive")
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert stale.name not in names and fresh.name in names, "another export may still be writing that one"
    assert len([n for n in names if n.endswith(".docx")]) == 1


def test_a_file_that_appears_under_the_name_meanwhile_is_never_replaced(tmp_path: Path) -> None:
    place = outputs.Place(tmp_path, allowed=False)
    with pytest.raises(FileExistsError), place.create("卷宗.docx") as fh:
        fh.write(b"the export")
        (tmp_path / "卷宗.docx").write_bytes(b"someone else's")
    assert [p.name for p in tmp_path.iterdir()] == ["卷宗.docx"]
    assert (tmp_path / "卷宗.docx").read_bytes() == b"someone else's"


def test_a_file_system_without_hard_links_still_gets_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT USB stick has no hard links: the name is checked, then the file renamed to it."""

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    place = outputs.Place(tmp_path, allowed=False)
    with place.create("卷宗.docx") as fh:
        fh.write(b"the export")
    assert (tmp_path / "卷宗.docx").read_bytes() == b"the export"
    with pytest.raises(FileExistsError), place.create("卷宗.docx") as fh:
        fh.write(b"a second one")
    assert [p.name for p in tmp_path.iterdir()] == ["卷宗.docx"]
    assert (tmp_path / "卷宗.docx").read_bytes() == b"the export"


# ---------------------------------------------------------------------------------- the app


async def test_the_app_shows_a_full_disk_as_a_message_not_the_crash_screen(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_ = make(site.root, Clock())
    async with app_.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        real_open = os.open

        def denied(path: object, flags: int, *args: object, **kwargs: object) -> int:
            if str(path).endswith(".lock"):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", denied)
        result = app_.attempt(lambda: save(app_.site, "打不开锁文件"))
        await pilot.pause()
        assert result is None and isinstance(app_.screen, MessageDialog)
        assert "保存没有完成" in screen_text(app_) and "没有权限" in screen_text(app_)
        await pilot.press("escape")
        monkeypatch.undo()
        real_write = os.write

        def full(fd: int, data: bytes | memoryview) -> int:
            if opened(fd).endswith("journal.jsonl"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", full)
        assert app_.attempt(lambda: save(app_.site, "磁盘满了")) is None
        await pilot.pause()
        assert isinstance(app_.screen, MessageDialog) and "磁盘已满" in screen_text(app_)
        monkeypatch.undo()
    assert app_.return_code in (0, None), "not the crash screen"
    assert_whole(site)


# ------------------------------------------------------------------------- a real full disk


@dataclass
class Disk:
    """A small tmpfs mounted in a mount namespace of its own, held by process ``pid``."""

    pid: int
    mount: Path

    def path(self, *parts: str) -> Path:
        """A path on the disk, as this process (outside the namespace) reaches it."""
        return Path(f"/proc/{self.pid}/root{self.mount}", *parts)

    def run(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """``cunwu ARGS`` run inside the namespace."""
        code = 'import sys; sys.argv[0] = "cunwu"; from tui.cli import run; run()'
        return subprocess.run(
            ["nsenter", "-t", str(self.pid), "-m", "--", sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Disk]:
    if os.geteuid() != 0:
        pytest.skip("挂载 tmpfs 模拟磁盘已满需要 root")
    missing = [tool for tool in ("unshare", "nsenter") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"没有 {'、'.join(missing)}：无法在独立的挂载命名空间中挂载 tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    script = 'mount -t tmpfs -o size=2m,mode=0700 tmpfs "$1" && echo ready && exec sleep 600'
    holder = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(mount)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stderr is not None
    if holder.stdout.readline().strip() != "ready":
        holder.kill()
        reason = holder.stderr.read().strip()
        holder.wait()
        pytest.skip(f"无法挂载 tmpfs（{reason}）")
    try:
        yield Disk(holder.pid, mount)
    finally:  # the namespace, and the tmpfs with it, go with its last process
        holder.kill()
        holder.wait()


def fill(path: Path) -> None:
    """Write ``path`` until the disk has not one byte left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


def _log(rel: str) -> bool:
    return rel.startswith(("journal", "backups/")) or rel.endswith(images.SUFFIX)


def test_a_really_full_disk(small_disk: Disk, tmp_path: Path) -> None:
    """Save, export and backup on a full tmpfs: exit 3 in Chinese, nothing torn or half-written;
    once space is freed the next save works and verify passes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUNWU_", "SUDO_"))}
    env.update(
        CUNWU_DATA=str(small_disk.mount / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return small_disk.run(*args, env=env)

    done = run("init", "--township", "沁河镇", "--village", "城关村", "--name", "王文书")
    assert done.returncode == 0, done.stderr
    done = run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["number"]
    data = small_disk.path("data")
    journal = data / "journal.jsonl"
    kept = fingerprint(data)

    fill(small_disk.path("filler"))
    attempts = [
        (("case", "new", "dibao", "--village", "城关村", "--subject", "李某某"), "保存没有完成"),
        (("case", "step", number), "保存没有完成"),
        (("export", number, "--doc", "archive"), "导出没有完成"),
        (("backup", "--out", str(small_disk.mount / "out" / "备份.tar.gz")), "备份没有完成"),
        (("backup",), "备份没有完成"),
    ]
    for args, words in attempts:
        done = run(*args)
        assert done.returncode == 3, (args, done.returncode, done.stderr)
        assert done.stderr.startswith(words) and "磁盘已满" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout and "程序出错" not in done.stderr
        _, broken = scan(journal)
        assert broken is None, (args, broken)
    assert not (tmp_path / "state").exists(), "no crash log: a full disk is not a bug"

    # Nothing partial under a real name, no temporary file left, the data files as they were.
    files = [p for p in small_disk.path().rglob("*") if p.is_file() and p.name not in ("filler", ".lock")]
    assert not [p for p in files if p.name.startswith(".tmp-")], files
    assert not [p for p in files if p.suffix in (".docx", ".gz")], files
    assert all(p.stat().st_size > 0 for p in files), files
    # (A backup link made in a new hour would be a new file, but an unchanged version. A save whose
    # journal entry was written before the disk filled keeps that entry and its after-image in the
    # change log; the next save records it as interrupted.)
    records = {k: v for k, v in fingerprint(data).items() if not _log(k)}
    assert records == {k: v for k, v in kept.items() if not _log(k)}
    assert json.loads((data / "cases" / "城关村" / f"{number.split('-')[1]}.json").read_bytes())

    small_disk.path("filler").unlink()
    done = run("case", "step", number)
    assert done.returncode == 0, done.stderr
    done = run("verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert run("export", number, "--doc", "archive").returncode == 0
    assert run("backup", "--out", str(small_disk.mount / "out" / "备份.tar.gz")).returncode == 0
    assert zipfile.is_zipfile(next(data.glob("exports/*/*.docx")))
    with tarfile.open(small_disk.path("out", "备份.tar.gz")) as tar:
        assert "journal.jsonl" in tar.getnames()
    assert not list(small_disk.path().rglob(".tmp-*"))
