"""What the emergency tests share: those linkage tells."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import make_responders


@pytest.fixture
def responders(town: Any) -> dict[str, Any]:
    """The fire station and the emergency office with one liaison each, and a dispatcher of
    the other village (who must not be told of an emergency in village A)."""
    return make_responders(town)
