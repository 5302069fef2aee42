"""What the alerts' tests share: an alert raised in village A."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.alerts.services import alerts_run_all
from tests.fixtures import ALERTS_NOW, register


@pytest.fixture
def alert(town: Any) -> Any:
    """A many-people alert in 东村1组, raised at `ALERTS_NOW`."""
    register(town, town.unit_a1, people_involved=8)
    return alerts_run_all(now=ALERTS_NOW)[0]
