"""Registering matters: `case_create` (one), `case_create_many` (a batch, e.g. the day's
12345 work orders), and `case_validate` (what either would refuse, without saving).

Every field is checked in one pass and every problem reported together (`InvalidInput`),
so that a clerk fixes them all at once rather than one per submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases import hooks, sla, workflow
from fengqiao.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    CaseParty,
    Channel,
    Grade,
    Kind,
    PartyRole,
    SlaPolicy,
    State,
)
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, NotAllowed, Problems, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.core.sequences import sequence_take
from fengqiao.core.sql import insert_rows, select_plain, select_values
from fengqiao.core.uploads import uploads_store, uploads_validate
from fengqiao.people.models import Organization, Person
from fengqiao.people.selectors import identifier_filter, person_list_for_user
from fengqiao.people.services import person_create, person_problems
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

BACKDATE_GRACE = dt.timedelta(minutes=15)
FUTURE_GRACE = dt.timedelta(minutes=1)
CREATE_MANY_LIMIT = 1000
NUMBER_SEQUENCE = "case"


@dataclass
class PartyInput:
    """One party: an existing person or organisation, or a new person's particulars."""

    role: str
    person_id: int | None = None
    organization_id: int | None = None
    new_person: dict[str, Any] | None = None


class _Lookups:
    """What validating registrations needs from the database, read once for a batch: the
    categories, the areas and persons named and whether they are in the actor's
    jurisdiction, the deadline tiers. Plain statements (`select_plain`): a clerk's single
    registration reads four small rows, and building ORM queries for them would cost more
    than reading them.
    """

    AREA_FIELDS = ("id", "code", "name", "level", "parent_id", "path")
    CATEGORY_FIELDS = ("id", "code", "name", "parent_id", "sort_order", "is_active")
    TIER_FIELDS = ("id", "kind", "grade", "milestone", "working_days")

    def __init__(self, actor: Any, items: Sequence[dict[str, Any]]) -> None:
        self.actor = actor
        category_ids = {
            id_of(item.get("category"))
            for item in items
            if not isinstance(item.get("category"), CaseCategory)
        }
        category_ids.discard(None)
        self.categories = {
            category.pk: category
            for category in select_plain(
                CaseCategory, self.CATEGORY_FIELDS, id=list(category_ids), is_active=True
            )
        }
        person_ids = {
            id_of(party.person_id)
            for item in items
            for party in item.get("parties", ())
            if isinstance(party, PartyInput) and party.person_id
        }
        person_ids.discard(None)
        people = select_values(Person, ("id", "area_id"), id=list(person_ids))
        area_ids = {id_of(item.get("area")) for item in items}
        area_ids.discard(None)
        named = {
            area.pk: area
            for area in select_plain(
                Area, self.AREA_FIELDS, id=list(area_ids | {area for _person, area in people})
            )
        }
        # The same decision as `jurisdiction.areas_visible` / `person_list_for_user`.
        self.areas = {
            pk: area
            for pk, area in named.items()
            if pk in area_ids
            and jurisdiction.path_in_scope(actor, area.path, capability=Capability.VIEW_AREAS)
        }
        self.people_in_scope = {
            person
            for person, area in people
            if area in named
            and jurisdiction.path_in_scope(
                actor, named[area].path, capability=Capability.VIEW_PEOPLE
            )
        }
        kinds = [kind for kind in {item.get("kind") for item in items} if kind in Kind.values]
        self.tiers = {
            (tier.kind, tier.grade): tier
            for tier in select_plain(SlaPolicy, self.TIER_FIELDS, kind=kinds)
        }

    def tier(self, kind: str, grade: str) -> Any:
        found = self.tiers.get((kind, grade if kind == Kind.DISPUTE else ""))
        return found if found is not None else sla.sla_tier(kind=kind, grade=grade)


