"""/api/v1/screening: rounds, their roll-up and summary, reports; scoped as the pages are,
errors in the one shape."""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, CaseCategory, Channel
from fengqiao.core import clock
from fengqiao.screening.models import ReportState, ScreeningReport
from tests.fixtures import (
    ROUND_AFTER_DUE,
    ROUND_DURING,
    Api,
    UserFactory,
    as_,
    assert_error,
    file_zero,
    open_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def during(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: ROUND_DURING)


def test_a_leader_opens_a_round_and_a_second_is_a_409(town, during):
    leader = as_(town, Role.LEADER)

    opened = leader.post("/screening/rounds", {"kind": "regular"})
    again = leader.post("/screening/rounds", {"kind": "regular"})

    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["title"] == "2026年3月上半月矛盾纠纷排查"
    assert body["figures"] == {"expected": 3, "reported": 0, "late": 0, "not_yet": 3}
    assert body["actions"] == ["close"]
    assert_error(again, 409, "round_exists")


def test_opening_says_every_problem_at_once(town, during):
    response = as_(town, Role.LEADER).post(
        "/screening/rounds", {"kind": "special", "area_ids": [town.grid_a1.pk]}
    )

    body = assert_error(response, 400, "period", "period_start")
    assert {error["field"] for error in body["errors"]} == {"period_start", "areas"}


def test_only_a_leader_opens_a_round(town, during):
    assert_error(as_(town, Role.GRID_WORKER).post("/screening/rounds", {}), 403, "not_allowed")


def test_the_round_reads_with_its_roll_up(town, during):
    screening_round = open_round(town)
    file_zero(town.user(Role.GRID_WORKER), screening_round)

    body = as_(town, Role.LEADER).get(f"/screening/rounds/{screening_round.pk}").json()

    grids = next(level for level in body["levels"] if level["level"] == 3)
    assert (grids["expected"], grids["reported"], grids["zero"]) == (1, 1, 1)
    assert {row["area"]["name"]: row["status"] for row in body["reports"]} == {
        "东村": "pending",
        "东村一网格": "on_time",
        "东村1组": "pending",
    }
    assert "expected" in body["definitions"]
    listed = as_(town, Role.GRID_WORKER).get("/screening/rounds").json()
    assert listed["count"] == 1 and listed["results"][0]["figures"]["reported"] == 1


def test_a_zero_report_then_a_second_is_a_409(town, during):
    screening_round = open_round(town)
    worker = as_(town, Role.GRID_WORKER)
    path = f"/screening/rounds/{screening_round.pk}/reports"

    first = worker.post(path, {"nothing_found": True}, HTTP_IDEMPOTENCY_KEY="zero-1")
    retry = worker.post(path, {"nothing_found": True}, HTTP_IDEMPOTENCY_KEY="zero-1")
    second = worker.post(path, {"nothing_found": True})

    assert first.status_code == 201 and retry.json() == first.json()
    assert first.json()["state"] == ReportState.NOTHING_FOUND
    assert first.json()["actions"] == ["add_findings"]
    assert_error(second, 409, "already_reported")


def test_findings_through_the_api_become_cases_and_are_added_while_open(town, residents, during):
    screening_round = open_round(town)
    cadre = as_(town, Role.VILLAGE_CADRE)
    neighbours = CaseCategory.objects.get(code="neighbours").pk
    path = f"/screening/rounds/{screening_round.pk}/reports"

    refused = cadre.post(
        path, {"findings": [{"kind": "dispute", "category_id": neighbours, "text": "宅基地纠纷"}]}
    )
    assert_error(refused, 400, "applicant", "findings.0.parties")

    filed = cadre.post(
        path,
        {
            "findings": [
                {
                    "kind": "dispute",
                    "category_id": neighbours,
                    "text": "宅基地界址纠纷",
                    "area_id": town.unit_a1.pk,
                    "parties": [{"role": "applicant", "person_id": residents["a1"].pk}],
                }
            ]
        },
    )
    assert filed.status_code == 201, filed.content
    report = filed.json()
    case = Case.objects.get()
    assert report["finding_list"][0]["case"]["number"] == case.number
    assert (case.channel, case.area) == (Channel.SCREENING, town.unit_a1)

    added = cadre.post(
        f"/screening/reports/{report['id']}/findings",
        {
            "findings": [
                {
                    "kind": "hazard",
                    "category_id": neighbours,
                    "text": "沟渠堵塞",
                    "handled_on_spot": True,
                    "handled_note": "组织清淤",
                }
            ]
        },
    )
    assert added.status_code == 200
    assert [finding["handled_on_spot"] for finding in added.json()["finding_list"]] == [
        False,
        True,
    ]


def test_a_report_after_the_round_closed_is_accepted_and_marked_late(town, monkeypatch):
    screening_round = open_round(town)
    as_(town, Role.LEADER).post(f"/screening/rounds/{screening_round.pk}/close", {"note": ""})
    monkeypatch.setattr(clock, "now", lambda: ROUND_AFTER_DUE)

    filed = as_(town, Role.UNIT_HEAD).post(
        f"/screening/rounds/{screening_round.pk}/reports", {"nothing_found": True}
    )

    assert filed.status_code == 201
    assert (filed.json()["late"], filed.json()["after_close"]) == (True, True)


def test_the_api_is_scoped_as_the_pages_are(town, during):
    screening_round = open_round(town)
    west = Api(UserFactory(roles=[Role.GRID_WORKER], home_area=town.grid_b1))

    for response in (
        west.get(f"/screening/rounds/{screening_round.pk}/areas/{town.grid_a1.pk}"),
        west.post(
            f"/screening/rounds/{screening_round.pk}/reports",
            {"area_id": town.grid_a1.pk, "nothing_found": True},
        ),
    ):
        assert_error(response, 404, "not_found")
    assert ScreeningReport.objects.filter(state=ReportState.NOTHING_FOUND).count() == 0
    assert_error(as_(town, Role.SYSTEM_ADMIN).get("/screening/rounds"), 403, "forbidden")
    assert_error(as_(town, Role.GRID_WORKER).get("/screening/late"), 403, "forbidden")


def test_due_and_late_lists(town, monkeypatch):
    screening_round = open_round(town)
    monkeypatch.setattr(clock, "now", lambda: ROUND_AFTER_DUE)

    due = as_(town, Role.UNIT_HEAD).get("/screening/due").json()
    late = as_(town, Role.LEADER).get("/screening/late").json()

    assert [(row["round"]["id"], row["area"]["name"], row["overdue"]) for row in due] == [
        (screening_round.pk, "东村1组", True)
    ]
    assert [row["report"]["area"]["name"] for row in late] == ["东村", "东村一网格", "东村1组"]


def test_the_summary_for_the_analysis_report(town, during):
    screening_round = open_round(town)
    file_zero(town.user(Role.GRID_WORKER), screening_round)

    body = as_(town, Role.LEADER).get(f"/screening/rounds/{screening_round.pk}/summary").json()

    assert (body["totals"]["expected"], body["totals"]["zero"]) == (3, 1)
    assert body["by_category"] == [] and body["findings"]["found"] == 0
