"""Reads of cases. Every read starts from what the user may see (`case_visible_q`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import ADMIN_ROLES, Capability, Role
from fengqiao.areas.models import Area, subtree_q
from fengqiao.cases.models import Case, CaseEvent, HandlingLevel, Kind, State
from fengqiao.cases.workflow import CLOCK_STOPPED_STATES
from fengqiao.core import clock, geo
from fengqiao.orgs.models import Agency, MediationOrganization


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


# --------------------------------------------------------------------------- handlers
# Who a case may be sent to, and by whom: one rule for the dispatch page, the API, imports
# and the demo, enforced by `cases.services` (dispatch, reassign, transfer, escalate).
#
# - A person handles a case when they hold a role that takes cases in person: a mediator,
#   a grid worker, a unit head or a village cadre. The centre's leaders, dispatchers and
#   clerks send cases rather than take them; an agency's liaison takes them through the
#   agency.
# - The handler stands on the case's line: their area (a person's home area, a team's or
#   an agency's area) is the case's own area, one above it, or one below it. A grid
#   worker of the neighbouring grid, or another village's committee, is not the case's.
# - And inside the sender's own area: the town's leader and dispatcher reach the whole
#   line (the town's teams and agencies, the village's committee, the grid's worker); a
#   village cadre reaches only their village's people and committee. To bring in the
#   town, the cadre escalates (上报) instead: small matters stay in the village, the town
#   takes what the village cannot settle.
HANDLER_ROLES = frozenset({Role.MEDIATOR, Role.GRID_WORKER, Role.UNIT_HEAD, Role.VILLAGE_CADRE})
SENDING_ACTIONS = frozenset({"dispatch", "reassign"})
TRANSFER_ACTIONS = frozenset({"transfer"})


def _reach_q(actor: Any, case: Case, *, field: str) -> Q:
    """Areas (through `field`) on the case's line and inside the actor's area."""
    via = f"{field}__"
    line = Q(**{f"{via}id__in": case.area.ancestor_ids}) | subtree_q([case.area.path], via=via)
    return line & jurisdiction.area_q(actor, field=field)


def _open_cases(handler_field: str) -> Coalesce:
    """How many open cases the handler holds now (served by the case_*_open_due index)."""
    counted = (
        Case.objects.filter(**{handler_field: OuterRef("pk")}, is_open=True)
        .order_by()
        .values(handler_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def handler_users(*, actor: Any, case: Case, action: str) -> QuerySet[User]:
    """The people `actor` may send `case` to by `action`, each with `open_cases`."""
    if action not in SENDING_ACTIONS:
        return User.objects.none()
    takes_cases = RoleGrant.objects.filter(role__in=HANDLER_ROLES).values("user_id")
    administrators = RoleGrant.objects.filter(role__in=ADMIN_ROLES).values("user_id")
    return (
        User.objects.filter(is_active=True, pk__in=takes_cases)
        .exclude(pk__in=administrators)
        .filter(_reach_q(actor, case, field="home_area"))
        .select_related("home_area")
        .annotate(open_cases=_open_cases("handler_user"))
        .order_by("home_area__level", "full_name", "username")
    )


def handler_teams(*, actor: Any, case: Case, action: str) -> QuerySet[MediationOrganization]:
    """The committees and teams `actor` may send `case` to, those taking its category
    first, each with `open_cases` and `takes_category`."""
    if action not in SENDING_ACTIONS:
        return MediationOrganization.objects.none()
    takes = MediationOrganization.categories.through.objects.filter(
        mediationorganization_id=OuterRef("pk"), casecategory_id=case.category_id
    )
    return (
        MediationOrganization.objects.filter(_reach_q(actor, case, field="area"))
        .annotate(takes_category=Exists(takes), open_cases=_open_cases("handler_team"))
        .order_by("-takes_category", "kind", "name")
    )


def handler_agencies(*, actor: Any, case: Case, action: str) -> QuerySet[Agency]:
    """The agencies `actor` may send `case` to (dispatch, reassign) or transfer it to."""
    if action not in SENDING_ACTIONS | TRANSFER_ACTIONS:
        return Agency.objects.none()
    return (
        Agency.objects.filter(is_active=True)
        .filter(_reach_q(actor, case, field="area"))
        .annotate(open_cases=_open_cases("handler_agency"))
        .order_by("kind", "name")
    )


def handler_eligible(
    *, actor: Any, case: Case, action: str, user: Any = None, team: Any = None, agency: Any = None
) -> bool:
    """Whether the one handler named is among those `actor` may send `case` to."""
    if user is not None:
        return handler_users(actor=actor, case=case, action=action).filter(pk=user.pk).exists()
    if team is not None:
        return handler_teams(actor=actor, case=case, action=action).filter(pk=team.pk).exists()
    if agency is not None:
        found = handler_agencies(actor=actor, case=case, action=action).filter(pk=agency.pk)
        return found.exists()
    return False


def case_level(case: Case) -> int:
    """The level the case is handled at: where it was accepted or sent, else its area's."""
    return case.handling_level if case.handling_level is not None else case.area.level


