"""Startup check of the deadline-warning thresholds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

MAX_WORKING_DAYS = 15


def check_deadline_warning(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    value = settings.FENGQIAO_DEADLINE_WARNING
    problems: list[str] = []
    if not isinstance(value, dict):
        problems.append("it must be a dict with the keys 'working_days' and 'fraction'")
    else:
        unknown = sorted(set(value) - {"working_days", "fraction"})
        if unknown:
            problems.append(f"unknown key(s) {', '.join(unknown)}")
        days = value.get("working_days")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_WORKING_DAYS:
            problems.append(
                f"'working_days' must be a whole number from 0 to {MAX_WORKING_DAYS}, not {days!r}"
            )
        fraction = value.get("fraction")
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float)
            or not 0 <= fraction < 1
        ):
            problems.append(f"'fraction' must be at least 0 and below 1, not {fraction!r}")
    return [
        checks.Error(
            f"FENGQIAO_DEADLINE_WARNING is out of range: {problem}.",
            hint="The default is {'working_days': 1, 'fraction': 0.2}; 0 turns a test off.",
            id="jobs.E001",
        )
        for problem in problems
    ]
