"""Who stands behind a unit that is given work: a person, a mediation team or an agency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

from fengqiao.accounts.models import User
from fengqiao.orgs.models import MediationMembership


def unit_people(
    units: Iterable[tuple[Hashable, int | None, int | None, int | None]],
) -> dict[Hashable, set[int]]:
    """For each (key, user id, team id, agency id): the active users among the person, the
    team's members and the agency's staff. Three queries however many units."""
    units = list(units)
    user_ids = {user_id for _key, user_id, _team, _agency in units if user_id}
    team_ids = {team_id for _key, _user, team_id, _agency in units if team_id}
    agency_ids = {agency_id for _key, _user, _team, agency_id in units if agency_id}
    active = set(
        User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True)
        if user_ids
        else ()
    )
    members: dict[int, set[int]] = defaultdict(set)
    if team_ids:
        for team_id, user_id in MediationMembership.objects.filter(
            organization_id__in=team_ids, user__is_active=True
        ).values_list("organization_id", "user_id"):
            members[team_id].add(user_id)
    staff: dict[int, set[int]] = defaultdict(set)
    if agency_ids:
        for agency_id, user_id in User.objects.filter(
            agency_id__in=agency_ids, is_active=True
        ).values_list("agency_id", "pk"):
            staff[agency_id].add(user_id)
    return {
        key: ({user_id} & active) | members.get(team_id, set()) | staff.get(agency_id, set())
        for key, user_id, team_id, agency_id in units
    }
