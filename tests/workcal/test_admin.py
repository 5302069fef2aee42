"""The calendar in the admin: days and years checked as they are entered, audited, for the
system administrator only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from fengqiao.audit.models import AuditEvent
from fengqiao.workcal.models import CalendarDay, CalendarYear, DayKind, Source
from fengqiao.workcal.selectors import calendar_load

D = dt.date.fromisoformat


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
