"""Emergency linkage: the dispatchers over the area and the agencies its category names are
told at once; who has it in hand, and since when, is on record; nothing is done twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.cases import hooks
from fengqiao.cases.models import Case, CaseCategory, CaseEvent
from fengqiao.emergency.defaults import DEFAULT_CATEGORY_AGENCIES, install_category_agencies
from fengqiao.emergency.models import (
    CategoryAgency,
    EmergencyAcknowledgement,
    EmergencyDispatch,
    Reason,
)
from fengqiao.emergency.services import (
    emergency_acknowledge,
    emergency_after_action,
    emergency_link,
    emergency_link_pending,
)
from fengqiao.notify.models import Delivery, Kind, Notification
from fengqiao.notify.services import notification_preference_set
from fengqiao.notify.sms import LogSmsBackend
from fengqiao.orgs.models import Agency, AgencyKind
from tests.fixtures import (
    GAS_LEAK_AT,
    UserFactory,
    build_town,
    gas_leak,
    make_responders,
    new_case,
    run_together,
)

pytestmark = pytest.mark.usefixtures("jobs_immediate")

NOW = GAS_LEAK_AT

MINUTE = dt.timedelta(minutes=1)


def told(case):
    return set(
        EmergencyAcknowledgement.objects.filter(dispatch__case=case).values_list(
            "user__username", flat=True
        )
    )


# --------------------------------------------------------------------------- linkage
def test_an_emergency_tells_the_dispatchers_over_it_and_the_agencies_of_its_category(
    town, responders
):
    # when a gas leak is registered in village A
    case = gas_leak(town)

    # then the town's dispatcher and the fire and emergency liaisons are told, at once;
    # not the court's liaison (no emergency agency), nor the dispatcher of village B
    assert told(case) == {"t_dispatcher", "t_fire", "t_office"}
    dispatch = EmergencyDispatch.objects.get(case=case)
    assert dispatch.linked_at == NOW
    assert set(dispatch.agencies.values_list("name", flat=True)) == {
        "枫桥消防救援站",
        "枫桥镇应急管理办公室",
    }
    fire_row = EmergencyAcknowledgement.objects.get(dispatch=dispatch, user__username="t_fire")
    assert (fire_row.reason, fire_row.agency, fire_row.acknowledged_at) == (
        Reason.AGENCY,
        responders["fire"],
        None,
    )
    notices = Notification.objects.filter(case=case, kind=Kind.EMERGENCY)
    assert set(notices.values_list("recipient__username", flat=True)) == told(case)
    assert notices.first().link == reverse("emergency_list")


def test_the_linkage_is_on_the_timeline_and_audited(town, responders):
    case = gas_leak(town)

    entry = CaseEvent.objects.get(case=case, action="emergency_linked")
    assert entry.sequence == 2 and entry.actor == town.user("intake_clerk")
    assert entry.data["told"] == 3 and entry.data["automatic"] is False
    assert AuditEvent.objects.filter(action="emergency.link", target_id=str(case.pk)).count() == 1


def test_an_agency_that_does_not_serve_the_area_is_not_told(town, responders):
    # given a second fire station serving only village B
    west = Agency.objects.create(kind=AgencyKind.FIRE, name="西村消防站", area=town.village_b)
    UserFactory(username="t_west_fire", roles=[Role.AGENCY_LIAISON], agency=west)

    case = gas_leak(town)

    assert "t_west_fire" not in told(case)


def test_a_dispute_is_not_an_emergency_and_is_not_linked(town, responders):
    case = new_case(town.user("intake_clerk"), town.unit_a1)

    assert emergency_link(case=case, now=NOW) is None
    assert not EmergencyDispatch.objects.exists()
    assert not Notification.objects.filter(kind=Kind.EMERGENCY).exists()


def test_linking_again_creates_nothing_twice(town, responders):
    case = gas_leak(town)

    again = emergency_link(case=case, now=NOW + MINUTE)
    emergency_after_action(case=case, action="report", actor=town.user("intake_clerk"), now=NOW)

    assert again == EmergencyDispatch.objects.get(case=case)
    assert EmergencyAcknowledgement.objects.count() == 3
    assert Notification.objects.filter(kind=Kind.EMERGENCY).count() == 3
    assert CaseEvent.objects.filter(case=case, action="emergency_linked").count() == 1


def test_a_text_message_goes_to_those_who_chose_it_after_the_commit(
    town, responders, django_capture_on_commit_callbacks
):
    # given the fire liaison takes text messages
    LogSmsBackend.sent.clear()
    notification_preference_set(
        actor=responders["firefighter"], channel="sms", enabled=True, address="13912345678"
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = gas_leak(town)
        assert LogSmsBackend.sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert [phone for phone, _text in LogSmsBackend.sent] == ["13912345678"]
    assert case.number in LogSmsBackend.sent[0][1]
    assert Delivery.objects.filter(channel="sms").count() == 1


def test_a_registration_rolled_back_tells_nobody(
    town, responders, django_capture_on_commit_callbacks
):
    LogSmsBackend.sent.clear()
    notification_preference_set(
        actor=responders["firefighter"], channel="sms", enabled=True, address="13912345678"
    )
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        gas_leak(town)
        raise RuntimeError("the request failed after the registration")

    assert not Case.objects.exists()
    assert not EmergencyDispatch.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == [] and LogSmsBackend.sent == []


def test_no_mapping_still_tells_the_dispatchers(town, responders):
    CategoryAgency.objects.all().delete()

    case = gas_leak(town)

    assert told(case) == {"t_dispatcher"}


def test_the_default_mapping_names_fire_and_the_emergency_office_for_gas_and_fire(db):
    # the data migration seeded it (categories are seeded by the cases migrations)
    install_category_agencies()
    other = CaseCategory.objects.get(code="other")
    assert (
        set(CategoryAgency.objects.filter(category=other).values_list("agency_kind", flat=True))
        == set(DEFAULT_CATEGORY_AGENCIES["other"])
        >= {"fire", "emergency"}
    )
    assert install_category_agencies() == 0  # nothing added twice


# --------------------------------------------------------------------------- periodic pass
def test_the_pass_links_an_emergency_left_unlinked_once(town, responders, monkeypatch):
    # given an emergency registered while linkage was not installed
    monkeypatch.setattr(hooks, "AFTER_ACTION", [])
    case = gas_leak(town)
    monkeypatch.undo()
    assert not EmergencyDispatch.objects.exists()

    # when the periodic pass runs, twice
    first = emergency_link_pending(now=NOW + 5 * MINUTE)
    second = emergency_link_pending(now=NOW + 10 * MINUTE)

    # then it is linked once, marked as automatic
    assert (first, second) == (1, 0)
    assert told(case) == {"t_dispatcher", "t_fire", "t_office"}
    assert CaseEvent.objects.get(case=case, action="emergency_linked").data["automatic"] is True


def test_the_pass_is_registered_with_the_job_runner(db):
    from fengqiao.jobs.registry import RULE_PASSES

    assert "emergency_linkage" in dict(RULE_PASSES)


# --------------------------------------------------------------------------- acknowledging
def test_acknowledging_records_who_and_when_and_twice_is_harmless(town, responders):
    case = gas_leak(town)
    firefighter = responders["firefighter"]

    first = emergency_acknowledge(actor=firefighter, case_id=case.pk, now=NOW + 4 * MINUTE)
    second = emergency_acknowledge(actor=firefighter, case_id=case.pk, now=NOW + 9 * MINUTE)

    assert first.acknowledged_at == second.acknowledged_at == NOW + 4 * MINUTE
    entries = CaseEvent.objects.filter(case=case, action="emergency_acknowledged")
    assert [(e.actor, e.data["minutes_after"]) for e in entries] == [(firefighter, 4)]


def test_someone_not_told_cannot_acknowledge(town, responders):
    case = gas_leak(town)

    with pytest.raises(Http404):
        emergency_acknowledge(actor=responders["west_dispatcher"], case_id=case.pk, now=NOW)

    assert not EmergencyAcknowledgement.objects.exclude(acknowledged_at=None).exists()
    assert AuditEvent.objects.filter(
        action="emergency.acknowledge", outcome="denied", target_id=str(case.pk)
    ).exists()


# --------------------------------------------------------------------------- two workers
@pytest.mark.django_db(transaction=True)
def test_two_workers_linking_at_once_link_once(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")

    town = build_town()
    make_responders(town)
    monkeypatch.setattr(hooks, "AFTER_ACTION", [])
    case = gas_leak(town)
    monkeypatch.undo()

    results = run_together(
        lambda: emergency_link_pending(now=NOW), lambda: emergency_link_pending(now=NOW)
    )

    assert not any(isinstance(result, Exception) for result in results), results
    assert sorted(results) == [0, 1]
    assert EmergencyDispatch.objects.count() == 1
    assert told(case) == {"t_dispatcher", "t_fire", "t_office"}
    assert Notification.objects.filter(kind=Kind.EMERGENCY).count() == 3
    assert CaseEvent.objects.filter(case=case, action="emergency_linked").count() == 1
