"""The only writers of cases: `case_create` registers a matter, `case_act` performs any
action of the lifecycle (see `workflow.TRANSITIONS`).

Each call runs in one transaction: lock the case, check the table, the actor's role and
jurisdiction and the version they saw, apply the change, append the timeline entry and the
audit event, recompute the deadline. Nothing else writes a case's state.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ADMIN_ROLES, Capability
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases import hooks, sla, workflow
from fengqiao.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    CaseNumberSequence,
    CaseParty,
    Channel,
    Grade,
    HandlingLevel,
    Kind,
    Outcome,
    PartyRole,
    SlaPolicy,
    State,
)
from fengqiao.cases.selectors import case_assigned_q, case_list_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.core.ids import id_of
from fengqiao.core.sequences import sequence_take
from fengqiao.core.sql import insert_rows, select_plain, select_values
from fengqiao.core.uploads import uploads_store, uploads_validate
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.people.models import Organization, Person
from fengqiao.people.selectors import identifier_filter, person_list_for_user
from fengqiao.people.services import person_create
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

T = TypeVar("T")

BACKDATE_GRACE = dt.timedelta(minutes=15)
FUTURE_GRACE = dt.timedelta(minutes=1)
MAX_EXTENSION_DAYS = 30


class CaseConflict(DomainError):
    """The case changed since the actor saw it."""

    def __init__(self, case: Case, last: CaseEvent | None) -> None:
        if last is not None:
            when = formats.date_format(timezone.localtime(last.at), "Y-m-d H:i")
            message = _(
                "%(who)s changed this case at %(when)s (%(action)s) after you opened it. "
                "Reload it and try again; nothing of yours was saved."
            ) % {"who": actor_name(last.actor), "when": when, "action": action_label(last.action)}
        else:
            message = _("This case changed after you opened it. Reload it and try again.")
        super().__init__("stale_version", message)
        self.current_version = case.version
        self.changed_by = actor_name(last.actor) if last else ""
        self.changed_at = last.at if last else None


def actor_name(actor: Any) -> str:
    """Who took a step on a timeline; None is the system itself (sweeps, automatic orders)."""
    return str(actor) if actor is not None else str(_("System"))


def action_label(action: str) -> str:
    if action == workflow.REPORT:
        return _("Registered")
    if action == "deadline_recomputed":
        return _("Deadline recomputed with the updated calendar")
    if action == "merged_from":
        return _("Another case was merged into this one")
    if action in hooks.EVENT_LABELS:
        return str(hooks.EVENT_LABELS[action])
    transition = workflow.ACTIONS.get(action)
    return str(transition.label) if transition else action


# --------------------------------------------------------------------------- creation
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

    @property
    def visible_people(self) -> Any:
        return person_list_for_user(user=self.actor)

    def tier(self, kind: str, grade: str) -> Any:
        found = self.tiers.get((kind, grade if kind == Kind.DISPUTE else ""))
        return found if found is not None else sla.sla_tier(kind=kind, grade=grade)


def _resolve_parties(
    actor: Any, parties: Iterable[PartyInput], area: Area, lookups: _Lookups, prefix: str = ""
) -> list[CaseParty]:
    resolved: list[CaseParty] = []
    for index, party in enumerate(parties):
        field = f"{prefix}parties.{index}"
        if party.role not in PartyRole.values:
            raise DomainError("party_role", _("Choose the party's role."), field=field)
        if party.organization_id:
            # Organisations (companies, property managers) are public entities: any
            # registrant may name one as a party.
            organization = Organization.objects.filter(pk=party.organization_id).first()
            if organization is None:
                raise DomainError(
                    "party_unknown", _("This organisation was not found."), field=field
                )
            resolved.append(CaseParty(role=party.role, organization=organization))
        elif party.person_id:
            # Only whether the person is in scope matters here: the record is not loaded
            # (nor decrypted).
            if id_of(party.person_id) not in lookups.people_in_scope:
                raise DomainError("party_unknown", _("This person was not found."), field=field)
            resolved.append(CaseParty(role=party.role, person_id=id_of(party.person_id)))
        elif party.new_person:
            details = dict(party.new_person)
            existing = None
            for key in ("id_number", "phone"):
                if details.get(key):
                    query = identifier_filter(str(details[key]))
                    if query is not None:
                        existing = Person.objects.filter(query).first()
                        if existing is not None:
                            break
            if existing is not None and not lookups.visible_people.filter(pk=existing.pk).exists():
                # The same person is registered elsewhere in the town: link, do not
                # duplicate, and keep on record that the match was made across areas.
                audit_record(action="person.matched_outside_scope", actor=actor, target=existing)
            if existing is None:
                details.setdefault("area", area)
                try:
                    existing = person_create(actor=actor, **details)
                except ValidationError as error:
                    first_field, messages = next(iter(error.message_dict.items()))
                    raise DomainError(
                        "party_invalid", messages[0], field=f"{field}.{first_field}"
                    ) from error
            resolved.append(CaseParty(role=party.role, person=existing))
        else:
            raise DomainError("party_empty", _("Name the party or choose one."), field=field)
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
        raise DomainError("not_allowed", _("Your role does not register cases."))


def _prepare(
    actor: Any,
    lookups: _Lookups,
    now: dt.datetime,
    calendar: WorkingCalendar,
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
) -> _Registration:
    """Validate one registration and build its rows (unsaved, without a number yet)."""
    if kind not in Kind.values:
        raise DomainError("kind", _("Choose the kind of matter."), field=f"{prefix}kind")
    if channel not in Channel.values:
        raise DomainError("channel", _("Choose how the matter came in."), field=f"{prefix}channel")
    if kind == Kind.DISPUTE:
        if grade not in Grade.values:
            raise DomainError("grade", _("A dispute needs a grade."), field=f"{prefix}grade")
    else:
        grade = ""
    category_obj = (
        category if isinstance(category, CaseCategory) else lookups.categories.get(id_of(category))
    )
    if category_obj is None or not category_obj.is_active:
        raise DomainError(
            "category", _("Choose a category from the list."), field=f"{prefix}category"
        )
    area_obj = lookups.areas.get(id_of(area))
    if area_obj is None:
        raise DomainError(
            "area",
            _("Choose an area from the list; this one is not in your area."),
            field=f"{prefix}area",
        )
    title, account = (title or "").strip(), (account or "").strip()
    if not title:
        raise DomainError("title", _("Give the case a short title."), field=f"{prefix}title")
    if not account:
        raise DomainError("account", _("Describe what happened."), field=f"{prefix}account")
    if people_involved is None or int(people_involved) < 1:
        raise DomainError(
            "people", _("At least one person is involved."), field=f"{prefix}people_involved"
        )
    if amount_involved is not None and amount_involved < 0:
        raise DomainError(
            "amount", _("The amount cannot be negative."), field=f"{prefix}amount_involved"
        )
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise DomainError(
            "received_at",
            _("Give the time of receipt with its time zone."),
            field=f"{prefix}received_at",
        )
    if received_at > now + FUTURE_GRACE:
        raise DomainError(
            "received_in_future",
            _("The time of receipt cannot be in the future."),
            field=f"{prefix}received_at",
        )
    backdate_reason = (backdate_reason or "").strip()
    if received_at < now - BACKDATE_GRACE and not backdate_reason:
        raise DomainError(
            "backdate_reason",
            _("Say why the matter is registered later than it was received."),
            field=f"{prefix}backdate_reason",
        )
    party_rows = _resolve_parties(actor, parties, area_obj, lookups, prefix)
    if kind == Kind.DISPUTE and not any(p.role == PartyRole.APPLICANT for p in party_rows):
        raise DomainError(
            "applicant", _("A dispute needs at least one applicant."), field=f"{prefix}parties"
        )
    uploads_validate(attachments)

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
        people_involved=int(people_involved),
        amount_involved=amount_involved,
        received_at=received_at,
        backdate_reason=backdate_reason[:200] if received_at < now - BACKDATE_GRACE else "",
        reported_by=actor,
        created_at=now,
        updated_at=now,
        state=State.REPORTED,
        clock_start=received_at,
    )
    sla.apply_tier(case, lookups.tier(kind, grade))
    sla.recompute_deadline(case, calendar)
    data: dict[str, Any] = {"due_at": case.due_at.isoformat()}
    if case.backdate_reason:
        data["received_at"] = received_at.isoformat()
    return _Registration(case=case, parties=party_rows, attachments=attachments, data=data)


def _next_numbers(now: dt.datetime, count: int) -> list[str]:
    year = timezone.localtime(now).year
    last = sequence_take(CaseNumberSequence, year, count)
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


@transaction.atomic
def case_create(
    *,
    actor: Any,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
    **fields: Any,
) -> Case:
    """Register one matter. `fields`: kind, category, channel, title, account, area,
    parties (PartyInput), grade, address, latitude, longitude, people_involved,
    amount_involved, received_at, backdate_reason, attachments."""
    now = now or clock.now()
    _require_reporter(actor)
    registration = _prepare(
        actor, _Lookups(actor, [fields]), now, calendar or calendar_load(), **fields
    )
    return _register(actor, [registration], now)[0]


CREATE_MANY_LIMIT = 1000


@transaction.atomic
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
    transaction: a bad item is a DomainError whose field names it (`items.3.area`), and
    nothing of the batch is saved. The database is read once per batch, not once per case.
    """
    now = now or clock.now()
    _require_reporter(actor)
    if not items:
        return []
    if len(items) > CREATE_MANY_LIMIT:
        raise DomainError(
            "too_many",
            _("At most %(n)d matters can be registered at once.") % {"n": CREATE_MANY_LIMIT},
            field="items",
        )
    lookups = _Lookups(actor, items)
    calendar = calendar or calendar_load()
    registrations = [
        _prepare(actor, lookups, now, calendar, prefix=f"items.{index}.", **item)
        for index, item in enumerate(items)
    ]
    return _register(actor, registrations, now)


