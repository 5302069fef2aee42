"""Reads of supervision orders. A user sees the orders on the cases they may see, and the
orders their person, team or agency must reply to (`order_visible_q`); nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.areas.models import subtree_q
from fengqiao.cases.selectors import case_list_for_user, user_team_ids
from fengqiao.core import clock
from fengqiao.supervision.models import OrderState, SupervisionOrder, TargetKind

RELATED = (
    "case",
    "case__area",
    "level",
    "target_user",
    "target_team",
    "target_agency",
    "issued_by",
    "replied_by",
    "closed_by",
)


def order_target_q(user: Any) -> Q:
    """Orders the user answers for: to them, their teams, their agency, or (a dispatcher)
    to the centre for cases in their area."""
    if not jurisdiction.roles_of(user):
        return Q(pk__in=[])
    query = Q(target_kind=TargetKind.PERSON, target_user=user)
    teams = user_team_ids(user)
    if teams:
        query |= Q(target_kind=TargetKind.TEAM, target_team__in=teams)
    if user.agency_id:
        query |= Q(target_kind=TargetKind.AGENCY, target_agency=user.agency_id)
    if Role.DISPATCHER in jurisdiction.roles_of(user):
        paths = [area.path for area in jurisdiction.area_roots(user)]
        if paths:
            query |= Q(target_kind=TargetKind.CENTRE) & subtree_q(paths, via="case__area_")
    return query


def order_visible_q(user: Any) -> Q:
    if not jurisdiction.roles_of(user):
        return Q(pk__in=[])
    return Q(case__in=case_list_for_user(user=user).values("pk")) | order_target_q(user)


def order_list_for_user(*, user: Any) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.filter(order_visible_q(user))


def order_get_for_user(*, user: Any, pk: Any) -> SupervisionOrder:
    return jurisdiction.get_in_scope(
        user,
        order_list_for_user(user=user)
        .select_related(*RELATED)
        .prefetch_related("assisting_teams", "assisting_agencies"),
        pk,
    )


def user_is_target(user: Any, order: SupervisionOrder) -> bool:
    if not jurisdiction.roles_of(user):
        return False
    return SupervisionOrder.objects.filter(order_target_q(user), pk=order.pk).exists()


def user_may_see_case(user: Any, order: SupervisionOrder) -> bool:
    return case_list_for_user(user=user).filter(pk=order.case_id).exists()


def overdue_q(now: dt.datetime) -> Q:
    return Q(state=OrderState.OPEN, reply_due_at__lt=now)


@dataclass
class OrderFilter:
    target: str = ""  # "person:3", "team:2", "agency:1", "centre:0"
    level: str = ""
    state: str = ""  # "" (open or replied), "all", or one state
    overdue: bool = False
    case_id: int | None = None


def parse_target(value: str) -> tuple[str, int] | None:
    kind, _sep, pk = (value or "").partition(":")
    if kind not in TargetKind.values or not pk.isdigit():
        return None
    return kind, int(pk)


def target_q(kind: str, pk: int) -> Q:
    field = {
        TargetKind.PERSON: "target_user",
        TargetKind.TEAM: "target_team",
        TargetKind.AGENCY: "target_agency",
    }.get(kind)
    if field is None:
        return Q(target_kind=TargetKind.CENTRE)
    return Q(target_kind=kind, **{field: pk})


def order_list(
    *, user: Any, filters: OrderFilter, now: dt.datetime | None = None
) -> QuerySet[SupervisionOrder]:
    """Nearest reply deadline first."""
    now = now or clock.now()
    queryset = order_list_for_user(user=user)
    target = parse_target(filters.target)
    if target is not None:
        queryset = queryset.filter(target_q(*target))
    if filters.level:
        queryset = queryset.filter(level__code=filters.level)
    if filters.state == "all":
        pass
    elif filters.state:
        queryset = queryset.filter(state=filters.state)
    else:
        queryset = queryset.filter(state__in=[OrderState.OPEN, OrderState.REPLIED])
    if filters.overdue:
        queryset = queryset.filter(overdue_q(now))
    if filters.case_id is not None:
        queryset = queryset.filter(case_id=filters.case_id)
    return queryset.select_related(*RELATED).order_by("reply_due_at", "id")


def order_mine(*, user: Any) -> QuerySet[SupervisionOrder]:
    """The orders the user must reply to: open, and addressed to them, their team, their
    agency or (a dispatcher) their centre."""
    return (
        SupervisionOrder.objects.filter(order_target_q(user), state=OrderState.OPEN)
        .select_related(*RELATED)
        .order_by("reply_due_at", "id")
    )


def order_targets(*, user: Any) -> list[tuple[str, str]]:
    """The lead units of the orders the user sees, as filter choices ("team:2", name)."""
    rows = (
        order_list_for_user(user=user)
        .values_list(
            "target_kind",
            "target_user",
            "target_user__full_name",
            "target_user__username",
            "target_team",
            "target_team__name",
            "target_agency",
            "target_agency__name",
        )
        .distinct()
    )
    choices: dict[str, str] = {}
    for kind, user_id, full_name, username, team_id, team, agency_id, agency in rows:
        key, label = _target_key(
            kind, user_id, full_name or username, team_id, team, agency_id, agency
        )
        choices[key] = label
    return sorted(choices.items(), key=lambda item: (item[0].split(":")[0], item[1]))


def _target_key(
    kind: str,
    user_id: Any,
    user_name: Any,
    team_id: Any,
    team: Any,
    agency_id: Any,
    agency: Any,
) -> tuple[str, str]:
    if kind == TargetKind.PERSON:
        return f"person:{user_id}", str(user_name)
    if kind == TargetKind.TEAM:
        return f"team:{team_id}", str(team)
    if kind == TargetKind.AGENCY:
        return f"agency:{agency_id}", str(agency)
    return "centre:0", str(TargetKind.CENTRE.label)


@dataclass
class TargetFigures:
    key: str
    kind: str
    label: str
    received: int
    replied: int
    replied_on_time: int
    overdue: int

    @property
    def on_time_rate(self) -> float | None:
        """Replied on time ÷ received (withdrawn orders are not counted as received)."""
        return self.replied_on_time / self.received if self.received else None


def order_figures(
    *,
    user: Any,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[TargetFigures]:
    """Per lead unit, over the orders the user sees that were issued in [since, until):
    received (withdrawn left out), replied, replied on time, and open past their reply
    deadline now. Most received first."""
    now = now or clock.now()
    queryset = order_list_for_user(user=user).exclude(state=OrderState.WITHDRAWN)
    if since is not None:
        queryset = queryset.filter(issued_at__gte=since)
    if until is not None:
        queryset = queryset.filter(issued_at__lt=until)
    rows = (
        queryset.values(
            "target_kind",
            "target_user",
            "target_user__full_name",
            "target_user__username",
            "target_team",
            "target_team__name",
            "target_agency",
            "target_agency__name",
        )
        .annotate(
            received=Count("id"),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            on_time=Count("id", filter=Q(replied_on_time=True)),
            overdue=Count("id", filter=overdue_q(now)),
        )
        .order_by()
    )
    result = []
    for row in rows:
        key, label = _target_key(
            row["target_kind"],
            row["target_user"],
            row["target_user__full_name"] or row["target_user__username"],
            row["target_team"],
            row["target_team__name"],
            row["target_agency"],
            row["target_agency__name"],
        )
        result.append(
            TargetFigures(
                key=key,
                kind=row["target_kind"],
                label=label,
                received=row["received"],
                replied=row["replied"],
                replied_on_time=row["on_time"],
                overdue=row["overdue"],
            )
        )
    return sorted(result, key=lambda figures: (-figures.received, figures.label))


def supervision_nav_allowed(user: Any) -> bool:
    """Supervision in the menu: leaders and dispatchers, and whoever has an order to reply to."""
    roles = jurisdiction.roles_of(user)
    if roles & {Role.LEADER, Role.DISPATCHER}:
        return True
    return bool(roles) and order_mine(user=user).exists()
