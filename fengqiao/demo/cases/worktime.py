"""Working time in the demo year: when matters come in and when each later step happens.

Times follow the official working calendar (the package's copy of it, which is what the
database is seeded with): office work happens in office hours on working days; the
hotline and the website take matters every day; emergencies at any hour. Every moment
is drawn from the planner's generator.
"""

from __future__ import annotations

import datetime as dt
import random

from fengqiao.cases.models import Channel, Kind
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.plan import CUTOFF, SHANGHAI, YEAR_END
from fengqiao.workcal.calendar import WorkingCalendar, add_working_days

MINUTE = dt.timedelta(minutes=1)
DAY_STARTS = dt.time(8, 30)
DAY_ENDS = dt.time(17, 45)


class WorkingClock:
    """Working days and office hours of the demo year, with moments drawn from `rng`."""

    def __init__(self, rng: random.Random, calendar: WorkingCalendar) -> None:
        self.rng = rng
        self.calendar = calendar
        self._day_cache: dict[tuple[dt.date, dt.date, tuple[int, ...]], tuple[list, list]] = {}

    # ------------------------------------------------------------ working days
    def is_working_day(self, day: dt.date) -> bool:
        return self.calendar.is_working_day(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        return add_working_days(self.calendar, day, 1)[0]

    def working_days_after_day(self, day: dt.date, days: int) -> dt.date:
        return add_working_days(self.calendar, day, days)[0]

    def working_days_before(self, day: dt.date, days: int) -> dt.date:
        while days > 0:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def recent(self, newest: int, oldest: int) -> tuple[dt.date, dt.date]:
        """The days from `oldest` to `newest` working days before the last day of the year."""
        return (
            self.working_days_before(YEAR_END, oldest),
            self.working_days_before(YEAR_END, newest),
        )

    def resolution_days(self, tier: int) -> int:
        """Working days from receipt to the result: mostly within the tier, sometimes late."""
        if self.rng.random() < 0.05:
            return tier + self.rng.randint(1, 3)
        return self.rng.choice(
            [d for d in range(tier + 1) for _ in range(max(1, 3 - abs(d - tier // 2)))]
        )

    # ----------------------------------------------------------------- moments
    def working_moment(self, day: dt.date, start: dt.time = DAY_STARTS) -> dt.datetime:
        opening = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
        span = int((dt.datetime.combine(day, dt.time(17, 30), tzinfo=SHANGHAI) - opening) / MINUTE)
        return opening + MINUTE * self.rng.randint(0, max(span, 0))

    def later(self, t: dt.datetime, low: int, high: int, *, office: bool = True) -> dt.datetime:
        """`low`–`high` minutes after `t`; in office hours of a working day unless not."""
        moment = t + MINUTE * self.rng.randint(low, high)
        if not office:
            return moment
        local = moment.astimezone(SHANGHAI)
        if self.is_working_day(local.date()) and DAY_STARTS <= local.time() <= DAY_ENDS:
            return moment
        day = local.date()
        if not self.is_working_day(day) or local.time() > DAY_ENDS:
            day = self.next_working_day(day)
        opening = dt.datetime.combine(day, DAY_STARTS, tzinfo=SHANGHAI)
        return opening + MINUTE * self.rng.randint(0, 60)

    def working_days_after(self, t: dt.datetime, days: int) -> dt.datetime:
        """A moment on the `days`th working day after `t`'s day (`t`'s day itself for 0)."""
        if days <= 0:
            return self.later(t, 30, 240)
        day = add_working_days(self.calendar, t.astimezone(SHANGHAI).date(), days)[0]
        return max(self.working_moment(day), t + MINUTE)

    # ----------------------------------------------------------------- receipt
    def receipt_day(self, low: dt.date, high: dt.date, months: tuple[int, ...]) -> dt.date:
        """A day from `low` to `high` (in `months` when the season allows), busier months
        weighing more."""
        key = (low, high, months)
        if key not in self._day_cache:
            days, weights = [], []
            day = low
            while day <= high:
                if not months or day.month in months:
                    days.append(day)
                    weights.append(text.MONTH_WEIGHTS[day.month])
                day += dt.timedelta(days=1)
            if not days:  # the template's season is outside the window: any day will do
                return self.receipt_day(low, high, ())
            self._day_cache[key] = (days, weights)
        days, weights = self._day_cache[key]
        return self.rng.choices(days, weights=weights)[0]

    def receipt_moment(self, day: dt.date, kind: str, channel: str) -> dt.datetime:
        """When on `day` a matter comes in, early enough to be handled before the cut-off."""
        moment = self._receipt_moment(day, kind, channel)
        return min(moment, CUTOFF - dt.timedelta(minutes=self.rng.randint(60, 240)))

    def _receipt_moment(self, day: dt.date, kind: str, channel: str) -> dt.datetime:
        if kind == Kind.EMERGENCY:
            start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
            return start + MINUTE * self.rng.randint(6 * 60, 23 * 60)
        if channel in {Channel.HOTLINE_12345, Channel.ONLINE}:
            # The hotline and the website take matters every day; the duty clerk
            # registers them as they come.
            start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=SHANGHAI)
            return start + MINUTE * self.rng.randint(0, 12 * 60)
        while not self.is_working_day(day):
            day = self.next_working_day(day)
        return self.working_moment(day)
