"""The working-day maths, against the seeded calendar and the package it agrees with:
holidays, adjusted working days, time zones, unknown years, days left, properties."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from fengqiao.workcal.calendar import (
    CENTRE_TZ,
    Due,
    WorkingCalendar,
    add_working_days,
    due_after,
    working_days_between,
    working_days_left,
)
from fengqiao.workcal.models import CalendarDay, CalendarYear, DayKind, Source
from fengqiao.workcal.selectors import calendar_load
from fengqiao.workcal.services import package_exceptions

D = dt.date.fromisoformat
UTC = dt.UTC


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CENTRE_TZ)


def package_add_working_days(start: dt.date, n: int) -> dt.date:
    """The same convention, counted with the package's own answer for each day."""
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


# A hand-built calendar for 2031, which no published calendar covers yet.
NATIONAL_DAY_2031 = WorkingCalendar(
    known_years=frozenset({2031}),
    holidays=frozenset(D(f"2031-10-0{d}") for d in (1, 2, 3, 6, 7)),
    workdays=frozenset({D("2031-09-28"), D("2031-10-11")}),
)


# --- 2025 National Day and Mid-Autumn Festival: 10-01..10-08 off, 09-28 and 10-11 worked


def test_the_2025_national_day_holiday_is_skipped_and_the_adjusted_saturday_counts(db):
    # given 10-01..10-08 off, then Thu 10-09 (1), Fri 10-10 (2), Sat 10-11 worked (3)
    calendar = calendar_load()

    # when / then
    assert add_working_days(calendar, D("2025-09-30"), 3) == (D("2025-10-11"), False)
    assert package_add_working_days(D("2025-09-30"), 3) == D("2025-10-11")


def test_a_receipt_on_saturday_27_september_2025_is_due_on_the_worked_sunday(db):
    calendar = calendar_load()

    assert add_working_days(calendar, D("2025-09-27"), 1) == (D("2025-09-28"), False)
    assert package_add_working_days(D("2025-09-27"), 1) == D("2025-09-28")
    assert chinese_calendar.is_workday(D("2025-09-28"))


def test_the_seeded_2025_autumn_days_are_the_exceptions_only(db):
    days = {
        day.date: day.kind
        for day in CalendarDay.objects.filter(date__range=(D("2025-09-27"), D("2025-10-12")))
    }

    # Sat 10-04 and Sun 10-05 are off anyway, so they are not stored.
    assert days == {
        D("2025-09-28"): DayKind.WORKDAY,
        D("2025-10-01"): DayKind.HOLIDAY,
        D("2025-10-02"): DayKind.HOLIDAY,
        D("2025-10-03"): DayKind.HOLIDAY,
        D("2025-10-06"): DayKind.HOLIDAY,
        D("2025-10-07"): DayKind.HOLIDAY,
        D("2025-10-08"): DayKind.HOLIDAY,
        D("2025-10-11"): DayKind.WORKDAY,
    }
    assert CalendarDay.objects.get(date=D("2025-10-01")).name == "国庆节"
    assert CalendarDay.objects.get(date=D("2025-10-06")).name == "中秋"


def test_the_seeded_calendar_agrees_with_the_package_on_every_day_it_covers(db):
    calendar = calendar_load()
    first, last = min(package_exceptions()), max(package_exceptions())
    day, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    disagreements = []
    while day <= end:
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)

    assert disagreements == []
    assert calendar.known_years == frozenset(range(first, last + 1))
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {Source.PACKAGE}


# --- 2026 Spring Festival: Sun 02-15..Mon 02-23 off, Sat 02-14 and Sat 02-28 worked


def test_the_2026_spring_festival_in_the_package_is_as_expected():
    off = [D("2026-02-15") + dt.timedelta(days=i) for i in range(9)]
    assert off[-1] == D("2026-02-23")
    assert not any(chinese_calendar.is_workday(day) for day in off)
    assert chinese_calendar.is_workday(D("2026-02-14"))
    assert chinese_calendar.is_workday(D("2026-02-28"))
    assert chinese_calendar.is_workday(D("2026-02-13"))
    assert chinese_calendar.is_workday(D("2026-02-24"))


