"""Every 廉政风险点 of the document says whether software checks it, and by which check."""

from __future__ import annotations

import tomllib

import pytest

from procedures.loader import Problem, load_catalog, parse_matter
from procedures.risks import CHECKS, CHECKS_BY_ID
from tests.flows import HEADER_TEMPLATE

CATALOG = load_catalog()


def test_every_risk_phrase_of_every_matter_is_mapped_exactly_once() -> None:
    unmapped, twice = [], []
    for matter in CATALOG.matters:
        named = [entry.risk for entry in matter.risk_checks]
        unmapped += [f"{matter.order} {matter.name}：{r}" for r in matter.risks if r not in named]
        twice += [f"{matter.order}：{r}" for r in set(named) if named.count(r) > 1]
        assert set(named) <= set(matter.risks), matter.id
    assert unmapped == [] and twice == []
    assert sum(len(m.risks) for m in CATALOG.matters) == 160  # the document's 160 risk items


def test_each_mapping_names_checks_that_can_fire_on_the_matter_or_says_what_stays_manual() -> None:
    for matter in CATALOG.matters:
        for entry in matter.risk_checks:
            assert entry.checks or entry.manual.strip(), (matter.id, entry.risk)
            for check in entry.checks:
                assert CHECKS_BY_ID[check].applies(matter), (matter.id, entry.risk, check)


def test_the_risks_the_issue_names_are_checked_where_the_flow_allows() -> None:
    def checks(matter_id: str, risk: str) -> set[str]:
        entry = next(e for e in CATALOG.get(matter_id).risk_checks if e.risk == risk)
        return set(entry.checks)

    assert {"notice-late", "notice-backdated"} <= checks("dibao", "不按时公示")
    assert "notice-short" in checks("dibao", "公开达不到时间，虚假公开")
    assert "deadline-missed" in checks("xinfang", "未及时转办")
    assert {"seal-unapproved", "seal-same-person", "seal-basis"} <= checks(
        "yinzhang-cunweihui", "不经批准或会议讨论使用印章"
    )
    assert "seal-unregistered" in checks("yinzhang-cunweihui", "不进行用印登记")
    assert {"decision-no-meeting", "decision-vote-failed"} <= checks("jiti-zichan-ziyuan", "不按程序决策")
    assert "materials-missing" in checks("jiti-zijin", "经办手续不全")
    assert "no-follow-up" in checks("maodun-jiufen", "未能定期回访")
    # 虚假公开 cannot be seen in data: it stays with the committee, and says so.
    entry = next(e for e in CATALOG.get("dibao").risk_checks if e.risk == "公开达不到时间，虚假公开")
    assert "现场" in entry.manual
    # Every check is used by some matter's risk.
    used = {c for m in CATALOG.matters for e in m.risk_checks for c in e.checks}
    assert used == {c.id for c in CHECKS}


NOTICE_FLOW = """
[[steps]]
id = "post"
title = "公示"
actor = "村委会"
produces = "notice"
end = true
"""


def problems_of(risk_checks: str, steps: str = NOTICE_FLOW) -> list[Problem]:
    problems: list[Problem] = []
    header = HEADER_TEMPLATE.format(id="sample", order=99)
    parse_matter(tomllib.loads(header + steps + risk_checks), "sample.toml", problems)
    return problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[risk_checks]]\nrisk = "不按时公示"\nchecks = ["no-such-check"]\n', "没有名为“no-such-check”的检查"),
        ('[[risk_checks]]\nrisk = "不按时公示"\nchecks = ["seal-basis"]\n', "不会发现任何情况"),
        ('[[risk_checks]]\nrisk = "不按时公示"\n', "请写明由哪些检查发现"),
        ('[[risk_checks]]\nrisk = "别的风险"\nmanual = "人工"\n', "不是本事项的廉政风险点"),
        (
            '[[risk_checks]]\nrisk = "不按时公示"\nmanual = "人工"\n[[risk_checks]]\nrisk = "不按时公示"\nmanual = "再一次"\n',
            "应恰好说明一次（现有 2 次）",
        ),
        ('[[risk_checks]]\nrisk = "不按时公示"\nmanual = "人工"\nseverity = "red"\n', "未知的字段“severity”"),
    ],
)
def test_a_bad_risk_mapping_is_named(text: str, message: str) -> None:
    found = problems_of(text)
    assert any(message in str(p) for p in found), [str(p) for p in found]


def test_a_good_risk_mapping_loads() -> None:
    assert problems_of('[[risk_checks]]\nrisk = "不按时公示"\nchecks = ["notice-late"]\n') == []
