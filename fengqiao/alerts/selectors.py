"""Reads of alerts. Every read starts from the user's jurisdiction (`alert_visible_q`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, Value, When

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.alerts.models import ACTIVE_STATUSES, SEVERITY_RANK, Alert, AlertRule
from fengqiao.areas.models import subtree_q
from fengqiao.cases.selectors import case_list_for_user

# Alerts name cases and their parties, so they are for those who see the area's cases;
# administrators, mediators and agency liaisons see none.
ALERT_CAPABILITY = Capability.VIEW_AREA_CASES


@dataclass
class PersonScope:
    """Who may see an alert about a resident (`Alert.person`), filled by the register that
    knows them (the key-person register, from its `ready()`): `visible(user)` the ids of the
    residents the user may see there, as a queryset; `allowed(person_id, user_ids)` which of
    those users may. With none filled, such an alert is seen as any other of its area."""

    visible: Any = None
    allowed: Any = None


PERSON_SCOPE = PersonScope()


def alert_visible_q(user: Any) -> Q:
    if not jurisdiction.can(user, ALERT_CAPABILITY):
        return Q(pk__in=[])
    in_area = subtree_q([area.path for area in jurisdiction.area_roots(user)], via="area_")
    if PERSON_SCOPE.visible is None:
        return in_area
    return in_area & (Q(person__isnull=True) | Q(person_id__in=PERSON_SCOPE.visible(user)))


def person_alert_recipients(person_id: int | None, user_ids: set[int]) -> set[int]:
    """Of `user_ids`, those who may be told of an alert about the resident `person_id`."""
    if person_id is None or PERSON_SCOPE.allowed is None or not user_ids:
        return user_ids
    return set(PERSON_SCOPE.allowed(person_id, user_ids))


def alert_list_for_user(*, user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(alert_visible_q(user))


@dataclass
class BoardFilter:
    status: str = "active"  # active (open or acknowledged) | all | one status
    severity: str = ""
    rule: str = ""


def alert_board(*, user: Any, filters: BoardFilter) -> QuerySet[Alert]:
    """Most severe first, then newest; each with the cases the user may open."""
    queryset = alert_list_for_user(user=user)
    if filters.status == "active":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif filters.status and filters.status != "all":
        queryset = queryset.filter(status=filters.status)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.rule:
        queryset = queryset.filter(rule_code=filters.rule)
    rank = models.Case(
        *[When(severity=severity, then=Value(n)) for severity, n in SEVERITY_RANK.items()],
        default=Value(0),
        output_field=models.IntegerField(),
    )
    return (
        queryset.annotate(rank=rank)
        .select_related("area", "acknowledged_by", "closed_by", "raised_by")
        .prefetch_related(alert_cases_prefetch(user))
        .order_by("-rank", "-created_at", "-id")
    )


def alert_cases_prefetch(user: Any) -> Prefetch:
    # A repeat party's cases can lie in several villages: show only those the user may open.
    return Prefetch(
        "cases",
        queryset=case_list_for_user(user=user)
        .only("id", "number", "title", "state")
        .order_by("id"),
        to_attr="visible_cases",
    )


def alert_get_for_user(*, user: Any, pk: Any) -> Alert:
    return jurisdiction.get_in_scope(
        user,
        alert_list_for_user(user=user)
        .select_related("area", "acknowledged_by", "closed_by", "raised_by")
        .prefetch_related(alert_cases_prefetch(user)),
        pk,
    )


def alert_rules_settings() -> dict[str, AlertRule]:
    return {rule.code: rule for rule in AlertRule.objects.all()}


def alert_responsible_user_ids(
    alerts: list[Alert], case_ids: dict[int, list[int]]
) -> dict[int, set[int]]:
    """Who answers for each alert, in two queries (alert id → user ids): the leaders over
    its area, and the handlers of its cases."""
    from fengqiao.accounts.roles import Role
    from fengqiao.cases.models import Case

    leaders = jurisdiction.Overseers.of(Role.LEADER)
    wanted = {case_id for ids in case_ids.values() for case_id in ids}
    handlers = dict(
        Case.objects.filter(pk__in=wanted, handler_user__is_active=True).values_list(
            "pk", "handler_user_id"
        )
    )
    return {
        alert.pk: leaders.over(alert.area_path)
        | {handlers[case_id] for case_id in case_ids.get(alert.pk, ()) if case_id in handlers}
        for alert in alerts
    }
