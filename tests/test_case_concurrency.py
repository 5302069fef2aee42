"""Two people acting on one case at the same moment: one wins, the other is told."""

import threading

import pytest
from django.db import close_old_connections, connection

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseEvent, State
from fengqiao.cases.services import CaseConflict, case_act
from tests.cases_helpers import new_case
from tests.conftest import build_town

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs):
    """Start the jobs on separate threads (each with its own connection) at one instant."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def runner(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_actors_at_once_one_wins_one_gets_the_conflict():
    town = build_town()
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    seen = case.version

    results = run_together(
        lambda: case_act(
            actor=town.user("intake_clerk"), case_id=case.pk, action="accept", expected_version=seen
        ),
        lambda: case_act(
            actor=town.user("dispatcher"),
            case_id=case.pk,
            action="reject",
            expected_version=seen,
            reason="不属于受理范围",
        ),
    )

    winners = [r for r in results if isinstance(r, Case)]
    conflicts = [r for r in results if isinstance(r, CaseConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    case.refresh_from_db()
    assert case.version == seen + 1
    assert case.state == winners[0].state
    assert case.state in (State.ACCEPTED, State.REJECTED)
    # Nothing half-written: one new timeline entry, one case audit row for the winner.
    assert CaseEvent.objects.filter(case=case).count() == 2
    assert (
        AuditEvent.objects.filter(
            target_id=str(case.pk), action__in=["case.accept", "case.reject"]
        ).count()
        == 1
    )
