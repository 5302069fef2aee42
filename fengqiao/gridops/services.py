"""The only writers of the daily log: an entry (`log_entry_create`, or a writer's batch
checked the same way, `log_entries_create_many`), the case it becomes (`log_entry_to_case`,
or the one registered apart that it raised, `log_entry_link_case`), and the leave that
excuses a worker's days (`log_excuse_record`).

Every entry also counts its day (`LogDay`: entries and the run of days kept), in the same
transaction, so the compliance page reads days, not entries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    Channel,
    Grade,
    Kind,
    PartyRole,
)
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.cases.services import PartyInput, case_act, case_create
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, NotAllowed, Problems, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.core.sql import insert_rows
from fengqiao.core.uploads import uploads_store, uploads_validate
from fengqiao.gridops.models import (
    Activity,
    Excuse,
    ExcuseKind,
    Finding,
    LogDay,
    LogEntry,
    LogPhoto,
    LogPolicy,
)
from fengqiao.gridops.selectors import (
    EXCUSERS,
    LOG_WRITERS,
    log_list_for_user,
    log_policy,
    workers_not_logged,
)
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import notify
from fengqiao.people.selectors import person_list_for_user
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

FUTURE_GRACE = dt.timedelta(minutes=5)
MAX_TEXT = 4000
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# What a finding becomes when the entry is turned into a case, unless chosen otherwise.
KIND_OF_FINDING = {
    Finding.DISPUTE: Kind.DISPUTE,
    Finding.HAZARD: Kind.HAZARD,
    Finding.DEMAND: Kind.DEMAND,
    Finding.KEY_PERSON: Kind.DEMAND,
    Finding.OTHER: Kind.DEMAND,
}

DEFAULT_ACTIVITIES = [
    ("patrol", "巡查", 1),
    ("home_visit", "走访入户", 2),
    ("publicity", "政策宣传", 3),
    ("dispute_screening", "矛盾排查", 4),
    ("key_person_visit", "重点人员走访", 5),
    ("other", "其他", 9),
]


def log_defaults_install() -> None:
    """The default activities and the rule's one row, where missing."""
    for code, name, order in DEFAULT_ACTIVITIES:
        Activity.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    LogPolicy.objects.get_or_create(pk=1)


def _refused(actor: Any, action: str, message: str, **target: Any) -> NotAllowed:
    return NotAllowed(message, audit={"action": f"log.{action}", "actor": actor, **target})


# --------------------------------------------------------------------------- entries
def _check_photos(photos: Sequence[UploadedFile], problems: Problems) -> None:
    with problems.check():
        uploads_validate(photos)
        for photo in photos:
            if photo.content_type not in PHOTO_TYPES:
                problems.add(
                    "photo_type",
                    _("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": photo.name},
                    field="photos",
                )
    for problem in problems.found:
        if problem.field == "attachments":
            problem.field = "photos"


@audits_refusals
def log_entry_create(
    *,
    actor: Any,
    occurred_at: dt.datetime | None,
    area: Any,
    finding: str,
    text: str,
    activities: Sequence[Any] = (),
    residents: Sequence[Any] = (),
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    settled_on_spot: bool = False,
    settlement: str = "",
    category: Any = None,
    photos: Sequence[UploadedFile] = (),
    backdate_reason: str = "",
    client_key: str = "",
    now: dt.datetime | None = None,
) -> LogEntry:
    """Write one entry of the daily log. Every problem is reported at once (InvalidInput);
    a role that keeps no log is refused (NotAllowed). An entry sent again with the same
    `client_key` (a phone resending what it wrote offline) is the entry already written.

    A matter settled on the spot (就地化解, with its `category`) becomes a case in the same
    step: registered from the entry and settled there by its writer, so that it counts as
    resolved at their level in every figure, and is followed up like any other.
    """
    now = now or clock.now()
    _require_writer(actor)
    client_key = (client_key or "").strip()[:64]
    if client_key:
        written = LogEntry.objects.filter(author=actor, client_key=client_key).first()
        if written is not None:
            return written
    fields = {
        "occurred_at": occurred_at,
        "area": area,
        "finding": finding,
        "text": text,
        "activities": activities,
        "residents": residents,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "settled_on_spot": settled_on_spot,
        "settlement": settlement,
        "category": category,
        "backdate_reason": backdate_reason,
    }
    problems = Problems()
    checked = _check_entry(actor, _EntryLookups.of(actor, [fields]), problems, now=now, **fields)
    _check_photos(photos, problems)
    problems.raise_if_any()
    try:
        return _write_entry(actor, now, photos=photos, client_key=client_key, **checked)
    except IntegrityError:
        # The same phone's same entry arrived twice at once: the other one wrote it.
        written = LogEntry.objects.filter(author=actor, client_key=client_key).first()
        if written is None:
            raise
        return written


