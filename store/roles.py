"""Who may do what, and where.

- 管理员: everything a 乡镇 account may do, plus the settings (staff, roles, villages, time
  limits, the supervision phone, the time zone), restore and repair. On a one-PC install the
  clerk who set it up is its 管理员 and still does the work.
- 乡镇: the work in every village, opinions and countersignatures.
- 村干部: the work in the villages named for the account.
- 监委会: reads, gives opinions and countersigns, in the villages named for it.
- An account not in the settings can do nothing here (the catalogue and ``doctor`` need no
  data directory).

Reading is scoped like writing: a 村干部 or 监委会 account sees only its own villages'
records (``store.records.RecordBook``). Every write is checked where every change must pass,
the journal entry of a transaction (``store.db.Transaction.record``): a write the account
may not make aborts the whole transaction before anything reaches the disk, whichever
screen or command asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from store.errors import NotListed, OutOfScope, Refused
from store.identity import Operator

ADMIN, TOWNSHIP, CADRE, SUPERVISOR = "管理员", "乡镇", "村干部", "监委会"
ROLES = (ADMIN, TOWNSHIP, CADRE, SUPERVISOR)
EVERY_VILLAGE = frozenset({ADMIN, TOWNSHIP})
"""Roles that work and read in every village; the others only in the villages named for them."""
NEEDS_VILLAGES = frozenset({CADRE, SUPERVISOR})
SUPERVISION_ACTIONS = frozenset({"opinion.new", "rectification.close"})
"""Journal actions of supervision: 审核意见 and 签字, and the 销号 of a 整改事项."""
RECTIFY_OPEN = frozenset({"rectification.new"})
"""Opening a 整改事项: the 监委会 and the 乡镇 (下发整改清单), or the village's own cadres."""
TOWNSHIP_ONLY = frozenset({"rectification.waive"})
"""认定“无需整改”: the 乡镇 (and a 管理员) only."""
MAY_SUPERVISE = frozenset({SUPERVISOR, TOWNSHIP, ADMIN})
ADMIN_ACTIONS = frozenset({"restored", "restore", "repair"})
"""Besides every ``settings.*`` action: what only a 管理员 journals."""
WHOLE_SITE_ACTIONS = frozenset({"backup"})
"""A copy of the whole data directory holds every village's records: 管理员 and 乡镇 only."""
SETTINGS_WORK = "修改设置（人员、角色、村名单、时限、监督电话）"
"""What only a 管理员 may do, as the refusal names it."""


def known(operator: Operator) -> bool:
    """True when the settings list the account with a valid role (or it is the bootstrap 管理员)."""
    return operator.role in ROLES


def is_admin(operator: Operator) -> bool:
    return operator.role == ADMIN


def sees_every_village(operator: Operator) -> bool:
    return operator.role in EVERY_VILLAGE


def sees(operator: Operator, village: str) -> bool:
    """May ``operator`` read (and, by role, work on) the records of ``village``?"""
    if operator.role in EVERY_VILLAGE:
        return True
    return operator.role in NEEDS_VILLAGES and village in operator.villages


def visible(operator: Operator, villages: Iterable[str]) -> list[str]:
    """The villages of ``villages`` that ``operator`` may see, in their order."""
    return [v for v in villages if sees(operator, v)]


def read_only(operator: Operator) -> bool:
    """True for a 监委会 account: it can look, give opinions and countersign, nothing else."""
    return operator.role == SUPERVISOR


def may_supervise(operator: Operator) -> bool:
    return operator.role in MAY_SUPERVISE


def not_listed(operator: Operator) -> NotListed:
    """The refusal for an account the settings do not list (it may only read the catalogue)."""
    return NotListed(operator.account)


def unknown_message(operator: Operator) -> str:
    return str(not_listed(operator))


def scope_text(operator: Operator) -> str:
    return "、".join(operator.villages) or "（未指定村）"


def out_of_scope(operator: Operator, village: str, doing: str = "查看") -> Refused:
    """The refusal for a village outside ``operator``'s."""
    if not known(operator):
        return not_listed(operator)
    if operator.role in NEEDS_VILLAGES and not operator.villages:
        message = (
            f"{operator.label} 是{operator.role}账号，但还没有指定所在村，不能{doing}{village}的记录。"
            "请管理员在人员名单中为本账号指定所在村"
        )
    else:
        message = (
            f"{operator.label} 是{scope_text(operator)}的{operator.role}，不能{doing}{village}的记录；"
            "如需调整所在村，请联系管理员"
        )
    return OutOfScope(
        message, account=operator.account, role=operator.role, village=village, villages=tuple(operator.villages)
    )


def check(operator: Operator, action: str, village: str | None = None) -> None:
    """Refuse ``action`` (on a record of ``village``, when it belongs to one) when ``operator``
    may not make it. ``action`` "" asks whether the operator may start a change at all."""
    if not known(operator):
        raise not_listed(operator)
    if action in RECTIFY_OPEN:
        if village is not None and not sees(operator, village):
            raise out_of_scope(operator, village, "登记整改于")
        return
    if action in TOWNSHIP_ONLY:
        if not sees_every_village(operator):
            raise Refused(f"认定“无需整改”只能由乡镇或管理员账号办理（{operator.label} 的角色是{operator.role}）")
        return
    if action in SUPERVISION_ACTIONS:
        if not may_supervise(operator):
            what = (
                "整改销号只能由监委会、乡镇或管理员账号办理"
                if action.startswith("rectification.")
                else "监督意见和签字只能由监委会、乡镇或管理员账号填写"
            )
            raise Refused(f"{what}（{operator.label} 的角色是{operator.role}）")
        if village is not None and not sees(operator, village):
            raise out_of_scope(operator, village, "填写意见或签字于")
        return
    if action.startswith("settings.") or action in ADMIN_ACTIONS:
        require_admin(operator, "恢复备份和修复数据" if action in ADMIN_ACTIONS else SETTINGS_WORK)
        return
    if action in WHOLE_SITE_ACTIONS:
        if not sees_every_village(operator):
            raise Refused(
                f"整个数据目录的备份含有各村的记录，只有管理员和乡镇账号可以备份；{operator.label} 的角色是{operator.role}"
            )
        return
    if read_only(operator):
        raise Refused(
            f"{operator.label} 是监委会账号，只能查看、填写监督意见和签字，不能修改办件、会议、公示、用印或设置"
        )
    if village is not None and not sees(operator, village):
        raise out_of_scope(operator, village, "办理或修改")


def check_start(operator: Operator, supervision: bool = False) -> None:
    """May ``operator`` start a change at all? A 监委会 account only for ``supervision`` (an
    opinion, a signature); an account not in the settings never. Each journal entry is then
    checked on its own (``check``)."""
    if supervision:
        if not known(operator):
            raise not_listed(operator)
        return
    check(operator, "")


def require_admin(operator: Operator, what: str) -> None:
    """Refuse anyone but a 管理员 (``what``: the thing asked for, e.g. "恢复备份")."""
    if not known(operator):
        raise not_listed(operator)
    if not is_admin(operator):
        raise Refused(f"只有管理员可以{what}；{operator.label} 的角色是{operator.role}。请联系管理员")
