"""Follow-ups (跟到底): scheduled on resolving, recorded by phone or visit, reopening the case
when the agreement is not kept, holding the closure until they are done, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import State
from fengqiao.cases.services import available_actions
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.followups.models import (
    FollowUpAttempt,
    FollowUpPolicy,
    Reason,
    Result,
    Status,
    TermCheck,
)
from fengqiao.followups.services import (
    followup_apply_finding,
    followup_record,
    followups_remind,
    followups_schedule_for_case,
)
from fengqiao.notify.models import Notification
from tests.fixtures import (
    act,
    case_in_state,
    followups,
    property_team,
    resolved_case,
    satisfied,
    shanghai,
)

pytestmark = pytest.mark.django_db


# Monday 15 September 2025, 10:00 in Shanghai. Seven days on is Monday 22 September;
# thirty days on is Wednesday 15 October, after the National Day holidays (1–8 October).
NOW = shanghai(2025, 9, 15, 10, 0)
DAY_7 = dt.date(2025, 9, 22)
DAY_30 = dt.date(2025, 10, 15)


needs_mediation = pytest.mark.skipif(
    not apps.is_installed("fengqiao.mediation"), reason="the mediation app is not installed"
)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch):
    """Move the clock: `at(2025, 9, 22, 9)`."""

    def move(*args: int) -> dt.datetime:
        moment = shanghai(*args)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return move


def agree(town: Any, case: Any, *terms: tuple[str, dt.date]) -> list[Any]:
    """An effective people's mediation agreement with these terms (what the mediation app
    records when the parties have signed)."""
    from fengqiao.mediation.models import Agreement, AgreementTerm, Mediation

    mediation = Mediation.objects.create(
        case=case,
        regime="people",
        organization=property_team(town),
        status="succeeded",
        started_at=NOW,
        started_by=town.user("mediator"),
    )
    agreement = Agreement.objects.create(
        mediation=mediation,
        number=f"（2025）枫调字第{case.pk}号",
        facts="杨柳树遮挡采光",
        matters="修剪树木",
        made_on=NOW.date(),
        effective_on=NOW.date(),
        created_by=town.user("mediator"),
        created_at=NOW,
        updated_at=NOW,
    )
    return [
        AgreementTerm.objects.create(
            agreement=agreement, position=index, content=content, due_on=due_on
        )
        for index, (content, due_on) in enumerate(terms, start=1)
    ]


# ------------------------------------------------------------------ scheduling
def test_resolving_schedules_follow_ups_7_and_30_days_after(town):
    case = resolved_case(town)

    scheduled = followups(case)

    assert [(f.reason, f.offset_days, f.due_on) for f in scheduled] == [
        (Reason.AFTER_RESULT, 7, DAY_7),
        (Reason.AFTER_RESULT, 30, DAY_30),
    ]
    # Nobody handles it in person: the grid worker of the case's grid follows it up.
    assert {f.assignee for f in scheduled} == {town.user("grid_worker")}
    assert {f.status for f in scheduled} == {Status.SCHEDULED}


def test_a_day_off_moves_the_follow_up_to_the_next_working_day(town):
    FollowUpPolicy.objects.update_or_create(
        kind="", grade="", defaults={"offsets_days": "16", "term_deadlines": True}
    )
    case = resolved_case(town)

    # 1 October is National Day: the first working day after is 9 October.
    assert [f.due_on for f in followups(case)] == [dt.date(2025, 10, 9)]


def test_the_policy_of_the_grade_overrides_the_general_one(town):
    FollowUpPolicy.objects.create(
        kind="dispute", grade="general", offsets_days="3", term_deadlines=False
    )
    case = resolved_case(town)

    assert [(f.offset_days, f.due_on) for f in followups(case)] == [(3, dt.date(2025, 9, 18))]


def test_a_policy_with_bad_days_is_refused_in_the_admin_form():
    policy = FollowUpPolicy(kind="dispute", grade="", offsets_days="7, 0, 三十")

    with pytest.raises(ValidationError) as caught:
        policy.full_clean()

    assert "offsets_days" in caught.value.message_dict


def test_scheduling_again_adds_nothing(town):
    case = resolved_case(town)

    again = followups_schedule_for_case(case=case, now=NOW + dt.timedelta(hours=1))

    assert again == []
    assert len(followups(case)) == 2


@needs_mediation
def test_an_agreement_recorded_after_the_result_adds_its_term_deadlines(town):
    case = resolved_case(town)
    # Saturday 20 September → Monday 22; 1 October (holiday) → 9 October.
    agree(town, case, ("修剪杨柳树", dt.date(2025, 9, 20)), ("赔偿500元", dt.date(2025, 10, 1)))

    added = followups_schedule_for_case(case=case)
    again = followups_schedule_for_case(case=case)

    assert [(f.reason, f.due_on) for f in added] == [
        (Reason.TERM_DEADLINE, dt.date(2025, 9, 22)),
        (Reason.TERM_DEADLINE, dt.date(2025, 10, 9)),
    ]
    assert "修剪杨柳树" in added[0].term_label
    assert again == []
    assert len(followups(case)) == 4


def test_only_a_handled_case_gets_follow_ups(town):
    case = case_in_state(town, State.IN_PROGRESS)

    with pytest.raises(DomainError) as caught:
        followups_schedule_for_case(case=case)

    assert caught.value.code == "not_resolved"
    assert followups(case) == []


# ------------------------------------------------------------------ recording
def test_an_unreachable_party_is_recorded_and_retried_the_next_working_day(town, at):
    case = resolved_case(town)
    first = followups(case)[0]
    moment = at(2025, 9, 30, 16)  # the eve of the National Day holidays

    attempt = followup_record(
        actor=town.user("grid_worker"),
        followup=first,
        method="phone",
        reached=False,
        notes="电话无人接听",
    )

    first.refresh_from_db()
    assert attempt.reached is False and attempt.at == moment
    assert (first.status, first.attempts, first.due_on) == (
        Status.SCHEDULED,
        1,
        dt.date(2025, 10, 9),
    )
    entry = case.events.order_by("-sequence").first()
    assert entry.action == "followup_unreachable"
    assert "电话无人接听" in entry.note and "2025-10-09" in entry.note
    assert AuditEvent.objects.filter(action="followup.attempt", target_id=str(first.pk)).exists()


def test_terms_performed_and_a_satisfied_party_let_the_case_close(town):
    case = resolved_case(town)
    worker = town.user("grid_worker")

    for followup in followups(case):
        satisfied(worker, followup, satisfaction="basically_satisfied")

    assert {(f.status, f.result) for f in followups(case)} == {(Status.DONE, Result.KEPT)}
    assert act(town.user("leader"), case, "close").state == State.CLOSED


@needs_mediation
def test_a_term_not_performed_reopens_the_case_saying_why(town):
    case = case_in_state(town, State.IN_PROGRESS)
    trim, pay = agree(
        town, case, ("修剪杨柳树", dt.date(2025, 9, 20)), ("赔偿500元", dt.date(2025, 9, 30))
    )
    case = act(town.user("mediator"), case, "resolve", outcome="resolved", note="达成协议")
    first = followups(case)[0]

    followup_record(
        actor=town.user("leader"),
        followup=first,
        method="home_visit",
        reached=True,
        satisfaction="basically_satisfied",
        term_checks={trim.pk: False, pay.pk: True},
        notes="树未修剪",
    )

    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    reopen = case.events.filter(action="reopen").get()
    assert "修剪杨柳树" in reopen.note and "树未修剪" in reopen.note
    assert set(
        TermCheck.objects.filter(attempt__followup=first).values_list("term_id", "performed")
    ) == {(trim.pk, False), (pay.pk, True)}
    # What was still to do is cancelled with the reopening.
    assert {f.status for f in followups(case) if f.pk != first.pk} == {Status.CANCELLED}


def test_a_dissatisfied_party_can_have_the_case_escalated(town):
    case = resolved_case(town)

    satisfied(
        town.user("leader"), followups(case)[0], satisfaction="dissatisfied", on_failure="escalate"
    )

    case.refresh_from_db()
    assert case.state == State.ESCALATED
    assert list(case.events.order_by("sequence").values_list("action", flat=True))[-3:] == [
        "followup_not_kept",
        "reopen",
        "escalate",
    ]


def test_a_grid_workers_finding_waits_for_a_leader_who_reopens_with_one_click(town):
    case = resolved_case(town)
    first = followups(case)[0]

    with translation.override("en"):
        satisfied(town.user("grid_worker"), first, satisfaction="dissatisfied", notes="仍有遮挡")

        # The grid worker may not reopen: the case waits, and cannot be closed meanwhile.
        case.refresh_from_db()
        first.refresh_from_db()
        assert case.state == State.RESOLVED
        assert first.awaits_decision and first.requested_action == "reopen"
        assert Notification.objects.filter(
            recipient=town.user("leader"), dedupe_key=f"followup-decision:{first.pk}"
        ).exists()
        with pytest.raises(DomainError) as caught:
            act(town.user("leader"), case, "close")
        assert "not kept" in caught.value.message

    followup_apply_finding(actor=town.user("leader"), followup=first)

    case.refresh_from_db()
    first.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    assert case.events.get(action="reopen").note == first.finding
    assert "仍有遮挡" in first.finding
    assert (first.decided_by, first.awaits_decision) == (town.user("leader"), False)


def test_reopened_and_handled_again_the_case_is_followed_up_again(town, at):
    case = resolved_case(town)
    act(town.user("leader"), case, "reopen", reason="当事人反映未履行")
    at(2025, 9, 17, 10)

    act(town.user("mediator"), case, "resolve", outcome="resolved", note="再次调解")

    statuses = [(f.status, f.due_on) for f in followups(case)]
    assert (Status.CANCELLED, DAY_7) in statuses
    assert (Status.SCHEDULED, dt.date(2025, 9, 24)) in statuses


# ------------------------------------------------------------------ closing
def test_close_is_refused_while_follow_ups_remain(town):
    case = resolved_case(town)

    with translation.override("en"), pytest.raises(DomainError) as caught:
        act(town.user("leader"), case, "close")

    assert caught.value.message == "2 follow-ups are still to be done (next due 2025-09-22)."
    case.refresh_from_db()
    assert case.state == State.RESOLVED


def test_only_a_leader_may_close_early_and_only_with_a_reason(town):
    case = resolved_case(town)
    leader, dispatcher = town.user("leader"), town.user("dispatcher")

    assert "close_early" in {t.action for t in available_actions(leader, case)}
    assert "close" not in {t.action for t in available_actions(leader, case)}
    assert not {"close", "close_early"} & {t.action for t in available_actions(dispatcher, case)}
    with pytest.raises(DomainError) as caught:
        act(leader, case, "close_early")
    assert caught.value.field == "reason"

    case = act(leader, case, "close_early", reason="当事人已搬离本镇，无法回访")

    assert case.state == State.CLOSED
    assert {f.status for f in followups(case)} == {Status.CANCELLED}
    assert case.events.get(action="close_early").note == "当事人已搬离本镇，无法回访"


def test_close_early_is_not_offered_when_nothing_remains(town):
    case = resolved_case(town)
    for followup in followups(case):
        satisfied(town.user("grid_worker"), followup)
    case.refresh_from_db()

    offered = {t.action for t in available_actions(town.user("leader"), case)}

    assert "close" in offered and "close_early" not in offered


# ------------------------------------------------------------------ bad input
def test_a_satisfaction_outside_the_three_is_refused_and_nothing_saved(town):
    case = resolved_case(town)

    with translation.override("en"), pytest.raises(DomainError) as caught:
        satisfied(town.user("grid_worker"), followups(case)[0], satisfaction="happy")

    assert caught.value.field == "satisfaction"
    assert "basically satisfied" in caught.value.message
    assert not FollowUpAttempt.objects.exists()


@needs_mediation
def test_a_term_of_another_case_is_refused_and_nothing_saved(town):
    case = resolved_case(town)
    other = case_in_state(town, State.IN_PROGRESS)
    (foreign,) = agree(town, other, ("赔偿", dt.date(2025, 9, 30)))

    with pytest.raises(DomainError) as caught:
        satisfied(town.user("grid_worker"), followups(case)[0], term_checks={foreign.pk: True})

    assert caught.value.code == "term_unknown"
    assert not FollowUpAttempt.objects.exists()
    assert followups(case)[0].status == Status.SCHEDULED


def test_a_done_follow_up_cannot_be_recorded_again(town):
    case = resolved_case(town)
    first = followups(case)[0]
    satisfied(town.user("grid_worker"), first)

    with pytest.raises(DomainError) as caught:
        satisfied(town.user("grid_worker"), first)

    assert caught.value.code == "followup_finished"
    assert FollowUpAttempt.objects.filter(followup=first).count() == 1


def test_an_unreachable_party_gives_no_satisfaction(town):
    case = resolved_case(town)

    with pytest.raises(DomainError) as caught:
        satisfied(town.user("grid_worker"), followups(case)[0], reached=False)

    assert caught.value.field == "satisfaction"
    assert not FollowUpAttempt.objects.exists()


def test_a_follow_up_of_a_case_no_longer_resolved_is_refused(town):
    case = resolved_case(town)
    first = followups(case)[0]
    # Reopened by hand: what remained is cancelled, so nothing can be recorded on it.
    act(town.user("leader"), case, "reopen", reason="当事人来访反映")

    with pytest.raises(DomainError):
        satisfied(town.user("grid_worker"), first)
    assert not FollowUpAttempt.objects.exists()


# ------------------------------------------------------------------ reminders
def test_assignees_are_reminded_once_per_day(town):
    case = resolved_case(town)
    worker = town.user("grid_worker")

    on_the_day = followups_remind(now=shanghai(2025, 9, 22, 8))
    repeated = followups_remind(now=shanghai(2025, 9, 22, 15))
    next_day = followups_remind(now=shanghai(2025, 9, 23, 8))

    assert (on_the_day, repeated, next_day) == (1, 0, 1)
    titles = list(
        Notification.objects.filter(recipient=worker, case=case)
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert len(titles) == 2 and case.number in titles[0]


def test_the_reminders_run_with_the_daily_follow_up_pass(town):
    from fengqiao.jobs.registry import FOLLOWUP_PASSES

    assert "followups_due" in dict(FOLLOWUP_PASSES)
