"""The store's refusals carry their facts as fields, keep their exit codes, and say in words
(no ``cunwu`` command, no key) what happened and what to do; ``complete_step(step=…)`` refuses
to complete a step the case is no longer at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from store import backups
from store.errors import (
    EXIT_DATA,
    EXIT_REFUSED,
    EXIT_USAGE,
    BadInput,
    Conflict,
    DataDamaged,
    LockTimeout,
    Needed,
    NeedsRecord,
    NoSuchMatter,
    NoSuchVillage,
    NotListed,
    OutOfScope,
    Refused,
    StepMismatch,
    StoreError,
    TooEarly,
)
from store.site import Site
from tests.accounts import CADRE, CADRE_SOUTH, STRANGER, open_as, register
from tests.sites import NOW, at, new_site, post_notice, walk_to

D = dt.date


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return new_site(tmp_path / "data")


def says_no_command(exc: StoreError) -> None:
    text = str(exc)
    assert "cunwu" not in text and "F6" not in text and "Ctrl" not in text, text
    assert text.strip(), "a complete sentence"


def test_a_notice_closed_too_early_is_too_early_with_its_day(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    walk_to(site, number, "publicize")
    post_notice(site, number)
    with pytest.raises(TooEarly) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 3)), number, "无异议")
    exc = caught.value
    assert isinstance(exc, Refused) and exc.exit_code == EXIT_REFUSED
    assert (exc.case, exc.step_id, exc.step_title, exc.earliest, exc.outcome) == (
        number,
        "publicize",
        "公示7日",
        D(2026, 12, 5),
        "无异议",
    )
    assert exc.rule and exc.rule in str(exc) and "2026年12月5日起方可完成" in str(exc)
    says_no_command(exc)


def test_a_missing_notice_objection_or_seal_use_is_needs_record(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    walk_to(site, number, "publicize")
    with pytest.raises(NeedsRecord) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "无异议")
    notice = caught.value
    assert (notice.needed, notice.case, notice.village, notice.step_id) == (
        Needed.NOTICE,
        number,
        "城关村",
        "publicize",
    )
    assert "须先登记公示" in str(notice) and notice.exit_code == EXIT_REFUSED
    says_no_command(notice)

    posted = post_notice(site, number)
    with pytest.raises(NeedsRecord) as caught:
        site.cases.complete_step(site.operator, at(D(2026, 12, 5)), number, "有异议")
    objection = caught.value
    assert (objection.needed, objection.notice) == (Needed.OBJECTION, posted["number"])
    assert "没有登记异议" in str(objection)
    says_no_command(objection)

    sealed = site.cases.open(site.operator, NOW, "yinzhang-dangzhibu", "城关村", "出具党员证明").number
    walk_to(site, sealed, "stamp", choose={"apply": "一般党建常规业务资料", "secretary-review": "同意用印"})
    with pytest.raises(NeedsRecord) as caught:
        site.cases.complete_step(site.operator, NOW, sealed)
    seal = caught.value
    assert (seal.needed, seal.case, seal.village, seal.step_id) == (Needed.SEAL, sealed, "城关村", "stamp")
    says_no_command(seal)
    assert site.cases.get(sealed).record["current"] == "stamp", "a refusal changes nothing"


def test_a_stale_save_is_a_conflict_naming_both_versions_and_who(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    site.cases.save_progress(site.operator, NOW, number, 1, note="先到的备注")
    with pytest.raises(Conflict) as caught:
        site.cases.save_progress(site.operator, NOW, number, 1, note="后到的备注")
    exc = caught.value
    assert (exc.number, exc.expected_rev, exc.current_rev, exc.exit_code) == (number, 1, 2, EXIT_DATA)
    assert exc.by and exc.by in str(exc) and exc.at.startswith("2026-11-27")
    says_no_command(exc)


def test_an_unknown_matter_or_village_is_not_found_by_type(site: Site) -> None:
    with pytest.raises(NoSuchMatter) as matter:
        site.cases.open(site.operator, NOW, "nosuch", "城关村", "x")
    assert matter.value.matter_id == "nosuch" and matter.value.exit_code == EXIT_USAGE
    says_no_command(matter.value)
    with pytest.raises(NoSuchVillage) as village:
        site.cases.open(site.operator, NOW, "dibao", "北村", "x")
    assert (village.value.village, village.value.known) == ("北村", ("城关村", "南石村"))
    assert "管理员" in str(village.value)
    says_no_command(village.value)


def test_scope_and_staff_list_refusals_carry_the_account(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_site(root)
    register(root)
    south = open_as(root, CADRE_SOUTH)
    number = south.cases.open(south.operator, NOW, "dibao", "南石村", "南石村低保").number
    north = open_as(root, CADRE)
    with pytest.raises(OutOfScope) as caught:
        north.cases.get(number)
    exc = caught.value
    assert (exc.account, exc.role, exc.village, exc.villages) == (CADRE, "村干部", "南石村", ("城关村",))
    assert exc.exit_code == EXIT_REFUSED
    says_no_command(exc)
    stranger = open_as(root, STRANGER)
    with pytest.raises(NotListed) as listed:
        stranger.cases.open(stranger.operator, NOW, "dibao", "城关村", "x")
    assert listed.value.account == STRANGER and "请管理员登记" in str(listed.value)
    says_no_command(listed.value)


def test_lock_timeout_names_its_holder() -> None:
    exc = LockTimeout("张三（账号 zhangsan，进程 42）")
    assert exc.holder == "张三（账号 zhangsan，进程 42）" and exc.holder in str(exc) and exc.exit_code == EXIT_DATA


def test_a_damaged_file_names_the_backup_and_asks_for_a_rebuild_not_a_restore(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    site.cases.complete_step(site.operator, NOW + dt.timedelta(hours=1), number)
    path = site.root / "cases" / "城关村" / "2026.json"
    good = backups.newest_good(site.root, path)
    assert good is not None
    message = backups.damaged_message(site.root, path, "unexpected end of data")
    assert f"最近的完好备份：{good}" in message and "重建" in message and "管理员" in message
    assert "cunwu" not in message and "不要直接恢复这份备份" in message
    path.write_bytes(b'{"cases": ')
    with pytest.raises(DataDamaged) as caught:
        Site(site.root, environ={}).cases.find("城关村")
    assert str(caught.value).startswith(f"数据文件 {path} 已损坏")
    assert "cunwu" not in str(caught.value)


def test_data_damaged_knows_the_village_and_year_of_a_village_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "cases" / "城关村" / "2026.json"
    exc = DataDamaged("数据文件已损坏。", path=path, reason="unexpected end of data")
    assert (exc.path, exc.reason, exc.village, exc.year) == (path, "unexpected end of data", "城关村", 2026)
    settings = DataDamaged("设置文件无法读取。", path=tmp_path / "data" / "settings.toml")
    assert (settings.village, settings.year) == ("", 0)
    legacy = DataDamaged("只有消息。")
    assert (legacy.path, legacy.village, legacy.year, str(legacy)) == (None, "", 0, "只有消息。")


# ---- the step a person means to complete (issue 15, item 9)


def test_two_clerks_who_both_finish_step_three_the_second_gets_a_conflict(tmp_path: Path) -> None:
    root = tmp_path / "data"
    first = new_site(root)
    number = first.cases.open(first.operator, NOW, "dibao", "城关村", "王某某").number
    walk_to(first, number, "survey")
    second = Site(root, environ={})  # another session, opened before the first clerk saves
    assert second.cases.get(number).record["current"] == "survey"

    done = first.cases.complete_step(first.operator, at(D(2026, 11, 28), 10), number, step="survey")
    assert done.record["current"] == "appraise"
    before = (root / "cases" / "城关村" / "2026.json").read_bytes()
    with pytest.raises(StepMismatch) as caught:
        second.cases.complete_step(second.operator, at(D(2026, 11, 28), 11), number, step="3")
    exc = caught.value
    assert isinstance(exc, Conflict) and exc.exit_code == EXIT_DATA
    assert (exc.case, exc.wanted, exc.wanted_position, exc.current, exc.current_position) == (
        number,
        "survey",
        3,
        "appraise",
        4,
    )
    assert exc.done_by and exc.done_at == "2026-11-28 10:00" and exc.outcome == "完成"
    text = str(exc)
    assert "现在在第4步“民主评议”" in text and "不是第3步“入户调查”" in text
    assert f"第3步已由 {exc.done_by} 于 2026-11-28 10:00 完成" in text
    says_no_command(exc)
    after = second.cases.get(number)
    assert after.record["current"] == "appraise" and after.rev == done.rev, "the case has not moved"
    assert (root / "cases" / "城关村" / "2026.json").read_bytes() == before


def test_a_step_not_yet_reached_or_after_the_end_is_a_mismatch_too(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    with pytest.raises(StepMismatch, match="第5步尚未办理") as caught:
        site.cases.complete_step(site.operator, NOW, number, step="publicize")
    assert (caught.value.current, caught.value.done_by) == ("apply", "")
    assert site.cases.get(number).record["current"] == "apply"
    assert site.cases.complete_step(site.operator, NOW, number, step="1").record["current"] == "accept"
    walk_to(site, number, "publicize")
    post_notice(site, number)
    later = at(D(2026, 12, 5), 15)
    site.cases.complete_step(site.operator, later, number, "无异议", step="publicize")
    with pytest.raises(StepMismatch, match=r"第5步已由 .+ 于 2026-12-05 15:00 完成（无异议）"):
        site.cases.complete_step(site.operator, later, number, "无异议", step="publicize")
    walk_to(site, number, "", now=later)
    with pytest.raises(StepMismatch, match=f"办件 {number} 已结束，不是第8步") as ended:
        site.cases.complete_step(site.operator, later, number, step="report")
    assert (ended.value.current, ended.value.current_position) == ("", 0)


def test_an_unknown_step_lists_the_steps(site: Site) -> None:
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某").number
    with pytest.raises(BadInput, match=r"没有步骤“nosuch”.*1 apply（个人申请）"):
        site.cases.complete_step(site.operator, NOW, number, step="nosuch")
    with pytest.raises(BadInput, match="没有步骤“99”"):
        site.cases.complete_step(site.operator, NOW, number, step="99")
