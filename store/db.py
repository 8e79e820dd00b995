"""The data directory: TinyDB partition files, one write lock, transactions, the journal.

Layout of a data directory::

    settings.toml              township, villages, staff, timer overrides
    journal.jsonl              hash-chained log of every change
    cases/<村>/<年>.json        TinyDB file: the records of one village and year
    backups/hourly|daily/      hard-linked earlier versions of each data file
    .lock                      the write lock (flock; the kernel drops it if a process dies)

Writers take the one lock for a whole transaction (milliseconds, never while a form is
open), append the transaction's journal entries, then replace each changed file
atomically. Readers take no lock: they see the old file or the new one, and reload when
a file's (inode, mtime, size) signature changes, so another user's change shows on the
next read. TinyDB's own caches are off (query cache) or bypassed (doc ids are business
sequence numbers allocated under the lock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store import backups, clock, images, overview, resources, roles
from store.errors import (
    BadEnvironment,
    BadInput,
    ClockBehind,
    DataDamaged,
    LockTimeout,
    RecordChangedOutside,
    SchemaTooNew,
    StoreError,
)
from store.files import atomic_write, collector_held, make_dirs, signature, sweep_temp_files
from store.identity import Operator
from store.journal import Journal, canonical, chain, digest, sha256
from store.journal_index import SAVE_AFTER, JournalIndex
from store.lock import FileLock, LockTimeoutError, deferred_signals

W = TypeVar("W")

SCHEMA_VERSION = 1
"""The version of the partition file format this code writes."""

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``MIGRATIONS[n]`` upgrades a partition's raw data from version n-1 to n (none yet)."""

META_TABLE = "_meta"
APPLIED = "applied"
"""The ``_meta`` key holding the journal seq of the last save written into the file."""
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = ".lock"
PARTITIONS_DIR = "cases"


def utf8_names(encoding: str) -> bool:
    """Is ``encoding`` (the filesystem's, as Python sees it) UTF-8?"""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


