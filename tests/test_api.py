"""The JSON API at /api/v1: tokens, one error shape, scoping, actions, idempotency."""

import datetime as dt
import hashlib
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import translation

from fengqiao.api.models import ApiToken, IdempotencyRecord
from fengqiao.api.services import api_purge, api_token_issue
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseAttachment, CaseCategory, CaseEvent, State
from fengqiao.core import clock
from fengqiao.people.models import Person
from tests.cases_helpers import PNG, act, case_in_state, new_case, property_team, shanghai
from tests.conftest import build_town
from tests.factories import UserFactory, make_id_number, make_phone

pytestmark = pytest.mark.django_db

PASSWORD = "Test-pass-2026"
# Monday 29 September 2025, 10:00 in Shanghai: the National Day holidays (1–8 October)
# lie ahead, Saturday 11 October is an adjusted working day.
NOW = shanghai(2025, 9, 29, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user).key}"}


class Api:
    """A client signed in as one user, speaking JSON."""

    def __init__(self, user: Any, language: str = "zh-hans") -> None:
        self.client = Client()
        self.headers = {**bearer(user), "HTTP_ACCEPT_LANGUAGE": language}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, **self.headers, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.headers, **headers
        )


def as_(town: Any, role: str, language: str = "zh-hans") -> Api:
    return Api(town.user(role), language)


def case_body(town: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "dispute",
        "grade": "general",
        "category_id": CaseCategory.objects.get(code="property").pk,
        "channel": "walk_in",
        "title": "杨柳树遮挡采光",
        "account": "楼栋周边杨树、柳树多年未修剪，枝叶遮挡窗户与阳台。",
        "area_id": town.unit_a1.pk,
        "parties": [
            {
                "role": "applicant",
                "new_person": {"name": "田秀兰", "id_number": make_id_number()},
            }
        ],
    }
    body.update(overrides)
    return body


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    assert body["field"] == field, body
    return body


@pytest.fixture
def grid_worker_b(town: Any) -> Any:
    """A grid worker from the other village, who must see nothing of village A."""
    return UserFactory(username="t_grid_b", roles=["grid_worker"], home_area=town.grid_b1)


# --------------------------------------------------------------------------- tokens
def test_a_password_buys_a_token_stored_only_as_its_hash(client, town):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "t_leader", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=town.user("leader"))
    assert token.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    assert body["expires_at"] == "2025-10-29T10:00:00+08:00"
    assert AuditEvent.objects.filter(action="api.token_issue", actor=town.user("leader")).exists()
    listed = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert listed.status_code == 200


def test_a_wrong_password_is_a_401_in_json_and_audited(client, town):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "t_leader", "password": "wrong"},
        content_type="application/json",
    )

    assert_error(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_username="t_leader").exists()


def test_repeated_failures_lock_the_username_with_a_429_in_json(client, town):
    def attempt(password: str) -> Any:
        return client.post(
            "/api/v1/auth/token",
            {"username": "t_leader", "password": password},
            content_type="application/json",
        )

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("wrong").status_code == 401
    assert_error(attempt("wrong"), 429, "locked_out")
    # Even the right password is refused while the lock lasts.
    assert_error(attempt(PASSWORD), 429, "locked_out")
    assert not ApiToken.objects.exists()


def test_without_a_token_a_data_endpoint_answers_401_json_not_a_login_redirect(client, town):
    assert_error(client.get("/api/v1/cases"), 401, "unauthorized")
    assert_error(
        client.get("/api/v1/categories", HTTP_AUTHORIZATION="Bearer nonsense"), 401, "invalid_token"
    )


