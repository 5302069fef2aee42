"""The iron triangle (铁三角) as case transitions: a unit head reports, the grid worker takes
it on, what the grid cannot settle goes up to the village's mediation committee, what the
village cannot settle up to the town, and the town brings in a department. Each hand-over
is a step of the case's timeline, never a phone call, and each follows the handler rule:
a village reaches only its own people and committee, and escalates to bring in the town."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import HandlingLevel, State
from fengqiao.cases.selectors import case_timeline, handler_agencies, handler_teams
from fengqiao.core.errors import NotAllowed
from fengqiao.orgs.models import (
    Agency,
    AgencyKind,
    MediationKind,
    MediationMembership,
    MediationOrganization,
)
from tests.fixtures import UserFactory, act, new_case, property_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def triangle(town):
    """The village's mediation committee with its mediator, and the town's judicial office
    with its liaison, beside the named town's unit head, grid worker and cadre."""
    committee = MediationOrganization.objects.create(
        kind=MediationKind.COMMITTEE, name="东村人民调解委员会", area=town.village_a
    )
    mediator = UserFactory(
        username="t_village_mediator",
        full_name="吴桂兰",
        roles=[Role.MEDIATOR],
        home_area=town.village_a,
    )
    MediationMembership.objects.create(organization=committee, user=mediator)
    office = Agency.objects.create(kind=AgencyKind.JUDICIAL, name="枫桥司法所", area=town.town)
    liaison = UserFactory(
        username="t_judicial", roles=[Role.AGENCY_LIAISON], home_area=town.town, agency=office
    )
    return {"committee": committee, "mediator": mediator, "office": office, "liaison": liaison}


def test_a_unit_head_s_report_goes_up_the_triangle_to_a_town_department(town, triangle):
    unit_head, grid_worker = town.user(Role.UNIT_HEAD), town.user(Role.GRID_WORKER)
    cadre, dispatcher = town.user(Role.VILLAGE_CADRE), town.user(Role.DISPATCHER)
    mediator, liaison = triangle["mediator"], triangle["liaison"]

    # given a unit head's report from their unit
    case = new_case(
        unit_head, town.unit_a1, channel="grid_report", title="东村1组两户因排水沟堵塞起争执"
    )

    # when the village takes it in and gives it to the unit's grid worker
    act(cadre, case, "accept")
    act(cadre, case, "dispatch", handler={"user": grid_worker.pk})
    act(grid_worker, case, "acknowledge")
    act(grid_worker, case, "start")
    # who cannot settle it at the grid and passes it up to the village
    case = act(grid_worker, case, "escalate", reason="两户各执一词，网格调处未果")
    assert (case.state, case.handling_level) == (State.ACCEPTED, HandlingLevel.VILLAGE)
    assert case.handler is None
    # where the cadre gives it to the village's mediation committee
    act(cadre, case, "dispatch", handler={"team": triangle["committee"].pk})
    act(mediator, case, "acknowledge")
    act(mediator, case, "start")
    # whose mediator cannot settle it either and passes it up to the town
    case = act(mediator, case, "escalate", reason="涉及沟渠产权，村级调解无法化解")
    assert (case.state, case.handling_level) == (State.ACCEPTED, HandlingLevel.TOWN)
    # where the centre brings in a department, which records the result
    act(dispatcher, case, "transfer", agency=triangle["office"].pk, reason="请司法所组织调处")
    case = act(liaison, case, "resolve", outcome="resolved", note="司法所调处，双方重新疏通沟渠")

    # then the case was settled at the town, after a chain of hand-overs on its timeline
    assert (case.state, case.resolved_level) == (State.RESOLVED, HandlingLevel.TOWN)
    steps = [
        (event.action, event.actor.username, event.from_state, event.to_state, event.data)
        for event in case_timeline(case=case)
    ]
    assert [(action, actor, to) for action, actor, _from, to, _data in steps] == [
        ("report", "t_unit_head", State.REPORTED),
        ("accept", "t_village_cadre", State.ACCEPTED),
        ("dispatch", "t_village_cadre", State.DISPATCHED),
        ("acknowledge", "t_grid_worker", State.ACKNOWLEDGED),
        ("start", "t_grid_worker", State.IN_PROGRESS),
        ("escalate", "t_grid_worker", State.ACCEPTED),
        ("dispatch", "t_village_cadre", State.DISPATCHED),
        ("acknowledge", "t_village_mediator", State.ACKNOWLEDGED),
        ("start", "t_village_mediator", State.IN_PROGRESS),
        ("escalate", "t_village_mediator", State.ACCEPTED),
        ("transfer", "t_dispatcher", State.TRANSFERRED),
        ("resolve", "t_judicial", State.RESOLVED),
    ]
    handed = [
        (data.get("handler"), data.get("level"))
        for action, *_r, data in steps
        if action == "dispatch"
    ]
    assert handed == [(grid_worker.full_name, HandlingLevel.GRID), ("东村人民调解委员会", 2)]
    levels = [(data["from_level"], data["to_level"]) for a, *_r, data in steps if a == "escalate"]
    assert levels == [(HandlingLevel.GRID, HandlingLevel.VILLAGE), (HandlingLevel.VILLAGE, 1)]
    assert steps[-2][4]["agency"] == "枫桥司法所"

    # and the case page shows every hand-over, with where each escalation went
    page = Client()
    page.force_login(town.user(Role.LEADER))
    timeline = page.get(f"/cases/{case.pk}/").content.decode()
    timeline = timeline[timeline.index('class="timeline"') :]
    for name in ("吴桂兰", grid_worker.full_name, "东村人民调解委员会", "枫桥司法所"):
        assert name in timeline
    assert timeline.count("上报至：") == 2
    assert "上报至：村（社区）" in timeline and "上报至：镇综治中心" in timeline


def test_the_village_brings_in_the_town_only_by_escalating(town, triangle):
    cadre = town.user(Role.VILLAGE_CADRE)
    town_team = property_team(town)
    case = new_case(town.user(Role.UNIT_HEAD), town.unit_a1, channel="grid_report")
    case = act(cadre, case, "accept")

    # the cadre reaches the village's committee, not the town's team or department
    assert list(handler_teams(actor=cadre, case=case, action="dispatch")) == [triangle["committee"]]
    assert not handler_agencies(actor=cadre, case=case, action="dispatch").exists()
    with pytest.raises(NotAllowed):
        act(cadre, case, "dispatch", handler={"team": town_team.pk})
    # but may pass the village's case up, after which the town's dispatcher sends it on
    case = act(cadre, case, "escalate", reason="需镇专业调解队介入")
    assert case.handling_level == HandlingLevel.TOWN
    case = act(town.user(Role.DISPATCHER), case, "dispatch", handler={"team": town_team.pk})
    assert case.handler_team == town_team
