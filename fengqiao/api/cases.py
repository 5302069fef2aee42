"""/cases: register, list, read, act on and follow cases. Scoped by the case selectors:
a case outside the user's jurisdiction is a 404 (and the attempt is audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, UploadedFile

from fengqiao.accounts import jurisdiction
from fengqiao.api.errors import ApiError
from fengqiao.api.routing import READ_ERRORS, Router, paginate
from fengqiao.api.schemas import (
    ActionIn,
    CaseBatchIn,
    CaseBatchOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseLeftViewOut,
    CasePageOut,
    QueueParams,
    TimelineEntryOut,
    ref,
)
from fengqiao.cases import workflow
from fengqiao.cases.models import Case, HandlingLevel, Outcome, State
from fengqiao.cases.selectors import (
    QueueFilter,
    case_get_for_user,
    case_is_overdue,
    case_list_for_user,
    case_queue,
    case_timeline,
)
from fengqiao.cases.services import (
    PartyInput,
    action_label,
    available_actions,
    case_act,
    case_create,
    case_create_many,
)
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.people.services import PERSON_FIELDS
from fengqiao.workcal.calendar import WorkingCalendar, due_after, working_days_left
from fengqiao.workcal.selectors import calendar_load

router = Router(tags=["cases"])

ACTED = CaseDetailOut | CaseLeftViewOut
# The engine names its fields after the model; the API after what the client sends.
CREATE_FIELDS = {"category": "category_id", "area": "area_id"}


# --------------------------------------------------------------------------- presenting
def _label(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value not in (None, "") else ""


def _handler(case: Case) -> dict[str, Any]:
    chosen = case.handler
    return {
        "user": ref(case.handler_user),
        "team": ref(case.handler_team),
        "agency": ref(case.handler_agency),
        "label": str(chosen) if chosen is not None else "",
    }


def case_summary(case: Case, *, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "grade": case.grade,
        "grade_label": case.get_grade_display() if case.grade else "",
        "category": ref(case.category),
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "area": ref(case.area),
        "state": case.state,
        "state_label": case.get_state_display(),
        "is_open": case.is_open,
        "version": case.version,
        "received_at": case.received_at,
        "due_at": case.due_at,
        "due_provisional": case.due_provisional,
        "overdue": case_is_overdue(case, now),
        "handler": _handler(case),
    }


def _party(party: Any) -> dict[str, Any]:
    person, organization = party.person, party.organization
    return {
        "id": party.pk,
        "role": party.role,
        "role_label": party.get_role_display(),
        "type": "person" if person is not None else "organization",
        "person_id": party.person_id,
        "organization_id": party.organization_id,
        "name": str(party.party),
        "id_number_masked": person.id_number_masked if person is not None else "",
        "phone_masked": (person or organization).phone_masked,
    }


def case_detail(
    user: Any, case: Case, *, now: dt.datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    merged_into = None
    if case.merged_into_id is not None:
        # Only a case the reader may open is named.
        target = case_list_for_user(user=user).filter(pk=case.merged_into_id).first()
        if target is not None:
            merged_into = {"id": target.pk, "number": target.number}
    return {
        **case_summary(case, now=now),
        "account": case.account,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "people_involved": case.people_involved,
        "amount_involved": case.amount_involved,
        "backdate_reason": case.backdate_reason,
        "reported_by": ref(case.reported_by),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "handling_level": case.handling_level,
        "handling_level_label": _label(HandlingLevel, case.handling_level),
        "outcome": case.outcome,
        "outcome_label": _label(Outcome, case.outcome),
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "merged_into": merged_into,
        "deadline": {
            "due_at": case.due_at,
            "provisional": case.due_provisional,
            "milestone": case.milestone,
            "milestone_label": case.get_milestone_display(),
            "met_at": case.milestone_met_at,
            "on_time": case.on_time,
            "overdue": case_is_overdue(case, now),
            "working_days_left": working_days_left(calendar, now, case.due_at),
            "sla_working_days": case.sla_working_days,
            "extension_days": case.extension_days,
            "suspended_days": case.suspended_days,
            "extension_requested_days": case.extension_requested_days,
            "extension_request_reason": case.extension_request_reason,
        },
        "parties": [
            _party(party)
            for party in case.parties.select_related("person", "organization").order_by("id")
        ],
        "attachments": [
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.uploaded_at,
            }
            for attachment in case.attachments.order_by("id")
        ],
        "actions": [
            {
                "action": transition.action,
                "label": str(transition.label),
                "requires": list(transition.requires),
            }
            for transition in available_actions(user, case)
        ],
    }


def detail_body(user: Any, case_id: int) -> dict[str, Any]:
    """The case as the user now sees it, ready for JSON; a stub if it left their view."""
    case = (
        case_list_for_user(user=user)
        .select_related(
            "category", "area", "handler_user", "handler_team", "handler_agency", "reported_by"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        # The action moved the case out of the actor's view (a return or an escalation
        # clears the handler): say what became of it, show nothing more.
        case = Case.objects.only("id", "number", "state", "version").get(pk=case_id)
        return {
            "id": case.pk,
            "number": case.number,
            "state": case.state,
            "state_label": case.get_state_display(),
            "version": case.version,
            "visible": False,
        }
    body = case_detail(user, case, now=clock.now(), calendar=calendar_load())
    return CaseDetailOut.model_validate(body).model_dump(mode="json")


# --------------------------------------------------------------------------- endpoints
def _create_fields(payload: CaseCreateIn) -> dict[str, Any]:
    return {
        "kind": payload.kind.value,
        "grade": payload.grade.value if payload.grade else "",
        "category": payload.category_id,
        "channel": payload.channel.value,
        "title": payload.title,
        "account": payload.account,
        "area": payload.area_id,
        "address": payload.address,
        "latitude": payload.latitude,
        "longitude": payload.longitude,
        "people_involved": payload.people_involved,
        "amount_involved": payload.amount_involved,
        "received_at": payload.received_at,
        "backdate_reason": payload.backdate_reason,
        "parties": [
            PartyInput(
                role=party.role.value,
                person_id=party.person_id,
                organization_id=party.organization_id,
                new_person=(
                    party.new_person.model_dump(exclude_none=True) if party.new_person else None
                ),
            )
            for party in payload.parties
        ],
    }


def _api_field(field: str | None) -> str | None:
    """The service's field name as the API calls it (`items.2.area` → `items.2.area_id`,
    `parties.0.gender` → `parties.0.new_person.gender`)."""
    if not field:
        return field
    head, _dot, last = field.rpartition(".")
    before = head.rpartition(".")[0]
    if before.endswith("parties") or before == "parties":
        if last in PERSON_FIELDS:
            return f"{head}.new_person.{last}"
        return field
    renamed = CREATE_FIELDS.get(last, last)
    return f"{head}.{renamed}" if head else renamed


def _renamed(error: DomainError) -> DomainError:
    for problem in error.problems:
        problem.field = _api_field(problem.field)
    error.field = _api_field(error.field)
    return error


@router.write(
    "",
    status=201,
    response={201: CaseDetailOut},
    summary="Register a case",
    description=(
        "Every problem of the input is answered at once (400, listed under `errors`). "
        "Attachments are added afterwards with POST /cases/{case_id}/attachments."
    ),
)
def case_register(request: HttpRequest, payload: CaseCreateIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    try:
        case = case_create(actor=user, **_create_fields(payload))
    except DomainError as error:
        raise _renamed(error) from None
    return detail_body(user, case.pk)


@router.write(
    "/batch",
    status=201,
    response={201: CaseBatchOut},
    summary="Register a batch of cases",
    description=(
        "Registers up to 500 matters at once, e.g. the day's 12345 work orders. Each item is "
        "checked as POST /cases checks it; any bad item refuses the whole batch, and every "
        "problem of every item is listed, its field naming the item (`items.3.area_id`). "
        "Send an Idempotency-Key: a batch resent after a lost answer is not registered twice."
    ),
)
def case_register_batch(request: HttpRequest, payload: CaseBatchIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    try:
        cases = case_create_many(actor=user, items=[_create_fields(item) for item in payload.items])
    except DomainError as error:
        raise _renamed(error) from None
    now = clock.now()
    body = {"count": len(cases), "results": [case_summary(c, now=now) for c in cases]}
    return CaseBatchOut.model_validate(body).model_dump(mode="json")


@router.get(
    "",
    response={200: CasePageOut, **READ_ERRORS},
    summary="The work queue, nearest deadline first",
    description=(
        "`state` may be repeated. `due_within=N`: open cases whose deadline falls by the end "
        "of the Nth working day after today (0: today). Without `state`, closed cases are "
        "left out unless `include_closed=true`."
    ),
)
def case_list(request: HttpRequest, filters: Query[QueueParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    now = clock.now()
    area = None
    if filters.area_id is not None:
        area = jurisdiction.areas_visible(user).filter(pk=filters.area_id).first()
        if area is None:
            raise DomainError(
                "area",
                _("Choose an area from the list; this one is not in your area."),
                field="area_id",
            )
    due_before = None
    if filters.due_within is not None:
        due_before = due_after(calendar_load(), now, filters.due_within).due_at
    queue = case_queue(
        user=user,
        now=now,
        filters=QueueFilter(
            scope=filters.scope,
            states=tuple(state.value for state in filters.state),
            kind=filters.kind.value if filters.kind else "",
            grade=filters.grade.value if filters.grade else "",
            category_id=filters.category_id,
            area=area,
            channel=filters.channel.value if filters.channel else "",
            overdue=filters.overdue,
            due_before=due_before,
            text=filters.q.strip(),
            include_closed=filters.include_closed,
        ),
    ).select_related("category", "area", "handler_user", "handler_team", "handler_agency")
    return paginate(queue, filters, lambda case: case_summary(case, now=now))


@router.get("/{int:case_id}", response={200: CaseDetailOut, **READ_ERRORS})
def case_read(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = case_get_for_user(user=user, pk=case_id)
    return case_detail(user, case, now=clock.now(), calendar=calendar_load())


@router.get(
    "/{int:case_id}/timeline",
    response={200: list[TimelineEntryOut], **READ_ERRORS},
)
def case_timeline_read(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    case = case_get_for_user(user=user, pk=case_id)
    return [
        {
            "sequence": event.sequence,
            "at": event.at,
            "actor": ref(event.actor),
            "action": event.action,
            "action_label": action_label(event.action),
            "from_state": event.from_state,
            "from_state_label": _label(State, event.from_state),
            "to_state": event.to_state,
            "to_state_label": _label(State, event.to_state),
            "note": event.note,
        }
        for event in case_timeline(case=case)
    ]


@router.write(
    "/{int:case_id}/actions/{action}",
    response={200: ACTED},
    summary="Take an action of the lifecycle",
    description=(
        "`version` is the case's version as the client last saw it (409 if it changed). "
        "The inputs each action requires are listed in the case's `actions`. 403: the "
        "user's role may not take it; 409: not in the case's present state. If the action "
        "takes the case out of the user's view, the answer is only its new state "
        "(CaseLeftViewOut)."
    ),
)
def case_action(
    request: HttpRequest, case_id: int, action: str, payload: ActionIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    if action not in workflow.ACTIONS:
        # A case outside the user's view is a 404 whatever is asked of it.
        case_get_for_user(user=user, pk=case_id)
        raise ApiError(
            404, "unknown_action", _("Unknown action: %(action)s") % {"action": action[:40]}
        )
    case_act(
        actor=user,
        case_id=case_id,
        action=action,
        expected_version=payload.version,
        **payload.model_dump(mode="json", exclude={"version"}, exclude_none=True),
    )
    return detail_body(user, case_id)


@router.write(
    "/{int:case_id}/attachments",
    response={200: ACTED},
    summary="Add photos or PDF documents (multipart: version, files)",
)
def case_attach(
    request: HttpRequest, case_id: int, version: Form[int], files: File[list[UploadedFile]]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    try:
        case_act(
            actor=user,
            case_id=case_id,
            action="attach",
            expected_version=version,
            files=list(files),
        )
    except DomainError as error:
        if error.field == "attachments":
            error.field = "files"
        raise
    return detail_body(user, case_id)
