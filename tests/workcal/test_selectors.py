"""How far the calendar reaches, and when the system administrator must enter next year."""

from __future__ import annotations

import datetime as dt

from fengqiao.workcal.models import CalendarYear, Source
from fengqiao.workcal.selectors import calendar_covered_until, calendar_needs_attention

D = dt.date.fromisoformat


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
