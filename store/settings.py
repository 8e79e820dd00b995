"""The site's settings (``settings.toml`` in the data directory).

```toml
township = "沁河镇"
villages = ["城关村", "南石村"]
supervision_phone = "0355-0000000"
group_shared = false          # true: files 0660 for a group-shared data directory
anchor = "/var/lib/cunwu-anchor/head.json"   # optional: where the journal head is anchored (store/anchor.py)

[staff.zhangsan]              # OS account → display name, role and villages
name = "张三"
role = "村干部"               # 管理员 | 乡镇 | 村干部 | 监委会
villages = ["城关村"]         # 村干部 and 监委会: the villages they work in and read

[archive]                     # DA/T 22-2015 档号 全宗号-门类代码·年度-保管期限-机构代码-件号
fonds = "J047"                # 全宗号 (assigned by the county archives); unset: the document says so
category = "WS"               # 档案门类代码; unset: WS (文书, the standard's example)
[archive.units]               # 机构（问题）代码 by village; unset: the village's name
"城关村" = "CGC"

[timers]                      # local amounts for time rules, key = 事项编号.步骤编号
"dibao.publicize" = 10
```

The file is readable by administrators; only a 管理员 changes it (``store.roles``), through
the app, under the store's lock, and every change is journaled with what it changed.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from procedures.loader import CatalogError, Problem
from store.errors import BadInput, DataDamaged
from store.files import atomic_write
from store.roles import ADMIN, NEEDS_VILLAGES, ROLES
from store.sanitize import sanitize

SETTINGS_FILE = "settings.toml"
SETTINGS_TARGET = "settings:site"
"""The journal's target for the settings."""
_BAD_NAME = re.compile(r"[/\\:*?\"<>|\s]|^\.")
_ACCOUNT = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_SPLIT_VILLAGES = re.compile(r"[,，、;；]")
DEFAULT_CATEGORY = "WS"
"""档案门类代码 when none is set: WS (文书档案), the code of DA/T 22-2015's own 档号 example."""
_FONDS = re.compile(r"[A-Z0-9]{1,10}")
_CATEGORY = re.compile(r"[A-Z]{1,4}")
_UNIT = re.compile(r"[^\s\-·.,，/\\]{1,20}")


@dataclass(frozen=True, slots=True)
class Settings:
    township: str = ""
    """乡（镇）名称."""
    villages: tuple[str, ...] = ()
    """The villages (村/社区) served from this data directory."""
    staff: dict[str, dict[str, Any]] = field(default_factory=dict)
    """OS account → {"name": display name, "role": one of ROLES, "villages": [村, …] (村干部 and 监委会)}."""
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
    category: str = ""
    """档案门类代码 (DA/T 22-2015 档号), e.g. "WS" 文书; empty: ``DEFAULT_CATEGORY``."""
    units: dict[str, str] = field(default_factory=dict)
    """机构（问题）代码 by village (DA/T 22-2015 档号); a village not listed: its name."""
    retention: dict[str, str] = field(default_factory=dict)
    """保管期限 by matter id (Y 永久 / D30 定期30年 / D10 定期10年); key "default" for the rest (D30 when unset)."""
    anchor: str = ""
    """File that keeps the journal's chain head outside the data directory (empty: none; CUNWU_ANCHOR wins)."""
    timezone: str = ""
    """The server's time zone (IANA name such as Asia/Shanghai); empty: the system's /etc/localtime.
    Never the TZ of a user's environment (``store.clock``)."""

    def category_code(self) -> str:
        return self.category or DEFAULT_CATEGORY

    def unit_for(self, village: str) -> str:
        return self.units.get(village) or village

    def retention_for(self, matter_id: str) -> str:
        return self.retention.get(matter_id, self.retention.get("default", "D30"))

    @property
    def admins(self) -> list[str]:
        """The accounts with the 管理员 role."""
        return [account for account, entry in self.staff.items() if entry.get("role") == ADMIN]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"township": self.township, "villages": list(self.villages)}
        if self.supervision_phone:
            data["supervision_phone"] = self.supervision_phone
        data["group_shared"] = self.group_shared
        if self.since:
            data["since"] = self.since
        archive: dict[str, Any] = {}
        if self.fonds:
            archive["fonds"] = self.fonds
        if self.category:
            archive["category"] = self.category
        if self.units:
            archive["units"] = dict(self.units)
        if archive:
            data["archive"] = archive
        if self.retention:
            data["retention"] = dict(self.retention)
        if self.anchor:
            data["anchor"] = self.anchor
        if self.timezone:
            data["timezone"] = self.timezone
        if self.staff:
            data["staff"] = {k: _staff_entry(v) for k, v in self.staff.items()}
        if self.timers:
            data["timers"] = dict(self.timers)
        return data


