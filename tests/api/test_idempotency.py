"""`Idempotency-Key`: a retried POST is done once and answered the same; a key reused for
another request is refused; a refusal is not remembered but stays on the audit record."""

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from fengqiao.api.models import IdempotencyRecord
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseEvent, State
from fengqiao.core import clock
from tests.fixtures import (
    as_,
    assert_error,
    bearer,
    build_town,
    case_body,
    case_in_state,
    new_case,
    property_team,
    shanghai,
)

pytestmark = pytest.mark.django_db


# Monday 29 September 2025, 10:00 in Shanghai: the National Day holidays (1–8 October)
# lie ahead, Saturday 11 October is an adjusted working day.
NOW = shanghai(2025, 9, 29, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# --------------------------------------------------------------------------- idempotency
def test_a_create_retried_with_one_key_makes_one_case_and_the_same_answer(town):
    api = as_(town, "intake_clerk")
    body = case_body(town)

    first = api.post("/cases", body, HTTP_IDEMPOTENCY_KEY="create-1")
    again = api.post("/cases", body, HTTP_IDEMPOTENCY_KEY="create-1")

    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_key_reused_for_another_request_is_refused(town):
    api = as_(town, "intake_clerk")
    api.post("/cases", case_body(town), HTTP_IDEMPOTENCY_KEY="k-2")
    case = Case.objects.get()

    assert_error(
        api.post("/cases", case_body(town, title="另一件事"), HTTP_IDEMPOTENCY_KEY="k-2"),
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert_error(
        api.post(f"/cases/{case.pk}/actions/accept", {"version": 1}, HTTP_IDEMPOTENCY_KEY="k-2"),
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.state == State.REPORTED


def test_an_action_retried_with_its_key_is_done_once(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    api = as_(town, "intake_clerk")

    first = api.post(f"/cases/{case.pk}/actions/accept", {"version": 1}, HTTP_IDEMPOTENCY_KEY="a")
    again = api.post(f"/cases/{case.pk}/actions/accept", {"version": 1}, HTTP_IDEMPOTENCY_KEY="a")

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_a_refusal_is_not_remembered_so_a_corrected_retry_is_a_new_request(town):
    api = as_(town, "intake_clerk")
    refused = api.post("/cases", case_body(town, category_id=999_999), HTTP_IDEMPOTENCY_KEY="r")

    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    again = api.post("/cases", case_body(town, category_id=999_999), HTTP_IDEMPOTENCY_KEY="r")
    assert again.status_code == 400


def test_keys_belong_to_their_user(town):
    body = case_body(town)
    as_(town, "intake_clerk").post("/cases", body, HTTP_IDEMPOTENCY_KEY="shared")
    other = as_(town, "leader").post("/cases", body, HTTP_IDEMPOTENCY_KEY="shared")

    assert other.status_code == 201
    assert Case.objects.count() == 2


def test_an_overlong_key_is_refused(town):
    assert_error(
        as_(town, "intake_clerk").post("/cases", case_body(town), HTTP_IDEMPOTENCY_KEY="k" * 101),
        400,
        "invalid",
        "Idempotency-Key",
    )


@pytest.mark.django_db(transaction=True)
def test_two_identical_creates_at_the_same_instant_make_one_case():
    town = build_town()
    headers = bearer(town.user("intake_clerk"))
    body = case_body(town)
    barrier = threading.Barrier(2)
    responses: list[Any] = [None, None]

    def send(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = Client().post(
                "/api/v1/cases",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="together",
                **headers,
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_a_refused_action_with_an_idempotency_key_stays_on_the_audit_record(town):

    case = case_in_state(town, "accepted")
    response = as_(town, "grid_worker").post(
        f"/cases/{case.pk}/actions/dispatch",
        {"version": case.version, "handler": {"team": property_team(town).pk}},
        HTTP_IDEMPOTENCY_KEY="refused-once",
    )
    assert response.status_code == 403
    refused = AuditEvent.objects.filter(action="case.dispatch", outcome="denied")
    assert list(refused.values_list("actor_username", flat=True)) == [
        town.user("grid_worker").username
    ]
