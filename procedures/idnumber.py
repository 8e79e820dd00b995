"""Resident ID numbers (GB 11643-1999): check, normalise, find and mask in free text.

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence, check character
(ISO 7064 MOD 11-2). Full-width digits and a lower-case x from an IME are accepted.
Notices show at most the first 6 and last 4 characters; the birth date is never shown.

``main`` (also ``python -m procedures.idnumber ARG…``) is the argument check of the shared
server's wrapper, the same as cunwu's own (``in_arguments``): exit 2 and a message when the
arguments hold an ID number, before sudo sees them. The wrapper runs it before every command
with a bare interpreter (``python -X utf8 -I -S``), so this module imports only what loads
fast: no ``typing``, no ``re``, no ``datetime`` until ``validate``.
"""

from __future__ import annotations

import functools
import os
import sys
import unicodedata

TYPE_CHECKING = False  # not typing's: importing typing (and re with it) would double the start-up
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence
    from typing import Any

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
PROVINCES = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
}  # fmt: skip
DIGITS = "0123456789"
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d._/,\uff0e\uff3f\uff0f\uff0c\u3002\u3001"
"""Hyphens, dashes and the other marks typed between digit groups (. _ / , and their full-width
forms, 。 and 、): all count as a separator."""
GAP = 5
"""At most this many separators (spaces, hyphens …) in a row between two digit groups."""


class InvalidId(ValueError):
    """The text is not a valid resident ID number; the message says why, in Chinese."""


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _shaped(value: str) -> bool:
    """17 ASCII digits and a digit or X."""
    return len(value) == 18 and value.isascii() and value[:17].isdigit() and value[17] in DIGITS + "X"


def validate(text: str, today: dt.date | None = None) -> str:
    """The normalised ID number, or InvalidId saying what is wrong."""
    import datetime as dt  # here, not at the top: the wrapper's check does not need it

    value = normalize(text)
    if len(value) != 18:
        raise InvalidId(f"身份证号应为 18 位，现为 {len(value)} 位")
    if not _shaped(value):
        raise InvalidId("身份证号前 17 位应为数字，最后一位为数字或 X")
    if int(value[:2]) not in PROVINCES:
        raise InvalidId(f"身份证号开头“{value[:2]}”不是有效的省级行政区代码")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidId(f"身份证号中的出生日期“{value[6:14]}”不存在") from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise InvalidId(f"身份证号中的出生日期“{value[6:14]}”不合理")
    if check_char(value[:17]) != value[17]:
        raise InvalidId("身份证号校验位不符，请核对是否输错")
    return value


def mask(value: str) -> str:
    """110105********002X: the first 6 and last 4 kept, the birth date and sequence hidden."""
    clean = normalize(value)
    if len(clean) < 10:
        return "*" * len(clean)
    return clean[:6] + "*" * (len(clean) - 10) + clean[-4:]


# --- ID numbers in free text ------------------------------------------------------------------
#
# The text is first folded character by character (same length, so positions carry over):
# every kind of digit (full-width, other scripts, and whatever NFKC makes a digit) becomes an
# ASCII digit, x and X of any width "X", spaces of any kind (ASCII, ideographic U+3000, NBSP,
# line breaks, invisible format characters) " ", hyphens and dashes "-", anything else ".".
# A chain is then digit groups joined by at most GAP separators. In a chain, an ID number is
# - one group of exactly 18 (17 and an X): only the shape counts, a mistyped number is still
#   someone's, and letters or Chinese around it do not matter (身份证140431…, ID140431…);
# - several consecutive groups making 18 (140431 19700101 0016, 1404-3119-…): these must
#   also look like one (a province code and a birth date: year 18xx–20xx, month 01–12,
#   day 01–31), so that phone numbers, dates and record numbers typed side by side do not.
# - inside a longer run of digits (a digit glued on, 电话0355 before it): an 18-digit stretch
#   that is a whole valid number (province, birth date and check character all right).
# Otherwise a group is never split: a run of 19 or more digits (a bank card) is no ID number.


def _fold_char(char: str) -> str:
    if char in DIGITS:
        return char
    if char in "xX":
        return "X"
    if char in HYPHENS:
        return "-"
    if char.isspace() or unicodedata.category(char) == "Cf":
        return " "
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and folded in DIGITS:
        return folded
    if folded in ("x", "X"):
        return "X"
    return "."