# --------------------------------------------------------------------------- actions
def is_assignee(user: Any, case: Case) -> bool:
    return Case.objects.filter(pk=case.pk).filter(case_assigned_q(user)).exists()


def _actor_may(
    user: Any, case: Case, transition: workflow.Transition, assignee: list[bool]
) -> bool:
    """Whether the table names this user for the transition (`assignee` caches the lookup)."""
    roles = jurisdiction.roles_of(user)
    if roles & ADMIN_ROLES:
        return False
    if roles & transition.actors:
        return True
    if workflow.ASSIGNEE in transition.actors:
        if not assignee:
            assignee.append(is_assignee(user, case))
        return assignee[0]
    return False


def refusal(user: Any, case: Case, transition: workflow.Transition) -> str | None:
    """Why `user` may not take `transition` on `case` now; None when they may."""
    if case.state not in transition.sources:
        return _("“%(action)s” is not possible while the case is “%(state)s”.") % {
            "action": transition.label,
            "state": State(case.state).label,
        }
    if not _actor_may(user, case, transition, []):
        return _("Your role may not take “%(action)s” on this case.") % {"action": transition.label}
    return _precondition(case, transition.action, user)


def _precondition(case: Case, action: str, actor: Any) -> str | None:
    pending = case.extension_requested_days is not None
    if action == "request_extension":
        if pending:
            return _("An extension request is already waiting for a decision.")
        if case.milestone_met_at is not None:
            return _("The deadline has already been met.")
    if action in {"approve_extension", "deny_extension"} and not pending:
        return _("No extension request is waiting.")
    if action == "record_milestone" and case.milestone_met_at is not None:
        return _("The milestone has already been recorded.")
    if action == "regrade" and case.kind != Kind.DISPUTE:
        return _("Only disputes have a grade.")
    return hooks.precondition_refusal(case, actor, action)


