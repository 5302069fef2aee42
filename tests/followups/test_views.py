"""The follow-up pages: the queue and a follow-up on the phone, recording an attempt, the
case page's list, the leader's one click that reopens."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.cases.models import State
from fengqiao.core import clock
from fengqiao.followups.models import FollowUpAttempt
from tests.fixtures import followups, resolved_case, satisfied, shanghai

pytestmark = pytest.mark.django_db


# Monday 15 September 2025, 10:00 in Shanghai. Seven days on is Monday 22 September;
# thirty days on is Wednesday 15 October, after the National Day holidays (1–8 October).
NOW = shanghai(2025, 9, 15, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ pages
def test_a_grid_worker_records_an_unreachable_call_on_the_phone_page(client, town):
    case = resolved_case(town)
    first = followups(case)[0]
    client.force_login(town.user("grid_worker"))

    queue = client.get("/followups/?bucket=upcoming")
    page = client.get(f"/followups/{first.pk}/")
    posted = client.post(
        f"/followups/{first.pk}/record/",
        {"method": "phone", "reached": "no", "notes": "关机", "on_failure": "reopen"},
    )

    assert queue.status_code == 200 and case.number in queue.content.decode()
    assert page.status_code == 200 and 'name="satisfaction"' in page.content.decode()
    assert posted.status_code == 302
    first.refresh_from_db()
    assert (first.attempts, first.due_on) == (1, dt.date(2025, 9, 16))


def test_a_bad_record_form_is_shown_again_and_saves_nothing(client, town):
    case = resolved_case(town)
    first = followups(case)[0]
    client.force_login(town.user("grid_worker"))

    response = client.post(
        f"/followups/{first.pk}/record/",
        {"method": "phone", "reached": "yes", "on_failure": "reopen"},
    )

    assert response.status_code == 400
    assert not FollowUpAttempt.objects.exists()


def test_the_case_page_lists_its_follow_ups(client, town):
    case = resolved_case(town)
    client.force_login(town.user("leader"))

    body = client.get(f"/cases/{case.pk}/").content.decode()

    assert 'id="followups"' in body
    assert f"/followups/{followups(case)[0].pk}/" in body


def test_a_follow_up_out_of_scope_is_not_found_on_the_page(client, town, grid_worker_b):
    case = resolved_case(town)
    client.force_login(grid_worker_b)

    assert client.get(f"/followups/{followups(case)[0].pk}/").status_code == 404


def test_a_leader_reopens_from_the_follow_up_page_in_one_click(client, town):
    case = resolved_case(town)
    first = followups(case)[0]
    satisfied(town.user("grid_worker"), first, satisfaction="dissatisfied")
    client.force_login(town.user("grid_worker"))
    assert b"/decide/" not in client.get(f"/followups/{first.pk}/").content
    refused = client.post(f"/followups/{first.pk}/decide/")
    client.force_login(town.user("leader"))

    page = client.get(f"/followups/{first.pk}/")
    response = client.post(f"/followups/{first.pk}/decide/")

    assert refused.status_code == 400
    assert b"/decide/" in page.content
    assert "待领导决定" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
