"""The access policy: what a user may see and do. Every page, endpoint and selector asks here.

Rules:
- a user sees the subtree of their home area, and (later) what is assigned to them, their
  team or their agency; nothing else exists for them: out of scope is a 404;
- capabilities come from roles (`roles.ROLE_CAPABILITIES`); the three administrator roles
  see configuration, accounts or the audit log, never residents;
- every refusal is audited.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models

from fengqiao.accounts.roles import ADMIN_ROLES, ROLE_CAPABILITIES, Capability
from fengqiao.areas.models import Area, AreaQuerySet, subtree_q
from fengqiao.audit.models import Outcome
from fengqiao.audit.services import audit_record
from fengqiao.core.errors import OutOfScope

M = TypeVar("M", bound=models.Model)


def roles_of(user: Any) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return user.roles


def capabilities_of(user: Any) -> frozenset[str]:
    return _capabilities(roles_of(user))


@functools.cache
def _capabilities(roles: frozenset[str]) -> frozenset[str]:
    result: set[str] = set()
    for role in roles:
        result |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(result)


def can(user: Any, capability: str) -> bool:
    return capability in capabilities_of(user)


def is_administrator(user: Any) -> bool:
    return bool(roles_of(user) & ADMIN_ROLES)


def require(user: Any, capability: str, *, what: str = "") -> None:
    """Refuse (403, audited) a function the user's roles do not include."""
    if not can(user, capability):
        deny(user, what=what, capability=str(capability))


def deny(user: Any, *, what: str, target: Any = None, **details: Any) -> NoReturn:
    """Refuse a page or function (403), keeping the refusal on the audit record."""
    audit_record(
        action="access.denied",
        actor=user,
        outcome=Outcome.DENIED,
        target=target,
        details={**details, "what": what},
    )
    raise PermissionDenied


def area_roots(user: Any) -> list[Area]:
    """The nodes whose subtrees the user may see: today the home area."""
    if not can(user, Capability.VIEW_AREAS) or user.home_area_id is None:
        return []
    return [user.home_area]


def _root_paths(user: Any) -> list[str]:
    return [area.path for area in area_roots(user)]


def area_q(user: Any, *, field: str) -> models.Q:
    """A filter on `<field>__path` that keeps rows inside the user's subtrees."""
    return subtree_q(_root_paths(user), via=f"{field}__")


def path_in_scope(user: Any, path: str, *, capability: str) -> bool:
    """What `scope_by_area` decides in SQL, for one area path already in hand."""
    return can(user, capability) and any(path.startswith(root) for root in _root_paths(user))


def area_trail(user: Any, area: Area) -> list[tuple[Area, bool]]:
    """The ancestors of `area` from the town down, each with whether the user may open it."""
    paths = _root_paths(user)
    return [(node, any(node.is_within(path) for path in paths)) for node in area.ancestors()]


def areas_visible(user: Any) -> AreaQuerySet:
    if not can(user, Capability.VIEW_AREAS):
        return Area.objects.none()
    return Area.objects.within_paths(_root_paths(user))


def scope_by_area(
    user: Any, queryset: models.QuerySet[M], *, capability: str, field: str = "area"
) -> models.QuerySet[M]:
    """Keep only rows whose area lies in the user's jurisdiction."""
    if not can(user, capability):
        return queryset.none()
    return queryset.filter(area_q(user, field=field))


def get_in_scope(user: Any, scoped: models.QuerySet[M], pk: Any) -> M:
    """The object if it is in `scoped`; otherwise a 404 (`OutOfScope`) — and an audit row
    if it exists, written again should a transaction around this roll it back
    (`core.errors.audits_refusals`)."""
    try:
        return scoped.get(pk=pk)
    except (scoped.model.DoesNotExist, ValueError, TypeError):
        pass
    hidden = scoped.model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if hidden is None:
        raise OutOfScope()
    refused = OutOfScope(
        audit={
            "action": "access.denied",
            "actor": user,
            "target_type": hidden._meta.label_lower,
            "target_id": str(hidden.pk),
            "area": getattr(hidden, "area", None) if not isinstance(hidden, Area) else hidden,
        }
    )
    refused.write_audit()
    raise refused


@dataclass(frozen=True)
class Overseers:
    """The active holders of a role with their home areas, read in one query; who among
    them oversees an area is then answered without another (an area's path begins with the
    path of every area above it, and of itself)."""

    holders: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, role: str) -> Overseers:
        from fengqiao.accounts.models import User

        return cls(
            tuple(
                User.objects.filter(is_active=True, role_grants__role=role, home_area__isnull=False)
                .values_list("home_area__path", "pk")
                .distinct()
                .order_by("pk")
            )
        )

    def over(self, area_path: str) -> set[int]:
        """Ids of the holders whose home area contains the area of `area_path`."""
        return {pk for path, pk in self.holders if area_path.startswith(path)}
