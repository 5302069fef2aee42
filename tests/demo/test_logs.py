"""The demo's year of daily logs: every grid worker logs on most working days in their own
words, with gaps (the calendar's holidays, a missed day now and then, leave the village
cadre records, two habitual non-loggers), each daily-log case has the entry that raised
it; the same seed gives the same logs; written through the services, every case linked."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel
from fengqiao.core import geo
from fengqiao.demo.cases import SMALL_YEAR
from fengqiao.demo.cases.plan import CUTOFF, YEAR_START, package_calendar
from fengqiao.demo.generator import TownPlan, build_plan, write_plan
from fengqiao.demo.logs import HABITUAL_NON_LOGGERS, LogPlan, plan_logs
from fengqiao.gridops.models import Excuse, Finding, LogDay, LogEntry
from fengqiao.gridops.selectors import compliance, period_bounds
from fengqiao.workcal.selectors import calendar_load
from tests.fixtures import DEMO_PASSWORD

GRID_WORKERS = [f"grid{number:02d}" for number in range(1, 17)]


@pytest.fixture(scope="module")
def logs(plan: TownPlan) -> LogPlan:
    return plan_logs(plan)


def working_days() -> list[dt.date]:
    calendar, last = package_calendar(), CUTOFF.date()
    days = [YEAR_START + dt.timedelta(days=n) for n in range((last - YEAR_START).days + 1)]
    return [day for day in days if calendar.is_working_day(day)]


def leave_days(logs: LogPlan, worker: str) -> set[dt.date]:
    return {
        leave.starts_on + dt.timedelta(days=offset)
        for leave in logs.leave
        if leave.worker == worker
        for offset in range((leave.ends_on - leave.starts_on).days + 1)
    }


def test_the_same_seed_gives_the_same_logs_and_another_seed_others(logs: LogPlan) -> None:
    small = build_plan(11, cases=SMALL_YEAR)
    assert plan_logs(small) == plan_logs(build_plan(11, cases=SMALL_YEAR))
    assert plan_logs(small) != plan_logs(build_plan(12, cases=SMALL_YEAR))
    assert len(logs.entries) > 5000


def test_every_grid_worker_logs_most_working_days_in_a_year(logs: LogPlan) -> None:
    working = working_days()
    logged: dict[str, set[dt.date]] = {}
    for entry in logs.entries:
        logged.setdefault(entry.author, set()).add(entry.at.date())
    for worker in GRID_WORKERS:
        due = [day for day in working if day not in leave_days(logs, worker)]
        share = len(logged[worker] & set(due)) / len(due)
        if worker in HABITUAL_NON_LOGGERS:
            assert 0.5 < share < 0.75, (worker, share)
        else:
            assert 0.93 < share < 1.0, (worker, share)
        assert not logged[worker] & leave_days(logs, worker)


def test_the_calendar_s_holidays_are_mostly_blank_and_leave_comes_from_the_cadre(
    plan: TownPlan, logs: LogPlan
) -> None:
    calendar = package_calendar()
    days = Counter(entry.at.date() for entry in logs.entries if entry.author in GRID_WORKERS)
    spring_festival = [dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]
    assert all(not calendar.is_working_day(day) for day in spring_festival)
    assert sum(days[day] for day in spring_festival) < 16  # a few on duty
    # 28 February 2026 is an adjusted working Saturday (调休上班): logged like a weekday
    assert days[dt.date(2026, 2, 28)] > 12
    cadres = {a.home_area_code: a.username for a in plan.accounts if a.role == "village_cadre"}
    grids = {a.username: a.home_area_code for a in plan.accounts}
    assert {leave.worker for leave in logs.leave} == set(GRID_WORKERS)
    for leave in logs.leave:
        assert leave.recorded_by == cadres[grids[leave.worker][: len(grids[leave.worker]) - 2]]
        assert leave.recorded_at.date() <= leave.starts_on


def test_entries_say_what_was_done_mostly_nothing_unusual_inside_the_worker_s_grid(
    plan: TownPlan, logs: LogPlan
) -> None:
    homes = {a.username: a.home_area_code for a in plan.accounts}
    routine = [entry for entry in logs.entries if not entry.case]
    findings = Counter(entry.finding for entry in routine)
    assert findings[Finding.NOTHING] / len(routine) > 0.9
    assert findings[Finding.KEY_PERSON] and findings[Finding.OTHER]
    activities = Counter(code for entry in routine for code in entry.activities)
    assert set(activities) == {
        "patrol",
        "home_visit",
        "publicity",
        "dispute_screening",
        "key_person_visit",
    }
    for entry in routine:
        assert entry.area_code.startswith(homes[entry.author]) and entry.text
        assert entry.at <= entry.written_at <= CUTOFF
        late = (entry.written_at.date() - entry.at.date()).days
        assert bool(entry.backdate_reason) == (late > 3)
    assert len({entry.text for entry in routine}) > 300


def test_every_entry_placed_by_the_phone_lies_inside_its_area(
    plan: TownPlan, logs: LogPlan
) -> None:
    by_code = {area.code: area for area in plan.areas}
    placed = [entry for entry in logs.entries if entry.latitude is not None]
    assert len(placed) > 0.8 * len(logs.entries)
    for entry in placed:
        area = by_code[entry.area_code]
        # a unit has only a centre: its entry lies in the unit's grid
        shape = area.boundary or by_code[area.parent_code].boundary
        assert geo.contains(shape, entry.longitude, entry.latitude), entry


def test_each_daily_log_case_has_the_entry_that_raised_it(plan: TownPlan, logs: LogPlan) -> None:
    raised = {entry.case: entry for entry in logs.entries if entry.case}
    from_log = [case for case in plan.cases if case.channel == Channel.DAILY_LOG]
    assert set(raised) == {case.key for case in from_log}
    for case in from_log:
        entry = raised[case.key]
        assert (entry.author, entry.area_code) == (case.reporter, case.area_code)
        assert entry.at <= entry.written_at <= case.received_at
        assert entry.at.date() == case.received_at.date()
        assert entry.finding != Finding.NOTHING and entry.text in case.account


@pytest.mark.django_db
def test_the_small_year_s_logs_are_written_through_the_services(small_year: TownPlan) -> None:
    # when
    counts = write_plan(small_year, password=DEMO_PASSWORD)

    # then every planned entry and leave is stored, each day counted
    planned = plan_logs(small_year)
    assert counts["log_entries"] == len(planned.entries) == LogEntry.objects.count()
    assert Excuse.objects.count() == len(planned.leave) == counts["log_leave"]
    per_day = Counter(LogEntry.objects.values_list("author_id", "occurred_on"))
    assert per_day == {(row.worker_id, row.day): row.entries for row in LogDay.objects.all()}
    # every daily-log case names the entry that raised it, and the entry the case
    from_log = Case.objects.filter(channel=Channel.DAILY_LOG)
    assert from_log.count() == counts["log_cases_linked"] > 0
    assert not from_log.filter(log_entry__isnull=True).exists()
    # and the compliance page has something to say: most kept, not all
    leader = User.objects.get(username="leader")
    today = CUTOFF.date()
    start, end = period_bounds("month", today)
    figures = compliance(user=leader, start=start, end=end, today=today, calendar=calendar_load())
    assert len(figures.workers) == 16
    assert 80 < figures.total.rate < 100
