"""Roles, and what each may do, as data. `jurisdiction` is the only module that reads it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "leader", _("Centre leader")
    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    DISPATCHER = "dispatcher", _("Dispatcher")
    MEDIATOR = "mediator", _("Mediator")
    GRID_WORKER = "grid_worker", _("Grid worker")
    UNIT_HEAD = "unit_head", _("Unit head")
    VILLAGE_CADRE = "village_cadre", _("Village / community cadre")
    AGENCY_LIAISON = "agency_liaison", _("Agency liaison")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# 三员分立: each administrator role stands alone and holds no everyday role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class Capability(models.TextChoices):
    VIEW_AREAS = "view_areas", _("See the area tree of the home area")
    VIEW_PEOPLE = "view_people", _("See residents in the home area")
    REGISTER_PEOPLE = "register_people", _("Register residents and organisations")
    REVEAL_IDENTIFIERS = "reveal_identifiers", _("Reveal a masked ID number or phone")
    CONFIGURE = "configure", _("Configure areas, organisations and categories")
    MANAGE_ACCOUNTS = "manage_accounts", _("Manage accounts and roles")
    READ_AUDIT = "read_audit", _("Read the audit log")
    REPORT_CASES = "report_cases", _("Register and report cases")
    VIEW_AREA_CASES = "view_area_cases", _("See every case in the home area")
    EXPORT_CASES = "export_cases", _("Export case lists")


_FIELD_WORK = {Capability.VIEW_AREAS, Capability.VIEW_PEOPLE}
_AREA_CASES = {Capability.REPORT_CASES, Capability.VIEW_AREA_CASES}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.LEADER: frozenset(
        _FIELD_WORK | _AREA_CASES | {Capability.REVEAL_IDENTIFIERS, Capability.EXPORT_CASES}
    ),
    Role.INTAKE_CLERK: frozenset(
        _FIELD_WORK
        | _AREA_CASES
        | {Capability.REGISTER_PEOPLE, Capability.REVEAL_IDENTIFIERS, Capability.EXPORT_CASES}
    ),
    Role.DISPATCHER: frozenset(_FIELD_WORK | _AREA_CASES | {Capability.EXPORT_CASES}),
    # A mediator sees the cases sent to them or their committee or team, not the area's.
    Role.MEDIATOR: frozenset(_FIELD_WORK | {Capability.REVEAL_IDENTIFIERS}),
    Role.GRID_WORKER: frozenset(_FIELD_WORK | _AREA_CASES | {Capability.REGISTER_PEOPLE}),
    Role.UNIT_HEAD: frozenset(_FIELD_WORK | _AREA_CASES),
    Role.VILLAGE_CADRE: frozenset(
        _FIELD_WORK | _AREA_CASES | {Capability.REGISTER_PEOPLE, Capability.EXPORT_CASES}
    ),
    # A liaison sees the structure of the town; people only through matters sent to
    # their agency (the case engine adds that path).
    Role.AGENCY_LIAISON: frozenset({Capability.VIEW_AREAS}),
    Role.SYSTEM_ADMIN: frozenset({Capability.CONFIGURE}),
    Role.SECURITY_ADMIN: frozenset({Capability.MANAGE_ACCOUNTS}),
    Role.AUDIT_ADMIN: frozenset({Capability.READ_AUDIT}),
}

# The level of the tree where each role's home area normally lies.
ROLE_HOME_LEVEL: dict[str, int] = {
    Role.LEADER: 1,
    Role.INTAKE_CLERK: 1,
    Role.DISPATCHER: 1,
    Role.MEDIATOR: 1,
    Role.GRID_WORKER: 3,
    Role.UNIT_HEAD: 4,
    Role.VILLAGE_CADRE: 2,
    Role.AGENCY_LIAISON: 1,
    Role.SYSTEM_ADMIN: 1,
    Role.SECURITY_ADMIN: 1,
    Role.AUDIT_ADMIN: 1,
}


def roles_with(capability: str) -> frozenset[str]:
    """The roles that hold a capability (for lifecycle tables naming who may act)."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)
