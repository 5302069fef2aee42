"""Dispute-resolution figures, against a hand-counted set of disputes built through the real
services (registration, dispatch, mediation, agreement, signatures, follow-ups).

The town in September 2025, as the village cadre of 东村 sees it:

| case | what happened                                        | level    | team      |
|------|------------------------------------------------------|----------|-----------|
| D1   | not accepted                                         |          |           |
| D2   | accepted, dispatched, in progress                    |          | neighbour |
| D3   | mediated, agreement (1 term) kept; 满意 (after an    | grid     | property  |
|      | unanswered call)                                     |          |           |
| D4   | mediated, agreement (2 terms) kept; 基本满意, then 满意 | village  | property  |
| D5   | mediated, agreement (1 term due today) not performed; | town     | property  |
|      | 不满意                                                |          |           |
| D6   | mediation failed: parties guided to litigation       | town     | property  |

Outside the period: D7 (received in August, resolved in September). Outside 东村: D8 in
西村, resolved without mediation.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from fengqiao.accounts.roles import Role
from fengqiao.api.services import api_token_issue
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import State
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.followups.models import FollowUp, Reason
from fengqiao.followups.services import followup_record
from fengqiao.mediation import services as mediation
from fengqiao.mediation.services import TermInput
from fengqiao.orgs.models import MediationKind, MediationMembership, MediationOrganization
from fengqiao.reports.mediation import (
    DisputeFigures,
    FigureFilter,
    dispute_figures,
    dispute_figures_by,
)
from tests.fixtures import PATHS, UserFactory, act, inputs_for, new_case, property_team, shanghai

pytestmark = pytest.mark.django_db

# Monday 15 September 2025, 10:00 in Shanghai.
NOW = shanghai(2025, 9, 15, 10, 0)
TODAY = NOW.date()
SEPTEMBER = FigureFilter(dt.date(2025, 9, 1), dt.date(2025, 9, 30))
AUGUST = FigureFilter(dt.date(2025, 8, 1), dt.date(2025, 8, 31))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ building the fixture
def neighbour_team(town: Any) -> MediationOrganization:
    team, _ = MediationOrganization.objects.get_or_create(
        name="邻里纠纷调解队", defaults={"kind": MediationKind.TEAM, "area": town.town}
    )
    MediationMembership.objects.get_or_create(organization=team, user=town.user("mediator"))
    return team


def in_progress(town: Any, area: Any, *, level: int | None = None, team: Any = None) -> Any:
    case = new_case(town.user("intake_clerk"), area)
    for role, action in PATHS[State.IN_PROGRESS]:
        inputs = inputs_for(action, town=town)
        if action == "dispatch":
            inputs = {"handler": {"team": (team or property_team(town)).pk}}
            if level is not None:
                inputs["level"] = level
        case = act(town.user(role), case, action, **inputs)
    return case


def mediated(town: Any, case: Any, *due_dates: dt.date) -> list[int]:
    """A people's mediation that succeeds with a signed agreement; returns its term ids."""
    mediator = town.user("mediator")
    record = mediation.mediation_start(
        actor=mediator,
        case_id=case.pk,
        regime="people",
        organization=property_team(town),
        mediators=[mediator],
    )
    agreement = mediation.agreement_draft(
        actor=mediator,
        mediation_id=record.pk,
        parties=list(case.parties.values_list("pk", flat=True)),
        facts="楼前杨树柳树多年未修剪，遮挡采光。",
        matters="树木修剪。",
        terms=[
            TermInput(content=f"第{n}项：修剪树木", due_on=due, obligor_text="物业公司")
            for n, due in enumerate(due_dates, start=1)
        ],
        made_on=TODAY,
    )
    for party in agreement.parties.all():
        mediation.agreement_sign(
            actor=mediator, agreement_id=agreement.pk, party=party.pk, signed_on=TODAY
        )
    mediation.agreement_sign(
        actor=mediator, agreement_id=agreement.pk, mediator=mediator.pk, signed_on=TODAY
    )
    mediation.mediation_outcome_record(
        actor=mediator, mediation_id=record.pk, outcome="success", note="双方达成协议"
    )
    return list(agreement.terms.order_by("position").values_list("pk", flat=True))


