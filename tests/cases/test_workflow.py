"""Random walks through the lifecycle: the table is never left, the timeline replays."""

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.accounts.roles import ADMIN_ROLES, Role
from fengqiao.cases import workflow
from fengqiao.cases.models import Case, State
from fengqiao.cases.services import case_act
from fengqiao.core.errors import DomainError
from tests.fixtures import inputs_for, new_case

pytestmark = pytest.mark.django_db

EVERYDAY_ROLES = [role for role in Role if role not in ADMIN_ROLES]
FORWARD = [
    "accept",
    "dispatch",
    "acknowledge",
    "start",
    "suspend",
    "resume",
    "resolve",
    "close",
    "reopen",
    "transfer",
    "escalate",
]


def likely_actor(action: str, pick: int) -> str:
    """Most steps are taken by someone the table names, so walks get somewhere."""
    actors = workflow.ACTIONS[action].actors
    if "handler" in workflow.ACTIONS[action].requires:
        # The inputs name the town's property team, which only the centre may send to.
        actors = actors & workflow.COMMAND
    # The relations stand for who holds them in these walks: the property team's mediator
    # handles the case, the clerk registered it.
    stand_in = {workflow.ASSIGNEE: Role.MEDIATOR, workflow.REPORTER: Role.INTAKE_CLERK}
    named = sorted({stand_in.get(actor, actor) for actor in actors})
    return named[pick % len(named)]


def replay(case: Case) -> str:
    state = ""
    for event in case.events.order_by("sequence"):
        assert event.from_state == state, (event.action, event.from_state, state)
        if event.action not in (workflow.REPORT, "merged_from", "deadline_recomputed"):
            transition = workflow.ACTIONS[event.action]
            assert event.from_state in transition.sources
            assert event.to_state in (transition.targets or {event.from_state})
        state = event.to_state
    return state


progress: set[str] = set()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=30))
def test_random_walks_stay_in_the_table_and_replay(town, data, length):
    other = new_case(town.user("intake_clerk"), town.unit_a1, title="另一件")
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    all_actions = [t.action for t in workflow.TRANSITIONS]
    for _step in range(length):
        case.refresh_from_db()
        before = case.state
        # Mostly an action the state allows, by someone the table names; sometimes anything.
        # Forward actions first: hypothesis leans towards the first choices, and walks that
        # always merge or reject at once would never see the later states.
        possible = sorted(
            (t.action for t in workflow.TRANSITIONS if before in t.sources),
            key=lambda name: FORWARD.index(name) if name in FORWARD else len(FORWARD),
        )
        wild = data.draw(st.integers(min_value=0, max_value=9)) >= 8 or not possible
        action = data.draw(st.sampled_from(all_actions if wild else possible))
        role = data.draw(
            st.sampled_from(EVERYDAY_ROLES)
            if wild
            else st.integers(min_value=0, max_value=20).map(lambda i, a=action: likely_actor(a, i))
        )
        try:
            case = case_act(
                actor=town.user(role),
                case_id=case.pk,
                action=action,
                expected_version=case.version,
                **inputs_for(action, town=town, other_case=other),
            )
        except (DomainError, Http404):
            case.refresh_from_db()
            assert case.state == before
            continue
        transition = workflow.ACTIONS[action]
        assert before in transition.sources
        assert case.state in (transition.targets or {before})
        assert case.is_open == (case.state not in workflow.TERMINAL_STATES)
    case.refresh_from_db()
    progress.add(case.state)
    assert case.state in State.values
    assert replay(case) == case.state
    assert case.version == case.events.count()


def test_the_walks_reached_many_states():
    # Runs after the walks (file order): they must not all have stalled at the start.
    assert len(progress) >= 5, progress
