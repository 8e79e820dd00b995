"""Numbered records kept in the village-year partitions: cases, meetings, notices, seal uses.

A record's number is ``村名-年份-前缀序号`` (``城关村-2026-0012`` for a case,
``城关村-2026-HY0003`` for a meeting), allocated under the write lock from the partition's
counter for that kind; it never depends on TinyDB's doc_id. Every record carries ``rev``
and is journaled on every change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from tinydb.table import Document

from store.db import PARTITIONS_DIR, Partition, Store, Transaction
from store.errors import BadInput, Conflict, DataDamaged, NotFound, SchemaTooNew
from store.identity import who_did
from store.journal import digest

FIRST_YEAR = 2000
"""No record is dated before this year (nor more than a year ahead)."""
_NUMBER = re.compile(r"^(?P<village>.+)-(?P<year>\d{4})-(?P<prefix>[A-Z]*)(?P<seq>\d+)$")


@dataclass(frozen=True, slots=True)
class RecordNumber:
    village: str
    year: int
    prefix: str
    seq: int

    def __str__(self) -> str:
        return f"{self.village}-{self.year}-{self.prefix}{self.seq:04d}"

    @classmethod
    def parse(cls, text: str, prefix: str, what: str) -> RecordNumber:
        """Read a number as typed (full-width characters accepted); its prefix must be ``prefix``."""
        clean = unicodedata.normalize("NFKC", text or "").strip().upper().replace("—", "-")
        match = _NUMBER.match(clean)
        example = f"城关村-2026-{prefix}0001"
        if match is None or match["prefix"] != prefix:
            raise BadInput(f"{what}编号“{text}”格式不对，应为 村名-年份-{prefix}序号，如 {example}")
        return cls(match["village"], int(match["year"]), prefix, int(match["seq"]))


def prefix_of(number: str) -> str:
    """The kind letters of a record number: HY, GS, YY, YJ, or "" for a case."""
    tail = number.strip().rsplit("-", 1)[-1]
    return "".join(ch for ch in tail if ch.isalpha()).upper()


class RecordBook:
    """All records of one kind."""

    def __init__(self, store: Store, kind: str, table: str, prefix: str, what: str):
        self.store, self.kind, self.table, self.prefix, self.what = store, kind, table, prefix, what
        store.resolvers[kind] = self.raw
        store.tables[table] = kind

    def number(self, text: str) -> RecordNumber:
        return RecordNumber.parse(text, self.prefix, self.what)

    def target(self, number: str) -> str:
        return f"{self.kind}:{number}"

    def _partition(self, number: RecordNumber) -> Partition:
        return self.store.partition(number.village, number.year)

    def raw(self, text: str) -> dict[str, Any] | None:
        """The stored record, or None."""
        number = self.number(text)
        if not (self.store.root / PARTITIONS_DIR / number.village / f"{number.year}.json").exists():
            return None
        doc = self._partition(number).table(self.table).get(doc_id=number.seq)
        # A copy all the way down: a caller changing a step in place must not change the stored
        # record too (a save compares what is stored with the journal before it changes it).
        return orjson.loads(orjson.dumps(doc)) if doc is not None else None

    def get(self, text: str) -> dict[str, Any]:
        """The record, if the store's viewer may see its village (``Store.viewer``)."""
        number = self.number(text)
        self.store.require_visible(number.village)
        record = self.raw(text)
        if record is None:
            raise NotFound(f"没有编号为“{number}”的{self.what}")
        return record

    def in_village(self, village: str | None, year: int | None = None) -> list[dict[str, Any]]:
        """Every record of ``village`` (all the viewer may see when None), of the data file of
        ``year`` when given (the year in the record's number); a village outside the viewer's is
        refused, never answered with an empty list, and so is a village whose data file is damaged."""
        if not village:
            return self.all(year=year)
        out: list[dict[str, Any]] = []
        for partition in self.store.visible_partitions(village):
            if year in (None, partition.year):
                out += (partition.storage.read() or {}).get(self.table, {}).values()
        return out

    def all(
        self, *, skip_damaged: bool | None = None, every_village: bool = False, year: int | None = None
    ) -> list[dict[str, Any]]:
        """Every record of this kind in the villages the store's viewer may see (all of them
        with ``every_village``, for verify and restore), as the storage holds them: **read-only**
        (no copies, so that listing 10,000 cases costs no extra memory); change records
        through ``for_update``.

        A damaged data file stops only its own village: a listing of several villages leaves
        it out and notes it in ``Store.skipped`` (``skip_damaged`` None, the default, unless
        ``every_village``); verify and restore decide for themselves. ``year``: only the data files
        of that year (a closed year is read only when it is asked for)."""
        skip = (not every_village) if skip_damaged is None else skip_damaged
        out: list[dict[str, Any]] = []
        for partition in self.store.partitions() if every_village else self.store.visible_partitions():
            if year not in (None, partition.year):
                continue
            try:
                tables = partition.storage.read() or {}
            except (DataDamaged, SchemaTooNew) as exc:
                if not skip:
                    raise
                self.store.skipped[partition.path] = exc
                continue
            out += tables.get(self.table, {}).values()
        return out

    def insert(
        self,
        txn: Transaction,
        village: str,
        year: int,
        fields: dict[str, Any],
        action: str,
        detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Allocate a number and store a new record (inside ``txn``)."""
        if not FIRST_YEAR <= year <= txn.now.year + 1:
            # A year typed as 0001 made 城关村-1-HY0001, a number that cannot be read back.
            raise BadInput(
                f"{self.what}的日期在 {year} 年：应在 {FIRST_YEAR} 年到明年之间，请检查输入的日期。未做任何改动。"
            )
        partition = self.store.partition(village, year)
        seq = partition.next_seq(self.kind)
        # A number the journal has named (a `new` interrupted after its entry was written) is
        # never given out again.
        while self.store.index.known(self.target(str(RecordNumber(village, year, self.prefix, seq)))):
            seq = partition.next_seq(self.kind)
        number = str(RecordNumber(village, year, self.prefix, seq))
        stamp = txn.now.isoformat(timespec="seconds")
        record = {
            "number": number,
            "village": village,
            "year": year,
            "seq": seq,
            **fields,
            "rev": 1,
            "created_at": stamp,
            **_signed("created", txn),
            "updated_at": stamp,
            **_signed("updated", txn),
        }
        from store import codec  # the record rules: on a save, not at start-up

        codec.check(self.kind, record, None, txn.now, self._resolve)  # refused: nothing stored or journaled
        partition.table(self.table).insert(Document(record, doc_id=seq))
        txn.record(action, self.target(number), record, detail, before=None)
        return record

    def _resolve(self, kind: str, number: str) -> dict[str, Any] | None:
        resolver = self.store.resolvers.get(kind)
        return resolver(number) if resolver is not None else None

    def for_update(self, text: str, expected_rev: int | None) -> dict[str, Any]:
        """The record to change, refusing a stale ``expected_rev`` with a Conflict."""
        record = self.get(text)
        if expected_rev is not None and record["rev"] != expected_rev:
            by, at = who_did(record, "updated_by"), str(record.get("updated_at", ""))
            raise Conflict(
                f"{self.what} {record['number']} 已被 {by} 于 {at} 修改"
                f"（你打开的是第 {expected_rev} 版，现在是第 {record['rev']} 版）。请重新打开查看最新内容后再办理。",
                number=str(record["number"]),
                expected_rev=expected_rev,
                current_rev=int(record["rev"]),
                by=by,
                at=at,
            )
        return record

    def attach(self, txn: Transaction, number: str, village: str, case: str, step: str) -> dict[str, Any]:
        """Link a record to the case step that produced it (inside the case's transaction)."""
        record = self.get(number)
        if record["village"] != village:
            raise BadInput(f"{self.what} {record['number']} 属于{record['village']}，不是{village}")
        if record["case"] and (record["case"], record["step"]) != (case, step):
            raise BadInput(f"{self.what} {record['number']} 已关联办件 {record['case']}")
        record.update(case=case, step=step)
        self.save(txn, record, f"{self.kind}.link", {"case": case, "step": step})
        return record

    def save(self, txn: Transaction, record: dict[str, Any], action: str, detail: dict[str, Any] | None = None) -> None:
        """Store a changed record with the next rev (inside ``txn``)."""
        record["rev"] = int(record["rev"]) + 1
        record["updated_at"] = txn.now.isoformat(timespec="seconds")
        record.update(_signed("updated", txn))
        number = self.number(record["number"])
        table = self._partition(number).table(self.table)
        stored = table.get(doc_id=number.seq)
        before = None if stored is None else digest(stored)
        from store import codec

        codec.check(self.kind, record, stored, txn.now, self._resolve)  # what changed, before it is stored
        table.update(_replace_with(record), doc_ids=[number.seq])  # type: ignore[arg-type]
        txn.record(action, self.target(record["number"]), record, detail, before=before)


def _signed(what: str, txn: Transaction) -> dict[str, str]:
    """``created_by``/``updated_by`` with the name and role the account had at that moment."""
    stamp = txn.operator.stamp()
    return {f"{what}_by": stamp["by"], f"{what}_by_name": stamp["by_name"], f"{what}_by_role": stamp["by_role"]}


def _replace_with(record: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc.clear()
        doc.update(record)

    return apply


def parse_date(text: str, what: str) -> dt.date:
    """A date as typed: 2026-11-27, 2026/11/27, 2026年11月27日 (full-width digits accepted)."""
    clean = unicodedata.normalize("NFKC", text or "").strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", clean)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadInput(f"{what}“{text}”不是有效日期，请写成 2026-11-27") from None


def parse_time(text: str, what: str) -> dt.datetime:
    """A date and time as typed: 2026-11-27 09:30 (no time: 00:00)."""
    clean = unicodedata.normalize("NFKC", text or "").strip().replace("T", " ")
    day_text, _, clock = clean.partition(" ")
    day = parse_date(day_text, what)
    if not clock:
        return dt.datetime(day.year, day.month, day.day)
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", clock.strip())
    try:
        if match is None:
            raise ValueError
        return dt.datetime(day.year, day.month, day.day, int(match[1]), int(match[2]))
    except ValueError:
        raise BadInput(f"{what}“{text}”不是有效时间，请写成 2026-11-27 09:30") from None
