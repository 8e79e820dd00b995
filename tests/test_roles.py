"""Access through the store API: who may do what, in which village, and names as they were.

Every person here is a real account of this machine presented as the shared-server launcher
presents it (``tests.accounts``); the account running the tests set the data up and is its
管理员. Each refused attempt must leave the data directory byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from procedures.model import Produces
from store import archive
from store import settings as settings_mod
from store.errors import BadInput, NeedsMyName, Refused
from store.identity import os_account
from store.site import Site
from store.verify import verify
from tests.accounts import CADRE, CADRE_SOUTH, STAFF, STRANGER, SUPERVISOR, TOWNSHIP, open_as, register
from tests.sites import NOW, at, new_site, post_notice, walk_to

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


def fingerprint(root: Path) -> dict[str, str]:
    """Every file's digest (the lock and the rotated backups aside): nothing written means nothing changed."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "backups" not in p.parts and p.name != ".lock"
    }


def journal(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "journal.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Two villages: in 城关村 a case at its 公示 step, one with its 公示 posted, a fresh one, a
    meeting and a seal use, made by 城关村's cadre; in 南石村 a case made by its own cadre."""
    root = tmp_path / "data"
    new_site(root)
    register(root)
    cadre = open_as(root, CADRE)
    waiting = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "待公示").number
    walk_to(cadre, waiting, "publicize")
    # Its text registered with the day it is to go up: the committee reads and signs it first.
    cadre.cases.post_notice(cadre.operator, NOW, waiting, {"posted_on": NOW.date() + dt.timedelta(days=2)})
    unwritten = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "未登记公示").number
    walk_to(cadre, unwritten, "publicize")
    posted = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "已公示").number
    walk_to(cadre, posted, "publicize")
    notice = post_notice(cadre, posted)
    fresh = cadre.cases.open(cadre.operator, NOW, "dibao", "城关村", "刚受理").number
    meeting = cadre.meetings.new(cadre.operator, NOW, "城关村", MEETING)
    seal = cadre.seals.new(cadre.operator, NOW, "城关村", SEAL)
    south = open_as(root, CADRE_SOUTH)
    other = south.cases.open(south.operator, NOW, "dibao", "南石村", "南石村低保").number
    walk_to(south, other, "publicize")
    return root, {
        "waiting": waiting,
        "unwritten": unwritten,
        "posted": posted,
        "fresh": fresh,
        "notice": str(notice["number"]),
        "meeting": meeting["number"],
        "seal": seal["number"],
        "south": other,
    }


def writes(s: Site, n: dict[str, str], village: str = "城关村") -> dict[str, Callable[[], Any]]:
    """One of every kind of change, in ``village``'s records."""
    op, later = s.operator, at(D(2026, 12, 5))
    return {
        "open a case": lambda: s.cases.open(op, NOW, "dibao", village, "新申请"),
        "complete a step": lambda: s.cases.complete_step(op, later, n["posted"], "无异议"),
        "force a step": lambda: s.cases.complete_step(op, NOW, n["posted"], "无异议", force_reason="急"),
        "save progress": lambda: s.cases.save_progress(op, NOW, n["waiting"], 1),
        "post a notice": lambda: s.cases.post_notice(op, NOW, n["waiting"], {"posted_on": NOW.date()}),
        "record an objection": lambda: s.notices.object(op, NOW, n["notice"], NOW.date(), "李某", "有收入"),
        "new meeting": lambda: s.meetings.new(op, NOW, village, MEETING),
        "edit meeting": lambda: s.meetings.edit(op, NOW, n["meeting"], 1, MEETING),
        "confirm meeting": lambda: s.meetings.confirm(op, NOW, n["meeting"]),
        "new seal use": lambda: s.seals.new(op, NOW, village, SEAL),
    }


