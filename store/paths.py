"""Where a site's data lives: ``--data PATH``, else ``CUNWU_DATA``, else the user data directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "CUNWU_DATA"
LOCAL_MATTERS = "matters"
"""Sub-folder of the data directory holding local versions of matter files."""


def data_dir(option: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The data directory chosen by the option, the environment, or the platform default."""
    if option is not None:
        return option.expanduser()
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR, "").strip():
        return Path(env[ENV_VAR]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("cunwu", appauthor=False)


def local_matters_dir(data: Path) -> Path | None:
    """The folder of local matter files, when the site has one."""
    folder = data / LOCAL_MATTERS
    return folder if folder.exists() else None