def _staff_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    # "villages" only when there are any: settings written before villages were kept digest as they did.
    out: dict[str, Any] = {"name": str(entry.get("name", "")), "role": str(entry.get("role", ""))}
    if entry.get("villages"):
        out["villages"] = list(entry["villages"])
    return out


def settings_path(data: Path) -> Path:
    return data / SETTINGS_FILE


def village_name(text: str) -> str:
    """A village name checked for use as a folder name and in case numbers."""
    # compat=False: a village name typed in full-width is refused below, not silently changed.
    name = sanitize(text, "村名", limit=30, required=True, compat=False)
    plain = unicodedata.normalize("NFKC", name).upper()
    if plain != name:
        # Record numbers are read back normalised (NFKC, upper case): 红旗１村 or abc村 would get
        # cases nobody could open again.
        raise BadInput(f"村名“{name}”含全角字符或小写字母，请写成“{plain}”")
    if _BAD_NAME.search(name) or "-" in name:
        raise BadInput(f'村名“{name}”不能含空格、连字符或 / \\ : * ? " < > | 等符号')
    return name


def load(data: Path) -> Settings:
    """The settings of a data directory (defaults when there is no file yet)."""
    path = settings_path(data)
    if not path.exists():
        return Settings()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataDamaged(f"设置文件 {path} 无法读取（{exc}），未做任何改动。") from None
    return parse(raw, str(path))


def parse(raw: bytes, where: str) -> Settings:
    """Settings from the bytes of a settings file (``where`` names it in messages); DataDamaged
    when it is not TOML, CatalogError listing every invalid key."""
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataDamaged(f"设置文件 {where}：TOML 格式错误：{exc}。未做任何改动，请修正后重试。") from None
    except UnicodeDecodeError as exc:
        raise DataDamaged(f"设置文件 {where} 无法读取（{exc}），未做任何改动。请用 UTF-8 保存后重试。") from None
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(where, key, message))

    villages = doc.get("villages", [])
    if not isinstance(villages, list) or not all(isinstance(v, str) for v in villages):
        bad("villages", '应为村名列表，如 ["城关村"]')
        villages = []
    staff = doc.get("staff", {})
    if not isinstance(staff, dict) or not all(isinstance(v, dict) for v in staff.values()):
        bad("staff", "应为 [staff.账号] 表")
        staff = {}
    people: dict[str, dict[str, Any]] = {}
    for account, entry in staff.items():
        role = entry.get("role", "村干部")
        if role not in ROLES:
            bad(f"staff.{account}.role", f"角色“{role}”无效，应为：{'、'.join(ROLES)}")
        where_ = entry.get("villages", [])
        if not isinstance(where_, list) or not all(isinstance(v, str) for v in where_):
            bad(f"staff.{account}.villages", '应为村名列表，如 ["城关村"]')
            where_ = []
        unknown = [v for v in where_ if v not in villages]
        if unknown:
            bad(f"staff.{account}.villages", f"{'、'.join(unknown)} 不在村名单（villages）中")
        people[str(account)] = {"name": str(entry.get("name", "")), "role": str(role)}
        if where_:
            people[str(account)]["villages"] = list(where_)
    timers = doc.get("timers", {})
    if not isinstance(timers, dict):
        bad("timers", '应为 [timers] 表，如 "dibao.publicize" = 10')
        timers = {}
    retention = doc.get("retention", {})
    if not isinstance(retention, dict) or any(v not in ("Y", "D30", "D10") for v in retention.values()):
        bad("retention", '应为 [retention] 表，取值 Y、D30 或 D10，如 default = "D30"')
        retention = {}
    archive = doc.get("archive", {})
    if not isinstance(archive, dict):
        bad("archive", '应为 [archive] 表，如 fonds = "J047"')
        archive = {}
    fonds = archive.get("fonds", doc.get("fonds", ""))  # a top-level fonds: files written before [archive]
    category = archive.get("category", "")
    units = archive.get("units", {})
    if not isinstance(fonds, str) or (fonds and not _FONDS.fullmatch(fonds)):
        bad("archive.fonds", "全宗号应为 1 到 10 位大写字母或数字，如 J047")
        fonds = ""
    if not isinstance(category, str) or (category and not _CATEGORY.fullmatch(category)):
        bad("archive.category", "门类代码应为 1 到 4 位大写字母，如 WS")
        category = ""
    if not isinstance(units, dict) or not all(isinstance(v, str) and _UNIT.fullmatch(v) for v in units.values()):
        bad("archive.units", '应为 [archive.units] 表，村名 = "机构代码"（不含空格、连字符或间隔号）')
        units = {}
    for key in ("township", "supervision_phone", "since", "anchor", "timezone"):
        if not isinstance(doc.get(key, ""), str):
            bad(key, "应为文字")
    zone = str(doc.get("timezone", "")).strip()
    if zone and not _zone_exists(zone):
        bad("timezone", f"时区“{zone}”无效，应为 IANA 时区名，如 Asia/Shanghai")
    if not isinstance(doc.get("group_shared", False), bool):
        bad("group_shared", "应为 true 或 false")
    if problems:
        raise CatalogError(problems, "设置文件")
    return Settings(
        township=str(doc.get("township", "")),
        villages=tuple(villages),
        staff=people,
        timers=dict(timers),
        supervision_phone=str(doc.get("supervision_phone", "")),
        group_shared=bool(doc.get("group_shared", False)),
        since=str(doc.get("since", "")),
        fonds=str(fonds),
        category=str(category),
        units={str(k): str(v) for k, v in dict(units).items()},
        retention={str(k): str(v) for k, v in dict(retention).items()},
        anchor=str(doc.get("anchor", "")),
        timezone=zone,
    )


