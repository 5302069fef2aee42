"""The deadline sweep and the periodic jobs: each condition acted on once, whatever happens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, State
from fengqiao.core import clock
from fengqiao.jobs import registry
from fengqiao.jobs.checks import check_deadline_warning
from fengqiao.jobs.deadlines import deadline_sweep
from fengqiao.jobs.models import DeadlineWarning
from fengqiao.notify.models import Kind, Notification
from tests.fixtures import UserFactory, act, build_town, case_in_state, new_case, run_together

pytestmark = pytest.mark.usefixtures("jobs_immediate")

MINUTE = dt.timedelta(minutes=1)


def told(case: Case, kind: str) -> set[str]:
    return set(
        Notification.objects.filter(case=case, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.fixture
def hook_calls(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(
        registry, "OVERDUE_HOOKS", [lambda cases, *, now: calls.extend(case.pk for case in cases)]
    )
    return calls


def test_a_case_due_today_warns_its_handler_once(town):
    # given a general dispute handled by the property team (the mediator is a member)
    case = case_in_state(town, State.IN_PROGRESS)

    # when the sweep runs two hours before the deadline, twice
    first = deadline_sweep(now=case.due_at - dt.timedelta(hours=2))
    second = deadline_sweep(now=case.due_at - dt.timedelta(hours=1))

    # then the mediator is warned once, and nobody else
    assert first == {"overdue": 0, "near": 1, "notifications": 1}
    assert second == {"overdue": 0, "near": 0, "notifications": 0}
    assert told(case, Kind.DEADLINE_NEAR) == {"t_mediator"}


def test_a_fresh_case_is_not_warned(town):
    case = case_in_state(town, State.IN_PROGRESS)

    result = deadline_sweep(now=case.clock_start + dt.timedelta(hours=1))

    assert result == {"overdue": 0, "near": 0, "notifications": 0}


@override_settings(FENGQIAO_DEADLINE_WARNING={"working_days": 0, "fraction": 0.5})
def test_the_fraction_of_time_left_warns(town):
    case = case_in_state(town, State.IN_PROGRESS)
    allowed = case.due_at - case.clock_start

    early = deadline_sweep(now=case.clock_start + allowed * 0.4)
    late = deadline_sweep(now=case.clock_start + allowed * 0.6)

    assert early["near"] == 0
    assert late["near"] == 1


def test_an_overdue_case_tells_the_handler_and_the_leaders_over_it(town, hook_calls):
    # given a leader of the other village, who must not be told
    UserFactory(username="west_leader", roles=[Role.LEADER], home_area=town.village_b)
    case = case_in_state(town, State.IN_PROGRESS)

    result = deadline_sweep(now=case.due_at + MINUTE)
    again = deadline_sweep(now=case.due_at + 2 * MINUTE)

    assert result == {"overdue": 1, "near": 0, "notifications": 2}
    assert again == {"overdue": 0, "near": 0, "notifications": 0}
    assert told(case, Kind.DEADLINE_OVERDUE) == {"t_mediator", "t_leader"}
    assert hook_calls == [case.pk]


def test_a_case_nobody_handles_yet_warns_the_dispatchers(town):
    case = case_in_state(town, State.ACCEPTED)

    deadline_sweep(now=case.due_at - dt.timedelta(hours=2))

    assert told(case, Kind.DEADLINE_NEAR) == {"t_dispatcher"}


@pytest.mark.parametrize("state", [State.SUSPENDED, State.RESOLVED, State.CLOSED])
def test_a_case_whose_clock_stands_still_is_not_warned(town, state, hook_calls):
    case = case_in_state(town, state)

    result = deadline_sweep(now=case.due_at + dt.timedelta(days=3))

    assert result == {"overdue": 0, "near": 0, "notifications": 0}
    assert hook_calls == []


def test_a_met_milestone_is_not_warned(town):
    case = case_in_state(town, State.IN_PROGRESS)
    act(town.user("mediator"), case, "record_milestone", note="已向当事人反馈")

    assert deadline_sweep(now=case.due_at + MINUTE)["overdue"] == 0


def test_a_recomputed_deadline_warns_again(town, hook_calls):
    # given an overdue case already warned
    case = case_in_state(town, State.IN_PROGRESS)
    deadline_sweep(now=case.due_at + MINUTE)
    # when an extension moves the deadline, and the new one passes too
    act(town.user("mediator"), case, "request_extension", days=2, reason="需现场勘查")
    case = act(town.user("leader"), case, "approve_extension")
    result = deadline_sweep(now=case.due_at + MINUTE)

    # then it is warned again, once for the new deadline
    assert result["overdue"] == 1
    assert Notification.objects.filter(case=case, recipient=town.user("mediator")).count() == 2
    assert hook_calls == [case.pk, case.pk]
    assert DeadlineWarning.objects.filter(case=case, kind="overdue").count() == 2


def test_a_sweep_killed_half_way_loses_nothing(town, monkeypatch):
    # given a sweep that dies while acting on an overdue case
    case = case_in_state(town, State.IN_PROGRESS)

    def crash(cases, *, now):
        raise SystemExit("worker killed")

    monkeypatch.setattr(registry, "OVERDUE_HOOKS", [crash])
    with pytest.raises(SystemExit):
        deadline_sweep(now=case.due_at + MINUTE)
    assert not Notification.objects.exists()
    assert not DeadlineWarning.objects.exists()

    # when the worker is restarted
    monkeypatch.setattr(registry, "OVERDUE_HOOKS", [])
    result = deadline_sweep(now=case.due_at + 2 * MINUTE)

    # then the work is done, once
    assert result["overdue"] == 1
    assert told(case, Kind.DEADLINE_OVERDUE) == {"t_mediator", "t_leader"}


def test_many_cases_are_swept_in_chunks(town):
    cases = [new_case(town.user("intake_clerk"), town.unit_a1) for _ in range(5)]
    latest_due = max(case.due_at for case in cases)

    result = deadline_sweep(now=latest_due + MINUTE, chunk_size=2)

    # unhandled cases: the dispatcher and the leader, for each case
    assert result == {"overdue": 5, "near": 0, "notifications": 10}


def test_the_overdue_hooks_get_each_chunk_of_newly_overdue_cases_at_once(town, monkeypatch):
    # given five overdue cases and a hook that notes what it is handed
    cases = [new_case(town.user("intake_clerk"), town.unit_a1) for _ in range(5)]
    batches: list[list[int]] = []
    monkeypatch.setattr(
        registry, "OVERDUE_HOOKS", [lambda cases, *, now: batches.append([c.pk for c in cases])]
    )
    now = max(case.due_at for case in cases) + MINUTE

    # when the sweep runs in chunks of two, and again
    deadline_sweep(now=now, chunk_size=2)
    deadline_sweep(now=now + MINUTE, chunk_size=2)

    # then the hook was called once per chunk, with every case once, and not again
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert sorted(pk for batch in batches for pk in batch) == sorted(case.pk for case in cases)


@override_settings(FENGQIAO_DEADLINE_WARNING={"working_days": -1, "fraction": 1.5})
def test_thresholds_out_of_range_are_a_startup_error():
    errors = check_deadline_warning()

    assert [error.id for error in errors] == ["jobs.E001", "jobs.E001"]
    assert "working_days" in errors[0].msg and "fraction" in errors[1].msg


def test_the_default_thresholds_pass_the_check():
    assert check_deadline_warning() == []


def test_the_jobs_run_in_immediate_mode(town, monkeypatch):
    from fengqiao.jobs.tasks import deadline_sweep_job, followup_reminders_job, rules_pass_job

    # given a case registered a month late (so already overdue) and two registered passes
    case = new_case(
        town.user("intake_clerk"),
        town.unit_a1,
        received_at=clock.now() - dt.timedelta(days=30),
        backdate_reason="补录来信",
    )
    ran: list[str] = []
    monkeypatch.setattr(registry, "RULE_PASSES", [])
    monkeypatch.setattr(registry, "FOLLOWUP_PASSES", [])
    registry.register_periodic("hotspot", lambda *, now: ran.append("hotspot"))
    registry.register_periodic("hotspot", lambda *, now: ran.append("hotspot, replaced"))
    registry.register_followup("broken", lambda *, now: 1 / 0)
    registry.register_followup("reminders", lambda *, now: ran.append("reminders"))

    # when the periodic jobs are called (huey runs them at once in immediate mode)
    deadline_sweep_job()
    rules_pass_job()
    followup_reminders_job()

    # then each did its work, and a failing pass did not stop the others
    assert told(case, Kind.DEADLINE_OVERDUE) == {"t_dispatcher", "t_leader"}
    assert ran == ["hotspot, replaced", "reminders"]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_act_on_each_condition_once(monkeypatch):
    town = build_town()
    cases = [case_in_state(town, State.IN_PROGRESS) for _ in range(3)]
    calls: list[int] = []
    monkeypatch.setattr(
        registry, "OVERDUE_HOOKS", [lambda cases, *, now: calls.extend(case.pk for case in cases)]
    )
    now = max(case.due_at for case in cases) + MINUTE

    results = run_together(lambda: deadline_sweep(now=now), lambda: deadline_sweep(now=now))

    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["overdue"] for result in results) == 3
    assert Notification.objects.count() == 6
    assert sorted(calls) == sorted(case.pk for case in cases)
    for case in cases:
        assert told(case, Kind.DEADLINE_OVERDUE) == {"t_mediator", "t_leader"}


def test_the_queue_index_serves_the_work_queue_once_statistics_exist(town):
    from django.db import connection

    from fengqiao.cases.selectors import QueueFilter, case_queue
    from fengqiao.jobs.maintenance import database_optimize

    for _ in range(3):
        new_case(town.user("intake_clerk"), town.unit_a1)
    outcome = database_optimize()
    assert outcome == ("optimized" if connection.vendor == "sqlite" else "skipped")
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        assert cursor.fetchall(), "the job left the cases table without statistics"
    queryset = case_queue(user=town.user("leader"), filters=QueueFilter(scope="area"))[:25]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "case_open_queue" in plan
