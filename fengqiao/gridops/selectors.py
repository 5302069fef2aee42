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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas.models import Area, subtree_q
from fengqiao.cases.models import Case, CaseCategory, Kind
from fengqiao.core import geo
from fengqiao.gridops.models import Excuse, Finding, LogDay, LogEntry, LogPolicy
from fengqiao.workcal.calendar import WorkingCalendar

LOGGING_ROLE = Role.GRID_WORKER
# Who writes the daily log (and so has the field pages: the day's to-do, the quick report,
# the entry form); the rule that it is written every working day is for `LOGGING_ROLE`.
LOG_WRITERS = frozenset({Role.GRID_WORKER, Role.UNIT_HEAD, Role.VILLAGE_CADRE})
# Who sees the compliance of the workers of their area.
COMPLIANCE_ROLES = frozenset({Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE})
# Who records a worker's leave: those who run the village, and the centre's leaders.
EXCUSERS = frozenset({Role.VILLAGE_CADRE, Role.LEADER})

# The compliance figures in the page's words: the same definitions as the module's
# docstring above (which the API publishes), translated for the page and its export.
COMPLIANCE_DEFINITIONS = [
    (
        _("The rule"),
        _(
            "At least the required number of entries on each working day of the calendar "
            "(adjusted working days included, holidays and weekends off), for every active "
            "grid worker."
        ),
    ),
    (_("Kept day"), _("A working day with at least the required number of entries.")),
    (_("Excused day"), _("A working day inside recorded leave or duty away.")),
    (
        _("Due days"),
        _("The period's working days up to today, less the excused ones."),
    ),
    (_("Kept rate"), _("Kept days ÷ due days (no rate when nothing was due).")),
    (_("Missed"), _("Due days − kept days.")),
    (
        _("Not logged today"),
        _("A worker due today (a working day, not excused) with fewer entries than required."),
    ),
    (
        _("Run"),
        _(
            "Working days in a row, up to the last working day, kept or excused; today counts "
            "once it is kept, until then the run ends on the working day before."
        ),
    ),
    (
        _("Entries"),
        _("Entries written in the period, on any day (rest days included)."),
    ),
]


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


def log_pages_allowed(user: Any) -> bool:
    """Who has the log's pages: those who write it, and those who see their area's."""
    return bool(jurisdiction.roles_of(user) & LOG_WRITERS) or (
        jurisdiction.can(user, Capability.VIEW_AREA_CASES)
        and not jurisdiction.is_administrator(user)
    )


def field_allowed(user: Any) -> bool:
    """Who has the field pages (the day's to-do, the quick report, the entry form)."""
    return bool(jurisdiction.roles_of(user) & LOG_WRITERS)


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


@dataclass(frozen=True)
class Place:
    """A grid or village as the figures name it: what a page shows, links and counts it by,
    without the whole row (a district's figures name two thousand grids)."""

    pk: int
    name: str
    path: str
    level: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Worker:
    """A grid worker as the figures name them: what a row shows and links by, without the
    whole account (a district's figures name two thousand workers)."""

    pk: int
    username: str
    full_name: str

    def __str__(self) -> str:
        return self.full_name or self.username


@dataclass
class WorkerDays:
    worker: Worker
    grid: Place | None
    village: Place | None
    due: int = 0
    kept: int = 0
    excused: int = 0
    # Entries written in the period, on any day (rest days included).
    entries: int = 0
    entries_today: int = 0
    due_today: bool = False
    run: int = 0
    # The rule's entries per working day, read once for all the rows.
    required: int = 1

    @property
    def missed(self) -> int:
        return max(0, self.due - self.kept)

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.kept, self.due)

    @property
    def kept_today(self) -> bool:
        return not self.due_today or self.entries_today >= self.required


@dataclass
class Tally:
    """The figures of a group of workers (a grid, a village, the whole area)."""

    area: Place | None
    workers: int = 0
    due: int = 0
    kept: int = 0
    not_logged_today: int = 0

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.kept, self.due)


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


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


