"""The working calendar as stored, for the pure maths in `calendar`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max

from fengqiao.core import clock
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.models import CalendarDay, CalendarYear, DayKind

_cached: tuple[tuple[object, ...], WorkingCalendar] | None = None


def _version() -> tuple[object, ...]:
    """Changes whenever a row is added, removed or edited, in any process.

    A deletion lowers a count, an insertion raises the highest id, an edit raises the
    latest `updated_at`.
    """
    version: tuple[object, ...] = ()
    for model in (CalendarYear, CalendarDay):
        row = model.objects.aggregate(rows=Count("id"), last_id=Max("id"), edited=Max("updated_at"))
        version += (row["rows"], row["last_id"], row["edited"])
    return version


def calendar_load() -> WorkingCalendar:
    """The stored calendar; rebuilt only when the tables changed since the last call."""
    global _cached
    # The version is read before the rows: if a write lands in between, the rows are newer
    # than the version they are kept under, and the next call simply loads them again.
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    calendar = WorkingCalendar(
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
    )
    _cached = (version, calendar)
    return calendar


def calendar_covered_until(*, today: dt.date | None = None) -> dt.date | None:
    """The last day of the unbroken run of known years from this year; None if unknown."""
    return calendar_load().covered_until(today or clock.today())


def calendar_needs_attention(today: dt.date, horizon_days: int = 60) -> bool:
    """True when the calendar does not reach `horizon_days` past today: time to enter a year."""
    covered = calendar_covered_until(today=today)
    return covered is None or covered < today + dt.timedelta(days=horizon_days)
