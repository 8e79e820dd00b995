"""Other people on the shared server, as the launcher presents them to cunwu.

The shared-server launcher runs cunwu as the service account through sudo, and sudo tells it
who the person is: ``SUDO_USER`` and ``SUDO_UID``, which cunwu believes only when they name
the same real account (``store.identity.human``). The tests do the same with real accounts of
this machine other than the one running the tests, so that nothing is taken on trust that a
real launcher would not give. The account running the tests set the data directory up and
is its 管理员.
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Mapping
from pathlib import Path

from store.site import Site
from tests.sites import NOW

_VALID = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_OTHERS = [p for p in pwd.getpwall() if p.pw_uid != os.getuid() and _VALID.fullmatch(p.pw_name)]
assert len(_OTHERS) >= 5, "the tests need five accounts other than their own in /etc/passwd"

CADRE = _OTHERS[0].pw_name
"""王文书, 村干部 of 城关村."""
CADRE_SOUTH = _OTHERS[1].pw_name
"""李主任, 村干部 of 南石村."""
SUPERVISOR = _OTHERS[2].pw_name
"""赵六, 监委会 of 城关村."""
TOWNSHIP = _OTHERS[3].pw_name
"""包村干部, 乡镇."""
STRANGER = _OTHERS[4].pw_name
"""In the staff group of the server, not in the settings."""

STAFF = (
    f"{CADRE}=王文书:村干部:城关村",
    f"{CADRE_SOUTH}=李主任:村干部:南石村",
    f"{SUPERVISOR}=赵六:监委会:城关村",
    f"{TOWNSHIP}=包村干部:乡镇",
)


def env(account: str) -> dict[str, str]:
    """The environment the launcher gives a command run by ``account``."""
    return {"SUDO_USER": account, "SUDO_UID": str(pwd.getpwnam(account).pw_uid)}


def open_as(root: Path, account: str, base: Mapping[str, str] | None = None) -> Site:
    """The data directory as ``account`` opens it through the launcher."""
    return Site(root, environ={**(base or {}), **env(account)})


def register(root: Path, *staff: str) -> Site:
    """The 管理员 (the account running the tests) registers ``staff`` (default: everyone above)."""
    admin = Site(root, environ={})
    admin.init(NOW, None, [], staff=list(staff or STAFF))
    return admin
