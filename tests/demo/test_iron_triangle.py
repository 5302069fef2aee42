"""The demo year shows the iron triangle (铁三角) on one dispute: a unit head reports a leak
between neighbours, the grid worker gives feedback in time but cannot settle it and passes
it up to the community, whose mediation committee passes it up to the town, which brings
in the judicial office; every hand-over is a step of the case's timeline. It takes the
place of a general dispute settled in time, drawn apart, so the rest of the year is as it
was."""

from __future__ import annotations

import pytest

from fengqiao.cases.models import Case, Channel, HandlingLevel, State
from fengqiao.cases.selectors import case_timeline
from fengqiao.demo.generator import TownPlan, write_plan
from tests.fixtures import DEMO_PASSWORD

CHAIN = [
    ("cadre01", "accept"),
    ("cadre01", "dispatch"),
    ("grid01", "acknowledge"),
    ("grid01", "start"),
    ("grid01", "record_milestone"),
    ("grid01", "escalate"),
    ("cadre01", "dispatch"),
    ("mediator06", "acknowledge"),
    ("mediator06", "start"),
    ("mediator06", "escalate"),
    ("dispatcher", "transfer"),
    ("liaison_judicial", "resolve"),
]


def triangle_of(plan: TownPlan):
    (case,) = [c for c in plan.cases if [s.action for s in c.steps].count("escalate") == 2]
    return case


def test_one_dispute_of_the_year_goes_up_the_triangle(plan: TownPlan) -> None:
    case = triangle_of(plan)

    assert case.kind == "dispute" and case.channel == Channel.GRID_REPORT
    assert case.reporter.startswith("unit") and "漏水" in case.title
    assert [(step.actor, step.action) for step in case.steps[: len(CHAIN)]] == CHAIN
    assert case.steps[1].handler.ref == "grid01"
    assert case.steps[6].handler.ref == "万泉佳苑社区人民调解委员会"
    assert case.steps[10].agency == "judicial"
    assert case.is_resolved and case.state == State.CLOSED and case.grade == "general"


@pytest.mark.django_db
def test_the_stored_case_shows_the_chain_on_its_timeline(small_year: TownPlan) -> None:
    # given the small year, which draws the same dispute
    planned = triangle_of(small_year)

    # when it is played through the services
    write_plan(small_year, password=DEMO_PASSWORD)

    # then its timeline is the chain, from the unit head's report to the judicial office
    case = Case.objects.get(title=planned.title, received_at=planned.received_at)
    # (a supervision order the leader raised on it meanwhile is on the timeline too)
    events = [e for e in case_timeline(case=case) if not e.action.startswith("supervision")]
    assert events[0].actor.username == planned.reporter
    assert [(e.actor.username, e.action) for e in events[1 : len(CHAIN) + 1]] == CHAIN
    escalations = [e.data for e in events if e.action == "escalate"]
    assert [(d["from_level"], d["to_level"]) for d in escalations] == [
        (HandlingLevel.GRID, HandlingLevel.VILLAGE),
        (HandlingLevel.VILLAGE, HandlingLevel.TOWN),
    ]
    assert case.resolved_level == HandlingLevel.TOWN and case.state == State.CLOSED
