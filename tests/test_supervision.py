"""Supervision orders (督办单): raising, the automatic order on an overdue case, replies,
escalation, figures, the Word document, the pages and the API — each within jurisdiction."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import Client
from docx import Document
from docx.oxml.ns import qn

from fengqiao.accounts.roles import Role
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
from tests.cases_helpers import act, case_in_state, property_team, shanghai
from tests.conftest import build_town
from tests.factories import UserFactory
from tests.test_api import Api
from tests.test_case_concurrency import run_together
from tests.test_notify import jobs_immediate  # noqa: F401  (autouse fixture)

MINUTE = dt.timedelta(minutes=1)
# A Monday in a year the packaged calendar knows: 2026-03-02 09:00 Shanghai.
MONDAY = shanghai(2026, 3, 2, 9, 0)


@pytest.fixture
def case(town: Any) -> Any:
    """A general dispute in village A, handled by the property team (the mediator's)."""
    return case_in_state(town, State.IN_PROGRESS)


@pytest.fixture
def west_grid_worker(town: Any) -> Any:
    return UserFactory(username="west_grid", roles=[Role.GRID_WORKER], home_area=town.grid_b1)


def raise_order(town: Any, case: Any, now: dt.datetime = MONDAY, **inputs: Any) -> SupervisionOrder:
    fields = {"instruction": "三日内上门调处并书面报告", "now": now}
    fields.update(inputs)
    return services.supervision_raise(actor=town.user("leader"), case_id=case.pk, **fields)


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


def test_figures_are_scoped_by_jurisdiction(town, case, west_grid_worker):
    raise_order(town, case)

    assert selectors.order_figures(user=west_grid_worker) == []
    assert len(selectors.order_figures(user=town.user("grid_worker"))) == 1


# --------------------------------------------------------------------------- jurisdiction
def test_a_grid_worker_of_another_village_sees_nothing(town, case, west_grid_worker):
    order = raise_order(town, case)
    client = Client()
    client.force_login(west_grid_worker)

    assert not selectors.order_list_for_user(user=west_grid_worker).exists()
    assert client.get(f"/supervision/{order.pk}/").status_code == 404
    assert client.get(f"/supervision/{order.pk}/document/").status_code == 404
    assert client.post(f"/supervision/{order.pk}/reply/", {"text": "x"}).status_code == 404
    assert order.number not in client.get("/supervision/").content.decode()
    response = Api(west_grid_worker).get(f"/supervision/orders/{order.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    denied_before = AuditEvent.objects.filter(action="access.denied").count()
    posted = Api(west_grid_worker).post(
        f"/supervision/orders/{order.pk}/reply", {"text": "x"}, HTTP_IDEMPOTENCY_KEY="west-1"
    )
    assert posted.status_code == 404
    # the refusal is audited even inside the idempotency transaction
    assert AuditEvent.objects.filter(action="access.denied").count() == denied_before + 1
    assert AuditEvent.objects.filter(
        action="access.denied", actor=west_grid_worker, target_id=str(order.pk)
    ).exists()
    with pytest.raises(Http404):
        services.supervision_reply(actor=west_grid_worker, order_id=order.pk, text="x")


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


# --------------------------------------------------------------------------- the Word document
def test_the_word_document_carries_the_order_and_east_asian_fonts(town, case):
    order = raise_order(town, case, assisting_agencies=[town.court.pk])
    services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text="已组织调解")
    services.supervision_close(actor=town.user("leader"), order_id=order.pk, review="同意办结")
    client = Client()
    client.force_login(town.user("leader"))

    response = client.get(f"/supervision/{order.pk}/document/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(paragraphs + cells)
    assert paragraphs[0] == "督办单"
    for expected in (
        order.number,
        "枫桥镇综治中心",
        case.number,
        case.title,
        "三日内上门调处并书面报告",
        "一般",
        "物业纠纷调解队",
        "枫桥人民法庭",
        "2026年3月9日",
        "已组织调解",
        "同意办结",
        "督办事项",
        "督办要求",
        "承办人意见",
        "督办室意见",
    ):
        assert expected in text, expected
    runs = [run for p in document.paragraphs for run in p.runs] + [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert runs
    for run in runs:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
    assert AuditEvent.objects.filter(
        action="supervision.document", actor=town.user("leader"), target_id=str(order.pk)
    ).exists()


# --------------------------------------------------------------------------- pages
def test_the_case_page_lists_orders_and_offers_a_leader_the_raise_button(town, case):
    order = raise_order(town, case)
    client = Client()
    client.force_login(town.user("leader"))

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert order.number in page
    assert f"/supervision/raise/{case.pk}/" in page
    client.force_login(town.user("grid_worker"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert order.number in page and f"/supervision/raise/{case.pk}/" not in page


def test_a_leader_raises_through_the_form(town, case):
    client = Client()
    client.force_login(town.user("leader"))
    assert client.get(f"/supervision/raise/{case.pk}/").status_code == 200

    empty = client.post(f"/supervision/raise/{case.pk}/", {"level": "general", "instruction": ""})
    response = client.post(
        f"/supervision/raise/{case.pk}/",
        {"level": "key", "instruction": "限期回复", "target": f"agency:{town.court.pk}"},
    )

    assert empty.status_code == 400
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/{order.pk}/"
    assert (order.level.code, order.target_agency) == ("key", town.court)


def test_the_raise_form_is_refused_to_other_roles(town, case):
    client = Client()
    client.force_login(town.user("dispatcher"))

    assert client.get(f"/supervision/raise/{case.pk}/").status_code == 403


def test_the_target_replies_from_the_mine_page_and_the_leader_closes(town, case):
    order = raise_order(town, case)
    client = Client()
    client.force_login(town.user("mediator"))

    mine = client.get("/supervision/mine/").content.decode()
    replied = client.post(f"/supervision/{order.pk}/reply/", {"text": "已调处完毕"})
    client.force_login(town.user("leader"))
    closed = client.post(f"/supervision/{order.pk}/close/", {"review": "同意"})
    blank = client.post(f"/supervision/{order.pk}/withdraw/", {"reason": ""})

    assert order.number in mine
    assert replied.status_code == 302 and closed.status_code == 302
    assert blank.status_code == 400
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED


def test_the_list_page_filters_and_shows_the_figures(town, case):
    general = raise_order(town, case)
    key = raise_order(town, case, level="key", target_agency=town.court.pk)
    client = Client()
    client.force_login(town.user("leader"))

    everything = client.get("/supervision/").content.decode()
    by_level = client.get("/supervision/", {"level": "key"}).content.decode()
    by_target = client.get("/supervision/", {"target": f"agency:{town.court.pk}"}).content.decode()

    assert general.number in everything and key.number in everything
    assert "figures-table" in everything and "枫桥人民法庭" in everything
    assert key.number in by_level and general.number not in by_level
    assert key.number in by_target and general.number not in by_target


def test_the_menu_shows_supervision_to_leaders_and_targets_only(town, case, west_grid_worker):
    raise_order(town, case)

    def menu(user: Any) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/").content.decode()

    assert 'href="/supervision/"' in menu(town.user("leader"))
    assert 'href="/supervision/"' in menu(town.user("mediator"))
    assert 'href="/supervision/"' not in menu(west_grid_worker)


# --------------------------------------------------------------------------- API
def test_the_api_raises_idempotently_and_lists(town, case):
    leader = Api(town.user("leader"))
    body = {"case_id": case.pk, "instruction": "限期办结", "level": "key"}

    first = leader.post("/supervision/orders", body, HTTP_IDEMPOTENCY_KEY="raise-1")
    again = leader.post("/supervision/orders", body, HTTP_IDEMPOTENCY_KEY="raise-1")
    listed = leader.get("/supervision/orders", {"level": "key"})

    assert first.status_code == 201, first.json()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert SupervisionOrder.objects.count() == 1
    order = first.json()
    assert order["level"]["code"] == "key" and order["target"]["kind"] == "team"
    assert listed.json()["count"] == 1 and listed.json()["results"][0]["id"] == order["id"]


def test_the_api_reply_close_withdraw_and_figures(town, case):
    order = raise_order(town, case)
    other = raise_order(town, case)
    mediator, leader = Api(town.user("mediator")), Api(town.user("leader"))

    mine = mediator.get("/supervision/orders", {"mine": "true"})
    replied = mediator.post(f"/supervision/orders/{order.pk}/reply", {"text": "已调处"})
    closed = leader.post(f"/supervision/orders/{order.pk}/close", {"review": "同意"})
    no_reason = leader.post(f"/supervision/orders/{other.pk}/withdraw", {"reason": ""})
    withdrawn = leader.post(f"/supervision/orders/{other.pk}/withdraw", {"reason": "重复督办"})
    figures = leader.get("/supervision/figures")
    detail = leader.get(f"/supervision/orders/{order.pk}")

    assert mine.json()["count"] == 2
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert closed.json()["state"] == "closed"
    assert no_reason.status_code == 400
    assert no_reason.json() == {
        "code": "reason",
        "message": no_reason.json()["message"],
        "field": "reason",
        "errors": [{"code": "reason", "message": no_reason.json()["message"], "field": "reason"}],
    }
    assert withdrawn.json()["state"] == "withdrawn"
    assert figures.json()[0]["received"] == 1 and figures.json()[0]["replied"] == 1
    assert detail.json()["review_text"] == "同意"


def test_the_api_refuses_other_roles_and_bad_input(town, case):
    dispatcher, leader = Api(town.user("dispatcher")), Api(town.user("leader"))
    closed_case = case_in_state(town, State.REJECTED)

    forbidden = dispatcher.post("/supervision/orders", {"case_id": case.pk, "instruction": "x"})
    on_closed = leader.post("/supervision/orders", {"case_id": closed_case.pk, "instruction": "x"})
    unknown_level = leader.post(
        "/supervision/orders", {"case_id": case.pk, "instruction": "x", "level": "purple"}
    )
    empty = leader.post("/supervision/orders", {"case_id": case.pk, "instruction": ""})
    missing = leader.post("/supervision/orders/999999/reply", {"text": "x"})

    assert forbidden.status_code == 403 and forbidden.json()["code"] == "not_allowed"
    assert on_closed.status_code == 409 and on_closed.json()["code"] == "case_closed"
    assert unknown_level.json()["field"] == "level"
    assert empty.json()["code"] == "instruction"
    assert missing.status_code == 404
    assert not SupervisionOrder.objects.exists()


def test_levels_are_configurable_data(db):
    levels = list(SupervisionLevel.objects.order_by("rank").values_list("code", "name"))

    assert levels == [("general", "一般"), ("key", "重点"), ("listed", "挂牌督办")]


def test_an_unreviewed_case_action_still_works_with_orders(town, case):
    # The case's own lifecycle is untouched by its orders: the team can still resolve it.
    raise_order(town, case)

    resolved = act(town.user("mediator"), case, "resolve", outcome="resolved", note="双方达成协议")

    assert resolved.state == State.RESOLVED


# --------------------------------------------------------------------------- on a phone
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_mediator_replies_on_a_phone(live_server):
    from tests.browser import chromium, phone_context
    from tests.test_browser_cases import SCREENSHOTS, fits_the_phone, log_in

    services.supervision_levels_install()
    town = build_town()
    order = raise_order(town, case_in_state(town, State.IN_PROGRESS), now=None)
    with chromium() as browser:
        phone = phone_context(browser)
        page = phone.new_page()
        log_in(page, live_server.url, town.user("mediator").username)

        page.goto(f"{live_server.url}/supervision/mine/")
        assert fits_the_phone(page)
        page.click(f"a[href='/supervision/{order.pk}/']")
        assert fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "supervision-order-phone.png"), full_page=True)
        page.click("details.action summary")
        page.fill("textarea[name=text]", "已组织双方现场调解，达成初步意见")
        page.click("form[action$='/reply/'] button.primary")
        page.wait_for_selector(".messages")
        assert fits_the_phone(page)
        phone.close()

    order.refresh_from_db()
    assert order.state == OrderState.REPLIED
    assert order.replied_by == town.user("mediator")