def _existing_person(details: dict[str, Any]) -> Person | None:
    """The person these particulars name by ID number or phone, if registered already."""
    for key in ("id_number", "phone"):
        if details.get(key):
            query = identifier_filter(str(details[key]))
            if query is not None:
                found = Person.objects.filter(query).first()
                if found is not None:
                    return found
    return None


def _new_person(
    actor: Any,
    details: dict[str, Any],
    area: Area | None,
    field: str,
    problems: Problems,
    *,
    save: bool,
) -> Person | None:
    """The person of a new party's particulars: found, created (`save`), or only checked."""
    existing = _existing_person(details)
    if existing is not None:
        if save and not person_list_for_user(user=actor).filter(pk=existing.pk).exists():
            # The same person is registered elsewhere in the town: link, do not
            # duplicate, and keep on record that the match was made across areas.
            audit_record(action="person.matched_outside_scope", actor=actor, target=existing)
        return existing
    if save and area is not None:
        try:
            return person_create(actor=actor, **{"area": area, **details})
        except ValidationError as error:
            found = error.message_dict
    else:
        found = person_problems(**{"area": area, **details})
        if area is None:
            # Without a valid area for the case, the person's area is that problem, said once.
            found.pop("area", None)
    for name, messages in found.items():
        problems.add("party_invalid", messages[0], field=f"{field}.{name}")
    return None


def _resolve_parties(
    actor: Any,
    parties: Iterable[PartyInput],
    area: Area | None,
    lookups: _Lookups,
    problems: Problems,
    *,
    prefix: str = "",
    save: bool,
) -> list[CaseParty]:
    resolved: list[CaseParty] = []
    for index, party in enumerate(parties):
        field = f"{prefix}parties.{index}"
        if party.role not in PartyRole.values:
            problems.add("party_role", _("Choose the party's role."), field=f"{field}.role")
            continue
        if party.organization_id:
            # Organisations (companies, property managers) are public entities: any
            # registrant may name one as a party.
            organization = Organization.objects.filter(pk=id_of(party.organization_id)).first()
            if organization is None:
                problems.add("party_unknown", _("This organisation was not found."), field=field)
                continue
            resolved.append(CaseParty(role=party.role, organization=organization))
        elif party.person_id:
            # Only whether the person is in scope matters here: the record is not loaded
            # (nor decrypted).
            if id_of(party.person_id) not in lookups.people_in_scope:
                problems.add("party_unknown", _("This person was not found."), field=field)
                continue
            resolved.append(CaseParty(role=party.role, person_id=id_of(party.person_id)))
        elif party.new_person:
            person = _new_person(actor, dict(party.new_person), area, field, problems, save=save)
            if person is not None:
                resolved.append(CaseParty(role=party.role, person=person))
        else:
            problems.add("party_empty", _("Name the party or choose one."), field=field)
    return resolved


@dataclass
class _Registration:
    case: Case
    parties: list[CaseParty]
    attachments: Sequence[UploadedFile]
    data: dict[str, Any]


