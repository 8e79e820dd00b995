from __future__ import annotations

import pytest

from procedures.loader import load_catalog
from procedures.model import Catalog
from procedures.workdays import WorkCalendar


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture(autouse=True)
def made_up_history_may_run_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tests seed a case at one date and then act at an earlier one (the dates are made
    up to exercise periods, not a clock). The store's refusal of a clock set back behind the
    journal is tested on its own (tests/test_store_repair.py), with this turned back on."""
    from store.db import Store

    monkeypatch.setattr(Store, "clock_guard", False)
