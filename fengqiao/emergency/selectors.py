"""Reads of emergency linkage. A person sees the emergencies they were told of; the panel on
a case page shows its linkage to whoever may open the case (the page checks that)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.cases.models import Case
from fengqiao.emergency.models import EmergencyAcknowledgement, EmergencyDispatch


def emergency_told_list_for_user(*, user: Any) -> QuerySet[EmergencyAcknowledgement]:
    """What the user was told of, unacknowledged first, newest first."""
    if not getattr(user, "is_authenticated", False):
        return EmergencyAcknowledgement.objects.none()
    return (
        EmergencyAcknowledgement.objects.filter(user=user)
        .select_related("dispatch__case__area", "dispatch__case__category", "agency")
        .order_by("-dispatch__linked_at", "-id")
    )


def emergency_unacknowledged_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return EmergencyAcknowledgement.objects.filter(user=user, acknowledged_at=None).count()


@dataclass(frozen=True)
class RecipientRow:
    name: str
    user_id: int
    reason: str
    agency: str
    told_at: dt.datetime
    acknowledged_at: dt.datetime | None
    minutes: int  # to the acknowledgement, or waiting so far

    @property
    def elapsed(self) -> str:
        return duration_text(self.minutes)

    @property
    def waiting(self) -> bool:
        return self.acknowledged_at is None


@dataclass(frozen=True)
class Linkage:
    dispatch: EmergencyDispatch
    agencies: list[str]
    acknowledged: list[RecipientRow]
    waiting: list[RecipientRow]

    def recipient(self, user_id: int) -> RecipientRow | None:
        return next(
            (row for row in [*self.waiting, *self.acknowledged] if row.user_id == user_id), None
        )


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def duration_text(minutes: int) -> str:
    """Minutes as people say them: "12 minutes", "3 hours 5 minutes", "2 days 4 hours"."""
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(hours)s %(minutes)s") % {
            "hours": ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours},
            "minutes": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes},
        }
    days, hours = divmod(hours, 24)
    return _("%(days)s %(hours)s") % {
        "days": ngettext("%(n)d day", "%(n)d days", days) % {"n": days},
        "hours": ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours},
    }


def emergency_linkage(*, case: Case, now: dt.datetime) -> Linkage | None:
    """The case's linkage: who was told, who has it and when, who not yet (minutes waiting).

    The caller has already checked that the reader may open the case.
    """
    dispatch = EmergencyDispatch.objects.filter(case=case).first()
    if dispatch is None:
        return None
    rows = []
    for ack in dispatch.recipients.select_related("user", "agency").order_by("told_at", "id"):
        end = ack.acknowledged_at or now
        rows.append(
            RecipientRow(
                name=str(ack.user),
                user_id=ack.user_id,
                reason=ack.get_reason_display(),
                agency=ack.agency.name if ack.agency else "",
                told_at=ack.told_at,
                acknowledged_at=ack.acknowledged_at,
                minutes=minutes_between(ack.told_at, end),
            )
        )
    return Linkage(
        dispatch=dispatch,
        agencies=list(dispatch.agencies.order_by("kind", "name").values_list("name", flat=True)),
        acknowledged=sorted(
            (row for row in rows if not row.waiting), key=lambda row: row.acknowledged_at
        ),
        waiting=[row for row in rows if row.waiting],
    )


def emergency_may_be_told(user: Any) -> bool:
    """Whether the user holds a role that linkage tells (the menu shows them the page)."""
    from fengqiao.accounts import jurisdiction
    from fengqiao.accounts.roles import Role

    return bool(jurisdiction.roles_of(user) & {Role.DISPATCHER, Role.AGENCY_LIAISON})