def escalation_refusal(*, actor: Any, case: Case, is_assignee: bool) -> str | None:
    """Why `actor` may not escalate `case` (None when they may). Its handler may always
    pass it up; otherwise only someone at the case's level or above: a village cadre
    escalates a village's case to the town, but a case already at the town centre goes
    above the town only by the centre's decision."""
    if is_assignee:
        return None
    home = actor.home_area if getattr(actor, "home_area_id", None) else None
    actor_level = home.level if home is not None else HandlingLevel.TOWN
    if actor_level <= case_level(case):
        return None
    return _(
        "This case is handled at the %(level)s; escalating it further is for that level to decide."
    ) % {"level": str(HandlingLevel(case_level(case)).label).lower()}


# --------------------------------------------------------------------------- the map
# The open cases a map shows at most (the nearest deadlines first); a town has a few
# hundred open, a district some thousands.
MAP_CASE_LIMIT = 5000


def case_map_points(
    *, user: Any, now: dt.datetime | None = None, limit: int = MAP_CASE_LIMIT
) -> list[dict[str, Any]]:
    """The open cases the user may see, as GeoJSON points: where the case was located, or
    else the centre of its area (`located` says which); a case with neither is left off.
    Nearest deadline first, at most `limit`."""
    now = now or clock.now()
    rows = (
        case_list_for_user(user=user)
        .filter(is_open=True)
        .order_by("due_at", "id")
        .values(
            "id", "number", "title", "kind", "grade", "state", "due_at", "milestone_met_at",
            "latitude", "longitude", "area__name", "area__center_lat", "area__center_lng",
        )[:limit]
    )  # fmt: skip
    features = []
    for row in rows:
        if row["latitude"] is not None and row["longitude"] is not None:
            lat, lng, located = row["latitude"], row["longitude"], "exact"
        elif row["area__center_lat"] is not None and row["area__center_lng"] is not None:
            lat, lng, located = row["area__center_lat"], row["area__center_lng"], "area"
        else:
            continue
        overdue = (
            row["milestone_met_at"] is None
            and row["state"] not in CLOCK_STOPPED_STATES
            and row["due_at"] < now
        )
        properties = {
            "id": row["id"],
            "number": row["number"],
            "title": row["title"],
            "kind": row["kind"],
            "kind_label": str(Kind(row["kind"]).label),
            "grade": row["grade"],
            "state": row["state"],
            "state_label": str(State(row["state"]).label),
            "area": row["area__name"],
            "overdue": overdue,
            "located": located,
        }
        features.append(
            geo.feature(geo.point(lng, lat), properties, feature_id=f"case-{row['id']}")
        )
    return features
