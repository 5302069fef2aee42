"""/api/v1/map: the grid map's layers as GeoJSON, scoped as the map page is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fengqiao.accounts.roles import Role
from fengqiao.core import clock
from tests.fixtures import Api, as_, assert_error, log_entry, map_the_town, new_case, shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 3, 10, 0)


@pytest.fixture
def mapped(town, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    map_the_town(town)
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    entry = log_entry(town.user("grid_worker"), town.unit_a1, at=NOW - dt.timedelta(hours=1))
    return {"case": case, "entry": entry}


def test_the_layers_are_feature_collections_of_the_leader_s_town(town, mapped):
    leader = as_(town, Role.LEADER)

    areas = leader.get("/map/areas")
    cases = leader.get("/map/cases")
    logs = leader.get("/map/logs", {"day": "2026-03-03"})

    for response in (areas, cases, logs):
        assert response.status_code == 200, response.content
        assert response.json()["type"] == "FeatureCollection"
    assert len(areas.json()["features"]) == 9
    assert [f["properties"]["id"] for f in cases.json()["features"]] == [mapped["case"].pk]
    assert [f["properties"]["id"] for f in logs.json()["features"]] == [mapped["entry"].pk]
    assert leader.get("/map/logs", {"day": "2026-03-02"}).json()["features"] == []
    assert_error(leader.get("/map/logs", {"day": "someday"}), 400, "invalid", "day")


def test_a_grid_worker_of_another_village_gets_nothing_of_village_a(town, mapped, grid_worker_b):
    client = Api(grid_worker_b)

    areas = client.get("/map/areas").json()["features"]

    assert {f["properties"]["name"] for f in areas} == {"西村一网格", "西村1组"}
    assert client.get("/map/cases").json()["features"] == []
    assert client.get("/map/logs").json()["features"] == []


def test_without_a_token_or_with_no_area_the_map_is_refused(town, mapped):
    assert_error(Client().get("/api/v1/map/areas"), 401, "unauthorized")
    assert_error(as_(town, Role.SYSTEM_ADMIN).get("/map/cases"), 403, "forbidden")


def test_the_schema_documents_the_map():
    schema = Client().get("/api/v1/openapi.json").json()

    assert {"/api/v1/map/areas", "/api/v1/map/cases", "/api/v1/map/logs"} <= set(schema["paths"])
