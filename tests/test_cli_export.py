"""cunwu export: every kind from the command line, paths printed, files private and never overwritten."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
from pathlib import Path

from docx import Document

from tests.test_cli_cases import Clock, clock, init, run

__all__ = ["clock"]


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_export_commands(clock: Clock, tmp_path: Path) -> None:
    init()
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某/低保", "--json")[1])[
        "number"
    ]
    for _ in range(4):
        run("case", "step", number)
    notice = json.loads(run("notice", "post", number, "--entry", "王某某,11010519491231002X,3,500元", "--json")[1])[
        "number"
    ]
    out = tmp_path / "out"
    paths = {}
    for doc in ("archive", "notice", "notice-result"):
        code, stdout, err = run("export", number, "--doc", doc, "--out", str(out), "--json")
        assert code == 0, err
        paths[doc] = Path(json.loads(stdout)["path"])
    meeting = next(
        n for n in json.loads(run("case", "show", number, "--json")[1])["records"] if n["kind"] == "meeting"
    )["number"]
    for doc in ("minutes", "blank-minutes"):
        code, stdout, err = run("export", meeting, "--doc", doc, "--out", str(out), "--json")
        assert code == 0, err
        paths[doc] = Path(json.loads(stdout)["path"])
    code, stdout, _ = run("export", "register", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
    assert code == 0 and "已导出" in stdout
    code, stdout, _ = run("export", "ledger", "--matter", "dibao", "--year", "2026", "--out", str(out))
    assert code == 0
    code, stdout, _ = run("export", "meetings", "--village", "城关村", "--year", "2026", "--out", str(out))
    assert code == 0
    for path in paths.values():
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "王某某" not in path.name and "11010519491231002X" not in path.name
    assert "110105********002X" in text_of(paths["notice"])
    assert "11010519491231002X" not in text_of(paths["notice"])
    assert notice in paths["notice"].name
    # The same export again gets a new file; the first is kept.
    code, stdout, _ = run("export", number, "--doc", "archive", "--out", str(out), "--json")
    second = Path(json.loads(stdout)["path"])
    assert second != paths["archive"] and paths["archive"].exists()


def test_export_errors_say_what_to_do(clock: Clock) -> None:
    init()
    code, _, err = run("export", "城关村-2026-0001", "--doc", "archive")
    assert code == 2 and "没有编号为" in err
    code, _, err = run("export", "城关村-2026-0001", "--doc", "bogus")
    assert code == 2 and "文书种类“bogus”无效" in err
    code, _, err = run("export", "ledger", "--matter", "nope", "--year", "2026")
    assert code == 2 and "没有编号为“nope”的事项" in err
    code, _, err = run("export", "register", "--from", "2026-12-31", "--to", "2026-01-01")
    assert code == 2 and "截止日期早于起始日期" in err
    clock.to(dt.date(2026, 11, 28))


def test_a_clerk_takes_exported_documents_out_through_standard_output(clock: Clock, tmp_path: Path) -> None:
    """Under the shared-server setup the export folder belongs to the service account."""
    from tests.test_cli_cases import runner
    from tui.cli import app

    init()
    assert json.loads(run("export", "files", "--json")[1]) == []
    number = json.loads(run("case", "new", "dibao", "--village", "城关村", "--subject", "王某某", "--json")[1])[
        "number"
    ]
    path = Path(json.loads(run("export", number, "--doc", "archive", "--json")[1])["path"])
    code, out, _ = run("export", "files")
    assert code == 0 and path.name in out
    result = runner.invoke(app, ["export", "get", path.name])
    assert result.exit_code == 0 and result.stdout_bytes == path.read_bytes()
    assert Document(io.BytesIO(result.stdout_bytes)).paragraphs  # a whole Word file
    for bad in ("../settings.toml", ".hidden", "没有这个.docx", ""):
        code, _, err = run("export", "get", bad)
        assert code == 2 and "cunwu export files" in err, (bad, err)
