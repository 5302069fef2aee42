"""What the browser journeys share: one real Chromium per test, and the world of every page
(tests/fixtures/world.py) for the journeys that walk all the forms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures import NOW, World, build_town, build_world, chromium


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    """One of everything a page shows, in a town of its own (the journeys' tests are
    transactional), with the clock at the day the world stands on."""
    from fengqiao.core import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return build_world(build_town())
