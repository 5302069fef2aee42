"""The four-level tree 镇 → 村/社区 → 网格 → 单元, stored as a materialised path.

`path` is the chain of ancestor ids, each zero-padded to PATH_WIDTH digits, ending with
the node's own id. A subtree is then one range on an indexed column (see
`subtree_range`), and because the path holds only digits the range means the same under
any database collation.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_WIDTH = 10


class Level(models.IntegerChoices):
    TOWN = 1, _("Town")
    VILLAGE = 2, _("Village / community")
    GRID = 3, _("Grid")
    UNIT = 4, _("Unit")


def subtree_range(path: str) -> tuple[str, str]:
    """[low, high) bounds of every path at or under `path`."""
    return path, str(int(path) + 1).zfill(len(path))


def subtree_q(paths: list[str], *, via: str = "") -> models.Q:
    """Rows at or under any of `paths`; `via` is the lookup to the area ("area__")."""
    query = models.Q(pk__in=[])
    for path in paths:
        low, high = subtree_range(path)
        query |= models.Q(**{f"{via}path__gte": low, f"{via}path__lt": high})
    return query


class AreaQuerySet(models.QuerySet["Area"]):
    def subtree(self, root: Area) -> AreaQuerySet:
        return self.filter(subtree_q([root.path]))

    def within_paths(self, paths: list[str]) -> AreaQuerySet:
        return self.filter(subtree_q(paths))


class Area(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z_-]+$",
                _("Use digits, Latin letters, hyphens and underscores only."),
            )
        ],
        error_messages={"unique": _("Another area already uses this code.")},
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=PATH_WIDTH * 4, unique=True, editable=False)
    center_lat = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    center_lng = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The level rules; shared by forms, the admin and the services."""
        errors: dict[str, str] = {}
        if self.level == Level.TOWN:
            if self.parent_id is not None:
                errors["parent"] = _("A town is the top of the tree and has no parent area.")
        elif self.parent is None:
            errors["parent"] = _("Choose the parent area.")
        elif self.level is not None and self.parent.level != self.level - 1:
            errors["parent"] = _(
                "A %(level)s belongs directly under a %(parent_level)s, not under a %(actual)s."
            ) % {
                "level": Level(self.level).label,
                "parent_level": Level(self.level - 1).label,
                "actual": Level(self.parent.level).label,
            }
        if self.boundary is not None:
            try:
                validate_geojson_polygon(self.boundary)
            except ValidationError as error:
                errors["boundary"] = error.messages[0]
        if (self.center_lat is None) != (self.center_lng is None):
            errors["center_lng"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(self.path[i : i + PATH_WIDTH]) for i in range(0, len(self.path), PATH_WIDTH)]

    def ancestors(self) -> list[Area]:
        """From the town down to this node (inclusive), in one query."""
        by_id = {area.id: area for area in Area.objects.filter(id__in=self.ancestor_ids)}
        return [by_id[i] for i in self.ancestor_ids if i in by_id]

    def is_within(self, root_path: str) -> bool:
        return self.path.startswith(root_path)


def validate_geojson_polygon(value: object) -> None:
    geometry = value
    if isinstance(value, dict) and value.get("type") == "Feature":
        geometry = value.get("geometry")
    if (
        not isinstance(geometry, dict)
        or geometry.get("type") not in {"Polygon", "MultiPolygon"}
        or not isinstance(geometry.get("coordinates"), list)
    ):
        raise ValidationError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon (WGS-84)."),
            code="geojson",
        )
