"""Roles: a 监委会 account reads everything and writes only opinions and countersignatures."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from procedures.model import Produces
from store import archive
from store.errors import Refused
from store.identity import os_account
from store.site import Site
from store.verify import verify
from tests.sites import NOW, at, post_notice, walk_to

D = dt.date
MEETING = {"kind": "支委会", "title": "支委会", "start": "2026-11-27 08:00", "expected": 5, "present": 5}
SEAL = {
    "seal": "党支部",
    "document": "证明",
    "purpose": "转接",
    "approver": "李书记",
    "keeper": "王文书",
    "routine": True,
}


def site_as(root: Path, role: str) -> Site:
    """The data directory opened by this OS account, registered with ``role``."""
    setup = Site(root, environ={})
    setup.init(NOW, "沁河镇", ["城关村"], staff=[f"{os_account()}=张三:{role}"])
    return Site(root, environ={})


def fingerprint(root: Path) -> dict[str, str]:
    """Every file's digest: nothing written means nothing changed."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "backups" not in p.parts and p.name != ".lock"
    }


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A village with a case at its 公示 step, a meeting, a posted notice and a seal use, made by a cadre."""
    root = tmp_path / "data"
    cadre = site_as(root, "村干部")
    waiting = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "待公示").number
    walk_to(cadre, waiting, "publicize")
    posted = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "已公示").number
    walk_to(cadre, posted, "publicize")
    notice = post_notice(cadre, posted)
    fresh = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "刚受理").number
    meeting = cadre.meetings.new(cadre.operator, NOW, "城关村", MEETING)
    seal = cadre.seals.new(cadre.operator, NOW, "城关村", SEAL)
    return root, {
        "waiting": waiting,
        "posted": posted,
        "fresh": fresh,
        "notice": str(notice["number"]),
        "meeting": meeting["number"],
        "seal": seal["number"],
    }


def writes(s: Site, n: dict[str, str]) -> dict[str, Callable[[], Any]]:
    op, later = s.operator, at(D(2026, 12, 4))
    return {
        "open a case": lambda: s.cases.open(op, NOW, "dibao", "城关村", "新申请"),
        "complete a step": lambda: s.cases.complete_step(op, later, n["posted"], "无异议"),
        "force a step": lambda: s.cases.complete_step(op, NOW, n["posted"], "无异议", force_reason="急"),
        "save progress": lambda: s.cases.save_progress(op, NOW, n["waiting"], s.cases.get(n["waiting"]).rev),
        "post a notice": lambda: post_notice(s, n["waiting"]),
        "record an objection": lambda: s.notices.object(op, NOW, n["notice"], NOW.date(), "李某", "有收入"),
        "new meeting": lambda: s.meetings.new(op, NOW, "城关村", MEETING),
        "edit meeting": lambda: s.meetings.edit(op, NOW, n["meeting"], 1, MEETING),
        "confirm meeting": lambda: s.meetings.confirm(op, NOW, n["meeting"]),
        "new seal use": lambda: s.seals.new(op, NOW, "城关村", SEAL),
        "change settings": lambda: s.init(NOW, None, ["新村"]),
    }


def test_a_supervisor_cannot_change_anything_through_the_api(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    supervisor = site_as_existing(root)
    assert supervisor.read_only and supervisor.operator.role == "监委会"
    before = fingerprint(root)
    for what, attempt in writes(supervisor, numbers).items():
        with pytest.raises(Refused, match="监委会账号，只能查看") as refused:
            attempt()
        assert fingerprint(root) == before, f"{what} changed the data ({refused.value})"
    # A backup copy changes no record, and the committee may take one (it is journaled).
    backup = archive.backup(supervisor, NOW, root.parent / "b.tar.gz")
    before = fingerprint(root)
    with pytest.raises(Refused, match="监委会账号"):
        archive.restore(supervisor, NOW, backup)
    assert fingerprint(root) == before


def site_as_existing(root: Path) -> Site:
    """Re-register this account as 监委会 (a cadre's change), then open as the supervisor."""
    cadre = Site(root, environ={})
    cadre.init(NOW, None, [], staff=[f"{os_account()}=张监督:监委会"])
    return Site(root, environ={})


def test_a_supervisor_gives_opinions_and_countersigns_before_posting(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    supervisor = site_as_existing(root)
    op = supervisor.operator
    opinion = supervisor.opinions.add(op, NOW, numbers["seal"], "请补充批准人签字", finding="seal-basis|x|stamp")
    assert (opinion["kind"], opinion["target"], opinion["by"], opinion["role"]) == (
        "opinion",
        numbers["seal"],
        "张监督（" + os_account() + "）",
        "监委会",
    )
    signed = supervisor.opinions.countersign(op, NOW, numbers["waiting"])
    assert (signed["kind"], signed["step"], signed["text"]) == ("countersign", "publicize", "同意公示")
    with pytest.raises(Refused, match="已对办件"):
        supervisor.opinions.countersign(op, NOW, numbers["waiting"])
    with pytest.raises(Refused, match="已张贴，签字应在张贴前"):
        supervisor.opinions.countersign(op, NOW, numbers["posted"])
    with pytest.raises(Refused, match="不在公示步骤"):
        supervisor.opinions.countersign(op, NOW, numbers["fresh"])
    assert [o["number"] for o in supervisor.opinions.find(target=numbers["waiting"])] == [signed["number"]]
    assert supervisor.opinions.countersigns(numbers["waiting"], "publicize") == [signed]
    report = verify(supervisor.store, supervisor.records())
    assert report.ok, report.problems
    actions = [e["action"] for e in _journal(root)]
    assert actions[-2:] == ["opinion.new", "opinion.new"]


def _journal(root: Path) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in (root / "journal.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_cadre_cannot_file_supervision_opinions_but_the_township_can(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    cadre = Site(root, environ={})
    before = fingerprint(root)
    with pytest.raises(Refused, match="只能由监委会或乡镇账号填写"):
        cadre.opinions.add(cadre.operator, NOW, numbers["seal"], "自己给自己提意见")
    with pytest.raises(Refused, match="只能由监委会或乡镇账号填写"):
        cadre.opinions.countersign(cadre.operator, NOW, numbers["waiting"])
    assert fingerprint(root) == before
    cadre.init(NOW, None, [], staff=[f"{os_account()}=包村干部:乡镇"])
    township = Site(root, environ={})
    assert not township.read_only
    township.opinions.add(township.operator, NOW, numbers["posted"], "公示内容完整")
    walk_on = township.cases.open(township.operator, NOW, "dibao", "城关村", "乡镇代办")
    assert walk_on.number


def test_countersign_targets_a_case_at_a_notice_step(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    supervisor = site_as_existing(root)
    matter = supervisor.catalog.get("dibao")
    assert matter.step("publicize").produces is Produces.NOTICE
    with pytest.raises(Exception, match="请输入办件编号"):
        supervisor.opinions.countersign(supervisor.operator, NOW, numbers["notice"])
    with pytest.raises(Exception, match="不是办件、会议记录"):
        supervisor.opinions.add(supervisor.operator, NOW, "城关村-2026-XX0001", "意见")
    with pytest.raises(Exception, match="审核意见"):
        supervisor.opinions.add(supervisor.operator, NOW, numbers["seal"], "   ")


def test_the_countersignature_is_printed_on_the_posted_notice(prepared: tuple[Path, dict[str, str]]) -> None:
    from docx import Document

    from exports.notice import notice_document
    from store.identity import Operator

    root, numbers = prepared
    site = Site(root, environ={})
    supervisor, clerk = Operator("jiandu", "张监督", "监委会"), Operator("wenshu", "王文书", "村干部")
    site.opinions.countersign(supervisor, NOW, numbers["waiting"], "内容属实，同意公示")
    with pytest.raises(Refused, match="监委会账号"):
        site.cases.post_notice(supervisor, NOW, numbers["waiting"], {"posted_on": NOW.date()})
    notice = site.cases.post_notice(clerk, NOW, numbers["waiting"], {"posted_on": NOW.date()})
    path = root.parent / "notice.docx"
    notice_document(site, notice["number"]).save(str(path))
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "村务监督委员会（审核）：张监督（2026-11-27，内容属实，同意公示）" in text
    unsigned = "\n".join(p.text for p in notice_document(site, numbers["notice"]).paragraphs)
    assert "村务监督委员会（审核）：" in unsigned and "张监督" not in unsigned


def test_an_opinion_on_a_duty_not_done_is_filed_on_the_finding(tmp_path: Path) -> None:
    from procedures.risks import Severity

    root = tmp_path / "data"
    setup = Site(root, environ={})
    setup.init(at(D(2026, 9, 1)), "沁河镇", ["城关村"], staff=[f"{os_account()}=张监督:监委会"])
    site = Site(root, environ={})
    missed = [f for f in site.risks(D(2026, 11, 2)) if f.matter_id == "zhibu-weiyuanhui"]
    assert [(f.severity, f.since) for f in missed] == [(Severity.RED, D(2026, 10, 1)), (Severity.RED, D(2026, 11, 1))]
    assert missed[0].target == "" and missed[0].key != missed[1].key
    opinion = site.opinions.add(site.operator, NOW, "", "九月未开支委会，请说明原因", missed[0].key, "城关村")
    assert (opinion["target"], opinion["target_kind"], opinion["village"]) == ("", "finding", "城关村")
    assert site.opinions.find(finding=missed[0].key) == [opinion]
    assert site.opinions.find(finding=missed[1].key) == []
    with pytest.raises(Exception, match="写明提示和村名"):
        site.opinions.add(site.operator, NOW, "", "没有村", missed[0].key, "别的村")
    assert verify(site.store, site.records()).ok
