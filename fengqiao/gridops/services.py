"""The only writers of the daily log: an entry (`log_entry_create`), the case it becomes
(`log_entry_to_case`), and the leave that excuses a worker's days (`log_excuse_record`).

Every entry also counts its day (`LogDay`: entries and the run of days kept), in the same
transaction, so the compliance page reads days, not entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    Channel,
    Grade,
    Kind,
    PartyRole,
)
from fengqiao.cases.services import PartyInput, case_act, case_create
from fengqiao.core import clock
from fengqiao.core.errors import NotAllowed, Problems, WrongState, audits_refusals
from fengqiao.core.ids import id_of
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
    if not jurisdiction.roles_of(actor) & LOG_WRITERS:
        raise _refused(actor, "create", _("Your role does not keep a daily log."))
    client_key = (client_key or "").strip()[:64]
    if client_key:
        written = LogEntry.objects.filter(author=actor, client_key=client_key).first()
        if written is not None:
            return written
    problems = Problems()
    occurred_at = occurred_at or now
    text = (text or "").strip()
    backdate_reason = (backdate_reason or "").strip()
    settlement = (settlement or "").strip()
    if timezone.is_naive(occurred_at):
        problems.add("occurred_at", _("Give the time with its time zone."), field="occurred_at")
    elif occurred_at > now + FUTURE_GRACE:
        problems.add("in_future", _("An entry cannot be dated in the future."), field="occurred_at")
    elif (
        timezone.localdate(now) - timezone.localdate(occurred_at)
    ).days > log_policy().max_days_back and not backdate_reason:
        problems.add(
            "backdate_reason",
            _("Say why this is written more than %(days)d days after it happened.")
            % {"days": log_policy().max_days_back},
            field="backdate_reason",
        )
    place = jurisdiction.areas_visible(actor).filter(pk=id_of(area)).first()
    if place is None:
        problems.add(
            "area", _("Choose a place from the list; this one is not in your area."), field="area"
        )
    if finding not in Finding.values:
        problems.add("finding", _("Choose what was found."), field="finding")
    if not text:
        problems.add("text", _("Write what was done and seen."), field="text")
    elif len(text) > MAX_TEXT:
        problems.add("text", _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}, field="text")
    wanted = {id_of(value) for value in activities if value not in (None, "")}
    chosen = list(Activity.objects.filter(pk__in=wanted, is_active=True))
    if len(chosen) != len(wanted):
        problems.add("activities", _("Choose what was done from the list."), field="activities")
    met = {id_of(value) for value in residents if value not in (None, "")}
    people = list(person_list_for_user(user=actor).filter(pk__in=met))
    if len(people) != len(met):
        problems.add("residents", _("A resident was not found."), field="residents")
    if (latitude is None) != (longitude is None):
        problems.add(
            "position", _("Give both latitude and longitude, or neither."), field="longitude"
        )
    if settled_on_spot:
        if finding == Finding.NOTHING:
            problems.add(
                "settled_nothing",
                _("Nothing was found, so nothing was settled."),
                field="settled_on_spot",
            )
        if not settlement:
            problems.add("settlement", _("Say how it was settled on the spot."), field="settlement")
        if category in (None, ""):
            problems.add(
                "category", _("Choose the category of the matter settled."), field="category"
            )
        if finding == Finding.DISPUTE and not met:
            problems.add(
                "applicant",
                _("A dispute settled on the spot needs the resident who raised it."),
                field="residents",
            )
    _check_photos(photos, problems)
    problems.raise_if_any()
    try:
        return _write_entry(
            actor,
            place,
            now,
            occurred_at=occurred_at,
            finding=finding,
            text=text,
            activities=chosen,
            residents=people,
            address=(address or "").strip()[:200],
            latitude=latitude,
            longitude=longitude,
            settled_on_spot=bool(settled_on_spot),
            settlement=settlement[:500] if settled_on_spot else "",
            category=category if settled_on_spot else None,
            photos=photos,
            backdate_reason=backdate_reason[:200],
            client_key=client_key,
        )
    except IntegrityError:
        # The same phone's same entry arrived twice at once: the other one wrote it.
        written = LogEntry.objects.filter(author=actor, client_key=client_key).first()
        if written is None:
            raise
        return written


@transaction.atomic
def _write_entry(
    actor: Any,
    place: Area,
    now: dt.datetime,
    *,
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
    excused = _excused_days(worker, since, day)
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
    entry = jurisdiction.get_in_scope(actor, log_list_for_user(user=actor), entry_id)
    entry = LogEntry.objects.select_for_update().select_related("area").get(pk=entry.pk)
    audit = {"action": "log.to_case", "actor": actor, "target": entry}
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
