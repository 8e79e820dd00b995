"""Matters as plain JSON-ready dicts (for ``--json`` output and for other programs)."""

from __future__ import annotations

from typing import Any

from procedures.model import Matter, Step, Timer
from procedures.risks import CHECK_TITLES


def timer_to_dict(timer: Timer) -> dict[str, Any]:
    return {
        "kind": timer.kind.value,
        "amount": timer.amount,
        "unit": timer.unit.value,
        "basis": timer.basis,
        "confidence": timer.confidence.value,
        "rule": timer.rule,
        "from": timer.counts_from or None,
        "default_amount": timer.default_amount,
        "override_source": timer.override_source or None,
    }


def step_to_dict(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "title": step.title,
        "actor": step.actor,
        "phase": step.phase,
        "checklist": list(step.checklist),
        "materials": list(step.materials),
        "timer": timer_to_dict(step.timer) if step.timer is not None else None,
        "outcomes": [{"label": o.label, "goto": o.goto} for o in step.outcomes],
        "next": step.next or None,
        "produces": step.produces.value,
        "end": step.end,
        "closes_as": step.closes_as.value if step.end else None,
        "added": step.added,
        "source": step.source,
        "note": step.note,
    }


def matter_to_dict(matter: Matter) -> dict[str, Any]:
    return {
        "id": matter.id,
        "order": matter.order,
        "category": matter.category,
        "name": matter.name,
        "supervision": matter.supervision,
        "risks": list(matter.risks),
        "risk_checks": [
            {
                "risk": e.risk,
                "checks": [{"id": c, "title": CHECK_TITLES[c]} for c in e.checks],
                "manual": e.manual or None,
            }
            for e in matter.risk_checks
        ],
        "controls": list(matter.controls),
        "basis": list(matter.basis),
        "intro": list(matter.intro),
        "note": matter.note,
        "initials": list(matter.initials),
        "steps": [step_to_dict(s) for s in matter.steps],
    }
