"""/api/v1 as a whole: its OpenAPI schema is public and lists the endpoints; an unknown
path is a JSON 404."""

import pytest

from fengqiao.core import clock
from tests.fixtures import as_, assert_error, shanghai

pytestmark = pytest.mark.django_db


# Monday 29 September 2025, 10:00 in Shanghai: the National Day holidays (1–8 October)
# lie ahead, Saturday 11 October is an adjusted working day.
NOW = shanghai(2025, 9, 29, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# --------------------------------------------------------------------------- schema
def test_the_openapi_schema_is_public_and_lists_the_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Fengqiao API"
    assert {
        "/api/v1/auth/token",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/timeline",
        "/api/v1/cases/{case_id}/actions/{action}",
        "/api/v1/cases/{case_id}/attachments",
        "/api/v1/calendar/due",
        "/api/v1/categories",
        "/api/v1/areas",
        "/api/v1/teams",
        "/api/v1/agencies",
    } <= set(schema["paths"])
    assert client.get("/api/v1/docs").status_code == 200


def test_an_unknown_api_path_is_a_json_404(town):
    assert_error(as_(town, "leader").get("/nothing-here"), 404, "not_found")
    assert_error(as_(town, "leader").get("/"), 404, "not_found")
    assert_error(as_(town, "leader").get("/cases/abc"), 404, "not_found")
