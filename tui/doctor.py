"""``cunwu doctor``: can this server, this terminal and this data directory run cunwu?

Each check is a pure function of what it is given (environment, sizes, paths, the clock), so
the tests feed it any situation; ``gather`` collects the real inputs. A check says its
status in words (通过/警告/不通过), what it found and what to do. 不通过 means something
blocks use (the command then exits with ``EXIT_BLOCKED``); 警告 is worth knowing but
cunwu still works.

No Textual here: the command must run where the terminal app cannot.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from procedures.loader import CatalogError
from procedures.workdays import SOURCE_LABELS, DaySource, WorkCalendar
from store import clock as clock_mod
from store import journal as journal_mod
from store import settings as settings_mod
from store.db import JOURNAL_FILE
from store.errors import EXIT_REFUSED, StoreError

EXIT_BLOCKED = EXIT_REFUSED
"""Exit code when a check 不通过 (1: like a rule refusing; 3 stays for damaged data)."""

MIN_COLUMNS, MIN_LINES = 80, 24
WARN_FREE, FAIL_FREE = 500 * 1024**2, 50 * 1024**2
MIN_PYTHON = (3, 11)
BEIJING = dt.timedelta(hours=8)
MAX_ENTRIES = 5000
"""Files and folders of the data directory whose permissions are checked (a bound on the walk)."""

PUTTY_UTF8 = "PuTTY：窗口 → 转换（Window → Translation）→ 远程字符集选 UTF-8；Xshell：会话属性 → 终端 → 编码选 UTF-8"


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


STATUS_LABELS = {Status.PASS: "通过", Status.WARN: "警告", Status.FAIL: "不通过"}
_RANK = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    check: str
    """Stable key for scripts: locale, terminal, size, data_dir, permissions, disk, calendar, fonts, python, clock,
    journal_clock."""
    title: str
    """What was checked, in Chinese."""
    status: Status
    message: str
    """What was found."""
    hint: str = ""
    """What to do (or, when it passed, what is still worth knowing)."""

    def as_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "title": self.title,
            "status": self.status.value,
            "status_text": STATUS_LABELS[self.status],
            "message": self.message,
            "hint": self.hint,
        }

    def line(self) -> str:
        text = f"[{STATUS_LABELS[self.status]}] {self.title}：{self.message}。"
        if self.hint:
            text += ("提示：" if self.status is Status.PASS else "处理：") + self.hint + "。"
        return text


def blocking(checks: Sequence[Check]) -> bool:
    return any(c.status is Status.FAIL for c in checks)


def _worst(found: Sequence[tuple[Status, str, str]]) -> Status:
    return max((s for s, _, _ in found), key=_RANK.__getitem__, default=Status.PASS)


def _combine(key: str, title: str, found: Sequence[tuple[Status, str, str]], ok: str, ok_hint: str = "") -> Check:
    """One check from several findings: the worst status, every message and hint (a pass when none)."""
    if not found:
        return Check(key, title, Status.PASS, ok, ok_hint)
    return Check(key, title, _worst(found), "；".join(m for _, m, _ in found), "；".join(h for _, _, h in found if h))


# --- terminal -------------------------------------------------------------------------------


def _is_utf8(name: str) -> bool:
    try:
        return codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def check_locale(environ: Mapping[str, str], stdout_encoding: str | None) -> Check:
    """LC_ALL, else LC_CTYPE, else LANG names the character set; Python's output must be UTF-8 too."""
    title = "区域设置与编码"
    name, value = next(((n, environ[n]) for n in ("LC_ALL", "LC_CTYPE", "LANG") if environ.get(n)), ("", ""))
    setting = f"{name}={value}" if name else "LANG、LC_ALL、LC_CTYPE 均未设置"
    encoding = f"输出编码 {stdout_encoding}" if stdout_encoding else "输出编码未知"
    fix = f"{PUTTY_UTF8}；服务器上 export LANG=C.UTF-8（或 zh_CN.UTF-8，写入 ~/.profile）"
    if (stdout_encoding and not _is_utf8(stdout_encoding)) or (
        value and value not in ("C", "POSIX") and not re.search(r"utf-?8", value, re.I)
    ):
        return Check(
            "locale",
            title,
            Status.FAIL,
            f"{setting}，{encoding}：不是 UTF-8，中文会显示成乱码，终端发来的非 UTF-8 字节会使界面卡住",
            fix,
        )
    if not value or value in ("C", "POSIX"):
        return Check(
            "locale",
            title,
            Status.WARN,
            f"{setting}，{encoding}：cunwu 自动改用 UTF-8，但服务器上其他程序的中文会显示成问号",
            fix,
        )
    return Check("locale", title, Status.PASS, f"{setting}，{encoding}", f"终端本身也须用 UTF-8（{PUTTY_UTF8}）")


