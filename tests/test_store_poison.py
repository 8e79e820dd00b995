"""Issue 15, first pieces: no typo or stopped process blocks everyone's saves.

A year typed as 0001, a count beyond 64 bits, a village name that normalises to another, a
journal whose last entry names a record that cannot be read back, a clerk's Ctrl+Z in the
middle of a save: each is refused with nothing written or stored harmlessly, and afterwards
the next save works and ``verify`` passes or names the problem."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from store.errors import BadInput, LockTimeout
from store.site import Site
from tests.sites import NOW, new_site

MEETING = {"kind": "支委会", "title": "支委会", "start": "2026-11-27 08:00", "expected": 5, "present": 5}
SEAL = {"seal": "村委会", "document": "证明", "purpose": "上报", "approver": "李书记", "keeper": "王文书"}


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "backups" not in p.parts and p.name != ".lock"
    }


@pytest.mark.parametrize(
    ("what", "fields"),
    [
        ("meeting", {**MEETING, "start": "0001-01-01 00:00"}),
        ("meeting", {**MEETING, "start": "0999-12-31 09:00"}),
        ("seal", {**SEAL, "date": "2031-01-01", "routine": True}),
        ("seal", {**SEAL, "date": "0001-01-01", "routine": True}),
        ("meeting", {**MEETING, "expected": 10**30}),
    ],
    ids=["year-1", "year-999", "five-years-ahead", "seal-year-1", "count-beyond-64-bits"],
)
def test_a_typo_is_refused_with_nothing_written_and_the_next_save_works(
    tmp_path: Path, what: str, fields: dict[str, object]
) -> None:
    site = new_site(tmp_path / "data")
    before = files(site.root)
    book = site.meetings if what == "meeting" else site.seals
    with pytest.raises(BadInput, match=r"年|数值超出|晚于今天"):
        book.new(site.operator, NOW, "城关村", fields)  # type: ignore[attr-defined]
    assert files(site.root) == before, "journal included"
    fresh = Site(site.root, environ={})
    assert fresh.cases.open(fresh.operator, NOW, "dibao", "城关村", "之后照常").number == "城关村-2026-0001"
    assert fresh.verify().ok


def test_a_journal_ending_in_a_number_that_cannot_be_read_does_not_block_every_save(tmp_path: Path) -> None:
    """What the first version left behind after `seal new --date 0001-01-01`: every later save,
    for everyone, failed on re-reading that number."""
    site = new_site(tmp_path / "data")
    txn = {"ts": NOW.isoformat(), "os_user": "root", "operator": "root", "role": "管理员", "ssh": ""}
    site.store.journal.append(
        [{**txn, "action": "seal.new", "target": "seal:城关村-1-YY0001", "digest": "0" * 64, "detail": {}, "txn": "t"}]
    )
    fresh = Site(site.root, environ={})
    assert fresh.cases.open(fresh.operator, NOW, "dibao", "南石村", "照常保存").number
    report = fresh.verify()
    recovered = [
        line for line in site.store.journal.path.read_text(encoding="utf-8").splitlines() if "recovered" in line
    ]
    assert recovered and "记录编号无法读取" in recovered[-1]
    assert fresh.cases.open(fresh.operator, NOW, "dibao", "南石村", "再保存一次").number
    assert report.entries >= 3


@pytest.mark.parametrize("name", ["红旗１村", "abc村", "Ａ村"])
def test_a_village_name_that_normalises_to_another_is_refused_at_init(tmp_path: Path, name: str) -> None:
    site = new_site(tmp_path / "data")
    before = files(site.root)
    with pytest.raises(BadInput, match="含全角字符或小写字母"):
        site.init(NOW, None, [name])
    assert files(site.root) == before


CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    from store.site import Site
    from tests.sites import NOW
    site = Site(__import__("pathlib").Path(sys.argv[1]), environ={})
    with site.store.transaction(site.operator, NOW):
        print("locked", flush=True)
        os.kill(os.getpid(), signal.SIGTSTP)   # Ctrl+Z in the middle of a save
        time.sleep(0.5)
        site.cases.open(site.operator, NOW, "dibao", "城关村", "被 Ctrl+Z 的保存")
    print("released", flush=True)
    """
)


def another_process(script: str, root: Path, ready: str) -> subprocess.Popen[str]:
    """``script`` run by another Python process on ``root``, once it has printed ``ready``."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(root)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        # Its own process group in this session, as a shell's job is: the kernel discards a Ctrl+Z
        # (SIGTSTP) sent to a process in an orphaned group, which is what pytest's group is when the
        # tests run as a detached background job.
        process_group=0,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == ready
    return child


def test_ctrl_z_during_a_save_never_blocks_another_process(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    child = another_process(CHILD, site.root, "locked")
    assert child.stdout is not None
    try:
        other = Site(site.root, environ={}, lock_timeout=5)
        started = time.monotonic()
        saved = other.cases.open(other.operator, NOW, "dibao", "南石村", "另一位同事")
        assert time.monotonic() - started < 5 and saved.number == "南石村-2026-0001"
        for _ in range(100):  # it stops as asked, but only once its save is done and the lock free
            if Path(f"/proc/{child.pid}/stat").read_text().split()[2] == "T":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the Ctrl+Z was lost: the process never stopped")
    finally:
        os.kill(child.pid, signal.SIGCONT)
    assert child.stdout.readline().strip() == "released"
    child.wait(timeout=10)
    assert {c.subject for c in Site(site.root, environ={}).cases.all()} == {"被 Ctrl+Z 的保存", "另一位同事"}


def test_a_lock_wait_names_who_is_saving(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    holder = another_process(
        "import sys, time; from store.site import Site; from tests.sites import NOW; "
        "s = Site(__import__('pathlib').Path(sys.argv[1]), environ={}); "
        "t = s.store.transaction(s.operator, NOW); t.__enter__(); print('held', flush=True); time.sleep(30)",
        site.root,
        "held",
    )
    try:
        waiting = Site(site.root, environ={}, lock_timeout=0.3)
        with pytest.raises(LockTimeout, match=rf"其他同事正在保存（王文书（账号 root，进程 {holder.pid}））"):
            waiting.cases.open(waiting.operator, NOW, "dibao", "城关村", "等待")
    finally:
        holder.kill()
        holder.wait()