def test_the_2026_spring_festival_deadlines(db):
    calendar = calendar_load()

    # Fri 02-13 + 1: the worked Saturday 02-14.
    assert add_working_days(calendar, D("2026-02-13"), 1) == (D("2026-02-14"), False)
    # + 2: 02-14 (1), nine days off, Tue 02-24 (2).
    assert add_working_days(calendar, D("2026-02-13"), 2) == (D("2026-02-24"), False)
    # Sat 02-14 + 5: 02-24, 25, 26, 27 and the worked Saturday 02-28.
    assert add_working_days(calendar, D("2026-02-14"), 5) == (D("2026-02-28"), False)
    assert working_days_between(calendar, D("2026-02-13"), D("2026-02-28")) == 6
    for start, n in [(D("2026-02-13"), 1), (D("2026-02-13"), 2), (D("2026-02-14"), 5)]:
        assert add_working_days(calendar, start, n)[0] == package_add_working_days(start, n)


# --- time of day and time zone


def test_a_receipt_just_after_midnight_in_shanghai_counts_from_the_shanghai_date():
    # given 2025-10-09 16:30 UTC, which is already 2025-10-10 00:30 in Shanghai
    calendar = WorkingCalendar(
        known_years=frozenset({2025}),
        holidays=frozenset(D(f"2025-10-0{d}") for d in (1, 2, 3, 6, 7, 8)),
        workdays=frozenset({D("2025-09-28"), D("2025-10-11")}),
    )
    received_at = dt.datetime(2025, 10, 9, 16, 30, tzinfo=UTC)

    # when
    due = due_after(calendar, received_at, 1)

    # then the working day after Fri 10-10 is the worked Saturday 10-11, not Fri 10-10
    assert due == Due(due_at=shanghai("2025-10-11T23:59:59"), provisional=False)
    assert due.due_at.isoformat() == "2025-10-11T23:59:59+08:00"


def test_the_same_midnight_receipt_against_the_seeded_calendar(db):
    due = due_after(calendar_load(), dt.datetime(2025, 10, 9, 16, 30, tzinfo=UTC), 1)

    assert due.due_at == dt.datetime(2025, 10, 11, 15, 59, 59, tzinfo=UTC)
    assert not due.provisional


def test_the_centre_time_zone_is_the_projects():
    assert CENTRE_TZ.key == settings.TIME_ZONE


# --- years the calendar does not know


def test_in_an_unknown_year_only_weekends_are_off_and_the_result_is_provisional():
    # given a calendar that knows nothing of 2031
    calendar = WorkingCalendar(known_years=frozenset({2030}))

    # Tue 2031-09-30 + 3: Wed 10-01, Thu 10-02, Fri 10-03
    assert add_working_days(calendar, D("2031-09-30"), 3) == (D("2031-10-03"), True)
    # Fri 2031-09-26 + 1 skips the weekend to Mon 09-29
    assert add_working_days(calendar, D("2031-09-26"), 1) == (D("2031-09-29"), True)


def test_a_known_year_gives_a_firm_answer():
    # Tue 09-30: 10-01..10-07 off (the weekend between), Wed 10-08, Thu 10-09, Fri 10-10
    assert add_working_days(NATIONAL_DAY_2031, D("2031-09-30"), 3) == (D("2031-10-10"), False)


def test_a_count_that_runs_into_an_unknown_year_is_provisional():
    calendar = WorkingCalendar(known_years=frozenset({2030}))

    assert add_working_days(calendar, D("2030-12-30"), 1) == (D("2030-12-31"), False)
    assert add_working_days(calendar, D("2030-12-30"), 2) == (D("2031-01-01"), True)