def check_terminal(environ: Mapping[str, str]) -> Check:
    """TERM is set and how many colours it promises (Rich's rule: COLORTERM, else the TERM suffix)."""
    title = "终端类型与颜色"
    term, colorterm = environ.get("TERM", ""), environ.get("COLORTERM", "")
    if not term or term == "dumb":
        return Check(
            "terminal",
            title,
            Status.WARN,
            f"TERM={term or '（未设置）'}：不能打开终端界面，子命令照常可用",
            "从 SSH 终端登录时 TERM 会自动设置；在脚本或定时任务中运行可忽略此项",
        )
    if colorterm.lower() in ("truecolor", "24bit"):
        return Check("terminal", title, Status.PASS, f"TERM={term}，COLORTERM={colorterm}：真彩色")
    if term.endswith("256color"):
        return Check("terminal", title, Status.PASS, f"TERM={term}：256 色")
    return Check(
        "terminal",
        title,
        Status.WARN,
        f"TERM={term}：只按 16 色显示",
        "打开界面请用 cunwu --colors 16（状态都有文字，不只靠颜色）；要 256 色可在 PuTTY 连接 → 数据"
        "（Connection → Data）把终端类型字串设为 xterm-256color",
    )


def check_size(size: tuple[int, int] | None) -> Check:
    """The window is at least 80×24 (``None``: not a terminal, so nothing to measure)."""
    title = "终端窗口大小"
    if size is None:
        return Check(
            "size",
            title,
            Status.WARN,
            "不在终端中运行（输出被重定向），无法测量窗口大小",
            "在 SSH 终端里直接运行 cunwu doctor 可检查此项",
        )
    columns, lines = size
    if columns >= MIN_COLUMNS and lines >= MIN_LINES:
        return Check("size", title, Status.PASS, f"{columns} 列 × {lines} 行")
    return Check(
        "size",
        title,
        Status.FAIL,
        f"{columns} 列 × {lines} 行，小于 {MIN_COLUMNS} × {MIN_LINES}：界面内容会被截掉",
        "把窗口拉大到至少 80 列 × 24 行（PuTTY：窗口（Window）→ 列数、行数）",
    )


def terminal_size() -> tuple[int, int] | None:
    """Columns and lines of the first of stdout, stderr, stdin that is a terminal."""
    for fd in (1, 2, 0):
        try:
            if os.isatty(fd):
                size = os.get_terminal_size(fd)
                return size.columns, size.lines
        except OSError:
            continue
    return None


# --- data directory ------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable(path: Path) -> bool:
    return os.access(path, os.R_OK | os.W_OK | os.X_OK)


def check_data_dir(
    folder: Path,
    *,
    township: str = "",
    villages: int = 0,
    settings_problem: str = "",
    writable: Callable[[Path], bool] = _writable,
) -> Check:
    """The data directory exists (or can be created), can be written, and its settings can be read."""
    title = "数据目录"
    other = "用 --data 或环境变量 CUNWU_DATA 指定一个可写的目录"
    if not folder.exists():
        parent = _existing(folder)
        if parent.is_dir() and writable(parent):
            return Check(
                "data_dir",
                title,
                Status.PASS,
                f"{folder} 尚不存在，首次运行 cunwu init 时创建",
                "cunwu init --township 乡镇名 --village 村名",
            )
        return Check("data_dir", title, Status.FAIL, f"无法创建 {folder}：{parent} 不可写", other)
    if not folder.is_dir():
        return Check("data_dir", title, Status.FAIL, f"{folder} 不是目录", other)
    if not writable(folder):
        return Check(
            "data_dir",
            title,
            Status.FAIL,
            f"{folder} 当前账号不能读写",
            f"请管理员把目录交给当前账号（chown），或把当前账号加入其所属组；或{other}",
        )
    if settings_problem:
        return Check("data_dir", title, Status.FAIL, f"{folder} 的设置文件有误：{settings_problem}", "修正后再运行")
    if not villages:
        return Check(
            "data_dir",
            title,
            Status.WARN,
            f"{folder} 可读写，尚未设置乡镇和村",
            "cunwu init --township 乡镇名 --village 村名",
        )
    return Check("data_dir", title, Status.PASS, f"{folder} 可读写；{township}，{villages} 个村")


