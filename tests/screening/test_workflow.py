"""The screening tables: every move by every role in every state is done exactly when the
table allows it, refused with a reason otherwise, and offered exactly when it would be done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.http import Http404

from fengqiao.accounts.roles import Role
from fengqiao.core.errors import DomainError, WrongState
from fengqiao.screening import services, workflow
from fengqiao.screening.models import ReportState, RoundKind, RoundState
from tests.fixtures import (
    ROUND_AFTER_DUE,
    ROUND_DURING,
    ROUND_OPENED,
    file_findings,
    file_zero,
    found_hazard,
    open_round,
)

pytestmark = pytest.mark.django_db

ROLES = list(Role)
# Who the table names for each move, in the named town: the leader manages the town's round;
# for unit A1 the unit head reports, the village cadre and the leader on its behalf.
ROUND_ACTORS = {"open": {Role.LEADER}, "close": {Role.LEADER}}
REPORT_ACTORS = {Role.UNIT_HEAD, Role.VILLAGE_CADRE, Role.LEADER}


def attempt(run) -> tuple[bool, str]:
    savepoint = transaction.savepoint()
    try:
        run()
    except DomainError as error:
        return False, error.message
    except Http404:
        return False, "404"
    else:
        return True, ""
    finally:
        transaction.savepoint_rollback(savepoint)


def special(user) -> object:
    return services.screening_round_open(
        actor=user,
        kind=RoundKind.SPECIAL,
        period_start=dt.date(2026, 3, 9),
        period_end=dt.date(2026, 3, 15),
        now=ROUND_OPENED,
    )


def test_opening_a_round_by_every_role(town):
    problems = []
    for role in ROLES:
        done, message = attempt(lambda role=role: special(town.user(role)))
        if done != (role in ROUND_ACTORS["open"]):
            problems.append(("open", role, done, message))
        if not done and not message:
            problems.append(("open", role, "refused without a reason"))
        if workflow.may_open_rounds(town.user(role)) != done:
            problems.append(("open", role, "offered", not done))
    assert problems == []


@pytest.mark.parametrize("state", list(RoundState))
def test_closing_a_round_by_every_role_in_every_state(town, state):
    screening_round = open_round(town)
    if state == RoundState.CLOSED:
        services.screening_round_close(actor=town.user(Role.LEADER), round_id=screening_round.pk)
    problems = []
    for role in ROLES:
        user = town.user(role)
        allowed = state in workflow.ROUND_LIFECYCLE.get("close").sources and (
            role in ROUND_ACTORS["close"]
        )
        done, message = attempt(
            lambda user=user: services.screening_round_close(
                actor=user, round_id=screening_round.pk, now=ROUND_AFTER_DUE
            )
        )
        if done != allowed:
            problems.append(("close", role, done, message))
        if not done and not message:
            problems.append(("close", role, "refused without a reason"))
        screening_round.refresh_from_db()
        offered = {move.action for move in workflow.round_moves(user, screening_round)}
        if offered != ({"close"} if done else set()):
            problems.append(("close", role, "offered", offered))
    assert problems == []


# The two ways to file: a zero report, or findings (which file the report, or add to it).
OPERATIONS = {
    "zero": lambda user, screening_round, area: file_zero(user, screening_round, area),
    "findings": lambda user, screening_round, area: file_findings(
        user, screening_round, [found_hazard(handled_on_spot=True, handled_note="当场清理")], area
    ),
}


def move_of(operation: str, state: str) -> str:
    if operation == "zero":
        return "report_nothing"
    return "report_findings" if state == ReportState.PENDING else "add_findings"


@pytest.mark.parametrize("round_open", [True, False], ids=["round open", "round closed"])
@pytest.mark.parametrize("state", list(ReportState))
def test_filing_by_every_role_in_every_state(town, state, round_open):
    screening_round = open_round(town)
    unit_head = town.user(Role.UNIT_HEAD)
    if state == ReportState.NOTHING_FOUND:
        file_zero(unit_head, screening_round)
    elif state == ReportState.FOUND:
        OPERATIONS["findings"](unit_head, screening_round, town.unit_a1)
    if not round_open:
        services.screening_round_close(actor=town.user(Role.LEADER), round_id=screening_round.pk)
        screening_round.refresh_from_db()
    problems = []
    seen_moves = set()
    for role in ROLES:
        user = town.user(role)
        done_moves = set()
        for operation, run in OPERATIONS.items():
            move = workflow.REPORT_LIFECYCLE.get(move_of(operation, state))
            seen_moves.add(move.action)
            allowed = (
                state in move.sources
                and role in REPORT_ACTORS
                and (round_open or move.action != "add_findings")
            )
            done, message = attempt(
                lambda run=run, user=user: run(user, screening_round, town.unit_a1)
            )
            if done:
                done_moves.add(move.action)
            if done != allowed:
                problems.append((operation, state, role, done, message))
            if not done and not message:
                problems.append((operation, role, "refused without a reason"))
        offered = {
            move.action
            for move in workflow.report_moves(user, state, town.unit_a1, round_open=round_open)
        }
        if role in REPORT_ACTORS and offered != done_moves:
            problems.append((role, "offered", sorted(offered), "done", sorted(done_moves)))
    assert problems == []
    # every move of the table was tried in some state
    assert seen_moves <= set(workflow.REPORT_LIFECYCLE.actions)


def test_a_refusal_says_the_state_before_the_role(town, grid_worker_b):
    # a grid worker may not file for a unit of the grid, but after the unit's zero report
    # anyone in scope hears that it is filed already
    screening_round = open_round(town)
    file_zero(town.user(Role.UNIT_HEAD), screening_round)

    with pytest.raises(WrongState) as refused:
        file_zero(town.user(Role.GRID_WORKER), screening_round, town.unit_a1, now=ROUND_DURING)

    assert refused.value.code == "already_reported"
