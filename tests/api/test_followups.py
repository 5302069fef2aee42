"""/api/v1/followups: the queue and a follow-up in scope, an attempt recorded once per
Idempotency-Key, bad input as one JSON error, the leader's decision on a finding."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import State
from fengqiao.core import clock
from fengqiao.followups.models import FollowUpAttempt
from tests.fixtures import Api, followups, resolved_case, shanghai

pytestmark = pytest.mark.django_db


# Monday 15 September 2025, 10:00 in Shanghai. Seven days on is Monday 22 September;
# thirty days on is Wednesday 15 October, after the National Day holidays (1–8 October).
NOW = shanghai(2025, 9, 15, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_the_api_lists_and_reads_follow_ups_in_scope(town, grid_worker_b):
    case = resolved_case(town)
    first = followups(case)[0]
    api = Api(town.user("grid_worker"), "en")

    listed = api.get("/followups", {"bucket": "upcoming"})
    read = api.get(f"/followups/{first.pk}")
    hidden = Api(grid_worker_b, "en").get(f"/followups/{first.pk}")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [f.pk for f in followups(case)]
    assert read.json()["case"]["number"] == case.number
    assert read.json()["due_on"] == "2025-09-22"
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"


def test_the_api_records_an_attempt_once_per_idempotency_key(town):
    case = resolved_case(town)
    first = followups(case)[0]
    api = Api(town.user("grid_worker"), "en")
    body = {"method": "phone", "reached": True, "satisfaction": "satisfied", "notes": "已修剪"}

    one = api.post(f"/followups/{first.pk}/attempts", body, HTTP_IDEMPOTENCY_KEY="k-1")
    two = api.post(f"/followups/{first.pk}/attempts", body, HTTP_IDEMPOTENCY_KEY="k-1")

    assert one.status_code == 200, one.content
    assert one.json()["status"] == "done"
    assert two.status_code == 200 and two["Idempotent-Replayed"] == "true"
    assert FollowUpAttempt.objects.filter(followup=first).count() == 1


def test_the_api_answers_bad_input_with_a_json_error(town):
    case = resolved_case(town)
    first = followups(case)[0]
    api = Api(town.user("grid_worker"), "en")

    bad = api.post(
        f"/followups/{first.pk}/attempts",
        {"method": "phone", "reached": True, "satisfaction": "happy"},
    )
    unknown_method = api.post(
        f"/followups/{first.pk}/attempts", {"method": "letter", "reached": False}
    )

    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("satisfaction", "satisfaction")
    assert unknown_method.status_code == 400 and unknown_method.json()["field"] == "method"
    assert not FollowUpAttempt.objects.exists()


def test_the_api_carries_out_a_finding_for_a_leader_only(town):
    case = resolved_case(town)
    first = followups(case)[0]
    Api(town.user("grid_worker"), "en").post(
        f"/followups/{first.pk}/attempts",
        {"method": "on_site", "reached": True, "satisfaction": "dissatisfied"},
    )

    refused = Api(town.user("grid_worker"), "en").post(f"/followups/{first.pk}/decision", {})
    decided = Api(town.user("leader"), "en").post(f"/followups/{first.pk}/decision", {})

    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert decided.status_code == 200, decided.content
    assert decided.json()["awaits_decision"] is False
    assert decided.json()["case"]["state"] == State.IN_PROGRESS