def available_actions(user: Any, case: Case) -> list[workflow.Transition]:
    """Exactly the actions this user may take on this case now (for pages and the API)."""
    assignee: list[bool] = []
    return [
        transition
        for transition in workflow.TRANSITIONS
        if case.state in transition.sources
        and _actor_may(user, case, transition, assignee)
        and _precondition(case, transition.action, user) is None
    ]


def _require(inputs: dict[str, Any], name: str, message: str) -> Any:
    value = inputs.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"missing_{name}", message, field=name)
    return value.strip() if isinstance(value, str) else value


REQUIRED_MESSAGES = {
    "reason": lambda: _("Give a reason."),
    "note": lambda: _("Write a note on what was done."),
    "handler": lambda: _("Choose who handles the case: a person, a team or an agency."),
    "target_case": lambda: _("Choose the case this one duplicates."),
    "outcome": lambda: _("Choose the result."),
    "grade": lambda: _("Choose the new grade."),
    "days": lambda: _("Give the number of working days."),
    "agency": lambda: _("Choose the agency."),
    "files": lambda: _("Choose at least one file."),
}


@dataclass
class Context:
    actor: Any
    now: dt.datetime
    calendar: WorkingCalendar
    inputs: dict[str, Any]
    data: dict[str, Any]
    note: str = ""


