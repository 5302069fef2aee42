"""The only writer of imported calendar years: from the `chinese_calendar` package.

The package lists every day off of a holiday period (weekend days included) and every
worked weekend day. Only the exceptions to the weekend rule are kept (see `models`): a
weekend day of a holiday period is off anyway.

An import adds the years the package knows and the table does not; it never changes or
deletes a year already in the table, so a year corrected or entered by hand stays as the
administrator left it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import metadata
from typing import Any

from django.db import transaction

from fengqiao.audit.services import audit_record
from fengqiao.workcal.models import CalendarDay, CalendarYear, DayKind, Source

SATURDAY = 5
PACKAGE = "chinese-calendar"


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


def package_exceptions() -> dict[int, list[tuple[dt.date, str, str]]]:
    """Every year the package covers, with its (date, kind, Chinese name) exceptions."""
    from chinese_calendar import constants

    def chinese(holiday: Any) -> str:
        # The dicts hold the enum's value (its English name); the enum has the Chinese.
        member = holiday if isinstance(holiday, constants.Holiday) else constants.Holiday(holiday)
        return member.chinese

    years: dict[int, list[tuple[dt.date, str, str]]] = {}
    for day in (*constants.holidays, *constants.workdays):
        years.setdefault(day.year, [])
    for day, holiday in constants.workdays.items():
        if day.weekday() >= SATURDAY:
            years[day.year].append((day, DayKind.WORKDAY.value, chinese(holiday)))
    for day, holiday in constants.holidays.items():
        # The package itself lets a listed workday win over a listed holiday.
        if day.weekday() < SATURDAY and day not in constants.workdays:
            years[day.year].append((day, DayKind.HOLIDAY.value, chinese(holiday)))
    return {year: sorted(days) for year, days in sorted(years.items())}


def calendar_import_into(*, year_model: Any, day_model: Any) -> list[int]:
    """Add the package's years missing from the table; the years added, ascending.

    Takes the model classes so that the data migration can pass its historical models.
    """
    present = set(year_model.objects.values_list("year", flat=True))
    note = f"{PACKAGE} {package_version()}"
    added: list[int] = []
    for year, days in package_exceptions().items():
        if year in present:
            continue
        calendar_year = year_model.objects.create(year=year, source=Source.PACKAGE.value, note=note)
        day_model.objects.bulk_create(
            day_model(date=day, kind=kind, name=name, year=calendar_year)
            for day, kind, name in days
        )
        added.append(year)
    return added


@transaction.atomic
def calendar_import_from_package(*, actor: Any) -> list[int]:
    """Import the years the table lacks, and record who ran the import and what it added."""
    added = calendar_import_into(year_model=CalendarYear, day_model=CalendarDay)
    audit_record(
        action="calendar.import",
        actor=actor,
        target_type=CalendarYear._meta.label_lower,
        target_label=", ".join(map(str, added)),
        details={
            "years_added": added,
            "days_added": CalendarDay.objects.filter(year__year__in=added).count(),
            "package": f"{PACKAGE} {package_version()}",
        },
    )
    if added:
        calendar_changed(actor=actor)
    return added


# Who must hear of a change to the calendar (the case engine recomputes provisional
# deadlines). Apps register in AppConfig.ready(); listeners run after the commit.
CALENDAR_LISTENERS: list[Callable[..., Any]] = []


def on_calendar_change(listener: Callable[..., Any]) -> None:
    if listener not in CALENDAR_LISTENERS:
        CALENDAR_LISTENERS.append(listener)


def calendar_changed(*, actor: Any) -> None:
    def notify() -> None:
        for listener in CALENDAR_LISTENERS:
            listener(actor=actor)

    transaction.on_commit(notify)
