"""The only writers of screening, one module per concern:

- `rounds`: `screening_round_open` (a leader), `screening_round_close`, and
  `screening_rounds_open_due` (the daily pass, under the policy);
- `reports`: `screening_report_nothing` (零报告) and `screening_report_findings`, each
  checked against the tables in `screening.workflow`;
- `reminders`: `screening_remind`, the day before the deadline and after it.

Callers import from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fengqiao.core import clock
from fengqiao.screening.services.common import EVENT_LABELS, MAX_FINDINGS, MAX_TEXT
from fengqiao.screening.services.reminders import screening_remind
from fengqiao.screening.services.reports import (
    FindingInput,
    finding_title,
    screening_report_findings,
    screening_report_nothing,
)
from fengqiao.screening.services.rounds import (
    screening_round_close,
    screening_round_open,
    screening_rounds_open_due,
)


def screening_daily_pass(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The daily job: open the half month's regular round where due, then remind."""
    now = now or clock.now()
    return {"opened": screening_rounds_open_due(now=now), **screening_remind(now=now)}


__all__ = [
    "EVENT_LABELS",
    "MAX_FINDINGS",
    "MAX_TEXT",
    "FindingInput",
    "finding_title",
    "screening_daily_pass",
    "screening_remind",
    "screening_report_findings",
    "screening_report_nothing",
    "screening_round_close",
    "screening_round_open",
    "screening_rounds_open_due",
]
