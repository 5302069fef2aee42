"""Reads of follow-ups. Every read starts from the cases the user may see: grid workers see
their grids' follow-ups, mediators those of their teams' cases, leaders all in their
jurisdiction (`cases.selectors.case_list_for_user`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.followups.models import AWAITING_DECISION, FollowUp, Status

# Who takes follow-ups: everyday roles that meet parties. Administrators and agency
# liaisons do not.
FOLLOWUP_ROLES = frozenset(
    {
        Role.LEADER,
        Role.DISPATCHER,
        Role.INTAKE_CLERK,
        Role.MEDIATOR,
        Role.GRID_WORKER,
        Role.UNIT_HEAD,
        Role.VILLAGE_CADRE,
    }
)
BUCKETS = ("overdue", "today", "upcoming", "decision", "done", "all")


def can_see_followups(user: Any) -> bool:
    return bool(jurisdiction.roles_of(user) & FOLLOWUP_ROLES)


def followup_list_for_user(*, user: Any) -> QuerySet[FollowUp]:
    if not can_see_followups(user):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(case__in=case_list_for_user(user=user).values("id"))


def followup_get_for_user(*, user: Any, pk: Any) -> FollowUp:
    return jurisdiction.get_in_scope(
        user,
        followup_list_for_user(user=user).select_related(
            "case", "case__area", "assignee", "completed_by", "decided_by"
        ),
        pk,
    )


@dataclass
class QueueFilter:
    bucket: str = "all"  # overdue | today | upcoming | decision | done | all (not done)
    mine: bool = False


def followup_queue(*, user: Any, filters: QueueFilter, today: dt.date) -> QuerySet[FollowUp]:
    """Follow-ups in due order: overdue, due today, upcoming; or those awaiting a decision."""
    queryset = followup_list_for_user(user=user)
    if filters.mine:
        queryset = queryset.filter(assignee=user)
    bucket = filters.bucket
    if bucket == "decision":
        queryset = queryset.filter(AWAITING_DECISION)
    elif bucket == "done":
        queryset = queryset.filter(status=Status.DONE)
    else:
        queryset = queryset.filter(status=Status.SCHEDULED)
        if bucket == "overdue":
            queryset = queryset.filter(due_on__lt=today)
        elif bucket == "today":
            queryset = queryset.filter(due_on=today)
        elif bucket == "upcoming":
            queryset = queryset.filter(due_on__gt=today)
    order = ["-completed_at", "-id"] if bucket == "done" else ["due_on", "id"]
    return queryset.select_related("case", "case__area", "assignee").order_by(*order)


def followup_counts(*, user: Any, today: dt.date) -> dict[str, int]:
    scheduled = Q(status=Status.SCHEDULED)
    return followup_list_for_user(user=user).aggregate(
        overdue=Count("id", filter=scheduled & Q(due_on__lt=today)),
        today=Count("id", filter=scheduled & Q(due_on=today)),
        upcoming=Count("id", filter=scheduled & Q(due_on__gt=today)),
        decision=Count("id", filter=AWAITING_DECISION),
    )


def followups_of_case(*, case: Any) -> QuerySet[FollowUp]:
    return case.followups.select_related("assignee", "completed_by").order_by("due_on", "id")


def followups_remaining(case: Any) -> QuerySet[FollowUp]:
    """What keeps a case from closing: follow-ups to do, and findings awaiting a decision."""
    return FollowUp.objects.filter(
        Q(status=Status.SCHEDULED) | AWAITING_DECISION,
        case=case,
    )


def agreement_terms(case: Any) -> list[Any]:
    """The agreed terms of the case's effective mediation agreements (none without the
    mediation app, or without an agreement)."""
    if not apps.is_installed("fengqiao.mediation"):
        return []
    try:
        from fengqiao.mediation.models import AgreementTerm
    except ImportError:
        return []
    return list(
        AgreementTerm.objects.filter(
            agreement__mediation__case=case, agreement__effective_on__isnull=False
        ).order_by("agreement_id", "position", "id")
    )


def term_label(term: Any) -> str:
    who = getattr(term, "obligor_name", "") or ""
    text = f"{term.position}. {term.content}"
    if who:
        text = f"{text} ({who})"
    return text[:300]
