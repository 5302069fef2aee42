"""What the audit log's tests share: one recorded event."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.audit.services import audit_record


@pytest.fixture
def event(db: None) -> Any:
    return audit_record(action="test.event", details={"note": "原始记录"})
