"""/notifications: one's own notifications and channel choices; /emergencies: the emergencies
one was told of, and "I have it". A person only ever sees their own rows; anyone else's
is a 404."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.idempotency import HEADER, idempotent
from fengqiao.api.schemas import ErrorOut, Input, StrictInput, ValidationErrorOut
from fengqiao.emergency.selectors import emergency_told_list_for_user
from fengqiao.emergency.services import emergency_acknowledge
from fengqiao.notify.models import Notification
from fengqiao.notify.selectors import (
    notification_list_for_user,
    notification_preferences_for_user,
    notification_unread_count,
)
from fengqiao.notify.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preference_set,
)

router = Router(tags=["notifications"])
emergency_router = Router(tags=["emergencies"])

ERRORS: dict[int, Any] = {400: ValidationErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 422: ErrorOut}


# --------------------------------------------------------------------------- schemas
class PageParams(Input):
    unread_only: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    case_id: int | None
    created_at: Any
    read_at: Any | None


class NotificationPageOut(Schema):
    count: int
    unread_count: int
    page: int
    page_size: int
    results: list[NotificationOut]


class MarkedOut(Schema):
    marked: int
    unread_count: int


class PreferenceOut(Schema):
    channel: str
    enabled: bool
    address: str


class PreferenceIn(StrictInput):
    channel: str = Field(max_length=20)
    enabled: bool
    address: str = Field("", max_length=100)


class PreferencesIn(StrictInput):
    preferences: list[PreferenceIn] = Field(max_length=10)


class EmergencyOut(Schema):
    case_id: int
    number: str
    title: str
    account: str
    area: str
    address: str
    category: str
    why_told: str
    agency: str
    told_at: Any
    acknowledged_at: Any | None


class EmergencyPageOut(Schema):
    count: int
    unacknowledged: int
    page: int
    page_size: int
    results: list[EmergencyOut]


class AcknowledgeIn(StrictInput):
    note: str = Field("", max_length=2000)


# --------------------------------------------------------------------------- presenting
def notification_body(row: Notification) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "case_id": row.case_id,
        "created_at": row.created_at,
        "read_at": row.read_at,
    }


def _as_json(schema: type[Schema], body: dict[str, Any]) -> dict[str, Any]:
    return schema.model_validate(body).model_dump(mode="json")


def emergency_body(row: Any) -> dict[str, Any]:
    case = row.dispatch.case
    return {
        "case_id": case.pk,
        "number": case.number,
        "title": case.title,
        "account": case.account,
        "area": case.area.name,
        "address": case.address,
        "category": case.category.name,
        "why_told": row.get_reason_display(),
        "agency": row.agency.name if row.agency else "",
        "told_at": row.told_at,
        "acknowledged_at": row.acknowledged_at,
    }


# --------------------------------------------------------------------------- notifications
@router.get(
    "",
    response={200: NotificationPageOut, 400: ValidationErrorOut, 401: ErrorOut},
    summary="One's own notifications, unread first",
)
def notification_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    rows = notification_list_for_user(user=user)
    if params.unread_only:
        rows = rows.filter(read_at__isnull=True)
    start = (params.page - 1) * params.page_size
    return {
        "count": rows.count(),
        "unread_count": notification_unread_count(user=user),
        "page": params.page,
        "page_size": params.page_size,
        "results": [notification_body(row) for row in rows[start : start + params.page_size]],
    }


@router.post(
    "/read-all", response={200: MarkedOut, **WRITE_ERRORS}, summary="Mark all one's own read"
)
def notification_read_all(
    request: HttpRequest, idempotency_key: str | None = Header(None, alias=HEADER)
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]

    def run() -> tuple[int, Any]:
        marked = notification_mark_all_read(user=user)
        return 200, {"marked": marked, "unread_count": notification_unread_count(user=user)}

    return idempotent(request, key=idempotency_key, fingerprint={}, run=run)


@router.post(
    "/{int:notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark one's own notification read",
)
def notification_read(
    request: HttpRequest,
    notification_id: int,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    row = jurisdiction.get_in_scope(user, notification_list_for_user(user=user), notification_id)

    def run() -> tuple[int, Any]:
        notification_mark_read(user=user, ids=[row.pk])
        row.refresh_from_db()
        return 200, _as_json(NotificationOut, notification_body(row))

    return idempotent(request, key=idempotency_key, fingerprint={}, run=run)


@router.get(
    "/preferences",
    response={200: list[PreferenceOut], 401: ErrorOut},
    summary="One's outbound channels (in-app is always on)",
)
def preferences_read(request: HttpRequest) -> list[dict[str, Any]]:
    return notification_preferences_for_user(user=request.auth)  # type: ignore[attr-defined]


@router.put(
    "/preferences",
    response={200: list[PreferenceOut], **ERRORS},
    summary="Choose outbound channels; all saved or, on any error, none",
)
def preferences_write(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    with transaction.atomic():
        for index, preference in enumerate(payload.preferences):
            try:
                notification_preference_set(
                    actor=user,
                    channel=preference.channel,
                    enabled=preference.enabled,
                    address=preference.address,
                )
            except Exception as error:
                field = getattr(error, "field", None)
                if field is not None:
                    error.field = f"preferences.{index}.{field}"  # type: ignore[attr-defined]
                raise
    return notification_preferences_for_user(user=user)


# --------------------------------------------------------------------------- emergencies
@emergency_router.get(
    "",
    response={200: EmergencyPageOut, 400: ValidationErrorOut, 401: ErrorOut},
    summary="The emergencies one was told of, newest first",
)
def emergency_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    rows = emergency_told_list_for_user(user=user)
    unacknowledged = rows.filter(acknowledged_at__isnull=True)
    if params.unread_only:
        rows = unacknowledged
    start = (params.page - 1) * params.page_size
    return {
        "count": rows.count(),
        "unacknowledged": unacknowledged.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": [emergency_body(row) for row in rows[start : start + params.page_size]],
    }


@emergency_router.post(
    "/{int:case_id}/acknowledge",
    response={200: EmergencyOut, **WRITE_ERRORS},
    summary='"I have it": acknowledge an emergency one was told of (again: no change)',
)
def emergency_ack(
    request: HttpRequest,
    case_id: int,
    payload: AcknowledgeIn,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]

    def run() -> tuple[int, Any]:
        row = emergency_acknowledge(actor=user, case_id=case_id, note=payload.note)
        full = emergency_told_list_for_user(user=user).get(pk=row.pk)
        return 200, _as_json(EmergencyOut, emergency_body(full))

    if not emergency_told_list_for_user(user=user).filter(dispatch__case_id=case_id).exists():
        # Refused before any transaction opens, so that the audit row of the 404 is kept.
        emergency_acknowledge(actor=user, case_id=case_id)
    return idempotent(
        request, key=idempotency_key, fingerprint=payload.model_dump(mode="json"), run=run
    )
