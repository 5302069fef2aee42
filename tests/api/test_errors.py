"""One refusal, one status, everywhere: 403 not allowed, 404 out of scope, 409 wrong state or
stale version, 400 invalid input; one JSON shape; the message in the user's language; an
audit row for each refusal (one, with or without an Idempotency-Key); nothing changed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fengqiao.alerts.models import Alert
from fengqiao.alerts.services import alert_flag_case
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, State
from fengqiao.supervision.models import SupervisionOrder
from tests.fixtures import Api, UserFactory, case_in_state

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "field", "errors"}


def chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def denied(action: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome="denied").count()


def attempt(town: Any, role: str, case: Case, action: str, key: str | None, **body: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return Api(town.user(role), "en").post(
        f"/cases/{case.pk}/actions/{action}", {"version": case.version, **body}, **headers
    )


@pytest.fixture
def west_cadre(town: Any) -> Any:
    return UserFactory(username="t_west_cadre", roles=["village_cadre"], home_area=town.village_b)


@pytest.mark.parametrize("key", [None, "retry-1"], ids=["plain", "with an Idempotency-Key"])
@pytest.mark.parametrize(
    ("role", "state", "action", "body", "status", "code", "audited"),
    [
        ("grid_worker", State.REPORTED, "accept", {}, 403, "not_allowed", "case.accept"),
        ("unit_head", State.ACCEPTED, "dispatch", {}, 403, "not_allowed", "case.dispatch"),
        ("intake_clerk", State.ACCEPTED, "accept", {}, 409, "wrong_state", "case.accept"),
        ("leader", State.CLOSED, "close", {}, 409, "wrong_state", "case.close"),
        ("intake_clerk", State.REPORTED, "reject", {}, 400, "missing_reason", None),
    ],
    ids=["grid worker accepts", "unit head dispatches", "twice", "closed", "no reason"],
)
def test_a_case_action_refused_through_the_api(
    town, key, role, state, action, body, status, code, audited
):
    case = case_in_state(town, state)
    before = denied(audited) if audited else 0

    response = attempt(town, role, case, action, key, **body)

    assert response.status_code == status, response.content
    answer = response.json()
    assert set(answer) == SHAPE and answer["code"] == code
    assert answer["errors"][0]["message"] == answer["message"]
    assert not chinese(answer["message"])  # English was asked for
    if audited:
        assert denied(audited) == before + 1
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (case.state, case.version)


def test_out_of_scope_is_a_404_like_a_missing_case_and_is_audited(town, west_cadre):
    case = case_in_state(town, State.REPORTED)
    before = denied("access.denied")

    hidden = Api(west_cadre).post(f"/cases/{case.pk}/actions/accept", {"version": 1})
    missing = Api(west_cadre).post("/cases/999999/actions/accept", {"version": 1})

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert denied("access.denied") == before + 1


def test_a_stale_version_is_a_409_naming_who_changed_the_case(town):
    case = case_in_state(town, State.REPORTED)
    Api(town.user("leader")).post(f"/cases/{case.pk}/actions/accept", {"version": case.version})

    response = attempt(town, "intake_clerk", case, "accept", None)

    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "stale_version"
    assert answer["current_version"] == case.version + 1
    assert answer["changed_by"] == str(town.user("leader"))


def test_the_message_is_in_the_users_language(town):
    case = case_in_state(town, State.REPORTED)

    in_chinese = Api(town.user("grid_worker")).post(
        f"/cases/{case.pk}/actions/accept", {"version": 1}
    )
    english = attempt(town, "grid_worker", case, "accept", None)

    assert in_chinese.json()["code"] == english.json()["code"] == "not_allowed"
    assert chinese(in_chinese.json()["message"]) and not chinese(english.json()["message"])


@pytest.mark.parametrize("key", [None, "retry-1"], ids=["plain", "with an Idempotency-Key"])
def test_other_lifecycles_answer_the_same_statuses(town, key):
    case = case_in_state(town, State.IN_PROGRESS)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    dispatcher, leader = Api(town.user("dispatcher"), "en"), Api(town.user("leader"), "en")

    raised = dispatcher.post(
        "/supervision/orders", {"case_id": case.pk, "instruction": "x"}, **headers
    )
    assert raised.status_code == 403 and raised.json()["code"] == "not_allowed"
    assert not SupervisionOrder.objects.exists()

    order = leader.post("/supervision/orders", {"case_id": case.pk, "instruction": "请办理"}).json()
    early = leader.post(f"/supervision/orders/{order['id']}/close", {"review": "同意"}, **headers)
    assert early.status_code == 409 and early.json()["code"] == "wrong_state"

    alert = alert_flag_case(actor=town.user("leader"), case_id=case.pk, note="关注")
    grid = Api(town.user("grid_worker"), "en")
    dismissed = grid.post(f"/alerts/{alert.pk}/dismiss", {"reason": "误报"}, **headers)
    assert dismissed.status_code == 403 and dismissed.json()["code"] == "not_allowed"
    assert Alert.objects.get(pk=alert.pk).status == "open"
    again = leader.post("/alerts/flag", {"case_id": case.pk, "note": "再次关注"}, **headers)
    assert again.status_code == 409 and again.json()["code"] == "already_flagged"

    assert denied("supervision.raise") == 1
    assert denied("supervision.close") == 1
    assert denied("alert.dismiss") == 1
    assert denied("alert.flag") == 1


def test_the_pages_answer_the_same_statuses_with_the_same_message(client, town):
    case = case_in_state(town, State.REPORTED)
    client.force_login(town.user("grid_worker"))

    response = client.post(
        f"/cases/{case.pk}/act/accept/", {"accept-version": case.version}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    api = attempt(town, "grid_worker", case, "accept", None).json()
    assert api["message"] in response.content.decode()
    assert denied("case.accept") == 2
    case.refresh_from_db()
    assert case.state == State.REPORTED
