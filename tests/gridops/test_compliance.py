"""The compliance figures where counting them in the database could go wrong: a day logged
while on leave is excused, not kept; a rest day logged on duty is neither due nor kept; a
rule of two entries keeps only the days with two; grids and villages are named by their
places; the figures cost the same few queries for one worker or many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.accounts.roles import Role
from fengqiao.gridops import services
from fengqiao.gridops.models import LogPolicy
from fengqiao.gridops.selectors import compliance, period_bounds
from fengqiao.workcal.selectors import calendar_load
from tests.fixtures import UserFactory, log_entry, shanghai

pytestmark = pytest.mark.django_db

# Friday 13 March 2026, evening: the week of Monday 9 March, five working days.
FRIDAY = shanghai(2026, 3, 13, 18, 0)
MONDAY = dt.date(2026, 3, 9)


def at(day: int, hour: int = 10) -> dt.datetime:
    return shanghai(2026, 3, day, hour)


def week_of(user):
    start, end = period_bounds("week", FRIDAY.date())
    return compliance(
        user=user, start=start, end=end, today=FRIDAY.date(), calendar=calendar_load()
    )


def row_of(figures, worker):
    (row,) = [row for row in figures.workers if row.worker.pk == worker.pk]
    return row


def test_a_day_logged_on_leave_is_excused_and_a_duty_sunday_is_not_counted(town):
    worker = town.user(Role.GRID_WORKER)
    for day in (9, 10, 11, 12, 13):
        log_entry(worker, town.unit_a1, at=at(day))
    log_entry(worker, town.unit_a1, at=at(8))  # Sunday 8 March, on duty
    services.log_excuse_record(
        actor=town.user(Role.VILLAGE_CADRE),
        worker=worker,
        starts_on=dt.date(2026, 3, 11),
        ends_on=dt.date(2026, 3, 11),
        kind="duty",
        reason="参加培训，晚上补记巡查",
        now=at(13, 17),
    )

    row = row_of(week_of(town.user(Role.LEADER)), worker)

    assert (row.due, row.kept, row.excused, row.missed) == (4, 4, 1, 0)
    assert (row.grid.name, row.village.name, str(row.grid)) == ("东村一网格", "东村", "东村一网格")


def test_a_rule_of_two_entries_keeps_only_the_days_with_two(town):
    LogPolicy.objects.update_or_create(pk=1, defaults={"min_entries_per_working_day": 2})
    worker = town.user(Role.GRID_WORKER)
    for day in (9, 10, 11):
        log_entry(worker, town.unit_a1, at=at(day, 9))
    for day in (10, 13):
        log_entry(worker, town.unit_a1, at=at(day, 15))

    row = row_of(week_of(town.user(Role.LEADER)), worker)

    assert (row.due, row.kept, row.entries_today, row.kept_today) == (5, 1, 1, False)


def test_the_figures_cost_the_same_queries_for_one_worker_or_many(town, grid_worker_b):
    leader = town.user(Role.LEADER)
    log_entry(town.user(Role.GRID_WORKER), town.unit_a1, at=at(13))
    week_of(leader)  # the leader's roles and the calendar, read once
    with CaptureQueriesContext(connection) as few:
        assert len(week_of(leader).workers) == 2

    for number in range(12):
        worker = UserFactory(
            username=f"t_grid_more_{number}", roles=[Role.GRID_WORKER], home_area=town.grid_a2
        )
        log_entry(worker, town.unit_a2, at=at(12))
    with CaptureQueriesContext(connection) as many:
        figures = week_of(leader)

    assert len(figures.workers) == 14
    assert len(many.captured_queries) == len(few.captured_queries)
    assert [tally.area.name for tally in figures.by_grid] == [
        "东村一网格",
        "东村二网格",
        "西村一网格",
    ]