def followup_of(case: Any, *, term: int | None = None, days: int = 0) -> FollowUp:
    if term is not None:
        return FollowUp.objects.get(case=case, term_id=term)
    return FollowUp.objects.get(case=case, reason=Reason.AFTER_RESULT, offset_days=days)


def answer(actor: Any, followup: FollowUp, satisfaction: str, terms: dict[int, bool], at: Any):
    return followup_record(
        actor=actor,
        followup=followup,
        method="phone",
        reached=True,
        satisfaction=satisfaction,
        term_checks=terms,
        now=at,
    )


def build(town: Any) -> dict[str, Any]:
    grid_worker = town.user("grid_worker")
    cases: dict[str, Any] = {}
    # D1: not accepted.
    cases["D1"] = act(
        town.user("intake_clerk"),
        new_case(town.user("intake_clerk"), town.unit_a1),
        "reject",
        reason="不属于受理范围",
    )
    # D2: with the neighbour team, under way.
    cases["D2"] = in_progress(town, town.unit_a2, team=neighbour_team(town))
    # D3: handled at the grid; its one term performed; an unanswered call, then 满意.
    cases["D3"] = d3 = in_progress(town, town.unit_a1, level=3)
    (term3,) = mediated(town, d3, TODAY + dt.timedelta(days=5))
    followup_record(
        actor=grid_worker,
        followup=followup_of(d3, days=7),
        method="phone",
        reached=False,
        now=NOW + dt.timedelta(hours=1),
    )
    answer(grid_worker, followup_of(d3, term=term3), "satisfied", {term3: True}, NOW)
    # D4: handled by the village; both terms performed; 基本满意, later 满意 (counts once).
    cases["D4"] = d4 = in_progress(town, town.unit_a2, level=2)
    term4a, term4b = mediated(town, d4, TODAY, TODAY + dt.timedelta(days=10))
    cadre = town.user("village_cadre")
    answer(
        cadre,
        followup_of(d4, term=term4a),
        "basically_satisfied",
        {term4a: True, term4b: True},
        NOW + dt.timedelta(hours=1),
    )
    answer(cadre, followup_of(d4, days=7), "satisfied", {}, NOW + dt.timedelta(hours=2))
    # D5: handled at the town; its term, due today, found not performed; 不满意. The grid
    # worker may not reopen: the case stays handled, awaiting a leader's decision.
    cases["D5"] = d5 = in_progress(town, town.unit_a1, level=1)
    (term5,) = mediated(town, d5, TODAY)
    answer(grid_worker, followup_of(d5, term=term5), "dissatisfied", {term5: False}, NOW)
    # D6: mediation failed, guided to litigation.
    cases["D6"] = d6 = in_progress(town, town.unit_a1, level=1)
    failed = mediation.mediation_start(
        actor=town.user("mediator"),
        case_id=d6.pk,
        regime="people",
        organization=property_team(town),
        mediators=[town.user("mediator")],
    )
    mediation.mediation_outcome_record(
        actor=town.user("mediator"),
        mediation_id=failed.pk,
        outcome="failure",
        note="分歧过大",
        guided_to="litigation",
    )
    # D7: received in August, resolved in September at the grid.
    d7 = new_case(town.user("intake_clerk"), town.unit_a1, now=shanghai(2025, 8, 20, 9, 0))
    for role, action in PATHS[State.RESOLVED]:
        inputs = inputs_for(action, town=town)
        if action == "dispatch":
            inputs["level"] = 3
        d7 = act(town.user(role), d7, action, **inputs)
    cases["D7"] = d7
    # D8: in 西村, resolved without mediation.
    d8 = new_case(town.user("intake_clerk"), town.unit_b1)
    for role, action in PATHS[State.RESOLVED]:
        d8 = act(town.user(role), d8, action, **inputs_for(action, town=town))
    cases["D8"] = d8
    return cases