class _Fold(dict[int, str]):
    """``str.translate`` table, filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _fold_char(chr(code))
        return value


_FOLD = _Fold()


@functools.cache
def _chain() -> Callable[[str], object]:
    """The search for 17 digits in one chain (groups apart by at most ``GAP`` spaces or hyphens),
    in folded text: what every ID number the scan below finds has, in one pass of the regex
    engine. Compiled when first needed: the shared server's wrapper checks every command's
    arguments with this module and must not load ``re`` for it."""
    import re

    return re.compile(f"[0-9](?:[ -]{{0,{GAP}}}[0-9]){{16}}").search


def _plausible(number: str) -> bool:
    """A province code and a birth date where an ID number has them."""
    return (
        int(number[:2]) in PROVINCES
        and number[6:8] in ("18", "19", "20")
        and "01" <= number[10:12] <= "12"
        and "01" <= number[12:14] <= "31"
    )


def _in_chain(folded: str, groups: list[tuple[int, int]], x: int | None) -> list[tuple[int, int, str]]:
    """The ID numbers among a chain's digit groups, left to right, never overlapping.
    ``x``: where an X after the last group ends (None: there is none)."""
    found = []
    first = 0
    while first < len(groups):
        start, end = groups[first]
        if end - start > 18:
            found += _within(folded, start, end)
            first += 1
            continue
        digits = ""
        for last in range(first, len(groups)):
            start, end = groups[last]
            digits += folded[start:end]
            if len(digits) >= 18:
                break
        number = ""
        if len(digits) == 18:
            number = digits
        elif len(digits) == 17 and x is not None and last == len(groups) - 1:
            number, end = digits + "X", x
        if number and (first == last or _plausible(number)):
            found.append((groups[first][0], end, number))
            first = last + 1
        else:
            first += 1
    return found


def _within(folded: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Whole valid ID numbers inside a run of more than 18 digits, left to right."""
    found = []
    at = start
    while at + 18 <= end:
        window = folded[at : at + 18]
        if _plausible(window) and check_char(window[:17]) == window[17]:
            found.append((at, at + 18, window))
            at += 18
        else:
            at += 1
    return found


def spans(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` holds an ID number: (start, end, the number normalised), in order."""
    if len(text) < 17:
        return []  # an ID number needs 17 digits and its check character: most text is shorter
    folded = text.translate(_FOLD)
    if sum(map(folded.count, DIGITS)) < 17:
        return []  # fewer digits than any ID number has (a title, a date, a record number)
    if _chain()(folded) is None:
        return []  # the digits are apart (dates in a sentence): no 17 of them in one chain
    found: list[tuple[int, int, str]] = []
    size = len(folded)
    at = 0
    while at < size:
        if folded[at] not in DIGITS:
            at += 1
            continue
        groups = []
        while True:
            end = at
            while end < size and folded[end] in DIGITS:
                end += 1
            groups.append((at, end))
            gap = end
            while gap < size and gap - end < GAP and folded[gap] in " -":
                gap += 1
            if gap == end or gap >= size or folded[gap] not in DIGITS:
                break
            at = gap
        x = gap + 1 if gap < size and folded[gap] == "X" else None  # 17 digits and X, maybe after a space
        found += _in_chain(folded, groups, x)
        at = end
    return found


def find_in_text(text: str) -> list[str]:
    """Every ID number in ``text``, normalised (18 ASCII characters, upper-case X): in any
    kind of digits, with a lower-case x, right after letters or Chinese, or in groups split
    by spaces or hyphens (see above). Only the shape counts, not the check character."""
    return [number for _, _, number in spans(text)]


@functools.lru_cache(maxsize=1 << 16)
def mask_in_text(text: str) -> str:
    """``text`` with every ID number in it masked (``mask``), as ``find_in_text`` finds them;
    the rest is left as typed (full-width punctuation too)."""
    parts = []
    done = 0
    for start, end, number in spans(text):
        parts += [text[done:start], mask(number)]
        done = end
    return "".join(parts) + text[done:] if parts else text


def mask_in_data(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string passed through ``mask_in_text``:
    what the command line prints of records holding free text (notes, subjects, opinions)."""
    if isinstance(value, str):
        return mask_in_text(value)
    if isinstance(value, dict):
        return {key: mask_in_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_in_data(item) for item in value]
    return value


# --- ID numbers on the command line -------------------------------------------------------------


def _readings(arg: str) -> list[str]:
    """An argument as Python decoded it and, when its bytes were not UTF-8 (they came back as
    lone surrogates), as GB 18030: a GBK terminal's full-width digits are still digits."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return [arg, os.fsencode(arg).decode("gb18030", "replace")]
    return [arg]


def in_arguments(argv: Sequence[str]) -> list[str]:
    """The ID numbers in command-line arguments: in each one, and in all of them joined by
    spaces (an unquoted ``--note 申请人 140431 19700101 0016`` is four arguments)."""
    readings = [_readings(arg) for arg in argv]
    texts = [text for both in readings for text in both]
    texts += [" ".join(both[0] for both in readings), " ".join(both[-1] for both in readings)]
    return list(dict.fromkeys(number for text in texts for number in find_in_text(text)))


def refusal(found: Sequence[str]) -> str:
    """What cunwu and the shared server's wrapper say when the arguments hold ID numbers."""
    shown = "、".join(dict.fromkeys(mask(n) for n in found))
    return (
        f"命令行参数中有身份证号（{shown}）。命令行参数其他账号可能看到（ps），还会留在 shell 的历史记录和系统日志中。"
        "请改用标准输入：公示名单用 --entries-file -，其他文字选项写 -（如 --note -），"
        "再用 < 文件 或管道提供内容；或在终端界面中填写。未做任何改动。\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The wrapper's check: 2 and the message on standard error when ``argv`` (default: this
    process's arguments) holds an ID number, else 0."""
    found = in_arguments(sys.argv[1:] if argv is None else argv)
    if not found:
        return 0
    message = refusal(found).encode("utf-8")
    buffer = getattr(sys.stderr, "buffer", None)
    if buffer is not None:
        buffer.write(message)
    else:
        sys.stderr.write(message.decode("utf-8"))
    sys.stderr.flush()
    return 2


if __name__ == "__main__":
    sys.exit(main())