def _working_days(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    return [day for day in _days(start, end) if calendar.is_working_day(day)]


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
    villages) from `start` to `end` (days after today are not yet due), and the entries they
    wrote. Seven queries, whatever the number of workers: the workers with their grids, the
    grids' villages, their kept days and entries in the period counted in the database,
    today's entries and runs and the runs of the working day before, the leave overlapping
    the period, and the days of the few on leave; the workers are named to the others by a
    subquery, not a list of ids, and come as plain rows rather than accounts."""
    policy = log_policy()
    required = policy.min_entries_per_working_day
    chosen = workers_for(user)
    if village is not None:
        chosen = chosen.filter(subtree_q([village.path], via="home_area__"))
    workers = list(
        chosen.values_list(
            "pk",
            "username",
            "full_name",
            "home_area_id",
            "home_area__name",
            "home_area__path",
            "home_area__level",
            "home_area__parent_id",
        )
    )
    places = _places(workers)
    of_workers = chosen.order_by().values("pk")
    last = min(end, today)
    working = _working_days(calendar, start, last)
    rest_days = [day for day in _days(start, last) if not calendar.is_working_day(day)]
    # A day is written with its first entry: with a rule of one, every written day is kept.
    kept_day = ~Q(day__in=rest_days) & (Q(entries__gte=required) if required > 1 else Q())
    # Counted over the period's range of each worker's days (one seek a worker on the
    # (worker, day) index), leaving out the rest days a worker logged on duty.
    counted = {
        worker_id: (kept, entries)
        for worker_id, kept, entries in (
            LogDay.objects.filter(worker_id__in=of_workers, day__gte=start, day__lte=last)
            .order_by()
            .values("worker_id")
            .annotate(kept=Count("day", filter=kept_day), written=Sum("entries"))
            .values_list("worker_id", "kept", "written")
        )
    }
    last_working = _last_working_day(calendar, today)
    # Today's entries and runs, and the runs of the working day before: a day apiece, read
    # from the (day, worker, entries, streak) index alone, for every worker who logged that
    # day (a day of a district is a few thousand index entries, fewer than naming the
    # workers costs) and kept for the workers counted here; the rows come without their day,
    # which costs more to read than the rest of the row.
    ids = {row[0] for row in workers}
    recent = {
        (worker_id, day): (entries, streak)
        for day in (today, last_working)
        for worker_id, entries, streak in LogDay.objects.filter(day=day).values_list(
            "worker_id", "entries", "streak"
        )
        if worker_id in ids
    }
    leave: dict[int, set[dt.date]] = defaultdict(set)
    for worker_id, first, final in Excuse.objects.filter(
        worker_id__in=of_workers, ends_on__gte=start, starts_on__lte=max(end, today)
    ).values_list("worker_id", "starts_on", "ends_on"):
        current = max(first, start)
        while current <= min(final, max(end, today)):
            leave[worker_id].add(current)
            current += dt.timedelta(days=1)
    # An excused day is not counted kept, even when its worker logged it: the days of the
    # few on leave, read by their own ids.
    kept_excused = Counter(
        worker_id
        for worker_id, day in LogDay.objects.filter(
            kept_day, worker_id__in=list(leave), day__gte=start, day__lte=last
        )
        .order_by()
        .values_list("worker_id", "day")
        if day in leave[worker_id]
    )
    due_today = calendar.is_working_day(today) and start <= today <= end
    rows = []
    for pk, username, full_name, home_area_id, *_grid in workers:
        grid, village = places.get(home_area_id, (None, None))
        away = leave.get(pk)
        excused = sum(day in away for day in working) if away else 0
        today_entries, today_run = recent.get((pk, today), (0, 0))
        _entries, last_run = recent.get((pk, last_working), (0, 0))
        kept, written = counted.get(pk, (0, 0))
        rows.append(
            WorkerDays(
                worker=Worker(pk, username, full_name),
                grid=grid,
                village=village,
                due=len(working) - excused,
                kept=kept - kept_excused[pk],
                excused=excused,
                entries=written or 0,
                entries_today=today_entries,
                due_today=due_today and not (away and today in away),
                run=today_run if today_run else last_run,
                required=required,
            )
        )
    result = Compliance(start=start, end=end, today=today, workers=rows)
    result.by_grid, result.by_village = _tallies(rows, result.total)
    return result


def worker_rows(rows: list[WorkerDays], *, show: str, sort: str) -> list[WorkerDays]:
    """The compliance rows to list: all, those not logged today (`not_logged`) or those with
    missed days (`missed`); by village and grid (`area`, as read), most missed days first
    (`missed`), lowest kept rate first (`rate`, rows with no rate last) or shortest run first
    (`run`); ties keep the village-and-grid order."""
    if show == "not_logged":
        rows = [row for row in rows if not row.kept_today]
    elif show == "missed":
        rows = [row for row in rows if row.missed]
    if sort == "missed":
        return sorted(rows, key=lambda row: -row.missed)
    if sort == "rate":
        return sorted(rows, key=lambda row: (row.rate is None, row.rate or 0))
    if sort == "run":
        return sorted(rows, key=lambda row: row.run)
    return list(rows)


def _places(workers: list[tuple[Any, ...]]) -> dict[int, tuple[Place, Place | None]]:
    """The workers' grids (read with them: the last four of each row), each with its
    village (one read for all), as `Place`s."""
    parents = {row[7] for row in workers if row[7] is not None}
    villages = {
        pk: Place(pk, name, path, level)
        for pk, name, path, level in Area.objects.filter(pk__in=parents).values_list(
            "pk", "name", "path", "level"
        )
    }
    return {
        home_area_id: (Place(home_area_id, name, path, level), villages.get(parent))
        for _pk, _username, _full_name, home_area_id, name, path, level, parent in workers
        if home_area_id is not None
    }


def _tallies(rows: list[WorkerDays], total: Tally) -> tuple[list[Tally], list[Tally]]:
    """The rows' figures by grid and by village, in the order the areas first come, and
    added to `total`: one pass over the rows."""
    grids: dict[Any, Tally] = {}
    villages: dict[Any, Tally] = {}
    for row in rows:
        missing = 0 if row.kept_today else 1
        for tallies, area in ((grids, row.grid), (villages, row.village), (None, None)):
            if tallies is None:
                tally = total
            else:
                key = area.pk if area is not None else None
                tally = tallies.get(key)
                if tally is None:
                    tally = tallies[key] = Tally(area)
            tally.workers += 1
            tally.due += row.due
            tally.kept += row.kept
            tally.not_logged_today += missing
    return list(grids.values()), list(villages.values())


def _last_working_day(calendar: WorkingCalendar, today: dt.date) -> dt.date:
    """The working day before today (the run still stands on it until today is kept)."""
    current = today - dt.timedelta(days=1)
    for _attempt in range(30):
        if calendar.is_working_day(current):
            return current
        current -= dt.timedelta(days=1)
    return current


def excuses_for(*, user: Any) -> QuerySet[Excuse]:
    """The leave recorded for the workers of the user's area, latest first."""
    return (
        Excuse.objects.filter(jurisdiction.area_q(user, field="worker__home_area"))
        .select_related("worker", "worker__home_area", "recorded_by")
        .order_by("-starts_on", "-id")
    )


