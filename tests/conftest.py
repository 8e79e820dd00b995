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