@pytest.fixture
def disputes(town: Any) -> dict[str, Any]:
    return build(town)


def village_b_cadre(town: Any) -> Any:
    return UserFactory(username="t_cadre_b", roles=[Role.VILLAGE_CADRE], home_area=town.village_b)


# The hand count of 东村 in September (see the module's table).
EAST_SEPTEMBER = {
    "received": 6,  # D1–D6
    "accepted": 5,  # not D1
    "resolved": 3,  # D3, D4, D5 (D6 was guided to litigation, D2 is under way)
    "resolution_rate": Decimal("0.6000"),  # 3 ÷ 5
    "resolved_unit_grid": 1,  # D3
    "resolved_village": 1,  # D4
    "resolved_town_above": 1,  # D5
    "share_unit_grid": Decimal("0.3333"),
    "share_village": Decimal("0.3333"),
    "share_town_above": Decimal("0.3333"),
    "agreements_made": 3,  # D3, D4, D5
    "agreements_kept": 2,  # D3, D4
    "agreements_broken": 1,  # D5
    "agreements_settled": 3,
    "performance_rate": Decimal("0.6667"),  # 2 ÷ 3
    "answers": 3,  # D3, D4 (its latest), D5
    "satisfied": 2,  # D3, D4
    "basically_satisfied": 0,  # D4's first answer is superseded
    "dissatisfied": 1,  # D5
    "satisfaction_rate": Decimal("0.6667"),  # 2 ÷ 3
}


# ------------------------------------------------------------------ the figures
def test_every_figure_equals_the_hand_count(town, disputes):
    figures = dispute_figures(user=town.user("village_cadre"), filter=SEPTEMBER)

    assert figures.as_dict() == EAST_SEPTEMBER


def test_the_fixture_is_what_the_table_says(town, disputes):
    for case in disputes.values():
        case.refresh_from_db()
    assert {name: case.state for name, case in disputes.items()} == {
        "D1": State.REJECTED,
        "D2": State.IN_PROGRESS,
        "D3": State.RESOLVED,
        "D4": State.RESOLVED,
        "D5": State.RESOLVED,
        "D6": State.RESOLVED,
        "D7": State.RESOLVED,
        "D8": State.RESOLVED,
    }
    assert [disputes[n].resolved_level for n in ("D3", "D4", "D5")] == [3, 2, 1]
    assert [disputes[n].outcome for n in ("D3", "D4", "D5", "D6")] == [
        "resolved",
        "resolved",
        "resolved",
        "litigation",
    ]


def test_the_town_leader_also_counts_the_other_village(town, disputes):
    figures = dispute_figures(user=town.user("leader"), filter=SEPTEMBER)

    assert (figures.received, figures.accepted, figures.resolved) == (7, 6, 4)
    assert figures.resolution_rate == Decimal("0.6667")  # 4 ÷ 6
    assert figures.resolved_town_above == 2  # D5 and D8 (the property team's level)
    assert figures.agreements_made == 3


def test_the_other_village_sees_only_its_own_numbers(town, disputes):
    figures = dispute_figures(user=village_b_cadre(town), filter=SEPTEMBER)

    assert (figures.received, figures.accepted, figures.resolved) == (1, 1, 1)
    assert (figures.agreements_made, figures.answers) == (0, 0)
    assert figures.performance_rate is None and figures.satisfaction_rate is None


