"""Who may be sent a case, as a table: role × handler kind × where the handler stands
(inside the case's line, a sibling grid, above the case, another village), for dispatch,
reassign, transfer and escalate, through the service and through the API alike.

The case lies in 东村1组 (village A, grid A1). A handler "inside" is the grid's worker, the
village's committee, an agency of the village; "sibling" the same beside it in grid A2;
"above" the town's mediator, team and court; "other" the same in village B.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import translation

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.cases import workflow
from fengqiao.cases.models import Case, HandlingLevel, State
from fengqiao.cases.selectors import handler_agencies, handler_teams, handler_users
from fengqiao.cases.services import case_act
from fengqiao.core.errors import DomainError, NotAllowed
from fengqiao.orgs.models import Agency, AgencyKind, MediationKind, MediationOrganization
from fengqiao.web.case_forms import ActionForm
from tests.fixtures import Api, UserFactory, act, case_in_state, property_team

pytestmark = pytest.mark.django_db

PLACES = ("inside", "sibling", "above", "other")
KINDS = ("user", "team", "agency")
SENDERS = [role for role in Role if role not in {"system_admin", "security_admin", "audit_admin"}]

# Which places each role may send to, by action; every other role is refused by the table.
MAY_SEND = {
    "dispatch": {
        Role.LEADER: {"inside", "above"},
        Role.DISPATCHER: {"inside", "above"},
        Role.VILLAGE_CADRE: {"inside"},
    },
    "reassign": {Role.LEADER: {"inside", "above"}, Role.DISPATCHER: {"inside", "above"}},
    "transfer": {Role.LEADER: {"inside", "above"}, Role.DISPATCHER: {"inside", "above"}},
}


@pytest.fixture
def handlers(town: Any) -> dict[tuple[str, str], Any]:
    """One handler of each kind in each place."""

    def committee(name: str, area: Any) -> MediationOrganization:
        return MediationOrganization.objects.create(
            kind=MediationKind.COMMITTEE, name=name, area=area
        )

    def agency(name: str, area: Any) -> Agency:
        return Agency.objects.create(kind=AgencyKind.POLICE, name=name, area=area)

    def worker(username: str, role: str, home: Any) -> Any:
        return UserFactory(username=username, roles=[role], home_area=home)

    return {
        ("user", "inside"): town.user("grid_worker"),
        ("team", "inside"): committee("东村人民调解委员会", town.village_a),
        ("agency", "inside"): agency("东村警务室", town.village_a),
        ("user", "sibling"): worker("t_grid_a2", Role.GRID_WORKER, town.grid_a2),
        ("team", "sibling"): committee("东村二网格调解小组", town.grid_a2),
        ("agency", "sibling"): agency("东村二网格警务点", town.grid_a2),
        ("user", "above"): town.user("mediator"),
        ("team", "above"): property_team(town),
        ("agency", "above"): town.court,
        ("user", "other"): worker("t_grid_b1", Role.GRID_WORKER, town.grid_b1),
        ("team", "other"): committee("西村人民调解委员会", town.village_b),
        ("agency", "other"): agency("西村警务室", town.village_b),
    }


def inputs(action: str, kind: str, handler: Any) -> dict[str, Any]:
    if action == "transfer":
        return {"agency": handler.pk, "reason": "需部门处理"}
    named = {"handler": {kind: handler.pk}}
    return {**named, "reason": "调整承办"} if action == "reassign" else named


def ready_case(town: Any, action: str) -> Case:
    """A case in village A in a state the action starts from; a reassigned one is first
    with the village cadre (who is not among the handlers of the table)."""
    case = case_in_state(town, State.ACCEPTED)
    if action == "reassign":
        case = act(town.user("dispatcher"), case, "dispatch", handler={"user": cadre(town).pk})
    return case


def cadre(town: Any) -> Any:
    return town.user("village_cadre")


def expected(action: str, role: str, kind: str, place: str) -> bool:
    if action == "transfer" and kind != "agency":
        return False
    return place in MAY_SEND[action].get(role, set())


# --------------------------------------------------------------------------- the service
@pytest.mark.parametrize("action", ["dispatch", "reassign", "transfer"])
def test_the_service_sends_a_case_only_where_the_rule_allows(town, handlers, action):
    case = ready_case(town, action)
    kinds = ("agency",) if action == "transfer" else KINDS
    wrong = []
    for role in SENDERS:
        for kind in kinds:
            for place in PLACES:
                handler = handlers[(kind, place)]
                savepoint = transaction.savepoint()
                try:
                    case.refresh_from_db()
                    case_act(
                        actor=town.user(role),
                        case_id=case.pk,
                        action=action,
                        expected_version=case.version,
                        **inputs(action, kind, handler),
                    )
                except NotAllowed:
                    sent = False
                except Http404:
                    sent = False
                else:
                    sent = True
                finally:
                    transaction.savepoint_rollback(savepoint)
                if sent != expected(action, role, kind, place):
                    wrong.append((role, kind, place, sent))
    assert wrong == []


def test_a_refused_handler_is_audited_and_changes_nothing(town, handlers):
    case = ready_case(town, "dispatch")

    with pytest.raises(NotAllowed) as refused:
        act(cadre(town), case, "dispatch", handler={"team": handlers[("team", "other")].pk})

    assert "西村人民调解委员会" in refused.value.message
    case.refresh_from_db()
    assert (case.state, case.handler_team) == (State.ACCEPTED, None)
    assert (
        AuditEvent.objects.filter(
            action="case.dispatch", outcome="denied", actor=cadre(town), target_id=str(case.pk)
        ).count()
        == 1
    )


def test_reassigning_to_the_present_handler_is_refused_as_bad_input(town):
    case = ready_case(town, "reassign")

    with pytest.raises(DomainError) as refused:
        act(town.user("dispatcher"), case, "reassign", handler={"user": cadre(town).pk}, reason="x")

    assert (refused.value.status, refused.value.field) == (400, "handler")


# --------------------------------------------------------------------------- the API
@pytest.mark.parametrize("action", ["dispatch", "reassign", "transfer"])
def test_the_api_answers_the_same_rule_with_403(town, handlers, action):
    kinds = ("agency",) if action == "transfer" else KINDS
    wrong = []
    for role in (Role.LEADER, Role.VILLAGE_CADRE, Role.GRID_WORKER):
        for kind in kinds:
            for place in PLACES:
                case = ready_case(town, action)
                response = Api(town.user(role)).post(
                    f"/cases/{case.pk}/actions/{action}",
                    {"version": case.version, **inputs(action, kind, handlers[(kind, place)])},
                )
                want = 200 if expected(action, role, kind, place) else 403
                if response.status_code != want:
                    wrong.append((role, kind, place, response.status_code))
                elif want == 403:
                    assert response.json()["code"] == "not_allowed"
    assert wrong == []


def test_a_village_cadre_cannot_send_a_case_to_another_villages_committee(town, handlers):
    case = ready_case(town, "dispatch")

    response = Api(cadre(town)).post(
        f"/cases/{case.pk}/actions/dispatch",
        {"version": case.version, "handler": {"team": handlers[("team", "other")].pk}},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


# --------------------------------------------------------------------------- escalation
def test_a_village_cadre_escalates_a_village_case_to_the_town_and_no_further(town):
    case = act(cadre(town), case_in_state(town, State.REPORTED), "accept")
    assert case.handling_level == HandlingLevel.VILLAGE

    case = act(cadre(town), case, "escalate", reason="村级无法化解")
    assert (case.state, case.handling_level) == (State.ACCEPTED, HandlingLevel.TOWN)
    assert "escalate" not in {t.action for t in _offered(town, "village_cadre", case)}
    with pytest.raises(NotAllowed):
        act(cadre(town), case, "escalate", reason="再上报")

    case = act(town.user("leader"), case, "escalate", reason="需县级协调")
    assert (case.state, case.handling_level) == (State.ESCALATED, HandlingLevel.ABOVE)


def test_escalation_through_the_api_is_403_above_the_cadres_level(town):
    case = act(town.user("dispatcher"), case_in_state(town, State.REPORTED), "accept")
    assert case.handling_level == HandlingLevel.TOWN

    response = Api(cadre(town)).post(
        f"/cases/{case.pk}/actions/escalate", {"version": case.version, "reason": "上报"}
    )

    assert response.status_code == 403


def _offered(town: Any, role: str, case: Case) -> list[workflow.Transition]:
    from fengqiao.cases.services import available_actions

    return available_actions(town.user(role), case)


# --------------------------------------------------------------------------- the page
def test_the_dispatch_form_offers_exactly_the_handlers_of_the_rule_grouped(town, handlers):
    case = ready_case(town, "dispatch")
    for role in (Role.DISPATCHER, Role.VILLAGE_CADRE):
        user = town.user(role)
        with translation.override("en"):
            form = ActionForm(transition=workflow.ACTIONS["dispatch"], case=case, user=user)
            groups = {str(label): options for label, options in form.fields["handler"].choices[1:]}
        offered = {value for options in groups.values() for value, _label in options}

        rule = (
            {f"user:{u.pk}" for u in handler_users(actor=user, case=case, action="dispatch")}
            | {f"team:{t.pk}" for t in handler_teams(actor=user, case=case, action="dispatch")}
            | {f"agency:{a.pk}" for a in handler_agencies(actor=user, case=case, action="dispatch")}
        )
        assert offered == rule
        for place in PLACES:
            for kind in KINDS:
                shown = f"{kind}:{handlers[(kind, place)].pk}" in offered
                assert shown == expected("dispatch", role, kind, place), (role, kind, place)
        # No clerk, dispatcher or leader is offered as a person to send a case to.
        people = {value for value, _label in groups.get("People", [])}
        for role_sent in (Role.INTAKE_CLERK, Role.DISPATCHER, Role.LEADER):
            assert f"user:{town.user(role_sent).pk}" not in people


def test_each_handler_offered_shows_the_open_cases_it_holds(town, handlers):
    case = ready_case(town, "dispatch")
    other = case_in_state(town, State.ACCEPTED)
    act(town.user("dispatcher"), other, "dispatch", handler={"team": property_team(town).pk})

    with translation.override("zh-hans"):
        form = ActionForm(
            transition=workflow.ACTIONS["dispatch"], case=case, user=town.user("dispatcher")
        )

    labels = dict(
        option for _group, options in form.fields["handler"].choices[1:] for option in options
    )
    assert labels[f"team:{property_team(town).pk}"].startswith("物业纠纷调解队 · 在办 1 件")
    assert "· 在办 0 件" in labels[f"team:{handlers[('team', 'inside')].pk}"]
