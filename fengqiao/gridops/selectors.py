"""Reads of the daily log and the figures of its rule. Every read starts from what the user
may see: their own entries, and those of the area whose cases they see.

**Compliance** (the figures the compliance page, its export and the API show):
- the rule: at least `LogPolicy.min_entries_per_working_day` entries on each working day
  (the working-day calendar), for every active grid worker;
- a day **kept**: a working day with that many entries; a day **excused**: a working day
  inside a recorded leave or duty away;
- **due** days in a period: its working days up to today, less the excused ones;
- **kept rate** = kept days ÷ due days (no rate when nothing was due);
- **missed** = due − kept; **not logged today**: a worker due today with fewer entries;
- **run**: working days in a row, up to the last working day, kept or excused (today
  counts once kept; until then the run ends the working day before).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas.models import Area, subtree_q
from fengqiao.gridops.models import Excuse, LogDay, LogEntry, LogPolicy
from fengqiao.workcal.calendar import WorkingCalendar

LOGGING_ROLE = Role.GRID_WORKER
# Who sees the compliance of the workers of their area.
COMPLIANCE_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE})


def log_policy() -> LogPolicy:
    """The daily rule (its one row, made with the defaults if missing)."""
    policy, _created = LogPolicy.objects.get_or_create(pk=1)
    return policy


# --------------------------------------------------------------------------- entries
def log_visible_q(user: Any) -> Q:
    roles = jurisdiction.roles_of(user)
    if not roles or jurisdiction.is_administrator(user):
        return Q(pk__in=[])
    query = Q(author=user)
    if jurisdiction.can(user, Capability.VIEW_AREA_CASES):
        query |= subtree_q([area.path for area in jurisdiction.area_roots(user)], via="area_")
    return query


def log_list_for_user(*, user: Any) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(log_visible_q(user))


def log_get_for_user(*, user: Any, pk: Any) -> LogEntry:
    return jurisdiction.get_in_scope(
        user,
        log_list_for_user(user=user).select_related("author", "area", "case"),
        pk,
    )


# --------------------------------------------------------------------------- compliance
def compliance_allowed(user: Any) -> bool:
    return bool(jurisdiction.roles_of(user) & COMPLIANCE_ROLES)


def workers_for(user: Any) -> QuerySet[User]:
    """The active grid workers whose home lies in the user's area."""
    loggers = RoleGrant.objects.filter(role=LOGGING_ROLE).values("user_id")
    return (
        User.objects.filter(is_active=True, pk__in=loggers)
        .filter(jurisdiction.area_q(user, field="home_area"))
        .select_related("home_area", "home_area__parent")
        .order_by("home_area__path", "full_name", "username")
    )


@dataclass
class WorkerDays:
    worker: Any
    grid: Area | None
    village: Area | None
    due: int = 0
    kept: int = 0
    excused: int = 0
    entries_today: int = 0
    due_today: bool = False
    run: int = 0

    @property
    def missed(self) -> int:
        return max(0, self.due - self.kept)

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.kept, self.due)

    @property
    def kept_today(self) -> bool:
        return not self.due_today or self.entries_today >= log_policy().min_entries_per_working_day


@dataclass
class Tally:
    """The figures of a group of workers (a grid, a village, the whole area)."""

    area: Area | None
    workers: int = 0
    due: int = 0
    kept: int = 0
    not_logged_today: int = 0

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.kept, self.due)

    def add(self, row: WorkerDays) -> None:
        self.workers += 1
        self.due += row.due
        self.kept += row.kept
        self.not_logged_today += 0 if row.kept_today else 1


