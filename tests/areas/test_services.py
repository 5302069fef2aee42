"""Changing the tree: areas made and moved through the services, only where the levels allow."""

import pytest
from django.core.exceptions import ValidationError

from fengqiao.areas.models import Area, Level
from fengqiao.areas.selectors import area_descendants
from fengqiao.areas.services import area_create, area_move
from tests.fixtures import AreaFactory


def names(queryset):
    return sorted(area.name for area in queryset)


def test_a_moved_grid_takes_its_units_along(town):
    moved = area_move(actor=None, area=town.grid_a2, new_parent=town.village_b)
    assert moved.parent == town.village_b
    assert names(area_descendants(root=town.village_b)) == sorted(
        ["西村", "西村一网格", "西村1组", "东村二网格", "东村2组"]
    )
    assert names(area_descendants(root=town.village_a)) == sorted(["东村", "东村一网格", "东村1组"])
    unit = Area.objects.get(pk=town.unit_a2.pk)
    assert [a.name for a in unit.ancestors()] == ["枫桥镇", "西村", "东村二网格", "东村2组"]


def test_a_unit_cannot_sit_directly_under_a_town(town):
    with pytest.raises(ValidationError) as caught:
        area_create(actor=None, code="X1", name="错位单元", level=Level.UNIT, parent=town.town)
    assert "parent" in caught.value.message_dict
    assert not Area.objects.filter(code="X1").exists()


def test_a_grid_cannot_be_moved_under_a_grid(town):
    with pytest.raises(ValidationError):
        area_move(actor=None, area=town.grid_a2, new_parent=town.grid_b1)
    assert Area.objects.get(pk=town.grid_a2.pk).parent == town.village_a


def test_duplicate_code_is_refused(town):
    with pytest.raises(ValidationError) as caught:
        AreaFactory(code=town.village_a.code, name="重复", level=Level.VILLAGE, parent=town.town)
    assert "code" in caught.value.message_dict


def test_boundary_must_be_geojson(town):
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=None,
            code="G9",
            name="坏边界",
            level=Level.GRID,
            parent=town.village_a,
            boundary={"type": "Point", "coordinates": [109.8, 40.6]},
        )
    assert "boundary" in caught.value.message_dict
