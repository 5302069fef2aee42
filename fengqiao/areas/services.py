"""The only writers of the area tree."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from fengqiao.areas.models import PATH_WIDTH, Area, subtree_range
from fengqiao.audit.services import audit_record

EDITABLE_FIELDS = ("code", "name", "center_lat", "center_lng", "boundary")

# Columns elsewhere that copy an area's path so that a jurisdiction filter needs no join
# ("app_label.Model", "field"); `area_move` rewrites them with the tree. Apps register in
# their AppConfig.ready().
PATH_COPIES: list[tuple[str, str]] = []


def register_path_copy(model_label: str, field: str) -> None:
    if (model_label, field) not in PATH_COPIES:
        PATH_COPIES.append((model_label, field))


def _own_segment(area: Area) -> str:
    return str(area.pk).zfill(PATH_WIDTH)


@transaction.atomic
def area_create(
    *,
    actor: Any,
    code: str,
    name: str,
    level: int,
    parent: Area | None = None,
    center_lat: Any = None,
    center_lng: Any = None,
    boundary: dict | None = None,
    audit: bool = True,
) -> Area:
    area = Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        center_lat=center_lat,
        center_lng=center_lng,
        boundary=boundary,
    )
    area.full_clean(exclude=["path"])
    # The id is needed for the path, so the row is written, then given its path.
    area.path = f"tmp-{code}"
    area.save(force_insert=True)
    area.path = (parent.path if parent else "") + _own_segment(area)
    area.save(update_fields=["path"])
    if audit:
        audit_record(action="area.create", actor=actor, target=area, area=area)
    return area


@transaction.atomic
def area_update(*, actor: Any, area: Area, **changes: Any) -> Area:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(area, field, value)
    area.full_clean(exclude=["path"])
    area.save(update_fields=list(changes))
    audit_record(
        action="area.update", actor=actor, target=area, details={"fields": sorted(changes)}
    )
    return area


@transaction.atomic
def area_move(*, actor: Any, area: Area, new_parent: Area) -> Area:
    """Hang `area` and its whole subtree under `new_parent`, in one UPDATE of the paths."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    old_parent_id = area.parent_id
    area.parent = new_parent
    area.full_clean(exclude=["path"])
    old_prefix = area.path
    new_prefix = new_parent.path + _own_segment(area)
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    Area.objects.subtree(area).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )
    low, high = subtree_range(old_prefix)
    for model_label, field in PATH_COPIES:
        apps.get_model(model_label).objects.filter(
            **{f"{field}__gte": low, f"{field}__lt": high}
        ).update(**{field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))})
    area.refresh_from_db()
    audit_record(
        action="area.move",
        actor=actor,
        target=area,
        details={"from_parent": old_parent_id, "to_parent": new_parent.pk},
    )
    return area