def _handler_from(
    inputs: dict[str, Any],
) -> tuple[User | None, MediationOrganization | None, Agency | None]:
    handler = inputs["handler"]
    user_id, team_id, agency_id = (
        (handler.get("user"), handler.get("team"), handler.get("agency"))
        if isinstance(handler, dict)
        else (None, None, None)
    )
    chosen = [value for value in (user_id, team_id, agency_id) if value]
    if len(chosen) != 1:
        raise DomainError("handler", REQUIRED_MESSAGES["handler"](), field="handler")
    if user_id:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not jurisdiction.roles_of(user) or jurisdiction.is_administrator(user):
            raise DomainError("handler", _("This person cannot handle cases."), field="handler")
        return user, None, None
    if team_id:
        team = MediationOrganization.objects.filter(pk=team_id).first()
        if team is None:
            raise DomainError("handler", _("This team was not found."), field="handler")
        return None, team, None
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    if agency is None:
        raise DomainError("handler", _("This agency was not found."), field="handler")
    return None, None, agency


def _set_handler(case: Case, user: Any, team: Any, agency: Any) -> None:
    case.handler_user, case.handler_team, case.handler_agency = user, team, agency


def _handler_level(user: Any, team: Any, agency: Any) -> int:
    if user is not None and user.home_area_id:
        return Area.objects.get(pk=user.home_area_id).level
    if team is not None:
        return team.area.level
    return HandlingLevel.TOWN


def _do_accept(case: Case, ctx: Context) -> str:
    home = ctx.actor.home_area
    case.handling_level = home.level if home is not None else HandlingLevel.TOWN
    return State.ACCEPTED


def _do_reject(case: Case, ctx: Context) -> str:
    return State.REJECTED


def _do_merge(case: Case, ctx: Context) -> str:
    target_id = ctx.inputs["target_case"]
    target = (
        case_list_for_user(user=ctx.actor).filter(pk=getattr(target_id, "pk", target_id)).first()
    )
    if target is None or target.pk == case.pk:
        raise DomainError(
            "target_case", _("Choose another case that you can see."), field="target_case"
        )
    if target.state in workflow.TERMINAL_STATES:
        raise DomainError(
            "target_case",
            _("A case cannot be merged into a closed or merged case."),
            field="target_case",
        )
    case.merged_into = target
    ctx.data["merged_into"] = target.number
    _append_event(
        target,
        ctx.actor,
        "merged_from",
        target.state,
        target.state,
        ctx.now,
        note="",
        data={"case": case.number},
    )
    return State.MERGED


def _do_dispatch(case: Case, ctx: Context) -> str:
    user, team, agency = _handler_from(ctx.inputs)
    _set_handler(case, user, team, agency)
    level = ctx.inputs.get("level")
    case.handling_level = (
        int(level) if level not in (None, "") else _handler_level(user, team, agency)
    )
    ctx.data["handler"] = str(user or team or agency)
    ctx.data["level"] = case.handling_level
    return State.DISPATCHED


def _do_return(case: Case, ctx: Context) -> str:
    ctx.data["returned_by"] = str(case.handler_user or case.handler_team or case.handler_agency)
    _set_handler(case, None, None, None)
    return State.ACCEPTED


def _do_start(case: Case, ctx: Context) -> str:
    return State.IN_PROGRESS


def _do_record_milestone(case: Case, ctx: Context) -> str:
    case.milestone_met_at = ctx.now
    ctx.data["milestone"] = case.milestone
    return case.state


def _do_suspend(case: Case, ctx: Context) -> str:
    case.suspended_at = ctx.now
    return State.SUSPENDED