class SafeStorage(Storage):
    """A TinyDB storage that is safe with several processes and crashes.

    ``read`` serves a cached parse while the file's signature is unchanged. ``write`` only
    keeps the new state in memory, and only inside a transaction; the store writes it to
    disk atomically when the transaction commits.
    """

    def __init__(self, path: Path, store: Store):
        self.path = path
        self.store = store
        self._sig: tuple[int, int, int] | None = None
        self._data: dict[str, Any] | None = None
        self.dirty = False
        self.from_version = SCHEMA_VERSION
        self.overview: tuple[tuple[int, int, int], overview.Overview] | None = None
        """The overview (``store.overview``) of the file with this signature, as last read or written."""

    def read(self) -> dict[str, Any] | None:
        if self.dirty:
            return self._data
        sig = signature(self.path)
        if sig is None:
            self._sig, self._data = None, None
            return None
        if sig != self._sig or self._data is None:
            self._data = self._load()
            self._sig = sig
        return self._data

    @property
    def sig(self) -> tuple[int, int, int] | None:
        """The signature of the file as last read (None: not read, or no file)."""
        return self._sig

    def holds(self) -> bool:
        """Whether the parsed file is held (a read of it costs nothing while it is unchanged)."""
        return self._data is not None

    def release(self) -> None:
        """Let go of the parsed file: the next read parses it again. Never inside a save."""
        if not self.dirty:
            self._sig, self._data = None, None

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
            with collector_held():
                data = orjson.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("顶层不是对象")
        except (OSError, ValueError) as exc:
            raise DataDamaged(
                backups.damaged_message(self.store.root, self.path, str(exc)), path=self.path, reason=str(exc)
            ) from None
        version = int(data.get(META_TABLE, {}).get("1", {}).get("schema_version", 1))
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"数据文件 {self.path} 由更新版本的 cunwu 写入（格式 {version}，本程序支持 {SCHEMA_VERSION}），"
                "请先升级程序；未做任何改动。"
            )
        self.from_version = version
        for target in range(version + 1, SCHEMA_VERSION + 1):
            data = MIGRATIONS[target](data)
        return dict(data)

    def write(self, data: dict[str, Any]) -> None:
        if not self.store.in_transaction:
            raise RuntimeError("写入必须在事务中进行（store.transaction()）")
        self._data = data
        if not self.dirty:
            self.dirty = True
            self.store.mark_dirty(self)

    def mark_applied(self, seq: int) -> None:
        """Note in the file that the journal's changes up to ``seq`` are in it: a record behind the
        journal in a file that says so was not left behind by a save cut off before its file was
        written, but changed afterwards (``Store.applied``)."""
        assert self._data is not None
        self._data.setdefault(META_TABLE, {}).setdefault("1", {})[APPLIED] = seq

    def serialize(self) -> bytes:
        """The in-memory state as the file's bytes: made before the journal entry is written, so
        a state that cannot be stored (an integer beyond 64 bits) is refused with nothing written."""
        assert self._data is not None
        meta = self._data.setdefault(META_TABLE, {})
        meta.setdefault("1", {})["schema_version"] = SCHEMA_VERSION
        try:
            return orjson.dumps(self._data)  # compact: a third fewer bytes to write and fsync per save than indented
        except (TypeError, ValueError, OverflowError) as exc:
            raise BadInput(f"有数值超出可保存的范围（{exc}），请检查输入的人数、金额等。未做任何改动。") from None

    def flush(self, now: dt.datetime, body: bytes, changed: list[str]) -> None:
        """Write ``body`` (``serialize``) to disk (called by the store at commit), then its
        overview: the one of the file as it was, with the records of ``changed`` (the
        transaction's journal targets) read again, or made whole when there is none."""
        before = self.store.overview_of(self, self._sig) if self._sig is not None else None
        make_dirs(self.path.parent, self.store.dir_mode)
        sweep_temp_files(self.path.parent)  # what a killed writer left here: full copies, personal data
        if self.from_version < SCHEMA_VERSION:
            backups.keep_pre_migration(self.store.root, self.path, self.from_version, self.store.dir_mode)
        backups.rotate(self.store.root, self.path, now, self.store.dir_mode)
        atomic_write(self.path, body, self.store.file_mode)
        images.maybe_compact(images.log_path(self.path), len(body), self.store.file_mode)
        self._sig = signature(self.path)
        self.from_version = SCHEMA_VERSION
        self.dirty = False
        assert self._data is not None and self._sig is not None
        if before is None:
            made = overview.build(self._data, self._sig, self.store.recurring)
        else:
            made = overview.update(before, self._data, changed, self._sig)
        overview.write(overview.path_for(self.path), made, self.store.file_mode)
        self.overview = (self._sig, made)

    def discard(self) -> None:
        """Forget an uncommitted state (TinyDB mutates the cached dict in place)."""
        self._data, self._sig, self.dirty, self.overview = None, None, False, None


class Partition:
    """The records of one village and year, in one TinyDB file."""

    def __init__(self, store: Store, village: str, year: int):
        self.village, self.year = village, year
        self.path = store.root / PARTITIONS_DIR / village / f"{year}.json"
        self.storage = SafeStorage(self.path, store)
        storage = self.storage
        self.db = TinyDB(storage=lambda: storage)

    def table(self, name: str) -> Table:
        return self.db.table(name, cache_size=0)

    def next_seq(self, kind: str) -> int:
        """Allocate the next sequence number of ``kind`` (call inside a transaction)."""
        meta = self.table(META_TABLE)
        counters = dict(meta.get(doc_id=1) or {})
        seq = int(counters.get(f"next_{kind}", 1))
        counters[f"next_{kind}"] = seq + 1
        counters["schema_version"] = SCHEMA_VERSION
        counters.setdefault("village", self.village)
        counters.setdefault("year", self.year)
        meta.upsert(Document(counters, doc_id=1))
        return seq


class _Unset:
    pass


UNSET = _Unset()


