"""Carrying a restore out, all or nothing: the new files are staged beside their targets
(fsynced), a manifest names them, the ``restored`` entries are journaled (write-ahead: the
commit point), then the files are renamed into place. A process that dies on the way leaves
the manifest: the next transaction (``recover``, run first by ``Store._recover``) finishes the
restore when the journal holds its entries and undoes it otherwise. Every file replaced or
moved away is kept under ``backups/pre-restore``. The journal itself is never rolled back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import anchor as anchor_mod
from store import backups, resources
from store.archive import expected_name
from store.db import JOURNAL_FILE, Store, Transaction
from store.errors import DataDamaged
from store.files import atomic_write, fsync_dir, make_dirs
from store.journal import Journal, canonical, chain, scan

if TYPE_CHECKING:
    from store.restore import Plan
    from store.site import Site

MANIFEST = "restore-pending.json"
"""A restore under way: what is staged where (``recover``)."""
STAGED = ".restore-"
ASIDE = (backups.BACKUP_DIR, "pre-restore")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# ----------------------------------------------------------------------------- carrying it out


def stage_and_journal(site: Site, txn: Transaction, plan: Plan, now: dt.datetime) -> None:
    """Inside the restore's transaction: the journal entries (role-checked), the manifest, the
    staged files; then the commit point — the journal (appended by the transaction's commit,
    or, for a lost directory, the archive's journal with the entries renamed into place)."""
    store, root = site.store, site.root
    summary = {
        "from": plan.source,
        "added": len(plan.added),
        "changed": len(plan.changed),
        "removed": len(plan.removed),
        "files": plan.files,
    }
    if plan.lost:
        summary["anchor"] = plan.anchor_note
    for target, after, detail in plan.entries:
        txn.record("restored", target, after, detail)
    txn.record("restore", f"restore:{plan.source}", None, summary)
    if plan.lost:
        base: Mapping[str, Any] | None = plan.journal[-1]
        entries = list(txn.entries)
        txn.entries.clear()  # they go into the new journal below, after the archive's
    else:
        base, entries = store.journal.last(), txn.entries
    chained = chain(entries, base)
    if plan.lost:
        store.write_images(txn, chained)  # the new journal's entries; the transaction commits none
    stamp = f"{now.strftime('%Y%m%d%H%M%S')}-{txn.id[:8]}"
    staged: dict[str, bytes] = {}
    steps: list[dict[str, Any]] = []
    if plan.lost:
        body = b"".join(canonical(e) + b"\n" for e in plan.journal)
        staged[JOURNAL_FILE] = body
        steps.append(_step("journal", JOURNAL_FILE, txn.id, stamp, body))
    for rel, raw in sorted(plan.writes.items()):
        staged[rel] = raw
        steps.append(_step("replace", rel, txn.id, stamp, raw))
    steps += [_step("remove", rel, txn.id, stamp) for rel in plan.removes]
    manifest = {
        "version": 1,
        "txn": txn.id,
        "seq": chained[-1]["seq"],
        "head": chained[-1]["hash"],
        "source": plan.source,
        "anchor": plan.lost,
        "steps": steps,
    }
    atomic_write(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"), plan.file_mode)
    try:
        for step in steps:
            if "staged" in step:
                target = root / step["staged"]
                make_dirs(target.parent, plan.dir_mode)
                _write_new(target, staged[step["target"]], plan.file_mode)
        if plan.lost:
            Journal(root / steps[0]["staged"], plan.file_mode).append(entries)
            os.replace(root / steps[0]["staged"], root / JOURNAL_FILE)  # the commit point
    except BaseException:
        _roll_back(root, manifest)
        raise
    if plan.lost:
        fsync_dir(root)
        assert store.journal.last() == chained[-1]


def _step(op: str, rel: str, txn: str, stamp: str, body: bytes | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"op": op, "target": rel}
    if body is not None:
        folder, _, file = rel.rpartition("/")
        step["staged"] = f"{folder + '/' if folder else ''}{STAGED}{txn}-{file}"
        step["sha256"] = hashlib.sha256(body).hexdigest()
    if op != "journal":
        step["aside"] = "/".join([*ASIDE, f"{backups.SEP.join(rel.split('/'))}.{stamp}"])
    return step


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """A new staged file (removed again by ``_roll_back`` when this or a later step fails)."""
    with resources.guard(path, resources.RESTORE):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
        try:
            os.fchmod(fd, mode)
            resources.full_write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)


def recover(store: Store) -> None:
    """Finish or undo a restore that stopped part-way (called first by ``Store._recover``,
    under the write lock): finished when the journal holds its entries, undone otherwise."""
    path = store.root / MANIFEST
    if not path.exists():
        return
    try:
        manifest = _valid_manifest(json.loads(path.read_bytes().decode("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError):
        aside = store.root.joinpath(*ASIDE)
        make_dirs(aside, store.dir_mode)
        os.replace(path, aside / f"{MANIFEST}.invalid-{os.getpid()}")
        return
    if _committed(store.journal, manifest["seq"], manifest["head"]):
        _roll_forward(store, manifest)
    else:
        _roll_back(store.root, manifest)


def _valid_manifest(value: Any) -> dict[str, Any]:
    """A manifest whose every path is one a restore writes (the data directory may be shared)."""
    if not isinstance(value, dict) or value.get("version") != 1:
        raise ValueError("manifest")
    txn, seq, head, steps = value.get("txn"), value.get("seq"), value.get("head"), value.get("steps")
    if not (isinstance(txn, str) and re.fullmatch(r"[0-9a-f]{8,32}", txn)):
        raise ValueError("txn")
    if not (isinstance(seq, int) and isinstance(head, str) and _HEX64.match(head) and isinstance(steps, list)):
        raise ValueError("head")
    for step in steps:
        if not isinstance(step, dict) or step.get("op") not in ("journal", "replace", "remove"):
            raise ValueError("step")
        rel = step.get("target")
        if not isinstance(rel, str) or not expected_name(rel) or (rel == JOURNAL_FILE) != (step["op"] == "journal"):
            raise ValueError("target")
        expected = {"op", "target"}
        if step["op"] != "remove":
            expected |= {"staged", "sha256"}
            folder, _, file = rel.rpartition("/")
            if step.get("staged") != f"{folder + '/' if folder else ''}{STAGED}{txn}-{file}":
                raise ValueError("staged")
            if not (isinstance(step.get("sha256"), str) and _HEX64.match(step["sha256"])):
                raise ValueError("sha256")
        if step["op"] != "journal":
            expected.add("aside")
            aside = step.get("aside")
            prefix = "/".join(ASIDE) + "/"
            if not (isinstance(aside, str) and aside.startswith(prefix) and "/" not in aside[len(prefix) :]):
                raise ValueError("aside")
            if aside[len(prefix) :] in ("", ".", ".."):
                raise ValueError("aside")
        if set(step) != expected:
            raise ValueError("keys")
    return value


def _committed(journal: Journal, seq: int, head: str) -> bool:
    last = journal.last()
    if last is None or last["seq"] < seq:
        return False
    if last["seq"] == seq:
        return bool(last["hash"] == head)
    entries, _ = scan(journal.path)
    return len(entries) >= seq and entries[seq - 1]["hash"] == head


def _roll_forward(store: Store, manifest: Mapping[str, Any]) -> None:
    root = store.root
    for step in manifest["steps"]:
        target = root / step["target"]
        if step["op"] == "remove":
            if target.exists():
                _keep(root, target, root / step["aside"], store.dir_mode)
                target.unlink()
                fsync_dir(target.parent)
            continue
        staged = root / step["staged"]
        if not staged.exists():
            continue  # already in place
        if hashlib.sha256(staged.read_bytes()).hexdigest() != step["sha256"]:
            raise DataDamaged(
                f"恢复未能完成：暂存文件 {staged} 与恢复记录 {root / MANIFEST} 不符（可能被改动）。"
                f"请管理员查明后删除这两个文件，再核验日志。"
            )
        if step["op"] == "replace" and target.exists():
            _keep(root, target, root / step["aside"], store.dir_mode)
        os.replace(staged, target)
        fsync_dir(target.parent)
    (root / MANIFEST).unlink()
    fsync_dir(root)
    if manifest["anchor"]:
        last = store.journal.last()
        if last is not None:
            anchor_mod.after_commit(store, [last])


def _keep(root: Path, target: Path, aside: Path, dir_mode: int) -> None:
    """Keep the version being replaced or removed under backups/pre-restore (a hard link)."""
    make_dirs(aside.parent, dir_mode)
    if not aside.exists():
        os.link(target, aside)


def _roll_back(root: Path, manifest: Mapping[str, Any]) -> None:
    for step in manifest["steps"]:
        if "staged" in step:
            with contextlib.suppress(FileNotFoundError):
                (root / step["staged"]).unlink()
    with contextlib.suppress(FileNotFoundError):
        (root / MANIFEST).unlink()
    fsync_dir(root)