def test_an_expired_token_or_a_disabled_account_is_refused(client, town):
    leader = town.user("leader")
    expired = api_token_issue(user=leader, now=NOW - dt.timedelta(days=31))
    assert_error(
        client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {expired.key}"),
        401,
        "token_expired",
    )
    clerk = town.user("intake_clerk")
    headers = bearer(clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/cases", **headers), 401, "invalid_token")


def test_a_revoked_token_no_longer_works(town):
    api = as_(town, "leader")
    assert api.client.delete("/api/v1/auth/token", **api.headers).status_code == 204
    assert_error(api.get("/cases"), 401, "invalid_token")


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


# --------------------------------------------------------------------------- create
def test_registering_a_case_answers_201_with_the_case(town):
    response = as_(town, "intake_clerk").post("/cases", case_body(town))

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk
    assert body["number"] == "FQ-2025-000001"
    assert (body["state"], body["version"]) == ("reported", 1)
    assert body["state_label"] == "待受理"
    assert body["deadline"]["due_at"] == "2025-10-10T23:59:59+08:00"
    assert body["deadline"]["working_days_left"] == 3
    assert [party["name"] for party in body["parties"]] == ["田秀兰"]
    assert "accept" in {action["action"] for action in body["actions"]}


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"category_id": 999_999}, 400, "category", "category_id"),
        ({"area_id": "village_b"}, 400, "area", "area_id"),
        ({"parties": []}, 400, "applicant", "parties"),
        ({"received_at": "2025-09-30T10:00:00+08:00"}, 400, "received_in_future", "received_at"),
        ({"received_at": "yesterday at ten"}, 400, "invalid", "received_at"),
        ({"received_at": "2025-09-29T09:00:00"}, 400, "invalid", "received_at"),
        ({"received_at": 1759111200}, 400, "invalid", "received_at"),
        ({"kind": "rumour"}, 400, "invalid", "kind"),
        ({"parties": [{"role": "applicant"}]}, 400, "invalid", "parties.0"),
        ({"surprise": 1}, 400, "invalid", "surprise"),
        ({"title": "杨柳\x00树"}, 400, "invalid", "title"),
        ({"latitude": 91}, 400, "invalid", "latitude"),
    ],
)
def test_a_bad_registration_is_a_400_and_saves_nothing(town, change, status, code, field):
    # A grid worker of village A: village B is outside their area.
    if change.get("area_id") == "village_b":
        change = {**change, "area_id": town.unit_b1.pk}
    people_before = Person.objects.count()

    response = as_(town, "grid_worker").post("/cases", case_body(town, **change))

    assert_error(response, status, code, field)
    assert not Case.objects.exists()
    assert Person.objects.count() == people_before


def test_a_batch_of_work_orders_is_registered_at_once(town):
    items = [case_body(town, title=f"路灯不亮 {n}") for n in range(3)]

    response = as_(town, "intake_clerk").post("/cases/batch", {"items": items})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 3
    assert [case["number"] for case in body["results"]] == [f"FQ-2025-{n:06d}" for n in (1, 2, 3)]
    assert Case.objects.count() == 3


def test_a_batch_resent_with_its_idempotency_key_is_registered_once(town):
    api = as_(town, "intake_clerk")
    items = {"items": [case_body(town), case_body(town)]}

    first = api.post("/cases/batch", items, HTTP_IDEMPOTENCY_KEY="12345-2025-09-30")
    again = api.post("/cases/batch", items, HTTP_IDEMPOTENCY_KEY="12345-2025-09-30")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Case.objects.count() == 2


def test_one_bad_order_refuses_the_batch_and_names_the_item(town):
    items = [case_body(town), case_body(town, area_id=town.unit_b1.pk)]

    response = as_(town, "grid_worker").post("/cases/batch", {"items": items})

    assert_error(response, 400, "area", "items.1.area_id")
    assert not Case.objects.exists()


def test_an_empty_batch_is_a_400(town):
    assert_error(
        as_(town, "intake_clerk").post("/cases/batch", {"items": []}), 400, "invalid", "items"
    )


def test_coordinates_are_kept_to_six_decimals(town):
    body = case_body(town, latitude="29.123456789", longitude=120.5)

    response = as_(town, "intake_clerk").post("/cases", body)

    assert response.status_code == 201, response.content
    assert (response.json()["latitude"], response.json()["longitude"]) == (
        "29.123457",
        "120.500000",
    )


def test_an_invalid_id_number_of_a_new_party_names_its_field(town):
    body = case_body(
        town, parties=[{"role": "applicant", "new_person": {"name": "甲", "id_number": "123"}}]
    )
    assert_error(
        as_(town, "intake_clerk").post("/cases", body),
        400,
        "party_invalid",
        "parties.0.new_person.id_number",
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Choose an area from the list; this one is not in your area."),
        ("zh-hans", "请从列表中选择区域；该区域不在您的辖区内。"),
    ],
)
def test_error_messages_follow_accept_language(town, language, message):
    api = as_(town, "grid_worker", language)
    response = api.post("/cases", case_body(town, area_id=town.unit_b1.pk))

    assert assert_error(response, 400, "area", "area_id")["message"] == message


