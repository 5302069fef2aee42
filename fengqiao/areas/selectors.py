"""Reads of the area tree that are not scoped by a user (scoped reads: accounts.jurisdiction)."""

from __future__ import annotations

from django.db.models import Count, Q

from fengqiao.areas.models import Area, AreaQuerySet, Level


def area_descendants(*, root: Area, include_self: bool = True) -> AreaQuerySet:
    queryset = Area.objects.subtree(root)
    return queryset if include_self else queryset.exclude(pk=root.pk)


def area_level_counts(*, root: Area) -> dict[int, int]:
    rows = area_descendants(root=root).values("level").annotate(n=Count("id"))
    counts = {level.value: 0 for level in Level}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def area_search(*, queryset: AreaQuerySet, text: str, limit: int = 20) -> AreaQuerySet:
    text = text.strip()
    if not text:
        return queryset.order_by("path")[:limit]
    return queryset.filter(Q(name__icontains=text) | Q(code__istartswith=text)).order_by(
        "level", "path"
    )[:limit]