def _require_writer(actor: Any) -> None:
    if not jurisdiction.roles_of(actor) & LOG_WRITERS:
        raise _refused(actor, "create", _("Your role does not keep a daily log."))


@dataclass
class _EntryLookups:
    """What checking entries reads from the database, read once for all of them: the
    places, activities and residents they name that the writer may use, and the rule."""

    places: dict[int, Area]
    activities: dict[int, Activity]
    people: dict[int, Any]
    max_days_back: int

    @classmethod
    def of(cls, actor: Any, items: Sequence[dict[str, Any]]) -> _EntryLookups:
        def ids(values: Any) -> set[int]:
            return {id_of(value) for value in values if value not in (None, "")} - {None}

        places = ids(item.get("area") for item in items)
        named = ids(value for item in items for value in item.get("activities") or ())
        met = ids(value for item in items for value in item.get("residents") or ())
        return cls(
            places={a.pk: a for a in jurisdiction.areas_visible(actor).filter(pk__in=places)}
            if places
            else {},
            activities={a.pk: a for a in Activity.objects.filter(pk__in=named, is_active=True)}
            if named
            else {},
            people={p.pk: p for p in person_list_for_user(user=actor).filter(pk__in=met)}
            if met
            else {},
            max_days_back=log_policy().max_days_back,
        )


def _check_entry(
    actor: Any,
    lookups: _EntryLookups,
    problems: Problems,
    *,
    now: dt.datetime,
    occurred_at: dt.datetime | None,
    area: Any,
    finding: str,
    text: str,
    activities: Sequence[Any] = (),
    residents: Sequence[Any] = (),
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    settled_on_spot: bool = False,
    settlement: str = "",
    category: Any = None,
    backdate_reason: str = "",
    prefix: str = "",
) -> dict[str, Any]:
    """One entry checked as the rules have it; its problems go to `problems`, each field
    named after `prefix` (`items.3.` in a batch). Returns the entry's cleaned fields."""

    def add(code: str, message: str, field: str) -> None:
        problems.add(code, message, field=f"{prefix}{field}")

    occurred_at = occurred_at or now
    text = (text or "").strip()
    backdate_reason = (backdate_reason or "").strip()
    settlement = (settlement or "").strip()
    if timezone.is_naive(occurred_at):
        add("occurred_at", _("Give the time with its time zone."), "occurred_at")
    elif occurred_at > now + FUTURE_GRACE:
        add("in_future", _("An entry cannot be dated in the future."), "occurred_at")
    elif (
        timezone.localdate(now) - timezone.localdate(occurred_at)
    ).days > lookups.max_days_back and not backdate_reason:
        add(
            "backdate_reason",
            _("Say why this is written more than %(days)d days after it happened.")
            % {"days": lookups.max_days_back},
            "backdate_reason",
        )
    place = lookups.places.get(id_of(area))
    if place is None:
        add("area", _("Choose a place from the list; this one is not in your area."), "area")
    if finding not in Finding.values:
        add("finding", _("Choose what was found."), "finding")
    if not text:
        add("text", _("Write what was done and seen."), "text")
    elif len(text) > MAX_TEXT:
        add("text", _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}, "text")
    wanted = {id_of(value) for value in activities if value not in (None, "")}
    chosen = [lookups.activities[pk] for pk in wanted if pk in lookups.activities]
    if len(chosen) != len(wanted):
        add("activities", _("Choose what was done from the list."), "activities")
    met = {id_of(value) for value in residents if value not in (None, "")}
    people = [lookups.people[pk] for pk in met if pk in lookups.people]
    if len(people) != len(met):
        add("residents", _("A resident was not found."), "residents")
    if (latitude is None) != (longitude is None):
        add("position", _("Give both latitude and longitude, or neither."), "longitude")
    if settled_on_spot:
        if finding == Finding.NOTHING:
            add(
                "settled_nothing",
                _("Nothing was found, so nothing was settled."),
                "settled_on_spot",
            )
        if not settlement:
            add("settlement", _("Say how it was settled on the spot."), "settlement")
        if category in (None, ""):
            add("category", _("Choose the category of the matter settled."), "category")
        if finding == Finding.DISPUTE and not met:
            add(
                "applicant",
                _("A dispute settled on the spot needs the resident who raised it."),
                "residents",
            )
    return {
        "place": place,
        "occurred_at": occurred_at,
        "finding": finding,
        "text": text,
        # In the order of their lists, as reading them one entry at a time gave them.
        "activities": sorted(chosen, key=lambda activity: (activity.sort_order, activity.code)),
        "residents": sorted(people, key=lambda person: (person.name, person.pk)),
        "address": (address or "").strip()[:200],
        "latitude": latitude,
        "longitude": longitude,
        "settled_on_spot": bool(settled_on_spot),
        "settlement": settlement[:500] if settled_on_spot else "",
        "category": category if settled_on_spot else None,
        "backdate_reason": backdate_reason[:200],
    }


