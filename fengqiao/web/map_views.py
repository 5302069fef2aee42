"""The grid map (网格地图): villages and grids as polygons, open cases and a day's log
entries as clustered points, on the tile source of the settings or on none.

The map is a component, reused by any page that shows one (the command board among
them): `web/_map_assets.html` in the page's head, `web/_map.html` where the map stands,
and `map_context` to fill it. Its data comes from three GeoJSON endpoints, each scoped as
every read is: the areas of the user's own subtree (a grid worker: their grid and its
units), the open cases the user may see, the log entries the user may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Level
from fengqiao.areas.selectors import area_map_features
from fengqiao.cases.selectors import case_map_points
from fengqiao.core import clock, geo
from fengqiao.gridops.selectors import log_latest_day, log_list_for_user, log_map_points

LAYERS = ("areas", "cases", "logs")
# The zoom a map opens at before its areas are loaded, by the level of the user's home.
ZOOM_BY_LEVEL = {Level.TOWN: 12, Level.VILLAGE: 13, Level.GRID: 14, Level.UNIT: 16}
# Where a map with no home area to centre on opens (the centre of Baotou).
FALLBACK_CENTRE = (40.657, 109.840)


def map_allowed(user: Any) -> bool:
    return jurisdiction.can(user, Capability.VIEW_AREAS)


def _require(request: HttpRequest) -> None:
    if not map_allowed(request.user):
        jurisdiction.deny(request.user, what="map")


def map_day(value: str | None) -> dt.date:
    """The day whose log entries are shown: `value` (YYYY-MM-DD), or today."""
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return clock.today()


def map_tiles() -> dict[str, Any]:
    """The tile source of the settings, as the map script takes it; no URLs, no basemap."""
    return {
        "urls": list(settings.FENGQIAO_MAP_TILES),
        "subdomains": settings.FENGQIAO_MAP_SUBDOMAINS,
        "key": settings.FENGQIAO_MAP_TILE_KEY,
        "attribution": settings.FENGQIAO_MAP_ATTRIBUTION,
        "max_zoom": 18,
    }


def map_context(
    request: HttpRequest,
    *,
    day: dt.date | None = None,
    layers: tuple[str, ...] = LAYERS,
    element_id: str = "map",
) -> dict[str, Any]:
    """What `web/_map.html` needs, under the name `map`: the element's id, the layers it
    shows, and the configuration its script reads (endpoints, tiles, labels, where to
    open)."""
    day = day or clock.today()
    home = getattr(request.user, "home_area", None)
    centre = (
        [float(home.center_lat), float(home.center_lng)]
        if home is not None and home.center_lat is not None
        else list(FALLBACK_CENTRE)
    )
    urls = {
        "areas": reverse("map_areas"),
        "cases": reverse("map_cases"),
        "logs": f"{reverse('map_logs')}?{urlencode({'day': day.isoformat()})}",
        "case": reverse("case_detail", args=[0]),
        "area": reverse("area_detail", args=[0]),
    }
    return {
        "map": {
            "id": element_id,
            "config_id": f"{element_id}-config",
            "day": day,
            "layers": layers,
            "config": {
                "layers": list(layers),
                "urls": urls,
                "tiles": map_tiles(),
                "center": centre,
                "zoom": ZOOM_BY_LEVEL.get(home.level if home is not None else Level.TOWN, 12),
                "labels": {
                    "levels": {level.value: str(level.label) for level in Level},
                    "open_area": _("Open the area"),
                    "open_case": _("Open the case"),
                    "overdue": _("Overdue"),
                    "at_area_centre": _("shown at the centre of its area"),
                    "settled_on_spot": _("settled on the spot"),
                },
            },
        }
    }


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    day = map_day(request.GET.get("day"))
    latest = None
    if not log_list_for_user(user=request.user).filter(occurred_on=day).exists():
        latest = log_latest_day(user=request.user, before=day)
    return render(
        request,
        "web/map.html",
        {**map_context(request, day=day), "day": day, "latest_day": latest},
    )


def _geojson(features: list[dict[str, Any]]) -> JsonResponse:
    return JsonResponse(
        geo.feature_collection(features),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@never_cache
def map_areas(request: HttpRequest) -> HttpResponse:
    """The areas of the user's subtree: polygons, and units as points."""
    _require(request)
    return _geojson(area_map_features(areas=jurisdiction.areas_visible(request.user)))


@require_GET
@never_cache
def map_cases(request: HttpRequest) -> HttpResponse:
    """The open cases the user may see, nearest deadline first."""
    _require(request)
    return _geojson(case_map_points(user=request.user))


@require_GET
@never_cache
def map_logs(request: HttpRequest) -> HttpResponse:
    """The log entries of `day` (today by default) the user may see."""
    _require(request)
    return _geojson(log_map_points(user=request.user, day=map_day(request.GET.get("day"))))
