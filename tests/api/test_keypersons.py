"""/api/v1/keypersons: scoped as the pages (a record outside need to know is a 404 with an
audit row), identifiers masked, every problem of an input at once, a level change's rules."""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.keypersons.models import KeyPerson
from tests.fixtures import PersonFactory, as_, put_on_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(town):
    person = PersonFactory(name="甲", area=town.unit_a1)
    return put_on_register(town.user(Role.GRID_WORKER), person, "released")


def test_the_list_and_a_record_as_the_grid_worker_has_them(town, record):
    api = as_(town, Role.GRID_WORKER)

    listed = api.get("/keypersons")
    read = api.get(f"/keypersons/{record.pk}")

    assert listed.status_code == 200 and listed.json()["count"] == 1
    body = read.json()
    assert body["person"]["name"] == "甲" and "*" in body["id_number"]
    assert body["particulars"]["released"]["安置帮教期满"] == "2030-06-30"
    assert AuditEvent.objects.filter(action="keyperson.view", target_id=str(record.pk)).exists()


def test_outside_need_to_know_a_record_is_a_404(town, record):
    for role in (Role.DISPATCHER, Role.MEDIATOR, Role.AGENCY_LIAISON):
        response = as_(town, role).get(f"/keypersons/{record.pk}")
        assert response.status_code == 404, role
    assert as_(town, Role.DISPATCHER).get("/keypersons").json()["count"] == 0


def test_registration_answers_every_problem_at_once(town, record):
    person = PersonFactory(name="乙", area=town.unit_a1)
    api = as_(town, Role.GRID_WORKER)

    refused = api.post(
        "/keypersons",
        {
            "person_id": record.person_id,
            "level": "red",
            "categories": [{"code": "correction", "particulars": {"starts_on": "下个月"}}],
            "reason": "",
        },
    )
    done = api.post(
        "/keypersons",
        {
            "person_id": person.pk,
            "level": "orange",
            "categories": [{"code": "drugs", "particulars": {"status": "社区康复"}}],
            "reason": "公安通报",
        },
    )

    assert refused.status_code == 400
    codes = {problem["code"] for problem in refused.json()["errors"]}
    assert {"already_registered", "reason", "particular_invalid", "particular_required"} <= codes
    assert done.status_code == 201 and KeyPerson.objects.filter(person=person).exists()


def test_a_visit_in_the_future_is_refused_and_a_lowering_waits_for_the_leader(town, record):
    worker, leader = as_(town, Role.GRID_WORKER), as_(town, Role.LEADER)

    future = worker.post(
        f"/keypersons/{record.pk}/visits",
        {
            "kind": "visit",
            "method": "home",
            "occurred_on": "2099-01-01",
            "findings": "正常",
            "risk": "low",
        },
    )
    lowered = worker.post(f"/keypersons/{record.pk}/level", {"level": "green", "reason": "稳定"})
    decided = leader.post(f"/keypersons/changes/{lowered.json()['id']}/decision", {"approve": True})

    assert future.status_code == 400
    assert future.json()["errors"][0]["code"] == "occurred_on_future"
    assert lowered.status_code == 201 and lowered.json()["status"] == "pending"
    assert decided.status_code == 201 and decided.json()["status"] == "applied"
    record.refresh_from_db()
    assert record.level.code == "green"


def test_screening_figures_and_removal_as_the_pages_have_them(town, record):
    worker, leader = as_(town, Role.GRID_WORKER), as_(town, Role.LEADER)

    figures = worker.get("/keypersons/screening")
    refused = worker.post(f"/keypersons/{record.pk}/removal", {"reason": "期满"})
    removed = leader.post(f"/keypersons/{record.pk}/removal", {"reason": "安置帮教期满"})

    assert figures.status_code == 200
    (grid,) = figures.json()
    assert grid["grid"]["name"] == "东村一网格" and grid["registered"] == "<5"
    assert as_(town, Role.DISPATCHER).get("/keypersons/screening").status_code == 403
    assert refused.status_code == 403
    assert removed.status_code == 201
    record.refresh_from_db()
    assert record.status == "removed"