def _owner(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _entries(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """Files and folders under ``folder`` (not following links), at most ``MAX_ENTRIES``."""
    found: list[tuple[Path, os.stat_result]] = []
    for base, dirs, files in os.walk(folder):
        for name in sorted(dirs) + sorted(files):
            path = Path(base, name)
            try:
                info = path.lstat()
            except OSError:  # removed meanwhile
                continue
            if not stat.S_ISLNK(info.st_mode):
                found.append((path, info))
            if len(found) >= MAX_ENTRIES:
                return found
    return found


def check_permissions(folder: Path, *, uid: int, group_shared: bool) -> Check:
    """Personal data: nothing readable by other accounts; the group only when the site is group-shared."""
    title = "数据目录权限"
    if not folder.is_dir():
        mode = "2770，文件 0660" if group_shared else "0700，文件 0600"
        return Check("permissions", title, Status.PASS, f"目录尚未创建；创建时为 {mode}")
    top = folder.stat()  # a symlinked data directory counts by its target
    entries = [(folder, top), *_entries(folder)]
    # Read or write, not search (x) alone: without r it lists nothing, and the files are checked themselves.
    world = [(p, s) for p, s in entries if s.st_mode & 0o006]
    group = [(p, s) for p, s in entries if s.st_mode & 0o060]
    found: list[tuple[Status, str, str]] = []

    def example(items: list[tuple[Path, os.stat_result]]) -> str:
        path, info = items[0]
        return f"{len(items)} 个文件或目录，如 {path}（{stat.S_IMODE(info.st_mode):04o}）"

    if world:
        found.append(
            (
                Status.FAIL,
                f"其他账号可以读写 {example(world)}；数据含个人信息，不能让其他账号读写",
                f"chmod -R o-rwx {folder}",
            )
        )
    if group and not group_shared:
        found.append(
            (
                Status.WARN,
                f"同组账号可以读写 {example(group)}",
                f"只有本账号使用时 chmod -R g-rwx {folder}；几人共用时在 settings.toml 写 group_shared = true，"
                f"目录设为 2770",
            )
        )
    if group_shared and stat.S_IMODE(top.st_mode) & 0o2070 != 0o2070:
        found.append(
            (
                Status.WARN,
                f"设置为组共享（group_shared），目录却是 {stat.S_IMODE(top.st_mode):04o}",
                f"chgrp 共用组 {folder}，再 chmod 2770 {folder}",
            )
        )
    if top.st_uid != uid and not group_shared:
        found.append(
            (
                Status.WARN,
                f"目录属于账号 {_owner(top.st_uid)}，当前账号是 {_owner(uid)}",
                "每个账号用自己的数据目录，或多人共用时设 group_shared = true（目录 2770）",
            )
        )
    shared = "组共享，" if group_shared else ""
    ok = (
        f"{shared}目录 {stat.S_IMODE(top.st_mode):04o}，属于 {_owner(top.st_uid)}；"
        f"{len(entries) - 1} 个文件和子目录其他账号均不可读写"
    )
    return _combine("permissions", title, found, ok)


def free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(_existing(folder)).free
    except OSError:
        return None


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def check_disk(free: int | None) -> Check:
    title = "磁盘空间"
    if free is None:
        return Check("disk", title, Status.WARN, "无法读取数据目录所在分区的可用空间")
    hint = "清理磁盘，或把数据目录移到空间大的分区（--data 或 CUNWU_DATA）"
    if free < FAIL_FREE:
        return Check("disk", title, Status.FAIL, f"可用 {_size(free)}，不足 50 MB：保存和备份可能失败", hint)
    if free < WARN_FREE:
        return Check("disk", title, Status.WARN, f"可用 {_size(free)}，不足 500 MB：每个数据文件要留多份备份", hint)
    return Check("disk", title, Status.PASS, f"可用 {_size(free)}")


# --- calendar, fonts, Python, clock ----------------------------------------------------------


def official_years() -> tuple[int, int] | None:
    """The first and last year chinesecalendar has the State Council's holidays for."""
    try:
        from chinese_calendar import constants

        years = {day.year for day in constants.holidays}
    except Exception:  # any failure only means the message names no range
        return None
    return (min(years), max(years)) if years else None


def check_calendar(today: dt.date, cal: WorkCalendar, known: tuple[int, int] | None) -> Check:
    """This year's and next year's days off: published (official) or estimated (预估)?"""
    title = "工作日历"
    library = f"chinesecalendar 收录 {known[0]}—{known[1]} 年" if known else "chinesecalendar 不可用"
    years = (today.year, today.year + 1)
    sources = {year: cal.info(dt.date(year, 6, 1)).source for year in years}
    guessed = [y for y in years if sources[y] in (DaySource.ESTIMATE, DaySource.WEEKENDS)]
    if not guessed:
        return Check(
            "calendar",
            title,
            Status.PASS,
            f"{years[0]}、{years[1]} 年均为{SOURCE_LABELS[sources[years[0]]]}（{library}）",
        )
    how = "；".join(f"{y} 年{SOURCE_LABELS[sources[y]]}" for y in guessed)
    return Check(
        "calendar",
        title,
        Status.WARN,
        f"{library}，{how}：这些年份以工作日计的时限、落在节假日的截止日标为“预估”，与国务院公布的调休安排可能差一两天",
        "国务院通常在 10—12 月公布次年放假安排；公布后升级 chinesecalendar（pip install -U chinesecalendar），"
        "预估即改为正式；临近年底的截止日请按公布的安排复核",
    )


def installed_fonts(run: Callable[..., Any] = subprocess.run) -> set[str] | None:
    """Chinese font families known to fontconfig (every name of each), or None without fc-list."""
    if shutil.which("fc-list") is None:
        return None
    try:
        out = run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {re.sub(r"\\(.)", r"\1", name).strip() for line in out.splitlines() for name in line.split(",")} - {""}


def server_substitute(face: str, run: Callable[..., Any] = subprocess.run) -> str:
    """The family fontconfig uses on this machine for ``face`` (what a PDF made here shows)."""
    if shutil.which("fc-match") is None:
        return ""
    try:
        out = run(["fc-match", "-f", "%{family}", f"{face}:lang=zh-cn"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    return str(out.stdout).split(",")[0].strip()


def check_fonts(
    fonts: Mapping[str, Sequence[str]], installed: set[str] | None, substitutes: Mapping[str, str] | None = None
) -> Check:
    """The faces the Word documents name: the printing PC needs them; the server only for a PDF check."""
    title = "文档字体"
    faces = {chain[0]: tuple(chain[1:]) for chain in fonts.values()}
    where = "服务器本身不需要这些字体：文档里只写字体名，在打印用的电脑上用 Word/WPS 排版"
    if installed is None:
        return Check(
            "fonts",
            title,
            Status.WARN,
            f"没有 fc-list，无法检查本机字体；文档使用 {'、'.join(faces)}",
            f"{where}；请确认打印用的电脑装有这些字体",
        )
    missing = [face for face in faces if face not in installed]
    if not missing:
        return Check("fonts", title, Status.PASS, f"文档所用字体本机都有：{'、'.join(faces)}")
    local = {face: (substitutes or {}).get(face, "") for face in missing}
    used = set(local.values())
    if len(used) == 1 and "" not in used:
        server = f"（本机转 PDF 核对时用 {used.pop()} 代替）"
    else:
        server = "（本机转 PDF 核对时：" + "；".join(f"{f} 用 {s} 代替" for f, s in local.items() if s) + "）"
    office = "，".join(f"{face} 换用 {'或'.join(faces[face])}" for face in missing if faces[face])
    return Check(
        "fonts",
        title,
        Status.WARN,
        f"本机缺少 {len(missing)} 种文档字体：{'、'.join(missing)}" + (server if any(local.values()) else ""),
        f"{where}；请在打印用的电脑上安装这些字体，缺少时 Word/WPS 自动换用别的字体（{office}），版式略有变化",
    )


def check_python(version: tuple[int, ...]) -> Check:
    text = ".".join(str(n) for n in version[:3])
    if tuple(version[:2]) >= MIN_PYTHON:
        return Check("python", "Python 版本", Status.PASS, f"Python {text}")
    return Check(
        "python",
        "Python 版本",
        Status.FAIL,
        f"Python {text}，cunwu 需要 3.11 或更高版本",
        "安装 Python 3.11 或更高版本（Debian 12、Ubuntu 24.04 自带），再重新安装 cunwu",
    )


WEEKDAYS = "一二三四五六日"


def check_clock(now: dt.datetime) -> Check:
    """The date and time cunwu will use, and the time zone they are in."""
    offset = now.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    zone = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = now.tzname() or ""
    if name and not name.startswith(("UTC", "+", "-")):
        zone = f"{name}（{zone}）"
    text = f"{now:%Y-%m-%d %H:%M}（星期{WEEKDAYS[now.weekday()]}），时区 {zone}"
    if offset != BEIJING:
        return Check(
            "clock",
            "日期、时间和时区",
            Status.WARN,
            f"{text}：不是北京时间，午夜前后的日期会差一天，时限从错的日期起算",
            "把服务器时区设为 Asia/Shanghai（timedatectl set-timezone Asia/Shanghai），或由管理员运行 "
            "cunwu init --timezone Asia/Shanghai（cunwu 不看环境变量 TZ）",
        )
    return Check(
        "clock",
        "日期、时间和时区",
        Status.PASS,
        text,
        "请与北京时间核对；服务器时间不准时，记录的时间和时限都会跟着错（timedatectl set-ntp true 自动校时）",
    )


def _span(gap: dt.timedelta) -> str:
    """A time span in words: 约 365 天, 3 小时 20 分钟, 12 分钟."""
    if gap >= dt.timedelta(days=2):
        return f"约 {round(gap / dt.timedelta(days=1))} 天"
    minutes = int(gap.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"


def check_journal_clock(last_ts: str | None, now: dt.datetime) -> Check:
    """The clock is not behind the journal's newest entry (``store.clock.behind``): a clock set
    back (a dead CMOS battery, a hand-set date) would date new records before old ones, so the
    store refuses saves until it is fixed. ``last_ts``: the newest entry's time (None: no journal)."""
    title = "时钟与最后一次保存"
    if last_ts is None:
        return Check("journal_clock", title, Status.PASS, "还没有保存记录，无从比较")
    gap = clock_mod.behind(last_ts, now)
    try:
        last = dt.datetime.fromisoformat(last_ts)
        if last.tzinfo is not None and now.tzinfo is not None:
            last = last.astimezone(now.tzinfo)
        shown = f"{last:%Y-%m-%d %H:%M}"
    except ValueError:
        shown = last_ts
    if gap is None:
        return Check("journal_clock", title, Status.PASS, f"最后一次保存在 {shown}，不晚于现在的时间")
    return Check(
        "journal_clock",
        title,
        Status.FAIL,
        f"服务器现在的时间 {now:%Y-%m-%d %H:%M} 比最后一次保存的时间 {shown} 还早（早了 {_span(gap)}）："
        "或者现在的时钟被调回了，或者那次保存时时钟偏快；在弄清之前 cunwu 不接受任何保存（否则新记录的日期会"
        "早于旧记录，时限从错的日期起算）",
        "请管理员核对北京时间：现在的时间不对，就把服务器时间调准（timedatectl set-ntp true 自动校时）；现在的时间"
        "是对的、是那次保存时时钟偏快，就确认现在的时间：cunwu init --accept-clock（记入日志，核验会列出）。数据没有受影响",
    )


def last_saved(folder: Path) -> str | None:
    """The time of the journal's newest entry in ``folder`` (None: none, or it cannot be read)."""
    try:
        entry, _, _ = journal_mod.tail(folder / JOURNAL_FILE)
    except (OSError, ValueError):
        return None
    ts = entry.get("ts") if isinstance(entry, dict) else None
    return ts if isinstance(ts, str) else None


# --- all checks, with the real inputs ---------------------------------------------------------


def gather(folder: Path, now: dt.datetime, environ: Mapping[str, str] | None = None) -> list[Check]:
    """Every check on this machine, for the data directory ``folder``, at ``now``."""
    env = os.environ if environ is None else environ
    township, villages, group_shared, problem = "", 0, False, ""
    if (folder / settings_mod.SETTINGS_FILE).is_file():
        try:
            site = settings_mod.load(folder)
            township, villages, group_shared = site.township, len(site.villages), site.group_shared
        except StoreError as exc:
            problem = str(exc)
        except CatalogError as exc:
            problem = exc.report()
    from exports.style import FONTS  # python-docx: only for this command

    installed = installed_fonts()
    substitutes = {}
    if installed is not None:
        substitutes = {c[0]: server_substitute(c[0]) for c in FONTS.values() if c[0] not in installed}
    return [
        check_python(tuple(sys.version_info[:3])),
        check_locale(env, getattr(sys.stdout, "encoding", None)),
        check_terminal(env),
        check_size(terminal_size()),
        check_data_dir(folder, township=township, villages=villages, settings_problem=problem),
        check_permissions(folder, uid=os.geteuid(), group_shared=group_shared),
        check_disk(free_space(folder)),
        check_calendar(now.date(), WorkCalendar(), official_years()),
        check_fonts(FONTS, installed, substitutes),
        check_clock(now),
        check_journal_clock(last_saved(folder), now),
    ]