def test_a_user_who_sees_no_disputes_gets_zero_and_no_rates(town, disputes):
    outsider = UserFactory(username="t_grid_a2", roles=[Role.GRID_WORKER], home_area=town.grid_a2)
    outsider_b = UserFactory(username="t_grid_b", roles=[Role.GRID_WORKER], home_area=town.grid_b1)
    # 东村二网格 holds D2 and D4; 西村一网格 holds D8 only.
    assert dispute_figures(user=outsider, filter=SEPTEMBER).received == 2
    figures = dispute_figures(
        user=outsider_b, filter=FigureFilter(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    )
    assert figures == DisputeFigures()
    assert [
        figures.resolution_rate,
        figures.share_unit_grid,
        figures.share_village,
        figures.share_town_above,
        figures.performance_rate,
        figures.satisfaction_rate,
    ] == [None] * 6


def test_an_administrator_sees_no_figures(town, disputes):
    assert dispute_figures(user=town.user("system_admin"), filter=SEPTEMBER) == DisputeFigures()


def test_a_dispute_received_before_the_period_is_not_counted_in_it(town, disputes):
    august = dispute_figures(user=town.user("village_cadre"), filter=AUGUST)

    assert (august.received, august.accepted, august.resolved) == (1, 1, 1)  # D7
    assert august.resolved_unit_grid == 1
    assert (august.agreements_made, august.answers) == (0, 0)


def test_the_period_ends_are_whole_local_days(town, disputes):
    # D1–D6 were received on 15 September at 10:00 Shanghai time (02:00 UTC).
    one_day = FigureFilter(TODAY, TODAY)
    day_before = FigureFilter(TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=1))
    cadre = town.user("village_cadre")

    assert dispute_figures(user=cadre, filter=one_day).received == 6
    assert dispute_figures(user=cadre, filter=day_before).received == 0


def test_the_area_narrows_to_its_subtree(town, disputes):
    grid_a1 = FigureFilter(SEPTEMBER.period_start, SEPTEMBER.period_end, area=town.grid_a1)

    figures = dispute_figures(user=town.user("leader"), filter=grid_a1)

    # D1, D3, D5, D6 lie in 东村一网格.
    assert (figures.received, figures.accepted, figures.resolved) == (4, 3, 2)
    assert (figures.agreements_made, figures.agreements_kept) == (2, 1)


def test_the_team_narrows_to_the_cases_it_handled(town, disputes):
    team = FigureFilter(SEPTEMBER.period_start, SEPTEMBER.period_end, team=neighbour_team(town))

    figures = dispute_figures(user=town.user("village_cadre"), filter=team)

    assert (figures.received, figures.accepted, figures.resolved) == (1, 1, 0)
    assert figures.resolution_rate == Decimal("0.0000")


def test_a_term_checked_before_its_deadline_is_pending_not_broken(town):
    case = in_progress(town, town.unit_a1)
    (term,) = mediated(town, case, TODAY + dt.timedelta(days=20))
    answer(town.user("grid_worker"), followup_of(case, days=7), "satisfied", {term: False}, NOW)

    figures = dispute_figures(user=town.user("leader"), filter=SEPTEMBER)

    assert (figures.agreements_made, figures.agreements_kept, figures.agreements_broken) == (
        1,
        0,
        0,
    )
    assert figures.performance_rate is None


def test_a_period_that_ends_before_it_starts_is_refused(town):
    backwards = FigureFilter(dt.date(2025, 9, 30), dt.date(2025, 9, 1))

    with pytest.raises(DomainError) as refused:
        dispute_figures(user=town.user("leader"), filter=backwards)

    assert refused.value.field == "end"


def test_the_figures_take_three_queries(town, disputes, django_assert_max_num_queries):
    leader = town.user("leader")
    leader.home_area  # noqa: B018 - loaded before counting
    # The user's roles and teams (the scope), then cases, agreements and answers.
    with django_assert_max_num_queries(5):
        dispute_figures(user=leader, filter=SEPTEMBER)


# ------------------------------------------------------------------ breakdowns
def test_by_area_lists_each_village(town, disputes):
    rows = dispute_figures_by(user=town.user("leader"), filter=SEPTEMBER, by="area")

    assert [(row.label, row.figures.received, row.figures.resolved) for row in rows] == [
        ("东村", 6, 3),
        ("西村", 1, 1),
    ]
    assert rows[0].figures.as_dict() == EAST_SEPTEMBER


