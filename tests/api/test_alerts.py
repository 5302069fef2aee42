"""/api/v1/alerts: the early-warning board as JSON, scoped like the pages, one error shape,
POSTs safe to retry with an Idempotency-Key."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.alerts.models import Alert, Severity, Status
from fengqiao.alerts.services import alerts_run_all
from fengqiao.audit.models import AuditEvent
from tests.fixtures import (
    ALERTS_NOW,
    QUIET,
    Api,
    UserFactory,
    as_,
    assert_error,
    case_in_state,
    new_case,
)

NOW = ALERTS_NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(town):
    """A many-people alert in 东村 (village A) and a risk-word alert in 西村 (village B)."""
    clerk = town.user("intake_clerk")
    new_case(clerk, town.unit_a1, now=NOW, account=QUIET, title="邻里噪音", people_involved=8)
    new_case(clerk, town.unit_b1, now=NOW, account="当事人扬言要去北京上访", title="土地纠纷")
    raised = alerts_run_all(now=NOW)
    by_village = {alert.area_path[: len(town.village_a.path)]: alert for alert in raised}
    return {"a": by_village[town.village_a.path], "b": by_village[town.village_b.path]}


# --------------------------------------------------------------------------- alerts: reading
def test_the_board_lists_the_alerts_in_scope_most_severe_first(town, alerts):
    body = as_(town, "leader").get("/alerts").json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [alerts["b"].pk, alerts["a"].pk]
    first = body["results"][0]
    assert first["rule"] == "risk_words" and first["severity"] == Severity.HIGH
    assert first["status"] == "open" and first["actions"] == ["acknowledge", "handle", "dismiss"]
    assert [case["title"] for case in first["cases"]] == ["土地纠纷"]


def test_the_board_filters_by_rule_severity_and_status(town, alerts):
    api = as_(town, "leader")

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in api.get("/alerts", params).json()["results"]]

    assert ids(rule="many_people") == [alerts["a"].pk]
    assert ids(severity="high") == [alerts["b"].pk]
    assert ids(status="handled") == []
    api.post(f"/alerts/{alerts['a'].pk}/handle", {"note": "已上门协调"})
    assert ids(status="handled") == [alerts["a"].pk]
    assert ids() == [alerts["b"].pk]  # active by default


def test_an_unknown_rule_or_severity_is_a_400(town, alerts):
    api = as_(town, "leader")

    assert_error(api.get("/alerts", {"rule": "nonsense"}), 400, "rule", "rule")
    assert_error(api.get("/alerts", {"severity": "huge"}), 400, "invalid", "severity")


def test_a_grid_worker_of_another_village_sees_nothing_of_village_a(town, alerts, grid_worker_b):
    api = Api(grid_worker_b)

    assert [row["id"] for row in api.get("/alerts").json()["results"]] == [alerts["b"].pk]
    assert_error(api.get(f"/alerts/{alerts['a'].pk}"), 404, "not_found")
    assert_error(api.post(f"/alerts/{alerts['a'].pk}/acknowledge"), 404, "not_found")
    assert Alert.objects.get(pk=alerts["a"].pk).status == Status.OPEN
    assert AuditEvent.objects.filter(
        action="access.denied", target_type="alerts.alert", target_id=str(alerts["a"].pk)
    ).exists()


def test_roles_that_see_no_area_cases_are_refused_the_board(town, alerts):
    for role in ("mediator", "agency_liaison", "system_admin"):
        assert_error(as_(town, role).get("/alerts"), 403, "forbidden")


def test_the_detail_of_an_alert(town, alerts):
    body = as_(town, "village_cadre").get(f"/alerts/{alerts['a'].pk}").json()

    assert body["rule"] == "many_people" and body["area"]["id"] == alerts["a"].area_id
    assert body["acknowledged_by"] is None and body["closing_note"] == ""


# --------------------------------------------------------------------------- alerts: acting
def test_acknowledge_then_handle_with_a_note(town, alerts):
    api = as_(town, "village_cadre")

    acknowledged = api.post(f"/alerts/{alerts['a'].pk}/acknowledge").json()
    handled = api.post(f"/alerts/{alerts['a'].pk}/handle", {"note": "已上门化解"}).json()

    assert acknowledged["status"] == "acknowledged"
    assert acknowledged["acknowledged_by"]["id"] == town.user("village_cadre").pk
    assert handled["status"] == "handled" and handled["closing_note"] == "已上门化解"
    assert handled["actions"] == []


def test_a_dismissal_without_a_reason_is_a_400_and_changes_nothing(town, alerts):
    api = as_(town, "leader")

    assert_error(
        api.post(f"/alerts/{alerts['a'].pk}/dismiss", {"reason": "  "}), 400, "note", "reason"
    )
    assert_error(api.post(f"/alerts/{alerts['a'].pk}/handle", {}), 400, "note", "note")
    assert Alert.objects.get(pk=alerts["a"].pk).status == Status.OPEN


def test_a_closed_alert_cannot_be_acted_on_and_the_refusal_is_audited(town, alerts):
    api = as_(town, "leader")
    api.post(f"/alerts/{alerts['a'].pk}/dismiss", {"reason": "重复预警"})

    response = api.post(
        f"/alerts/{alerts['a'].pk}/handle", {"note": "补充"}, HTTP_IDEMPOTENCY_KEY="retry-1"
    )

    assert_error(response, 409, "wrong_state")
    assert AuditEvent.objects.filter(
        action="alert.handle", outcome="denied", target_id=str(alerts["a"].pk)
    ).exists()


def test_a_dismissal_retried_with_its_key_is_done_once(town, alerts):
    api = as_(town, "leader")
    path = f"/alerts/{alerts['a'].pk}/dismiss"

    first = api.post(path, {"reason": "误报"}, HTTP_IDEMPOTENCY_KEY="dismiss-1")
    again = api.post(path, {"reason": "误报"}, HTTP_IDEMPOTENCY_KEY="dismiss-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert AuditEvent.objects.filter(action="alert.dismiss", outcome="success").count() == 1


def test_a_leader_flags_a_case(town):
    case = case_in_state(town, "in_progress")

    response = as_(town, "leader").post(
        "/alerts/flag", {"case_id": case.pk, "note": "群众反映强烈", "severity": "critical"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rule"] == "leader_flag" and body["severity"] == "critical"
    assert [row["id"] for row in body["cases"]] == [case.pk]


def test_flagging_is_for_leaders_and_in_scope_and_needs_a_reason(town, grid_worker_b):
    case = case_in_state(town, "in_progress")
    body = {"case_id": case.pk, "note": "关注"}

    assert_error(as_(town, "dispatcher").post("/alerts/flag", body), 403, "not_allowed")
    assert AuditEvent.objects.filter(action="alert.flag", outcome="denied").exists()
    west_leader = UserFactory(
        username="t_west_leader", roles=[Role.LEADER], home_area=town.village_b
    )
    assert_error(Api(west_leader).post("/alerts/flag", body), 404, "not_found")
    assert_error(
        as_(town, "leader").post("/alerts/flag", {"case_id": case.pk, "note": ""}),
        400,
        "note",
        "note",
    )
    assert not Alert.objects.exists()


def test_a_flag_retried_with_its_key_raises_one_alert(town):
    case = case_in_state(town, "in_progress")
    api = as_(town, "leader")
    body = {"case_id": case.pk, "note": "群众反映强烈"}

    first = api.post("/alerts/flag", body, HTTP_IDEMPOTENCY_KEY="flag-1")
    again = api.post("/alerts/flag", body, HTTP_IDEMPOTENCY_KEY="flag-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Alert.objects.count() == 1


def test_the_new_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}/dismiss",
        "/api/v1/alerts/flag",
        "/api/v1/notifications",
        "/api/v1/notifications/preferences",
        "/api/v1/emergencies/{case_id}/acknowledge",
    ):
        assert path in paths, path
