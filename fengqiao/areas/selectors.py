"""Reads of the area tree that are not scoped by a user (scoped reads: accounts.jurisdiction)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from fengqiao.areas.models import Area, AreaQuerySet, Level
from fengqiao.core import geo


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


def area_map_features(*, areas: AreaQuerySet) -> list[dict[str, Any]]:
    """The areas of `areas` (scoped by the caller) as GeoJSON features, from the top of the
    tree down: an area with a boundary as its polygon, one with only a centre (a unit) as a
    point there; an area with neither is left off the map."""
    features = []
    rows = areas.order_by("level", "path").values(
        "id", "code", "name", "level", "parent_id", "center_lat", "center_lng", "boundary"
    )
    for row in rows:
        if row["boundary"]:
            geometry = geo.geometry_of(row["boundary"])
        elif row["center_lat"] is not None and row["center_lng"] is not None:
            geometry = geo.point(row["center_lng"], row["center_lat"])
        else:
            continue
        properties = {
            "id": row["id"],
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "parent": row["parent_id"],
        }
        features.append(geo.feature(geometry, properties, feature_id=f"area-{row['id']}"))
    return features
