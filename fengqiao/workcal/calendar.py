"""Working-day arithmetic on the official calendar. Pure: no database, no clock.

The legal convention for time limits counted in working days: the day of the event is
not counted; the limit ends at the end of the Nth working day after it. Days are taken
in the centre's time zone (Asia/Shanghai), whatever zone the instant was given in.

For a year the calendar does not know (its holidays are not yet published or entered),
Monday to Friday count as working days, and every answer that depends on such a year is
marked provisional so that it can be recomputed once the year is entered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Must equal settings.TIME_ZONE; a test keeps the two together.
CENTRE_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)
ONE_DAY = dt.timedelta(days=1)
SATURDAY = 5


@dataclass(frozen=True)
class WorkingCalendar:
    """The years whose exceptions are known, and those exceptions."""

    known_years: frozenset[int] = frozenset()
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def knows(self, day: dt.date) -> bool:
        return day.year in self.known_years

    def is_working_day(self, day: dt.date) -> bool:
        weekday = day.weekday() < SATURDAY
        if not self.knows(day):
            return weekday
        if day in self.workdays:
            return True
        return weekday and day not in self.holidays

    def covered_until(self, today: dt.date) -> dt.date | None:
        """The last day of the unbroken run of known years from today's; None if unknown."""
        if not self.knows(today):
            return None
        year = today.year
        while year + 1 in self.known_years:
            year += 1
        return dt.date(year, 12, 31)


@dataclass(frozen=True)
class Due:
    due_at: dt.datetime
    provisional: bool


def _require_date(value: dt.date, name: str) -> None:
    # A datetime is a date too, and would silently carry its time of day along.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def add_working_days(cal: WorkingCalendar, start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The Nth working day after `start` (not counting `start`), and whether provisional.

    Provisional when any day looked at, from the day after `start` to the result, lies in
    a year the calendar does not know. `n == 0` is a same-day limit: `start` itself,
    provisional when its year is unknown.
    """
    _require_date(start, "start")
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start, not cal.knows(start)
    day = start
    provisional = False
    counted = 0
    while counted < n:
        day += ONE_DAY
        provisional = provisional or not cal.knows(day)
        if cal.is_working_day(day):
            counted += 1
    return day, provisional


def working_days_between(cal: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """How many working days d satisfy start < d <= end; 0 when end <= start."""
    _require_date(start, "start")
    _require_date(end, "end")
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if cal.is_working_day(day):
            count += 1
        day += ONE_DAY
    return count


def due_after(cal: WorkingCalendar, received_at: dt.datetime, n: int) -> Due:
    """The end (23:59:59 Shanghai) of the Nth working day after the day of receipt.

    The day of receipt is the Shanghai date of `received_at`: a matter received at 00:30
    Shanghai time is received that day, although it is still the day before in UTC.
    """
    _require_aware(received_at, "received_at")
    received_on = received_at.astimezone(CENTRE_TZ).date()
    due_on, provisional = add_working_days(cal, received_on, n)
    return Due(
        due_at=dt.datetime.combine(due_on, END_OF_DAY, tzinfo=CENTRE_TZ),
        provisional=provisional,
    )


def working_days_left(cal: WorkingCalendar, now: dt.datetime, due_at: dt.datetime) -> int:
    """Working days from today to the due day, in Shanghai dates; negative when overdue.

    With today = the Shanghai date of `now` and due = the Shanghai date of `due_at`:

    - not yet overdue (now <= due_at): the number of working days d with
      today < d <= due. 0 when due today (and when no working day comes before a due
      day that is itself not a working day); 1 when due at the end of the next working
      day, even if a weekend lies between.
    - overdue (now > due_at): minus the number of working days d with due < d <= today,
      and at least 1 day overdue: due on Friday is -1 on Saturday, Sunday and Monday,
      -2 on Tuesday.

    So the value never increases as time passes, and it turns negative exactly when the
    limit has passed.
    """
    _require_aware(now, "now")
    _require_aware(due_at, "due_at")
    today = now.astimezone(CENTRE_TZ).date()
    due_on = due_at.astimezone(CENTRE_TZ).date()
    if now <= due_at:
        return working_days_between(cal, today, due_on)
    return -max(1, working_days_between(cal, due_on, today))
