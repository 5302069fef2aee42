"""Reads of the key-person register, every one starting from need to know.

**Who sees a record** (`key_person_visible_q`, the only place that decides it):
- the person's responsible staff (包保责任人);
- a centre leader whose area holds the person;
- an agency liaison, for the categories linked to their agency (police: released prisoners,
  drug users…; judicial office: community correction, released prisoners…), within their
  area;
- a record with a severe mental disorder is narrower still: its responsible staff, the
  leaders and the health liaisons only.
Everyone else sees nothing of it — not even that the person is on the register: opening it
is a 404 with an audit row, and a case page shows the key-person warning only to those who
may see the record.

**The visit schedule** (`next_visit_due`): the last visit (or the registration) plus the
level's interval; for a severe mental disorder, no later than the national norm from the
last risk assessment: unstable (3–5) again within 2 weeks, basically stable (1–2) within 2
weeks, stable (0) within 3 months (at least four visits a year); a person assessed unstable
and not yet visited is due at once. A visit is **overdue** the day after it is due.

**Small counts**: a count of key persons shown on a board, a map or a report is "<5" when
it is below five (`small_count`), so that nobody can be picked out from it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.keypersons.models import (
    Category,
    KeyPerson,
    KeyPersonPolicy,
    Level,
    Membership,
    Responsible,
    Status,
)
from fengqiao.orgs.models import AgencyKind

SMALL_COUNT = 5
# The national norm for severe mental disorders: days to the next follow-up by risk level.
MENTAL_FOLLOW_UP_DAYS = {0: 90, 1: 14, 2: 14, 3: 14, 4: 14, 5: 14}
UNSTABLE_RISK = 3
# Who may register a resident and manage a record (besides the leaders over it): the
# staff who work in the area.
REGISTRARS = frozenset({Role.GRID_WORKER, Role.VILLAGE_CADRE, Role.LEADER})
# Who may approve lowering a level.
APPROVERS = frozenset({Role.LEADER})

DEFINITIONS = [
    (
        _("Who sees a record"),
        _(
            "The person's responsible staff, the centre's leaders over the area, and the "
            "liaisons of the agencies linked to the person's categories; severe mental "
            "disorders only the responsible staff, the leaders and health."
        ),
    ),
    (
        _("Next visit due"),
        _(
            "The last visit (or the registration) plus the level's interval; for a severe "
            "mental disorder no later than the national norm of the last risk assessment "
            "(0: 3 months; 1–5: 2 weeks)."
        ),
    ),
    (_("Overdue"), _("Not visited by the day the next visit was due.")),
    (_("Small counts"), _("A count below 5 is shown as “<5”.")),
]


def small_count(count: int) -> str:
    """A count of key persons as it may be shown: "<5" below five."""
    return "<5" if count < SMALL_COUNT else str(count)


def policy() -> KeyPersonPolicy:
    found, _created = KeyPersonPolicy.objects.get_or_create(pk=1)
    return found


def categories_for_agency(kind: str) -> list[int]:
    """The categories whose records the liaisons of an agency of `kind` see."""
    return [
        pk
        for pk, kinds, mental in Category.objects.values_list("pk", "agency_kinds", "mental_health")
        if kind in (kinds or []) and (not mental or kind == AgencyKind.HEALTH)
    ]


def key_person_visible_q(user: Any) -> Q:
    """The records `user` may see (see the module's rules)."""
    roles = jurisdiction.roles_of(user)
    if not roles or jurisdiction.is_administrator(user):
        return Q(pk__in=[])
    visible = Q(Exists(Responsible.objects.filter(key_person=OuterRef("pk"), user=user)))
    if Role.LEADER in roles:
        visible |= jurisdiction.area_q(user, field="area")
    agency = getattr(user, "agency", None) if Role.AGENCY_LIAISON in roles else None
    if agency is not None:
        linked = categories_for_agency(agency.kind)
        if linked:
            mine = Q(
                Exists(Membership.objects.filter(key_person=OuterRef("pk"), category_id__in=linked))
            ) & jurisdiction.area_q(user, field="area")
            if agency.kind != AgencyKind.HEALTH:
                mine &= ~Q(
                    Exists(
                        Membership.objects.filter(
                            key_person=OuterRef("pk"), category__mental_health=True
                        )
                    )
                )
            visible |= mine
    return visible


def key_persons_for_user(*, user: Any) -> QuerySet[KeyPerson]:
    return (
        KeyPerson.objects.filter(key_person_visible_q(user))
        .select_related("person", "level", "area")
        .prefetch_related("memberships__category")
    )


def key_person_list(
    *,
    user: Any,
    today: dt.date,
    scope: str = "",
    level: Any = None,
    category: Any = None,
    due: str = "",
) -> tuple[str, QuerySet[KeyPerson]]:
    """The records a list shows: the user's own (`mine`, the default for those who
    register; a leader's "mine" is all they oversee) or all they may see; by level, category,
    and visits overdue or due within a week; the next visit due first (overdue first), then
    the most serious level. Returns the scope applied and the rows."""
    rows = key_persons_for_user(user=user).filter(status=Status.ACTIVE)
    scope = scope or ("mine" if register_allowed(user) else "all")
    if scope == "mine" and not jurisdiction.roles_of(user) & APPROVERS:
        rows = rows.filter(Exists(Responsible.objects.filter(key_person=OuterRef("pk"), user=user)))
    if level is not None:
        rows = rows.filter(level=level)
    if category is not None:
        rows = rows.filter(
            Exists(Membership.objects.filter(key_person=OuterRef("pk"), category=category))
        )
    if due == "overdue":
        rows = rows.filter(next_visit_due__lt=today)
    elif due == "week":
        rows = rows.filter(next_visit_due__lte=today + dt.timedelta(days=7))
    return scope, rows.order_by(F("next_visit_due").asc(nulls_last=True), "-level__rank", "pk")


def key_person_get(*, user: Any, pk: Any) -> KeyPerson:
    """The record if the user may see it; else a 404 with an audit row."""
    return jurisdiction.get_in_scope(user, key_persons_for_user(user=user), pk)


def register_allowed(user: Any) -> bool:
    return bool(jurisdiction.roles_of(user) & REGISTRARS)


def pages_allowed(user: Any) -> bool:
    """Whether the register's pages are in the user's menu: those who register, and the
    liaisons of agencies linked to a category."""
    roles = jurisdiction.roles_of(user)
    if roles & REGISTRARS:
        return True
    agency = getattr(user, "agency", None) if Role.AGENCY_LIAISON in roles else None
    return agency is not None and bool(categories_for_agency(agency.kind))


def is_responsible(user: Any, key_person: KeyPerson) -> bool:
    return Responsible.objects.filter(key_person=key_person, user=user).exists()


def may_manage(user: Any, key_person: KeyPerson) -> bool:
    """Record visits, plan tasks, staff and level changes: the responsible staff and the
    leaders over the area (a liaison who sees a record records visits as responsible staff
    once named)."""
    roles = jurisdiction.roles_of(user)
    if Role.LEADER in roles and jurisdiction.path_in_scope(
        user, key_person.area_path, capability="view_areas"
    ):
        return True
    return is_responsible(user, key_person)


def visible_person_ids(user: Any, person_ids: list[int]) -> set[int]:
    """Which of these residents the user may see on the register."""
    return set(
        KeyPerson.objects.filter(key_person_visible_q(user), person_id__in=person_ids)
        .filter(status=Status.ACTIVE)
        .values_list("person_id", flat=True)
    )


def visible_person_ids_q(user: Any) -> QuerySet[KeyPerson]:
    """The residents whose records the user may see, as a subquery of person ids."""
    return KeyPerson.objects.filter(key_person_visible_q(user)).values("person_id")


def users_who_may_see_person(person_id: int, user_ids: set[int]) -> set[int]:
    """Of `user_ids`, those who may see the record of the resident `person_id`."""
    from fengqiao.accounts.models import User

    return {
        user.pk
        for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related(
            "home_area", "agency"
        )
        if KeyPerson.objects.filter(key_person_visible_q(user), person_id=person_id).exists()
    }


@dataclass
class GridScreening:
    """Comprehensive screening (全面排查) in one grid for a year: its residents, how many
    were reviewed, how many not yet ("no household missed"), how many found to need the
    register, and how many are on it (shown as a small count)."""

    grid: Any
    residents: int = 0
    reviewed: int = 0
    found: int = 0
    registered: int = 0

    @property
    def missed(self) -> int:
        return max(0, self.residents - self.reviewed)

    @property
    def registered_shown(self) -> str:
        return small_count(self.registered)


def screening_figures(*, user: Any, year: int) -> list[GridScreening]:
    """The comprehensive screening of each grid of the user's area in `year` (the residents
    of a grid are those whose area lies in it)."""
    from fengqiao.areas.models import PATH_WIDTH
    from fengqiao.areas.models import Level as AreaLevel
    from fengqiao.keypersons.models import Review
    from fengqiao.people.models import Person

    if not register_allowed(user):
        return []
    grids = list(jurisdiction.areas_visible(user).filter(level=AreaLevel.GRID).order_by("path"))
    rows = {grid.path: GridScreening(grid) for grid in grids}
    width = PATH_WIDTH * AreaLevel.GRID
    scope = jurisdiction.area_q(user, field="area")

    def grid_of(path: str) -> GridScreening | None:
        return rows.get(path[:width])

    for path in Person.objects.filter(scope).values_list("area__path", flat=True):
        row = grid_of(path)
        if row is not None:
            row.residents += 1
    reviewed = (
        Review.objects.filter(scope, reviewed_on__year=year)
        .values_list("person_id", "area_path", "found")
        .order_by("person_id", "reviewed_on")
    )
    latest: dict[int, tuple[str, bool]] = {}
    for person_id, path, found in reviewed:
        latest[person_id] = (path, found)
    for path, found in latest.values():
        row = grid_of(path)
        if row is not None:
            row.reviewed += 1
            row.found += 1 if found else 0
    for path in KeyPerson.objects.filter(scope, status=Status.ACTIVE).values_list(
        "area_path", flat=True
    ):
        row = grid_of(path)
        if row is not None:
            row.registered += 1
    return list(rows.values())


def residents_not_reviewed(*, user: Any, year: int) -> QuerySet[Any]:
    """The residents of the user's area not yet reviewed in `year`, by place and name."""
    from fengqiao.keypersons.models import Review
    from fengqiao.people.models import Person

    return (
        Person.objects.filter(jurisdiction.area_q(user, field="area"))
        .exclude(Exists(Review.objects.filter(person=OuterRef("pk"), reviewed_on__year=year)))
        .select_related("area")
        .order_by("area__path", "name", "pk")
    )


# How far back a visit can be taken from one's daily log.
LOG_ENTRY_DAYS = 14


def log_entries_for_visit(*, user: Any, key_person: KeyPerson, today: dt.date) -> QuerySet[Any]:
    """The user's own daily-log entries of the last two weeks that a visit to this person
    can be recorded from: those that met the resident, or record a key-person visit."""
    from fengqiao.gridops.models import LogEntry

    return (
        LogEntry.objects.filter(
            author=user, occurred_on__gte=today - dt.timedelta(days=LOG_ENTRY_DAYS)
        )
        .filter(Q(residents=key_person.person_id) | Q(activities__code="key_person_visit"))
        .distinct()
        .order_by("-occurred_at")
    )


def next_visit_due(
    *,
    level: Level,
    last_visit_on: dt.date | None,
    registered_on: dt.date,
    mental: bool,
    mental_risk: int | None,
) -> dt.date:
    """The day the next visit is due (see the module's schedule)."""
    since = last_visit_on or registered_on
    due = since + dt.timedelta(days=level.visit_every_days)
    if mental:
        if last_visit_on is None and mental_risk is not None and mental_risk >= UNSTABLE_RISK:
            return registered_on
        days = MENTAL_FOLLOW_UP_DAYS.get(mental_risk if mental_risk is not None else 0, 90)
        due = min(due, since + dt.timedelta(days=days))
    return due


def particulars_of(membership: Membership) -> dict[str, Any]:
    if not membership.particulars:
        return {}
    try:
        value = json.loads(membership.particulars)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def particulars_shown(membership: Membership) -> list[tuple[str, Any]]:
    """A category's particulars as (label, value) in the order its schema lists them."""
    values = particulars_of(membership)
    return [
        (spec.get("label") or spec["key"], values.get(spec["key"]))
        for spec in membership.category.particulars or []
        if values.get(spec["key"]) not in (None, "")
    ]


def overdue(*, user: Any, today: dt.date) -> QuerySet[KeyPerson]:
    return key_persons_for_user(user=user).filter(status=Status.ACTIVE, next_visit_due__lt=today)
