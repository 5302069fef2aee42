"""Leader-flagged (领导关注): a leader marks a case for attention.

Raised by `alerts.services.alert_flag_case`, not by the pass; listed here so that the
board, the filters and the admin know it like any other rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from fengqiao.alerts.rules.base import Finding, Rule


class LeaderFlagRule(Rule):
    code = "leader_flag"
    label = gettext_lazy("Flagged by a leader")
    description = gettext_lazy("A centre leader flagged a case for attention.")
    manual = True

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterable[Finding]:
        return ()


rule = LeaderFlagRule()
