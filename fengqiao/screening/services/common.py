"""What the screening services share: texts, the audit row of a refusal, numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy

from fengqiao.core.sequences import sequence_take

MAX_TEXT = 2000
MAX_FINDINGS = 20
NUMBER_SEQUENCE = "screening"

EVENT_LABELS = {
    "screening_found": gettext_lazy("Found in dispute screening"),
}


def next_number(period_start: dt.date) -> str:
    """The round's number in the year of its period: PC-2026-0007."""
    year = period_start.year
    return f"PC-{year}-{sequence_take(NUMBER_SEQUENCE, year):04d}"


def refusal_audit(actor: Any, action: str, **target: Any) -> dict[str, Any]:
    """The audit row of a refused screening move (`target`: the round or report, its area,
    details)."""
    return {"action": f"screening.{action}", "actor": actor, **target}
