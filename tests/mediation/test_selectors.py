"""Routing: the category proposes its mediation team."""

from __future__ import annotations

import pytest

from fengqiao.cases import workflow
from fengqiao.cases.models import CaseCategory
from fengqiao.core import clock
from fengqiao.mediation.models import CategoryTeam
from fengqiao.mediation.selectors import proposed_team_for
from fengqiao.orgs.models import MediationKind, MediationOrganization
from fengqiao.web.case_forms import ActionForm
from tests.fixtures import NOW, act, new_case, property_team


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ routing
def test_the_category_proposes_its_team_and_the_dispatch_form_preselects_it(town):
    team = property_team(town)
    category = CaseCategory.objects.get(code="property")
    CategoryTeam.objects.create(category=category, team=team)
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    assert proposed_team_for(case) == team
    case = act(town.user("intake_clerk"), case, "accept")
    form = ActionForm(
        transition=workflow.ACTIONS["dispatch"], case=case, user=town.user("dispatcher")
    )
    assert form["handler"].value() == f"team:{team.pk}"
    other = new_case(
        town.user("intake_clerk"), town.unit_a1, category=CaseCategory.objects.get(code="debt")
    )
    assert proposed_team_for(other) is None


def test_a_team_given_categories_becomes_their_route_without_overriding_one_set(town):
    land = CaseCategory.objects.get(code="land")
    labour = CaseCategory.objects.get(code="labour")
    chosen = MediationOrganization.objects.create(
        kind=MediationKind.TEAM, name="劳资纠纷调解队", area=town.town
    )
    CategoryTeam.objects.create(category=labour, team=chosen)
    team = MediationOrganization.objects.create(
        kind=MediationKind.TEAM, name="土地纠纷调解队", area=town.town
    )
    team.categories.set([land, labour])
    assert CategoryTeam.objects.get(category=land).team == team
    assert CategoryTeam.objects.get(category=labour).team == chosen