def test_by_area_within_a_grid_lists_its_units(town, disputes):
    grid_a1 = FigureFilter(SEPTEMBER.period_start, SEPTEMBER.period_end, area=town.grid_a1)

    rows = dispute_figures_by(user=town.user("leader"), filter=grid_a1, by="area")

    assert [(row.label, row.figures.received, row.figures.resolved) for row in rows] == [
        ("东村1组", 4, 2)
    ]


def test_an_unknown_breakdown_is_refused(town):
    with pytest.raises(DomainError) as refused:
        dispute_figures_by(user=town.user("leader"), filter=SEPTEMBER, by="category")

    assert refused.value.field == "by"


def test_by_team_lists_the_handling_teams(town, disputes):
    with translation.override("en"):
        rows = dispute_figures_by(user=town.user("village_cadre"), filter=SEPTEMBER, by="team")

    assert [(row.label, row.figures.received, row.figures.resolved) for row in rows] == [
        ("物业纠纷调解队", 4, 3),
        ("邻里纠纷调解队", 1, 0),
        ("No handling team", 1, 0),
    ]


def test_by_month_lists_every_month_of_the_period(town, disputes):
    summer = FigureFilter(dt.date(2025, 7, 1), dt.date(2025, 9, 30))

    rows = dispute_figures_by(user=town.user("village_cadre"), filter=summer, by="month")

    assert [(row.label, row.figures.received) for row in rows] == [
        ("2025-07", 0),
        ("2025-08", 1),
        ("2025-09", 6),
    ]
    assert rows[2].figures.as_dict() == EAST_SEPTEMBER


def test_a_breakdown_takes_few_queries(town, disputes, django_assert_max_num_queries):
    leader = town.user("leader")
    leader.home_area  # noqa: B018 - loaded before counting
    # The scope (2), the villages, then the three grouped counts.
    with django_assert_max_num_queries(6):
        dispute_figures_by(user=leader, filter=SEPTEMBER, by="area")


