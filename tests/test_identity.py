"""The operator is the OS account: LOGNAME cannot impersonate, SUDO_USER counts only from sudo."""

from __future__ import annotations

import os
import pwd

from store.identity import current_operator, human, os_account


def test_logname_and_user_are_ignored() -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    assert os_account({"LOGNAME": "zhangsan", "USER": "zhangsan"}) == me


def test_sudo_user_is_taken_when_sudo_set_it() -> None:
    # Under `sudo -u service`, the real uid is the service account and SUDO_UID the human's.
    other = next(p for p in pwd.getpwall() if p.pw_uid != os.getuid())
    human = pwd.getpwuid(os.getuid())
    env = {"SUDO_USER": human.pw_name, "SUDO_UID": str(human.pw_uid)}
    assert os_account(env, uid=other.pw_uid) == human.pw_name
    # A SUDO_USER that does not match SUDO_UID is not believed.
    forged = {"SUDO_USER": "zhangsan", "SUDO_UID": str(human.pw_uid)}
    assert os_account(forged, uid=other.pw_uid) == other.pw_name


def test_display_name_role_and_ssh_client() -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    op = current_operator({me: {"name": "张三", "role": "村干部"}}, {"SSH_CONNECTION": "10.0.0.5 51000 10.0.0.1 22"})
    assert (op.account, op.name, op.role, op.ssh_client) == (me, "张三", "村干部", "10.0.0.5")
    assert op.label == f"张三（{me}）"


def test_sudo_user_is_believed_only_in_the_service_account_or_root() -> None:
    """In the group-shared set-up a clerk runs cunwu as themself: a SUDO_USER they set in their
    own environment must not make them someone else (nor the data directory's owner)."""
    clerk, other, owner = [p for p in pwd.getpwall() if p.pw_uid not in (0, os.getuid())][:3]
    forged = {"SUDO_USER": other.pw_name, "SUDO_UID": str(other.pw_uid)}
    as_clerk = human(forged, uid=clerk.pw_uid, owner=owner.pw_uid)
    assert (as_clerk.account, as_clerk.via_sudo) == (clerk.pw_name, True)
    # The launcher: the process runs as the service account that owns the data.
    launched = human(forged, uid=owner.pw_uid, owner=owner.pw_uid)
    assert (launched.account, launched.uid, launched.via_sudo) == (other.pw_name, other.pw_uid, True)
    assert human(forged, uid=0, owner=owner.pw_uid).account == other.pw_name  # root's sudo
    assert human({}, uid=clerk.pw_uid, owner=owner.pw_uid) == human({}, uid=clerk.pw_uid)