def test_a_supervisor_cannot_change_anything_through_the_api(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    supervisor = open_as(root, SUPERVISOR)
    assert supervisor.read_only and supervisor.operator.role == "监委会"
    before = fingerprint(root)
    for what, attempt in writes(supervisor, numbers).items():
        with pytest.raises(Refused, match="监委会账号，只能查看") as refused:
            attempt()
        assert fingerprint(root) == before, f"{what} changed the data ({refused.value})"
    for attempt in (
        lambda: supervisor.init(NOW, None, ["新村"]),
        lambda: archive.backup(supervisor, NOW, root.parent / "b.tar.gz"),
    ):
        with pytest.raises(Refused, match=r"只有管理员|只有管理员和乡镇"):
            attempt()
        assert fingerprint(root) == before
    assert not (root.parent / "b.tar.gz").exists()


@pytest.mark.parametrize("account", [CADRE, SUPERVISOR, TOWNSHIP, STRANGER])
def test_only_an_admin_changes_staff_roles_and_settings(prepared: tuple[Path, dict[str, str]], account: str) -> None:
    """The attack: a 村干部 made themselves 监委会 under the committee member's name, signed, changed back."""
    root, _ = prepared
    site = open_as(root, account)
    before = fingerprint(root)
    for staff in (
        [f"{account}=赵六:监委会:城关村"],
        [f"{SUPERVISOR}=王文书:村干部:城关村"],
        [f"{account}=某某:管理员"],
    ):
        with pytest.raises(Refused, match=r"只有管理员可以修改设置|不在本数据目录的人员名单中"):
            site.init(NOW, None, [], staff=staff)
    with pytest.raises(Refused):
        site.init(NOW, "别的镇", ["新村"], phone="110")
    assert fingerprint(root) == before


def test_an_account_not_in_the_settings_can_do_nothing(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    stranger = open_as(root, STRANGER)
    assert stranger.operator.role == "" and stranger.villages == ()
    before = fingerprint(root)
    for what, attempt in writes(stranger, numbers).items():
        with pytest.raises(Refused, match=f"账号 {STRANGER} 不在本数据目录的人员名单中") as refused:
            attempt()
        assert fingerprint(root) == before, f"{what} changed the data ({refused.value})"
    with pytest.raises(Refused, match=r"不在本数据目录的人员名单中|不能查看"):
        stranger.cases.get(numbers["waiting"])
    assert stranger.cases.all() == [] and stranger.meetings.book.all() == [] and stranger.risks(NOW.date()) == []
    with pytest.raises(Refused):
        stranger.opinions.add(stranger.operator, NOW, numbers["seal"], "意见")


def test_a_cadre_works_and_reads_only_in_their_own_village(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    north = open_as(root, CADRE)
    assert north.villages == ("城关村",)
    assert {c.village for c in north.cases.all()} == {"城关村"}
    assert [c.village for c in north.cases.find(village="城关村")] == ["城关村"] * 4
    assert {f.village for f in north.risks(D(2026, 12, 30))} <= {"城关村"}
    assert {i.village for i in north.due(NOW.date(), 60)} == {"城关村"}
    before = fingerprint(root)
    with pytest.raises(Refused, match="是城关村的村干部，不能查看南石村的记录"):
        north.cases.get(numbers["south"])
    with pytest.raises(Refused, match="不能查看南石村"):
        north.cases.complete_step(north.operator, NOW, numbers["south"])
    with pytest.raises(Refused, match="不能查看南石村"):
        north.cases.open(north.operator, NOW, "dibao", "南石村", "替别村办")
    with pytest.raises(Refused, match="不能办理或修改南石村"):
        north.meetings.new(north.operator, NOW, "南石村", MEETING)
    with pytest.raises(Refused, match="不能查看南石村"):
        north.cases.village("南石村")
    assert fingerprint(root) == before
    # 南石村's cadre, the other way round; the township sees both.
    south = open_as(root, CADRE_SOUTH)
    assert {c.number for c in south.cases.all()} == {numbers["south"]}
    with pytest.raises(Refused, match=r"不能办理或修改城关村|不能查看城关村"):
        south.seals.new(south.operator, NOW, "城关村", SEAL)
    township = open_as(root, TOWNSHIP)
    assert {c.village for c in township.cases.all()} == {"城关村", "南石村"}
    assert township.cases.open(township.operator, NOW, "dibao", "南石村", "乡镇代办").number


def test_a_supervisor_reads_signs_and_gives_opinions_only_in_their_village(
    prepared: tuple[Path, dict[str, str]],
) -> None:
    root, numbers = prepared
    supervisor = open_as(root, SUPERVISOR)
    op = supervisor.operator
    assert {c.village for c in supervisor.cases.all()} == {"城关村"}
    opinion = supervisor.opinions.add(op, NOW, numbers["seal"], "请补充批准人签字", finding="seal-basis|x|stamp")
    assert (opinion["kind"], opinion["target"], opinion["name"], opinion["role"], opinion["account"]) == (
        "opinion",
        numbers["seal"],
        "赵六",
        "监委会",
        SUPERVISOR,
    )
    signed = supervisor.opinions.countersign(op, NOW, numbers["waiting"])
    assert (signed["kind"], signed["step"], signed["text"]) == ("countersign", "publicize", "同意公示")
    with pytest.raises(Refused, match="已对办件"):
        supervisor.opinions.countersign(op, NOW, numbers["waiting"])
    with pytest.raises(Refused, match="已于 2026-11-27 张贴，签字应在张贴前"):
        supervisor.opinions.countersign(op, NOW, numbers["posted"])
    with pytest.raises(Refused, match="公示内容尚未登记，无从审核"):
        supervisor.opinions.countersign(op, NOW, numbers["unwritten"])
    with pytest.raises(Refused, match="不在公示步骤"):
        supervisor.opinions.countersign(op, NOW, numbers["fresh"])
    before = fingerprint(root)
    with pytest.raises(Refused, match="不能查看南石村"):
        supervisor.opinions.countersign(op, NOW, numbers["south"])
    with pytest.raises(Refused, match=r"不能填写意见或签字于南石村|不能查看南石村"):
        supervisor.opinions.add(op, NOW, "", "南石村的事", "recurring-missed|南石村/x|y|2026-11-01", "南石村")
    assert fingerprint(root) == before
    report = verify(supervisor.store, supervisor.records())
    assert report.ok, report.problems
    assert [e["action"] for e in journal(root)][-2:] == ["opinion.new", "opinion.new"]


def test_a_cadre_cannot_file_supervision_opinions_but_the_township_can(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    cadre = open_as(root, CADRE)
    before = fingerprint(root)
    with pytest.raises(Refused, match="只能由监委会、乡镇或管理员账号填写"):
        cadre.opinions.add(cadre.operator, NOW, numbers["seal"], "自己给自己提意见")
    with pytest.raises(Refused, match="只能由监委会、乡镇或管理员账号填写"):
        cadre.opinions.countersign(cadre.operator, NOW, numbers["waiting"])
    assert fingerprint(root) == before
    township = open_as(root, TOWNSHIP)
    assert not township.read_only
    assert township.opinions.add(township.operator, NOW, numbers["posted"], "公示内容完整")["role"] == "乡镇"


def test_names_and_roles_stay_as_they_were_when_an_account_is_renamed(
    prepared: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """Two cadres swapping names must not swap who did what on paper."""
    from docx import Document

    from exports.archive import archive_document

    root, numbers = prepared
    cadre = open_as(root, CADRE)
    cadre.cases.complete_step(cadre.operator, at(D(2026, 12, 5)), numbers["posted"], "无异议")
    admin = Site(root, environ={})
    admin.init(NOW, None, [], staff=[f"{CADRE}=李主任:村干部:城关村", f"{CADRE_SOUTH}=王文书:村干部:南石村"])
    after = open_as(root, CADRE)
    assert after.operator.name == "李主任"
    history = after.cases.get(numbers["posted"]).record["history"]
    assert {(h["by"], h["by_name"], h["by_role"]) for h in history} == {(CADRE, "王文书", "村干部")}
    assert journal(root)[-3]["operator"] == "王文书" and journal(root)[-3]["role"] == "村干部"
    path = tmp_path / "archive.docx"
    archive_document(after, numbers["posted"], D(2026, 12, 5)).save(str(path))
    cells = {c.text for t in Document(str(path)).tables for row in t.rows for c in row.cells}
    assert "王文书" in cells and "李主任" not in cells
    seal = after.seals.book.get(numbers["seal"])
    assert (seal["created_by"], seal["created_by_name"], seal["created_by_role"]) == (CADRE, "王文书", "村干部")


def test_the_countersignature_printed_is_the_one_given_at_signing(prepared: tuple[Path, dict[str, str]]) -> None:
    from exports.notice import notice_document

    root, numbers = prepared
    supervisor = open_as(root, SUPERVISOR)
    supervisor.opinions.countersign(supervisor.operator, NOW, numbers["waiting"], "内容属实，同意公示")
    with pytest.raises(Refused, match="监委会账号"):
        supervisor.cases.post_notice(supervisor.operator, NOW, numbers["waiting"], {"posted_on": NOW.date()})
    cadre = open_as(root, CADRE)
    notice = cadre.cases.post_notice(cadre.operator, NOW, numbers["waiting"], {"posted_on": NOW.date()})
    # The committee member is later renamed; the notice still prints who signed, as they signed.
    Site(root, environ={}).init(NOW, None, [], staff=[f"{SUPERVISOR}=赵六六:监委会:城关村"])
    text = "\n".join(p.text for p in notice_document(cadre, notice["number"]).paragraphs)
    assert "村务监督委员会（审核）：赵六（2026-11-27，内容属实，同意公示）" in text
    unsigned = "\n".join(p.text for p in notice_document(cadre, numbers["notice"]).paragraphs)
    assert "村务监督委员会（审核）：" in unsigned and "赵六" not in unsigned


def test_settings_changes_are_journaled_with_before_and_after_and_listed_by_verify(
    prepared: tuple[Path, dict[str, str]],
) -> None:
    root, _ = prepared
    admin = Site(root, environ={})
    admin.init(NOW, None, [], staff=[f"{CADRE}=王文书:监委会:城关村"])
    admin.init(at(D(2026, 11, 28)), None, [], staff=[f"{CADRE}=王文书:村干部:城关村"])
    entry = journal(root)[-1]
    assert (entry["action"], entry["os_user"], entry["role"]) == ("settings.change", os_account(), "管理员")
    assert entry["detail"]["changes"] == [f"人员 {CADRE}：王文书（监委会，城关村） → 王文书（村干部，城关村）"]
    assert entry["detail"]["before"]["staff"][CADRE]["role"] == "监委会"
    assert entry["detail"]["after"]["staff"][CADRE]["role"] == "村干部"
    report = verify(admin.store, admin.records())
    assert report.ok, report.problems
    granted = [c for c in report.changes if any(CADRE in line for line in c.changes)]
    assert [c.changes[0].split("：")[1] for c in granted[-2:]] == [
        "王文书（村干部，城关村） → 王文书（监委会，城关村）",
        "王文书（监委会，城关村） → 王文书（村干部，城关村）",
    ]
    assert granted[-1].role == "管理员" and granted[-1].ts.startswith("2026-11-28")
    # Re-running with nothing new writes nothing.
    before = fingerprint(root)
    admin.init(NOW, None, ["城关村"])
    assert fingerprint(root) == before


def test_the_first_set_up_names_its_first_admin(tmp_path: Path) -> None:
    root = tmp_path / "data"
    site = Site(root, environ={})
    assert site.operator.bootstrap and site.operator.role == "管理员"
    # Without a real name nothing is set up: a login name ("root") is no one's name on paper.
    with pytest.raises(NeedsMyName, match="真实姓名"):
        site.init(NOW, "沁河镇", ["城关村"])
    assert not (root / "settings.toml").exists() and not (root / "journal.jsonl").exists()
    with pytest.raises(BadInput, match="就是账号"):
        site.init(NOW, "沁河镇", ["城关村"], my_name=os_account())
    site.init(NOW, "沁河镇", ["城关村"], my_name="王文书")
    assert site.settings.staff[os_account()] == {"name": "王文书", "role": "管理员"}
    assert not Site(root, environ={}).operator.bootstrap
    # Naming someone else as the first 管理员 leaves the one who ran it unregistered.
    other = tmp_path / "other"
    named = Site(other, environ={})
    named.init(NOW, "沁河镇", ["城关村"], staff=[f"{TOWNSHIP}=包村干部:管理员"])
    assert named.settings.admins == [TOWNSHIP] and os_account() not in named.settings.staff
    # The last 管理员 cannot be removed or demoted.
    with pytest.raises(BadInput, match="至少要保留一名管理员"):
        open_as(other, TOWNSHIP).init(NOW, None, [], staff=[f"{TOWNSHIP}=包村干部:乡镇"])


def test_a_fresh_shared_data_directory_is_set_up_by_root_only(tmp_path: Path) -> None:
    """Through the launcher a staff member is never the machine's owner, even on an empty directory."""
    root = tmp_path / "data"
    root.mkdir()
    person = open_as(root, CADRE)
    assert not person.operator.bootstrap and person.operator.role == ""
    with pytest.raises(Refused, match="不在本数据目录的人员名单中"):
        person.init(NOW, "沁河镇", ["城关村"], staff=[f"{CADRE}=王文书:管理员"])
    assert not (root / "settings.toml").exists() and not (root / "journal.jsonl").exists()


def test_cadres_and_supervisors_need_their_villages(tmp_path: Path) -> None:
    root = tmp_path / "data"
    site = new_site(root)
    before = fingerprint(root)
    for item, message in (
        (f"{CADRE}=王文书:村干部", "请写明所在村"),
        (f"{CADRE}=王文书:村干部:北村", "北村 不在村名单中"),
        (f"{TOWNSHIP}=包村干部:乡镇:城关村", "可在所有村工作，不用写村名"),
        ("Bad Name=某:村干部:城关村", "格式不对"),
    ):
        with pytest.raises(BadInput, match=message):
            site.init(NOW, None, [], staff=[item])
    assert fingerprint(root) == before
    site.init(NOW, None, [], staff=list(STAFF))
    assert site.settings.staff[CADRE] == {"name": "王文书", "role": "村干部", "villages": ["城关村"]}


def test_an_opinion_on_a_duty_not_done_is_filed_on_the_finding(tmp_path: Path) -> None:
    from procedures.risks import Severity

    root = tmp_path / "data"
    Site(root, environ={}).init(at(D(2026, 9, 1)), "沁河镇", ["城关村", "南石村"], my_name="王文书")
    register(root)
    site = open_as(root, SUPERVISOR)
    missed = [f for f in site.risks(D(2026, 11, 2)) if f.matter_id == "zhibu-weiyuanhui"]
    assert [(f.severity, f.since, f.village) for f in missed] == [
        (Severity.RED, D(2026, 10, 1), "城关村"),
        (Severity.RED, D(2026, 11, 1), "城关村"),
    ]
    assert missed[0].target == "" and missed[0].key != missed[1].key
    opinion = site.opinions.add(site.operator, NOW, "", "九月未开支委会，请说明原因", missed[0].key, "城关村")
    assert (opinion["target"], opinion["target_kind"], opinion["village"]) == ("", "finding", "城关村")
    assert site.opinions.find(finding=missed[0].key) == [opinion]
    assert site.opinions.find(finding=missed[1].key) == []
    with pytest.raises(Exception, match="写明提示和村名"):
        site.opinions.add(site.operator, NOW, "", "没有村", missed[0].key, "别的村")
    assert verify(site.store, site.records()).ok


def test_countersign_targets_a_case_at_a_notice_step(prepared: tuple[Path, dict[str, str]]) -> None:
    root, numbers = prepared
    supervisor = open_as(root, SUPERVISOR)
    matter = supervisor.catalog.get("dibao")
    assert matter.step("publicize").produces is Produces.NOTICE
    with pytest.raises(Exception, match="请输入办件编号"):
        supervisor.opinions.countersign(supervisor.operator, NOW, numbers["notice"])
    with pytest.raises(Exception, match="不是办件、会议记录"):
        supervisor.opinions.add(supervisor.operator, NOW, "城关村-2026-XX0001", "意见")
    with pytest.raises(Exception, match="审核意见"):
        supervisor.opinions.add(supervisor.operator, NOW, numbers["seal"], "   ")


def test_a_session_already_open_works_only_as_what_the_settings_say_now(
    prepared: tuple[Path, dict[str, str]],
) -> None:
    """The attack: the 管理员 removed an account while its app was open; it went on writing as 乡镇."""
    root, numbers = prepared
    session = open_as(root, TOWNSHIP)  # opened before the change, kept open
    assert {c.village for c in session.cases.all()} == {"城关村", "南石村"}
    admin = Site(root, environ={})
    admin.init(NOW, None, [], staff=[f"{TOWNSHIP}=包村干部:村干部:南石村"])
    assert {c.village for c in session.cases.all()} == {"南石村"}
    before = fingerprint(root)
    with pytest.raises(Refused, match="是南石村的村干部，不能查看城关村"):
        session.cases.open(session.operator, NOW, "dibao", "城关村", "越权")
    with pytest.raises(Refused, match="只能由监委会、乡镇或管理员账号填写"):
        session.opinions.add(session.operator, NOW, numbers["south"], "已不是乡镇")
    assert fingerprint(root) == before
    opened = session.cases.open(session.operator, NOW, "dibao", "南石村", "本村")
    assert (opened.record["opened_by_role"], journal(root)[-1]["role"]) == ("村干部", "村干部")
    admin.change_settings(NOW, settings_mod.Change(remove_staff=(TOWNSHIP,)))
    before = fingerprint(root)
    with pytest.raises(Refused, match=f"账号 {TOWNSHIP} 不在本数据目录的人员名单中"):
        session.cases.open(session.operator, NOW, "dibao", "南石村", "已被删除")
    assert session.cases.all() == [] and session.villages == ()
    assert fingerprint(root) == before


def test_a_local_time_limit_may_be_stricter_than_the_document_never_looser(tmp_path: Path) -> None:
    """The adversary set 公示 to 1 day, closed one, and set it back: the record showed a 公示 run to term."""
    from procedures.model import TimerKind

    root = tmp_path / "data"
    site = new_site(root)
    deadline = next(
        f"{m.id}.{s.id}"
        for m in site.catalog.matters
        for s in m.steps
        if s.timer and s.timer.kind is TimerKind.DEADLINE
    )
    amount = site.catalog.get(deadline.split(".")[0]).step(deadline.split(".")[1]).timer.amount  # type: ignore[union-attr]
    before = fingerprint(root)
    for item, message in (
        ("dibao.publicize=1", "dibao.publicize 是“公示7日”，本地设置不能少于 7 日"),
        (f"{deadline}={amount + 1}", f"本地设置不能多于 {amount} "),
        ("dibao.nosuch=9", "没有带时限的步骤“dibao.nosuch”"),
    ):
        with pytest.raises(BadInput, match=message):
            site.change_settings(NOW, settings_mod.Change(timers=(item,)))
    assert fingerprint(root) == before
    site.change_settings(NOW, settings_mod.Change(timers=("dibao.publicize=10", f"{deadline}={max(amount - 1, 1)}")))
    assert site.catalog.get("dibao").step("publicize").timer.amount == 10  # type: ignore[union-attr]


def test_a_signature_stands_for_the_text_signed(prepared: tuple[Path, dict[str, str]]) -> None:
    """The committee signs a 公示's words: moving its posting day keeps the signature; changing
    its words after the signature leaves it unsigned (on the screen and on paper) until signed again."""
    from exports.notice import notice_document

    root, numbers = prepared
    supervisor, cadre = open_as(root, SUPERVISOR), open_as(root, CADRE)
    waiting = numbers["waiting"]
    supervisor.opinions.countersign(supervisor.operator, NOW, waiting, "同意公示")
    later = NOW.date() + dt.timedelta(days=3)
    cadre.cases.post_notice(cadre.operator, NOW, waiting, {"posted_on": later})  # a day later: same words
    assert [o["name"] for o in supervisor.opinions.countersigns(waiting, "publicize")] == ["赵六"]
    notice = cadre.cases.post_notice(cadre.operator, NOW, waiting, {"posted_on": later, "content": "另一份名单"})
    assert supervisor.opinions.countersigns(waiting, "publicize") == []
    text = "\n".join(p.text for p in notice_document(cadre, notice["number"]).paragraphs)
    assert "赵六" not in text, "a signature on other words is not printed"
    supervisor.opinions.countersign(supervisor.operator, NOW, waiting, "内容已核，同意公示")  # signs again
    assert [o["text"] for o in supervisor.opinions.countersigns(waiting, "publicize")] == ["内容已核，同意公示"]