@dataclass
class Compliance:
    start: dt.date
    end: dt.date
    today: dt.date
    workers: list[WorkerDays]
    by_grid: list[Tally] = field(default_factory=list)
    by_village: list[Tally] = field(default_factory=list)
    total: Tally = field(default_factory=lambda: Tally(None))

    @property
    def not_logged_today(self) -> list[WorkerDays]:
        return [row for row in self.workers if not row.kept_today]


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days of "today", "week" (Monday to Sunday) or "month" around `today`."""
    if period == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    if period == "month":
        first = today.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return first, following - dt.timedelta(days=1)
    return today, today


def _working_days(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    days, current = [], start
    while current <= end:
        if calendar.is_working_day(current):
            days.append(current)
        current += dt.timedelta(days=1)
    return days


def compliance(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    calendar: WorkingCalendar,
    village: Area | None = None,
) -> Compliance:
    """The kept and missed days of the grid workers of the user's area (or of one of its
    villages) from `start` to `end` (days after today are not yet due). Four queries,
    whatever the number of workers: the workers, their kept days in the period, today's
    entries and runs, the leave overlapping the period."""
    policy = log_policy()
    workers = workers_for(user)
    if village is not None:
        workers = workers.filter(subtree_q([village.path], via="home_area__"))
    workers = list(workers)
    ids = [worker.pk for worker in workers]
    working = _working_days(calendar, start, min(end, today))
    kept_days: dict[int, set[dt.date]] = defaultdict(set)
    for worker_id, day in LogDay.objects.filter(
        worker_id__in=ids, day__in=working, entries__gte=policy.min_entries_per_working_day
    ).values_list("worker_id", "day"):
        kept_days[worker_id].add(day)
    last_working = _last_working_day(calendar, today)
    recent = {}
    for worker_id, day, entries, streak in LogDay.objects.filter(
        worker_id__in=ids, day__in=[today, last_working]
    ).values_list("worker_id", "day", "entries", "streak"):
        recent[(worker_id, day)] = (entries, streak)
    leave: dict[int, set[dt.date]] = defaultdict(set)
    for worker_id, first, last in Excuse.objects.filter(
        worker_id__in=ids, ends_on__gte=start, starts_on__lte=max(end, today)
    ).values_list("worker_id", "starts_on", "ends_on"):
        current = max(first, start)
        while current <= min(last, max(end, today)):
            leave[worker_id].add(current)
            current += dt.timedelta(days=1)
    due_today = calendar.is_working_day(today) and start <= today <= end
    rows = []
    for worker in workers:
        grid = worker.home_area
        excused = {day for day in working if day in leave[worker.pk]}
        kept = kept_days[worker.pk] - excused
        today_entries, today_run = recent.get((worker.pk, today), (0, 0))
        _entries, last_run = recent.get((worker.pk, last_working), (0, 0))
        run = today_run if today_run else last_run
        rows.append(
            WorkerDays(
                worker=worker,
                grid=grid,
                village=grid.parent if grid is not None else None,
                due=len(working) - len(excused),
                kept=len(kept),
                excused=len(excused),
                entries_today=today_entries,
                due_today=due_today and today not in leave[worker.pk],
                run=run,
            )
        )
    result = Compliance(start=start, end=end, today=today, workers=rows)
    grids: dict[Any, Tally] = {}
    villages: dict[Any, Tally] = {}
    for row in rows:
        grids.setdefault(row.grid.pk if row.grid else None, Tally(row.grid)).add(row)
        key = row.village.pk if row.village else None
        villages.setdefault(key, Tally(row.village)).add(row)
        result.total.add(row)
    result.by_grid = list(grids.values())
    result.by_village = list(villages.values())
    return result


def _last_working_day(calendar: WorkingCalendar, today: dt.date) -> dt.date:
    """The working day before today (the run still stands on it until today is kept)."""
    current = today - dt.timedelta(days=1)
    for _attempt in range(30):
        if calendar.is_working_day(current):
            return current
        current -= dt.timedelta(days=1)
    return current


def entries_per_worker(*, user: Any, start: dt.date, end: dt.date) -> dict[int, int]:
    """How many entries each worker of the user's area wrote in the period."""
    return dict(
        LogDay.objects.filter(
            worker__in=workers_for(user).values("pk"), day__gte=start, day__lte=end
        )
        .values("worker_id")
        .annotate(n=Sum("entries"))
        .values_list("worker_id", "n")
    )