def _require_reporter(actor: Any) -> None:
    if not (jurisdiction.roles_of(actor) & workflow.REPORTERS) or not jurisdiction.can(
        actor, Capability.REPORT_CASES
    ):
        raise NotAllowed(
            _("Your role does not register cases."),
            audit={"action": "case.report", "actor": actor},
        )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _prepare(
    actor: Any,
    lookups: _Lookups,
    now: dt.datetime,
    calendar: WorkingCalendar,
    problems: Problems,
    *,
    kind: str,
    category: CaseCategory | int,
    channel: str,
    title: str,
    account: str,
    area: Area | int,
    parties: Sequence[PartyInput] = (),
    grade: str = "",
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    people_involved: int = 1,
    amount_involved: Any = None,
    received_at: dt.datetime | None = None,
    backdate_reason: str = "",
    attachments: Sequence[UploadedFile] = (),
    prefix: str = "",
    save: bool = True,
) -> _Registration | None:
    """Check one registration, every field, adding each problem to `problems`; build its
    rows (unsaved, without a number yet) when there is none. New parties are created only
    when `save` (inside the registration's transaction) and nothing else is wrong so far.
    """
    found = len(problems.found)

    def problem(code: str, message: str, name: str) -> None:
        problems.add(code, message, field=f"{prefix}{name}")

    if kind not in Kind.values:
        problem("kind", _("Choose the kind of matter."), "kind")
    if channel not in Channel.values:
        problem("channel", _("Choose how the matter came in."), "channel")
    if kind == Kind.DISPUTE:
        if grade not in Grade.values:
            problem("grade", _("A dispute needs a grade."), "grade")
    else:
        grade = ""
    category_obj = (
        category if isinstance(category, CaseCategory) else lookups.categories.get(id_of(category))
    )
    if category_obj is None or not category_obj.is_active:
        problem("category", _("Choose a category from the list."), "category")
    area_obj = lookups.areas.get(id_of(area))
    if area_obj is None:
        problem("area", _("Choose an area from the list; this one is not in your area."), "area")
    title, account = (title or "").strip(), (account or "").strip()
    if not title:
        problem("title", _("Give the case a short title."), "title")
    if not account:
        problem("account", _("Describe what happened."), "account")
    people = _as_int(people_involved)
    if people is None or people < 1:
        problem("people", _("At least one person is involved."), "people_involved")
    if amount_involved is not None and amount_involved < 0:
        problem("amount", _("The amount cannot be negative."), "amount_involved")
    received_at = received_at or now
    backdate_reason = (backdate_reason or "").strip()
    if timezone.is_naive(received_at):
        problem("received_at", _("Give the time of receipt with its time zone."), "received_at")
    elif received_at > now + FUTURE_GRACE:
        problem(
            "received_in_future",
            _("The time of receipt cannot be in the future."),
            "received_at",
        )
    elif received_at < now - BACKDATE_GRACE and not backdate_reason:
        problem(
            "backdate_reason",
            _("Say why the matter is registered later than it was received."),
            "backdate_reason",
        )
    with problems.check():
        uploads_validate(attachments)
    party_rows = _resolve_parties(
        actor,
        parties,
        area_obj,
        lookups,
        problems,
        prefix=prefix,
        save=save and len(problems.found) == found,
    )
    applicants = [party for party in parties if party.role == PartyRole.APPLICANT]
    if kind == Kind.DISPUTE and not applicants:
        problem("applicant", _("A dispute needs at least one applicant."), "parties")
    if len(problems.found) > found:
        return None

    assert category_obj is not None and area_obj is not None
    case = Case(
        kind=kind,
        grade=grade,
        category=category_obj,
        channel=channel,
        title=title[:120],
        account=account,
        area=area_obj,
        area_path=area_obj.path,
        address=address or "",
        latitude=latitude,
        longitude=longitude,
        people_involved=people,
        amount_involved=amount_involved,
        received_at=received_at,
        backdate_reason=backdate_reason[:200] if received_at < now - BACKDATE_GRACE else "",
        reported_by=actor,
        created_at=now,
        updated_at=now,
        state=State.REPORTED,
        clock_start=received_at,
    )
    try:
        sla.apply_tier(case, lookups.tier(kind, grade))
    except DomainError as error:
        problems.found.append(error)
        return None
    sla.recompute_deadline(case, calendar)
    data: dict[str, Any] = {"due_at": case.due_at.isoformat()}
    if case.backdate_reason:
        data["received_at"] = received_at.isoformat()
    return _Registration(case=case, parties=party_rows, attachments=attachments, data=data)


