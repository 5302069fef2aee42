"""Notifications: once per person and condition, sent only after commit, by the channels
each person chose, each person's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.notify.checks import check_channels
from fengqiao.notify.models import Delivery, DeliveryStatus, Notification
from fengqiao.notify.services import (
    DELIVERY_LEASE,
    deliveries_send,
    notification_mark_read,
    notification_preference_set,
)
from fengqiao.notify.sms import LogSmsBackend
from tests.fixtures import tell

pytestmark = pytest.mark.usefixtures("jobs_immediate")


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
