"""Accounts: the only writers of users and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.roles import ADMIN_ROLES, Role
from fengqiao.audit.services import audit_record


def validate_role_set(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(roles)
    unknown = chosen - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    admin = chosen & ADMIN_ROLES
    if admin and len(chosen) > 1:
        raise ValidationError(
            _(
                "The system, security and audit administrator roles are held alone: "
                "an administrator holds no other role."
            ),
            code="admin_exclusive",
        )
    return chosen


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    chosen = validate_role_set(roles)
    before = set(user.role_grants.values_list("role", flat=True))
    RoleGrant.objects.filter(user=user).exclude(role__in=chosen).delete()
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=user, role=role) for role in sorted(chosen - before)]
    )
    # Only administrators reach the Django admin, and nobody is a superuser.
    is_staff = bool(chosen & ADMIN_ROLES)
    if user.is_staff != is_staff or user.is_superuser:
        user.is_staff, user.is_superuser = is_staff, False
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("roles", None)
    if before != set(chosen):
        audit_record(
            action="account.roles_changed",
            actor=actor,
            target=user,
            area=user.home_area,
            details={"before": sorted(before), "after": sorted(chosen)},
        )
    return user


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    full_name: str,
    roles: Iterable[str],
    home_area: Any = None,
    agency: Any = None,
    encoded_password: str | None = None,
    validate: bool = True,
) -> User:
    """Create an account. `encoded_password` lets the demo reuse one hash for many users."""
    user = User(username=username, full_name=full_name, home_area=home_area, agency=agency)
    if encoded_password is not None:
        user.password = encoded_password
    elif password is not None:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(actor=actor, user=user, roles=validate_role_set(roles))
    audit_record(action="account.create", actor=actor, target=user, area=home_area)
    return user
