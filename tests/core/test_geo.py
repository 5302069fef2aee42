"""GeoJSON pieces, a point in a polygon, and the origins a tile source loads from."""

from __future__ import annotations

from decimal import Decimal

from fengqiao.core import geo

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[109.8, 40.6], [109.8, 40.5], [109.9, 40.5], [109.9, 40.6], [109.8, 40.6]]],
}
HOLED = {
    "type": "Polygon",
    "coordinates": [
        SQUARE["coordinates"][0],
        [[109.84, 40.56], [109.86, 40.56], [109.86, 40.54], [109.84, 40.54], [109.84, 40.56]],
    ],
}


def test_a_point_feature_puts_the_longitude_first():
    located = geo.feature(
        geo.point(Decimal("109.805"), Decimal("40.615")), {"name": "万泉镇"}, feature_id="a-1"
    )

    assert located == {
        "type": "Feature",
        "id": "a-1",
        "geometry": {"type": "Point", "coordinates": [109.805, 40.615]},
        "properties": {"name": "万泉镇"},
    }
    assert geo.feature_collection(iter([located])) == {
        "type": "FeatureCollection",
        "features": [located],
    }


def test_a_point_is_in_a_polygon_but_not_in_its_hole():
    assert geo.contains(SQUARE, 109.85, 40.55)
    assert not geo.contains(SQUARE, 109.95, 40.55)
    assert not geo.contains(HOLED, 109.85, 40.55)
    assert geo.contains(HOLED, 109.81, 40.59)
    multi = {"type": "MultiPolygon", "coordinates": [HOLED["coordinates"]]}
    assert geo.contains(multi, 109.81, 40.59) and not geo.contains(multi, 109.85, 40.55)
    wrapped = {"type": "Feature", "geometry": SQUARE, "properties": {}}
    assert geo.contains(wrapped, 109.85, 40.55)


def test_the_origins_of_a_tile_source_spell_out_its_subdomains():
    tianditu = (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
    )
    labels = "https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"

    assert geo.tile_origins([tianditu, labels], "012") == [
        "https://t0.tianditu.gov.cn",
        "https://t1.tianditu.gov.cn",
        "https://t2.tianditu.gov.cn",
    ]
    assert geo.tile_origins(["https://{s}.tile.example.org/{z}/{x}/{y}.png"]) == [
        "https://a.tile.example.org",
        "https://b.tile.example.org",
        "https://c.tile.example.org",
    ]
    assert geo.tile_origins(["http://tiles.local:8080/{z}/{x}/{y}.png"], "a, b") == [
        "http://tiles.local:8080"
    ]
    assert geo.tile_origins(["", "/tiles/{z}/{x}/{y}.png", "javascript:alert(1)"]) == []
