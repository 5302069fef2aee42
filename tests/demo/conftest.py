"""The demo town's plans, built once for all the demo tests (a plan depends only on its
seed, and is never changed once built)."""

from __future__ import annotations

import pytest

from fengqiao.demo.cases import SMALL_YEAR
from fengqiao.demo.generator import TownPlan, build_plan


@pytest.fixture(scope="package")
def plan() -> TownPlan:
    return build_plan(2026)


@pytest.fixture(scope="package")
def town_only() -> TownPlan:
    return build_plan(2026, cases=None)


@pytest.fixture(scope="package")
def small_year() -> TownPlan:
    return build_plan(2026, cases=SMALL_YEAR)
