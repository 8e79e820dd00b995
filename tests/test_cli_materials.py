"""``cunwu case step NUMBER --material NAME``: the materials received, ticked from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]


def test_materials_are_ticked_and_print_as_received(clock: Clock, tmp_path: Path) -> None:
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某", "--json")[1])["number"]
    code, _, err = run("case", "step", number, "--material", "低保申请书", "--material", "房产证")
    assert code == 2 and "没有这些材料：房产证" in err and "可勾选的材料：低保申请书" in err
    code, out, _ = run("case", "step", number, "--material", "低保申请书", "--json")
    assert code == 0
    code, out, _ = run("export", number, "--doc", "archive", "--out", str(tmp_path / "out"))
    assert code == 0, out
    path = next((tmp_path / "out").glob("*.docx"))
    cells = [[c.text for c in row.cells] for grid in docx.Document(str(path)).tables for row in grid.rows]
    received = [row for row in cells if row and "低保申请书" in row]
    assert received and all("已收" in "".join(row) and "未收" not in "".join(row) for row in received), received
