"""The guarantees of the jobs that the other job tests do not cover: a rolled-back transition
sends nothing; the rules pass and the outbound deliveries, killed half-way and restarted,
lose nothing and do nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from fengqiao.alerts.models import Alert
from fengqiao.alerts.rules import get_rule
from fengqiao.alerts.services import alerts_run_all
from fengqiao.cases import hooks
from fengqiao.cases.models import Case, CaseEvent, State
from fengqiao.cases.services import case_act
from fengqiao.core import clock
from fengqiao.notify import services as notify_services
from fengqiao.notify.models import Delivery, DeliveryStatus, Kind, Notification
from fengqiao.notify.services import DELIVERY_LEASE, deliveries_send, notify
from tests.fixtures import QUIET, case_in_state, new_case, shanghai

pytestmark = pytest.mark.usefixtures("jobs_immediate")

NOW = shanghai(2025, 10, 9, 10, 0)


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@fengqiao.example"
        user.save(update_fields=["email"])
    return users


# --------------------------------------------------------------------------- rollback
def test_a_rolled_back_case_transition_sends_nothing(
    town, monkeypatch, django_capture_on_commit_callbacks
):
    # given a transition whose after-action hooks first tell people, then fail
    mediator, leader = with_email(town.user("mediator"), town.user("leader"))
    case = case_in_state(town, State.DISPATCHED)
    queued: list[int] = []

    def tell_the_team(*, case, action, **_kwargs):
        queued.extend(
            row.pk
            for row in notify(
                recipients=[mediator, leader],
                kind=Kind.SYSTEM,
                title=f"{case.number} 已签收",
                body="",
                dedupe_key=f"test:{action}:{case.pk}",
            )
        )

    def fail(**_kwargs):
        raise RuntimeError("the transition failed after its notices were queued")

    monkeypatch.setattr(hooks, "AFTER_ACTION", [tell_the_team, fail])

    # when the mediator acknowledges the case through the engine
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        case_act(
            actor=mediator,
            case_id=case.pk,
            action="acknowledge",
            expected_version=case.version,
        )

    # then the notices had been queued, and nothing of them remains or leaves
    assert len(queued) == 2
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert not CaseEvent.objects.filter(case=case, action="acknowledge").exists()


def test_a_transition_rolled_back_by_its_caller_sends_nothing(
    town, monkeypatch, django_capture_on_commit_callbacks
):
    mediator = with_email(town.user("mediator"))[0]
    case = case_in_state(town, State.DISPATCHED)

    def tell(*, case, action, **_kwargs):
        notify(recipients=[mediator], kind=Kind.SYSTEM, title="签收", body="", dedupe_key="t:1")

    monkeypatch.setattr(hooks, "AFTER_ACTION", [tell])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case_act(
            actor=mediator,
            case_id=case.pk,
            action="acknowledge",
            expected_version=case.version,
        )
        assert Notification.objects.count() == 1  # queued inside the transaction
        raise RuntimeError("the request failed afterwards")

    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


# --------------------------------------------------------------------------- rules pass
@pytest.fixture
def conditions(town):
    """Three conditions for three rules: a hotspot, many people, risk words."""
    leader = with_email(town.user("leader"))[0]
    clerk = town.user("intake_clerk")
    for days in (3, 2, 1):
        new_case(
            clerk, town.unit_a1, now=NOW - dt.timedelta(days=days), account=QUIET, title="噪音"
        )
    new_case(clerk, town.unit_a2, now=NOW, account=QUIET, title="停车纠纷", people_involved=12)
    new_case(clerk, town.unit_b1, now=NOW, account="当事人扬言要去北京上访", title="土地")
    return leader


def alert_notices():
    return sorted(
        Notification.objects.filter(kind=Kind.ALERT).values_list("recipient_id", "dedupe_key")
    )


def test_a_rules_pass_killed_between_rules_and_restarted_raises_each_alert_once(
    conditions, monkeypatch
):
    # given a worker killed while the risk-word rule runs (after the hotspot and the
    # many-people rules have raised their alerts)
    def killed(**_kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(get_rule("risk_words"), "evaluate", killed)
    with pytest.raises(SystemExit):
        alerts_run_all(now=NOW)
    assert sorted(Alert.objects.values_list("rule_code", flat=True)) == ["hotspot", "many_people"]
    monkeypatch.undo()

    # when the worker is restarted, and runs once more
    alerts_run_all(now=NOW + dt.timedelta(minutes=5))
    alerts_run_all(now=NOW + dt.timedelta(minutes=10))

    # then every alert exists once, and each responsible person was told once of each
    assert sorted(Alert.objects.values_list("rule_code", flat=True)) == [
        "hotspot",
        "many_people",
        "risk_words",
    ]
    notices = alert_notices()
    assert len(notices) == len(set(notices)) == 3  # the town's leader, once per alert
    assert {recipient for recipient, _key in notices} == {conditions.pk}


def test_a_rules_pass_killed_while_raising_keeps_nothing_half_done(conditions, monkeypatch):
    # given a worker killed while telling people of the first alerts it raises
    real = notify_services.notify_many

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(notify_services, "notify_many", killed)
    with pytest.raises(SystemExit):
        alerts_run_all(now=NOW)

    # then the chunk that was being raised is gone whole: no alert without its notices
    assert not Alert.objects.exists() and not Notification.objects.exists()

    # when the worker is restarted
    monkeypatch.setattr(notify_services, "notify_many", real)
    alerts_run_all(now=NOW + dt.timedelta(minutes=5))

    # then all three alerts are raised, once each, each with its notice
    assert Alert.objects.count() == 3
    assert Alert.objects.filter(cases__isnull=True).count() == 0
    assert len(alert_notices()) == 3


# --------------------------------------------------------------------------- deliveries
def test_deliveries_killed_while_sending_are_each_sent_once_after_a_restart(
    town, monkeypatch, django_capture_on_commit_callbacks
):
    # given e-mails to four people, committed but not yet sent (the queue is down)
    people = with_email(*(town.user(role) for role in ("leader", "dispatcher", "mediator")))
    people += with_email(town.user("village_cadre"))
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=people, kind=Kind.SYSTEM, title="日历需要更新", body="", dedupe_key="c:1")
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 4

    # when the worker is killed while sending the third e-mail
    from fengqiao.notify import channels

    real_send = channels.EmailChannel.send
    sent_before_kill: list[str] = []

    def send_then_die(self, notification, address):
        if len(sent_before_kill) == 2:
            raise SystemExit("worker killed")
        real_send(self, notification, address)
        sent_before_kill.append(address)

    monkeypatch.setattr(channels.EmailChannel, "send", send_then_die)
    now = clock.now()
    with pytest.raises(SystemExit):
        deliveries_send(now=now)
    monkeypatch.undo()
    assert len(mail.outbox) == 2

    # then the claimed one waits for its lease; after it, the restarted worker sends the rest
    assert deliveries_send(now=now + dt.timedelta(seconds=30)) == 1  # the fourth, never claimed
    assert deliveries_send(now=now + DELIVERY_LEASE + dt.timedelta(seconds=1)) == 1
    assert deliveries_send(now=now + 3 * DELIVERY_LEASE) == 0

    # every e-mail left exactly once
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(person.email for person in people)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