# --------------------------------------------------------------------------- read
def test_the_detail_shows_parties_masked_never_in_clear(town):
    id_number, phone = make_id_number(), make_phone()
    body = case_body(
        town,
        parties=[
            {
                "role": "applicant",
                "new_person": {"name": "田秀兰", "id_number": id_number, "phone": phone},
            }
        ],
    )
    case_id = as_(town, "intake_clerk").post("/cases", body).json()["id"]

    response = as_(town, "leader").get(f"/cases/{case_id}")

    assert response.status_code == 200
    content = response.content.decode()
    assert id_number not in content and phone not in content
    assert id_number[-4:] in content
    party = response.json()["parties"][0]
    assert party["id_number_masked"] == f"{id_number[:4]}{'*' * 10}{id_number[-4:]}"
    assert party["phone_masked"] == f"{phone[:3]}****{phone[-4:]}"


def test_the_timeline_lists_each_step_with_its_actor_and_labels(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    act(town.user("intake_clerk"), case, "accept")

    entries = as_(town, "leader", "en").get(f"/cases/{case.pk}/timeline").json()

    assert [(e["sequence"], e["action"], e["to_state"]) for e in entries] == [
        (1, "report", "reported"),
        (2, "accept", "accepted"),
    ]
    assert entries[1]["action_label"] == "Accept"
    assert entries[1]["from_state_label"] == "Reported"
    assert entries[1]["actor"]["id"] == town.user("intake_clerk").pk
    assert entries[1]["at"] == "2025-09-29T10:00:00+08:00"


def test_a_grid_worker_from_another_village_sees_nothing_of_village_a(town, grid_worker_b):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    api = Api(grid_worker_b)

    assert_error(api.get(f"/cases/{case.pk}"), 404, "not_found")
    assert_error(api.get(f"/cases/{case.pk}/timeline"), 404, "not_found")
    assert_error(api.post(f"/cases/{case.pk}/actions/attach", {"version": 1}), 404, "not_found")
    assert_error(api.post(f"/cases/{case.pk}/actions/no_such", {"version": 1}), 404, "not_found")
    assert api.get("/cases").json()["count"] == 0
    assert api.get("/cases", {"q": case.number}).json()["results"] == []
    # The refusals are audited; nothing changed.
    assert (
        AuditEvent.objects.filter(
            action="access.denied", actor=grid_worker_b, target_id=str(case.pk)
        ).count()
        == 4
    )
    case.refresh_from_db()
    assert case.version == 1


def test_a_missing_case_is_the_same_404(town):
    assert_error(as_(town, "leader").get("/cases/987654"), 404, "not_found")


# --------------------------------------------------------------------------- list
def test_the_queue_filters_by_state_overdue_and_due_within(town):
    clerk = town.user("intake_clerk")
    emergency = new_case(clerk, town.unit_a1, kind="emergency", title="急")  # due 29 Sep
    consultation = new_case(clerk, town.unit_a1, kind="consultation", title="询")  # 30 Sep
    dispute = new_case(clerk, town.unit_a1, title="纠")  # due 10 Oct
    late = new_case(
        clerk,
        town.unit_a1,
        title="迟",
        received_at=shanghai(2025, 9, 15, 10),
        backdate_reason="补录",
    )  # due 18 Sep: overdue
    act(clerk, dispute, "accept")
    api = as_(town, "leader")

    def numbers(**params: Any) -> list[str]:
        response = api.get("/cases", params)
        assert response.status_code == 200, response.content
        return [row["number"] for row in response.json()["results"]]

    # Nearest deadline first.
    assert numbers() == [late.number, emergency.number, consultation.number, dispute.number]
    assert numbers(state="accepted") == [dispute.number]
    assert numbers(state=["accepted", "reported"]) == numbers()
    assert numbers(overdue="true") == [late.number]
    assert numbers(due_within=0) == [late.number, emergency.number]
    assert numbers(due_within=1) == [late.number, emergency.number, consultation.number]
    # The 3rd working day after 29 September is 10 October (1–8 October are holidays).
    assert numbers(due_within=2) == numbers(due_within=1)
    assert dispute.number in numbers(due_within=3)
    assert numbers(kind="consultation") == [consultation.number]
    assert numbers(q="询") == [consultation.number]
    row = api.get("/cases", {"overdue": "true"}).json()["results"][0]
    assert row["overdue"] is True
    assert row["due_at"] == "2025-09-18T23:59:59+08:00"


def test_the_queue_scopes_mine_and_team(town):
    clerk, dispatcher = town.user("intake_clerk"), town.user("dispatcher")
    team = property_team(town)
    to_team = new_case(clerk, town.unit_a1, title="交调解队")
    act(clerk, to_team, "accept")
    act(dispatcher, to_team, "dispatch", handler={"team": team.pk})
    to_mediator = new_case(clerk, town.unit_a1, title="交调解员")
    act(clerk, to_mediator, "accept")
    act(dispatcher, to_mediator, "dispatch", handler={"user": town.user("mediator").pk})
    new_case(clerk, town.unit_a1, title="未分派")
    api = as_(town, "mediator")

    def numbers(scope: str) -> list[str]:
        return [row["number"] for row in api.get("/cases", {"scope": scope}).json()["results"]]

    assert numbers("mine") == [to_mediator.number]
    assert numbers("team") == [to_team.number]
    # A mediator sees what is assigned to them or their team, not the area's cases.
    assert sorted(numbers("area")) == sorted([to_team.number, to_mediator.number])


def test_the_queue_is_paginated(town):
    clerk = town.user("intake_clerk")
    made = [new_case(clerk, town.unit_a1, title=f"第{i}件") for i in range(5)]
    api = as_(town, "leader")

    first = api.get("/cases", {"page_size": 2}).json()
    last = api.get("/cases", {"page_size": 2, "page": 3}).json()

    assert (first["count"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [row["id"] for row in first["results"]] == [made[0].pk, made[1].pk]
    assert [row["id"] for row in last["results"]] == [made[4].pk]
    assert api.get("/cases", {"page": 4, "page_size": 2}).json()["results"] == []
    assert_error(api.get("/cases", {"page_size": 101}), 400, "invalid", "page_size")


def test_an_area_filter_outside_the_jurisdiction_is_refused(town):
    assert_error(
        as_(town, "grid_worker").get("/cases", {"area_id": town.village_b.pk}),
        400,
        "area",
        "area_id",
    )


# --------------------------------------------------------------------------- actions
def test_an_action_succeeds_and_answers_the_new_state(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)

    response = as_(town, "intake_clerk").post(f"/cases/{case.pk}/actions/accept", {"version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["version"]) == ("accepted", 2)
    # The clerk may merge it now, but dispatching is for the dispatcher.
    offered = {action["action"] for action in body["actions"]}
    assert "merge" in offered and "dispatch" not in offered
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_an_action_with_inputs_passes_them_to_the_engine(town):
    case = case_in_state(town, State.ACCEPTED)
    team = property_team(town)

    response = as_(town, "dispatcher").post(
        f"/cases/{case.pk}/actions/dispatch",
        {"version": case.version, "handler": {"team": team.pk}},
    )

    assert response.status_code == 200, response.content
    assert response.json()["handler"]["team"] == {"id": team.pk, "name": team.name}


def test_a_stale_version_is_a_409_naming_who_changed_the_case(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    act(town.user("intake_clerk"), case, "accept")

    response = as_(town, "dispatcher", "en").post(
        f"/cases/{case.pk}/actions/reject", {"version": 1, "reason": "重复"}
    )

    body = assert_error(response, 409, "stale_version")
    assert body["current_version"] == 2
    assert body["changed_by"] == str(town.user("intake_clerk"))
    assert body["changed_at"] == "2025-09-29T10:00:00+08:00"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_a_refused_action_is_a_403_and_bad_input_a_400_with_the_reason(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)

    body = assert_error(
        as_(town, "grid_worker", "en").post(f"/cases/{case.pk}/actions/accept", {"version": 1}),
        403,
        "not_allowed",
    )
    assert "Accept" in body["message"]
    assert_error(
        as_(town, "intake_clerk").post(f"/cases/{case.pk}/actions/reject", {"version": 1}),
        400,
        "missing_reason",
        "reason",
    )
    case.refresh_from_db()
    assert (case.state, case.version) == (State.REPORTED, 1)


def test_an_unknown_action_is_a_404(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    assert_error(
        as_(town, "leader").post(f"/cases/{case.pk}/actions/teleport", {"version": 1}),
        404,
        "unknown_action",
    )


def test_an_action_that_takes_the_case_out_of_view_answers_only_its_new_state(town):
    case = case_in_state(town, State.DISPATCHED)  # to the property team of the mediator

    response = as_(town, "mediator").post(
        f"/cases/{case.pk}/actions/return", {"version": case.version, "reason": "不属于本队"}
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": case.pk,
        "number": case.number,
        "state": "accepted",
        "state_label": _in_chinese(State.ACCEPTED.label),
        "version": case.version + 1,
        "visible": False,
    }


def _in_chinese(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_attachments_are_added_as_multipart(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    api = as_(town, "intake_clerk")

    response = api.client.post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"version": "1", "files": [_upload("现场.png", PNG)]},
        **api.headers,
    )

    assert response.status_code == 200, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["现场.png"]
    refused = api.client.post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"version": "2", "files": [_upload("病毒.exe", b"MZ\x90\x00")]},
        **api.headers,
    )
    assert_error(refused, 400, "file_type", "files")
    assert CaseAttachment.objects.count() == 1


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


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


def test_the_purge_drops_expired_tokens_and_old_idempotency_records(town):
    api_token_issue(user=town.user("leader"), now=NOW - dt.timedelta(days=31))
    current = api_token_issue(user=town.user("intake_clerk"))
    as_(town, "intake_clerk").post("/cases", case_body(town), HTTP_IDEMPOTENCY_KEY="old")

    assert api_purge(now=NOW + dt.timedelta(hours=25)) == {
        "tokens": 1,
        "idempotency_records": 1,
    }
    assert ApiToken.objects.filter(pk=current.token.pk).exists()
    assert ApiToken.objects.count() == 2  # the clerk's: one above, one for the request
    assert not IdempotencyRecord.objects.exists()


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


# --------------------------------------------------------------------------- calendar
@pytest.mark.parametrize(
    ("start", "days", "due_at", "provisional"),
    [
        # National Day 2025: 1–8 October off, Saturday 11 October worked.
        ("2025-09-30T10:00:00+08:00", 3, "2025-10-11T23:59:59+08:00", False),
        # 16:30 UTC on 10 October is 00:30 on Saturday 11 October in Shanghai: the day of
        # receipt is the 11th, so the next working day is Monday the 13th.
        ("2025-10-10T16:30:00Z", 1, "2025-10-13T23:59:59+08:00", False),
        ("2025-10-10T15:30:00Z", 1, "2025-10-11T23:59:59+08:00", False),
        # A year the calendar does not know yet: Monday to Friday, marked provisional.
        ("2031-03-03T09:00:00+08:00", 2, "2031-03-05T23:59:59+08:00", True),
        # An unescaped "+" in a query string arrives as a space.
        ("2025-09-30T10:00:00 08:00", 3, "2025-10-11T23:59:59+08:00", False),
    ],
)
def test_calendar_due(town, start, days, due_at, provisional):
    response = as_(town, "leader").get("/calendar/due", {"start": start, "working_days": days})

    assert response.status_code == 200, response.content
    assert response.json() == {"due_at": due_at, "provisional": provisional}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "30/09/2025 10:00", "working_days": 3}, "start"),
        ({"start": "2025-09-30T10:00:00", "working_days": 3}, "start"),
        ({"start": "2025-09-30", "working_days": 3}, "start"),
        ({"start": "2025-09-30T10:00:00+08:00", "working_days": -1}, "working_days"),
        ({"start": "2025-09-30T10:00:00+08:00", "working_days": 100_000}, "working_days"),
        ({"working_days": 3}, "start"),
    ],
)
def test_calendar_due_refuses_bad_input(town, params, field):
    assert_error(as_(town, "leader").get("/calendar/due", params), 400, "invalid", field)


# --------------------------------------------------------------------------- reference
def test_reference_lists(town):
    property_team(town)
    api = as_(town, "grid_worker")

    categories = api.get("/categories").json()
    areas = api.get("/areas").json()

    assert "property" in {c["code"] for c in categories}
    assert {a["name"] for a in areas} == {"东村一网格", "东村1组"}
    assert [a["name"] for a in api.get("/areas", {"q": "1组"}).json()] == ["东村1组"]
    assert [a["name"] for a in api.get("/areas", {"parent_id": town.grid_a1.pk}).json()] == [
        "东村1组"
    ]
    assert api.get("/areas", {"parent_id": town.village_b.pk}).json() == []
    assert [t["name"] for t in api.get("/teams").json()] == ["物业纠纷调解队"]
    assert [a["name"] for a in api.get("/agencies").json()] == ["枫桥人民法庭"]


def test_inactive_categories_are_not_offered(town):
    CaseCategory.objects.filter(code="other").update(is_active=False)
    codes = {c["code"] for c in as_(town, "leader").get("/categories").json()}
    assert "other" not in codes and "property" in codes


def test_a_refused_action_with_an_idempotency_key_stays_on_the_audit_record(town):
    from fengqiao.audit.models import AuditEvent
    from tests.cases_helpers import case_in_state, property_team

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
