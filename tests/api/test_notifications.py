"""/api/v1/notifications and /api/v1/emergencies: one's own notifications and channel
choices, the emergencies one was told of and "I have it"; anyone else's is a 404."""

from __future__ import annotations

import pytest

from fengqiao.audit.models import AuditEvent
from fengqiao.emergency.models import EmergencyAcknowledgement
from fengqiao.notify.models import Notification, NotificationPreference
from tests.fixtures import ALERTS_NOW, Api, as_, assert_error, gas_leak, make_responders, tell

pytestmark = pytest.mark.django_db

NOW = ALERTS_NOW


def test_own_notifications_unread_first_with_the_unread_count(town):
    mediator = town.user("mediator")
    tell([mediator], "n:1", title="第一条")
    tell([mediator], "n:2", title="第二条")
    tell([town.user("leader")], "n:3", title="别人的")
    Notification.objects.filter(dedupe_key="n:2").update(read_at=NOW)

    body = as_(town, "mediator").get("/notifications").json()

    assert body["count"] == 2 and body["unread_count"] == 1
    assert [row["title"] for row in body["results"]] == ["第一条", "第二条"]
    only_unread = as_(town, "mediator").get("/notifications", {"unread_only": "true"}).json()
    assert [row["title"] for row in only_unread["results"]] == ["第一条"]


def test_marking_read_one_and_all(town):
    mediator = town.user("mediator")
    first, second = tell([mediator], "n:1")[0], tell([mediator], "n:2")[0]
    api = as_(town, "mediator")

    read = api.post(f"/notifications/{first.pk}/read").json()
    assert read["read_at"] is not None
    assert api.post(f"/notifications/{first.pk}/read").json()["read_at"] == read["read_at"]

    assert api.post("/notifications/read-all").json() == {"marked": 1, "unread_count": 0}
    second.refresh_from_db()
    assert second.read_at is not None


def test_another_persons_notification_is_a_404(town):
    theirs = tell([town.user("leader")], "n:1")[0]

    assert_error(as_(town, "mediator").post(f"/notifications/{theirs.pk}/read"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_are_read_and_written_all_or_nothing(town):
    api = as_(town, "mediator")
    assert {
        row["channel"]: row["enabled"] for row in api.get("/notifications/preferences").json()
    } == {
        "email": True,
        "sms": False,
    }

    saved = api.client.put(
        "/api/v1/notifications/preferences",
        {"preferences": [{"channel": "sms", "enabled": True, "address": "139 1234 5678"}]},
        content_type="application/json",
        **api.headers,
    )
    assert saved.status_code == 200, saved.content
    assert {row["channel"]: row["address"] for row in saved.json()}["sms"] == "13912345678"

    refused = api.client.put(
        "/api/v1/notifications/preferences",
        {
            "preferences": [
                {"channel": "email", "enabled": False},
                {"channel": "sms", "enabled": True, "address": "12"},
            ]
        },
        content_type="application/json",
        **api.headers,
    )
    assert_error(refused, 400, "mobile_required", "preferences.1.address")
    assert NotificationPreference.objects.get(user=town.user("mediator"), channel="sms").address
    assert not NotificationPreference.objects.filter(channel="email").exists()


# --------------------------------------------------------------------------- emergencies
def test_a_liaison_lists_and_acknowledges_an_emergency_once(town):
    responders = make_responders(town)
    case = gas_leak(town)
    api = Api(responders["firefighter"])

    listed = api.get("/emergencies").json()
    first = api.post(f"/emergencies/{case.pk}/acknowledge", {"note": "消防车已出发"})
    again = api.post(f"/emergencies/{case.pk}/acknowledge", {})

    assert listed["count"] == listed["unacknowledged"] == 1
    assert listed["results"][0]["number"] == case.number
    assert listed["results"][0]["agency"] == "枫桥消防救援站"
    assert first.status_code == again.status_code == 200
    assert first.json()["acknowledged_at"] == again.json()["acknowledged_at"] is not None
    assert api.get("/emergencies").json()["unacknowledged"] == 0


def test_acknowledging_an_emergency_one_was_not_told_of_is_a_404(town):
    make_responders(town)
    case = gas_leak(town)

    response = as_(town, "mediator").post(
        f"/emergencies/{case.pk}/acknowledge", {}, HTTP_IDEMPOTENCY_KEY="ack-1"
    )

    assert_error(response, 404, "not_found")
    assert not EmergencyAcknowledgement.objects.exclude(acknowledged_at=None).exists()
    assert AuditEvent.objects.filter(
        action="emergency.acknowledge", outcome="denied", target_id=str(case.pk)
    ).exists()
