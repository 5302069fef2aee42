"""/alerts: the early-warning board as JSON. Scoped by the alert selectors: an alert outside
the user's jurisdiction is a 404 (and the attempt is audited); roles that see no area's
cases (administrators, mediators, liaisons) are refused the list (403)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
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
from fengqiao.api.errors import ApiError
from fengqiao.api.idempotency import HEADER, idempotent
from fengqiao.api.schemas import ErrorOut, Input, Ref, StrictInput, ValidationErrorOut, ref
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.core.errors import DomainError

router = Router(tags=["alerts"])

ERRORS: dict[int, Any] = {400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 422: ErrorOut}


# --------------------------------------------------------------------------- schemas
class AlertParams(Input):
    status: Literal["active", "all", "open", "acknowledged", "handled", "dismissed"] = "active"
    severity: Severity | None = None
    rule: str = Field("", max_length=32)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


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


class AlertPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AlertOut]


class HandleIn(StrictInput):
    note: str = Field("", max_length=5000)


class DismissIn(StrictInput):
    reason: str = Field("", max_length=5000)


class FlagIn(StrictInput):
    case_id: int = Field(ge=1)
    note: str = Field("", max_length=5000)
    severity: Severity = Severity.HIGH


# --------------------------------------------------------------------------- presenting
def alert_body(alert: Alert) -> dict[str, Any]:
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
        "actions": [name for name, _transition in actions_for(alert)],
    }


def _json(user: Any, alert_id: int) -> dict[str, Any]:
    return AlertOut.model_validate(
        alert_body(alert_get_for_user(user=user, pk=alert_id))
    ).model_dump(mode="json")


# --------------------------------------------------------------------------- endpoints
@router.get("", response={200: AlertPageOut, **ERRORS}, summary="The alert board")
def alert_list(request: HttpRequest, filters: Query[AlertParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    jurisdiction.require(user, ALERT_CAPABILITY, what="alert.list")
    if filters.rule and filters.rule not in all_rules():
        raise ApiError(400, "rule", _("There is no warning rule with this code."), field="rule")
    board = alert_board(
        user=user,
        filters=BoardFilter(
            status=filters.status,
            severity=filters.severity.value if filters.severity else "",
            rule=filters.rule,
        ),
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "count": board.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [alert_body(alert) for alert in board[start : start + filters.page_size]],
    }


@router.get("/{int:alert_id}", response={200: AlertOut, **ERRORS})
def alert_read(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return alert_body(alert_get_for_user(user=request.auth, pk=alert_id))  # type: ignore[attr-defined]


def _act(
    request: HttpRequest, alert_id: int, action: str, note: str, key: str | None, body: Any
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    # Scope first, outside any transaction, so that the audit row of a 404 is kept.
    alert_get_for_user(user=user, pk=alert_id)

    def run() -> tuple[int, Any]:
        try:
            alert_act(actor=user, alert_id=alert_id, action=action, note=note)
        except DomainError as error:
            if error.field == "note" and action == "dismiss":
                error.field = "reason"
            raise
        return 200, _json(user, alert_id)

    return idempotent(request, key=key, fingerprint=body, run=run)


@router.post(
    "/{int:alert_id}/acknowledge",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Acknowledge an open alert",
)
def alert_acknowledge(
    request: HttpRequest,
    alert_id: int,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    return _act(request, alert_id, "acknowledge", "", idempotency_key, {})


@router.post(
    "/{int:alert_id}/handle",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Mark an alert handled, saying how",
)
def alert_handle(
    request: HttpRequest,
    alert_id: int,
    payload: HandleIn,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    return _act(request, alert_id, "handle", payload.note, idempotency_key, payload.model_dump())


@router.post(
    "/{int:alert_id}/dismiss",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Dismiss an alert, giving the reason",
)
def alert_dismiss(
    request: HttpRequest,
    alert_id: int,
    payload: DismissIn,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    return _act(request, alert_id, "dismiss", payload.reason, idempotency_key, payload.model_dump())


@router.post(
    "/flag",
    response={201: AlertOut, **WRITE_ERRORS},
    summary="Flag a case for attention (centre leaders)",
)
def alert_flag(
    request: HttpRequest,
    payload: FlagIn,
    idempotency_key: str | None = Header(None, alias=HEADER),
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    # Role and scope first, outside any transaction, so that a refusal's audit row is kept.
    if Role.LEADER not in jurisdiction.roles_of(user):
        try:
            flag_case(actor=user, case_id=payload.case_id, note=payload.note)
        except DomainError as error:
            raise ApiError(403, "forbidden", error.message) from error
    case_get_for_user(user=user, pk=payload.case_id)

    def run() -> tuple[int, Any]:
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
        return 201, _json(user, alert.pk)

    return idempotent(
        request, key=idempotency_key, fingerprint=payload.model_dump(mode="json"), run=run
    )
