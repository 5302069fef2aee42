"""The demo town's geometry near Baotou: the villages tile the town and the grids tile their
village with no gap and no overlap, units stand inside their grid, and every case of the
year is placed inside its area."""

from __future__ import annotations

import itertools

import pytest

from fengqiao.areas.models import Level
from fengqiao.core import geo
from fengqiao.demo import data
from fengqiao.demo.generator import AreaPlan, TownPlan


def shoelace(geometry: dict) -> float:
    """The signed area of a polygon's outer ring (positive: anticlockwise)."""
    ring = geometry["coordinates"][0]
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def areas_of(plan: TownPlan, level: int) -> list[AreaPlan]:
    return [area for area in plan.areas if area.level == level]


def sample_points(plan: TownPlan, per_side: int = 60) -> list[tuple[float, float]]:
    """A lattice of points over the town's bounding box, off every cell edge."""
    ring = areas_of(plan, Level.TOWN)[0].boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    west, east, south, north = min(lngs), max(lngs), min(lats), max(lats)
    return [
        (
            west + (east - west) * (i + 0.37) / per_side,
            south + (north - south) * (j + 0.41) / per_side,
        )
        for i in range(per_side)
        for j in range(per_side)
    ]


def test_the_town_lies_near_baotou_and_every_area_has_a_centre(town_only: TownPlan) -> None:
    (town,) = areas_of(town_only, Level.TOWN)
    lat, lng = data.TOWN_CENTRE
    assert abs(float(town.center_lat) - lat) < 0.01 and abs(float(town.center_lng) - lng) < 0.01
    assert all(area.center_lat is not None for area in town_only.areas)
    polygons = [area for area in town_only.areas if area.boundary is not None]
    assert {area.level for area in polygons} == {Level.TOWN, Level.VILLAGE, Level.GRID}
    assert len(polygons) == 1 + 8 + 40
    for area in polygons:
        ring = area.boundary["coordinates"][0]
        assert area.boundary["type"] == "Polygon" and ring[0] == ring[-1]
        assert shoelace(area.boundary) > 0  # anticlockwise, as RFC 7946 asks
        assert geo.contains(area.boundary, area.center_lng, area.center_lat)


def test_villages_tile_the_town_and_grids_tile_their_village(town_only: TownPlan) -> None:
    (town,) = areas_of(town_only, Level.TOWN)
    villages = areas_of(town_only, Level.VILLAGE)
    grids = areas_of(town_only, Level.GRID)
    # the areas add up exactly: no gap, and no overlap
    assert sum(shoelace(v.boundary) for v in villages) == pytest.approx(shoelace(town.boundary))
    for village in villages:
        own = [grid for grid in grids if grid.parent_code == village.code]
        assert sum(shoelace(g.boundary) for g in own) == pytest.approx(shoelace(village.boundary))
    # and every point of the town lies in exactly one village and one grid, of that village
    by_code = {area.code: area for area in town_only.areas}
    for lng, lat in sample_points(town_only):
        if not geo.contains(town.boundary, lng, lat):
            continue
        (village,) = [v for v in villages if geo.contains(v.boundary, lng, lat)]
        (grid,) = [g for g in grids if geo.contains(g.boundary, lng, lat)]
        assert by_code[grid.parent_code] == village


def test_every_unit_stands_inside_its_grid(town_only: TownPlan) -> None:
    by_code = {area.code: area for area in town_only.areas}
    for unit in areas_of(town_only, Level.UNIT):
        assert unit.boundary is None
        assert geo.contains(by_code[unit.parent_code].boundary, unit.center_lng, unit.center_lat)


def test_every_case_is_placed_inside_its_area(plan: TownPlan) -> None:
    by_code = {area.code: area for area in plan.areas}
    for case in plan.cases:
        area = by_code[case.area_code]
        # a unit has only a centre: its case lies in the unit's grid
        shape = area.boundary or by_code[area.parent_code].boundary
        assert geo.contains(shape, case.longitude, case.latitude), case.key
