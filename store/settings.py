"""The site's settings (``settings.toml`` in the data directory).

```toml
township = "沁河镇"
villages = ["城关村", "南石村"]
supervision_phone = "0355-0000000"
group_shared = false          # true: files 0660 for a group-shared data directory
anchor = "/var/lib/cunwu-anchor/head.json"   # optional: where the journal head is anchored (store/anchor.py)

[staff.zhangsan]              # OS account → display name and role
name = "张三"
role = "村干部"               # 村干部 | 监委会 | 乡镇

[timers]                      # local amounts for time rules, key = 事项编号.步骤编号
"dibao.publicize" = 10
```

The file is readable by administrators; the app writes it under the store's lock and
journals every change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from procedures.loader import CatalogError, Problem
from store.errors import BadInput, DataDamaged
from store.files import atomic_write
from store.roles import ROLES
from store.sanitize import sanitize

SETTINGS_FILE = "settings.toml"
_BAD_NAME = re.compile(r"[/\\:*?\"<>|\s]|^\.")


@dataclass(frozen=True, slots=True)
class Settings:
    township: str = ""
    """乡（镇）名称."""
    villages: tuple[str, ...] = ()
    """The villages (村/社区) served from this data directory."""
    staff: dict[str, dict[str, str]] = field(default_factory=dict)
    """OS account → {"name": display name, "role": one of ROLES}."""
    timers: dict[str, int] = field(default_factory=dict)
    """Local timer amounts, ``matter-id.step-id`` → amount."""
    supervision_phone: str = ""
    """监督举报电话 printed on notices."""
    group_shared: bool = False
    """Files readable and writable by the directory's group (0660) instead of the owner only."""
    since: str = ""
    """The day records start (ISO date, set by the first ``cunwu init``): duties are counted from it."""
    fonds: str = ""
    """全宗号 of the village archives (DA/T 22 档号), e.g. "J001"; empty until the archives office assigns it."""
    retention: dict[str, str] = field(default_factory=dict)
    """保管期限 by matter id (Y 永久 / D30 定期30年 / D10 定期10年); key "default" for the rest (D30 when unset)."""
    anchor: str = ""
    """File that keeps the journal's chain head outside the data directory (empty: none; CUNWU_ANCHOR wins)."""

    def retention_for(self, matter_id: str) -> str:
        return self.retention.get(matter_id, self.retention.get("default", "D30"))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"township": self.township, "villages": list(self.villages)}
        if self.supervision_phone:
            data["supervision_phone"] = self.supervision_phone
        data["group_shared"] = self.group_shared
        if self.since:
            data["since"] = self.since
        if self.fonds:
            data["fonds"] = self.fonds
        if self.retention:
            data["retention"] = dict(self.retention)
        if self.anchor:
            data["anchor"] = self.anchor
        if self.staff:
            data["staff"] = {k: dict(v) for k, v in self.staff.items()}
        if self.timers:
            data["timers"] = dict(self.timers)
        return data


def settings_path(data: Path) -> Path:
    return data / SETTINGS_FILE


def village_name(text: str) -> str:
    """A village name checked for use as a folder name and in case numbers."""
    name = sanitize(text, "村名", limit=30, required=True)
    if _BAD_NAME.search(name) or "-" in name:
        raise BadInput(f'村名“{name}”不能含空格、连字符或 / \\ : * ? " < > | 等符号')
    return name


def load(data: Path) -> Settings:
    """The settings of a data directory (defaults when there is no file yet)."""
    path = settings_path(data)
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataDamaged(f"设置文件 {path}：TOML 格式错误：{exc}。未做任何改动，请修正后重试。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataDamaged(f"设置文件 {path} 无法读取（{exc}），未做任何改动。请用 UTF-8 保存后重试。") from None
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(str(path), key, message))

    villages = raw.get("villages", [])
    if not isinstance(villages, list) or not all(isinstance(v, str) for v in villages):
        bad("villages", '应为村名列表，如 ["城关村"]')
        villages = []
    staff = raw.get("staff", {})
    if not isinstance(staff, dict) or not all(isinstance(v, dict) for v in staff.values()):
        bad("staff", "应为 [staff.账号] 表")
        staff = {}
    for account, entry in staff.items():
        role = entry.get("role", "村干部")
        if role not in ROLES:
            bad(f"staff.{account}.role", f"角色“{role}”无效，应为：{'、'.join(ROLES)}")
    timers = raw.get("timers", {})
    if not isinstance(timers, dict):
        bad("timers", '应为 [timers] 表，如 "dibao.publicize" = 10')
        timers = {}
    retention = raw.get("retention", {})
    if not isinstance(retention, dict) or any(v not in ("Y", "D30", "D10") for v in retention.values()):
        bad("retention", '应为 [retention] 表，取值 Y、D30 或 D10，如 default = "D30"')
        raw["retention"] = {}
    for key in ("township", "supervision_phone", "since", "fonds", "anchor"):
        if not isinstance(raw.get(key, ""), str):
            bad(key, "应为文字")
    if not isinstance(raw.get("group_shared", False), bool):
        bad("group_shared", "应为 true 或 false")
    if problems:
        raise CatalogError(problems)
    return Settings(
        township=str(raw.get("township", "")),
        villages=tuple(villages),
        staff={k: {"name": str(v.get("name", "")), "role": str(v.get("role", "村干部"))} for k, v in staff.items()},
        timers=dict(timers),
        supervision_phone=str(raw.get("supervision_phone", "")),
        group_shared=bool(raw.get("group_shared", False)),
        since=str(raw.get("since", "")),
        fonds=str(raw.get("fonds", "")),
        retention={str(k): str(v) for k, v in dict(raw.get("retention", {})).items()},
        anchor=str(raw.get("anchor", "")),
    )


def save(data: Path, settings: Settings, mode: int) -> None:
    """Write the settings file atomically (the caller holds the store's lock)."""
    import tomli_w  # only when settings change

    atomic_write(settings_path(data), tomli_w.dumps(settings.as_dict()).encode("utf-8"), mode)


def extend(
    settings: Settings,
    township: str | None,
    villages: list[str],
    staff: list[str] | None = None,
    phone: str | None = None,
) -> Settings:
    """Settings with the township and phone set (when given), villages and staff added or updated.

    ``staff`` items read ``账号=姓名:角色`` (角色 one of ROLES, 村干部 when left out).
    """
    names = list(settings.villages)
    for text in villages:
        name = village_name(text)
        if name not in names:
            names.append(name)
    people = {k: dict(v) for k, v in settings.staff.items()}
    for item in staff or []:
        account, sep, rest = sanitize(item, "人员").partition("=")
        person, _, role = rest.partition(":")
        role = role or "村干部"
        if not sep or not re.fullmatch(r"[a-z_][a-z0-9_.-]{0,31}", account) or not person:
            raise BadInput(f"人员“{item}”格式不对，应为 账号=姓名:角色，如 zhangsan=张三:村干部")
        if role not in ROLES:
            raise BadInput(f"角色“{role}”无效，应为：{'、'.join(ROLES)}")
        people[account] = {"name": person, "role": role}
    town = sanitize(township, "乡镇名称", limit=30) if township is not None else settings.township
    tel = sanitize(phone, "监督电话", limit=40) if phone is not None else settings.supervision_phone
    return replace(
        settings, township=town or settings.township, villages=tuple(names), staff=people, supervision_phone=tel
    )


def timer_overrides(data: Path) -> tuple[dict[str, int], str]:
    """The ``[timers]`` table of the settings and the file's path."""
    return load(data).timers, str(settings_path(data))
