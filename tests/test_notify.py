"""Notifications: once per person and condition, sent only after commit, each person's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.notify.checks import check_channels
from fengqiao.notify.models import Delivery, DeliveryStatus, Kind, Notification
from fengqiao.notify.services import (
    DELIVERY_LEASE,
    deliveries_send,
    notification_mark_read,
    notification_preference_set,
    notify,
)
from fengqiao.notify.sms import LogSmsBackend


@pytest.fixture(autouse=True)
def jobs_immediate():
    """Jobs run in-process at once, on huey's in-memory queue."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


@pytest.fixture
def mediator(town):
    user = town.user("mediator")
    user.email = "mediator@fengqiao.example"
    user.save(update_fields=["email"])
    return user


def tell(recipients, key="system:test:1", **overrides):
    fields = {
        "recipients": recipients,
        "kind": Kind.SYSTEM,
        "title": "日历需要更新",
        "body": "请录入明年的节假日安排。",
        "link": "/",
        "dedupe_key": key,
    }
    fields.update(overrides)
    return notify(**fields)


def test_the_same_condition_reaches_a_person_once(town, mediator):
    # given a notification already sent
    first = tell([mediator, town.user("leader")])

    # when the same condition is noticed again, for one more person
    again = tell([mediator, town.user("leader"), town.user("dispatcher")])

    # then only the new person is told
    assert len(first) == 2
    assert [row.recipient for row in again] == [town.user("dispatcher")]
    assert Notification.objects.filter(dedupe_key="system:test:1").count() == 3