class Transaction:
    """What one locked unit of work changes; ``record`` adds a journal entry."""

    def __init__(self, store: Store, operator: Operator, now: dt.datetime):
        self.store, self.operator, self.now = store, operator, now
        self.id = uuid.uuid4().hex[:16]
        self.entries: list[dict[str, Any]] = []
        self.images: list[tuple[int, Path, str, bytes]] = []
        """(index into ``entries``, change log, target, the record's canonical bytes)."""
        self.pending: dict[str, str | None] = {}
        """Digests recorded in this transaction, not yet in the journal."""

    def record(
        self,
        action: str,
        target: str,
        after: Any,
        detail: Mapping[str, Any] | None = None,
        *,
        before: str | _Unset | None = UNSET,
    ) -> None:
        """Journal that ``target`` now holds ``after`` (None when removed); refused, and the
        whole transaction with it, when the operator may not make this change (its role, or a
        record of a village outside the account's).

        ``before``: the digest of the record as it was stored before this change (None for a
        new one). It must be what the journal last recorded for it: a record edited by hand is
        never blessed by the save that follows (``RecordChangedOutside``)."""
        roles.check(self.operator, action, village_of(target, after))
        if not isinstance(before, _Unset):
            journaled = self.pending[target] if target in self.pending else self.store.index.digest_of(target)
            if before != journaled:
                raise RecordChangedOutside(target)
        raw = None if after is None else canonical(after)
        held = None if raw is None else sha256(raw)
        entry = entry_for(self.operator, self.now, action, target, held, detail, self.id)
        if not isinstance(before, _Unset):
            entry["before"] = before
        self.entries.append(entry)
        self.pending[target] = held
        log = self.store.change_log(target, after)
        if log is not None and raw is not None:
            self.images.append((len(self.entries) - 1, log, target, raw))


def entry_for(
    operator: Operator,
    now: dt.datetime,
    action: str,
    target: str,
    held: str | None,
    detail: Mapping[str, Any] | None,
    txn: str,
) -> dict[str, Any]:
    """A journal entry (before it is chained): who, with the name and role they had at that
    moment, and the digest of what ``target`` holds now (``held``, None when it holds nothing)."""
    return {
        "ts": now.isoformat(timespec="seconds"),
        "os_user": operator.account,
        "operator": operator.name,
        "role": operator.role,
        "ssh": operator.ssh_client,
        "action": action,
        "target": target,
        "digest": held,
        "detail": dict(detail or {}),
        "txn": txn,
    }


def _image_line(seq: int, target: str, raw: bytes) -> bytes:
    """``images.encode(seq, target, record)`` from the record's canonical bytes (keys sorted:
    record, seq, target), without encoding the record twice."""
    return b'{"record":' + raw + b',"seq":' + str(seq).encode() + b',"target":' + canonical(target) + b"}\n"


def place_of(target: str) -> tuple[str, int] | None:
    """(village, year) of the data file a record number's target lives in (``case:城关村-2026-0001``
    → 城关村, 2026); None when the target is no record number."""
    village, _, year = target.partition(":")[2].rpartition("-")[0].rpartition("-")
    return (village, int(year)) if village and year.isdigit() else None


