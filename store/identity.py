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
from typing import Any


@dataclass(frozen=True, slots=True)
class Human:
    """The person behind the process, as the operating system tells it."""

    account: str
    """The OS account name."""
    uid: int
    """That account's uid."""
    via_sudo: bool
    """True when the process runs as another account for this person (the shared-server
    launcher: ``sudo -u cunwu``). Paths such a person gives are then read and written by the
    service account, which can reach every village's data, so they are limited."""


@dataclass(frozen=True, slots=True)
class Operator:
    """The person doing something, as recorded in the journal and on every record."""

    account: str
    """The OS account name."""
    name: str = ""
    """Display name from the settings (empty when the account is not listed)."""
    role: str = ""
    """Role from the settings: 管理员, 乡镇, 村干部, 监委会; empty when not listed."""
    ssh_client: str = ""
    """The client's address from SSH_CONNECTION (informative, spoofable)."""
    villages: tuple[str, ...] = ()
    """The villages named for the account (村干部, 监委会 work and read only there)."""
    via_sudo: bool = False
    """Running through the shared-server launcher (see ``Human.via_sudo``)."""
    bootstrap: bool = False
    """管理员 only because the settings name none yet and this is the machine's owner (root,
    or the owner of a one-PC data directory): the first set-up, or an upgrade."""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.account}）" if self.name else self.account

    def stamp(self) -> dict[str, str]:
        """Who did it, as kept on a record: the account, and its name and role at that moment."""
        return {"by": self.account, "by_name": self.name or self.account, "by_role": self.role}


def who_did(entry: Mapping[str, Any], key: str = "by") -> str:
    """The name a step, correction or objection was done under (``Operator.stamp``): the name
    kept with it, never today's name of the account; an entry from before names were kept
    shows its account."""
    name = entry.get(f"{key}_name")
    return str(name) if name else str(entry.get(key) or "")


def human(environ: Mapping[str, str] | None = None, uid: int | None = None, owner: int | None = None) -> Human:
    """The human's account, uid, and whether sudo runs this process for them.

    ``owner``: the uid that owns the data directory. SUDO_USER is believed only in a process
    running as root or as that owner (the service account the launcher runs as): anyone can
    set SUDO_USER in their own environment, and a clerk running cunwu as themself (the
    group-shared set-up) must not become someone else by doing so.
    """
    env = os.environ if environ is None else environ
    real_uid = os.getuid() if uid is None else uid
    sudo_user, sudo_uid = env.get("SUDO_USER", ""), env.get("SUDO_UID", "")
    trusted = owner is None or real_uid in (0, owner)
    if trusted and sudo_user and sudo_uid.isdigit() and real_uid != int(sudo_uid):
        try:
            if pwd.getpwuid(int(sudo_uid)).pw_name == sudo_user:
                return Human(sudo_user, int(sudo_uid), True)
        except KeyError:
            pass
    try:
        account = pwd.getpwuid(real_uid).pw_name
    except KeyError:
        account = f"uid{real_uid}"
    # A SUDO_USER that does not check out is not believed, and neither is the process then
    # trusted as the machine's owner: it still counts as run through sudo.
    return Human(account, real_uid, bool(sudo_user))


def os_account(environ: Mapping[str, str] | None = None, uid: int | None = None) -> str:
    """The human's account name."""
    return human(environ, uid).account


def current_operator(
    staff: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str] | None = None, owner: int | None = None
) -> Operator:
    """The operator with display name, role and villages from the settings' staff table
    (``owner``: the data directory's owner, see ``human``)."""
    env = os.environ if environ is None else environ
    who = human(env, owner=owner)
    entry = staff.get(who.account, {})
    ssh = env.get("SSH_CONNECTION", "").split()
    return Operator(
        who.account,
        str(entry.get("name", "")),
        str(entry.get("role", "")),
        ssh[0] if ssh else "",
        tuple(entry.get("villages", ())),
        who.via_sudo,
    )