@transaction.atomic
def _write_entry(
    actor: Any,
    now: dt.datetime,
    *,
    place: Area,
    activities: list[Activity],
    residents: list[Any],
    photos: Sequence[UploadedFile],
    category: Any,
    **fields: Any,
) -> LogEntry:
    entry = LogEntry.objects.create(
        author=actor,
        occurred_on=timezone.localdate(fields["occurred_at"]),
        area=place,
        area_path=place.path,
        created_at=now,
        **fields,
    )
    entry.activities.set(activities)
    entry.residents.set(residents)
    uploads_store(LogPhoto, photos, actor=actor, now=now, entry=entry)
    log_day_count(worker=actor, day=entry.occurred_on)
    if entry.settled_on_spot:
        _settle(actor, entry, category, residents, now)
    audit_record(
        action="log.create",
        actor=actor,
        target=entry,
        area=place,
        details={"finding": entry.finding, "photos": len(photos), "residents": len(residents)},
    )
    return entry


# --------------------------------------------------------------------------- in batches
BATCH_LIMIT = 1000
# What an entry of a batch may carry: an entry's fields but its photos and client key,
# and when it was written.
BATCH_FIELDS = frozenset(
    {
        "occurred_at",
        "area",
        "finding",
        "text",
        "activities",
        "residents",
        "address",
        "latitude",
        "longitude",
        "settled_on_spot",
        "backdate_reason",
        "now",
    }
)


@audits_refusals
def log_entries_create_many(
    *,
    actor: Any,
    items: Sequence[dict[str, Any]],
    calendar: WorkingCalendar | None = None,
) -> list[LogEntry]:
    """Write a batch of one writer's entries at once (a paper log brought in, the demo's
    year): each item takes `log_entry_create`'s fields but photos and a client key, with
    `now`, when it was written (the moment its checks stand on; now by default), and is
    checked exactly as `log_entry_create` checks it; a matter settled on the spot, which
    becomes a case, is written on its own. Each entry counts its day as it would written
    alone, in the order of the items, and gets its audit event. One transaction: every
    problem of every item is reported together, each field naming its item
    (`items.3.area`), and nothing of the batch is saved. The database is read once per
    batch, not once per entry."""
    _require_writer(actor)
    if not items:
        return []
    if len(items) > BATCH_LIMIT:
        raise DomainError(
            "too_many",
            _("At most %(n)d entries can be written at once.") % {"n": BATCH_LIMIT},
            field="items",
        )
    unknown = {key for item in items for key in item} - BATCH_FIELDS
    if unknown:
        raise TypeError(f"not taken in a batch: {sorted(unknown)}")
    lookups = _EntryLookups.of(actor, items)
    problems = Problems()
    checked = []
    for index, item in enumerate(items):
        fields = {"occurred_at": None, "area": None, "finding": "", "text": "", **item}
        now = fields.pop("now", None) or clock.now()
        prefix = f"items.{index}."
        if fields.get("settled_on_spot"):
            problems.add(
                "settled_alone",
                _("A matter settled on the spot is written on its own."),
                field=f"{prefix}settled_on_spot",
            )
        checked.append(
            (now, _check_entry(actor, lookups, problems, now=now, prefix=prefix, **fields))
        )
    problems.raise_if_any()
    return _write_entries(actor, checked, calendar or calendar_load())


