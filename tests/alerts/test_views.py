"""The alert pages: the board, an alert with its actions, the leader's flag; scoped like the
alerts themselves."""

from __future__ import annotations

import pytest
from django.http import Http404

from fengqiao.alerts.models import Alert, Status
from fengqiao.alerts.selectors import alert_list_for_user
from fengqiao.alerts.services import alert_act, alerts_run_all
from tests.fixtures import ALERTS_NOW, alerts_of, register

NOW = ALERTS_NOW


def test_the_flag_page_refuses_a_non_leader(client, town):
    case = register(town, town.unit_a1)
    client.force_login(town.user("dispatcher"))

    response = client.post("/alerts/flag/", {"case": case.pk, "note": "关注"})

    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_the_page_refuses_a_dismissal_without_a_reason(client, town, alert):
    client.force_login(town.user("leader"))

    response = client.post(f"/alerts/{alert.pk}/act/dismiss/", {"note": ""})

    assert response.status_code == 400
    assert "请填写排除该预警的原因" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_the_page_acknowledges_and_returns_to_the_board(client, town, alert):
    client.force_login(town.user("grid_worker"))

    response = client.post(f"/alerts/{alert.pk}/act/acknowledge/", {"next": "/alerts/"})

    assert response.status_code == 302
    assert response["Location"] == "/alerts/"
    alert.refresh_from_db()
    assert alert.status == Status.ACKNOWLEDGED


# --------------------------------------------------------------------------- scoping
def test_a_grid_worker_of_another_village_sees_nothing_of_it(client, town, alert, grid_worker_b):
    outsider = grid_worker_b

    assert alert not in alert_list_for_user(user=outsider)
    with pytest.raises(Http404):
        alert_act(actor=outsider, alert_id=alert.pk, action="acknowledge")
    client.force_login(outsider)
    assert alert.title not in client.get("/alerts/").content.decode()
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/alerts/{alert.pk}/act/acknowledge/").status_code == 404
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_the_village_sees_its_alert_and_administrators_see_none(client, town, alert):
    for role in ("leader", "dispatcher", "intake_clerk", "village_cadre", "grid_worker"):
        assert alert in alert_list_for_user(user=town.user(role)), role
    for role in ("system_admin", "security_admin", "audit_admin", "mediator", "agency_liaison"):
        assert not alert_list_for_user(user=town.user(role)).exists(), role
    client.force_login(town.user("system_admin"))
    assert client.get("/alerts/").status_code == 403


# --------------------------------------------------------------------------- board
def test_the_board_lists_open_alerts_most_severe_first(client, town):
    register(town, town.unit_a1, people_involved=6, title="六户噪音")
    critical = register(town, town.unit_a2, people_involved=40, title="四十人讨薪")
    alerts_run_all(now=NOW)
    client.force_login(town.user("leader"))

    response = client.get("/alerts/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("四十人讨薪") < body.index("六户噪音")
    assert f'href="/cases/{critical.pk}/"' in body
    assert "/act/acknowledge/" in body and "/act/dismiss/" in body
    assert 'name="viewport"' in body


def test_the_board_filters_by_rule_severity_and_status(client, town):
    register(town, town.unit_a1, people_involved=6, title="六户噪音")
    register(town, town.unit_a2, title="讨薪", account="工人说要去北京上访")
    alerts_run_all(now=NOW)
    client.force_login(town.user("leader"))

    by_rule = client.get("/alerts/", {"rule": "risk_words"}).content.decode()
    assert "讨薪" in by_rule and "六户噪音" not in by_rule

    by_severity = client.get("/alerts/", {"severity": "medium"}).content.decode()
    assert "六户噪音" in by_severity and "讨薪" not in by_severity

    noise = alerts_of("many_people").get()
    alert_act(actor=town.user("leader"), alert_id=noise.pk, action="dismiss", note="误报")
    assert "六户噪音" not in client.get("/alerts/").content.decode()
    assert "六户噪音" in client.get("/alerts/", {"status": "dismissed"}).content.decode()


def test_the_detail_page_shows_the_alert_and_its_actions(client, town, alert):
    client.force_login(town.user("village_cadre"))

    response = client.get(f"/alerts/{alert.pk}/")

    assert response.status_code == 200
    assert alert.title in response.content.decode()
