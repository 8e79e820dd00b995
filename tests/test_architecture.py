"""The core never imports Textual; start-up stays light (no pinyin dictionary, no Word library)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
{imports}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {{"textual", "pypinyin", "docx", "holidays"}})))
"""


def loaded_after(imports: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out))


@pytest.mark.parametrize("package", ["procedures", "store", "exports"])
def test_core_packages_do_not_import_textual(package: str) -> None:
    import pkgutil

    module = __import__(package)
    names = [f"{package}.{m.name}" for m in pkgutil.walk_packages(module.__path__)]
    loaded = loaded_after("\n".join(f"import {name}" for name in [package, *names]))
    assert not [m for m in loaded if m.startswith("textual")], loaded


def test_headless_cli_does_not_import_textual() -> None:
    loaded = loaded_after("import tui.cli")
    assert not [m for m in loaded if m.startswith("textual")], loaded


def test_loading_and_searching_the_catalog_needs_no_pinyin_dictionary() -> None:
    imports = """
import datetime as dt
from procedures.loader import load_catalog
from procedures.search import search
from procedures.workdays import WorkCalendar
catalog = load_catalog()
assert search(catalog, "dbsq")[0].id == "dibao"
WorkCalendar().is_workday(dt.date(2026, 10, 1))
"""
    loaded = loaded_after(imports)
    assert not [m for m in loaded if m.startswith(("pypinyin", "textual", "docx"))], loaded
    # holidays (a large package) loads only for years the official calendar does not cover.
    assert not [m for m in loaded if m.startswith("holidays")], loaded


def test_a_probe_that_imports_textual_is_seen() -> None:
    # The probe must be able to fail: importing Textual shows up in its answer.
    assert "textual" in loaded_after("import textual")
