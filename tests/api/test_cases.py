"""/api/v1/cases: registering one case or a batch, reading, the queue, acting, attaching;
scoped like the pages, with one error shape."""

from typing import Any

import pytest
from django.utils import translation

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseAttachment, State
from fengqiao.core import clock
from fengqiao.people.models import Person
from tests.fixtures import (
    PNG,
    Api,
    act,
    as_,
    assert_error,
    case_body,
    case_in_state,
    make_id_number,
    make_phone,
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
