"""The operator is the OS account: LOGNAME cannot impersonate, SUDO_USER counts only from sudo."""

from __future__ import annotations

import os
import pwd

from store.identity import current_operator, os_account


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
