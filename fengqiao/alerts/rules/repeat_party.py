"""Repeat party (重复当事人): one person a party in N cases within D days, or a reopened case.

A repeat is raised once per new case that keeps the person at N or more (the condition is
"this case makes them a repeat party"); a reopening once per reopening.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.alerts.models import Severity
from fengqiao.alerts.rules.base import NOT_COUNTED_STATES, Finding, Rule, Threshold, since
from fengqiao.cases.models import CaseEvent, CaseParty


class RepeatPartyRule(Rule):
    code = "repeat_party"
    label = gettext_lazy("Repeat party")
    description = gettext_lazy(
        "One person is a party in N or more cases within D days; or a case is reopened "
        "within the last D days."
    )
    thresholds = (
        Threshold("cases", gettext_lazy("Number of cases (N)"), 2, 100),
        Threshold("days", gettext_lazy("Within days (D)"), 1, 90),
    )
    default_thresholds = {"cases": 2, "days": 30}

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterator[Finding]:
        yield from self._repeats(now, thresholds["cases"], thresholds["days"])
        yield from self._reopenings(now, thresholds["days"])

    def _repeats(self, now: dt.datetime, needed: int, days: int) -> Iterator[Finding]:
        in_window = CaseParty.objects.filter(
            person__isnull=False,
            case__received_at__gte=since(now, days),
            case__received_at__lte=now,
        ).exclude(case__state__in=NOT_COUNTED_STATES)
        repeaters = {
            row["person_id"]: row["newest"]
            for row in in_window.values("person_id")
            .annotate(count=Count("case_id", distinct=True), newest=Max("case_id"))
            .filter(count__gte=needed)
            .order_by()
        }
        if not repeaters:
            return
        cases: dict[int, dict[int, int]] = defaultdict(dict)
        names: dict[int, str] = {}
        for person_id, name, case_id, area_id in in_window.filter(
            person_id__in=list(repeaters)
        ).values_list("person_id", "person__name", "case_id", "case__area_id"):
            cases[person_id][case_id] = area_id
            names[person_id] = name
        for person_id, newest in sorted(repeaters.items()):
            case_ids = tuple(sorted(cases[person_id]))
            values = {"name": names[person_id], "n": len(case_ids), "days": days}
            yield Finding(
                condition_key=f"{self.code}:{person_id}:{newest}",
                severity=Severity.HIGH if len(case_ids) >= 2 * needed else Severity.MEDIUM,
                title=_("Repeat party: %(name)s in %(n)d cases") % values,
                detail=_("%(name)s is a party in %(n)d cases received within %(days)d days.")
                % values,
                area_id=cases[person_id][newest],
                case_ids=case_ids,
            )

    def _reopenings(self, now: dt.datetime, days: int) -> Iterator[Finding]:
        reopenings = (
            CaseEvent.objects.filter(action="reopen", at__gte=since(now, days), at__lte=now)
            .order_by("id")
            .values_list("id", "case_id", "case__number", "case__area_id", "note")
        )
        for event_id, case_id, number, area_id, note in reopenings:
            yield Finding(
                condition_key=f"reopened:{event_id}",
                severity=Severity.MEDIUM,
                title=_("Case %(number)s was reopened") % {"number": number},
                detail=note,
                area_id=area_id,
                case_ids=(case_id,),
            )


rule = RepeatPartyRule()
