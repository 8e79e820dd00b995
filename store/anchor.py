"""The journal's chain head, kept outside the data directory (the anchor).

Whoever can write the data directory can rewrite the whole journal with correct hashes, and
the chain alone then proves nothing. So after every commit the last entry's ``seq`` and
``hash`` are written to an anchor file in a place the staff cannot write (on a shared server
a directory that only root and the service account can write), and ``cunwu verify`` checks
that the journal still holds that very entry at that seq. A journal rewritten from an
earlier entry on, or cut short, does not.

Where: the file named by ``CUNWU_ANCHOR``, else ``anchor = "…"`` in ``settings.toml``
(a path; relative to the data directory when not absolute), else no anchor at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import resources
from store import settings as settings_mod
from store.errors import StoreError
from store.files import atomic_write, make_dirs, signature

if TYPE_CHECKING:
    from store.db import Store

ENV_VAR = "CUNWU_ANCHOR"

_settings_cache: dict[Path, tuple[tuple[int, int, int] | None, str]] = {}
"""data directory → (settings file signature, its ``anchor`` value): no TOML parse per save."""


class AnchorError(StoreError):
    """The anchor file could not be written (the save itself is complete)."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """What an anchor file holds."""

    seq: int
    hash: str
    ts: str = ""
    data: str = ""
    """The data directory whose journal this is the head of."""


@dataclass(frozen=True, slots=True)
class AnchorCheck:
    """The journal compared with an anchor, for ``cunwu verify``."""

    status: str
    """off (none configured), ok, anchor_mismatch, missing (not written yet), unreadable, unchecked (chain broken before it)."""
    path: Path | None = None
    anchor: Anchor | None = None
    journal_hash: str | None = None
    """The journal's hash at the anchored seq (None when the journal is shorter)."""
    message: str = ""
    """The problem (anchor_mismatch, unreadable) or the note (missing, unchecked), in Chinese."""

    @property
    def problem(self) -> bool:
        return self.status in ("anchor_mismatch", "unreadable")

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "path": str(self.path) if self.path else None,
            "seq": self.anchor.seq if self.anchor else None,
            "hash": self.anchor.hash if self.anchor else None,
            "ts": self.anchor.ts if self.anchor else None,
            "journal_hash": self.journal_hash,
            "message": self.message,
        }


def location(root: Path, environ: Mapping[str, str] | None = None) -> Path | None:
    """The anchor file of the data directory ``root`` (None: no anchoring)."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    if not value:
        path = settings_mod.settings_path(root)
        sig = signature(path)
        cached = _settings_cache.get(root)
        if cached is None or cached[0] != sig:
            cached = (sig, settings_mod.load(root).anchor if sig is not None else "")
            _settings_cache[root] = cached
        value = cached[1].strip()
    if not value:
        return None
    anchor = Path(value).expanduser()
    return anchor if anchor.is_absolute() else root / anchor


def write(path: Path, root: Path, entry: Mapping[str, Any], mode: int = 0o600, dir_mode: int = 0o700) -> None:
    """Replace the anchor file with ``entry``'s seq and hash (atomically: a crash leaves the old one)."""
    body = {"seq": entry["seq"], "hash": entry["hash"], "ts": entry["ts"], "data": str(root.resolve())}
    make_dirs(path.parent, dir_mode)
    atomic_write(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8") + b"\n", mode)


def after_commit(store: Store, chained: Sequence[Mapping[str, Any]]) -> None:
    """Anchor the head a commit just appended (called by the store under its lock)."""
    if not chained:
        return
    path = location(store.root)
    if path is None:
        return
    try:
        write(path, store.root, chained[-1], store.file_mode, store.dir_mode)
    except (OSError, resources.ResourceProblem) as exc:
        # The save itself is done: only the anchor is behind (a full disk says so in its own words).
        why = exc.strerror if isinstance(exc, OSError) else resources.cause(exc.errno)
        raise AnchorError(
            f"已保存（日志序号 {chained[-1]['seq']}），但无法写入锚点文件 {path}（{why or exc}）。"
            "请管理员检查该目录的权限（见 README 部署一节）；修好之前，日志核验无法用锚点发现日志被改写。"
        ) from None


def read(path: Path) -> Anchor | None:
    """The anchor in ``path`` (None when there is no such file); ValueError when it is not one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse(raw)


def parse(raw: bytes) -> Anchor:
    """The anchor an anchor file's content holds (a copy given on standard input: ``--anchor -``);
    ValueError, saying why in Chinese, when it is not one."""
    if not raw.strip():
        raise ValueError("内容是空的")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("不是 UTF-8 文本") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    if not isinstance(value, dict):
        raise ValueError("不是 JSON 对象")
    seq, hash_ = value.get("seq"), value.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ValueError("缺少有效的 seq")
    if not isinstance(hash_, str) or len(hash_) != 64:
        raise ValueError("缺少有效的 hash")
    return Anchor(seq, hash_, str(value.get("ts", "")), str(value.get("data", "")))


def check(path: Path | None, root: Path, entries: Sequence[Mapping[str, Any]], broken: bool) -> AnchorCheck:
    """Does the journal (``entries``: its verified lines, ``broken``: a break follows them) hold the anchored entry?"""
    if path is None:
        return AnchorCheck("off")
    try:
        anchor = read(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return AnchorCheck("unreadable", path, message=f"锚点文件 {path} 无法读取（{reason}），无法核对日志是否被改写")
    if anchor is None:
        return AnchorCheck("missing", path, message=f"锚点文件 {path} 尚不存在（下一次保存时写入）")
    if anchor.seq <= len(entries):
        at = entries[anchor.seq - 1]["hash"]
        if at == anchor.hash:
            return AnchorCheck("ok", path, anchor, at)
        found = f"日志中序号 {anchor.seq} 的哈希却是 {at[:16]}：该条或更早的日志被改写过"
        return AnchorCheck("anchor_mismatch", path, anchor, at, _mismatch(path, root, anchor, found))
    if broken:
        note = f"日志在序号 {len(entries)} 之后已断开，无法核对锚点（序号 {anchor.seq}）"
        return AnchorCheck("unchecked", path, anchor, None, note)
    last = f"最后序号 {entries[-1]['seq']}，哈希 {entries[-1]['hash'][:16]}" if entries else "日志为空"
    found = f"日志却只有 {len(entries)} 条（{last}）：日志被截断或整个重写过"
    return AnchorCheck("anchor_mismatch", path, anchor, None, _mismatch(path, root, anchor, found))


def _mismatch(path: Path, root: Path, anchor: Anchor, found: str) -> str:
    other = ""
    if anchor.data and anchor.data != str(root.resolve()):
        other = f"（注意：锚点记录的数据目录是 {anchor.data}，可能是另一个数据目录的锚点）"
    return (
        f"日志与锚点不符（anchor_mismatch）：锚点 {path} 记录的是序号 {anchor.seq}、哈希 {anchor.hash[:16]}"
        f"（{anchor.ts}），{found}{other}"
    )
