"""/followups: the follow-up queue, a follow-up, and recording an attempt. Scoped by the
follow-up selectors: a follow-up of a case outside the user's jurisdiction is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import StrictInput
from fengqiao.core import clock
from fengqiao.followups import selectors
from fengqiao.followups.models import FollowUp, Method, OnFailure
from fengqiao.followups.services import followup_apply_finding, followup_record

router = Router(tags=["follow-ups"])


class RefOut(Schema):
    id: int
    name: str


class CaseRefOut(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str


class FollowUpOut(Schema):
    id: int
    case: CaseRefOut
    reason: str
    reason_label: str
    term_id: int | None = None
    scheduled_on: dt.date
    due_on: dt.date
    overdue: bool
    status: str
    status_label: str
    assignee: RefOut | None = None
    attempts: int
    result: str
    result_label: str
    finding: str
    requested_action: str
    awaits_decision: bool


class TermOut(Schema):
    id: int
    label: str


class TermCheckOut(Schema):
    term_id: int
    term_label: str
    performed: bool


class AttemptOut(Schema):
    id: int
    method: str
    method_label: str
    by: RefOut
    at: dt.datetime
    reached: bool
    satisfaction: str
    satisfaction_label: str
    notes: str
    term_checks: list[TermCheckOut]


class FollowUpDetailOut(FollowUpOut):
    terms: list[TermOut]
    history: list[AttemptOut]


FollowUpPageOut = page_of(FollowUpOut, "FollowUpPageOut")


class QueueParams(PageParams):
    bucket: Literal["overdue", "today", "upcoming", "decision", "done", "all"] = "all"
    mine: bool = False


class TermCheckIn(StrictInput):
    term_id: int = Field(ge=1)
    performed: bool


class AttemptIn(StrictInput):
    method: Method
    reached: bool
    # Checked by the service, which names the three values in its message.
    satisfaction: str = Field("", max_length=32)
    term_checks: list[TermCheckIn] = Field(default_factory=list, max_length=100)
    notes: str = Field("", max_length=2000)
    on_failure: OnFailure = OnFailure.REOPEN


class DecisionIn(StrictInput):
    pass


def _summary(followup: FollowUp, *, today: dt.date) -> dict[str, Any]:
    case = followup.case
    return {
        "id": followup.pk,
        "case": {
            "id": case.pk,
            "number": case.number,
            "title": case.title,
            "state": case.state,
            "state_label": case.get_state_display(),
        },
        "reason": followup.reason,
        "reason_label": followup.reason_label,
        "term_id": followup.term_id,
        "scheduled_on": followup.scheduled_on,
        "due_on": followup.due_on,
        "overdue": followup.status == "scheduled" and followup.due_on < today,
        "status": followup.status,
        "status_label": followup.get_status_display(),
        "assignee": (
            {"id": followup.assignee.pk, "name": str(followup.assignee)}
            if followup.assignee_id
            else None
        ),
        "attempts": followup.attempts,
        "result": followup.result,
        "result_label": followup.get_result_display() if followup.result else "",
        "finding": followup.finding,
        "requested_action": followup.requested_action,
        "awaits_decision": followup.awaits_decision,
    }


def _detail(followup: FollowUp) -> dict[str, Any]:
    body = _summary(followup, today=clock.today())
    body["terms"] = [
        {"id": term.pk, "label": selectors.term_label(term)}
        for term in selectors.agreement_terms(followup.case)
    ]
    body["history"] = [
        {
            "id": attempt.pk,
            "method": attempt.method,
            "method_label": attempt.get_method_display(),
            "by": {"id": attempt.by.pk, "name": str(attempt.by)},
            "at": attempt.at,
            "reached": attempt.reached,
            "satisfaction": attempt.satisfaction,
            "satisfaction_label": attempt.get_satisfaction_display()
            if attempt.satisfaction
            else "",
            "notes": attempt.notes,
            "term_checks": [
                {"term_id": c.term_id, "term_label": c.term_label, "performed": c.performed}
                for c in attempt.term_checks.all()
            ],
        }
        for attempt in followup.attempt_rows.select_related("by").prefetch_related("term_checks")
    ]
    return FollowUpDetailOut.model_validate(body).model_dump(mode="json")


def _detail_for(user: Any, followup_id: int) -> dict[str, Any]:
    return _detail(selectors.followup_get_for_user(user=user, pk=followup_id))


@router.get(
    "",
    response={200: FollowUpPageOut, **READ_ERRORS},
    summary="The follow-up queue: overdue first, then due today, then upcoming",
    description=(
        "`bucket`: overdue | today | upcoming (follow-ups to do), decision (findings "
        "awaiting a leader), done, all (everything to do). `mine=true`: only those "
        "assigned to the user."
    ),
)
def followup_list(request: HttpRequest, filters: Query[QueueParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    today = clock.today()
    queue = selectors.followup_queue(
        user=user,
        filters=selectors.QueueFilter(bucket=filters.bucket, mine=filters.mine),
        today=today,
    )
    return paginate(queue, filters, lambda followup: _summary(followup, today=today))


@router.get("/{int:followup_id}", response={200: FollowUpDetailOut, **READ_ERRORS})
def followup_read(request: HttpRequest, followup_id: int) -> dict[str, Any]:
    return _detail_for(request.auth, followup_id)  # type: ignore[attr-defined]


@router.write(
    "/{int:followup_id}/attempts",
    response={200: FollowUpDetailOut},
    summary="Record a follow-up attempt",
    description=(
        "Not reached: the follow-up stays open and is due the next working day. Reached: "
        "`satisfaction` is one of satisfied, basically_satisfied, dissatisfied, and "
        "`term_checks` say for the agreed terms whether each was performed. A term not "
        "performed or a dissatisfied party reopens the case (`on_failure`: reopen or "
        "escalate); when the user may not reopen cases, a leader is asked to."
    ),
)
def followup_attempt(request: HttpRequest, followup_id: int, payload: AttemptIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    followup_record(
        actor=user,
        followup=followup_id,
        method=payload.method.value,
        reached=payload.reached,
        satisfaction=payload.satisfaction,
        term_checks={check.term_id: check.performed for check in payload.term_checks},
        notes=payload.notes,
        on_failure=payload.on_failure.value,
    )
    return _detail_for(user, followup_id)


@router.write(
    "/{int:followup_id}/decision",
    response={200: FollowUpDetailOut},
    summary="Carry out what a follow-up asked for (reopen, or reopen and escalate)",
)
def followup_decision(
    request: HttpRequest, followup_id: int, payload: DecisionIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    followup_apply_finding(actor=user, followup=followup_id)
    return _detail_for(user, followup_id)