@transaction.atomic
def _write_entries(
    actor: Any, checked: list[tuple[dt.datetime, dict[str, Any]]], calendar: WorkingCalendar
) -> list[LogEntry]:
    entries, activities, residents = [], [], []
    for now, fields in checked:
        fields = dict(fields)
        place = fields.pop("place")
        activities.append(fields.pop("activities"))
        residents.append(fields.pop("residents"))
        fields.pop("category")
        entries.append(
            LogEntry(
                author=actor,
                occurred_on=timezone.localdate(fields["occurred_at"]),
                area=place,
                area_path=place.path,
                created_at=now,
                **fields,
            )
        )
    insert_rows(LogEntry, entries)
    for relation, chosen in ((LogEntry.activities, activities), (LogEntry.residents, residents)):
        through, field = relation.through, relation.field
        source, target = field.m2m_column_name(), field.m2m_reverse_name()
        insert_rows(
            through,
            [
                through(**{source: entry.pk, target: item.pk})
                for entry, items in zip(entries, chosen, strict=True)
                for item in items
            ],
        )
    _count_days(actor, [entry.occurred_on for entry in entries], calendar)
    audit_record_many(
        [
            {
                "action": "log.create",
                "actor": actor,
                "target": entry,
                "area": entry.area,
                "details": {"finding": entry.finding, "photos": 0, "residents": len(met)},
            }
            for entry, met in zip(entries, residents, strict=True)
        ]
    )
    return entries


def _count_days(worker: Any, days: list[dt.date], calendar: WorkingCalendar) -> None:
    """Count the entries of `days` (in the order they were written) on the worker's days:
    one more on a day already counted, a new day with its run as `log_day_count` finds it
    (the worker's days before it, those of the batch written earlier among them)."""
    counts = Counter(days)
    since = min(days) - dt.timedelta(days=STREAK_HORIZON_DAYS)
    logged = dict(LogDay.objects.filter(worker=worker, day__gte=since).values_list("day", "streak"))
    counted = [day for day in counts if day in logged]
    excused = _excused_days(worker, since, max(days))
    fresh = []
    for day in dict.fromkeys(days):
        if day in logged:
            continue
        logged[day] = _run_before(day, logged, excused, calendar) + 1
        fresh.append(LogDay(worker=worker, day=day, entries=counts[day], streak=logged[day]))
    for day in counted:
        LogDay.objects.filter(worker=worker, day=day).update(entries=F("entries") + counts[day])
    LogDay.objects.bulk_create(fresh)


def _settle(
    actor: Any, entry: LogEntry, category: Any, residents: list[Any], now: dt.datetime
) -> None:
    """The matter of an entry settled on the spot, as a case settled by its writer."""
    kind = KIND_OF_FINDING[entry.finding]
    case = _case_of(actor, entry, kind=kind, category=category, residents=residents, now=now)
    entry.case = case_act(
        actor=actor,
        case_id=case.pk,
        action="settle_on_spot",
        expected_version=case.version,
        note=entry.settlement,
        now=now,
    )
    entry.save(update_fields=["case"])


