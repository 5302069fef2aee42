"""The demo town's key persons: about sixty residents on the register across the villages,
grids and categories, registered by their grid worker (or village cadre) at the start of
the year, visited on their level's schedule with the holiday visits and a few misses, a
handful overdue at the end, every visit to a severe mental disorder with its risk level;
one raised to red after a dispute names them and lowered later with the leader's approval;
written through the register's services, each liaison seeing what is theirs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case
from fengqiao.demo.cases import SMALL_YEAR
from fengqiao.demo.cases.plan import CUTOFF, REFERENCE_NOW, YEAR_START, package_calendar
from fengqiao.demo.generator import TownPlan, build_plan, write_plan
from fengqiao.demo.keypersons import KeyPersonPlan, due_after, plan_keypersons
from fengqiao.keypersons.models import (
    ChangeStatus,
    KeyPerson,
    LevelChange,
    Membership,
    PlanTask,
    Visit,
    VisitKind,
)
from fengqiao.keypersons.selectors import key_persons_for_user
from tests.fixtures import DEMO_PASSWORD

TODAY = REFERENCE_NOW.date()
CATEGORIES = {"released", "correction", "mental", "drugs", "petition", "youth", "hiv", "idle"}


@pytest.fixture(scope="module")
def register(plan: TownPlan) -> KeyPersonPlan:
    return plan_keypersons(plan)


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    small = build_plan(11, cases=SMALL_YEAR)
    assert plan_keypersons(small) == plan_keypersons(build_plan(11, cases=SMALL_YEAR))
    assert (
        plan_keypersons(small).records != plan_keypersons(build_plan(12, cases=SMALL_YEAR)).records
    )


def test_sixty_residents_spread_over_the_town_registered_by_their_grid_s_staff(
    plan: TownPlan, register: KeyPersonPlan
) -> None:
    records = register.records
    assert len(records) == 60 == len({record.key for record in records})
    codes = Counter(code for record in records for code, _values in record.categories)
    assert set(codes) == CATEGORIES
    assert all(codes[code] >= 5 for code in CATEGORIES - {"hiv"})
    levels = Counter(record.level for record in records)
    assert levels["yellow"] + levels["green"] > 40 and 5 <= levels["orange"] < 15
    assert 1 <= levels["red"] <= 4
    # every village, most grids; the grid's worker registers, or the village cadre
    homes = {account.username: account.home_area_code for account in plan.accounts}
    areas = [plan.persons[record.key].area_code for record in records]
    assert len({code[:12] for code in areas}) == 8 and len({code[:14] for code in areas}) > 25
    for record, area in zip(records, areas, strict=True):
        assert area.startswith(homes[record.registrar])
        assert record.registrar.startswith(("grid", "cadre"))
    assert sum(record.registrar.startswith("grid") for record in records) > 30
    early = [r for r in records if r.registered_at.date() <= YEAR_START + dt.timedelta(days=14)]
    assert len(early) > 50
    # the particulars each category asks for
    for record in records:
        values = dict(record.categories)
        if "correction" in values:
            assert values["correction"]["judicial_office"] == "万泉司法所"
            assert values["correction"]["ends_on"] > CUTOFF.date().isoformat()
        if "mental" in values:
            assert values["mental"]["guardian"] and values["mental"]["diagnosis"]
        if "released" in values:
            assert values["released"]["release_date"] < record.registered_at.date().isoformat()


def test_a_year_of_visits_on_each_level_s_schedule_a_handful_overdue_at_the_end(
    register: KeyPersonPlan,
) -> None:
    calendar = package_calendar()
    by_record: dict[int, list] = {}
    for visit in register.visits:
        by_record.setdefault(visit.key, []).append(visit)
        assert visit.on <= visit.written_at.date() <= CUTOFF.date()
    kinds = Counter(visit.kind for visit in register.visits)
    assert set(kinds) == set(VisitKind.values) and kinds[VisitKind.VISIT] > 300
    holidays = [visit.on for visit in register.visits if visit.kind == VisitKind.HOLIDAY]
    assert all(calendar.is_working_day(day) for day in holidays)
    assert {day.month for day in holidays} == {2, 9}
    assert sum(calendar.is_working_day(visit.on) for visit in register.visits) > 0.95 * len(
        register.visits
    )
    lowered = {change.key: change for change in register.changes if change.decided_by}
    overdue = 0
    for record in register.records:
        visits = sorted(by_record[record.key], key=lambda visit: visit.on)
        mental = "mental" in dict(record.categories)
        assert all((visit.mental_risk is not None) == mental for visit in visits)
        level = lowered[record.key].level if record.key in lowered else record.level
        last = visits[-1]
        if due_after(level, last.on, mental=mental, mental_risk=last.mental_risk) < TODAY:
            overdue += 1
    assert 3 <= overdue <= 8
    risks = Counter(visit.mental_risk for visit in register.visits if visit.mental_risk is not None)
    assert (risks[0] + risks[1]) / sum(risks.values()) > 0.75


@pytest.mark.django_db
def test_the_small_year_s_register_is_written_through_the_services(small_year: TownPlan) -> None:
    # when
    counts = write_plan(small_year, password=DEMO_PASSWORD)

    # then about sixty residents are on the register, across the categories
    records = KeyPerson.objects.all()
    assert 55 <= records.count() == counts["key_persons"] <= 65
    codes = Counter(Membership.objects.values_list("category__code", flat=True))
    assert set(codes) == CATEGORIES and min(codes[code] for code in CATEGORIES - {"hiv"}) >= 5
    assert Visit.objects.count() == counts["key_person_visits"] > 150
    # a handful overdue on the demo's morning, not most
    assert 3 <= records.filter(next_visit_due__lt=TODAY).count() <= 8
    assert not records.filter(next_visit_due__isnull=True).exists()
    # every visit to a severe mental disorder assessed the risk, mostly 0 or 1
    mental = Visit.objects.filter(key_person__memberships__category__mental_health=True)
    assert mental.exists() and not mental.filter(mental_risk__isnull=True).exists()
    assert mental.filter(mental_risk__lte=1).count() > 0.75 * mental.count()
    assert not Visit.objects.exclude(key_person__in=mental.values("key_person")).filter(
        mental_risk__isnull=False
    )
    # a few plan tasks, some done; the referral an unstable visit asked for, done next day
    tasks = PlanTask.objects.all()
    assert tasks.count() >= 5 and 0 < tasks.filter(done_on__isnull=False).count() < tasks.count()
    unstable = mental.filter(mental_risk__gte=3)
    assert unstable.exists()
    for visit in unstable:
        (referral,) = tasks.filter(key_person=visit.key_person, created_at=visit.recorded_at)
        assert referral.done_on > visit.occurred_on

    # the incident: raised to red at once, naming the case the person is a party to
    (raised,) = LevelChange.objects.filter(to_level__code="red", from_level__isnull=False)
    assert raised.status == ChangeStatus.APPLIED and raised.case is not None
    case = Case.objects.get(pk=raised.case_id)
    assert case.number in raised.reason
    assert case.parties.filter(person=raised.key_person.person).exists()
    assert raised.key_person.review_case_id == case.pk
    assert raised.requested_at > case.received_at
    # and later lowered, asked by the grid worker, approved by the leader
    (lowered,) = LevelChange.objects.filter(from_level__code="red", key_person=raised.key_person)
    assert lowered.status == ChangeStatus.APPLIED and lowered.requested_at > raised.requested_at
    assert lowered.requested_by.username.startswith("grid")
    assert lowered.decided_by.username == "leader" and lowered.decided_at > lowered.requested_at
    assert raised.key_person.level == lowered.to_level

    # the police liaison sees the released prisoners and drug users, no mental-health record
    police = key_persons_for_user(user=User.objects.get(username="liaison_police"))
    seen = Counter(police.values_list("memberships__category__code", flat=True))
    assert seen["released"] == codes["released"] and seen["drugs"] == codes["drugs"]
    assert not police.filter(memberships__category__mental_health=True).exists()
    # the health centre's liaison sees them
    health = key_persons_for_user(user=User.objects.get(username="liaison_health"))
    assert health.filter(memberships__category__mental_health=True).count() == codes["mental"]
