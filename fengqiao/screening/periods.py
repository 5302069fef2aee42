"""The periods of screening rounds and their deadlines. Pure: no database, no clock.

A regular round (常规排查) screens half a month: the 1st to the 15th, or the 16th to the end
of the month. Its reports are due at the end of the Nth working day after the period ends
(the policy's `report_working_days`; 0: the end of the period's last day), counted on the
official calendar as every deadline is (`workcal.calendar`).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from django.utils.translation import gettext as _

from fengqiao.workcal.calendar import CENTRE_TZ, END_OF_DAY, Due, WorkingCalendar, due_after

# The longest period a round may cover.
MAX_PERIOD_DAYS = 62


def half_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The half month `day` lies in: (1st, 15th) or (16th, last day of the month)."""
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    last = month_calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=16), day.replace(day=last)


def is_half_month(start: dt.date, end: dt.date) -> bool:
    return half_month(start) == (start, end)


def report_due(calendar: WorkingCalendar, period_end: dt.date, working_days: int) -> Due:
    """The end of the `working_days`th working day after the period (0: of its last day)."""
    end_of_period = dt.datetime.combine(period_end, END_OF_DAY, tzinfo=CENTRE_TZ)
    return due_after(calendar, end_of_period, working_days)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=CENTRE_TZ)


def default_title(kind: str, start: dt.date, end: dt.date) -> str:
    """The round's title as the centre writes it, in the active language:
    "2026年3月上半月矛盾纠纷排查" for a regular half month, the dates for anything else."""
    if kind == "regular" and is_half_month(start, end):
        values = {"year": start.year, "month": start.month}
        if start.day == 1:
            return _("%(year)d-%(month)02d, first half: dispute screening") % values
        return _("%(year)d-%(month)02d, second half: dispute screening") % values
    values = {"start": start.isoformat(), "end": end.isoformat()}
    if kind == "regular":
        return _("%(start)s to %(end)s: dispute screening") % values
    return _("%(start)s to %(end)s: special dispute screening") % values