def _china_time(name: str) -> bool:
    """Is ``name`` at UTC+8 all year (the county's time, which has no summer time)?"""
    import datetime as dt

    zone = zoneinfo.ZoneInfo(name)
    days = (dt.datetime(2026, 1, 15, tzinfo=dt.UTC), dt.datetime(2026, 7, 15, tzinfo=dt.UTC))
    return all(day.astimezone(zone).utcoffset() == dt.timedelta(hours=8) for day in days)


def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def save(data: Path, settings: Settings, mode: int) -> None:
    """Write the settings file atomically (the caller holds the store's lock)."""
    import tomli_w  # only when settings change

    atomic_write(settings_path(data), tomli_w.dumps(settings.as_dict()).encode("utf-8"), mode)


@dataclass(frozen=True, slots=True)
class Change:
    """What a 管理员 asks to change (``cunwu init`` and the first-run screen); None or empty: keep."""

    township: str | None = None
    villages: tuple[str, ...] = ()
    """Villages to add (existing ones stay)."""
    staff: tuple[str, ...] = ()
    """``账号=姓名:角色[:村[,村…]]`` items: add an account or change its name, role or villages."""
    remove_staff: tuple[str, ...] = ()
    """Accounts to take off the list."""
    phone: str | None = None
    timers: tuple[str, ...] = ()
    """``事项编号.步骤编号=天数`` items (0 removes the local amount)."""
    timezone: str | None = None
    group_shared: bool | None = None
    """Files 0660 for a group-shared data directory (README: the alternative set-up)."""
    fonds: str | None = None
    """全宗号 ("" removes it)."""
    category: str | None = None
    """档案门类代码 ("" goes back to ``DEFAULT_CATEGORY``)."""
    units: tuple[str, ...] = ()
    """``村名=机构代码`` items, or a bare code when there is one village (``村名=`` removes one)."""
    my_name: str = ""
    """The real name of the account making the first set-up, which makes it the first 管理员
    (its name is printed on documents; the login name is no one's name)."""


