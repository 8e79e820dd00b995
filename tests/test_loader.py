"""Loading and validating matter files: every problem named by file, key and reason, at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from procedures.loader import BUILTIN_DIR, CatalogError, apply_overrides, load_catalog
from procedures.model import Catalog
from tests.flows import HEADER_TEMPLATE as HEADER


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.toml",
        HEADER.format(id="aa", order=101)
        + """
colour = "red"
[[steps]]
id = "one"
title = "第一步"
actor = "村委会"
next = "nowhere"
[[steps]]
id = "two"
title = "第二步"
actor = "村委会"
added = true
end = true
""",
    )
    write(tmp_path, "b.toml", 'id = "bb"\norder = "x"\n[[steps]\n')
    write(
        tmp_path,
        "c.toml",
        HEADER.format(id="cc", order=103)
        + """
[[steps]]
id = "loop"
title = "循环"
actor = "村委会"
[[steps.outcomes]]
label = "再来"
goto = "loop"
[[steps.outcomes]]
label = "还是再来"
goto = "loop"
[[steps]]
id = "end"
title = "结束"
actor = "村委会"
end = true
[steps.timer]
kind = "sometimes"
amount = -1
unit = "fortnight"
basis = ""
confidence = "document"
rule = "x"
""",
    )
    write(
        tmp_path,
        "d.toml",
        HEADER.format(id="dd", order=104)
        + """
[[steps]]
id = "only"
title = "唯一"
actor = "村委会"
""",
    )
    (tmp_path / "e.toml").write_bytes(b'name = "\xb5\xcd\xb1\xa3"\n')
    found = "\n".join(problems_of(tmp_path))
    expected = [
        "a.toml：colour：未知的字段“colour”",
        "a.toml：steps[0].next：指向不存在的步骤“nowhere”",
        "a.toml：steps[1].source：补充的步骤（added = true）必须写明依据 source",
        "b.toml：TOML 格式错误",
        "c.toml：steps[1].timer.kind：取值“sometimes”无效",
        "c.toml：steps[1].timer.amount：应为正整数",
        "c.toml：steps[1].timer.unit：取值“fortnight”无效",
        "d.toml：steps[0].next：步骤“唯一”没有下一步",
        "e.toml：不是 UTF-8 编码",
    ]
    for item in expected:
        assert item in found, f"missing: {item}\n---\n{found}"


def test_graph_problems(tmp_path: Path) -> None:
    write(
        tmp_path,
        "g.toml",
        HEADER.format(id="gg", order=105)
        + """
[[steps]]
id = "a"
title = "甲"
actor = "村委会"
[[steps.outcomes]]
label = "通过"
goto = "end"
[[steps.outcomes]]
label = "未通过"
goto = "trap"
[[steps]]
id = "trap"
title = "陷阱"
actor = "村委会"
next = "trap"
[[steps]]
id = "orphan"
title = "孤儿"
actor = "村委会"
next = "end"
[[steps]]
id = "end"
title = "结束"
actor = "村委会"
end = true
[[steps]]
id = "a"
title = "重复"
actor = "村委会"
end = true
""",
    )
    found = "\n".join(problems_of(tmp_path))
    assert "steps[4].id：步骤编号“a”与 steps[0] 重复" in found
    write(tmp_path, "g.toml", (tmp_path / "g.toml").read_text(encoding="utf-8").rsplit("[[steps]]", 1)[0])
    found = "\n".join(problems_of(tmp_path))
    assert "steps[1].id：步骤“陷阱”之后无法走到任何结束步骤" in found
    assert "steps[2].id：步骤“孤儿”从第一步出发无法到达" in found


def test_no_end_step(tmp_path: Path) -> None:
    write(
        tmp_path,
        "n.toml",
        HEADER.format(id="nn", order=106)
        + """
[[steps]]
id = "a"
title = "甲"
actor = "村委会"
next = "b"
[[steps]]
id = "b"
title = "乙"
actor = "村委会"
next = "a"
""",
    )
    assert any("流程没有结束步骤" in p for p in problems_of(tmp_path))


def test_missing_override_folder_is_reported(tmp_path: Path) -> None:
    assert any("本地事项目录不存在" in p for p in problems_of(tmp_path / "absent"))


def test_a_local_file_replaces_the_builtin_matter(tmp_path: Path) -> None:
    text = (BUILTIN_DIR / "45-dibao.toml").read_text(encoding="utf-8")
    write(tmp_path, "dibao.toml", text.replace('title = "入户调查"', 'title = "入户调查（本县版）"'))
    catalog = load_catalog(tmp_path)
    assert len(catalog.matters) == 57
    assert catalog.get("dibao").step("survey").title == "入户调查（本县版）"


def test_a_duplicate_order_is_reported(tmp_path: Path) -> None:
    shutil.copy(BUILTIN_DIR / "45-dibao.toml", tmp_path / "copy.toml")
    text = (tmp_path / "copy.toml").read_text(encoding="utf-8").replace('id = "dibao"', 'id = "dibao-copy"')
    write(tmp_path, "copy.toml", text)
    assert any("序号 45 与" in p for p in problems_of(tmp_path))


def test_timer_overrides_are_applied_and_shown(catalog: Catalog) -> None:
    changed = apply_overrides(catalog, {"dibao.publicize": 10}, "settings.toml")
    timer = changed.get("dibao").step("publicize").timer
    assert timer is not None and timer.amount == 10 and timer.default_amount == 7
    assert timer.override_source == "settings.toml"
    assert timer.describe() == "公示7日（本地设置为10日，原为7日）"
    original = catalog.get("dibao").step("publicize").timer
    assert original is not None and original.amount == 7 and not original.overridden


def test_bad_timer_overrides_are_refused(catalog: Catalog) -> None:
    with pytest.raises(CatalogError) as caught:
        apply_overrides(catalog, {"dibao.publicize": 0, "dibao.apply": 3, "nope.step": 5}, "settings.toml")
    text = caught.value.report()
    assert "settings.toml：dibao.publicize：时限应为正整数" in text
    assert "settings.toml：dibao.apply：没有这个带时限的步骤" in text
    assert "settings.toml：nope.step：没有这个带时限的步骤" in text