def _case_of(
    actor: Any,
    entry: LogEntry,
    *,
    kind: str,
    category: Any,
    residents: list[Any],
    now: dt.datetime,
    grade: str = "",
    title: str = "",
) -> Case:
    """The case an entry raises: its place, account, residents (the first applies) and
    photos, channel 民情日志, received when the entry says."""
    received = entry.occurred_at if entry.occurred_at < now else now
    case = case_create(
        actor=actor,
        kind=kind,
        grade=grade or (Grade.GENERAL if kind == Kind.DISPUTE else ""),
        category=category if isinstance(category, CaseCategory) else id_of(category),
        channel=Channel.DAILY_LOG,
        title=(title or quick_title(entry.text) or entry.text)[:120],
        account=entry.text,
        area=entry.area_id,
        address=entry.address,
        latitude=entry.latitude,
        longitude=entry.longitude,
        parties=_parties(residents),
        received_at=received,
        backdate_reason=_("Raised from daily log entry of %(day)s.")
        % {"day": entry.occurred_on.isoformat()},
        now=now,
    )
    for photo in entry.photos.all():
        with photo.file.open("rb") as source:
            copied = ContentFile(source.read(), name=photo.original_name)
        CaseAttachment.objects.create(
            case=case,
            file=copied,
            original_name=photo.original_name,
            content_type=photo.content_type,
            size=photo.size,
            uploaded_by=photo.uploaded_by,
            uploaded_at=now,
        )
    return case


# --------------------------------------------------------------------------- days
def log_day_count(*, worker: Any, day: dt.date, calendar: WorkingCalendar | None = None) -> None:
    """Count one more entry on the worker's day, and the run of days kept up to it."""
    updated = LogDay.objects.filter(worker=worker, day=day).update(entries=F("entries") + 1)
    if updated:
        return
    streak = _streak_before(worker, day, calendar or calendar_load()) + 1
    try:
        with transaction.atomic():
            LogDay.objects.create(worker=worker, day=day, entries=1, streak=streak)
    except IntegrityError:
        LogDay.objects.filter(worker=worker, day=day).update(entries=F("entries") + 1)


# How far back a run of kept days is followed; a longer run reads as this many.
STREAK_HORIZON_DAYS = 400


def _streak_before(worker: Any, day: dt.date, calendar: WorkingCalendar) -> int:
    """The run of working days kept (logged or excused) just before `day`."""
    since = day - dt.timedelta(days=STREAK_HORIZON_DAYS)
    logged = dict(
        LogDay.objects.filter(worker=worker, day__gte=since, day__lt=day).values_list(
            "day", "streak"
        )
    )
    return _run_before(day, logged, _excused_days(worker, since, day), calendar)


def _run_before(
    day: dt.date, logged: dict[dt.date, int], excused: set[dt.date], calendar: WorkingCalendar
) -> int:
    """The run just before `day`, from the worker's logged days (with their runs) and
    excused days: a logged day carries the run up to it, rest days are passed over."""
    since = day - dt.timedelta(days=STREAK_HORIZON_DAYS)
    run = 0
    current = day - dt.timedelta(days=1)
    while current >= since:
        if calendar.knows(current) and not calendar.is_working_day(current):
            current -= dt.timedelta(days=1)
            continue
        if current in logged and current not in excused:
            # That day carries the run up to it.
            return run + logged[current]
        if current in excused:
            run += 1
        else:
            return run
        current -= dt.timedelta(days=1)
    return run


def _excused_days(worker: Any, start: dt.date, end: dt.date) -> set[dt.date]:
    days: set[dt.date] = set()
    for first, last in Excuse.objects.filter(
        worker=worker, ends_on__gte=start, starts_on__lte=end
    ).values_list("starts_on", "ends_on"):
        current = max(first, start)
        while current <= min(last, end):
            days.add(current)
            current += dt.timedelta(days=1)
    return days


def log_days_recount(
    *, worker: Any, since: dt.date, calendar: WorkingCalendar | None = None
) -> int:
    """Recount the runs of the worker's days from `since` on (after an excuse is recorded,
    which may join two runs). Returns the days recounted."""
    calendar = calendar or calendar_load()
    days = list(LogDay.objects.filter(worker=worker, day__gte=since).order_by("day"))
    for row in days:
        row.streak = _streak_before(worker, row.day, calendar) + 1
        LogDay.objects.filter(pk=row.pk).update(streak=row.streak)
    return len(days)