def _do_resume(case: Case, ctx: Context) -> str:
    days = sla.suspended_working_days(ctx.calendar, case.suspended_at, ctx.now)
    case.suspended_days += days
    case.suspended_at = None
    ctx.data["suspended_working_days"] = days
    return State.IN_PROGRESS


def _do_request_extension(case: Case, ctx: Context) -> str:
    try:
        days = int(ctx.inputs["days"])
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(
            "days",
            _("Ask for 1 to %(max)d working days.") % {"max": MAX_EXTENSION_DAYS},
            field="days",
        )
    case.extension_requested_days = days
    case.extension_request_reason = ctx.note[:200]
    ctx.data["days"] = days
    return case.state


def _do_approve_extension(case: Case, ctx: Context) -> str:
    case.extension_days += case.extension_requested_days
    ctx.data["days"] = case.extension_requested_days
    case.extension_requested_days = None
    case.extension_request_reason = ""
    return case.state


def _do_deny_extension(case: Case, ctx: Context) -> str:
    ctx.data["days"] = case.extension_requested_days
    case.extension_requested_days = None
    case.extension_request_reason = ""
    return case.state


def _do_regrade(case: Case, ctx: Context) -> str:
    grade = ctx.inputs["grade"]
    if grade not in Grade.values or grade == case.grade:
        raise DomainError(
            "grade", _("Choose a grade different from the current one."), field="grade"
        )
    ctx.data["grade"] = {"from": case.grade, "to": grade}
    old_milestone = case.milestone
    case.grade = grade
    sla.apply_tier(case, sla.sla_tier(kind=case.kind, grade=grade))
    if case.milestone != old_milestone:
        case.milestone_met_at = None
        case.on_time = None
    return case.state


def _do_escalate(case: Case, ctx: Context) -> str:
    level = case.handling_level if case.handling_level is not None else case.area.level
    ctx.data["from_level"] = level
    _set_handler(case, None, None, None)
    if level > HandlingLevel.TOWN:
        case.handling_level = level - 1
        ctx.data["to_level"] = case.handling_level
        return State.ACCEPTED
    case.handling_level = HandlingLevel.ABOVE
    ctx.data["to_level"] = HandlingLevel.ABOVE
    return State.ESCALATED


def _do_transfer(case: Case, ctx: Context) -> str:
    agency_id = ctx.inputs["agency"]
    agency = Agency.objects.filter(pk=getattr(agency_id, "pk", agency_id), is_active=True).first()
    if agency is None:
        raise DomainError("agency", _("This agency was not found."), field="agency")
    if case.suspended_at is not None:
        case.suspended_days += sla.suspended_working_days(ctx.calendar, case.suspended_at, ctx.now)
        case.suspended_at = None
    _set_handler(case, None, None, agency)
    ctx.data["agency"] = agency.name
    return State.TRANSFERRED


def _do_resolve(case: Case, ctx: Context) -> str:
    outcome = ctx.inputs["outcome"]
    if outcome not in Outcome.values:
        raise DomainError("outcome", REQUIRED_MESSAGES["outcome"](), field="outcome")
    case.outcome = outcome
    case.resolved_at = ctx.now
    case.resolved_level = case.handling_level
    if case.milestone_met_at is None:
        case.milestone_met_at = ctx.now
    ctx.data["outcome"] = outcome
    return State.RESOLVED


def _do_close(case: Case, ctx: Context) -> str:
    case.closed_at = ctx.now
    return State.CLOSED


def _do_reopen(case: Case, ctx: Context) -> str:
    ctx.data["previous_outcome"] = case.outcome
    case.outcome = ""
    case.resolved_at = None
    case.resolved_level = None
    case.closed_at = None
    # A reopened matter gets a fresh deadline of its tier, counted from the reopening.
    case.clock_start = ctx.now
    case.extension_days = 0
    case.suspended_days = 0
    case.milestone_met_at = None
    case.on_time = None
    return State.IN_PROGRESS


def _do_attach(case: Case, ctx: Context) -> str:
    files = list(ctx.inputs["files"])
    uploads_validate(files)
    ctx.data["files"] = uploads_store(
        CaseAttachment, files, actor=ctx.actor, now=ctx.now, case=case
    )
    return case.state