# --------------------------------------------------------------------------- the day
@dataclass
class TodayLog:
    """Where a writer of the log stands today against the rule."""

    entries: int
    required: int
    working_day: bool
    excused: bool
    # The rule applies to grid workers; others who keep a log see only their count.
    rule_applies: bool

    @property
    def due(self) -> bool:
        return self.rule_applies and self.working_day and not self.excused

    @property
    def done(self) -> bool:
        return not self.due or self.entries >= self.required

    @property
    def missing(self) -> int:
        return max(0, self.required - self.entries) if self.due else 0


def log_today(*, user: Any, today: dt.date, calendar: WorkingCalendar) -> TodayLog:
    row = LogDay.objects.filter(worker=user, day=today).values_list("entries", flat=True).first()
    return TodayLog(
        entries=row or 0,
        required=log_policy().min_entries_per_working_day,
        working_day=calendar.is_working_day(today),
        excused=Excuse.objects.filter(
            worker=user, starts_on__lte=today, ends_on__gte=today
        ).exists(),
        rule_applies=LOGGING_ROLE in jurisdiction.roles_of(user),
    )


def workers_not_logged(*, day: dt.date, calendar: WorkingCalendar) -> list[int]:
    """The active grid workers (everywhere) due on `day` with fewer entries than the rule
    asks: none on a rest day, none on leave."""
    if not calendar.is_working_day(day):
        return []
    policy = log_policy()
    loggers = RoleGrant.objects.filter(role=LOGGING_ROLE).values("user_id")
    kept = LogDay.objects.filter(day=day, entries__gte=policy.min_entries_per_working_day)
    away = Excuse.objects.filter(starts_on__lte=day, ends_on__gte=day)
    return list(
        User.objects.filter(is_active=True, pk__in=loggers)
        .exclude(pk__in=kept.values("worker_id"))
        .exclude(pk__in=away.values("worker_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --------------------------------------------------------------------------- quick report
QUICK_CATEGORY_COUNT = 8
# How many of the latest hazards and demands rank the categories: bounded, so the page
# costs the same in a town and in a district of millions of cases.
QUICK_CATEGORY_SAMPLE = 2000


def quick_categories() -> tuple[list[CaseCategory], list[CaseCategory]]:
    """The categories a quick report offers as buttons: the active ones most used by the
    latest hazards and demands first (the rest after them, in their order); the first few
    are shown, the others folded away."""
    latest = Case.objects.filter(kind__in=[Kind.HAZARD, Kind.DEMAND]).order_by("-received_at")
    use = Counter(latest.values_list("category_id", flat=True)[:QUICK_CATEGORY_SAMPLE])
    active = list(CaseCategory.objects.filter(is_active=True).order_by("sort_order", "code"))
    ranked = sorted(active, key=lambda category: -use.get(category.pk, 0))
    shown, folded = ranked[:QUICK_CATEGORY_COUNT], ranked[QUICK_CATEGORY_COUNT:]
    # "Other" is always at hand: a matter that fits no category is still reported at once.
    other = next((category for category in folded if category.code == "other"), None)
    if other is not None:
        folded = [shown[-1], *(category for category in folded if category is not other)]
        shown = [*shown[:-1], other]
    return shown, folded


# --------------------------------------------------------------------------- the map
def log_map_points(*, user: Any, day: dt.date) -> list[dict[str, Any]]:
    """The day's entries the user may see, as GeoJSON points: where the phone placed the
    entry, or else the centre of its area (`located` says which); one with neither is left
    off."""
    rows = (
        log_list_for_user(user=user)
        .filter(occurred_on=day)
        .order_by("occurred_at", "id")
        .values(
            "id", "occurred_at", "finding", "settled_on_spot", "case_id", "latitude",
            "longitude", "author__full_name", "author__username", "area__name",
            "area__center_lat", "area__center_lng",
        )
    )  # fmt: skip
    features = []
    for row in rows:
        if row["latitude"] is not None and row["longitude"] is not None:
            lat, lng, located = row["latitude"], row["longitude"], "exact"
        elif row["area__center_lat"] is not None and row["area__center_lng"] is not None:
            lat, lng, located = row["area__center_lat"], row["area__center_lng"], "area"
        else:
            continue
        properties = {
            "id": row["id"],
            "author": row["author__full_name"] or row["author__username"],
            "time": timezone.localtime(row["occurred_at"]).strftime("%H:%M"),
            "finding": row["finding"],
            "finding_label": str(Finding(row["finding"]).label),
            "settled_on_spot": row["settled_on_spot"],
            "case": row["case_id"],
            "area": row["area__name"],
            "located": located,
        }
        features.append(geo.feature(geo.point(lng, lat), properties, feature_id=f"log-{row['id']}"))
    return features


def log_latest_day(*, user: Any, before: dt.date, within_days: int = 31) -> dt.date | None:
    """The last day before `before`, within `within_days`, with an entry the user may see
    (what the map offers when the day asked for has none)."""
    since = before - dt.timedelta(days=within_days)
    found = (
        log_list_for_user(user=user)
        .filter(occurred_on__gte=since, occurred_on__lt=before)
        .aggregate(latest=Max("occurred_on"))
    )
    return found["latest"]
