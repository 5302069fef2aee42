"""The emergency pages: the case's panel (who was told, who has it, who not yet), "I have
it", and the page of the emergencies one oversees, with its twin in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import CaseCategory
from fengqiao.emergency.models import EmergencyAcknowledgement, EmergencyDispatch
from fengqiao.emergency.services import emergency_acknowledge
from tests.fixtures import (
    GAS_LEAK_AT,
    Api,
    UserFactory,
    act,
    gas_leak,
    inputs_for,
    new_case,
    property_team,
)

pytestmark = pytest.mark.usefixtures("jobs_immediate")

NOW = GAS_LEAK_AT

MINUTE = dt.timedelta(minutes=1)


def test_the_page_acknowledges_and_refuses_someone_not_told_with_a_404(client, town, responders):
    case = gas_leak(town)
    url = reverse("emergency_acknowledge", args=[case.pk])

    client.force_login(responders["west_dispatcher"])
    assert client.post(url).status_code == 404

    client.force_login(responders["officer"])
    response = client.post(url, {"next": "/emergency/"})
    assert response.status_code == 302 and response["Location"] == "/emergency/"
    assert EmergencyAcknowledgement.objects.get(user=responders["officer"]).acknowledged_at


def test_the_case_panel_shows_who_was_told_who_has_it_and_who_not_yet(
    client, town, responders, monkeypatch
):
    from fengqiao.core import clock

    case = gas_leak(town)
    emergency_acknowledge(actor=responders["firefighter"], case_id=case.pk, now=NOW + 3 * MINUTE)
    monkeypatch.setattr(clock, "now", lambda: NOW + 12 * MINUTE)

    client.force_login(town.user("dispatcher"))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()

    panel = page[page.index('id="emergency"') :]
    panel = panel[: panel.index("</section>")]
    waiting, acknowledged = panel.split("<h3>")[1:3]
    assert str(responders["officer"]) in waiting and "12" in waiting
    assert str(town.user("dispatcher")) in waiting
    assert str(responders["firefighter"]) in acknowledged and "03-02 10:03" in acknowledged
    # the dispatcher was told and has not acknowledged: the button is offered
    assert reverse("emergency_acknowledge", args=[case.pk]) in panel


def test_a_dispute_page_has_no_emergency_panel(client, town):
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    client.force_login(town.user("leader"))

    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()

    assert 'id="emergency"' not in page


def test_the_list_shows_a_liaison_what_was_sent_to_their_agency_and_nothing_else(
    client, town, responders
):
    # given two emergencies, the second not sent to the emergency office
    case = gas_leak(town)
    other = gas_leak(town, title="西村1组彩钢房起火")
    EmergencyDispatch.objects.get(case=other).agencies.remove(responders["office"])
    EmergencyAcknowledgement.objects.filter(
        dispatch__case=other, user=responders["officer"]
    ).delete()

    client.force_login(responders["officer"])
    page = client.get(reverse("emergency_list")).content.decode()

    assert case.title in page and other.title not in page


def test_the_menu_offers_the_emergency_page_to_those_linkage_tells(client, town, responders):
    client.force_login(responders["firefighter"])
    assert reverse("emergency_list") in client.get(reverse("emergency_list")).content.decode()

    client.force_login(town.user("mediator"))
    page = client.get(reverse("emergency_list"))
    assert page.status_code == 403  # the page serves those who oversee emergencies
    assert f'href="{reverse("emergency_list")}"' not in page.content.decode()


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 分钟"),
        (12, "12 分钟"),
        (185, "3 小时 5 分钟"),
        (92736, "64 天 09 小时"),
    ],
)
def test_waiting_is_said_as_people_say_it(minutes, text):
    from django.utils import translation

    from fengqiao.emergency.selectors import duration_text

    with translation.override("zh-hans"):
        assert duration_text(minutes) == text.replace(" 09 ", " 9 ")


# --------------------------------------------------------------------------- the page
HOUR = 60 * MINUTE
DAY = 24 * HOUR
OVERSEERS = {Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE, Role.AGENCY_LIAISON}


def emergency_in(town, area, title, *, at):
    """An emergency registered at `at` in `area`, linked at once."""
    return new_case(
        town.user("intake_clerk"),
        area,
        kind="emergency",
        grade="",
        category=CaseCategory.objects.get(code="other"),
        channel="phone",
        title=title,
        account="群众来电报警。",
        parties=[],
        now=at,
    )


def closed_at(town, case, at):
    """Through the lifecycle to closed, the last step at `at`."""

    steps = [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
        ("mediator", "resolve"),
        ("leader", "close_early"),
    ]
    for number, (role, action) in enumerate(steps):
        step_at = at - (len(steps) - 1 - number) * MINUTE
        case = act(town.user(role), case, action, now=step_at, **inputs_for(action, town=town))
    assert not case.is_open and case.closed_at == at
    return case


def sections(page):
    finished = page.index('id="emergencies-finished"')
    return page[:finished], page[finished:]


@pytest.fixture
def emergencies(town, responders, monkeypatch):
    """In village A: one open since NOW (the fire liaison has it, the others not yet), one
    closed 5 days ago, one closed 40 days ago; in village B, one open. The clock: NOW + 1 h."""
    from fengqiao.core import clock

    property_team(town)
    gas = emergency_in(town, town.unit_a1, "东村1组燃气泄漏险情", at=NOW)
    emergency_acknowledge(actor=responders["firefighter"], case_id=gas.pk, now=NOW + 4 * MINUTE)
    recent = emergency_in(town, town.unit_a2, "东村2组仓库起火", at=NOW - 6 * DAY)
    closed_at(town, recent, NOW - 5 * DAY)
    old = emergency_in(town, town.unit_a2, "东村2组山塘漫坝", at=NOW - 41 * DAY)
    closed_at(town, old, NOW - 40 * DAY)
    west = emergency_in(town, town.unit_b1, "西村1组彩钢房起火", at=NOW + 10 * MINUTE)
    monkeypatch.setattr(clock, "now", lambda: NOW + HOUR)
    return {"gas": gas, "recent": recent, "old": old, "west": west}


def test_the_leader_sees_the_towns_open_and_recently_closed_emergencies(
    client, town, responders, emergencies
):
    # given the leader, who is told of nothing but oversees the town
    client.force_login(town.user("leader"))

    # when they open the emergency page
    response = client.get(reverse("emergency_list"))

    # then the open emergencies are listed newest first, with who has it and who not yet
    assert response.status_code == 200
    page = response.content.decode()
    open_part, finished_part = sections(page)
    assert open_part.index("西村1组彩钢房起火") < open_part.index("东村1组燃气泄漏险情")
    gas_card = open_part[open_part.index("东村1组燃气泄漏险情") :]
    waiting, acknowledged = gas_card.split("<h4>")[1:3]
    assert str(responders["officer"]) in waiting and str(town.user("dispatcher")) in waiting
    assert "1 小时 0 分钟" in waiting  # told at NOW, the clock at NOW + 1 h
    assert str(responders["firefighter"]) in acknowledged and "03-02 10:04" in acknowledged
    # and those closed in the last 30 days apart; not the one closed 40 days ago
    assert "东村2组仓库起火" in finished_part and "东村2组仓库起火" not in open_part
    assert "东村2组山塘漫坝" not in page
    # the leader may open each case from the list
    assert reverse("case_detail", args=[emergencies["gas"].pk]) in open_part


def test_a_village_cadre_sees_their_village_only(client, town, emergencies):
    west_cadre = UserFactory(
        username="t_west_cadre", roles=[Role.VILLAGE_CADRE], home_area=town.village_b
    )

    client.force_login(west_cadre)
    page = client.get(reverse("emergency_list")).content.decode()

    assert "西村1组彩钢房起火" in page
    assert "东村" not in page


def test_a_grid_worker_of_another_village_sees_nothing_outside_their_area(
    client, town, emergencies
):
    from fengqiao.emergency import selectors

    west_grid_worker = UserFactory(
        username="t_west_grid", roles=[Role.GRID_WORKER], home_area=town.grid_b1
    )

    client.force_login(west_grid_worker)
    response = client.get(reverse("emergency_list"))

    # the page is not theirs (an emergency in their grid is on their case list) ...
    assert response.status_code == 403
    assert "东村" not in response.content.decode()
    assert not selectors.emergency_list_for_user(user=west_grid_worker).exists()
    # ... and the village A emergency does not exist for them
    assert client.get(reverse("case_detail", args=[emergencies["gas"].pk])).status_code == 404


def test_a_liaison_sees_the_emergency_but_opens_only_cases_given_to_the_agency(
    client, town, responders, emergencies
):
    client.force_login(responders["firefighter"])
    page = client.get(reverse("emergency_list")).content.decode()

    assert "东村1组燃气泄漏险情" in page
    assert reverse("case_detail", args=[emergencies["gas"].pk]) not in page


def test_the_one_told_acknowledges_from_the_list(client, town, responders, emergencies):
    client.force_login(responders["officer"])
    page = client.get(reverse("emergency_list")).content.decode()
    action = reverse("emergency_acknowledge", args=[emergencies["gas"].pk])
    assert action in page

    response = client.post(action, {"next": reverse("emergency_list")})

    assert response.status_code == 302 and response["Location"] == reverse("emergency_list")
    row = EmergencyAcknowledgement.objects.get(
        dispatch__case=emergencies["gas"], user=responders["officer"]
    )
    assert row.acknowledged_at == NOW + HOUR


def test_the_page_reads_a_fixed_number_of_queries_however_many_emergencies(
    client, town, responders, emergencies
):
    from django.test.utils import CaptureQueriesContext

    client.force_login(town.user("leader"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("emergency_list"))
    for number in range(3):
        emergency_in(town, town.unit_a1, f"东村1组险情{number}", at=NOW + number * MINUTE)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("emergency_list"))

    assert len(more) == len(few)


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_entry_appears_for_exactly_the_roles_the_page_serves(client, town, role):
    user = town.user(role)
    client.force_login(user)

    home = client.get(reverse("home"))
    page = client.get(reverse("emergency_list"))

    entry = f'href="{reverse("emergency_list")}"'
    if role in OVERSEERS:
        assert entry in home.content.decode() and page.status_code == 200
    else:
        assert entry not in home.content.decode() and page.status_code == 403


def test_the_api_lists_the_emergencies_one_oversees_as_the_page_does(town, responders, emergencies):

    # given the leader, told of nothing, and a grid worker, who oversees no emergency
    leader, grid = Api(town.user("leader")), Api(town.user("grid_worker"))

    # when they ask for the open ones and those finished lately
    opened = leader.get("/emergencies/overseen")
    finished = leader.get("/emergencies/overseen", {"state": "finished"})
    refused = grid.get("/emergencies/overseen")

    # then the leader gets the town's, newest first, with who has it and who not yet
    assert opened.status_code == 200, opened.content
    titles = [row["title"] for row in opened.json()["results"]]
    assert titles == ["西村1组彩钢房起火", "东村1组燃气泄漏险情"]
    gas = opened.json()["results"][1]
    assert [row["name"] for row in gas["acknowledged"]] == [str(responders["firefighter"])]
    assert str(responders["officer"]) in [row["name"] for row in gas["waiting"]]
    assert [row["title"] for row in finished.json()["results"]] == ["东村2组仓库起火"]
    assert refused.status_code == 403
