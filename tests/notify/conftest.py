"""What the notification tests share: the mediator, with an e-mail address."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def mediator(town: Any) -> Any:
    user = town.user("mediator")
    user.email = "mediator@fengqiao.example"
    user.save(update_fields=["email"])
    return user
