"""Small pieces of geography shared by the map's readers: GeoJSON features (RFC 7946,
WGS-84, longitude first), whether a point lies in a polygon, and the origins a tile
source loads its images from (for the Content-Security-Policy).

Pure Python with no Django import, so that the settings may use it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

Number = float | Decimal


def point(lng: Number, lat: Number) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(lng), float(lat)]}


def feature(
    geometry: dict[str, Any], properties: dict[str, Any], *, feature_id: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if feature_id is not None:
        body["id"] = feature_id
    return body


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def geometry_of(value: dict[str, Any]) -> dict[str, Any]:
    """The geometry of a stored boundary, which may be a bare geometry or a Feature."""
    if value.get("type") == "Feature":
        return value.get("geometry") or {}
    return value


def _in_ring(ring: Sequence[Sequence[float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(geometry: dict[str, Any], lng: Number, lat: Number) -> bool:
    """Whether a Polygon or MultiPolygon holds the point (a point on an edge may count
    either way)."""
    geometry = geometry_of(geometry)
    polygons = (
        [geometry["coordinates"]]
        if geometry.get("type") == "Polygon"
        else geometry.get("coordinates", [])
    )
    x, y = float(lng), float(lat)
    for rings in polygons:
        if rings and _in_ring(rings[0], x, y) and not any(_in_ring(r, x, y) for r in rings[1:]):
            return True
    return False


def tile_origins(templates: Iterable[str], subdomains: str = "") -> list[str]:
    """The origins (scheme://host[:port]) the tile URL templates load from, with Leaflet's
    `{s}` spelled out for each subdomain (`subdomains`: comma-separated names, or single
    characters run together as Leaflet takes them; "abc" when not given)."""
    names = [name.strip() for name in subdomains.split(",")] if "," in subdomains else []
    names = [name for name in names if name] or list(subdomains.strip() or "abc")
    origins: list[str] = []
    for template in templates:
        parts = urlsplit(template.strip())
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            continue
        hosts = [parts.netloc.replace("{s}", name) for name in names]
        for host in hosts if "{s}" in parts.netloc else [parts.netloc]:
            origin = f"{parts.scheme}://{host}"
            if origin not in origins:
                origins.append(origin)
    return origins