def _next_numbers(now: dt.datetime, count: int) -> list[str]:
    year = timezone.localtime(now).year
    last = sequence_take(NUMBER_SEQUENCE, year, count)
    return [f"FQ-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


def _register(actor: Any, registrations: list[_Registration], now: dt.datetime) -> list[Case]:
    """Number and save prepared registrations with their parties, timeline and audit."""
    cases = [registration.case for registration in registrations]
    for case, number in zip(cases, _next_numbers(now, len(cases)), strict=True):
        case.number = number
    insert_rows(Case, cases)
    party_rows = []
    events = []
    for registration in registrations:
        case = registration.case
        for party in registration.parties:
            party.case = case
            party_rows.append(party)
        files = uploads_store(
            CaseAttachment, registration.attachments, actor=actor, now=now, case=case
        )
        if files:
            registration.data["files"] = files
        events.append(
            CaseEvent(
                case=case,
                sequence=1,
                at=now,
                actor=actor,
                action=workflow.REPORT,
                from_state="",
                to_state=State.REPORTED,
                note=case.backdate_reason,
                data=registration.data,
            )
        )
    insert_rows(CaseParty, party_rows)
    insert_rows(CaseEvent, events)
    for registration in registrations:
        hooks.run_after_action(
            case=registration.case,
            action=workflow.REPORT,
            actor=actor,
            now=now,
            inputs={},
            data=registration.data,
        )
    audit_record_many(
        [
            {
                "action": "case.report",
                "actor": actor,
                "target": case,
                "area": case.area,
                "details": {"kind": case.kind, "channel": case.channel},
            }
            for case in cases
        ]
    )
    return cases


@audits_refusals
def case_validate(
    *, actor: Any, now: dt.datetime | None = None, **fields: Any
) -> list[DomainError]:
    """Every problem `case_create` would find in these fields, without saving anything
    (new parties are checked, not created). A page shows them all at once."""
    now = now or clock.now()
    _require_reporter(actor)
    problems = Problems()
    _prepare(actor, _Lookups(actor, [fields]), now, calendar_load(), problems, save=False, **fields)
    return problems.found


@transaction.atomic
def _create(
    actor: Any,
    items: Sequence[dict[str, Any]],
    now: dt.datetime,
    calendar: WorkingCalendar | None,
    *,
    prefixed: bool,
) -> list[Case]:
    lookups = _Lookups(actor, items)
    calendar = calendar or calendar_load()
    problems = Problems()
    registrations = [
        _prepare(
            actor,
            lookups,
            now,
            calendar,
            problems,
            prefix=f"items.{index}." if prefixed else "",
            **item,
        )
        for index, item in enumerate(items)
    ]
    # Any problem refuses the whole registration; the transaction takes back the new
    # parties created on the way.
    problems.raise_if_any()
    return _register(actor, [r for r in registrations if r is not None], now)


@audits_refusals
def case_create(
    *,
    actor: Any,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
    **fields: Any,
) -> Case:
    """Register one matter. `fields`: kind, category, channel, title, account, area,
    parties (PartyInput), grade, address, latitude, longitude, people_involved,
    amount_involved, received_at, backdate_reason, attachments.

    Raises InvalidInput with every problem found (400), NotAllowed for a role that does not
    register cases (403)."""
    _require_reporter(actor)
    return _create(actor, [fields], now or clock.now(), calendar, prefixed=False)[0]


@audits_refusals
def case_create_many(
    *,
    actor: Any,
    items: Sequence[dict[str, Any]],
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[Case]:
    """Register a batch of matters at once, e.g. the day's 12345 work orders.

    Each item takes `case_create`'s fields and is checked exactly as `case_create` checks
    it; each case gets its number, parties, timeline entry and audit event. The batch is one
    transaction: every problem of every item is reported together, each field naming its
    item (`items.3.area`), and nothing of the batch is saved. The database is read once per
    batch, not once per case.
    """
    _require_reporter(actor)
    if not items:
        return []
    if len(items) > CREATE_MANY_LIMIT:
        raise DomainError(
            "too_many",
            _("At most %(n)d matters can be registered at once.") % {"n": CREATE_MANY_LIMIT},
            field="items",
        )
    return _create(actor, items, now or clock.now(), calendar, prefixed=True)
