"""Many people involved (群体性): a case with N or more people; critical from the severe mark.

The band is part of the condition, so a case that grows from medium to critical raises
a second, critical alert rather than nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.alerts.models import Severity
from fengqiao.alerts.rules.base import RECENT_DAYS, Finding, Rule, Threshold, since
from fengqiao.cases.models import Case


class ManyPeopleRule(Rule):
    code = "many_people"
    label = gettext_lazy("Many people involved")
    description = gettext_lazy(
        "An open case involves N or more people (medium; high from twice N); critical from "
        "the severe threshold."
    )
    thresholds = (
        Threshold("people", gettext_lazy("People involved (N)"), 2, 10000),
        Threshold("severe", gettext_lazy("Severe from (people)"), 3, 100000),
    )
    default_thresholds = {"people": 5, "severe": 30}

    def cross_check(self, thresholds: Mapping[str, Any]) -> list[str]:
        if thresholds["severe"] <= thresholds["people"]:
            return [_("The severe threshold must be greater than the normal one.")]
        return []

    def severity_for(self, people: int, thresholds: Mapping[str, Any]) -> str:
        if people >= thresholds["severe"]:
            return Severity.CRITICAL
        if people >= 2 * thresholds["people"]:
            return Severity.HIGH
        return Severity.MEDIUM

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterator[Finding]:
        rows = (
            Case.objects.filter(
                is_open=True,
                received_at__gte=since(now, RECENT_DAYS),
                received_at__lte=now,
                people_involved__gte=thresholds["people"],
            )
            .order_by("id")
            .values_list("id", "number", "title", "area_id", "people_involved")
        )
        for case_id, number, title, area_id, people in rows:
            severity = self.severity_for(people, thresholds)
            values = {"number": number, "title": title, "n": people}
            yield Finding(
                condition_key=f"{self.code}:{case_id}:{severity}",
                severity=severity,
                title=_("%(n)d people involved: %(number)s %(title)s") % values,
                detail=_("Case %(number)s involves %(n)d people.") % values,
                area_id=area_id,
                case_ids=(case_id,),
            )


rule = ManyPeopleRule()