def test_email_is_sent_after_the_transaction_commits(mediator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([mediator])
        assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mediator@fengqiao.example"]
    assert mail.outbox[0].subject == "日历需要更新"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_rolled_back_transaction_sends_nothing(mediator, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell([mediator])
        raise RuntimeError("the transition failed")

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_preferences_choose_the_outbound_channels(
    mediator, town, django_capture_on_commit_callbacks
):
    # given the mediator wants text messages instead of e-mail
    LogSmsBackend.sent.clear()
    notification_preference_set(actor=mediator, channel="email", enabled=False)
    notification_preference_set(
        actor=mediator, channel="sms", enabled=True, address="+86 139 1234 5678"
    )

    with django_capture_on_commit_callbacks(execute=True):
        tell([mediator, town.user("leader")])

    # then a text message goes out, no e-mail; the leader (no address) gets the inbox only
    assert mail.outbox == []
    assert LogSmsBackend.sent == [("13912345678", "日历需要更新 /")]
    assert Notification.objects.filter(recipient=town.user("leader")).count() == 1
    assert list(Delivery.objects.values_list("channel", "status")) == [("sms", DeliveryStatus.SENT)]


def test_text_messages_need_a_mobile_number(mediator):
    with pytest.raises(DomainError) as refused:
        notification_preference_set(actor=mediator, channel="sms", enabled=True, address="12")
    assert refused.value.code == "mobile_required"
    assert not mediator.notification_preferences.exists()


def test_a_delivery_left_by_a_dead_worker_is_sent_after_its_lease(
    mediator, django_capture_on_commit_callbacks
):
    # given a worker claimed the e-mail and died before sending it
    with django_capture_on_commit_callbacks(execute=False):
        tell([mediator])
    now = clock.now()
    Delivery.objects.update(leased_until=now + DELIVERY_LEASE, attempts=1)

    # then nobody sends it while the lease holds, and the retry job sends it afterwards
    assert deliveries_send(now=now) == 0
    assert deliveries_send(now=now + DELIVERY_LEASE + dt.timedelta(seconds=1)) == 1
    assert deliveries_send(now=now + 2 * DELIVERY_LEASE) == 0
    assert len(mail.outbox) == 1


class FlakyGateway(LogSmsBackend):
    """Times out on the first message, then works."""

    calls: list[str] = []

    def send(self, phone: str, text: str) -> None:
        FlakyGateway.calls.append(phone)
        if len(FlakyGateway.calls) == 1:
            raise ConnectionError("gateway timeout")


@override_settings(FENGQIAO_SMS_BACKEND=f"{__name__}.FlakyGateway")
def test_a_failed_sms_is_retried_with_a_back_off(mediator, django_capture_on_commit_callbacks):
    FlakyGateway.calls = []
    notification_preference_set(actor=mediator, channel="email", enabled=False)
    notification_preference_set(actor=mediator, channel="sms", enabled=True, address="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        tell([mediator])

    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "gateway timeout")
    assert deliveries_send(now=delivery.leased_until - dt.timedelta(seconds=1)) == 0
    assert deliveries_send(now=delivery.leased_until + dt.timedelta(seconds=1)) == 1
    assert Delivery.objects.get(channel="sms").status == DeliveryStatus.SENT
    assert len(FlakyGateway.calls) == 2


@override_settings(FENGQIAO_NOTIFICATION_CHANNELS=["inapp", "email", "pigeon"])
def test_an_unknown_channel_in_settings_is_a_startup_error():
    errors = check_channels()

    assert [error.id for error in errors] == ["notify.E001"]
    assert "pigeon" in errors[0].msg


def test_the_channel_check_is_registered():
    from django.core.checks import registry

    assert check_channels in registry.registry.get_checks()


def test_marking_read_touches_only_ones_own(town, mediator):
    mine = tell([mediator])[0]
    theirs = tell([town.user("leader")], key="system:test:2")[0]

    changed = notification_mark_read(user=mediator, ids=[mine.pk, theirs.pk])

    assert changed == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_shows_only_ones_own_unread_first(client, town, mediator):
    old = tell([mediator], key="k:old", title="已读的旧消息")[0]
    notification_mark_read(user=mediator, ids=[old.pk])
    tell([mediator], key="k:new", title="未读的新消息")
    tell([town.user("leader")], key="k:leader", title="领导的消息")
    client.force_login(mediator)

    page = client.get(reverse("notification_inbox")).content.decode()

    assert page.index("未读的新消息") < page.index("已读的旧消息")
    assert "领导的消息" not in page
    assert 'id="inbox-link"' in page and '<span class="tag">1</span>' in page


def test_another_persons_notification_is_not_found(client, town, mediator):
    theirs = tell([town.user("leader")])[0]
    client.force_login(mediator)

    response = client.post(reverse("notification_mark_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_by_htmx_returns_the_item_and_updates_the_badge(client, mediator):
    mine = tell([mediator])[0]
    client.force_login(mediator)

    response = client.post(
        reverse("notification_mark_read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    badge = client.get(reverse("notification_badge")).content.decode()

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{mine.pk}"' in response.content.decode()
    assert '<span class="tag">' not in badge


def test_mark_all_read(client, mediator):
    tell([mediator], key="k:1")
    tell([mediator], key="k:2")
    client.force_login(mediator)

    response = client.post(reverse("notification_mark_all_read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=mediator, read_at__isnull=True).exists()


def test_open_marks_read_and_follows_only_local_links(client, mediator):
    local = tell([mediator], key="k:local", link="/people/")[0]
    foreign = tell([mediator], key="k:foreign", link="https://evil.example/")[0]
    client.force_login(mediator)

    assert client.post(reverse("notification_open", args=[local.pk]))["Location"] == "/people/"
    assert client.post(reverse("notification_open", args=[foreign.pk]))["Location"] == reverse(
        "notification_inbox"
    )
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_saving_preferences_from_the_inbox(client, mediator):
    client.force_login(mediator)

    client.post(
        reverse("notification_preferences"),
        {"sms-enabled": "on", "sms-address": "13912345678"},
    )

    choices = dict(mediator.notification_preferences.values_list("channel", "enabled"))
    assert choices == {"email": False, "sms": True}
