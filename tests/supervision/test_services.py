"""Supervision orders (督办单) through the services: raising, the automatic order on an
overdue case, replies, review, withdrawal, escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import CaseEvent, State
from fengqiao.core.errors import DomainError
from fengqiao.jobs.deadlines import deadline_sweep
from fengqiao.notify.models import Kind, Notification
from fengqiao.supervision import selectors, services
from fengqiao.supervision.models import (
    OrderState,
    Origin,
    SupervisionLevel,
    SupervisionOrder,
    TargetKind,
)
from fengqiao.workcal.calendar import due_after
from fengqiao.workcal.selectors import calendar_load
from tests.fixtures import (
    MONDAY,
    act,
    build_town,
    case_in_state,
    property_team,
    raise_order,
    run_together,
    shanghai,
)

pytestmark = pytest.mark.usefixtures("jobs_immediate")

MINUTE = dt.timedelta(minutes=1)


def timeline_actions(case: Any) -> list[str]:
    return list(case.events.order_by("sequence").values_list("action", flat=True))


# --------------------------------------------------------------------------- raising
def test_a_leader_raises_an_order_to_the_case_handler(town, case):
    # when the leader raises a general order without naming a lead unit
    order = raise_order(town, case)

    # then it goes to the property team, numbered in the year, due in 5 working days
    assert order.number == "DB-2026-000001"
    assert order.target_kind == TargetKind.TEAM
    assert order.target_team == property_team(town)
    assert order.state == OrderState.OPEN
    assert order.level.code == "general"
    assert order.matter == f"{case.number} {case.title}"
    assert order.reply_due_at == due_after(calendar_load(), MONDAY, 5).due_at
    assert order.reply_due_at == shanghai(2026, 3, 9, 23, 59, 59)
    # on the case's timeline, audited, and the team's member is told
    entry = case.events.order_by("-sequence").first()
    assert (entry.action, entry.actor) == ("supervision_raised", town.user("leader"))
    assert AuditEvent.objects.filter(action="supervision.raise", target_id=str(order.pk)).exists()
    told = Notification.objects.filter(kind=Kind.SUPERVISION, case=case)
    assert set(told.values_list("recipient__username", flat=True)) == {"t_mediator"}


def test_numbers_run_on_within_the_year(town, case):
    first = raise_order(town, case)
    second = raise_order(town, case, level="key")

    assert (first.number, second.number) == ("DB-2026-000001", "DB-2026-000002")
    assert second.reply_due_at == shanghai(2026, 3, 5, 23, 59, 59)


def test_a_leader_names_a_person_and_assisting_units(town, case):
    order = raise_order(
        town,
        case,
        target_user=town.user("village_cadre"),
        assisting_agencies=[town.court.pk],
        assisting_teams=[property_team(town).pk],
        matter="采光纠纷久拖未决",
    )

    assert order.target_kind == TargetKind.PERSON
    assert order.target_user == town.user("village_cadre")
    assert list(order.assisting_agencies.all()) == [town.court]
    assert list(order.assisting_teams.all()) == [property_team(town)]
    assert order.matter == "采光纠纷久拖未决"


@pytest.mark.parametrize(
    "role", ["dispatcher", "intake_clerk", "mediator", "grid_worker", "village_cadre"]
)
def test_only_a_leader_may_raise(town, case, role):
    with pytest.raises(DomainError) as refused:
        services.supervision_raise(
            actor=town.user(role), case_id=case.pk, instruction="请办理", now=MONDAY
        )

    assert refused.value.code == "not_allowed"
    assert not SupervisionOrder.objects.exists()
    assert AuditEvent.objects.filter(
        action="supervision.raise", outcome="denied", actor=town.user(role)
    ).exists()


# --------------------------------------------------------------------------- bad input
def test_an_order_on_a_closed_case_is_refused(town):
    closed = case_in_state(town, State.REJECTED)

    with pytest.raises(DomainError) as refused:
        raise_order(town, closed)

    assert refused.value.code == "case_closed"
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({"instruction": "   "}, "instruction"),
        ({"level": "purple"}, "level"),
        ({"target_user": 999_999}, "target"),
        ({"target_team": 1, "target_agency": 1}, "target"),
        ({"assisting_agencies": [999_999]}, "assisting"),
    ],
)
def test_bad_input_to_raise_saves_nothing(town, case, inputs, code):
    events_before = case.events.count()

    with pytest.raises(DomainError) as refused:
        raise_order(town, case, **inputs)

    assert refused.value.code == code
    assert str(refused.value.message)
    assert not SupervisionOrder.objects.exists()
    assert case.events.count() == events_before


def test_a_reply_by_someone_not_the_target_is_refused(town, case):
    order = raise_order(town, case)

    with pytest.raises(DomainError) as refused:
        services.supervision_reply(
            actor=town.user("dispatcher"), order_id=order.pk, text="已处理", now=MONDAY
        )

    assert refused.value.code == "not_allowed"
    order.refresh_from_db()
    assert order.state == OrderState.OPEN and order.reply_text == ""
    assert AuditEvent.objects.filter(action="supervision.reply", outcome="denied").exists()


def test_an_empty_reply_and_a_withdrawal_without_reason_are_refused(town, case):
    order = raise_order(town, case)

    with pytest.raises(DomainError) as empty:
        services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text=" ")
    with pytest.raises(DomainError) as no_reason:
        services.supervision_withdraw(actor=town.user("leader"), order_id=order.pk, reason="")

    assert (empty.value.code, no_reason.value.code) == ("reply", "reason")
    order.refresh_from_db()
    assert order.state == OrderState.OPEN


def test_replying_to_a_closed_order_is_refused(town, case):
    order = raise_order(town, case)
    services.supervision_reply(
        actor=town.user("mediator"), order_id=order.pk, text="已调处", now=MONDAY
    )
    services.supervision_close(actor=town.user("leader"), order_id=order.pk, review="同意办结")

    with pytest.raises(DomainError) as refused:
        services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text="补充")

    assert refused.value.code == "wrong_state"
    order.refresh_from_db()
    assert (order.state, order.reply_text) == (OrderState.CLOSED, "已调处")


def test_only_a_replied_order_can_be_closed_and_only_by_a_leader(town, case):
    order = raise_order(town, case)

    with pytest.raises(DomainError) as too_early:
        services.supervision_close(actor=town.user("leader"), order_id=order.pk, review="同意")
    services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text="已调处")
    with pytest.raises(DomainError) as not_leader:
        services.supervision_close(actor=town.user("dispatcher"), order_id=order.pk, review="同意")

    assert (too_early.value.code, not_leader.value.code) == ("wrong_state", "not_allowed")
    order.refresh_from_db()
    assert order.state == OrderState.REPLIED


# --------------------------------------------------------------------------- the lifecycle
def test_reply_on_time_review_and_close(town, case):
    order = raise_order(town, case)

    replied = services.supervision_reply(
        actor=town.user("mediator"), order_id=order.pk, text="已组织双方调解", now=MONDAY + MINUTE
    )
    closed = services.supervision_close(
        actor=town.user("leader"), order_id=order.pk, review="办理到位，同意办结"
    )

    assert replied.replied_on_time is True
    assert replied.replied_by == town.user("mediator")
    assert closed.state == OrderState.CLOSED and closed.review_text == "办理到位，同意办结"
    assert timeline_actions(case)[-3:] == [
        "supervision_raised",
        "supervision_replied",
        "supervision_closed",
    ]
    # the issuing leader is told of the reply
    assert Notification.objects.filter(
        recipient=town.user("leader"), dedupe_key=f"supervision:{order.pk}:replied"
    ).exists()


def test_a_reply_after_the_deadline_is_late(town, case):
    order = raise_order(town, case)

    replied = services.supervision_reply(
        actor=town.user("mediator"), order_id=order.pk, text="迟复", now=order.reply_due_at + MINUTE
    )

    assert replied.replied_on_time is False


def test_a_leader_withdraws_with_a_reason(town, case):
    order = raise_order(town, case)

    withdrawn = services.supervision_withdraw(
        actor=town.user("leader"), order_id=order.pk, reason="当事人已撤回申请"
    )

    assert withdrawn.state == OrderState.WITHDRAWN
    assert withdrawn.withdraw_reason == "当事人已撤回申请"
    assert timeline_actions(case)[-1] == "supervision_withdrawn"
    assert AuditEvent.objects.filter(action="supervision.withdraw").count() == 1


def test_an_agency_liaison_replies_for_the_agency(town, case):
    order = raise_order(town, case, target_agency=town.court.pk)

    replied = services.supervision_reply(
        actor=town.user("agency_liaison"), order_id=order.pk, text="法庭已立案"
    )

    assert replied.state == OrderState.REPLIED


# --------------------------------------------------------------------------- automatic orders
def test_the_deadline_sweep_raises_one_order_per_overdue_case(town, case):
    # when the sweep runs twice after the deadline
    deadline_sweep(now=case.due_at + MINUTE)
    deadline_sweep(now=case.due_at + 2 * MINUTE)

    # then one general order goes to the handling team, issued by the system
    order = SupervisionOrder.objects.get()
    assert order.origin == Origin.OVERDUE
    assert order.issued_by is None
    assert order.case_due_at == case.due_at
    assert order.target_team == property_team(town)
    assert order.level.code == "general"
    entry = CaseEvent.objects.get(case=case, action="supervision_raised")
    assert entry.actor is None
    assert Notification.objects.filter(
        kind=Kind.SUPERVISION, recipient=town.user("mediator")
    ).exists()


def test_a_second_automatic_order_for_the_same_deadline_is_refused_by_the_database(town, case):
    deadline_sweep(now=case.due_at + MINUTE)
    first = SupervisionOrder.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionOrder.objects.create(
            number="DB-2026-999999",
            case=case,
            origin=Origin.OVERDUE,
            level=first.level,
            matter="x",
            instruction="x",
            target_kind=TargetKind.CENTRE,
            issued_at=first.issued_at,
            case_due_at=first.case_due_at,
            reply_due_at=first.reply_due_at,
        )
    # and the hook itself, called again, raises nothing
    assert services.supervision_raise_for_overdue([case], now=case.due_at + MINUTE) == []
    assert SupervisionOrder.objects.count() == 1


def test_an_overdue_case_nobody_handles_goes_to_the_dispatchers(town):
    waiting = case_in_state(town, State.ACCEPTED)

    deadline_sweep(now=waiting.due_at + MINUTE)

    order = SupervisionOrder.objects.get(case=waiting)
    assert order.target_kind == TargetKind.CENTRE
    assert selectors.order_mine(user=town.user("dispatcher")).filter(pk=order.pk).exists()
    replied = services.supervision_reply(
        actor=town.user("dispatcher"), order_id=order.pk, text="已派发调解队"
    )
    assert replied.state == OrderState.REPLIED


def test_one_sweep_over_many_overdue_cases_raises_one_order_each(town):
    # given five cases handled by the property team and two nobody handles yet
    handled = [case_in_state(town, State.IN_PROGRESS) for _ in range(5)]
    waiting = [case_in_state(town, State.ACCEPTED) for _ in range(2)]
    cases = handled + waiting
    now = max(case.due_at for case in cases) + MINUTE

    # when one sweep, in chunks of three, finds them all overdue; then a second sweep runs
    first = deadline_sweep(now=now, chunk_size=3)
    second = deadline_sweep(now=now + MINUTE, chunk_size=3)

    # then each case has exactly one order, with numbers of their own
    orders = list(SupervisionOrder.objects.filter(origin=Origin.OVERDUE))
    assert sorted(order.case_id for order in orders) == sorted(case.pk for case in cases)
    assert len({order.number for order in orders}) == len(cases)
    assert all(order.number.startswith("DB-2026-") for order in orders)
    # to the case's handler, or to the centre while nobody handles it
    kinds = {order.case_id: order.target_kind for order in orders}
    assert {kinds[case.pk] for case in handled} == {TargetKind.TEAM}
    assert {kinds[case.pk] for case in waiting} == {TargetKind.CENTRE}
    # one timeline entry each, naming its order, and one audit row each
    for case in cases:
        entries = CaseEvent.objects.filter(case=case, action="supervision_raised")
        order = next(order for order in orders if order.case_id == case.pk)
        assert [entry.data["number"] for entry in entries] == [order.number]
        assert timeline_actions(case)[-1] == "supervision_raised"
    assert AuditEvent.objects.filter(action="supervision.raise").count() == len(cases)
    # the targets are told once per order
    assert Notification.objects.filter(
        kind=Kind.SUPERVISION, recipient=town.user("mediator")
    ).count() == len(handled)
    assert Notification.objects.filter(
        kind=Kind.SUPERVISION, recipient=town.user("dispatcher")
    ).count() == len(waiting)
    # and the second sweep added nothing
    assert first["overdue"] == len(cases) and second["overdue"] == 0
    assert SupervisionOrder.objects.count() == len(cases)
    assert CaseEvent.objects.filter(action="supervision_raised").count() == len(cases)


def test_an_order_raised_meanwhile_sends_the_batch_one_by_one(town):
    # given two overdue cases, one of which has just had its automatic order raised
    # while the hook holds a copy read before its deadline moved
    raced, other = case_in_state(town, State.IN_PROGRESS), case_in_state(town, State.IN_PROGRESS)
    now = max(raced.due_at, other.due_at) + MINUTE
    (first,) = services.supervision_raise_for_overdue([raced], now=now)
    stale = type(raced).objects.get(pk=raced.pk)
    stale.due_at = raced.due_at - MINUTE

    # when the hook is handed both
    raised = services.supervision_raise_for_overdue([stale, other], now=now)

    # then the unique index refuses the batch, and one by one only the other case gets one
    assert [order.case_id for order in raised] == [other.pk]
    # the numbers the refused batch took were given back
    assert raised[0].number == f"{first.number[:-6]}{int(first.number[-6:]) + 1:06d}"
    assert SupervisionOrder.objects.filter(case=raced).count() == 1
    assert SupervisionOrder.objects.filter(case=other).count() == 1
    assert timeline_actions(other).count("supervision_raised") == 1
    assert timeline_actions(raced).count("supervision_raised") == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_raise_one_order():
    services.supervision_levels_install()
    town = build_town()
    overdue = case_in_state(town, State.IN_PROGRESS)
    now = overdue.due_at + MINUTE

    results = run_together(lambda: deadline_sweep(now=now), lambda: deadline_sweep(now=now))

    assert all(isinstance(result, dict) for result in results), results
    assert SupervisionOrder.objects.filter(case=overdue).count() == 1


# --------------------------------------------------------------------------- escalation
def test_a_missed_reply_escalates_once_per_level_then_is_marked_overdue(town, case):
    order = raise_order(town, case)
    first_due = order.reply_due_at

    # when the pass runs twice after the reply deadline
    now = first_due + MINUTE
    first = services.supervision_escalate_missed(now=now)
    second = services.supervision_escalate_missed(now=now + MINUTE)

    # then the order is key level once, with a new deadline of 3 working days from now
    order.refresh_from_db()
    assert (first, second) == ({"escalated": 1, "overdue": 0}, {"escalated": 0, "overdue": 0})
    assert order.level.code == "key"
    assert order.escalation_count == 1
    assert order.reply_due_at == due_after(calendar_load(), now, 3).due_at
    assert timeline_actions(case).count("supervision_escalated") == 1
    assert AuditEvent.objects.filter(action="supervision.escalated").count() == 1
    assert (
        Notification.objects.filter(
            recipient=town.user("mediator"),
            dedupe_key__startswith=f"supervision:{order.pk}:escalated",
        ).count()
        == 1
    )

    # and missed again: listed; and again: stays listed, marked overdue once
    services.supervision_escalate_missed(now=order.reply_due_at + MINUTE)
    order.refresh_from_db()
    assert order.level.code == "listed"
    top = order.reply_due_at + MINUTE
    assert services.supervision_escalate_missed(now=top) == {"escalated": 0, "overdue": 1}
    assert services.supervision_escalate_missed(now=top + MINUTE) == {"escalated": 0, "overdue": 0}
    order.refresh_from_db()
    assert order.level.code == "listed" and order.overdue_at_top
    assert timeline_actions(case).count("supervision_overdue") == 1


def test_a_replied_order_does_not_escalate(town, case):
    order = raise_order(town, case)
    services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text="已办")

    result = services.supervision_escalate_missed(now=order.reply_due_at + MINUTE)

    assert result == {"escalated": 0, "overdue": 0}


def test_the_escalation_pass_is_registered_with_the_rules_pass():
    from fengqiao.jobs import registry

    assert ("supervision_escalation", services.supervision_escalate_missed) in registry.RULE_PASSES
    assert services.supervision_raise_for_overdue in registry.OVERDUE_HOOKS


@pytest.mark.django_db(transaction=True)
def test_two_escalation_passes_at_once_escalate_once():
    services.supervision_levels_install()
    town = build_town()
    order = raise_order(town, case_in_state(town, State.IN_PROGRESS))
    now = order.reply_due_at + MINUTE

    results = run_together(
        lambda: services.supervision_escalate_missed(now=now),
        lambda: services.supervision_escalate_missed(now=now),
    )

    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["escalated"] for result in results) == 1
    order.refresh_from_db()
    assert order.escalation_count == 1 and order.level.code == "key"


def test_levels_are_configurable_data(db):
    levels = list(SupervisionLevel.objects.order_by("rank").values_list("code", "name"))

    assert levels == [("general", "一般"), ("key", "重点"), ("listed", "挂牌督办")]


def test_an_unreviewed_case_action_still_works_with_orders(town, case):
    # The case's own lifecycle is untouched by its orders: the team can still resolve it.
    raise_order(town, case)

    resolved = act(town.user("mediator"), case, "resolve", outcome="resolved", note="双方达成协议")

    assert resolved.state == State.RESOLVED
