"""Hotspot (热点): N or more cases of one category in one village or community within D days.

Fires once per cluster: cases already linked to a hotspot alert of the same village and
category do not count again, so a lasting hotspot raises a new alert only when N fresh
cases have gathered — not every time the window slides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.alerts.models import Alert, Severity
from fengqiao.alerts.rules.base import NOT_COUNTED_STATES, Finding, Rule, Threshold, since
from fengqiao.areas.models import PATH_WIDTH, Area
from fengqiao.cases.models import Case, CaseCategory

VILLAGE_PATH_LENGTH = 2 * PATH_WIDTH


class HotspotRule(Rule):
    code = "hotspot"
    label = gettext_lazy("Hotspot")
    description = gettext_lazy(
        "N or more cases of one category in one village or community within D days."
    )
    thresholds = (
        Threshold("cases", gettext_lazy("Number of cases (N)"), 2, 1000),
        Threshold("days", gettext_lazy("Within days (D)"), 1, 90),
    )
    default_thresholds = {"cases": 3, "days": 7}

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterator[Finding]:
        needed, days = thresholds["cases"], thresholds["days"]
        start = since(now, days)
        window = Case.objects.filter(received_at__gte=start, received_at__lte=now).exclude(
            state__in=NOT_COUNTED_STATES
        )
        # One aggregate over the window (served by the receipt index); only the groups
        # that reach N are looked at further.
        groups = [
            group
            for group in window.annotate(village=Substr("area_path", 1, VILLAGE_PATH_LENGTH))
            .values("village", "category_id")
            .annotate(count=Count("id"))
            .filter(count__gte=needed)
            .order_by("village", "category_id")
            if len(group["village"]) == VILLAGE_PATH_LENGTH
        ]
        if not groups:
            return
        hot = {(group["village"], group["category_id"]) for group in groups}
        # The cases of the hot groups, in one query over the window.
        members: dict[tuple[str, int], list[int]] = defaultdict(list)
        for case_id, path, category_id in (
            window.filter(category_id__in={category_id for _village, category_id in hot})
            .order_by("received_at", "id")
            .values_list("id", "area_path", "category_id")
        ):
            key = (path[:VILLAGE_PATH_LENGTH], category_id)
            if key in hot:
                members[key].append(case_id)
        # Cases already in a hotspot alert: such an alert is never older than its cases,
        # so those raised since the window opened are all that can matter.
        covered: dict[str, set[int]] = defaultdict(set)
        for case_id, condition_key in Alert.cases.through.objects.filter(
            alert__rule_code=self.code, alert__created_at__gte=start
        ).values_list("case_id", "alert__condition_key"):
            covered[condition_key.rsplit(":", 1)[0]].add(case_id)
        villages = Area.objects.in_bulk([int(village[PATH_WIDTH:]) for village, _c in hot])
        categories = CaseCategory.objects.in_bulk([category_id for _v, category_id in hot])
        for (village_path, category_id), case_ids in sorted(members.items()):
            village_id = int(village_path[PATH_WIDTH:])
            prefix = f"{self.code}:{village_id}:{category_id}"
            fresh = [case_id for case_id in case_ids if case_id not in covered[prefix]]
            if len(fresh) < needed:
                continue
            village, category = villages.get(village_id), categories.get(category_id)
            values = {
                "n": len(fresh),
                "category": category.name if category else category_id,
                "village": village.name if village else village_id,
                "days": days,
            }
            yield Finding(
                condition_key=f"{prefix}:{fresh[0]}",
                severity=Severity.HIGH if len(fresh) >= 2 * needed else Severity.MEDIUM,
                title=_("Hotspot: %(n)d %(category)s cases in %(village)s") % values,
                detail=_(
                    "%(n)d cases of the category %(category)s were received in %(village)s "
                    "within %(days)d days."
                )
                % values,
                area_id=village_id,
                case_ids=tuple(fresh),
            )


rule = HotspotRule()
