"""Who sees which supervision orders, and the figures per lead unit, within jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.test import Client

from fengqiao.audit.models import AuditEvent
from fengqiao.supervision import selectors, services
from tests.fixtures import MONDAY, Api, property_team, raise_order, shanghai

pytestmark = pytest.mark.usefixtures("jobs_immediate")

MINUTE = dt.timedelta(minutes=1)


# --------------------------------------------------------------------------- figures
def test_figures_per_lead_unit_match_a_hand_count(town, case):
    # given, for the property team: one reply on time, one late, one open past its
    # deadline, one withdrawn (not counted); for the court: one reply on time
    team_on_time = raise_order(town, case)
    team_late = raise_order(town, case)
    team_open = raise_order(town, case)
    withdrawn = raise_order(town, case)
    court = raise_order(town, case, target_agency=town.court.pk)
    mediator, liaison = town.user("mediator"), town.user("agency_liaison")
    services.supervision_reply(actor=mediator, order_id=team_on_time.pk, text="按时", now=MONDAY)
    services.supervision_reply(
        actor=mediator, order_id=team_late.pk, text="超时", now=team_late.reply_due_at + MINUTE
    )
    services.supervision_reply(actor=liaison, order_id=court.pk, text="按时", now=MONDAY)
    services.supervision_withdraw(actor=town.user("leader"), order_id=withdrawn.pk, reason="重复")
    now = team_open.reply_due_at + MINUTE

    # when the leader reads the figures of March
    figures = {
        row.key: row
        for row in selectors.order_figures(
            user=town.user("leader"),
            since=shanghai(2026, 3, 1),
            until=shanghai(2026, 4, 1),
            now=now,
        )
    }

    # then
    team = figures[f"team:{property_team(town).pk}"]
    assert (team.received, team.replied, team.replied_on_time, team.overdue) == (3, 2, 1, 1)
    assert team.on_time_rate == pytest.approx(1 / 3)
    agency = figures[f"agency:{town.court.pk}"]
    assert (agency.received, agency.replied, agency.replied_on_time, agency.overdue) == (1, 1, 1, 0)
    assert agency.on_time_rate == 1
    # a period before the orders counts nothing
    assert (
        selectors.order_figures(
            user=town.user("leader"), since=shanghai(2026, 1, 1), until=shanghai(2026, 2, 1)
        )
        == []
    )


def test_figures_are_scoped_by_jurisdiction(town, case, grid_worker_b):
    raise_order(town, case)

    assert selectors.order_figures(user=grid_worker_b) == []
    assert len(selectors.order_figures(user=town.user("grid_worker"))) == 1


# --------------------------------------------------------------------------- jurisdiction
def test_a_grid_worker_of_another_village_sees_nothing(town, case, grid_worker_b):
    order = raise_order(town, case)
    client = Client()
    client.force_login(grid_worker_b)

    assert not selectors.order_list_for_user(user=grid_worker_b).exists()
    assert client.get(f"/supervision/{order.pk}/").status_code == 404
    assert client.get(f"/supervision/{order.pk}/document/").status_code == 404
    assert client.post(f"/supervision/{order.pk}/reply/", {"text": "x"}).status_code == 404
    assert order.number not in client.get("/supervision/").content.decode()
    response = Api(grid_worker_b).get(f"/supervision/orders/{order.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    denied_before = AuditEvent.objects.filter(action="access.denied").count()
    posted = Api(grid_worker_b).post(
        f"/supervision/orders/{order.pk}/reply", {"text": "x"}, HTTP_IDEMPOTENCY_KEY="west-1"
    )
    assert posted.status_code == 404
    # the refusal is audited even inside the idempotency transaction
    assert AuditEvent.objects.filter(action="access.denied").count() == denied_before + 1
    assert AuditEvent.objects.filter(
        action="access.denied", actor=grid_worker_b, target_id=str(order.pk)
    ).exists()
    with pytest.raises(Http404):
        services.supervision_reply(actor=grid_worker_b, order_id=order.pk, text="x")


def test_the_grid_worker_of_the_case_and_the_targeted_liaison_see_the_order(town, case):
    order = raise_order(town, case, target_agency=town.court.pk)

    assert selectors.order_list_for_user(user=town.user("grid_worker")).filter(pk=order.pk)
    # the liaison sees the order addressed to the court, though not the case itself
    liaison = town.user("agency_liaison")
    assert selectors.order_list_for_user(user=liaison).filter(pk=order.pk).exists()
    client = Client()
    client.force_login(liaison)
    assert client.get(f"/supervision/{order.pk}/").status_code == 200
    assert client.get(f"/supervision/{order.pk}/document/").status_code == 404