def records_of(data: Any, tables: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The records a data file's raw JSON holds, by journal target; ``tables``: table → kind."""
    out: dict[str, dict[str, Any]] = {}
    for table, kind in tables.items():
        docs = data.get(table) if isinstance(data, Mapping) else None
        for doc in docs.values() if isinstance(docs, dict) else ():
            if isinstance(doc, dict) and isinstance(doc.get("number"), str):
                out[f"{kind}:{doc['number']}"] = doc
    return out


def village_of(target: str, record: Any) -> str | None:
    """The village a journaled record belongs to (None for the settings, a backup ...)."""
    if isinstance(record, Mapping) and isinstance(record.get("village"), str):
        return str(record["village"])
    kind, _, key = target.partition(":")
    if kind in ("settings", "backup", "restore") or "-" not in key:
        return None
    return key.rsplit("-", 2)[0] if key.count("-") >= 2 else None


class Store:
    """One data directory."""

    clock_guard = True
    """Refuse writes with a clock behind the newest journal entry (``_check_clock``). The test
    suite turns it off for tests whose made-up history runs ahead of the dates they then use
    (tests/conftest.py); the tests of the guard turn it back on."""

    def __init__(self, root: Path, *, lock_timeout: float = 10.0, group_shared: bool = False):
        encoding = sys.getfilesystemencoding()
        if not utf8_names(encoding):
            # Village names are folder names: under GBK (LC_ALL=zh_CN.GBK) "城关村" would be written
            # as other bytes, making a second folder that splits the village's records.
            raise BadEnvironment(
                f"文件名编码是 {encoding}，不是 UTF-8：村名文件夹会被写成另一个名字，把一个村的记录分成两处。"
                "未做任何改动。请在 UTF-8 环境中运行（LANG=zh_CN.UTF-8 或 C.UTF-8），或用 python -X utf8。"
            )
        self.root = root
        self.file_mode = 0o660 if group_shared else 0o600
        self.dir_mode = 0o2770 if group_shared else 0o700
        make_dirs(root, self.dir_mode)
        self.journal = Journal(root / JOURNAL_FILE, self.file_mode)
        self.lock_timeout = lock_timeout
        self._lock = FileLock(root / LOCK_FILE, lock_timeout, self.file_mode)
        self._partitions: dict[tuple[str, int], Partition] = {}
        self._dirty: list[SafeStorage] = []
        self._depth = 0
        self._txn: Transaction | None = None
        self.tables: dict[str, str] = {}
        """``table → kind`` of the record books kept in the data files."""
        self.resolvers: dict[str, Callable[[str], Any]] = {}
        """``kind → (key → current record or None)``, for journal recovery and verify."""
        self.index = JournalIndex(root / JOURNAL_FILE)
        """What the journal last recorded of each record (refreshed under the lock)."""
        self.skipped: dict[Path, StoreError] = {}
        """Damaged data files a listing of several villages left out (file → why), for the
        command or screen to say which villages are missing."""
        self.viewer: Operator | None = None
        """Whose reads these are: record books show only the villages this account may see
        (``store.roles.sees``); None for the whole-directory reads of verify and restore."""
        self.recurring: frozenset[str] = frozenset()
        """The matters with a recurring duty, whose steps' days the overviews keep (set by the Site
        from its catalogue)."""
        self.who: Callable[[], Operator] | None = None
        """The session's operator as the settings say *now* (``Site.refresh``): a role taken
        away, an account removed or moved to another village counts from the next read or
        save of a session that is already open."""

    def refresh_viewer(self) -> None:
        """Bring ``viewer`` up to date with the settings (a stat when nothing changed)."""
        if self.who is not None:
            self.viewer = self.who()

    def visible(self, village: str) -> bool:
        """May the viewer read the records of ``village``?"""
        return self.viewer is None or roles.sees(self.viewer, village)

    def require_visible(self, village: str) -> None:
        """Refuse (``roles.out_of_scope``) a village the viewer, as the settings say now, may not see."""
        self.refresh_viewer()
        if self.viewer is not None and not roles.sees(self.viewer, village):
            raise roles.out_of_scope(self.viewer, village)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def mark_dirty(self, storage: SafeStorage) -> None:
        self._dirty.append(storage)

    def partition(self, village: str, year: int) -> Partition:
        key = (village, year)
        if key not in self._partitions:
            self._partitions[key] = Partition(self, village, year)
        return self._partitions[key]

    def forget(self, village: str, year: int) -> None:
        """Drop what this process holds of a data file replaced outside a save (a repair)."""
        partition = self._partitions.pop((village, year), None)
        if partition is not None:
            partition.storage.discard()

    def overview_of(self, storage: SafeStorage, sig: tuple[int, int, int]) -> overview.Overview | None:
        """The overview of ``storage``'s file with signature ``sig`` if this process holds it or
        its file on disk is of that file (None: it is to be made from the data)."""
        held = storage.overview
        if held is not None and held[0] == sig and held[1]["recurring"] == sorted(self.recurring):
            return held[1]
        return overview.read(overview.path_for(storage.path), sig, self.recurring)

    def overview_for(self, partition: Partition) -> overview.Overview:
        """What home and the work list need of one data file (``store.overview``): its overview
        file while that was made from the file as it is now, else made from the data (raising
        the data file's ``DataDamaged`` as a read of its records would). Not kept: what is
        worked out of it is (``store.worklist``); 100 parsed overviews took 21 MB at 50,000 cases."""
        storage = partition.storage
        if storage.dirty:  # read inside a save: what it has changed so far
            return overview.build(storage.read() or {}, None, self.recurring)
        sig = signature(partition.path)
        if sig is None:
            return overview.build({}, None, self.recurring)
        found = self.overview_of(storage, sig)
        if found is None:
            data = storage.read() or {}
            made_from = storage.sig or sig
            found = overview.build(data, made_from, self.recurring)
            # Kept for the next reader (a file from before overviews, or from an older version of
            # them, whose year sees no more saves): made from what was read, so a save since
            # leaves it stale, never wrong.
            overview.write(overview.path_for(partition.path), found, self.file_mode)
            storage.overview = (made_from, found)
        return found

    def visible_partitions(self, village: str | None = None) -> list[Partition]:
        """The data files of ``village``, or of every village the viewer may see (a village
        outside the viewer's is refused)."""
        if village:
            self.require_visible(village)
        else:
            self.refresh_viewer()
        return [p for p in self.partitions() if (not village or p.village == village) and self.visible(p.village)]

    def overview_or_skip(self, partition: Partition, village: str | None) -> overview.Overview | None:
        """``overview_for``; a damaged data file stops a listing of its own ``village``, and one of
        several villages (``village`` None) leaves it out and notes it in ``skipped``."""
        try:
            return self.overview_for(partition)
        except (DataDamaged, SchemaTooNew) as exc:
            if village:
                raise
            self.skipped[partition.path] = exc
            return None

    def by_file(
        self,
        kept: dict[tuple[object, ...], W],
        stamp: tuple[object, ...],
        make: Callable[[str, overview.Overview], W],
        village: str | None = None,
        year: int | None = None,
    ) -> list[W]:
        """``make(village, overview)`` of every data file of ``village`` (of every village the
        viewer sees when None; of ``year`` only, when given), in order, kept in ``kept`` by the
        file's village, year and signature and ``stamp`` (the day …): a file not saved since is
        neither read nor worked out again. A damaged file is left out as ``overview_or_skip``
        says. When every file was looked at, ``kept`` holds only what is current."""
        fresh: dict[tuple[object, ...], W] = {}
        out: list[W] = []
        with collector_held():  # the overviews and what is made of them hold no cycles
            for partition in self.visible_partitions(village):
                if year is not None and partition.year != year:
                    continue
                sig = signature(partition.path)
                key = (partition.village, partition.year, sig, *stamp)
                if sig is not None and key in kept:
                    part = kept[key]
                else:
                    found = self.overview_or_skip(partition, village)
                    if found is None:
                        continue
                    part = make(partition.village, found)
                if sig is not None:
                    fresh[key] = part
                out.append(part)
        if village is None and year is None:
            kept.clear()  # files saved since, and what they were, are dropped
        kept.update(fresh)
        return out

    def partitions(self) -> list[Partition]:
        """Every partition on disk, by village then year."""
        base = self.root / PARTITIONS_DIR
        if not base.is_dir():
            return []
        found = []
        for village_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for file in sorted(village_dir.glob("*.json")):
                if file.stem.isdigit():
                    found.append(self.partition(village_dir.name, int(file.stem)))
        return found

    @contextlib.contextmanager
    def transaction(
        self, operator: Operator, now: dt.datetime, *, supervision: bool = False, clock_checked: bool = True
    ) -> Iterator[Transaction]:
        """Hold the write lock for one unit of work; commit it whole, or not at all.

        A read-only (监委会) operator gets no transaction at all unless it is for
        ``supervision`` (an opinion, a countersignature, a backup), so the refusal comes
        before any other check; each journal entry is checked again in ``Transaction.record``.
        """
        roles.check_start(operator, supervision)
        if self._txn is not None:
            self._depth += 1
            try:
                yield self._txn
            finally:
                self._depth -= 1
            return
        # Ctrl+Z, Ctrl+C or a dropped session take effect once the lock is free again.
        with deferred_signals():
            try:
                with resources.guard(self._lock.path):  # no permission, a read-only disk: this save stops
                    self._lock.acquire(
                        f"{operator.name or operator.account}（账号 {operator.account}，进程 {os.getpid()}）"
                    )
            except LockTimeoutError as exc:
                raise LockTimeout(exc.holder) from None
            self._depth = 1
            try:
                yield from self._locked(operator, now, supervision, clock_checked)
            finally:
                self._depth = 0
                self._lock.release()

    def _locked(
        self, operator: Operator, now: dt.datetime, supervision: bool, clock_checked: bool = True
    ) -> Iterator[Transaction]:
        # Under the lock, the operator as the settings say now: a session opened before its
        # account was removed, demoted or moved works only as what it is now.
        fresh = self.who() if self.who is not None else operator
        if fresh.account == operator.account:
            operator = fresh
            roles.check_start(operator, supervision)
        if clock_checked:
            self._check_clock(now)
        self._recover(operator, now)
        self.index.refresh()
        txn = self._txn = Transaction(self, operator, now)
        try:
            yield txn
            self._commit(txn)
            if self.index.unsaved > SAVE_AFTER:  # the next process reads the journal from here
                self.index.refresh()
                self.index.save(self.file_mode)
        except BaseException:
            for storage in self._dirty:
                storage.discard()
            raise
        finally:
            self._dirty.clear()
            self._txn = None

    def _commit(self, txn: Transaction) -> None:
        # Journal first (write-ahead), then the data files, then the new chain head to the anchor
        # (last, so that an anchor that cannot be written never leaves a journal entry without its data).
        from store import anchor

        planned = chain(txn.entries, self.journal.last())
        if planned:
            for storage in self._dirty:
                storage.mark_applied(planned[-1]["seq"])
        bodies = [(storage, storage.serialize()) for storage in self._dirty]  # refused here writes nothing
        # The after-images first: a journal entry is never without what rebuilds its change.
        sizes = self.write_images(txn, planned)
        try:
            self.journal.write(planned)  # chained once, above: under the lock nobody appends meanwhile
        except BaseException:
            images.cut_back(sizes)  # a save that did not happen leaves no image of it either
            raise
        changed = [str(e["target"]) for e in planned]
        for storage, body in bodies:
            storage.flush(txn.now, body, changed)
        anchor.after_commit(self, planned)

    def write_images(self, txn: Transaction, chained: list[dict[str, Any]]) -> dict[Path, int]:
        """Append the after-images of ``txn``'s records, numbered as ``chained`` (its entries
        chained), before those entries are written; then forget them. Returns each log's size
        before, for ``images.cut_back`` when the journal entries cannot be written."""
        lines = [(log, _image_line(chained[i]["seq"], target, raw)) for i, log, target, raw in txn.images]
        sizes: dict[Path, int] = {}
        try:
            for log, body in images.group(lines).items():
                make_dirs(log.parent, self.dir_mode)
                sizes[log] = images.append(log, self._seed(log) + body, self.file_mode)
        except BaseException:
            images.cut_back(sizes)
            raise
        txn.images.clear()
        return sizes

    def _seed(self, log: Path) -> bytes:
        """For a data file that has no change log yet (written before there were any): every record
        it holds, so that the log alone can rebuild the file (seq 0: as of this save)."""
        data_file = log.with_name(log.name.removesuffix(images.SUFFIX) + ".json")
        if log.exists() or not data_file.exists():
            return b""
        try:
            data = orjson.loads(data_file.read_bytes())
        except (OSError, ValueError):
            return b""  # a damaged file is repaired from its backups
        return b"".join(images.encode(0, target, doc) for target, doc in records_of(data, self.tables).items())

    def applied(self, target: str) -> int | None:
        """The journal seq of the last save written into the data file of record ``target``
        (None: no such file, a file from before the mark, or not a record in a data file)."""
        place = place_of(target)
        if place is None or target.partition(":")[0] not in self.tables.values():
            return None
        village, year = place
        if not (self.root / PARTITIONS_DIR / village / f"{year}.json").exists():
            return None
        data = self.partition(village, year).storage.read() or {}
        meta = data.get(META_TABLE, {}).get("1", {})
        value = meta.get(APPLIED) if isinstance(meta, dict) else None
        return value if isinstance(value, int) else None

    def cut_off(self, entry: Mapping[str, Any], held: str | None) -> bool:
        """Is a record that holds ``held`` instead of what journal ``entry`` says explained by that
        save being cut off before its data file was written? It must still hold what it held
        before the entry, in a file not written since."""
        if "before" in entry and held != entry["before"]:
            return False
        applied = self.applied(str(entry["target"]))
        return applied is None or applied < int(entry["seq"])

    def change_log(self, target: str, record: Any) -> Path | None:
        """The after-image log of the data file ``record`` lives in (None: not a partition record)."""
        kind = target.partition(":")[0]
        if kind not in self.resolvers or kind == "settings" or not isinstance(record, Mapping):
            return None
        village, year = record.get("village"), record.get("year")
        if not isinstance(village, str) or not isinstance(year, int) or not village:
            return None
        return images.log_path(self.root / PARTITIONS_DIR / village / f"{year}.json")

    def _check_clock(self, now: dt.datetime) -> None:
        """Refuse to write with a clock set back behind the newest journal entry: dates taken
        then (a 公示 posted, a case numbered in last year) would be wrong."""
        last = self.journal.last() if self.clock_guard else None
        if last is not None and clock.behind(str(last.get("ts", "")), now) is not None:
            raise ClockBehind(str(last["ts"]), now.isoformat(timespec="seconds"))

    def current_digest(self, target: str) -> str | None:
        """The digest of what ``target`` holds now (None when it does not exist)."""
        kind, _, key = target.partition(":")
        resolver = self.resolvers.get(kind)
        if resolver is None:
            return None
        record = resolver(key)
        return None if record is None else digest(record)

    def _recover(self, operator: Operator, now: dt.datetime) -> None:
        """Bring journal and data back in step after a process died mid-transaction."""
        from store import restore_commit  # first: finish or undo a restore that stopped part-way

        restore_commit.recover(self)
        sweep_temp_files(self.root)
        for partition in self._partitions.values():
            sweep_temp_files(partition.path.parent)
        self.journal.drop_torn_tail()
        last = self.journal.last()
        if last is None or last["action"] == "recovered":
            return
        txn = Transaction(self, operator, now)
        for entry in self.journal.recent(last["txn"]):
            try:
                current = self.current_digest(entry["target"])
            except (DataDamaged, SchemaTooNew):
                continue  # a damaged file is named when it is read; restore must still be able to run
            except StoreError:
                # A target that cannot even be read back (a record number from before numbers were
                # checked): recorded and left to verify, never a refusal of every later save.
                reason = {
                    "unapplied_seq": entry["seq"],
                    "reason": "上一次保存的记录编号无法读取，未能核对，请管理员校验数据",
                }
                txn.entries.append(entry_for(operator, now, "recovered", entry["target"], None, reason, txn.id))
                continue

            if current == entry["digest"]:
                continue
            if not self.cut_off(entry, current):
                # Not a save cut off before its file was written (the record holds something else,
                # or its file was written after that save): edited by hand since. Recording it as
                # "recovered" would bless the edit; verify names it, repair puts it back.
                continue
            reason = {"unapplied_seq": entry["seq"], "reason": "上一次保存中断，该项改动未写入数据"}
            txn.entries.append(entry_for(operator, now, "recovered", entry["target"], current, reason, txn.id))
        self.journal.append(txn.entries)

    def _overviews_made(
        self, village: str | None = None
    ) -> Iterator[tuple[Partition, tuple[int, int, int], Path, overview.Overview | None, overview.Overview]]:
        """For every readable data file (of ``village``): the file, its signature as read, its
        overview's path, that overview if it was made from the file as it is now (else None), and
        the overview made from the file. A damaged file is left to check_files and to repair."""
        for partition in self.partitions():
            if village is not None and partition.village != village:
                continue
            try:
                data = partition.storage.read()
            except (DataDamaged, SchemaTooNew):
                continue
            sig = partition.storage._sig
            if data is None or sig is None:
                continue
            path = overview.path_for(partition.path)
            yield (
                partition,
                sig,
                path,
                overview.read(path, sig, self.recurring),
                overview.build(data, sig, self.recurring),
            )

    def overview_problems(self) -> list[str]:
        """Overviews that say something else than the data file they were made from, as it is now
        (a hand-made or changed one: home and ``due`` would list what the records do not say),
        for verify. An overview made from another version of its file is not read: no problem."""
        return [
            f"概览文件 {path} 与数据文件 {partition.path} 不符（可能被直接改动）：首页和到期提醒会据此列错。"
            "管理员修复数据时会重新生成它（数据记录不受影响）。"
            for partition, _sig, path, found, made in self._overviews_made()
            if found is not None and found != made
        ]

    def rewrite_overviews(self, village: str | None = None) -> list[Path]:
        """Write the overview of every data file (of ``village``) again from the file, where it is
        missing, made from another version or says something else (repair, under the lock);
        returns the overviews written."""
        written = []
        for partition, sig, path, found, made in self._overviews_made(village):
            if found != made:
                overview.write(path, made, self.file_mode)
                written.append(path)
            partition.storage.overview = (sig, made)
        return written

    def check_files(self) -> list[str]:
        """Problems with the data files (each parse failure named), for verify."""
        problems = []
        for partition in self.partitions():
            try:
                partition.storage.read()
            except (DataDamaged, SchemaTooNew) as exc:
                problems.append(str(exc))
        return problems
