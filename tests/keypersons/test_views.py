"""The register's pages as their users have them: need to know (a 404 and an audit row
outside it), every view audited, the list overdue first with small counts suppressed,
registration and level changes that explain their refusals, the reasoned export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.keypersons.models import Category, KeyPerson, Level
from tests.fixtures import POLICE, PersonFactory, liaison, new_case, put_on_register

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(town):
    worker = town.user(Role.GRID_WORKER)
    released = put_on_register(worker, PersonFactory(name="甲", area=town.unit_a1), "released")
    mental = put_on_register(worker, PersonFactory(name="丙", area=town.unit_a1), "mental")
    KeyPerson.objects.filter(pk=released.pk).update(next_visit_due=dt.date(2020, 1, 1))
    return {"released": released, "mental": mental}


def test_a_grid_worker_of_another_grid_gets_a_404_and_an_audit_row(town, records, grid_worker_b):
    record = records["released"]

    response = client_for(grid_worker_b).get(reverse("keyperson_detail", args=[record.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="access.denied", actor=grid_worker_b, target_id=str(record.pk)
    ).exists()
    assert "甲" not in response.content.decode()


def test_every_view_of_a_record_is_audited(town, records):
    worker = town.user(Role.GRID_WORKER)
    record = records["mental"]

    response = client_for(worker).get(reverse("keyperson_detail", args=[record.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "丙" in page and "监护人甲" in page and "严重精神障碍患者" in page
    assert (
        AuditEvent.objects.filter(
            action="keyperson.view", actor=worker, target_id=str(record.pk)
        ).count()
        == 1
    )


def test_the_police_liaison_sees_the_released_but_not_the_mental_record(town, records):
    police = client_for(liaison(town, POLICE, "枫桥派出所"))

    listed = police.get(reverse("keyperson_list"), {"scope": "all"})
    mental = police.get(reverse("keyperson_detail", args=[records["mental"].pk]))

    assert listed.status_code == 200
    names = [record.person.name for record in listed.context["page"]]
    assert names == ["甲"]
    assert mental.status_code == 404


def test_my_list_comes_overdue_first_with_small_counts_suppressed(town, records):
    response = client_for(town.user(Role.GRID_WORKER)).get(reverse("keyperson_list"))

    assert [r.person.name for r in response.context["page"]] == ["甲", "丙"]
    assert response.context["total"] == "<5"
    page = response.content.decode()
    assert "&lt;5" in page and "走访超期" in page
    assert AuditEvent.objects.filter(action="keyperson.list").exists()


def test_registration_shows_every_problem_and_saves_nothing(town):
    person = PersonFactory(name="戊", area=town.unit_a1)
    correction = Category.objects.get(code="correction")
    client = client_for(town.user(Role.GRID_WORKER))

    response = client.post(
        reverse("keyperson_new"),
        {
            "person": person.pk,
            "categories": [correction.pk],
            "level": Level.objects.get(code="orange").pk,
            "reason": "",
            "correction.starts_on": "2026-01-05",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "矫正期满日" in page and "监管司法所" in page
    assert not KeyPerson.objects.filter(person=person).exists()
    done = client.post(
        reverse("keyperson_new"),
        {
            "person": person.pk,
            "categories": [correction.pk],
            "level": Level.objects.get(code="orange").pk,
            "reason": "法院判处缓刑",
            "correction.starts_on": "2026-01-05",
            "correction.ends_on": "2027-01-04",
            "correction.judicial_office": "枫桥司法所",
        },
    )
    record = KeyPerson.objects.get(person=person)
    assert done.status_code == 302 and done["Location"].endswith(f"/keypersons/{record.pk}/")


def test_a_level_change_without_a_reason_is_explained_and_changes_nothing(town, records):
    record = records["released"]
    client = client_for(town.user(Role.GRID_WORKER))

    response = client.post(
        reverse("keyperson_level", args=[record.pk]),
        {"level": Level.objects.get(code="red").pk, "reason": ""},
    )

    assert response.status_code == 200
    assert "请填写" in response.content.decode() or "必填" in response.content.decode()
    record.refresh_from_db()
    assert record.level.code == "yellow"


def test_the_export_needs_a_reason_and_is_stamped_on_every_page(town, records):
    leader = town.user(Role.LEADER)
    client = client_for(leader)

    asked = client.post(reverse("keyperson_export"), {"reason": ""})
    response = client.post(reverse("keyperson_export") + "?scope=all", {"reason": "月度研判"})

    assert asked.status_code == 200 and "attachment" not in asked.get("Content-Disposition", "")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert str(leader) in sheet.oddHeader.center.text
    assert str(leader) in sheet.oddFooter.center.text
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["丙", "甲"]
    event = AuditEvent.objects.get(action="keyperson.export", actor=leader)
    assert event.details["reason"] == "月度研判"


def test_the_case_page_warns_only_those_who_may_see_the_record(town, records):
    from fengqiao.cases.services import PartyInput

    case = new_case(
        town.user(Role.INTAKE_CLERK),
        town.unit_a1,
        parties=[PartyInput(role="applicant", person_id=records["released"].person_id)],
    )
    url = reverse("case_detail", args=[case.pk])

    worker = client_for(town.user(Role.GRID_WORKER)).get(url).content.decode()
    dispatcher = client_for(town.user(Role.DISPATCHER)).get(url).content.decode()

    assert "当事人中有重点人员" in worker
    assert "当事人中有重点人员" not in dispatcher and "重点人员" not in dispatcher


def test_comprehensive_screening_counts_each_grid_and_misses_no_household(town, records):
    other = PersonFactory(name="己", area=town.unit_a1)
    worker = town.user(Role.GRID_WORKER)
    client = client_for(worker)

    before = client.get(reverse("keyperson_screening"))
    done = client.post(
        reverse("keyperson_screening"),
        {"reviewed": [records["released"].person_id], "found": [other.pk]},
    )
    after = client.get(reverse("keyperson_screening"))

    (grid,) = [row for row in before.context["grids"] if row.grid == town.grid_a1]
    assert (grid.residents, grid.reviewed, grid.missed, grid.registered_shown) == (3, 0, 3, "<5")
    assert done.status_code == 302
    (grid,) = [row for row in after.context["grids"] if row.grid == town.grid_a1]
    assert (grid.reviewed, grid.found, grid.missed) == (2, 1, 1)
    assert [p.name for p in after.context["page"]] == ["丙"]
    assert AuditEvent.objects.filter(action="keyperson.review", actor=worker).exists()
    # a grid worker's screening is of their own grid only
    assert [row.grid for row in after.context["grids"]] == [town.grid_a1]
