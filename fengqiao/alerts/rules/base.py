"""What every warning rule offers: a code, editable thresholds, and a pass over the data.

A rule reads; it never writes. `evaluate` returns findings, each naming the condition it
saw (`condition_key`); `alerts.services.alerts_run_all` turns the new ones into alerts,
once each. Rules look only at a recent window through indexed columns, so one pass stays
cheap however many cases are open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Terminal states that say the case is not a matter of its own (a duplicate, or not taken
# up); such cases do not count towards a pattern.
NOT_COUNTED_STATES = ("merged", "rejected")

# How far back a rule without a window of its own looks for cases. A pass runs every few
# minutes, so this only has to outlast a stopped worker.
RECENT_DAYS = 30


@dataclass(frozen=True)
class Finding:
    condition_key: str
    severity: str
    title: str
    detail: str
    area_id: int
    case_ids: tuple[int, ...] = field(default_factory=tuple)
    # The resident the alert is about, when its news is theirs alone (a key person): such an
    # alert is seen and told only as `selectors.PERSON_SCOPE` allows.
    person_id: int | None = None


@dataclass(frozen=True)
class Threshold:
    """One editable number of a rule, with its allowed range."""

    name: str
    label: Promise
    minimum: int
    maximum: int


class Rule:
    code: ClassVar[str] = ""
    label: ClassVar[Promise] = gettext_lazy("Warning rule")
    description: ClassVar[Promise] = gettext_lazy("")
    thresholds: ClassVar[tuple[Threshold, ...]] = ()
    default_thresholds: ClassVar[Mapping[str, int]] = {}
    # A manual rule raises its alerts through a service (e.g. a leader's flag), not a pass.
    manual: ClassVar[bool] = False

    def validate(self, thresholds: Mapping[str, Any]) -> None:
        """Each threshold a whole number in its range, then the rule's own cross-checks."""
        errors: list[str] = []
        known = {threshold.name for threshold in self.thresholds}
        unknown = sorted(set(thresholds) - known)
        if unknown:
            errors.append(
                _("Unknown thresholds: %(names)s. This rule has: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(sorted(known)) or "—"}
            )
        for threshold in self.thresholds:
            value = thresholds.get(threshold.name)
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(
                    _("%(label)s (%(name)s) must be a whole number.")
                    % {"label": threshold.label, "name": threshold.name}
                )
            elif not threshold.minimum <= value <= threshold.maximum:
                errors.append(
                    _("%(label)s (%(name)s) must be between %(min)d and %(max)d; %(value)d is not.")
                    % {
                        "label": threshold.label,
                        "name": threshold.name,
                        "min": threshold.minimum,
                        "max": threshold.maximum,
                        "value": value,
                    }
                )
        if not errors:
            errors.extend(self.cross_check(thresholds))
        if errors:
            raise ValidationError({"thresholds": errors})

    def cross_check(self, thresholds: Mapping[str, Any]) -> list[str]:
        """Messages for combinations that make no sense (all values already in range)."""
        return []

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError


def since(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)
