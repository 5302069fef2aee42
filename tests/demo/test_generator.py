"""The demo town 万泉镇: a plan that depends only on its seed, its accounts, and the town
loaded through the services."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from django.db import connection

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.areas.models import PATH_WIDTH, Area, Level
from fengqiao.audit.models import AuditEvent
from fengqiao.core.identifiers import (
    id_birth_date,
    id_is_male,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
)
from fengqiao.demo import data
from fengqiao.demo.cases import SMALL_YEAR
from fengqiao.demo.generator import DEMO_ACCOUNTS, TownPlan, build_plan, write_plan
from fengqiao.orgs.models import MediationMembership, MediationOrganization, MembershipRole
from fengqiao.people.models import Gender, Organization, Person
from fengqiao.people.services import id_digest
from tests.fixtures import DEMO_PASSWORD


def _areas(plan: TownPlan, level: int) -> list:
    return [area for area in plan.areas if area.level == level]


# ---------------------------------------------------------------- the plan
def test_the_same_seed_gives_the_same_town() -> None:
    # given / when
    first, second = build_plan(11), build_plan(11)

    # then
    assert first == second


def test_another_seed_gives_other_residents_and_cases() -> None:
    first, second = build_plan(11, cases=SMALL_YEAR), build_plan(12, cases=SMALL_YEAR)
    assert first.persons != second.persons
    assert first.cases != second.cases


def test_the_same_seed_gives_the_same_mediations_and_follow_ups() -> None:
    # given / when
    first, second = build_plan(11, cases=SMALL_YEAR), build_plan(11, cases=SMALL_YEAR)
    other = build_plan(12, cases=SMALL_YEAR)

    # then
    records = [case.records for case in first.cases]
    assert any(records)
    assert records == [case.records for case in second.cases]
    assert records != [case.records for case in other.cases]


def test_the_cases_leave_the_town_as_it_is(plan: TownPlan, town_only: TownPlan) -> None:
    assert dataclasses.replace(plan, cases=(), supervision=()) == town_only


def test_the_tree_has_eight_villages_of_five_grids_of_ten_units(plan: TownPlan) -> None:
    assert len(_areas(plan, Level.TOWN)) == 1
    assert len(_areas(plan, Level.VILLAGE)) == 8
    assert len(_areas(plan, Level.GRID)) == 40
    assert len(_areas(plan, Level.UNIT)) == 400
    villages = [area.name for area in _areas(plan, Level.VILLAGE)]
    assert villages[0] == "万泉佳苑社区"
    assert {"小召湾村", "红旗社区"} <= set(villages)
    assert any(name.endswith("村") for name in villages)
    assert any(name.endswith("社区") for name in villages)
    assert "小召湾村第一网格" in {area.name for area in _areas(plan, Level.GRID)}


def test_every_code_extends_its_parents_code(plan: TownPlan) -> None:
    codes = [area.code for area in plan.areas]
    assert len(set(codes)) == len(codes)
    for area in plan.areas:
        if area.parent_code is not None:
            assert area.code.startswith(area.parent_code)
    assert "150291100201" in codes


def test_the_story_unit_is_in_the_first_grid_of_the_estate(plan: TownPlan) -> None:
    by_code = {area.code: area for area in plan.areas}
    (unit,) = [area for area in plan.areas if area.name == data.STORY_UNIT_NAME]
    grid = by_code[unit.parent_code]
    assert grid.name == "万泉佳苑社区第一网格"


def test_every_id_number_is_valid_unique_and_agrees_with_the_person(plan: TownPlan) -> None:
    numbers = [person.id_number for person in plan.persons]
    assert len(set(numbers)) == len(numbers)
    for person in plan.persons:
        assert normalise_id_number(person.id_number) == person.id_number
        assert person.id_number.startswith("150291")
        assert id_birth_date(person.id_number) == person.birth_date
        assert id_is_male(person.id_number) == (person.gender == Gender.MALE)
        assert 1940 <= person.birth_date.year <= 2006


def test_every_phone_is_a_valid_unique_mobile(plan: TownPlan) -> None:
    phones = [person.phone for person in plan.persons if person.phone]
    phones += [contact.mobile for agency in plan.agencies for contact in agency.contacts]
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert normalise_phone(phone) == phone
        assert len(phone) == 11


def test_about_two_thousand_residents_live_in_units(plan: TownPlan) -> None:
    unit_codes = {area.code for area in _areas(plan, Level.UNIT)}
    assert 1800 <= len(plan.persons) <= 2200
    assert {person.area_code for person in plan.persons} == unit_codes
    ethnicities = Counter(person.ethnicity for person in plan.persons)
    assert ethnicities.most_common(1)[0][0] == "汉族"
    assert {"蒙古族", "回族", "满族"} <= set(ethnicities)


def test_the_story_resident_lives_alone_under_her_name_in_the_b_courtyard(
    plan: TownPlan,
) -> None:
    (unit,) = [area for area in plan.areas if area.name == data.STORY_UNIT_NAME]
    (tian,) = [person for person in plan.persons if person.name == data.STORY_RESIDENT_NAME]
    assert tian.area_code == unit.code
    assert data.STORY_UNIT_NAME in tian.address


def test_the_organisations_have_valid_credit_codes(plan: TownPlan) -> None:
    assert plan.organizations[0].name == data.PROPERTY_COMPANY_NAME
    codes = [organization.credit_code for organization in plan.organizations]
    assert len(set(codes)) == len(codes)
    for organization in plan.organizations:
        assert normalise_credit_code(organization.credit_code) == organization.credit_code
    # every community has its property company
    names = {organization.name for organization in plan.organizations}
    assert {name for name, *_rest in data.OTHER_PROPERTY_COMPANIES} <= names


# ------------------------------------------------------------ the accounts
def test_the_documented_accounts() -> None:
    usernames = [account.username for account in DEMO_ACCOUNTS]
    assert len(set(usernames)) == len(usernames) == 49
    expected = {
        "leader", "clerk", "clerk02", "dispatcher",
        *(f"mediator{n:02d}" for n in range(1, 9)),
        *(f"grid{n:02d}" for n in range(1, 17)),
        *(f"unit{n:02d}" for n in range(1, 4)),
        *(f"cadre{n:02d}" for n in range(1, 9)),
        "liaison_court", "liaison_police", "liaison_judicial", "liaison_petition",
        "liaison_labour", "liaison_12345", "liaison_health", "sysadmin", "secadmin",
        "auditadmin",
    }  # fmt: skip
    assert set(usernames) == expected
    roles = Counter(account.role for account in DEMO_ACCOUNTS)
    assert roles[Role.MEDIATOR] == 8
    assert roles[Role.GRID_WORKER] == 16
    assert roles[Role.VILLAGE_CADRE] == 8
    assert roles[Role.AGENCY_LIAISON] == 7
    assert all(account.full_name for account in DEMO_ACCOUNTS)


def test_grid_workers_follow_the_grids_in_village_order() -> None:
    by_username = {account.username: account for account in DEMO_ACCOUNTS}
    assert by_username["grid01"].home_area_name == "万泉佳苑社区第一网格"
    assert by_username["grid02"].home_area_name == "万泉佳苑社区第二网格"
    assert by_username["grid06"].home_area_name == "小召湾村第一网格"
    assert by_username["unit02"].home_area_name == data.STORY_UNIT_NAME
    assert by_username["mediator01"].mediation_organization == "物业纠纷调解队"


# --------------------------------------------------------------- loading
@pytest.mark.django_db
def test_write_plan_loads_the_town(town_only: TownPlan) -> None:
    plan = town_only

    # when
    counts = write_plan(plan, password=DEMO_PASSWORD)

    # then the tree, with paths as area_create makes them
    assert counts["villages"] == 8 and counts["grids"] == 40 and counts["units"] == 400
    assert Area.objects.filter(level=Level.UNIT).count() == 400
    for area in Area.objects.select_related("parent"):
        parent_path = area.parent.path if area.parent else ""
        assert area.path == parent_path + str(area.pk).zfill(PATH_WIDTH)

    # the accounts, with their roles and home areas
    users = {user.username: user for user in User.objects.select_related("home_area")}
    assert set(users) == {account.username for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.roles == {account.role}
        assert user.home_area.code == account.home_area_code
    grid01 = users["grid01"].home_area
    assert grid01.level == Level.GRID
    assert grid01.parent.name == "万泉佳苑社区"
    assert users["leader"].check_password(DEMO_PASSWORD)
    assert users["liaison_court"].agency.kind == "court"
    team = MediationOrganization.objects.get(name="物业纠纷调解队")
    assert MediationMembership.objects.get(organization=team).user == users["mediator01"]
    assert MediationMembership.objects.get(organization=team).role == MembershipRole.HEAD

    # the residents, encrypted at rest and found by their blind index
    assert Person.objects.count() == len(plan.persons)
    (planned,) = [p for p in plan.persons if p.name == data.STORY_RESIDENT_NAME]
    tian = Person.objects.get(id_number_digest=id_digest(planned.id_number))
    assert tian.name == data.STORY_RESIDENT_NAME
    assert tian.area.name == data.STORY_UNIT_NAME
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [tian.pk])
        stored_id_number, stored_phone = cursor.fetchone()
    assert stored_id_number.startswith("v1:") and tian.id_number not in stored_id_number
    assert stored_phone.startswith("v1:")
    assert Organization.objects.filter(name=data.PROPERTY_COMPANY_NAME).exists()

    # and one audit event for the whole load
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.details["seed"] == 2026
    assert event.details["persons"] == len(plan.persons)