def test_a_deadline_in_an_unknown_year_is_firm_once_the_year_is_entered(db):
    # given the stored calendar, which does not know 2031
    received_at = shanghai("2031-09-30T10:00")
    # Wed 10-01, Thu 10-02, Fri 10-03, Mon 10-06: weekdays only
    before = due_after(calendar_load(), received_at, 4)
    assert before == Due(due_at=shanghai("2031-10-06T23:59:59"), provisional=True)

    # when the system administrator enters 2031's National Day
    year = CalendarYear.objects.create(year=2031, source=Source.MANUAL)
    for day in NATIONAL_DAY_2031.holidays:
        CalendarDay.objects.create(date=day, kind=DayKind.HOLIDAY, name="国庆节", year=year)
    for day in NATIONAL_DAY_2031.workdays:
        CalendarDay.objects.create(date=day, kind=DayKind.WORKDAY, name="国庆节", year=year)

    # then the next load sees it: 10-08, 10-09, 10-10 and the worked Saturday 10-11
    after = due_after(calendar_load(), received_at, 4)
    assert after == Due(due_at=shanghai("2031-10-11T23:59:59"), provisional=False)


def test_an_edit_in_place_is_seen_by_the_next_load(db):
    assert not calendar_load().is_working_day(D("2025-10-08"))
    day = CalendarDay.objects.get(date=D("2025-10-08"))

    day.date = D("2025-10-10")
    day.save()

    calendar = calendar_load()
    assert calendar.is_working_day(D("2025-10-08"))
    assert not calendar.is_working_day(D("2025-10-10"))


def test_a_deleted_day_is_seen_by_the_next_load(db):
    assert not calendar_load().is_working_day(D("2025-10-08"))

    CalendarDay.objects.filter(date=D("2025-10-08")).delete()

    assert calendar_load().is_working_day(D("2025-10-08"))


def test_an_unchanged_calendar_is_not_rebuilt(db, django_assert_num_queries):
    first = calendar_load()

    with django_assert_num_queries(2):
        assert calendar_load() is first


# --- n = 0, n < 0, naive times


def test_a_same_day_limit_ends_on_the_day_of_receipt():
    assert add_working_days(NATIONAL_DAY_2031, D("2031-10-04"), 0) == (D("2031-10-04"), False)
    due = due_after(NATIONAL_DAY_2031, shanghai("2031-10-01T08:00"), 0)
    assert due == Due(due_at=shanghai("2031-10-01T23:59:59"), provisional=False)


def test_a_same_day_limit_in_an_unknown_year_is_provisional():
    assert add_working_days(NATIONAL_DAY_2031, D("2032-01-05"), 0) == (D("2032-01-05"), True)


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(NATIONAL_DAY_2031, D("2031-10-01"), -1)
    with pytest.raises(ValueError):
        due_after(NATIONAL_DAY_2031, shanghai("2031-10-01T08:00"), -1)


def test_a_naive_receipt_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_after(NATIONAL_DAY_2031, dt.datetime(2031, 10, 1, 8, 0), 1)


def test_a_naive_time_is_refused_when_counting_days_left():
    due_at = shanghai("2031-10-09T23:59:59")
    with pytest.raises(ValueError, match="timezone-aware"):
        working_days_left(NATIONAL_DAY_2031, dt.datetime(2031, 10, 1, 8, 0), due_at)


def test_a_datetime_is_not_taken_for_a_date():
    with pytest.raises(TypeError):
        add_working_days(NATIONAL_DAY_2031, shanghai("2031-10-01T08:00"), 1)


def test_working_days_between_counts_the_end_and_not_the_start():
    # 09-30 Tue .. 10-09 Thu: only 10-08 Wed and 10-09 Thu are worked (10-04/05 weekend).
    assert working_days_between(NATIONAL_DAY_2031, D("2031-09-30"), D("2031-10-09")) == 2
    assert working_days_between(NATIONAL_DAY_2031, D("2031-10-09"), D("2031-10-09")) == 0
    assert working_days_between(NATIONAL_DAY_2031, D("2031-10-09"), D("2031-09-30")) == 0


# --- working days left

AUTUMN_2025 = WorkingCalendar(
    known_years=frozenset({2025}),
    holidays=frozenset(D(f"2025-10-0{d}") for d in (1, 2, 3, 6, 7, 8)),
    workdays=frozenset({D("2025-09-28"), D("2025-10-11")}),
)


DUE_FRIDAY_10_10 = shanghai("2025-10-10T23:59:59")