def apply(settings: Settings, change: Change) -> Settings:
    """The settings after ``change``; BadInput (nothing changed) when any part of it is invalid."""
    names = list(settings.villages)
    for text in change.villages:
        name = village_name(text)
        if name not in names:
            names.append(name)
    people = {k: dict(v) for k, v in settings.staff.items()}
    for account in change.remove_staff:
        key = sanitize(account, "账号").strip()
        if key not in people:
            raise BadInput(f"人员名单中没有账号 {key}，无法删除")
        del people[key]
    for item in change.staff:
        account, entry = staff_item(item, names)
        people[account] = entry
    town = sanitize(change.township, "乡镇名称", limit=30) if change.township is not None else settings.township
    tel = sanitize(change.phone, "监督电话", limit=40) if change.phone is not None else settings.supervision_phone
    timers = dict(settings.timers)
    for item in change.timers:
        key, sep, value = sanitize(item, "时限").partition("=")
        amount = value.strip()
        if not sep or not re.fullmatch(r"[a-z0-9_-]+\.[a-z0-9_-]+", key.strip()) or not amount.isascii():
            raise BadInput(f"时限“{item}”格式不对，应为 事项编号.步骤编号=天数，如 dibao.publicize=10")
        if not amount.isdigit() or int(amount) > 3650:
            raise BadInput(f"时限“{item}”的天数应为 0 到 3650 的整数（0 表示取消本地时限）")
        if int(amount):
            timers[key.strip()] = int(amount)
        else:
            timers.pop(key.strip(), None)
    zone = settings.timezone
    if change.timezone is not None:
        zone = sanitize(change.timezone, "时区", limit=60)
        if zone and not _zone_exists(zone):
            raise BadInput(f"时区“{zone}”无效，应为 IANA 时区名，如 Asia/Shanghai")
        if zone and not _china_time(zone):
            # Any other offset moves "today" for every time limit: a 管理员 switched to
            # Etc/GMT-14 for a minute and a 公示 closed a day early.
            raise BadInput(f"时区“{zone}”不是北京时间（UTC+8），会让所有时限的日期提前或推后；请用 Asia/Shanghai")
    fonds, category, units = _archive_codes(settings, change, names)
    updated = replace(
        settings,
        fonds=fonds,
        category=category,
        units=units,
        township=town or settings.township,
        villages=tuple(names),
        staff=people,
        supervision_phone=tel,
        timers=timers,
        timezone=zone,
        group_shared=settings.group_shared if change.group_shared is None else change.group_shared,
    )
    if settings.admins and not updated.admins:
        raise BadInput("设置中至少要保留一名管理员；请先登记另一名管理员，再修改或删除这一名")
    return updated


def _archive_codes(settings: Settings, change: Change, villages: list[str]) -> tuple[str, str, dict[str, str]]:
    """全宗号, 门类代码 and 机构代码 after ``change`` (``cunwu init --fonds --category --unit``)."""
    fonds, category = settings.fonds, settings.category
    if change.fonds is not None:
        fonds = sanitize(change.fonds, "全宗号", limit=10).strip().upper()
        if fonds and not _FONDS.fullmatch(fonds):
            raise BadInput(f"全宗号“{fonds}”应为 1 到 10 位字母或数字（由县档案馆编定），如 J047")
    if change.category is not None:
        category = sanitize(change.category, "门类代码", limit=4).strip().upper()
        if category and not _CATEGORY.fullmatch(category):
            raise BadInput(f"门类代码“{category}”应为 1 到 4 位字母，如 WS（文书）")
    units = dict(settings.units)
    for item in change.units:
        village, sep, code = sanitize(item, "机构代码", limit=60).rpartition("=")
        village, code = village.strip(), code.strip().upper()
        if not sep:
            if len(villages) != 1:
                raise BadInput(f"机构代码“{item}”请写明是哪个村的：--unit 村名=代码，如 --unit 城关村=CGC")
            village = villages[0]
        if village not in villages:
            raise BadInput(f"机构代码“{item}”的村 {village} 不在村名单中（{'、'.join(villages) or '尚未设置'}）")
        if not code:
            units.pop(village, None)
        elif not _UNIT.fullmatch(code):
            raise BadInput(f"机构代码“{code}”不能含空格、连字符、间隔号等符号，长度不超过 20，如 CGC")
        else:
            units[village] = code
    return fonds, category, units


