"""Where the demo town lies: 万泉镇 on the plain north of the Yellow River, in Baotou's
rare-earth high-tech zone, about 13 km east to west and 7 km north to south around
`data.TOWN_CENTRE` (40.615° N, 109.805° E).

The town is a lattice of 24 × 4 cells whose corners are nudged a little (the same nudges
for every seed: the map is not the seed's to decide), so that no boundary is a ruler's
line. Villages and communities take 6 × 2 cells each, four to a row, in the order of
`data.VILLAGES`; a village's first three grids share its northern row, the last two its
southern row. Every polygon runs through the shared corners of its neighbours, so the
villages tile the town and the grids tile their village, with no gap and no overlap.
Units have a centre only: ten to a grid, two rows of five, placed in the grid's cells.

Coordinates are WGS-84 (what a phone's GPS gives), GeoJSON order: longitude, latitude;
an exterior ring runs anticlockwise (RFC 7946).
"""

from __future__ import annotations

import functools
import random
from decimal import Decimal
from typing import Any

from fengqiao.demo import data

VILLAGES_PER_ROW = 4
CELLS_PER_VILLAGE = (6, 2)  # columns, rows
CELL_LNG = 0.04 / 6  # about 560 m at this latitude
CELL_LAT = 0.015  # about 1.7 km
# How far a corner may be nudged, as a share of a cell.
NUDGE = 0.1
# A grid's cells: (first column, last column, row) within its village, grids 1–5.
GRID_CELLS = ((0, 2, 0), (2, 4, 0), (4, 6, 0), (0, 3, 1), (3, 6, 1))
# Where a grid's ten units stand, as shares of its width and of its row's height.
UNIT_ACROSS = (0.1, 0.3, 0.5, 0.7, 0.9)
UNIT_DOWN = (0.3, 0.7)


def _columns() -> int:
    return VILLAGES_PER_ROW * CELLS_PER_VILLAGE[0]


def _rows() -> int:
    rows_of_villages = -(-len(data.VILLAGES) // VILLAGES_PER_ROW)
    return rows_of_villages * CELLS_PER_VILLAGE[1]


@functools.cache
def _corners() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The lattice's corners as (longitude, latitude), [column][row]; row 0 is the north."""
    rng = random.Random("fengqiao-demo-geography")
    lat0, lng0 = data.TOWN_CENTRE
    west = lng0 - _columns() * CELL_LNG / 2
    north = lat0 + _rows() * CELL_LAT / 2
    return tuple(
        tuple(
            (
                west + (column + rng.uniform(-NUDGE, NUDGE)) * CELL_LNG,
                north - (row + rng.uniform(-NUDGE, NUDGE)) * CELL_LAT,
            )
            for row in range(_rows() + 1)
        )
        for column in range(_columns() + 1)
    )


def _at(x: float, y: float) -> tuple[float, float]:
    """The point at lattice position (x columns east, y rows south), inside its cell by
    bilinear interpolation of the cell's four corners."""
    corners = _corners()
    column = min(int(x), _columns() - 1)
    row = min(int(y), _rows() - 1)
    fx, fy = x - column, y - row
    (a_lng, a_lat), (b_lng, b_lat) = corners[column][row], corners[column + 1][row]
    (c_lng, c_lat), (d_lng, d_lat) = corners[column][row + 1], corners[column + 1][row + 1]
    lng = (a_lng * (1 - fx) + b_lng * fx) * (1 - fy) + (c_lng * (1 - fx) + d_lng * fx) * fy
    lat = (a_lat * (1 - fx) + b_lat * fx) * (1 - fy) + (c_lat * (1 - fx) + d_lat * fx) * fy
    return lng, lat


def _polygon(first_column: int, last_column: int, top: int, bottom: int) -> dict[str, Any]:
    """The block of cells as a GeoJSON Polygon through every lattice corner on its edge,
    anticlockwise from the north-west corner."""
    corners = _corners()
    ring = [corners[first_column][row] for row in range(top, bottom + 1)]
    ring += [corners[column][bottom] for column in range(first_column + 1, last_column + 1)]
    ring += [corners[last_column][row] for row in range(bottom - 1, top - 1, -1)]
    ring += [corners[column][top] for column in range(last_column - 1, first_column - 1, -1)]
    return {
        "type": "Polygon",
        "coordinates": [[[round(lng, 6), round(lat, 6)] for lng, lat in ring]],
    }


def _centre(x: float, y: float) -> tuple[Decimal, Decimal]:
    lng, lat = _at(x, y)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _village_origin(village: int) -> tuple[int, int]:
    row, column = divmod(village, VILLAGES_PER_ROW)
    return column * CELLS_PER_VILLAGE[0], row * CELLS_PER_VILLAGE[1]


# --------------------------------------------------------------------------- areas
def town_boundary() -> dict[str, Any]:
    return _polygon(0, _columns(), 0, _rows())


def town_centre() -> tuple[Decimal, Decimal]:
    """(latitude, longitude)."""
    return _centre(_columns() / 2, _rows() / 2)


def village_boundary(village: int) -> dict[str, Any]:
    """`village` counts from 0 in the order of `data.VILLAGES`."""
    x, y = _village_origin(village)
    width, height = CELLS_PER_VILLAGE
    return _polygon(x, x + width, y, y + height)


def village_centre(village: int) -> tuple[Decimal, Decimal]:
    x, y = _village_origin(village)
    width, height = CELLS_PER_VILLAGE
    return _centre(x + width / 2, y + height / 2)


def grid_boundary(village: int, grid: int) -> dict[str, Any]:
    """`grid` counts from 1 within its village."""
    x, y = _village_origin(village)
    first, last, row = GRID_CELLS[grid - 1]
    return _polygon(x + first, x + last, y + row, y + row + 1)


def grid_centre(village: int, grid: int) -> tuple[Decimal, Decimal]:
    x, y = _village_origin(village)
    first, last, row = GRID_CELLS[grid - 1]
    return _centre(x + (first + last) / 2, y + row + 0.5)


def unit_centre(village: int, grid: int, unit: int) -> tuple[Decimal, Decimal]:
    """`unit` counts from 1 within its grid: two rows of five, west to east."""
    x, y = _village_origin(village)
    first, last, row = GRID_CELLS[grid - 1]
    down, across = divmod(unit - 1, len(UNIT_ACROSS))
    return _centre(x + first + (last - first) * UNIT_ACROSS[across], y + row + UNIT_DOWN[down])
