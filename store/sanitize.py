"""One sanitizer for all user text at the boundary of the store.

NFC; C0/C1 control characters removed except tab and newline; lone surrogates and the
non-characters U+FFFE/U+FFFF removed (they crash Word exports and JSON); length bounded
with a clear message. Rich markup such as ``[bold]`` is ordinary text here and is kept
as typed: the screens never parse user text as markup.
"""

from __future__ import annotations

import re
import unicodedata

from store.errors import BadInput

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

SHORT = 200
"""Names, subjects, places."""
LONG = 20_000
"""Notes, contents, reasons."""


def sanitize(text: object, field: str, *, limit: int = SHORT, required: bool = False, multiline: bool = False) -> str:
    """Clean ``text`` for storage; raise BadInput naming ``field`` when it cannot be accepted."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadInput(f"{field}应为文字")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = text.strip() if multiline else " ".join(text.split())
    if required and not text:
        raise BadInput(f"{field}不能为空")
    if len(text) > limit:
        raise BadInput(f"{field}太长（{len(text)} 字），最多 {limit} 字，请精简后重试")
    return text
