"""The official working-day calendar: seeded data, the pure maths, loading, the admin."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import chinese_calendar
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from fengqiao.audit.models import AuditEvent
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
from fengqiao.workcal.selectors import (
    calendar_covered_until,
    calendar_load,
    calendar_needs_attention,
)
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


# --- coverage


def test_the_calendar_covers_to_the_end_of_the_last_known_year(db):
    last = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()

    assert calendar_covered_until(today=D("2025-03-01")) == dt.date(last, 12, 31)


def test_coverage_stops_at_the_first_missing_year(db):
    CalendarYear.objects.filter(year=2024).delete()

    assert calendar_covered_until(today=D("2023-06-01")) == D("2023-12-31")
    assert calendar_covered_until(today=D("2024-06-01")) is None


def test_the_calendar_needs_no_attention_while_it_covers_sixty_days_ahead(db):
    last = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()

    assert not calendar_needs_attention(dt.date(last, 11, 1))
    assert not calendar_needs_attention(dt.date(last, 12, 31) - dt.timedelta(days=60))


def test_the_calendar_needs_attention_when_the_next_year_is_near_and_unknown(db):
    last = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()

    assert calendar_needs_attention(dt.date(last, 12, 31) - dt.timedelta(days=59))
    assert calendar_needs_attention(dt.date(last, 12, 1), horizon_days=60)
    assert not calendar_needs_attention(dt.date(last, 12, 1), horizon_days=30)


def test_the_calendar_needs_attention_when_this_year_is_unknown(db):
    assert calendar_covered_until(today=D("2099-01-01")) is None
    assert calendar_needs_attention(D("2099-01-01"))


def test_entering_next_year_clears_the_attention(db):
    last = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    today = dt.date(last, 12, 1)
    assert calendar_needs_attention(today)

    CalendarYear.objects.create(year=last + 1, source=Source.MANUAL)

    assert not calendar_needs_attention(today)


# --- the import command


def test_the_import_adds_a_missing_year_once_and_leaves_hand_entered_years_alone(db):
    # given 2025 missing and 2024 replaced by a hand-entered year with one day
    CalendarYear.objects.filter(year__in=[2024, 2025]).delete()
    manual = CalendarYear.objects.create(year=2024, source=Source.MANUAL, note="by hand")
    CalendarDay.objects.create(
        date=D("2024-10-01"), kind=DayKind.HOLIDAY, name="国庆节", year=manual
    )

    # when the import runs twice
    first, second = StringIO(), StringIO()
    with translation.override("en"):
        call_command("calendar_import", stdout=first)
        call_command("calendar_import", stdout=second)

    # then the first run added 2025 only, the second nothing
    assert "Added years: 2025 (" in first.getvalue()
    assert "Nothing to add" in second.getvalue()
    year = CalendarYear.objects.get(year=2025)
    assert year.source == Source.PACKAGE
    assert year.days.count() == len(package_exceptions()[2025])
    assert CalendarYear.objects.get(year=2024).days.count() == 1
    assert CalendarYear.objects.get(year=2024).source == Source.MANUAL
    events = list(AuditEvent.objects.filter(action="calendar.import").order_by("id"))
    assert [event.details["years_added"] for event in events] == [[2025], []]


def test_the_package_weekend_holidays_are_not_imported():
    exceptions = [entry for days in package_exceptions().values() for entry in days]

    assert all((kind == DayKind.HOLIDAY) == (day.weekday() < 5) for day, kind, _name in exceptions)
    assert (D("2025-10-01"), DayKind.HOLIDAY, "国庆节") in exceptions
    assert not any(day == D("2025-10-04") for day, _kind, _name in exceptions)


# --- the admin


@pytest.fixture
def admin_client(client, town):
    client.force_login(town.user("system_admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def day_form(**fields: str) -> dict[str, str]:
    return {"date": "", "kind": DayKind.HOLIDAY, "name": "国庆节"} | fields


def test_a_holiday_on_a_weekend_is_refused_in_the_admin(admin_client):
    body = admin_client.post(
        "/admin/workcal/calendarday/add/", day_form(date="2025-10-04")
    ).content.decode()

    assert "A weekend day is off anyway; enter only weekdays that are holidays." in body
    assert not CalendarDay.objects.filter(date=D("2025-10-04")).exists()


def test_a_worked_weekday_is_refused_in_the_admin(admin_client):
    body = admin_client.post(
        "/admin/workcal/calendarday/add/", day_form(date="2025-10-09", kind=DayKind.WORKDAY)
    ).content.decode()

    assert "A weekday is a working day anyway" in body
    assert not CalendarDay.objects.filter(date=D("2025-10-09")).exists()


def test_a_date_already_in_the_calendar_is_refused_in_the_admin(admin_client):
    body = admin_client.post(
        "/admin/workcal/calendarday/add/", day_form(date="2025-10-01", name="重复")
    ).content.decode()

    assert "This date is already in the calendar." in body
    assert CalendarDay.objects.get(date=D("2025-10-01")).name == "国庆节"


def test_a_day_of_a_year_not_yet_entered_is_refused_in_the_admin(admin_client):
    body = admin_client.post(
        "/admin/workcal/calendarday/add/", day_form(date="2031-10-01")
    ).content.decode()

    assert "The calendar has no year 2031 yet; add the year first." in body
    assert not CalendarDay.objects.filter(date=D("2031-10-01")).exists()


def test_a_day_added_in_the_admin_takes_its_year_from_its_date_and_is_audited(admin_client):
    CalendarYear.objects.create(year=2031, source=Source.MANUAL)

    response = admin_client.post("/admin/workcal/calendarday/add/", day_form(date="2031-10-01"))

    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=D("2031-10-01"))
    assert day.year.year == 2031
    assert AuditEvent.objects.filter(action="calendarday.create", target_id=str(day.pk)).exists()
    assert not calendar_load().is_working_day(D("2031-10-01"))


def year_form(year: CalendarYear, *rows: dict[str, str]) -> dict[str, str]:
    data = {
        "note": year.note,
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"days-{i}-{key}": value for key, value in row.items()}
        data[f"days-{i}-year"] = str(year.pk)
    return data


def test_a_date_outside_its_year_is_refused_in_the_admin(admin_client):
    year = CalendarYear.objects.create(year=2031, source=Source.MANUAL)

    body = admin_client.post(
        f"/admin/workcal/calendaryear/{year.pk}/change/",
        year_form(year, day_form(date="2032-01-05", name="元旦")),
    ).content.decode()

    assert "2032-01-05 is not in 2031." in body
    assert not CalendarDay.objects.filter(date=D("2032-01-05")).exists()


def test_days_entered_with_their_year_are_saved_and_audited(admin_client):
    year = CalendarYear.objects.create(year=2031, source=Source.MANUAL)

    response = admin_client.post(
        f"/admin/workcal/calendaryear/{year.pk}/change/",
        year_form(
            year,
            day_form(date="2031-10-01"),
            day_form(date="2031-10-11", kind=DayKind.WORKDAY),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(year.days.values_list("date", flat=True)) == [D("2031-10-01"), D("2031-10-11")]
    assert AuditEvent.objects.filter(action="calendarday.create").count() == 2
    assert calendar_load().is_working_day(D("2031-10-11"))


def test_only_the_system_admin_reaches_the_calendar_admin(client, town):
    client.force_login(town.user("security_admin"))
    assert client.get("/admin/workcal/calendarday/").status_code == 403
    client.force_login(town.user("system_admin"))
    assert client.get("/admin/workcal/calendarday/").status_code == 200
    assert client.get("/admin/workcal/calendaryear/").status_code == 200
    year = CalendarYear.objects.get(year=2025)
    assert client.get(f"/admin/workcal/calendaryear/{year.pk}/change/").status_code == 200


def test_an_imported_year_saves_unchanged_in_the_admin(admin_client):
    # Every imported row keeps the admin's rules, so the inline validates as it stands.
    year = CalendarYear.objects.get(year=2025)
    days = list(year.days.order_by("date"))
    data = year_form(year) | {"days-INITIAL_FORMS": str(len(days))}
    data["days-TOTAL_FORMS"] = str(len(days))
    for i, day in enumerate(days):
        data |= {
            f"days-{i}-id": str(day.pk),
            f"days-{i}-year": str(year.pk),
            f"days-{i}-date": day.date.isoformat(),
            f"days-{i}-kind": day.kind,
            f"days-{i}-name": day.name,
        }

    response = admin_client.post(f"/admin/workcal/calendaryear/{year.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert year.days.count() == len(days)
