"""/notifications: one's own notifications and channel choices; /emergencies: the emergencies
one was told of, and "I have it". A person only ever sees their own rows; anyone else's
is a 404."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.routing import READ_ERRORS, WRITE_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import StrictInput
from fengqiao.core import clock
from fengqiao.emergency.selectors import (
    emergency_linkages,
    emergency_open_for_user,
    emergency_page_allowed,
    emergency_recently_finished_for_user,
    emergency_told_list_for_user,
)
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


# --------------------------------------------------------------------------- schemas
class UnreadParams(PageParams):
    unread_only: bool = False


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


NotificationPageOut = page_of(NotificationOut, "NotificationPageOut", unread_count=int)


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


EmergencyPageOut = page_of(EmergencyOut, "EmergencyPageOut", unacknowledged=int)


class RecipientOut(Schema):
    name: str
    reason: str
    agency: str
    told_at: Any
    acknowledged_at: Any | None
    minutes: int


class OverseenOut(Schema):
    case_id: int
    number: str
    title: str
    area: str
    address: str
    category: str
    state: str
    state_label: str
    linked_at: Any
    agencies: list[str]
    acknowledged: list[RecipientOut]
    waiting: list[RecipientOut]


OverseenPageOut = page_of(OverseenOut, "OverseenEmergencyPageOut")


class OverseenParams(PageParams):
    state: Literal["open", "finished"] = "open"


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
    response={200: NotificationPageOut, **READ_ERRORS},
    summary="One's own notifications, unread first",
)
def notification_list(request: HttpRequest, params: Query[UnreadParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    rows = notification_list_for_user(user=user)
    if params.unread_only:
        rows = rows.filter(read_at__isnull=True)
    return {
        **paginate(rows, params, notification_body),
        "unread_count": notification_unread_count(user=user),
    }


@router.write("/read-all", response={200: MarkedOut}, summary="Mark all one's own read")
def notification_read_all(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    marked = notification_mark_all_read(user=user)
    return {"marked": marked, "unread_count": notification_unread_count(user=user)}


@router.write(
    "/{int:notification_id}/read",
    response={200: NotificationOut},
    summary="Mark one's own notification read",
)
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    row = jurisdiction.get_in_scope(user, notification_list_for_user(user=user), notification_id)
    notification_mark_read(user=user, ids=[row.pk])
    row.refresh_from_db()
    return _as_json(NotificationOut, notification_body(row))


@router.get(
    "/preferences",
    response={200: list[PreferenceOut], **READ_ERRORS},
    summary="One's outbound channels (in-app is always on)",
)
def preferences_read(request: HttpRequest) -> list[dict[str, Any]]:
    return notification_preferences_for_user(user=request.auth)  # type: ignore[attr-defined]


@router.put(
    "/preferences",
    response={200: list[PreferenceOut], **WRITE_ERRORS},
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
    response={200: EmergencyPageOut, **READ_ERRORS},
    summary="The emergencies one was told of, newest first",
)
def emergency_list(request: HttpRequest, params: Query[UnreadParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    rows = emergency_told_list_for_user(user=user)
    unacknowledged = rows.filter(acknowledged_at__isnull=True)
    if params.unread_only:
        rows = unacknowledged
    return {**paginate(rows, params, emergency_body), "unacknowledged": unacknowledged.count()}


def _recipient(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "reason": row.reason,
        "agency": row.agency,
        "told_at": row.told_at,
        "acknowledged_at": row.acknowledged_at,
        "minutes": row.minutes,
    }


@emergency_router.get(
    "/overseen",
    response={200: OverseenPageOut, **READ_ERRORS},
    summary="The emergencies one oversees: open ones newest first, or those finished lately",
    description=(
        "As the emergency page lists them: for a leader and the dispatchers, every emergency "
        "in their area; for a village cadre, their village's; for an agency liaison, those "
        "sent to their agency. `state=finished`: closed, not accepted or merged in the last "
        "30 days. Each with who was told, who acknowledged and when, and who has not yet "
        "(`minutes`: to the acknowledgement, or waiting so far). Other roles: 403."
    ),
)
def emergency_overseen(request: HttpRequest, params: Query[OverseenParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if not emergency_page_allowed(user):
        jurisdiction.deny(user, what="emergency_list")
    now = clock.now()
    rows = (
        emergency_open_for_user(user=user)
        if params.state == "open"
        else emergency_recently_finished_for_user(user=user, now=now)
    )
    page = paginate(rows, params, lambda dispatch: dispatch)
    linkages = emergency_linkages(page["results"], now=now)
    page["results"] = [
        {
            "case_id": linkage.dispatch.case_id,
            "number": linkage.dispatch.case.number,
            "title": linkage.dispatch.case.title,
            "area": linkage.dispatch.case.area.name,
            "address": linkage.dispatch.case.address,
            "category": linkage.dispatch.case.category.name,
            "state": linkage.dispatch.case.state,
            "state_label": linkage.dispatch.case.get_state_display(),
            "linked_at": linkage.dispatch.linked_at,
            "agencies": linkage.agencies,
            "acknowledged": [_recipient(row) for row in linkage.acknowledged],
            "waiting": [_recipient(row) for row in linkage.waiting],
        }
        for linkage in linkages
    ]
    return page


@emergency_router.write(
    "/{int:case_id}/acknowledge",
    response={200: EmergencyOut},
    summary='"I have it": acknowledge an emergency one was told of (again: no change)',
)
def emergency_ack(request: HttpRequest, case_id: int, payload: AcknowledgeIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    row = emergency_acknowledge(actor=user, case_id=case_id, note=payload.note)
    full = emergency_told_list_for_user(user=user).get(pk=row.pk)
    return _as_json(EmergencyOut, emergency_body(full))