def staff_item(item: str, villages: list[str]) -> tuple[str, dict[str, Any]]:
    """``账号=姓名:角色[:村[,村…]]`` read against the village list: (account, entry)."""
    text = sanitize(item, "人员")
    account, sep, rest = text.partition("=")
    account = account.strip()
    person, _, rest = rest.partition(":")
    role, _, where = rest.partition(":")
    role, person = role.strip() or "村干部", person.strip()
    example = "应为 账号=姓名:角色[:村]，如 zhangsan=张三:村干部:城关村"
    if not sep or not _ACCOUNT.fullmatch(account):
        raise BadInput(f"人员“{item}”格式不对，{example}")
    if not person or person == account:
        # The name is printed on the 用印登记簿 and in the archive; a login name ("root") is no one's name.
        said = "没有写姓名" if not person else f"的姓名“{person}”就是账号"
        raise BadInput(
            f"人员“{item}”{said}：姓名会印在用印登记簿、归档文件等文书上供签字核对，不能空着或用账号代替。"
            f"请写此人的真实姓名，如 {account}=张三:{role or '村干部'}。未做任何改动。"
        )
    if role not in ROLES:
        raise BadInput(f"人员“{item}”的角色“{role}”无效，应为：{'、'.join(ROLES)}")
    chosen = [v.strip() for v in _SPLIT_VILLAGES.split(where) if v.strip()]
    unknown = [v for v in chosen if v not in villages]
    if unknown:
        raise BadInput(f"人员“{item}”的村 {'、'.join(unknown)} 不在村名单中（{'、'.join(villages) or '尚未设置'}）")
    entry: dict[str, Any] = {"name": sanitize(person, "姓名", limit=40, required=True), "role": role}
    if role in NEEDS_VILLAGES:
        if not chosen and len(villages) == 1:
            chosen = list(villages)
        if not chosen:
            raise BadInput(f"人员“{item}”是{role}，请写明所在村：{account}={person}:{role}:村名（多个村用逗号分开）")
        entry["villages"] = list(dict.fromkeys(chosen))
    elif chosen:
        raise BadInput(f"人员“{item}”是{role}，可在所有村工作，不用写村名")
    return account, entry


def describe(before: Settings, after: Settings) -> list[str]:
    """What changed between two settings, one line each in Chinese (for the journal and the 监督 view)."""
    lines: list[str] = []
    if before.township != after.township:
        lines.append(f"乡镇：{before.township or '（空）'} → {after.township}")
    added = [v for v in after.villages if v not in before.villages]
    if added:
        lines.append(f"新增村：{'、'.join(added)}")
    for account in sorted(set(before.staff) | set(after.staff)):
        old, new = before.staff.get(account), after.staff.get(account)
        if old == new:
            continue
        if old is None and new is not None:
            lines.append(f"新增人员 {account}：{_person(new)}")
        elif new is None and old is not None:
            lines.append(f"删除人员 {account}（原为 {_person(old)}）")
        elif old is not None and new is not None:
            lines.append(f"人员 {account}：{_person(old)} → {_person(new)}")
    if before.supervision_phone != after.supervision_phone:
        lines.append(f"监督电话：{before.supervision_phone or '（空）'} → {after.supervision_phone or '（空）'}")
    for key in sorted(set(before.timers) | set(after.timers)):
        old_amount, new_amount = before.timers.get(key), after.timers.get(key)
        if old_amount != new_amount:
            lines.append(f"本地时限 {key}：{old_amount or '（默认）'} → {new_amount or '（默认）'}")
    if before.timezone != after.timezone:
        lines.append(f"时区：{before.timezone or '（系统）'} → {after.timezone or '（系统）'}")
    keys = (("since", "起始日期"), ("fonds", "全宗号"), ("category", "门类代码"), ("anchor", "锚点"))
    for key, label in keys:
        if getattr(before, key) != getattr(after, key):
            lines.append(f"{label}：{getattr(before, key) or '（空）'} → {getattr(after, key) or '（空）'}")
    if before.group_shared != after.group_shared:
        words = {True: "组共享（文件 0660）", False: "仅服务账号（文件 0600）"}
        lines.append(f"数据文件权限：{words[before.group_shared]} → {words[after.group_shared]}")
    for village in sorted(set(before.units) | set(after.units)):
        old_code, new_code = before.units.get(village), after.units.get(village)
        if old_code != new_code:
            lines.append(f"机构代码 {village}：{old_code or '（村名）'} → {new_code or '（村名）'}")
    if before.retention != after.retention:
        lines.append(f"保管期限：{before.retention or '（默认）'} → {after.retention or '（默认）'}")
    return lines


def _person(entry: Mapping[str, Any]) -> str:
    where = "、".join(entry.get("villages") or [])
    return f"{entry.get('name', '')}（{entry.get('role', '')}{'，' + where if where else ''}）"


def timer_overrides(data: Path) -> tuple[dict[str, int], str]:
    """The ``[timers]`` table of the settings and the file's path."""
    return load(data).timers, str(settings_path(data))
