"""Resident ID numbers (GB 11643-1999): check, normalise, and mask for anything public.

18 characters: 6-digit region code, 8-digit birth date, 3-digit sequence, check character
(ISO 7064 MOD 11-2). Full-width digits and a lower-case x from an IME are accepted.
Notices show at most the first 6 and last 4 characters; the birth date is never shown.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
PROVINCES = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
}  # fmt: skip
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$", re.ASCII)
_D = "0-9０-９"
_IN_TEXT = re.compile(rf"(?<![{_D}A-Za-zＡ-Ｚａ-ｚ])[{_D}]{{17}}[{_D}XxＸｘ](?![{_D}A-Za-zＡ-Ｚａ-ｚ])")
# In NFKC-folded text: 17 digits and a digit or X, with spaces allowed between them.
_SPACED = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]\s*){17}[0-9Xx](?![0-9A-Za-z])", re.ASCII)


class InvalidId(ValueError):
    """The text is not a valid resident ID number; the message says why, in Chinese."""


def normalize(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate(text: str, today: dt.date | None = None) -> str:
    """The normalised ID number, or InvalidId saying what is wrong."""
    value = normalize(text)
    if len(value) != 18:
        raise InvalidId(f"身份证号应为 18 位，现为 {len(value)} 位")
    if not _SHAPE.match(value):
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


def mask_in_text(text: str) -> str:
    """Free text with every 18-character ID-shaped number masked."""
    # Only the numbers are touched: the rest of the text keeps its full-width punctuation.
    return _IN_TEXT.sub(lambda m: mask(m.group(0)), text)


def find_in_text(text: str) -> list[str]:
    """Every ID-shaped number in ``text``, normalised (18 ASCII characters, upper-case X):
    also typed with full-width digits, a lower-case x, or spaces between the digits.
    Only the shape counts (a mistyped number is still someone's), not the check character."""
    return [normalize(m.group(0)) for m in _SPACED.finditer(unicodedata.normalize("NFKC", text))]
