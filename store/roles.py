"""Who may change what: a 监委会 account reads everything and writes only its own
supervision opinions and countersignatures; 村干部 and 乡镇 accounts do the work.

The rule is enforced where every change must pass, the journal entry of a transaction
(``store.db.Transaction.record``): a write the role may not make aborts the whole
transaction before anything reaches the disk, whichever screen or command asked for it.
"""

from __future__ import annotations

from store.errors import Refused
from store.identity import Operator

CADRE, SUPERVISOR, TOWNSHIP = "村干部", "监委会", "乡镇"
ROLES = (CADRE, SUPERVISOR, TOWNSHIP)
SUPERVISION_ACTIONS = frozenset({"opinion.new"})
"""Journal actions of supervision: 审核意见 and 签字."""
READ_ONLY_ACTIONS = SUPERVISION_ACTIONS | {"backup"}
"""What a 监委会 account may journal: its opinions, and a backup copy (which changes no record)."""
MAY_SUPERVISE = frozenset({SUPERVISOR, TOWNSHIP})


def read_only(operator: Operator) -> bool:
    """True for a 监委会 account: it can look, give opinions and countersign, nothing else."""
    return operator.role == SUPERVISOR


def may_supervise(operator: Operator) -> bool:
    return operator.role in MAY_SUPERVISE


def check(operator: Operator, action: str) -> None:
    """Refuse ``action`` when ``operator``'s role may not make it."""
    if action in SUPERVISION_ACTIONS:
        if not may_supervise(operator):
            role = operator.role or "未登记角色"
            raise Refused(
                f"监督意见和签字只能由监委会或乡镇账号填写（{operator.label} 的角色是{role}）；"
                "如需登记角色，请由管理员运行 cunwu init --staff 账号=姓名:监委会"
            )
        return
    if read_only(operator) and action not in READ_ONLY_ACTIONS:
        raise Refused(
            f"{operator.label} 是监委会账号，只能查看、填写监督意见和签字，不能修改办件、会议、公示、用印或设置"
        )
