"""One sanitizer for all user text at the boundary of the store.

Terminal escape sequences removed whole (a paste may carry them); C0/C1 control characters removed except tab and newline (in long text); the invisible format
characters (Unicode category Cf: the bidi overrides and isolates U+202A–U+202E, U+2066–U+2069,
the marks U+200E/U+200F/U+061C, zero-width spaces and joiners, U+FEFF) removed, so that a
name cannot read differently on screen from what is compared and stored; lone surrogates and
the non-characters U+FFFE/U+FFFF removed (they crash Word exports and JSON); NFKC, so that
full-width letters and digits are stored as the plain ones (王某１ is 王某1) — except the
characters Chinese documents use as themselves (full-width punctuation，：；（）, the
ideographic space, ……, ①, ㎡, ℃, Ⅳ, m²), which NFKC would turn into other text; length
bounded with a clear message. Rich markup such as ``[bold]`` is ordinary text here and is
kept as typed: the screens never parse user text as markup.

``store.codec`` checks, before every save, that each free-text field written is text this
function leaves as it is.
"""

from __future__ import annotations

import re
import unicodedata

from store.errors import BadInput

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, colours, the bracketed-paste markers
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI in its 8-bit form
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # the other escape sequences (ESC and one or two characters)
)
"""Terminal escape sequences, removed whole: removing only the ESC would keep their tails
("[D", "[31m") as text, and in a paste they stand for keys (a cursor move) that reorder it."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
"""Unicode category Cf (format characters, as of Unicode 14): invisible, and some reorder the
text around them."""
_KEEP = re.compile(
    "([\u3000\u2025\u2026\u00b2\u00b3\u00b9\u2070-\u209f\u2100-\u218f\u2460-\u24ff\u3200-\u33ff"
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff60\uffe0-\uffe6\ufe10-\ufe1f\ufe30-\ufe6f]+)"
)
"""What NFKC leaves alone here: full-width punctuation and space, ellipses, superscripts,
letterlike symbols (℃), Roman numerals, circled numbers, enclosed and squared CJK (㎡),
vertical and small forms."""

SHORT = 200
"""Names, subjects, places."""
LONG = 20_000
"""Notes, contents, reasons."""


def normalize(text: str, *, compat: bool = True) -> str:
    """NFKC except the characters of ``_KEEP`` (NFC only with ``compat`` False)."""
    if not compat:
        return unicodedata.normalize("NFC", text)
    parts = _KEEP.split(text)  # odd parts are kept runs
    return "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))


def without_escapes(text: str) -> str:
    """``text`` without terminal escape sequences (what a paste from another program may carry)."""
    return _ESCAPES.sub("", text)


def pasted(text: str) -> str:
    """A paste as a text field takes it: escape sequences and control characters out, line
    breaks kept (the field's own rules, and ``sanitize`` at saving, do the rest)."""
    text = without_escapes(text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def clean(text: str, *, multiline: bool = False, compat: bool = True) -> str:
    """``text`` as it is stored: what ``sanitize`` does, without its checks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _FORMAT.sub("", _CONTROL.sub("", without_escapes(text)))
    text = normalize(text, compat=compat)
    return text.strip() if multiline else " ".join(text.split())


def sanitize(
    text: object,
    field: str,
    *,
    limit: int = SHORT,
    required: bool = False,
    multiline: bool = False,
    compat: bool = True,
) -> str:
    """Clean ``text`` for storage; raise BadInput naming ``field`` when it cannot be accepted."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadInput(f"{field}应为文字。未做任何改动。")
    text = clean(text, multiline=multiline, compat=compat)
    if required and not text:
        raise BadInput(f"{field}不能为空，请填写后重试。未做任何改动。")
    if len(text) > limit:
        raise BadInput(f"{field}太长（{len(text)} 字），最多 {limit} 字，请精简后重试。未做任何改动。")
    return text
