"""/logs: the daily log (entries, the case an entry becomes, leave), the figures of its rule,
and /field/reports: a quick report from the field. Scoped like the pages: an entry the user
may not see is a 404; a role that keeps no log, or may not see the figures, is a 403.

Entries and quick reports come with their photos in one multipart request, so that a phone
that captured them offline sends each once, with its Idempotency-Key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Schema, UploadedFile
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.cases import detail_body
from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import Input, Ref, StrictInput, ref
from fengqiao.api.types import AwareDatetime, LocalDatetime
from fengqiao.cases.models import Kind
from fengqiao.core import clock
from fengqiao.gridops import selectors, services
from fengqiao.gridops.models import ExcuseKind, Finding, LogEntry
from fengqiao.workcal.selectors import calendar_load

router = Router(tags=["daily log"])
field_router = Router(tags=["field"])


# --------------------------------------------------------------------------- schemas
class EntryIn(Input):
    """The fields of an entry, sent as a form with its photos (multipart)."""

    occurred_at: AwareDatetime | None = None
    area_id: int
    finding: Finding
    text: str = Field(min_length=1, max_length=services.MAX_TEXT)
    activity_ids: list[int] = Field(default_factory=list, max_length=20)
    resident_ids: list[int] = Field(default_factory=list, max_length=20)
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    settled_on_spot: bool = False
    settlement: str = Field("", max_length=500)
    category_id: int | None = Field(
        None, description="The category of a matter settled on the spot (then required)."
    )
    backdate_reason: str = Field("", max_length=200)


class EntryOut(Schema):
    id: int
    author: Ref
    occurred_at: LocalDatetime
    occurred_on: dt.date
    area: Ref
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    activities: list[str]
    residents: list[Ref]
    finding: str
    finding_label: str
    text: str
    settled_on_spot: bool
    settlement: str
    photos: list[Ref]
    case: dict[str, Any] | None
    created_at: LocalDatetime


EntryPageOut = page_of(EntryOut, "LogEntryPageOut")


class EntryParams(PageParams):
    mine: bool = False
    finding: Finding | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class ToCaseIn(StrictInput):
    category_id: int
    kind: Kind | None = None
    grade: str = Field("", max_length=16)
    title: str = Field("", max_length=120)


class ExcuseIn(StrictInput):
    worker_id: int
    starts_on: dt.date
    ends_on: dt.date
    kind: ExcuseKind
    reason: str = Field(min_length=1, max_length=200)


class ExcuseOut(Schema):
    id: int
    worker: Ref
    starts_on: dt.date
    ends_on: dt.date
    kind: str
    reason: str


class ComplianceParams(Input):
    period: Literal["today", "week", "month"] = "today"
    village_id: int | None = None


class WorkerOut(Schema):
    worker: Ref
    grid: Ref | None
    village: Ref | None
    due: int
    kept: int
    missed: int
    excused: int
    rate: Decimal | None
    entries: int
    entries_today: int
    kept_today: bool
    run: int


class TallyOut(Schema):
    area: Ref | None
    workers: int
    due: int
    kept: int
    rate: Decimal | None
    not_logged_today: int


class ComplianceOut(Schema):
    start: dt.date
    end: dt.date
    today: dt.date
    definitions: str
    total: TallyOut
    by_village: list[TallyOut]
    by_grid: list[TallyOut]
    workers: list[WorkerOut]


class QuickReportIn(Input):
    kind: Literal["hazard", "demand"]
    category_id: int
    text: str = Field(min_length=1, max_length=2000)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    area_id: int | None = None


# --------------------------------------------------------------------------- presenting
def entry_body(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "author": ref(entry.author),
        "occurred_at": entry.occurred_at,
        "occurred_on": entry.occurred_on,
        "area": ref(entry.area),
        "address": entry.address,
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "activities": [activity.name for activity in entry.activities.all()],
        "residents": [{"id": person.pk, "name": person.name} for person in entry.residents.all()],
        "finding": entry.finding,
        "finding_label": entry.get_finding_display(),
        "text": entry.text,
        "settled_on_spot": entry.settled_on_spot,
        "settlement": entry.settlement,
        "photos": [{"id": photo.pk, "name": photo.original_name} for photo in entry.photos.all()],
        "case": ({"id": entry.case_id, "number": entry.case.number} if entry.case_id else None),
        "created_at": entry.created_at,
    }


def _entry_json(user: Any, entry_id: int) -> dict[str, Any]:
    entry = selectors.log_get_for_user(user=user, pk=entry_id)
    return EntryOut.model_validate(entry_body(entry)).model_dump(mode="json")


def _tally(tally: selectors.Tally) -> dict[str, Any]:
    return {
        "area": ref(tally.area),
        "workers": tally.workers,
        "due": tally.due,
        "kept": tally.kept,
        "rate": tally.rate,
        "not_logged_today": tally.not_logged_today,
    }


# --------------------------------------------------------------------------- entries
@router.write(
    "",
    status=201,
    response={201: EntryOut},
    summary="Write a daily log entry, with its photos (multipart)",
    description=(
        "Every problem of the entry is answered at once (400). An entry dated more than the "
        "rule's days back needs `backdate_reason`; photos are JPEG, PNG or WebP. Send an "
        "Idempotency-Key: an entry resent after a lost answer is written once."
    ),
)
def entry_create(
    request: HttpRequest,
    payload: Form[EntryIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    entry = services.log_entry_create(
        actor=user,
        occurred_at=payload.occurred_at,
        area=payload.area_id,
        finding=payload.finding.value,
        text=payload.text,
        activities=payload.activity_ids,
        residents=payload.resident_ids,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        settled_on_spot=payload.settled_on_spot,
        settlement=payload.settlement,
        category=payload.category_id,
        backdate_reason=payload.backdate_reason,
        photos=list(photos or []),
        client_key=request.headers.get("Idempotency-Key", ""),
    )
    return _entry_json(user, entry.pk)


@router.get(
    "",
    response={200: EntryPageOut, **READ_ERRORS},
    summary="Daily log entries: one's own, or those of one's area; newest first",
)
def entry_list(request: HttpRequest, params: Query[EntryParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    rows = selectors.log_list_for_user(user=user)
    if params.mine:
        rows = rows.filter(author=user)
    if params.finding:
        rows = rows.filter(finding=params.finding.value)
    if params.since:
        rows = rows.filter(occurred_on__gte=params.since)
    if params.until:
        rows = rows.filter(occurred_on__lte=params.until)
    rows = rows.select_related("author", "area", "case").prefetch_related(
        "activities", "residents", "photos"
    )
    return paginate(rows, params, entry_body)


@router.get("/{int:entry_id}", response={200: EntryOut, **READ_ERRORS})
def entry_read(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    return _entry_json(request.auth, entry_id)  # type: ignore[attr-defined]


@router.write(
    "/{int:entry_id}/case",
    status=201,
    response={201: dict[str, Any]},
    summary="Make the entry a case (channel 民情日志), linked both ways",
    description=(
        "The entry's place, account, residents (the first as applicant) and photos go with "
        "it. 409 if the entry is a case already, or found nothing."
    ),
)
def entry_to_case(request: HttpRequest, entry_id: int, payload: ToCaseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = services.log_entry_to_case(
        actor=user,
        entry_id=entry_id,
        category=payload.category_id,
        kind=payload.kind.value if payload.kind else "",
        grade=payload.grade,
        title=payload.title,
    )
    return detail_body(user, case.pk)


@router.write(
    "/excuses",
    status=201,
    response={201: ExcuseOut},
    summary="Record leave or duty away that excuses a worker's days (village cadres, leaders)",
)
def excuse_record(request: HttpRequest, payload: ExcuseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    excuse = services.log_excuse_record(
        actor=user,
        worker=payload.worker_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        kind=payload.kind.value,
        reason=payload.reason,
    )
    return ExcuseOut.model_validate(
        {
            "id": excuse.pk,
            "worker": ref(excuse.worker),
            "starts_on": excuse.starts_on,
            "ends_on": excuse.ends_on,
            "kind": excuse.kind,
            "reason": excuse.reason,
        }
    ).model_dump(mode="json")


# --------------------------------------------------------------------------- compliance
@router.get(
    "/compliance",
    response={200: ComplianceOut, **READ_ERRORS},
    summary="Who keeps the daily log: today, this week or this month, by village and grid",
    description=selectors.__doc__.split("**Compliance**")[1].strip(),
)
def compliance_read(request: HttpRequest, params: Query[ComplianceParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if not selectors.compliance_allowed(user):
        jurisdiction.deny(user, what="log.compliance")
    village = None
    if params.village_id is not None:
        village = jurisdiction.get_in_scope(
            user, jurisdiction.areas_visible(user), params.village_id
        )
    today = clock.today()
    start, end = selectors.period_bounds(params.period, today)
    figures = selectors.compliance(
        user=user, start=start, end=end, today=today, calendar=calendar_load(), village=village
    )
    return {
        "start": figures.start,
        "end": figures.end,
        "today": figures.today,
        "definitions": selectors.__doc__.split("**Compliance**")[1].strip(),
        "total": _tally(figures.total),
        "by_village": [_tally(tally) for tally in figures.by_village],
        "by_grid": [_tally(tally) for tally in figures.by_grid],
        "workers": [
            {
                "worker": ref(row.worker),
                "grid": ref(row.grid),
                "village": ref(row.village),
                "due": row.due,
                "kept": row.kept,
                "missed": row.missed,
                "excused": row.excused,
                "rate": row.rate,
                "entries": row.entries,
                "entries_today": row.entries_today,
                "kept_today": row.kept_today,
                "run": row.run,
            }
            for row in figures.workers
        ],
    }


# --------------------------------------------------------------------------- quick report
@field_router.write(
    "/reports",
    status=201,
    response={201: dict[str, Any]},
    summary="A quick report from the field: a hazard or a demand, a photo, the position, a "
    "sentence (multipart)",
    description=(
        "Registered as a grid report in the reporter's own area (or `area_id`), titled from "
        "the sentence. Send an Idempotency-Key: a report resent after a lost answer is "
        "registered once."
    ),
)
def quick_report(
    request: HttpRequest,
    payload: Form[QuickReportIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = services.quick_report(
        actor=user,
        kind=payload.kind,
        category=payload.category_id,
        text=payload.text,
        photos=list(photos or []),
        latitude=payload.latitude,
        longitude=payload.longitude,
        area=payload.area_id,
    )
    return detail_body(user, case.pk)
