from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from procedures.loader import load_catalog
from procedures.model import Catalog
from procedures.workdays import WorkCalendar

if TYPE_CHECKING:
    from tests.test_tui_terminal import Terminal


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The app in an 80×24 pty on a new data directory (``tests.test_tui_terminal.Terminal``)."""
    from tests.sites import new_site
    from tests.test_tui_terminal import Terminal

    new_site(tmp_path / "data")
    term = Terminal(tmp_path / "data")
    yield term
    term.kill()


@pytest.fixture(autouse=True)
def made_up_history_may_run_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tests seed a case at one date and then act at an earlier one (the dates are made
    up to exercise periods, not a clock). The store's refusal of a clock set back behind the
    journal is tested on its own (tests/test_store_repair.py), with this turned back on."""
    from store.db import Store

    monkeypatch.setattr(Store, "clock_guard", False)
