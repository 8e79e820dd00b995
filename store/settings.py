"""Local settings of a site (``settings.toml`` in the data directory).

For now: local amounts for timers, e.g. a county that posts 低保 notices for 10 days::

    [timers]
    "dibao.publicize" = 10

The key is ``matter-id.step-id`` (shown by ``cunwu show``); the override is shown beside
the rule wherever the rule is shown.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from procedures.loader import CatalogError, Problem

SETTINGS_FILE = "settings.toml"


def timer_overrides(data: Path) -> tuple[dict[str, int], str]:
    """The ``[timers]`` table of the site's settings and the file's path ({} when there is none).

    Raises CatalogError (file, key, reason) when the file cannot be read or is not valid.
    """
    path = data / SETTINGS_FILE
    if not path.exists():
        return {}, str(path)
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogError([Problem(str(path), "", "不是 UTF-8 编码，请用 UTF-8 保存")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError([Problem(str(path), "", f"TOML 格式错误：{exc}")]) from None
    except OSError as exc:
        raise CatalogError([Problem(str(path), "", f"无法读取文件（{exc.strerror or exc}）")]) from None
    timers = raw.get("timers", {})
    if not isinstance(timers, dict):
        raise CatalogError([Problem(str(path), "timers", '应为 [timers] 表，如 "dibao.publicize" = 10')])
    return dict(timers), str(path)
