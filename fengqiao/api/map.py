"""/map: the grid map's layers as GeoJSON FeatureCollections (RFC 7946: WGS-84, longitude
first), the same as the map page draws and read by the same selectors, scoped the same
way: the areas of the user's subtree (a grid worker: their grid and its units), the open
cases the user may see, the log entries of a day the user may see. A role that sees no
area (the administrators) is refused (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.api.routing import READ_ERRORS, Router
from fengqiao.api.schemas import Input
from fengqiao.areas.selectors import area_map_features
from fengqiao.cases.selectors import case_map_points
from fengqiao.core import clock, geo
from fengqiao.gridops.selectors import log_map_points

router = Router(tags=["map"])


class FeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] = Field(
        description="A Polygon or MultiPolygon (an area's boundary) or a Point."
    )
    properties: dict[str, Any]


class FeatureCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]


class DayParams(Input):
    day: dt.date | None = Field(None, description="The day of the entries; today by default.")


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not jurisdiction.can(user, Capability.VIEW_AREAS):
        jurisdiction.deny(user, what="map")
    return user


@router.get(
    "/areas",
    response={200: FeatureCollectionOut, **READ_ERRORS},
    summary="The areas of your subtree: towns, villages and grids as polygons, units as points",
    description=(
        "Each feature's properties: `id`, `code`, `name`, `level` (1 town, 2 village or "
        "community, 3 grid, 4 unit), `parent` (the id of the area above)."
    ),
)
def map_areas(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return geo.feature_collection(area_map_features(areas=jurisdiction.areas_visible(user)))


@router.get(
    "/cases",
    response={200: FeatureCollectionOut, **READ_ERRORS},
    summary="The open cases you may see, as points, nearest deadline first",
    description=(
        "A case is placed where it was located, or else at the centre of its area "
        "(`located`: `exact` or `area`). Properties: `id`, `number`, `title`, `kind`, "
        "`kind_label`, `grade`, `state`, `state_label`, `area`, `overdue`, `located`."
    ),
)
def map_cases(request: HttpRequest) -> dict[str, Any]:
    return geo.feature_collection(case_map_points(user=_user(request)))


@router.get(
    "/logs",
    response={200: FeatureCollectionOut, **READ_ERRORS},
    summary="The daily-log entries of a day you may see, as points",
    description=(
        "An entry is placed where the phone put it, or else at the centre of its area "
        "(`located`). Properties: `id`, `author`, `time`, `finding`, `finding_label`, "
        "`settled_on_spot`, `case` (the id of the case it became, or null), `area`, `located`."
    ),
)
def map_logs(request: HttpRequest, params: Query[DayParams]) -> dict[str, Any]:
    user = _user(request)
    return geo.feature_collection(log_map_points(user=user, day=params.day or clock.today()))
