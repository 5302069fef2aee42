"""Reads of emergency linkage.

Who oversees emergencies, and so has the emergency page (the menu offers it to exactly
these roles, through `emergency_page_allowed`):
- the centre leader and the dispatchers: every emergency in their area (the town's see the
  town's); the dispatchers are also the ones told at once;
- a village (community) cadre: the emergencies in their village, where the village
  committee organises the first response on the spot;
- an agency liaison: the emergencies sent to their agency (the agencies the category names),
  whatever the area, as linkage tells them;
- and anyone of these sees an emergency they were told of.
Intake clerks, mediators, grid workers and unit heads do not direct the response: an
emergency in their area is on their case list like any case. The three administrators see
no cases at all.

The page lists the open emergencies, newest first, each with who was told, who has it in
hand and since when, and who has not answered yet; then, apart, those finished in the last
`RECENT_DAYS` days. A person sees the emergencies they were told of through
`emergency_told_list_for_user` (the API's list, and "I have it"); the panel on a case page
shows its linkage to whoever may open the case (the page checks that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas.models import subtree_q
from fengqiao.cases.models import Case
from fengqiao.emergency.models import EmergencyAcknowledgement, EmergencyDispatch
from fengqiao.orgs.models import Agency

# Roles that oversee the emergencies of their area, and the one that oversees its agency's.
AREA_OVERSEERS = frozenset({Role.LEADER, Role.DISPATCHER, Role.VILLAGE_CADRE})
AGENCY_OVERSEERS = frozenset({Role.AGENCY_LIAISON})
# Finished emergencies stay on the page this long, in a section of their own.
RECENT_DAYS = 30


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
    return _linkage(
        dispatch,
        dispatch.recipients.select_related("user", "agency").order_by("told_at", "id"),
        dispatch.agencies.order_by("kind", "name"),
        now,
    )


def _linkage(
    dispatch: EmergencyDispatch,
    recipients: Iterable[Any],
    agencies: Iterable[Any],
    now: dt.datetime,
) -> Linkage:
    rows = [
        RecipientRow(
            name=str(ack.user),
            user_id=ack.user_id,
            reason=ack.get_reason_display(),
            agency=ack.agency.name if ack.agency else "",
            told_at=ack.told_at,
            acknowledged_at=ack.acknowledged_at,
            minutes=minutes_between(ack.told_at, ack.acknowledged_at or now),
        )
        for ack in recipients
    ]
    return Linkage(
        dispatch=dispatch,
        agencies=[agency.name for agency in agencies],
        acknowledged=sorted(
            (row for row in rows if not row.waiting), key=lambda row: row.acknowledged_at
        ),
        waiting=[row for row in rows if row.waiting],
    )


# --------------------------------------------------------------------------- the page
def emergency_page_allowed(user: Any) -> bool:
    """Whether the user oversees emergencies (the page serves them; the menu offers it)."""
    return bool(jurisdiction.roles_of(user) & (AREA_OVERSEERS | AGENCY_OVERSEERS))


def emergency_visible_q(user: Any) -> Q:
    """The dispatches the user oversees (see the module's docstring), as a filter."""
    roles = jurisdiction.roles_of(user)
    if not roles & (AREA_OVERSEERS | AGENCY_OVERSEERS):
        return Q(pk__in=[])
    query = Q(pk__in=EmergencyAcknowledgement.objects.filter(user=user).values("dispatch_id"))
    if roles & AREA_OVERSEERS and jurisdiction.can(user, Capability.VIEW_AREA_CASES):
        paths = [area.path for area in jurisdiction.area_roots(user)]
        query |= subtree_q(paths, via="case__area_")
    if roles & AGENCY_OVERSEERS and user.agency_id:
        sent = EmergencyDispatch.agencies.through.objects.filter(agency_id=user.agency_id)
        query |= Q(pk__in=sent.values("emergencydispatch_id"))
    return query


def emergency_list_for_user(*, user: Any) -> QuerySet[EmergencyDispatch]:
    """Every emergency the user oversees, open or finished, newest first."""
    return (
        EmergencyDispatch.objects.filter(emergency_visible_q(user))
        .select_related("case__area", "case__category")
        .order_by("-linked_at", "-id")
    )


def emergency_open_for_user(*, user: Any) -> QuerySet[EmergencyDispatch]:
    return emergency_list_for_user(user=user).filter(case__is_open=True)


def emergency_recently_finished_for_user(
    *, user: Any, now: dt.datetime, days: int = RECENT_DAYS
) -> QuerySet[EmergencyDispatch]:
    """Those closed (or not accepted, or merged) in the last `days` days, latest first.

    A closed case has `closed_at`; one not accepted or merged has no such column, and its
    last change is when it was finished (a finished case changes no more).
    """
    return (
        emergency_list_for_user(user=user)
        .filter(case__is_open=False)
        .annotate(finished_at=Coalesce(F("case__closed_at"), F("case__updated_at")))
        .filter(finished_at__gte=now - dt.timedelta(days=days))
        .order_by("-finished_at", "-id")
    )


def emergency_linkages(
    dispatches: Iterable[EmergencyDispatch], *, now: dt.datetime
) -> list[Linkage]:
    """The linkage of each dispatch (one page of them), read in two queries for the lot."""
    dispatches = list(dispatches)
    recipients = Prefetch(
        "recipients",
        queryset=EmergencyAcknowledgement.objects.select_related("user", "agency").order_by(
            "told_at", "id"
        ),
    )
    agencies = Prefetch("agencies", queryset=Agency.objects.order_by("kind", "name"))
    prefetch_related_objects(dispatches, recipients, agencies)
    return [
        _linkage(dispatch, dispatch.recipients.all(), dispatch.agencies.all(), now)
        for dispatch in dispatches
    ]