# ------------------------------------------------------------------ page, export, API
def signed_in(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_page_shows_the_hand_counted_figures(town, disputes):
    response = signed_in(town.user("village_cadre")).get(
        "/reports/disputes/", {"start": "2025-09-01", "end": "2025-09-30", "by": "area"}
    )

    assert response.status_code == 200
    assert response.context["figures"].as_dict() == EAST_SEPTEMBER
    html = response.content.decode()
    assert "60.0%" in html and "66.7%" in html
    assert [row.label for row in response.context["rows"]] == ["东村一网格", "东村二网格"]


def test_the_page_explains_a_backwards_period_and_counts_nothing(town, disputes):
    response = signed_in(town.user("leader")).get(
        "/reports/disputes/", {"start": "2025-09-30", "end": "2025-09-01"}
    )

    assert response.status_code == 200
    assert response.context["figures"] is None
    assert "ends before it starts" in response.content.decode()


def test_an_area_outside_the_jurisdiction_is_refused_on_the_page(town, disputes):
    response = signed_in(village_b_cadre(town)).get(
        "/reports/disputes/",
        {"start": "2025-09-01", "end": "2025-09-30", "area": town.village_a.pk},
    )

    assert response.status_code == 200
    assert response.context["figures"] is None
    assert "area" in response.context["form"].errors


def test_roles_that_see_no_area_have_no_figures_page(town):
    assert signed_in(town.user("system_admin")).get("/reports/disputes/").status_code == 403
    assert signed_in(town.user("mediator")).get("/reports/disputes/").status_code == 403


def test_the_figures_are_in_the_navigation_for_area_roles_only(town):
    leader_page = signed_in(town.user("leader")).get("/").content.decode()
    admin_page = signed_in(town.user("system_admin")).get("/").content.decode()

    assert 'href="/reports/disputes/"' in leader_page
    assert 'href="/reports/disputes/"' not in admin_page


def test_the_page_speaks_chinese_by_default(town, disputes):
    html = (
        signed_in(town.user("leader"), language="zh-hans")
        .get("/reports/disputes/", {"start": "2025-09-01", "end": "2025-09-30"})
        .content.decode()
    )

    assert re.search(r'href="/reports/disputes/"[^>]*>统计</a>', html)
    assert "化解率" in html and "履行率" in html and "满意率" in html


def test_the_excel_export_holds_the_same_figures_and_is_audited(town, disputes):
    response = signed_in(town.user("village_cadre")).get(
        "/reports/disputes/export/", {"start": "2025-09-01", "end": "2025-09-30", "by": "team"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    summary, table = workbook.worksheets
    values = {row[2]: row[1] for row in summary.iter_rows(min_row=2, values_only=True) if row[2]}
    for name, expected in EAST_SEPTEMBER.items():
        assert values[name] == (float(expected) if isinstance(expected, Decimal) else expected)
    header, *lines = list(table.iter_rows(values_only=True))
    assert header[:4] == ("Handling team", "Disputes received", "Accepted", "Resolved")
    assert [line[0] for line in lines] == ["物业纠纷调解队", "邻里纠纷调解队", "No handling team"]
    assert lines[0][1:4] == (4, 4, 3)
    assert AuditEvent.objects.filter(
        action="report.export", actor=town.user("village_cadre")
    ).exists()


def api_get(user: Any, path: str, params: dict[str, Any]) -> Any:
    token = api_token_issue(user=user).key
    return Client().get(
        path, params, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_api_answers_the_same_numbers_as_the_page(town, disputes):
    cadre = town.user("village_cadre")
    params = {"start": "2025-09-01", "end": "2025-09-30"}
    page = signed_in(cadre).get("/reports/disputes/", params)

    response = api_get(cadre, "/api/v1/reports/disputes", params)

    assert response.status_code == 200
    body = response.json()
    expected = {
        name: (str(value) if isinstance(value, Decimal) else value)
        for name, value in page.context["figures"].as_dict().items()
    }
    assert body["figures"] == expected
    assert body["figures"]["resolution_rate"] == "0.6000"
    assert body["period"] == {"start": "2025-09-01", "end": "2025-09-30"}


def test_the_api_breaks_down_by_month(town, disputes):
    response = api_get(
        town.user("village_cadre"),
        "/api/v1/reports/disputes",
        {"start": "2025-08-01", "end": "2025-09-30", "by": "month"},
    )

    rows = response.json()["rows"]
    assert [(row["label"], row["figures"]["received"]) for row in rows] == [
        ("2025-08", 1),
        ("2025-09", 6),
    ]


def test_the_api_refuses_a_bad_date_with_a_json_error(town):
    response = api_get(
        town.user("leader"), "/api/v1/reports/disputes", {"start": "2025-13-01", "end": "x"}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] in ("start", "end")


def test_the_api_refuses_a_backwards_period(town):
    response = api_get(
        town.user("leader"),
        "/api/v1/reports/disputes",
        {"start": "2025-09-30", "end": "2025-09-01"},
    )

    assert response.status_code == 400
    assert response.json()["field"] == "end"


def test_the_api_answers_404_for_an_area_outside_the_jurisdiction(town, disputes):
    response = api_get(
        village_b_cadre(town),
        "/api/v1/reports/disputes",
        {"start": "2025-09-01", "end": "2025-09-30", "area": town.village_a.pk},
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_refuses_roles_that_see_no_area(town):
    response = api_get(
        town.user("mediator"),
        "/api/v1/reports/disputes",
        {"start": "2025-09-01", "end": "2025-09-30"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_endpoint_is_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    parameters = {p["name"] for p in paths["/api/v1/reports/disputes"]["get"]["parameters"]}
    assert {"start", "end", "area", "team", "by"} <= parameters