# --------------------------------------------------------------------------- excuses
@audits_refusals
@transaction.atomic
def log_excuse_record(
    *,
    actor: Any,
    worker: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str,
    reason: str,
    now: dt.datetime | None = None,
) -> Excuse:
    """A village cadre (for a worker of the village) or a leader records leave or duty
    away that excuses the worker's days from the log."""
    now = now or clock.now()
    if not jurisdiction.roles_of(actor) & EXCUSERS:
        raise _refused(
            actor, "excuse", _("Leave is recorded by a village cadre or a centre leader.")
        )
    person = (
        User.objects.filter(pk=id_of(worker), is_active=True)
        .filter(jurisdiction.area_q(actor, field="home_area"))
        .first()
    )
    problems = Problems()
    if person is None:
        problems.add("worker", _("Choose a worker of your area."), field="worker")
    if kind not in ExcuseKind.values:
        problems.add("kind", _("Choose the kind of leave."), field="kind")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        problems.add("days", _("Give the first and the last day."), field="starts_on")
    elif ends_on < starts_on:
        problems.add("days", _("The last day comes before the first."), field="ends_on")
    elif (ends_on - starts_on).days > 366:
        problems.add("days", _("Record at most a year at a time."), field="ends_on")
    reason = (reason or "").strip()
    if not reason:
        problems.add("reason", _("Give the reason."), field="reason")
    problems.raise_if_any()
    excuse = Excuse.objects.create(
        worker=person,
        starts_on=starts_on,
        ends_on=ends_on,
        kind=kind,
        reason=reason[:200],
        recorded_by=actor,
        recorded_at=now,
    )
    log_days_recount(worker=person, since=starts_on)
    audit_record(
        action="log.excuse",
        actor=actor,
        target=person,
        area=person.home_area,
        details={"from": starts_on.isoformat(), "to": ends_on.isoformat(), "kind": kind},
    )
    return excuse


# --------------------------------------------------------------------------- to a case
def may_raise_case(actor: Any, entry: LogEntry) -> bool:
    """The entry's author, or whoever runs its area (a cadre, a leader, a dispatcher)."""
    if entry.author_id == getattr(actor, "pk", None):
        return True
    roles = jurisdiction.roles_of(actor)
    return bool(roles & {Role.VILLAGE_CADRE, Role.LEADER, Role.DISPATCHER}) and (
        jurisdiction.path_in_scope(actor, entry.area_path, capability=Capability.VIEW_AREA_CASES)
    )


def _parties(residents: list[Any]) -> list[PartyInput]:
    """The residents met, as the case's parties: the first applies, the others respond."""
    return [
        PartyInput(
            role=PartyRole.APPLICANT if index == 0 else PartyRole.RESPONDENT,
            person_id=person.pk,
        )
        for index, person in enumerate(residents)
    ]


def _entry_for_a_case(actor: Any, entry_id: Any, *, action: str) -> LogEntry:
    """The entry, locked, that the actor may make (or link to) a case: in their scope (else
    404), theirs or of the area they run, not yet a case, with something found."""
    entry = jurisdiction.get_in_scope(actor, log_list_for_user(user=actor), entry_id)
    entry = LogEntry.objects.select_for_update().select_related("area").get(pk=entry.pk)
    audit = {"action": action, "actor": actor, "target": entry}
    if not may_raise_case(actor, entry):
        raise NotAllowed(
            _("Only the entry's author or those who run its area can make it a case."),
            audit=audit,
        )
    if entry.case_id is not None:
        raise WrongState(
            _("This entry is already case %(number)s.") % {"number": entry.case.number},
            audit=audit,
            code="already_a_case",
        )
    if entry.finding == Finding.NOTHING:
        raise WrongState(
            _("Nothing unusual was found; there is no case to make of it."),
            audit=audit,
            code="nothing_found",
        )
    return entry