def _to(state: str):
    def effect(case: Case, ctx: Context) -> str:
        return state

    return effect


EFFECTS = {
    "accept": _do_accept,
    "reject": _do_reject,
    "merge": _do_merge,
    "dispatch": _do_dispatch,
    "reassign": _do_dispatch,
    "acknowledge": _to(State.ACKNOWLEDGED),
    "return": _do_return,
    "start": _do_start,
    "record_milestone": _do_record_milestone,
    "suspend": _do_suspend,
    "resume": _do_resume,
    "request_extension": _do_request_extension,
    "approve_extension": _do_approve_extension,
    "deny_extension": _do_deny_extension,
    "regrade": _do_regrade,
    "escalate": _do_escalate,
    "transfer": _do_transfer,
    "resolve": _do_resolve,
    "close": _do_close,
    "close_early": _do_close,
    "reopen": _do_reopen,
    "attach": _do_attach,
}


def _append_event(
    case: Case,
    actor: Any,
    action: str,
    from_state: str,
    to_state: str,
    now: dt.datetime,
    *,
    note: str,
    data: dict[str, Any],
) -> CaseEvent:
    last = case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    return CaseEvent.objects.create(
        case=case,
        sequence=last + 1,
        at=now,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


CHANGED_FIELDS = [
    "state",
    "is_open",
    "version",
    "updated_at",
    "grade",
    "handling_level",
    "handler_user",
    "handler_team",
    "handler_agency",
    "merged_into",
    "outcome",
    "resolved_at",
    "resolved_level",
    "closed_at",
    *sla.DEADLINE_FIELDS,
]


class ActionRefused(DomainError):
    """The table does not allow this actor this action now. The refusal is audited after
    the transaction that discovered it has rolled back (see `case_act`)."""

    def __init__(self, message: str, *, audit: dict[str, Any]) -> None:
        super().__init__("not_allowed", message)
        self.audit = audit

    def write_audit(self) -> None:
        audit_record(**self.audit)


def audits_refusals(func: Callable[..., T]) -> Callable[..., T]:
    """Around a service that runs in a transaction of its own: an `ActionRefused` raised
    in it has its audit row written again once the transaction has rolled back."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return func(*args, **kwargs)
        except ActionRefused as refused:
            refused.write_audit()
            raise

    return wrapper


def case_act(
    *,
    actor: Any,
    case_id: int,
    action: str,
    expected_version: int | None,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
    **inputs: Any,
) -> Case:
    """Perform one lifecycle action. Raises DomainError (refused), CaseConflict (stale
    version) or Http404 (the case is not in the actor's jurisdiction).

    Scope is checked before the transaction opens, and a refusal is audited after it has
    rolled back, so neither audit row is lost with the refused change. A caller that wraps
    this in a transaction of its own calls `ActionRefused.write_audit()` again after its own
    rollback.
    """
    if action not in workflow.ACTIONS:
        raise DomainError("unknown_action", _("Unknown action: %(action)s") % {"action": action})
    # Scope first: a case outside the jurisdiction does not exist for this actor.
    jurisdiction.get_in_scope(actor, case_list_for_user(user=actor), case_id)
    try:
        return _case_act_locked(
            actor=actor,
            case_id=case_id,
            action=action,
            expected_version=expected_version,
            now=now,
            calendar=calendar,
            inputs=inputs,
        )
    except ActionRefused as refused:
        refused.write_audit()
        raise


@transaction.atomic
def _case_act_locked(
    *,
    actor: Any,
    case_id: int,
    action: str,
    expected_version: int | None,
    now: dt.datetime | None,
    calendar: WorkingCalendar | None,
    inputs: dict[str, Any],
) -> Case:
    now = now or clock.now()
    transition = workflow.ACTIONS[action]
    case = Case.objects.select_for_update().select_related("area").get(pk=case_id)
    if expected_version is None or int(expected_version) != case.version:
        raise CaseConflict(case, case.events.select_related("actor").order_by("-sequence").first())
    reason = refusal(actor, case, transition)
    if reason is not None:
        raise ActionRefused(
            reason,
            audit={
                "action": f"case.{action}",
                "actor": actor,
                "target": case,
                "outcome": "denied",
                "details": {"state": case.state},
            },
        )
    for name in transition.requires:
        _require(inputs, name, REQUIRED_MESSAGES[name]())
    ctx = Context(
        actor=actor,
        now=now,
        calendar=calendar or calendar_load(),
        inputs=inputs,
        data={},
        note=str(inputs.get("reason") or inputs.get("note") or "").strip(),
    )
    from_state = case.state
    to_state = EFFECTS[action](case, ctx)
    if transition.targets and to_state not in transition.targets:
        raise AssertionError(f"{action} led to {to_state}, outside the table")
    case.state = to_state
    case.is_open = to_state not in workflow.TERMINAL_STATES
    case.version += 1
    case.updated_at = now
    sla.recompute_deadline(case, ctx.calendar)
    case.save(update_fields=CHANGED_FIELDS)
    _append_event(case, actor, action, from_state, to_state, now, note=ctx.note, data=ctx.data)
    hooks.run_after_action(
        case=case, action=action, actor=actor, now=now, inputs=inputs, data=ctx.data
    )
    audit_record(
        action=f"case.{action}",
        actor=actor,
        target=case,
        details={"from": from_state, "to": to_state, "version": case.version},
    )
    return case


def case_record_event(
    *,
    actor: Any,
    case: Case,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """A timeline entry that does not change the case's state (a mediation session, a
    supervision order, a follow-up). Call it inside the transaction that makes the change it
    records; the case row is locked so that two entries never take the same step. Name the
    entry with `hooks.register_event_label`.
    """
    entry = {"actor": actor, "case": case, "action": action, "note": note, "data": data}
    return case_record_events([{**entry, "now": now}])[0]


def case_record_events(entries: Sequence[dict[str, Any]]) -> list[CaseEvent]:
    """`case_record_event` for many entries (each takes its keyword arguments), in order.

    Three statements whatever the batch: the cases are locked in one query (in id order,
    so two batches over the same cases wait for each other rather than deadlock), their
    last steps read in one, the entries inserted in one. Entries for the same case take
    consecutive steps in the order given.
    """
    if not entries:
        return []
    case_ids = sorted({entry["case"].pk for entry in entries})
    states = dict(
        Case.objects.select_for_update()
        .filter(pk__in=case_ids)
        .order_by("pk")
        .values_list("pk", "state")
    )
    missing = set(case_ids) - set(states)
    if missing:
        raise Case.DoesNotExist(f"no case {sorted(missing)}")
    last = dict(
        CaseEvent.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(last=models.Max("sequence"))
        .values_list("case_id", "last")
    )
    default_now = clock.now()
    events = []
    for entry in entries:
        case_id = entry["case"].pk
        last[case_id] = step = (last.get(case_id) or 0) + 1
        state = states[case_id]
        events.append(
            CaseEvent(
                case=entry["case"],
                sequence=step,
                at=entry.get("now") or default_now,
                actor=entry.get("actor"),
                action=entry["action"],
                from_state=state,
                to_state=state,
                note=entry.get("note") or "",
                data=entry.get("data") or {},
            )
        )
    insert_rows(CaseEvent, events)
    return events


def case_recompute_deadlines(*, actor: Any = None, calendar: WorkingCalendar | None = None) -> int:
    """Recompute the open cases whose deadline is provisional, e.g. after the system admin
    enters a new year's holidays. Each changed case gets a timeline entry and a new version.
    """
    calendar = calendar or calendar_load()
    now = clock.now()
    changed = 0
    ids = list(Case.objects.filter(is_open=True, due_provisional=True).values_list("id", flat=True))
    for case_id in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.due_at, case.due_provisional)
            sla.recompute_deadline(case, calendar)
            if (case.due_at, case.due_provisional) == before:
                continue
            case.version += 1
            case.updated_at = now
            case.save(
                update_fields=["due_at", "due_provisional", "on_time", "version", "updated_at"]
            )
            _append_event(
                case,
                actor,
                "deadline_recomputed",
                case.state,
                case.state,
                now,
                note="",
                data={
                    "from": before[0].isoformat(),
                    "to": case.due_at.isoformat(),
                    "provisional": case.due_provisional,
                },
            )
            changed += 1
    if changed:
        audit_record(action="case.deadlines_recomputed", actor=actor, details={"cases": changed})
    return changed
