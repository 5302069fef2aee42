"""/alerts: the early-warning board as JSON. Scoped by the alert selectors: an alert outside
the user's jurisdiction is a 404 (and the attempt is audited); roles that see no area's
cases (administrators, mediators, liaisons) are refused the list (403), and a move the
user's role may not take is a 403, one the alert's status does not allow a 409."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.alerts.models import Alert, Severity
from fengqiao.alerts.rules import all_rules
from fengqiao.alerts.selectors import (
    ALERT_CAPABILITY,
    BoardFilter,
    alert_board,
    alert_get_for_user,
)
from fengqiao.alerts.services import actions_for, alert_act
from fengqiao.alerts.services import alert_flag_case as flag_case
from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import Ref, StrictInput, ref
from fengqiao.core.errors import DomainError

router = Router(tags=["alerts"])


# --------------------------------------------------------------------------- schemas
class AlertParams(PageParams):
    status: Literal["active", "all", "open", "acknowledged", "handled", "dismissed"] = "active"
    severity: Severity | None = None
    rule: str = Field("", max_length=32)


class AlertCaseOut(Schema):
    id: int
    number: str
    title: str
    state: str


class AlertOut(Schema):
    id: int
    rule: str
    rule_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    title: str
    detail: str
    area: Ref
    created_at: Any
    raised_by: Ref | None
    acknowledged_by: Ref | None
    acknowledged_at: Any | None
    closed_by: Ref | None
    closed_at: Any | None
    closing_note: str
    cases: list[AlertCaseOut]
    actions: list[str]


AlertPageOut = page_of(AlertOut, "AlertPageOut")


class HandleIn(StrictInput):
    note: str = Field("", max_length=5000)


class DismissIn(StrictInput):
    reason: str = Field("", max_length=5000)


class FlagIn(StrictInput):
    case_id: int = Field(ge=1)
    note: str = Field("", max_length=5000)
    severity: Severity = Severity.HIGH


# --------------------------------------------------------------------------- presenting
def alert_body(user: Any, alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "rule": alert.rule_code,
        "rule_label": str(alert.rule_label),
        "severity": alert.severity,
        "severity_label": alert.get_severity_display(),
        "status": alert.status,
        "status_label": alert.get_status_display(),
        "title": alert.title,
        "detail": alert.detail,
        "area": ref(alert.area),
        "created_at": alert.created_at,
        "raised_by": ref(alert.raised_by),
        "acknowledged_by": ref(alert.acknowledged_by),
        "acknowledged_at": alert.acknowledged_at,
        "closed_by": ref(alert.closed_by),
        "closed_at": alert.closed_at,
        "closing_note": alert.closing_note,
        # Only the cases the reader may open (a repeat party's can lie in other villages).
        "cases": [
            {"id": case.pk, "number": case.number, "title": case.title, "state": case.state}
            for case in alert.visible_cases
        ],
        "actions": [move.action for move in actions_for(user, alert)],
    }


def _json(user: Any, alert_id: int) -> dict[str, Any]:
    return AlertOut.model_validate(
        alert_body(user, alert_get_for_user(user=user, pk=alert_id))
    ).model_dump(mode="json")


# --------------------------------------------------------------------------- endpoints
@router.get("", response={200: AlertPageOut, **READ_ERRORS}, summary="The alert board")
def alert_list(request: HttpRequest, filters: Query[AlertParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    jurisdiction.require(user, ALERT_CAPABILITY, what="alert.list")
    if filters.rule and filters.rule not in all_rules():
        raise DomainError("rule", _("There is no warning rule with this code."), field="rule")
    board = alert_board(
        user=user,
        filters=BoardFilter(
            status=filters.status,
            severity=filters.severity.value if filters.severity else "",
            rule=filters.rule,
        ),
    )
    return paginate(board, filters, lambda alert: alert_body(user, alert))


@router.get("/{int:alert_id}", response={200: AlertOut, **READ_ERRORS})
def alert_read(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return alert_body(user, alert_get_for_user(user=user, pk=alert_id))


def _act(request: HttpRequest, alert_id: int, action: str, note: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    try:
        alert_act(actor=user, alert_id=alert_id, action=action, note=note)
    except DomainError as error:
        if error.field == "note" and action == "dismiss":
            error.field = "reason"
        raise
    return _json(user, alert_id)


@router.write(
    "/{int:alert_id}/acknowledge", response={200: AlertOut}, summary="Acknowledge an open alert"
)
def alert_acknowledge(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return _act(request, alert_id, "acknowledge", "")


@router.write(
    "/{int:alert_id}/handle", response={200: AlertOut}, summary="Mark an alert handled, saying how"
)
def alert_handle(request: HttpRequest, alert_id: int, payload: HandleIn) -> dict[str, Any]:
    return _act(request, alert_id, "handle", payload.note)


@router.write(
    "/{int:alert_id}/dismiss",
    response={200: AlertOut},
    summary="Dismiss an alert, giving the reason (leaders, dispatchers, village cadres)",
)
def alert_dismiss(request: HttpRequest, alert_id: int, payload: DismissIn) -> dict[str, Any]:
    return _act(request, alert_id, "dismiss", payload.reason)


@router.write(
    "/flag",
    status=201,
    response={201: AlertOut},
    summary="Flag a case for attention (centre leaders)",
)
def alert_flag(request: HttpRequest, payload: FlagIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    try:
        alert = flag_case(
            actor=user,
            case_id=payload.case_id,
            note=payload.note,
            severity=payload.severity.value,
        )
    except DomainError as error:
        if error.field is None and error.code in {"case_closed", "already_flagged"}:
            error.field = "case_id"
        raise
    return _json(user, alert.pk)