def test_a_limit_due_today_has_zero_days_left():
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-10T09:00"), DUE_FRIDAY_10_10) == 0
    assert working_days_left(AUTUMN_2025, DUE_FRIDAY_10_10, DUE_FRIDAY_10_10) == 0


def test_days_left_count_the_working_days_after_today_up_to_the_due_day():
    due_saturday = shanghai("2025-10-11T23:59:59")
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-10T09:00"), due_saturday) == 1
    # from Tue 09-30: Thu 10-09, Fri 10-10, the worked Saturday 10-11
    assert working_days_left(AUTUMN_2025, shanghai("2025-09-30T09:00"), due_saturday) == 3


def test_days_left_are_counted_on_shanghai_dates():
    # 2025-10-09 16:30 UTC is already Friday 10-10 in Shanghai: due today.
    now = dt.datetime(2025, 10, 9, 16, 30, tzinfo=UTC)
    assert working_days_left(AUTUMN_2025, now, DUE_FRIDAY_10_10) == 0


def test_an_overdue_limit_counts_the_working_days_since_as_negative():
    # the worked Saturday 10-11 is the first working day past the limit
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-11T08:00"), DUE_FRIDAY_10_10) == -1
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-12T08:00"), DUE_FRIDAY_10_10) == -1
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-13T08:00"), DUE_FRIDAY_10_10) == -2


def test_a_limit_overdue_by_a_weekend_only_is_one_day_overdue():
    due_friday = shanghai("2025-10-17T23:59:59")
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-18T00:00"), due_friday) == -1
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-19T12:00"), due_friday) == -1
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-20T12:00"), due_friday) == -1
    assert working_days_left(AUTUMN_2025, shanghai("2025-10-21T12:00"), due_friday) == -2


# --- properties on random calendars

RANGE = st.dates(min_value=D("2029-11-01"), max_value=D("2032-12-31"))


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    return WorkingCalendar(
        known_years=draw(st.frozensets(st.sampled_from([2029, 2030, 2031, 2032]))),
        holidays=draw(st.frozensets(RANGE, max_size=300)),
        workdays=draw(st.frozensets(RANGE, max_size=100)),
    )


def days_after(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]


@given(calendars(), RANGE, st.integers(min_value=1, max_value=40))
def test_the_result_is_a_working_day_after_start_with_n_working_days_up_to_it(calendar, start, n):
    result, provisional = add_working_days(calendar, start, n)

    assert result > start
    assert calendar.is_working_day(result)
    examined = days_after(start, result)
    assert sum(calendar.is_working_day(day) for day in examined) == n
    assert provisional == any(not calendar.knows(day) for day in examined)


@given(calendars(), RANGE, st.integers(min_value=0, max_value=40))
def test_working_days_between_undoes_add_working_days(calendar, start, n):
    result, _provisional = add_working_days(calendar, start, n)

    assert working_days_between(calendar, start, result) == n


@given(calendars(), RANGE, st.integers(min_value=0, max_value=40))
def test_add_working_days_grows_strictly_with_n(calendar, start, n):
    assert add_working_days(calendar, start, n)[0] < add_working_days(calendar, start, n + 1)[0]


@given(calendars(), RANGE, RANGE, RANGE)
def test_working_days_between_adds_up_over_consecutive_spans(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    assert working_days_between(calendar, a, b) + working_days_between(
        calendar, b, c
    ) == working_days_between(calendar, a, c)


@given(
    calendars(),
    st.datetimes(
        min_value=dt.datetime(2029, 11, 1),
        max_value=dt.datetime(2032, 12, 1),
        timezones=st.just(UTC),
    ),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=60 * 24 * 60),
)
def test_days_left_never_increase_and_turn_negative_exactly_after_the_limit(
    calendar, received_at, n, minutes
):
    due = due_after(calendar, received_at, n)
    earlier = received_at + dt.timedelta(minutes=minutes)
    later = earlier + dt.timedelta(hours=7)

    left_earlier = working_days_left(calendar, earlier, due.due_at)
    left_later = working_days_left(calendar, later, due.due_at)

    assert left_later <= left_earlier
    assert (left_earlier < 0) == (earlier > due.due_at)
    if earlier <= due.due_at:
        assert left_earlier <= n
