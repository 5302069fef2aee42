"""How the dispute figures are named and shown: on the page, in the export, in one place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.reports.mediation import RATE_NAMES

FIGURE_LABELS: dict[str, Any] = {
    "received": _("Disputes received"),
    "accepted": _("Accepted"),
    "resolved": _("Resolved"),
    "resolution_rate": _("Resolution rate"),
    "resolved_unit_grid": _("Resolved at unit or grid"),
    "resolved_village": _("Resolved at village or community"),
    "resolved_town_above": _("Resolved at town or above"),
    "share_unit_grid": _("Share resolved at unit or grid"),
    "share_village": _("Share resolved at village or community"),
    "share_town_above": _("Share resolved at town or above"),
    "agreements_made": _("Agreements made"),
    "agreements_kept": _("Agreements kept"),
    "agreements_broken": _("Agreements not kept"),
    "agreements_settled": _("Agreements with performance settled"),
    "performance_rate": _("Performance rate"),
    "answers": _("Parties answering a follow-up"),
    "satisfied": _("Satisfied"),
    "basically_satisfied": _("Basically satisfied"),
    "dissatisfied": _("Dissatisfied"),
    "satisfaction_rate": _("Satisfaction rate"),
}

# The headline cards of the page, in groups.
HEADLINE_GROUPS: list[tuple[Any, tuple[str, ...]]] = [
    (_("Disputes"), ("received", "accepted", "resolved", "resolution_rate")),
    (
        _("Where they were resolved"),
        ("share_unit_grid", "share_village", "share_town_above"),
    ),
    (
        _("Agreements"),
        ("agreements_made", "agreements_kept", "agreements_broken", "performance_rate"),
    ),
    (
        _("Follow-ups"),
        ("answers", "satisfied", "basically_satisfied", "dissatisfied", "satisfaction_rate"),
    ),
]

# The columns of a breakdown, on the page and in the export.
BREAKDOWN_COLUMNS = (
    "received",
    "accepted",
    "resolved",
    "resolution_rate",
    "share_unit_grid",
    "share_village",
    "share_town_above",
    "agreements_made",
    "agreements_kept",
    "performance_rate",
    "answers",
    "satisfaction_rate",
)

BREAKDOWN_LABELS: dict[str, Any] = {
    "area": _("Area"),
    "team": _("Handling team"),
    "month": _("Month"),
}


def is_rate(name: str) -> bool:
    return name in RATE_NAMES


def percent(value: Decimal | None) -> str:
    """0.6667 → "66.7%"; nothing counted → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


def shown(name: str, value: Any) -> str:
    return percent(value) if is_rate(name) else str(value)
