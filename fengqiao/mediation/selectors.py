"""Reads of mediations. Every read starts from the cases the user may see: a mediation
of a case outside the user's jurisdiction does not exist for them (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import ADMIN_ROLES, Capability, Role
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.cases.services import is_assignee
from fengqiao.mediation.models import (
    Agreement,
    CategoryTeam,
    JudicialResult,
    Mediation,
    MediationSession,
    MediationStatus,
)
from fengqiao.orgs.models import MediationOrganization

# The parties may apply within 30 days of the agreement taking effect (人民调解法 art. 33),
# counted in calendar days from the day after it took effect.
JUDICIAL_WINDOW_DAYS = 30
# A warning is shown, and the mediators told, when this many days or fewer are left.
JUDICIAL_WARNING_DAYS = 7


def mediation_list_for_user(*, user: Any) -> QuerySet[Mediation]:
    return Mediation.objects.filter(case__in=case_list_for_user(user=user).values("pk"))


def mediation_get_for_user(*, user: Any, pk: Any) -> Mediation:
    return jurisdiction.get_in_scope(
        user,
        mediation_list_for_user(user=user).select_related(
            "case", "case__area", "organization", "agency"
        ),
        pk,
    )


def session_get_for_user(*, user: Any, pk: Any) -> MediationSession:
    return jurisdiction.get_in_scope(
        user,
        MediationSession.objects.filter(
            mediation__in=mediation_list_for_user(user=user).values("pk")
        ).select_related("mediation", "mediation__case"),
        pk,
    )


def agreement_get_for_user(*, user: Any, pk: Any) -> Agreement:
    return jurisdiction.get_in_scope(
        user,
        Agreement.objects.filter(
            mediation__in=mediation_list_for_user(user=user).values("pk")
        ).select_related("mediation", "mediation__case"),
        pk,
    )


def mediations_of_case(*, case: Case) -> QuerySet[Mediation]:
    """The mediations of a case the caller has already found in scope, newest first."""
    return (
        case.mediations.select_related("organization", "agency", "agreement")
        .prefetch_related("mediators")
        .order_by("-started_at", "-id")
    )


def open_mediation(case: Case) -> Mediation | None:
    return case.mediations.filter(status=MediationStatus.OPEN).first()


def proposed_team_for(case: Case) -> MediationOrganization | None:
    """The specialised team that takes the case's category, walking up to the parent
    category when the category itself has no route."""
    category = case.category
    seen: set[int] = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        route = CategoryTeam.objects.filter(category=category).select_related("team").first()
        if route is not None:
            return route.team
        category = category.parent
    return None


def may_mediate(user: Any, case: Case, mediation: Mediation | None = None) -> bool:
    """Who may start and record a mediation: the case's handler (person, team member or
    agency liaison), a centre leader, or a mediator of this mediation."""
    roles = jurisdiction.roles_of(user)
    if not roles or roles & ADMIN_ROLES:
        return False
    if Role.LEADER in roles or is_assignee(user, case):
        return True
    return mediation is not None and mediation.mediators.filter(pk=user.pk).exists()


def may_print(user: Any, mediation: Mediation) -> bool:
    """The documents print the parties' ID numbers in full: only the mediation's mediators
    and centre leaders, and only with the right to reveal identifiers."""
    if not jurisdiction.can(user, Capability.REVEAL_IDENTIFIERS):
        return False
    if Role.LEADER in jurisdiction.roles_of(user):
        return True
    return mediation.mediators.filter(pk=user.pk).exists()


def judicial_days_left(agreement: Agreement, today: dt.date) -> int | None:
    """Calendar days left to apply for judicial confirmation (0 on the last day; negative
    once it has passed); None when the agreement is not (or cannot be) in that window."""
    if agreement.judicial_deadline is None:
        return None
    return (agreement.judicial_deadline - today).days


# A withdrawn application leaves the parties free to apply again within the window.
APPLIED_RESULTS = (JudicialResult.PENDING, JudicialResult.CONFIRMED, JudicialResult.REJECTED)


def judicial_applied(agreement: Agreement) -> bool:
    return agreement.judicial_confirmations.filter(result__in=APPLIED_RESULTS).exists()


def judicial_warning(agreement: Agreement, today: dt.date) -> bool:
    """Whether the window is about to close with no application recorded."""
    left = judicial_days_left(agreement, today)
    if left is None or not 0 <= left <= JUDICIAL_WARNING_DAYS:
        return False
    return not judicial_applied(agreement)


def agreements_closing_window(today: dt.date) -> QuerySet[Agreement]:
    """Effective written agreements whose window closes within the warning period and for
    which no application is recorded."""
    return (
        Agreement.objects.filter(
            judicial_deadline__gte=today,
            judicial_deadline__lte=today + dt.timedelta(days=JUDICIAL_WARNING_DAYS),
        )
        .exclude(judicial_confirmations__result__in=APPLIED_RESULTS)
        .select_related("mediation", "mediation__case")
    )


def missing_signers(agreement: Agreement) -> list[str]:
    """Who still has to sign before the agreement takes effect (names, for a message)."""
    signed = agreement.signatures.all()
    party_ids = {s.party_id for s in signed if s.party_id}
    missing = [
        str(party)
        for party in agreement.parties.select_related("person", "organization").order_by("id")
        if party.pk not in party_ids
    ]
    if not any(s.mediator_id for s in signed):
        from django.utils.translation import gettext as _

        missing.append(str(_("a mediator")))
    return missing