@audits_refusals
@transaction.atomic
def log_entry_to_case(
    *,
    actor: Any,
    entry_id: Any,
    category: Any,
    kind: str = "",
    grade: str = "",
    title: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """One step from an entry to a case: registered by the actor with the entry's place,
    account, residents (the first as applicant) and photos, channel 民情日志; the entry and
    the case name each other. An entry becomes one case at most."""
    now = now or clock.now()
    entry = _entry_for_a_case(actor, entry_id, action="log.to_case")
    case = _case_of(
        actor,
        entry,
        kind=kind or KIND_OF_FINDING[entry.finding],
        category=category,
        residents=list(entry.residents.order_by("pk")),
        now=now,
        grade=grade,
        title=title,
    )
    entry.case = case
    entry.save(update_fields=["case"])
    audit_record(action="log.to_case", actor=actor, target=entry, details={"case": case.pk})
    return case


# --------------------------------------------------------------------------- quick report
QUICK_KINDS = (Kind.HAZARD, Kind.DEMAND)
TITLE_LENGTH = 30


def quick_title(text: str) -> str:
    """A case's title from a field report's one sentence: up to its first stop."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    for stop in "。！？!?；;，,":
        first = first.split(stop)[0]
    return first[:TITLE_LENGTH]


@audits_refusals
def quick_report(
    *,
    actor: Any,
    kind: str,
    category: Any,
    text: str,
    photos: Sequence[UploadedFile] = (),
    latitude: Any = None,
    longitude: Any = None,
    area: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """A hazard or a resident's demand reported from the field in four things: what kind
    and category, a photo, the position, one sentence. Registered as a grid report in the
    reporter's own area (or the `area` given), titled from the sentence."""
    problems = Problems()
    if kind not in QUICK_KINDS:
        problems.add(
            "kind", _("A quick report is of a hazard or a resident's demand."), field="kind"
        )
    _check_photos(photos, problems)
    problems.raise_if_any()
    text = (text or "").strip()
    return case_create(
        actor=actor,
        kind=kind,
        category=category,
        channel=Channel.GRID_REPORT,
        title=quick_title(text),
        account=text,
        area=area if area not in (None, "") else getattr(actor, "home_area_id", None),
        latitude=latitude,
        longitude=longitude,
        attachments=list(photos),
        now=now,
    )


# --------------------------------------------------------------------------- reminder
def log_reminders_send(*, now: dt.datetime | None = None) -> int:
    """From the rule's reminder hour on, tell each grid worker due today who has not yet
    logged enough entries, once a day (the notification's condition is the day): a rest
    day, leave and a kept day send nothing. Safe to run as often as the job runner likes;
    returns how many were told by this run."""
    now = now or clock.now()
    local = timezone.localtime(now)
    policy = log_policy()
    if local.hour < policy.reminder_hour:
        return 0
    today = local.date()
    workers = workers_not_logged(day=today, calendar=calendar_load())
    if not workers:
        return 0
    told = notify(
        recipients=workers,
        kind=NotificationKind.SYSTEM,
        title=_("Today's daily log is not written yet"),
        body=ngettext(
            "Today (%(day)s) is a working day: write at least %(n)d daily log entry before "
            "the day ends.",
            "Today (%(day)s) is a working day: write at least %(n)d daily log entries before "
            "the day ends.",
            policy.min_entries_per_working_day,
        )
        % {"day": today.isoformat(), "n": policy.min_entries_per_working_day},
        link=reverse("field_log_new"),
        dedupe_key=f"daily-log-reminder:{today.isoformat()}",
        now=now,
    )
    return len(told)


# --------------------------------------------------------------------------- linking
@audits_refusals
@transaction.atomic
def log_entry_link_case(
    *, actor: Any, entry_id: Any, case_id: Any, now: dt.datetime | None = None
) -> LogEntry:
    """Name a case registered from the daily log (channel 民情日志) as the one the entry
    raised, both ways, when it was registered apart from the entry (at the centre, by an
    import): the same entry as `log_entry_to_case` takes, and a case the actor may see that
    no entry names yet."""
    entry = _entry_for_a_case(actor, entry_id, action="log.link_case")
    case = jurisdiction.get_in_scope(actor, case_list_for_user(user=actor), case_id)
    audit = {"action": "log.link_case", "actor": actor, "target": entry}
    if case.channel != Channel.DAILY_LOG:
        raise WrongState(
            _("Case %(number)s did not come in through the daily log.") % {"number": case.number},
            audit=audit,
            code="not_from_the_log",
        )
    if LogEntry.objects.filter(case=case).exists():
        raise WrongState(
            _("Case %(number)s is already linked to another entry.") % {"number": case.number},
            audit=audit,
            code="case_already_linked",
        )
    entry.case = case
    entry.save(update_fields=["case"])
    audit_record(
        action="log.link_case",
        actor=actor,
        target=entry,
        details={"case": case.pk, "at": (now or clock.now()).isoformat()},
    )
    return entry
