"""Reads of cases. Every read starts from what the user may see (`case_visible_q`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Area, subtree_q
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.workflow import CLOCK_STOPPED_STATES
from fengqiao.core import clock


def user_team_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_fengqiao_team_ids", None)
    if cached is None:
        cached = list(user.mediation_organizations.values_list("id", flat=True))
        user._fengqiao_team_ids = cached
    return cached


def case_assigned_q(user: Any) -> Q:
    """Cases sent to the user, to one of their teams, or to their agency."""
    query = Q(handler_user=user)
    teams = user_team_ids(user)
    if teams:
        query |= Q(handler_team__in=teams)
    if user.agency_id:
        query |= Q(handler_agency=user.agency_id)
    return query


def case_visible_q(user: Any) -> Q:
    if not jurisdiction.roles_of(user):
        return Q(pk__in=[])
    query = case_assigned_q(user) | Q(reported_by=user)
    if jurisdiction.can(user, Capability.VIEW_AREA_CASES):
        paths = [area.path for area in jurisdiction.area_roots(user)]
        query |= subtree_q(paths, via="area_")
    return query


def case_list_for_user(*, user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_visible_q(user))


def case_get_for_user(*, user: Any, pk: Any) -> Case:
    return jurisdiction.get_in_scope(
        user,
        case_list_for_user(user=user).select_related(
            "category", "area", "handler_user", "handler_team", "handler_agency", "reported_by"
        ),
        pk,
    )


def overdue_q(now: dt.datetime) -> Q:
    return Q(is_open=True, milestone_met_at__isnull=True, due_at__lt=now) & ~Q(
        state__in=CLOCK_STOPPED_STATES
    )


@dataclass
class QueueFilter:
    scope: str = "area"  # mine | team | area
    states: tuple[str, ...] = ()
    kind: str = ""
    grade: str = ""
    category_id: int | None = None
    area: Area | None = None
    channel: str = ""
    overdue: bool = False
    due_before: dt.datetime | None = None
    text: str = ""
    include_closed: bool = False


def case_queue(
    *, user: Any, filters: QueueFilter, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """A work queue, nearest deadline first. `scope` narrows what the user may see."""
    now = now or clock.now()
    queryset = case_list_for_user(user=user)
    if filters.scope == "mine":
        queryset = queryset.filter(handler_user=user)
    elif filters.scope == "team":
        query = Q(pk__in=[])
        teams = user_team_ids(user)
        if teams:
            query |= Q(handler_team__in=teams)
        if user.agency_id:
            query |= Q(handler_agency=user.agency_id)
        queryset = queryset.filter(query)
    if not filters.include_closed and not filters.states:
        queryset = queryset.filter(is_open=True)
    if filters.states:
        queryset = queryset.filter(state__in=filters.states)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.grade:
        queryset = queryset.filter(grade=filters.grade)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.area is not None:
        queryset = queryset.filter(subtree_q([filters.area.path], via="area_"))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.overdue:
        queryset = queryset.filter(overdue_q(now))
    if filters.due_before is not None:
        queryset = queryset.filter(
            is_open=True, milestone_met_at__isnull=True, due_at__lte=filters.due_before
        ).exclude(state__in=CLOCK_STOPPED_STATES)
    if filters.text:
        queryset = queryset.filter(
            Q(number__icontains=filters.text) | Q(title__icontains=filters.text)
        )
    return queryset.order_by("due_at", "id")


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("sequence")


def case_is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return (
        case.is_open
        and case.milestone_met_at is None
        and case.state not in CLOCK_STOPPED_STATES
        and case.due_at < now
    )
