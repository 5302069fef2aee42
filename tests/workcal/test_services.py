"""Importing the package's years: a missing year once, hand-entered years left alone."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import translation

from fengqiao.audit.models import AuditEvent
from fengqiao.workcal.models import CalendarDay, CalendarYear, DayKind, Source
from fengqiao.workcal.services import package_exceptions

D = dt.date.fromisoformat


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
