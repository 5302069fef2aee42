"""The only writers of emergency linkage: `emergency_link` (tell the people and agencies of
an emergency, once) and `emergency_acknowledge` (a person told says "I have it").

Linkage runs inside the registration's transaction (an after-action hook of "report"): the
dispatch, its recipients, the timeline entry and the in-app notices commit with the case
or not at all, and the notification app sends SMS and e-mail only after the commit. A
periodic pass (`emergency_link_pending`) links what was left unlinked; the unique case of
a dispatch and the unique (dispatch, person) make every run after the first a no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import Case, Kind
from fengqiao.cases.services import case_record_event
from fengqiao.core import clock
from fengqiao.core.errors import OutOfScope
from fengqiao.emergency.models import (
    CategoryAgency,
    EmergencyAcknowledgement,
    EmergencyDispatch,
    Reason,
)
from fengqiao.emergency.selectors import minutes_between
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import notify
from fengqiao.orgs.models import Agency

EVENT_LINKED = "emergency_linked"
EVENT_ACKNOWLEDGED = "emergency_acknowledged"


def emergency_after_action(
    *, case: Case, action: str, actor: Any, now: dt.datetime, **_kwargs: Any
) -> None:
    """The case engine's hook: an emergency is linked the moment it is registered."""
    if action == "report" and case.kind == Kind.EMERGENCY:
        emergency_link(case=case, now=now, actor=actor)


def emergency_agencies(case: Case) -> list[Agency]:
    """The active agencies of the kinds the case's category names, serving its area."""
    kinds = list(
        CategoryAgency.objects.filter(category_id=case.category_id).values_list(
            "agency_kind", flat=True
        )
    )
    if not kinds:
        return []
    return [
        agency
        for agency in Agency.objects.filter(kind__in=kinds, is_active=True)
        .select_related("area")
        .order_by("kind", "name")
        if case.area_path.startswith(agency.area.path)
    ]


def emergency_recipients(case: Case, agencies: list[Agency]) -> dict[int, tuple[str, Any]]:
    """User id → (why, agency): the dispatchers over the area, the agencies' liaisons."""
    recipients: dict[int, tuple[str, Any]] = {}
    for user_id in sorted(jurisdiction.Overseers.of(Role.DISPATCHER).over(case.area_path)):
        recipients[user_id] = (Reason.DISPATCHER, None)
    by_id = {agency.pk: agency for agency in agencies}
    for user_id, agency_id in (
        User.objects.filter(
            is_active=True, agency_id__in=list(by_id), role_grants__role=Role.AGENCY_LIAISON
        )
        .values_list("pk", "agency_id")
        .order_by("pk")
    ):
        recipients.setdefault(user_id, (Reason.AGENCY, by_id[agency_id]))
    return recipients


def emergency_link(
    *, case: Case, now: dt.datetime | None = None, actor: Any = None
) -> EmergencyDispatch | None:
    """Link an emergency case: the dispatch, one row per person told, the notices.

    Idempotent: an existing dispatch is returned untouched. None for a case that is not an
    emergency. `actor` is who set it off (the registrant); the periodic pass passes none,
    and the timeline then names the registrant, the one person the case always has.
    """
    if case.kind != Kind.EMERGENCY:
        return None
    dispatch, _created = _link(case, now or clock.now(), actor)
    return dispatch


@transaction.atomic
def _link(case: Case, now: dt.datetime, actor: Any) -> tuple[EmergencyDispatch, bool]:
    dispatch, created = EmergencyDispatch.objects.get_or_create(
        case=case, defaults={"linked_at": now}
    )
    if not created:
        return dispatch, False
    agencies = emergency_agencies(case)
    dispatch.agencies.set(agencies)
    recipients = emergency_recipients(case, agencies)
    EmergencyAcknowledgement.objects.bulk_create(
        [
            EmergencyAcknowledgement(
                dispatch=dispatch, user_id=user_id, reason=reason, agency=agency, told_at=now
            )
            for user_id, (reason, agency) in recipients.items()
        ],
        ignore_conflicts=True,
    )
    data = {
        "agencies": [agency.name for agency in agencies],
        "told": len(recipients),
        "automatic": actor is None,
    }
    case_record_event(
        actor=actor or case.reported_by,
        case=case,
        action=EVENT_LINKED,
        note="",
        data=data,
        now=now,
    )
    audit_record(
        action="emergency.link",
        actor=actor,
        target=case,
        area=case.area,
        details={"dispatch": dispatch.pk, **data},
    )
    if recipients:
        # Stored as text in the centre's language, like every notification.
        from django.conf import settings

        with translation.override(settings.LANGUAGE_CODE):
            title = _("Emergency: %(number)s %(title)s") % {
                "number": case.number,
                "title": case.title,
            }
            body = _("%(area)s %(address)s — confirm on the emergency page that you have it.") % {
                "area": case.area.name,
                "address": case.address,
            }
        notify(
            recipients=list(recipients),
            kind=NotificationKind.EMERGENCY,
            title=title,
            body=body.strip(),
            link=reverse("emergency_list"),
            case=case,
            dedupe_key=f"emergency:{case.pk}",
            now=now,
        )
    return dispatch, True


def emergency_link_pending(*, now: dt.datetime | None = None) -> int:
    """Link every open emergency that has no dispatch yet; the number linked."""
    now = now or clock.now()
    pending = list(
        Case.objects.filter(kind=Kind.EMERGENCY, is_open=True, emergency_dispatch__isnull=True)
        .select_related("area", "reported_by")
        .order_by("pk")
    )
    linked = 0
    for case in pending:
        # One transaction per case: a pass killed half-way keeps what it linked, and a
        # case another worker linked meanwhile is found linked and left alone.
        _dispatch, created = _link(case, now, None)
        linked += created
    return linked


def emergency_acknowledge(
    *, actor: Any, case_id: int, note: str = "", now: dt.datetime | None = None
) -> EmergencyAcknowledgement:
    """The actor says "I have it" for an emergency they were told of.

    Raises a 404 (`OutOfScope`) for anyone who was not told of it; the refusal is audited
    (and written again should a caller's transaction roll it back). A second
    acknowledgement changes nothing and returns the first.
    """
    mine = EmergencyAcknowledgement.objects.filter(
        dispatch__case_id=case_id, user_id=getattr(actor, "pk", None)
    )
    if not mine.exists():
        refused = OutOfScope(
            audit={
                "action": "emergency.acknowledge",
                "actor": actor,
                "target_type": "cases.case",
                "target_id": str(case_id),
            }
        )
        refused.write_audit()
        raise refused
    return _acknowledge(mine, actor, note, now or clock.now())


@transaction.atomic
def _acknowledge(mine: Any, actor: Any, note: str, now: dt.datetime) -> EmergencyAcknowledgement:
    # Locked: two clicks at once record one acknowledgement and one timeline entry.
    row = mine.select_for_update(of=("self",)).select_related("dispatch__case__area").get()
    if row.acknowledged_at is not None:
        return row
    row.acknowledged_at = now
    row.save(update_fields=["acknowledged_at"])
    case = row.dispatch.case
    minutes = minutes_between(row.told_at, now)
    case_record_event(
        actor=actor,
        case=case,
        action=EVENT_ACKNOWLEDGED,
        note=(note or "").strip()[:500],
        data={"minutes_after": minutes},
        now=now,
    )
    audit_record(
        action="emergency.acknowledge",
        actor=actor,
        target=case,
        area=case.area,
        details={"minutes_after": minutes},
    )
    return row
