"""Personal data off the command line: arguments are visible to other accounts (``ps``) and
stay in shell histories and logs, so text comes from standard input or a file instead.

- Arguments holding a resident ID number stop the command before anything is opened
  (``tui.launch.refuse_personal_data``, the first thing ``cunwu`` does).
- ``text_option`` / ``lines_option``: a free-text option (names, subjects, notes …) whose
  value ``-`` is read from standard input. Standard input can be read once, so at most one
  ``-`` per command; a second is refused while the options are parsed, before the command
  runs (nothing read, nothing written).
- ``entries_file_option`` / ``notice_entries``: a notice's list of people, one a line, from
  standard input (``-``) or, when cunwu runs as the user, from a file. Through the shared
  server's launcher the service account would read the file, and it can read every
  village's data, so only ``-`` is accepted there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer

from procedures import idnumber
from store.errors import EXIT_USAGE, BadInput
from store.identity import human
from tui.cli_common import fail

STDIN = "-"
LIMIT = 1 << 20
"""Standard input or a list file is read up to 1 MiB."""
NOTHING_DONE = "未做任何改动。"
ENTRY_FORMAT = "姓名,身份证号,人数,金额[,备注]"


def _flag(param: typer.CallbackParam) -> str:
    return max(param.opts, key=len) if param.opts else str(param.name)


def _decode(raw: bytes, source: str) -> str:
    if len(raw) > LIMIT:
        fail(f"{source}超过 {LIMIT // (1 << 20)} MiB，未采用。请分批提供。{NOTHING_DONE}", EXIT_USAGE)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fail(
            f"{source}第 {line} 行不是 UTF-8 编码的文字（可能是 GBK）。"
            f"请把它另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）后重试。{NOTHING_DONE}",
            EXIT_USAGE,
        )


def read_stdin(flag: str) -> str:
    """Standard input as text: UTF-8 (a byte-order mark is dropped), at most ``LIMIT`` bytes."""
    stream = sys.stdin
    if stream is None:
        fail(f"{flag} 写了 -，但没有标准输入。{NOTHING_DONE}", EXIT_USAGE)
    if stream.isatty():
        sys.stderr.write(f"请输入 {flag} 的内容，输入完后另起一行按 Ctrl+D：\n")
        sys.stderr.flush()
    buffer = getattr(stream, "buffer", None)
    raw = buffer.read(LIMIT + 1) if buffer is not None else stream.read(LIMIT + 1).encode("utf-8", "surrogateescape")
    return _decode(raw, "标准输入")


def read_file(path: str, flag: str) -> str:
    """A regular file the user names, read as the user, at most ``LIMIT`` bytes."""
    return _decode(read_bytes(path, f"{flag}：", "名单文件", LIMIT), f"文件 {path} ")


def read_bytes(path: str, where: str, what: str, limit: int) -> bytes:
    """A regular file the user names (``what``: 名单文件, .xlsx 或 .csv 文件), read as the user,
    at most ``limit`` + 1 bytes (the caller says when it is too long); ``where`` starts each refusal."""
    from store import outputs  # paths and reasons as every refusal shows them

    shown = outputs.shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        fail(f"{where}不能读取 {shown}（{outputs.reason(exc)}）。{NOTHING_DONE}", EXIT_USAGE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            fail(f"{where}{shown} 不是普通文件。请给出{what}，或写 - 从标准输入提供。{NOTHING_DONE}", EXIT_USAGE)
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


# Standard input is read once per command: every option that may be ``-`` goes through
# ``_settle``. Click processes every parameter (given or not) before the command runs, so
# when the last of a command's stdin options has been seen, all of them are known: two
# ``-`` are refused before anything is read, one is read and its value replaced.
_STATE = "cunwu.stdin"


def _convert(param: Any) -> Callable[[Any, typer.CallbackParam], Any] | None:
    """How a stdin option turns ``-`` into its value (None: not such an option)."""
    wrapped: Any = getattr(param.callback, "__wrapped__", None)  # typer wraps the callback
    return _CONVERT.get(wrapped)


def _settle(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    if ctx.resilient_parsing:
        return value
    mine = {p.name for p in ctx.command.params if _convert(p) is not None}
    # ctx.meta is shared with the parent contexts: the keys name this context.
    seen: set[str] = ctx.meta.setdefault(f"{_STATE}.{id(ctx)}.seen", set())
    dashes: list[typer.CallbackParam] = ctx.meta.setdefault(f"{_STATE}.{id(ctx)}.dashes", [])
    seen.add(str(param.name))
    values = value if isinstance(value, list | tuple) else [value]
    dashes += [param] * sum(v == STDIN for v in values)
    if seen < mine or not dashes:
        return value
    if len(dashes) > 1:
        flags = "、".join(_flag(p) for p in dashes)
        fail(
            f"{flags} 都写了 -，但标准输入只能读一次：每条命令只能有一个选项从标准输入读取，"
            f"其余请直接写在选项后面（或分几条命令）。{NOTHING_DONE}",
            EXIT_USAGE,
        )
    (target,) = dashes
    convert = _convert(target)
    assert convert is not None
    result = convert(value if target is param else ctx.params[str(target.name)], target)
    if target is param:
        return result
    ctx.params[str(target.name)] = result
    return value


def _text(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> Any:
    return _settle(ctx, param, value)


def _lines(ctx: typer.Context, param: typer.CallbackParam, value: list[str] | None) -> Any:
    return _settle(ctx, param, value)


def _entries(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> Any:
    if value is None or value == STDIN or ctx.resilient_parsing:
        return _settle(ctx, param, value)
    if human().via_sudo:
        fail(
            f"在共享服务器上请用 {_flag(param)} - 并从标准输入提供："
            f"cunwu notice post … {_flag(param)} - < 名单.txt（程序以服务账号运行，不读取您给出的路径）。{NOTHING_DONE}",
            EXIT_USAGE,
        )
    text = read_file(value, _flag(param))
    _settle(ctx, param, None)
    return text


def _stdin_text(value: Any, param: typer.CallbackParam) -> str:
    text = read_stdin(_flag(param)).strip()
    if not text:
        fail(f"{_flag(param)} 写了 -，但标准输入是空的。{NOTHING_DONE}", EXIT_USAGE)
    return text


def _stdin_lines(value: Any, param: typer.CallbackParam) -> list[str]:
    lines = [line.strip() for line in read_stdin(_flag(param)).splitlines() if line.strip()]
    if not lines:
        fail(f"{_flag(param)} 写了 -，但标准输入是空的。{NOTHING_DONE}", EXIT_USAGE)
    # The one ``-`` is replaced in place by the lines, so item numbers keep their order.
    out: list[str] = []
    for item in value:
        out += lines if item == STDIN else [item]
    return out


def _stdin_entries(value: Any, param: typer.CallbackParam) -> str:
    return read_stdin(_flag(param))


_CONVERT: dict[Callable[..., Any], Callable[[Any, typer.CallbackParam], Any]] = {
    _text: _stdin_text,
    _lines: _stdin_lines,
    _entries: _stdin_entries,
}

FROM_STDIN = "（写 - 则从标准输入读取）"


def text_option(*flags: str, about: str) -> Any:
    """A free-text option (a name, a subject, a note …): ``-`` reads it from standard input."""
    return typer.Option(*flags, help=about + FROM_STDIN, callback=_text)


def lines_option(*flags: str, about: str) -> Any:
    """A repeatable free-text option: a ``-`` among its values stands for standard input's
    non-blank lines, one value a line."""
    return typer.Option(*flags, help=about + "（写 - 则从标准输入读取，每行一项）", callback=_lines)


def entries_file_option() -> Any:
    """``--entries-file``: the command receives the text of the list (or None)."""
    return typer.Option(
        "--entries-file",
        help=f"公示名单：每行一人，{ENTRY_FORMAT}，逗号全角半角均可，也可用制表符（从 Excel 复制）；"
        "空行和 # 开头的行不算。写 - 则从标准输入读取（在共享服务器上只能用 -）。"
        "有身份证号时必须用它，不能用 --entry；两者不能同时用",
        metavar="FILE|-",
        callback=_entries,
    )


_FIELDS = ("name", "id_number", "household", "amount", "note")
_SEPARATOR = re.compile(r"[,，\t]")


def notice_entries(text: str, entry: Sequence[str] | None, today: dt.date) -> list[dict[str, str]]:
    """The rows of ``--entries-file``; BadInput names the line (counting every line)."""
    if entry:
        raise BadInput("--entry 与 --entries-file 不能同时使用：请把 --entry 的各行也写进名单。" + NOTHING_DONE)
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):  # numbered as an editor shows them
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in _SEPARATOR.split(line, maxsplit=len(_FIELDS) - 1)]
        row = dict(zip(_FIELDS, fields + [""] * (len(_FIELDS) - len(fields)), strict=True))
        if not row["name"]:
            raise BadInput(f"名单第 {number} 行没有姓名（格式：{ENTRY_FORMAT}）。{NOTHING_DONE}")
        if row["id_number"]:
            try:
                row["id_number"] = idnumber.validate(row["id_number"], today)
            except idnumber.InvalidId as exc:
                raise BadInput(f"名单第 {number} 行（{row['name']}）：{exc}。{NOTHING_DONE}") from None
        rows.append(row)
    if not rows:
        raise BadInput(f"名单是空的：每行一人，{ENTRY_FORMAT}。{NOTHING_DONE}")
    return rows


def reads_stdin(param: Any) -> bool:
    """Whether ``param`` is an option made here (its ``-`` reads standard input)."""
    return _convert(param) is not None
