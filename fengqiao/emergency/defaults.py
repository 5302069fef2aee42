"""Which agencies an emergency of each default category is sent to at once (editable).

The town's emergency management office (应急管理办公室) coordinates every emergency, so it
is named for all; the others by what such emergencies are in practice: gas leaks and fires
(the demo's "other" and "property") → fire and rescue; gatherings, missing people and
violence → police; wage protests → labour inspection; site accidents → fire and labour;
floods and pollution → fire; food poisoning and unsafe goods → market regulation; family
crises → civil affairs as well.
"""

from __future__ import annotations

from typing import Any

DEFAULT_CATEGORY_AGENCIES: dict[str, tuple[str, ...]] = {
    "neighbours": ("emergency", "police"),
    "property": ("emergency", "fire"),
    "land": ("emergency", "police"),
    "labour": ("emergency", "labour", "police"),
    "family": ("emergency", "police", "civil_affairs"),
    "construction": ("emergency", "fire", "labour"),
    "environment": ("emergency", "fire"),
    "traffic": ("emergency", "police", "fire"),
    "consumer": ("emergency", "market"),
    "debt": ("emergency", "police"),
    "other": ("emergency", "fire", "police"),
}


def install_category_agencies(*, mapping_model: Any = None, category_model: Any = None) -> int:
    """Add the default mapping for the categories that have none; the rows added.

    A category an administrator has mapped (or unmapped to nothing but kept rows) is left as
    it is: only categories without any row get the defaults.
    """
    if mapping_model is None or category_model is None:
        from fengqiao.cases.models import CaseCategory
        from fengqiao.emergency.models import CategoryAgency

        mapping_model, category_model = CategoryAgency, CaseCategory
    mapped = set(mapping_model.objects.values_list("category_id", flat=True))
    rows = [
        mapping_model(category=category, agency_kind=kind)
        for category in category_model.objects.filter(code__in=list(DEFAULT_CATEGORY_AGENCIES))
        if category.pk not in mapped
        for kind in DEFAULT_CATEGORY_AGENCIES[category.code]
    ]
    mapping_model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
