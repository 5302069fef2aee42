"""A key person among the parties (重点人员): an extension point.

The key-person registry registers a check here (e.g. in its `AppConfig.ready`):

    @register_key_person_check
    def registered_key_persons(person_ids):
        return {pid: KeyPersonMatch(severity="high", reason="社区矫正对象") for pid in ...}

Each check gets the ids of the people who are parties to recent open cases and returns
those it knows, with a severity and a reason. With no check registered the rule finds
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.alerts.models import SEVERITY_RANK
from fengqiao.alerts.rules.base import RECENT_DAYS, Finding, Rule, since
from fengqiao.cases.models import CaseParty


@dataclass(frozen=True)
class KeyPersonMatch:
    severity: str
    reason: str


KeyPersonCheck = Callable[[Sequence[int]], Mapping[int, KeyPersonMatch]]
KEY_PERSON_CHECKS: list[KeyPersonCheck] = []


def register_key_person_check(check: KeyPersonCheck) -> KeyPersonCheck:
    if check not in KEY_PERSON_CHECKS:
        KEY_PERSON_CHECKS.append(check)
    return check


class KeyPersonRule(Rule):
    code = "key_person"
    label = gettext_lazy("Key person among the parties")
    description = gettext_lazy(
        "A party to an open case is in the key-person registry (filled by that registry)."
    )

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterator[Finding]:
        if not KEY_PERSON_CHECKS:
            return
        parties = list(
            CaseParty.objects.filter(
                person__isnull=False,
                case__is_open=True,
                case__received_at__gte=since(now, RECENT_DAYS),
                case__received_at__lte=now,
            )
            .order_by("case_id", "person_id")
            .values_list("case_id", "case__number", "case__area_id", "person_id", "person__name")
        )
        person_ids = sorted({row[3] for row in parties})
        if not person_ids:
            return
        known: dict[int, KeyPersonMatch] = {}
        for check in KEY_PERSON_CHECKS:
            for person_id, match in check(person_ids).items():
                current = known.get(person_id)
                if (
                    current is None
                    or SEVERITY_RANK[match.severity] > SEVERITY_RANK[current.severity]
                ):
                    known[person_id] = match
        for case_id, number, area_id, person_id, name in parties:
            match = known.get(person_id)
            if match is None:
                continue
            values = {"name": name, "number": number, "reason": match.reason}
            yield Finding(
                condition_key=f"{self.code}:{case_id}:{person_id}",
                severity=match.severity,
                title=_("Key person %(name)s is a party to %(number)s") % values,
                detail=match.reason,
                area_id=area_id,
                case_ids=(case_id,),
                person_id=person_id,
            )


rule = KeyPersonRule()
