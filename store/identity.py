"""Who is at the keyboard: the OS account, never a user-settable variable like LOGNAME.

Under ``sudo -u cunwu`` (the shared-server setup) the human is ``SUDO_USER``, which sudo
sets itself; it is trusted only when ``SUDO_UID`` names the same account. Otherwise the
real uid's account. ``SSH_CONNECTION`` is recorded for information only.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Operator:
    """The person doing something, as recorded in the journal."""

    account: str
    """The OS account name."""
    name: str = ""
    """Display name from the settings (empty when the account is not listed)."""
    role: str = ""
    """Role from the settings: 村干部, 监委会, 乡镇 ..."""
    ssh_client: str = ""
    """The client's address from SSH_CONNECTION (informative, spoofable)."""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.account}）" if self.name else self.account


def os_account(environ: Mapping[str, str] | None = None, uid: int | None = None) -> str:
    """The human's account name."""
    env = os.environ if environ is None else environ
    real_uid = os.getuid() if uid is None else uid
    sudo_user, sudo_uid = env.get("SUDO_USER", ""), env.get("SUDO_UID", "")
    if sudo_user and sudo_uid.isdigit() and real_uid != int(sudo_uid):
        try:
            if pwd.getpwuid(int(sudo_uid)).pw_name == sudo_user:
                return sudo_user
        except KeyError:
            pass
    try:
        return pwd.getpwuid(real_uid).pw_name
    except KeyError:
        return f"uid{real_uid}"


def current_operator(staff: Mapping[str, Mapping[str, str]], environ: Mapping[str, str] | None = None) -> Operator:
    """The operator with display name and role from the settings' staff table."""
    env = os.environ if environ is None else environ
    account = os_account(env)
    entry = staff.get(account, {})
    ssh = env.get("SSH_CONNECTION", "").split()
    return Operator(account, entry.get("name", ""), entry.get("role", ""), ssh[0] if ssh else "")
