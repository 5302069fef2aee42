"""A key person's visit overdue (重点人员走访超期): raised by the key-person register's
sweep (`keypersons.services.visits_overdue_sweep`) once a visit is overdue by more than the
register's grace, not by the pass; listed here so that the board, the filters and the admin
know it like any other rule. Its alerts are about one resident, and seen only by those
the register lets see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from fengqiao.alerts.rules.base import Finding, Rule


class KeyPersonVisitRule(Rule):
    code = "key_person_visit"
    label = gettext_lazy("Key person's visit overdue")
    description = gettext_lazy(
        "A key person has not been visited for longer than their colour level allows."
    )
    manual = True

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterable[Finding]:
        return ()


rule = KeyPersonVisitRule()
