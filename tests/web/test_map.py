"""The grid map: its page with layers and legend, and its three GeoJSON layers (areas, open
cases, a day's log entries), each scoped as every read is: a grid worker sees their own
grid, and one of another village gets nothing of village A."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Level
from fengqiao.cases.models import State
from fengqiao.core import clock
from tests.fixtures import (
    PROJECT,
    act,
    case_in_state,
    log_entry,
    map_the_town,
    new_case,
    shanghai,
)

pytestmark = pytest.mark.django_db

# Tuesday 3 March 2026, a working day.
NOW = shanghai(2026, 3, 3, 10, 0)


@pytest.fixture
def mapped(town, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return map_the_town(town)


@pytest.fixture
def shown(mapped):
    """What the map of village A shows: a case placed by the phone, one placed at its
    area, a closed one (not shown), and two log entries of today and one of yesterday."""
    town = mapped
    placed = new_case(
        town.user("grid_worker"),
        town.unit_a1,
        latitude="40.621000",
        longitude="109.710000",
        channel="grid_report",
    )
    unplaced = new_case(town.user("intake_clerk"), town.unit_a2, title="东村2组路灯不亮")
    closed = case_in_state(town, State.CLOSED)
    worker = town.user("grid_worker")
    today = log_entry(worker, town.unit_a1, at=NOW - dt.timedelta(hours=1))
    located = log_entry(
        worker,
        town.grid_a1,
        at=NOW - dt.timedelta(minutes=30),
        latitude="40.630000",
        longitude="109.705000",
    )
    yesterday = log_entry(worker, town.unit_a1, at=NOW - dt.timedelta(days=1))
    return {
        "placed": placed,
        "unplaced": unplaced,
        "closed": closed,
        "today": today,
        "located": located,
        "yesterday": yesterday,
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def layer(client: Client, name: str, **query: str) -> dict:
    response = client.get(f"/map/{name}.geojson", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "no-cache" in response["Cache-Control"]
    return json.loads(response.content)


def assert_feature_collection(body: dict) -> None:
    """RFC 7946's shape: a FeatureCollection of Features, each with a geometry and
    properties; positions longitude first in WGS-84 range; polygon rings closed."""
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            positions = [geometry["coordinates"]]
        else:
            assert geometry["type"] in {"Polygon", "MultiPolygon"}
            rings = (
                geometry["coordinates"]
                if geometry["type"] == "Polygon"
                else [ring for polygon in geometry["coordinates"] for ring in polygon]
            )
            for ring in rings:
                assert len(ring) >= 4 and ring[0] == ring[-1]
            positions = [position for ring in rings for position in ring]
        for lng, lat in positions:
            assert -180 <= lng <= 180 and -90 <= lat <= 90


def names(body: dict) -> set[str]:
    return {feature["properties"].get("name") for feature in body["features"]}


def ids(body: dict) -> set[int]:
    return {feature["properties"]["id"] for feature in body["features"]}


def test_the_leader_s_map_has_every_area_open_case_and_today_s_entry(town, shown):
    # given
    leader = client_of(town.user("leader"))

    # when
    areas, cases, logs = (layer(leader, name) for name in ("areas", "cases", "logs"))

    # then the areas: town, villages and grids as polygons, units as points
    for body in (areas, cases, logs):
        assert_feature_collection(body)
    kinds = {f["properties"]["name"]: f["geometry"]["type"] for f in areas["features"]}
    assert kinds == {
        "枫桥镇": "Polygon",
        "东村": "Polygon",
        "西村": "Polygon",
        "东村一网格": "Polygon",
        "东村二网格": "Polygon",
        "西村一网格": "Polygon",
        "东村1组": "Point",
        "东村2组": "Point",
        "西村1组": "Point",
    }
    levels = [f["properties"]["level"] for f in areas["features"]]
    assert levels == sorted(levels) and levels[0] == Level.TOWN
    # the open cases: where the phone put one, at its area's centre the other
    by_id = {f["properties"]["id"]: f for f in cases["features"]}
    assert set(by_id) == {shown["placed"].pk, shown["unplaced"].pk}
    placed, unplaced = by_id[shown["placed"].pk], by_id[shown["unplaced"].pk]
    assert placed["geometry"]["coordinates"] == [109.71, 40.621]
    assert placed["properties"]["located"] == "exact"
    assert unplaced["geometry"]["coordinates"] == [109.7375, 40.625]
    expected = {
        "number": shown["unplaced"].number,
        "title": "东村2组路灯不亮",
        "state": State.REPORTED,
        "overdue": False,
        "located": "area",
        "area": "东村2组",
    }
    assert {key: unplaced["properties"][key] for key in expected} == expected
    # today's entries only, one placed by the phone
    by_id = {f["properties"]["id"]: f for f in logs["features"]}
    assert set(by_id) == {shown["today"].pk, shown["located"].pk}
    assert by_id[shown["located"].pk]["geometry"]["coordinates"] == [109.705, 40.63]
    assert by_id[shown["today"].pk]["properties"]["located"] == "area"
    assert by_id[shown["today"].pk]["properties"]["time"] == "09:00"


def test_a_grid_worker_of_another_village_gets_nothing_of_village_a(town, shown, grid_worker_b):
    # given a grid worker of 西村 (village B)
    client = client_of(grid_worker_b)

    # when
    areas, cases, logs = (layer(client, name) for name in ("areas", "cases", "logs"))

    # then their own grid and its unit, and nothing of 东村 (village A)
    assert names(areas) == {"西村一网格", "西村1组"}
    assert cases["features"] == [] and logs["features"] == []
    assert layer(client, "logs", day="2026-03-02")["features"] == []


def test_a_grid_worker_sees_their_own_grid(town, shown):
    # given the grid worker of 东村一网格
    client = client_of(town.user("grid_worker"))

    # when
    areas, cases = layer(client, "areas"), layer(client, "cases")

    # then their grid and its unit, not the other grid of the village
    assert names(areas) == {"东村一网格", "东村1组"}
    assert ids(cases) == {shown["placed"].pk}


def test_a_village_cadre_sees_the_village_and_its_grids(town, shown):
    client = client_of(town.user("village_cadre"))

    village = {"东村", "东村一网格", "东村二网格", "东村1组", "东村2组"}
    assert names(layer(client, "areas")) == village
    assert ids(layer(client, "logs")) == {shown["today"].pk, shown["located"].pk}


def test_the_entries_of_another_day_are_asked_for_by_date(town, shown):
    leader = client_of(town.user("leader"))

    assert ids(layer(leader, "logs", day="2026-03-02")) == {shown["yesterday"].pk}
    # a day that is not a date means today
    assert ids(layer(leader, "logs", day="yesterday")) == {shown["today"].pk, shown["located"].pk}


def test_a_case_that_is_no_longer_open_leaves_the_map(town, shown):
    leader = client_of(town.user("leader"))
    act(town.user("intake_clerk"), shown["unplaced"], "reject", reason="不属于受理范围")

    assert ids(layer(leader, "cases")) == {shown["placed"].pk}


def test_the_map_page_offers_the_layers_and_a_legend(town, shown):
    # when
    response = client_of(town.user("leader")).get("/map/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    for layer_name in ("areas", "cases", "logs"):
        assert f'data-map-layer="{layer_name}"' in page
    assert 'class="map-legend"' in page and 'class="fq-map"' in page
    assert "vendor/leaflet/leaflet.js" in page and "web/map.js" in page
    config = response.context["map"]["config"]
    assert config["tiles"]["urls"] == []  # no tile source set: no basemap
    assert config["urls"]["logs"] == "/map/logs.geojson?day=2026-03-03"
    assert config["urls"]["case"] == "/cases/0/"
    # the menu offers it
    assert 'href="/map/"' in page


def test_a_day_without_entries_points_to_the_latest_day_with_some(town, shown):
    response = client_of(town.user("leader")).get("/map/", {"day": "2026-03-05"})

    assert response.context["latest_day"] == dt.date(2026, 3, 3)
    assert "?day=2026-03-03" in response.content.decode()


def test_the_administrators_have_no_map(town):
    admin = client_of(town.user(Role.SYSTEM_ADMIN))

    assert admin.get("/map/").status_code == 403
    assert admin.get("/map/areas.geojson").status_code == 403
    assert 'href="/map/"' not in admin.get("/").content.decode()


def test_a_tile_source_in_the_environment_is_allowed_by_the_policy():
    # given a tile source with subdomains, as 天地图 has
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "DJANGO_SETTINGS_MODULE": "fengqiao.config.settings",
        "FENGQIAO_MAP_TILES": "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={tk} https://t{s}.tianditu.gov.cn/cva_w/wmts?x={x}&y={y}&z={z}",
        "FENGQIAO_MAP_SUBDOMAINS": "01",
        "FENGQIAO_MAP_TILE_KEY": "key-of-the-centre",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], "
        "s.FENGQIAO_MAP_TILES, s.FENGQIAO_MAP_TILE_KEY]))"
    )

    # when the settings are read
    completed = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    # then the tiles' origins, and only those, join the images the pages may load
    img_src, tiles, key = json.loads(completed.stdout)
    assert img_src == [
        "'self'",
        "data:",
        "blob:",
        "https://t0.tianditu.gov.cn",
        "https://t1.tianditu.gov.cn",
    ]
    assert len(tiles) == 2 and key == "key-of-the-centre"


def test_without_a_tile_source_the_pages_load_images_from_this_site_only(settings):
    assert settings.FENGQIAO_MAP_TILES == []
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:", "blob:"]
