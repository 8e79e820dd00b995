"""The built-in matter files compiled into one JSON file, so start-up parses no TOML and
loads no pinyin dictionary.

``compiled.json`` holds a digest of the TOML files, their parsed contents, and the pinyin
initials of every matter name. It is used only when the digest still matches the files
(an edited TOML file is simply parsed again), and a test keeps it current. Regenerate
with ``.venv/bin/python -m procedures.compiled`` after editing a matter file.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

import orjson

BUILTIN_DIR = Path(__file__).parent / "matters"
COMPILED_FILE = Path(__file__).parent / "compiled.json"


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.toml"))


def digest(files: list[Path]) -> str:
    """Whether ``compiled.json`` was made from these files: a CRC-32 of their names and contents.
    It guards against a stale build, not against anyone (a changed file is simply parsed and
    run); zlib is loaded by every start-up anyway, SHA-256 would load OpenSSL's hashes (0.6 MB)."""
    crc = 0
    for path in files:
        crc = zlib.crc32(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0", crc)
    return f"crc32:{crc:08x}"


def load() -> dict[str, Any] | None:
    """The compiled data when it matches the files on disk, else None."""
    try:
        data = orjson.loads(COMPILED_FILE.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest(builtin_files()):
        return None
    return data


def build() -> dict[str, Any]:
    """Parse and check every built-in file and compute the initials (imports tomllib and pypinyin)."""
    import tomllib

    from procedures.loader import CatalogError, Problem, load_dir
    from procedures.search import initials_of

    problems: list[Problem] = []
    matters = load_dir(BUILTIN_DIR, problems)
    if problems:
        raise CatalogError(problems)
    files = builtin_files()
    return {
        "digest": digest(files),
        "matters": {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in files},
        "initials": {m.id: list(initials_of(m.name)) for m in matters},
    }


def main() -> int:
    data = build()
    COMPILED_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"已写入 {COMPILED_FILE}（{len(data['matters'])} 个事项）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
