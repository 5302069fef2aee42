"""The only writers of supervision orders.

- `supervision_raise`: a centre leader raises an order on an open case in their view;
- `supervision_raise_for_overdue`: the deadline sweep's hook, an order for each case of a
  chunk that has just become overdue, once per case and deadline (a partial unique index
  keeps it to one, whatever runs twice);
- `supervision_reply`, `supervision_close`, `supervision_withdraw`: the transitions;
- `supervision_escalate_missed`: the periodic pass that moves a missed order one tier up
  with a compare-and-set UPDATE, so two passes at once escalate it once.

Each change locks the order, writes the case's timeline entry and the audit event in the
same transaction; notifications are rows written in that transaction too (the notification
app sends e-mail and SMS only after the commit).

Changes the system makes (automatic orders, escalations) have no person behind them: their
timeline entries and audit rows have no actor, and the timeline shows them as the system's.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import Outcome
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.cases.services import (
    ActionRefused,
    audits_refusals,
    case_record_event,
    case_record_events,
)
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.core.ids import id_of
from fengqiao.core.sequences import sequence_take
from fengqiao.core.sql import insert_rows
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import Message, notify, notify_many
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.orgs.selectors import unit_people
from fengqiao.supervision.models import (
    ACTIVE_STATES,
    OrderState,
    Origin,
    SupervisionLevel,
    SupervisionNumberSequence,
    SupervisionOrder,
    TargetKind,
)
from fengqiao.supervision.selectors import order_list_for_user, user_is_target
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar, due_after
from fengqiao.workcal.selectors import calendar_load

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERAL_LEVEL = "general"
MAX_TEXT = 4000

EVENT_LABELS = {
    "supervision_raised": gettext_lazy("Supervision order raised"),
    "supervision_replied": gettext_lazy("Supervision order replied"),
    "supervision_closed": gettext_lazy("Supervision order closed"),
    "supervision_withdrawn": gettext_lazy("Supervision order withdrawn"),
    "supervision_escalated": gettext_lazy("Supervision order escalated"),
    "supervision_overdue": gettext_lazy("Supervision reply missed at the top level"),
}

# The default tiers, installed by the data migration and editable in the admin.
DEFAULT_LEVELS = [
    # code, name (as staff write it), rank, reply working days, colour
    ("general", "一般", 1, 5, "#2563eb"),
    ("key", "重点", 2, 3, "#ea580c"),
    ("listed", "挂牌督办", 3, 2, "#b91c1c"),
]


def supervision_levels_install() -> None:
    """The default tiers, where no tier of that code or rank exists yet."""
    taken_codes = set(SupervisionLevel.objects.values_list("code", flat=True))
    taken_ranks = set(SupervisionLevel.objects.values_list("rank", flat=True))
    for code, name, rank, days, colour in DEFAULT_LEVELS:
        if code in taken_codes or rank in taken_ranks:
            continue
        SupervisionLevel.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "reply_working_days": days, "colour": colour},
        )


# --------------------------------------------------------------------------- helpers
def _next_number(now: dt.datetime) -> str:
    return _next_numbers(now, 1)[0]


def _next_numbers(now: dt.datetime, count: int) -> list[str]:
    year = timezone.localtime(now, CENTRE_TZ).year
    last = sequence_take(SupervisionNumberSequence, year, count)
    return [f"DB-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


def _reply_due(
    level: SupervisionLevel, now: dt.datetime, calendar: WorkingCalendar | None
) -> tuple[dt.datetime, bool]:
    due = due_after(calendar or calendar_load(), now, level.reply_working_days)
    return due.due_at, due.provisional


def _text(value: Any, *, code: str, message: str, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise DomainError(code, message, field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(
            code,
            _("Keep it under %(n)d characters.") % {"n": MAX_TEXT},
            field=field,
        )
    return text


def is_leader(user: Any) -> bool:
    return Role.LEADER in jurisdiction.roles_of(user)


def _refused(
    actor: Any,
    action: str,
    message: str,
    *,
    order: Any = None,
    case_id: Any = None,
    code: str = "not_allowed",
) -> ActionRefused:
    """A refusal whose audit row is written after the transaction has rolled back (by
    `_audit_refusals`, or by the API's idempotency wrapper around it)."""
    if order is not None:
        audit = {
            "target": order,
            "area": order.case.area,
            "details": {"state": order.state},
        }
    else:
        audit = {"target_type": "cases.case", "target_id": str(case_id or "")}
    refused = ActionRefused(
        message,
        audit={
            "action": f"supervision.{action}",
            "actor": actor,
            "outcome": Outcome.DENIED,
            **audit,
        },
    )
    refused.code = code
    return refused


def _audit_refusals(func: Callable[..., T]) -> Callable[..., T]:
    """Check the scope before the transaction opens and audit a refusal after it closed,
    so that neither audit row is lost with the refused change."""

    audited = audits_refusals(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if "order_id" in kwargs:
            # An order outside the actor's view does not exist for them (404, audited).
            actor = kwargs["actor"]
            jurisdiction.get_in_scope(actor, order_list_for_user(user=actor), kwargs["order_id"])
        return audited(*args, **kwargs)

    return wrapper


def level_by_code(code: str) -> SupervisionLevel:
    level = SupervisionLevel.objects.filter(code=str(code or "")).first()
    if level is None:
        raise DomainError("level", _("Choose a supervision level from the list."), field="level")
    return level


def lowest_level() -> SupervisionLevel:
    level = (
        SupervisionLevel.objects.filter(code=GENERAL_LEVEL).first()
        or SupervisionLevel.objects.order_by("rank").first()
    )
    if level is None:
        raise DomainError(
            "level",
            _("No supervision level is configured; ask the system administrator."),
            field="level",
        )
    return level


def order_link(order: SupervisionOrder) -> str:
    return reverse("supervision_detail", args=[order.pk])


def target_user_ids(order: SupervisionOrder) -> set[int]:
    """The active people who answer for the order: the person, the team's members, the
    agency's liaisons, or the dispatchers over the case."""
    return target_user_ids_many([order])[order.pk]


def _tell(
    recipients: Iterable[int],
    order: SupervisionOrder,
    *,
    title: str,
    body: str,
    condition: str,
    now: dt.datetime,
) -> None:
    recipients = sorted(set(recipients))
    if not recipients:
        return
    notify(
        recipients=recipients,
        kind=NotificationKind.SUPERVISION,
        title=title,
        body=body,
        link=order_link(order),
        case=order.case,
        dedupe_key=f"supervision:{order.pk}:{condition}",
        now=now,
    )


def _due_text(order: SupervisionOrder) -> str:
    return timezone.localtime(order.reply_due_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")


def _timeline(
    actor: Any, order: SupervisionOrder, action: str, now: dt.datetime, *, note: str = ""
) -> None:
    case_record_event(
        actor=actor, case=order.case, action=action, note=note, data=_timeline_data(order), now=now
    )


def _timeline_data(order: SupervisionOrder) -> dict[str, Any]:
    return {
        "order": order.pk,
        "number": order.number,
        "level": order.level.name,
        "state": order.state,
        "reply_due_at": order.reply_due_at.isoformat(),
    }


# --------------------------------------------------------------------------- raising
def _resolve_target(
    *, user: Any, team: Any, agency: Any, case: Case
) -> tuple[str, int | None, int | None, int | None]:
    """The lead unit named (checked), else the case's handler: its kind and ids."""
    given = [value for value in (user, team, agency) if value not in (None, "")]
    if len(given) > 1:
        raise DomainError(
            "target", _("Choose one lead unit: a person, a team or an agency."), field="target"
        )
    if user not in (None, ""):
        found = User.objects.filter(pk=id_of(user), is_active=True).first()
        if (
            found is None
            or not jurisdiction.roles_of(found)
            or jurisdiction.is_administrator(found)
        ):
            raise DomainError("target", _("Choose an active staff member."), field="target")
        return TargetKind.PERSON, found.pk, None, None
    if team not in (None, ""):
        found = MediationOrganization.objects.filter(pk=id_of(team)).first()
        if found is None:
            raise DomainError("target", _("Choose a mediation team from the list."), field="target")
        return TargetKind.TEAM, None, found.pk, None
    if agency not in (None, ""):
        found = Agency.objects.filter(pk=id_of(agency), is_active=True).first()
        if found is None:
            raise DomainError("target", _("Choose an agency from the list."), field="target")
        return TargetKind.AGENCY, None, None, found.pk
    return _handler_target_ids(case)


def _assisting(model: Any, ids: Iterable[Any], message: str, field: str) -> list[Any]:
    wanted = {id_of(value) for value in ids or () if value not in (None, "")}
    found = list(model.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError("assisting", message, field=field)
    return found


@_audit_refusals
def supervision_raise(
    *,
    actor: Any,
    case_id: Any,
    instruction: str,
    matter: str = "",
    level: str = GENERAL_LEVEL,
    target_user: Any = None,
    target_team: Any = None,
    target_agency: Any = None,
    assisting_teams: Iterable[Any] = (),
    assisting_agencies: Iterable[Any] = (),
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> SupervisionOrder:
    """A centre leader raises an order on an open case in their view. Without a lead unit
    the order goes to the case's handler (or, if nobody handles it, the dispatchers).

    Raises Http404 (case outside the leader's view) or DomainError (refused, bad input).
    """
    now = now or clock.now()
    if not is_leader(actor):
        raise _refused(
            actor,
            "raise",
            _("Only a centre leader can raise a supervision order."),
            case_id=case_id,
        )
    case = case_get_for_user(user=actor, pk=case_id)
    if not case.is_open:
        raise DomainError(
            "case_closed", _("This case is no longer open; there is nothing to supervise.")
        )
    instruction = _text(
        instruction,
        code="instruction",
        message=_("Write what the lead unit must do (the instruction)."),
        field="instruction",
    )
    chosen_level = level_by_code(level)
    target = _resolve_target(user=target_user, team=target_team, agency=target_agency, case=case)
    teams = _assisting(
        MediationOrganization,
        assisting_teams,
        _("Choose assisting teams from the list."),
        "assisting_teams",
    )
    agencies = _assisting(
        Agency,
        assisting_agencies,
        _("Choose assisting agencies from the list."),
        "assisting_agencies",
    )
    matter = str(matter or "").strip()[:MAX_TEXT] or default_matter(case)
    with transaction.atomic():
        order = _create(
            case=case,
            origin=Origin.LEADER,
            level=chosen_level,
            matter=matter,
            instruction=instruction,
            target=target,
            issued_by=actor,
            now=now,
            calendar=calendar,
        )
        order.assisting_teams.set(teams)
        order.assisting_agencies.set(agencies)
    return order


def default_matter(case: Case) -> str:
    return f"{case.number} {case.title}"


def _create(
    *,
    case: Case,
    origin: str,
    level: SupervisionLevel,
    matter: str,
    instruction: str,
    target: tuple[str, int | None, int | None, int | None],
    issued_by: Any,
    now: dt.datetime,
    calendar: WorkingCalendar | None,
    case_due_at: dt.datetime | None = None,
) -> SupervisionOrder:
    kind, user_id, team_id, agency_id = target
    due_at, provisional = _reply_due(level, now, calendar)
    order = SupervisionOrder.objects.create(
        number=_next_number(now),
        case=case,
        origin=origin,
        level=level,
        matter=matter,
        instruction=instruction,
        target_kind=kind,
        target_user_id=user_id,
        target_team_id=team_id,
        target_agency_id=agency_id,
        issued_by=issued_by,
        issued_at=now,
        case_due_at=case_due_at,
        reply_due_at=due_at,
        reply_due_provisional=provisional,
    )
    _timeline(issued_by, order, "supervision_raised", now, note=instruction)
    audit_record(
        action="supervision.raise",
        actor=issued_by,
        target=order,
        area=case.area,
        details={
            "case": case.pk,
            "origin": origin,
            "level": level.code,
            "target": kind,
            "reply_due_at": due_at.isoformat(),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        _tell(
            target_user_ids(order),
            order,
            title=_("Supervision order %(number)s: %(case)s %(title)s")
            % {"number": order.number, "case": case.number, "title": case.title},
            body=_("%(level)s. Reply by %(due)s. %(instruction)s")
            % {"level": level.name, "due": _due_text(order), "instruction": instruction},
            condition="raised",
            now=now,
        )
    return order


def supervision_raise_for_overdue(
    cases: Sequence[Case], *, now: dt.datetime
) -> list[SupervisionOrder]:
    """The deadline sweep's hook: for each case of the chunk that has just become overdue,
    a general-level order to the case's handler, issued by the system; the orders raised
    (a case whose current deadline has its order already gets none).

    Runs inside the sweep's transaction, as a batch: a fixed number of statements for the
    whole chunk rather than a dozen per case. The sweep's claim on each (case, deadline)
    already keeps other workers away; should the unique index still answer (an order
    raised by other means meanwhile), the batch is given back and the cases are raised
    one by one, each in a savepoint, skipping those that have one.
    """
    if not cases:
        return []
    have = set(
        SupervisionOrder.objects.filter(
            case_id__in=[case.pk for case in cases], origin=Origin.OVERDUE
        ).values_list("case_id", "case_due_at")
    )
    wanted = [case.pk for case in cases if (case.pk, case.due_at) not in have]
    if not wanted:
        return []
    # What the orders, their texts, audit rows and recipients read, and no more: building
    # thousands of full case rows costs more than the rest of the batch.
    fresh = list(
        Case.objects.select_related("area")
        .only(*_OVERDUE_CASE_FIELDS)
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    if not fresh:
        return []
    try:
        level = lowest_level()
    except DomainError:
        logger.error("No supervision level configured: no orders for overdue cases %s", wanted)
        return []
    due_at, provisional = _reply_due(level, now, calendar_load())
    with translation.override(settings.LANGUAGE_CODE):
        texts = _OverdueTexts.load()
    orders = [
        SupervisionOrder(
            case=case,
            origin=Origin.OVERDUE,
            level=level,
            matter=default_matter(case),
            instruction=texts.instruction(case),
            target_kind=kind,
            target_user_id=user_id,
            target_team_id=team_id,
            target_agency_id=agency_id,
            issued_by=None,
            issued_at=now,
            case_due_at=case.due_at,
            reply_due_at=due_at,
            reply_due_provisional=provisional,
        )
        for case in fresh
        for kind, user_id, team_id, agency_id in [_handler_target_ids(case)]
    ]
    try:
        # The numbers are taken inside the savepoint, so a refused batch gives them back.
        with transaction.atomic():
            for order, number in zip(orders, _next_numbers(now, len(orders)), strict=True):
                order.number = number
            insert_rows(SupervisionOrder, orders)
    except IntegrityError:
        return [
            order
            for case in fresh
            for order in [_raise_for_overdue_one(case, level=level, now=now)]
            if order is not None
        ]
    _record_raised(orders, texts=texts, now=now)
    return orders


_OVERDUE_CASE_FIELDS = (
    "number",
    "title",
    "due_at",
    "handler_user_id",
    "handler_team_id",
    "handler_agency_id",
    "area__path",
)


def _handler_target_ids(case: Case) -> tuple[str, int | None, int | None, int | None]:
    """The case's handler as a lead unit (the centre when nobody handles it), in ids read
    from the case row alone."""
    if case.handler_user_id:
        return TargetKind.PERSON, case.handler_user_id, None, None
    if case.handler_team_id:
        return TargetKind.TEAM, None, case.handler_team_id, None
    if case.handler_agency_id:
        return TargetKind.AGENCY, None, None, case.handler_agency_id
    return TargetKind.CENTRE, None, None, None


@dataclass(frozen=True)
class _OverdueTexts:
    """The automatic order's texts in the centre's language, translated once per batch."""

    instruction_text: str
    title: str
    body: str

    @classmethod
    def load(cls) -> _OverdueTexts:
        return cls(
            instruction_text=_(
                "The deadline of this case passed on %(due)s. Report why, what has been done "
                "and when it will be handled."
            ),
            title=_("Supervision order %(number)s: %(case)s %(title)s"),
            body=_("%(level)s. Reply by %(due)s. %(instruction)s"),
        )

    def instruction(self, case: Case) -> str:
        due = timezone.localtime(case.due_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")
        return self.instruction_text % {"due": due}


def _record_raised(
    orders: list[SupervisionOrder], *, texts: _OverdueTexts, now: dt.datetime
) -> None:
    """The timeline entries, audit rows and notifications of a batch of automatic orders,
    each kind written in one go; what `_create` writes for a single order."""
    case_record_events(
        [
            {
                "actor": None,
                "case": order.case,
                "action": "supervision_raised",
                "note": order.instruction,
                "data": _timeline_data(order),
                "now": now,
            }
            for order in orders
        ]
    )
    audit_record_many(
        [
            {
                "action": "supervision.raise",
                "actor": None,
                "target": order,
                "area": order.case.area,
                "details": {
                    "case": order.case_id,
                    "origin": order.origin,
                    "level": order.level.code,
                    "target": order.target_kind,
                    "reply_due_at": order.reply_due_at.isoformat(),
                },
            }
            for order in orders
        ]
    )
    recipients = target_user_ids_many(orders)
    notify_many(
        [
            Message(
                recipients=sorted(recipients[order.pk]),
                kind=NotificationKind.SUPERVISION,
                title=texts.title
                % {"number": order.number, "case": order.case.number, "title": order.case.title},
                body=texts.body
                % {
                    "level": order.level.name,
                    "due": _due_text(order),
                    "instruction": order.instruction,
                },
                link=order_link(order),
                case=order.case,
                dedupe_key=f"supervision:{order.pk}:raised",
            )
            for order in orders
            if recipients[order.pk]
        ],
        now=now,
    )


def target_user_ids_many(orders: list[SupervisionOrder]) -> dict[int, set[int]]:
    """`target_user_ids` of each order, in three queries for the lead units (an order
    has exactly one) and one for the dispatchers when the centre leads."""
    people = unit_people(
        (order.pk, order.target_user_id, order.target_team_id, order.target_agency_id)
        for order in orders
    )
    dispatchers = (
        jurisdiction.Overseers.of(Role.DISPATCHER)
        if any(order.target_kind == TargetKind.CENTRE for order in orders)
        else None
    )
    return {
        order.pk: (
            dispatchers.over(order.case.area_path)
            if order.target_kind == TargetKind.CENTRE and dispatchers
            else people[order.pk]
        )
        for order in orders
    }


def _raise_for_overdue_one(
    case: Case, *, level: SupervisionLevel, now: dt.datetime
) -> SupervisionOrder | None:
    """One automatic order, in a savepoint of its own; None if the case's current deadline
    has one already (the unique index answers a concurrent insert)."""
    if SupervisionOrder.objects.filter(
        case=case, origin=Origin.OVERDUE, case_due_at=case.due_at
    ).exists():
        return None
    with translation.override(settings.LANGUAGE_CODE):
        instruction = _OverdueTexts.load().instruction(case)
    try:
        with transaction.atomic():
            return _create(
                case=case,
                origin=Origin.OVERDUE,
                level=level,
                matter=default_matter(case),
                instruction=instruction,
                target=_handler_target_ids(case),
                issued_by=None,
                now=now,
                calendar=None,
                case_due_at=case.due_at,
            )
    except IntegrityError:
        return None


# --------------------------------------------------------------------------- transitions
def _locked(order_id: Any) -> SupervisionOrder:
    return (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("case", "case__area", "level")
        .get(pk=order_id)
    )


def _wrong_state(actor: Any, order: SupervisionOrder, action: str) -> ActionRefused:
    return _refused(
        actor,
        action,
        _("This order is %(state)s; it cannot be changed that way.")
        % {"state": order.get_state_display()},
        order=order,
        code="wrong_state",
    )


def may_reply(user: Any, order: SupervisionOrder) -> bool:
    return order.state == OrderState.OPEN and (is_leader(user) or user_is_target(user, order))


def may_review(user: Any, order: SupervisionOrder) -> bool:
    return is_leader(user) and order.state in ACTIVE_STATES


@_audit_refusals
@transaction.atomic
def supervision_reply(
    *, actor: Any, order_id: Any, text: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """The lead unit's reply (承办人意见): the person, a member of the team, a liaison of the
    agency, a dispatcher for the centre, or a leader. On time if it comes by the current
    reply deadline and the order was never escalated (an escalation means a missed one)."""
    now = now or clock.now()
    order = _locked(order_id)
    if order.state != OrderState.OPEN:
        raise _wrong_state(actor, order, "reply")
    if not (is_leader(actor) or user_is_target(actor, order)):
        raise _refused(
            actor,
            "reply",
            _("Only the lead unit of this order, or a centre leader, can reply to it."),
            order=order,
        )
    text = _text(text, code="reply", message=_("Write the reply."), field="text")
    order.state = OrderState.REPLIED
    order.reply_text = text
    order.replied_by = actor
    order.replied_at = now
    order.replied_on_time = order.escalation_count == 0 and now <= order.reply_due_at
    order.save(update_fields=["state", "reply_text", "replied_by", "replied_at", "replied_on_time"])
    _timeline(actor, order, "supervision_replied", now, note=text)
    audit_record(
        action="supervision.reply",
        actor=actor,
        target=order,
        area=order.case.area,
        details={"on_time": order.replied_on_time},
    )
    issuer = (
        {order.issued_by_id}
        if order.issued_by_id
        else jurisdiction.Overseers.of(Role.LEADER).over(order.case.area_path)
    )
    with translation.override(settings.LANGUAGE_CODE):
        _tell(
            issuer - {actor.pk},
            order,
            title=_("Supervision order %(number)s replied") % {"number": order.number},
            body=text,
            condition="replied",
            now=now,
        )
    return order


@_audit_refusals
@transaction.atomic
def supervision_close(
    *, actor: Any, order_id: Any, review: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """A centre leader closes a replied order with the review (督办室意见)."""
    now = now or clock.now()
    order = _locked(order_id)
    if not is_leader(actor):
        raise _refused(actor, "close", _("Only a centre leader can close an order."), order=order)
    if order.state != OrderState.REPLIED:
        raise _wrong_state(actor, order, "close")
    review = _text(
        review, code="review", message=_("Write the review of the reply."), field="review"
    )
    order.state = OrderState.CLOSED
    order.review_text = review
    order.closed_by, order.closed_at = actor, now
    order.save(update_fields=["state", "review_text", "closed_by", "closed_at"])
    _timeline(actor, order, "supervision_closed", now, note=review)
    audit_record(action="supervision.close", actor=actor, target=order, area=order.case.area)
    return order


@_audit_refusals
@transaction.atomic
def supervision_withdraw(
    *, actor: Any, order_id: Any, reason: str, now: dt.datetime | None = None
) -> SupervisionOrder:
    """A centre leader withdraws an open or replied order, saying why."""
    now = now or clock.now()
    order = _locked(order_id)
    if not is_leader(actor):
        raise _refused(
            actor, "withdraw", _("Only a centre leader can withdraw an order."), order=order
        )
    if order.state not in ACTIVE_STATES:
        raise _wrong_state(actor, order, "withdraw")
    reason = _text(
        reason,
        code="reason",
        message=_("Give the reason for withdrawing the order."),
        field="reason",
    )
    order.state = OrderState.WITHDRAWN
    order.withdraw_reason = reason
    order.closed_by, order.closed_at = actor, now
    order.save(update_fields=["state", "withdraw_reason", "closed_by", "closed_at"])
    _timeline(actor, order, "supervision_withdrawn", now, note=reason)
    audit_record(action="supervision.withdraw", actor=actor, target=order, area=order.case.area)
    return order


# --------------------------------------------------------------------------- escalation
def supervision_escalate_missed(
    *, now: dt.datetime | None = None, calendar: WorkingCalendar | None = None
) -> dict[str, int]:
    """Move each open order whose reply is missed one level up, with a new reply deadline
    from that level; at the top level, mark it overdue once. Idempotent."""
    now = now or clock.now()
    calendar = calendar or calendar_load()
    levels = list(SupervisionLevel.objects.order_by("rank"))
    next_level = {
        level.pk: (levels[index + 1] if index + 1 < len(levels) else None)
        for index, level in enumerate(levels)
    }
    result = {"escalated": 0, "overdue": 0}
    candidates = list(
        SupervisionOrder.objects.filter(
            state=OrderState.OPEN, reply_due_at__lt=now, overdue_at_top=False
        )
        .order_by("reply_due_at", "pk")
        .values_list("pk", "level_id", "reply_due_at")
    )
    for pk, level_id, due_at in candidates:
        try:
            outcome = _escalate_one(pk, level_id, due_at, next_level.get(level_id), now, calendar)
        except Exception:
            # One order failing (e.g. a target removed meanwhile) must not stop the rest.
            logger.exception("Escalating supervision order %s failed", pk)
            continue
        if outcome:
            result[outcome] += 1
    return result


@transaction.atomic
def _escalate_one(
    pk: int,
    level_id: int,
    due_at: dt.datetime,
    higher: SupervisionLevel | None,
    now: dt.datetime,
    calendar: WorkingCalendar,
) -> str | None:
    # Compare-and-set on what was read: another pass that got here first has changed the
    # level or the deadline (or the order was replied meanwhile), and this one does nothing.
    unchanged = SupervisionOrder.objects.filter(
        pk=pk, level_id=level_id, reply_due_at=due_at, state=OrderState.OPEN
    )
    if higher is not None:
        new_due, provisional = _reply_due(higher, now, calendar)
        won = unchanged.update(
            level=higher,
            reply_due_at=new_due,
            reply_due_provisional=provisional,
            escalation_count=F("escalation_count") + 1,
            escalated_at=now,
        )
        action, outcome = "supervision_escalated", "escalated"
    else:
        won = unchanged.filter(overdue_at_top=False).update(overdue_at_top=True)
        action, outcome = "supervision_overdue", "overdue"
    if not won:
        return None
    order = SupervisionOrder.objects.select_related("case", "case__area", "level").get(pk=pk)
    _timeline(None, order, action, now)
    audit_record(
        action=f"supervision.{outcome}",
        target=order,
        area=order.case.area,
        details={
            "level": order.level.code,
            "missed_due_at": due_at.isoformat(),
            "reply_due_at": order.reply_due_at.isoformat(),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        if higher is not None:
            title = _("Supervision order %(number)s escalated to %(level)s") % {
                "number": order.number,
                "level": order.level.name,
            }
            body = _("The reply was not given in time. Reply by %(due)s.") % {
                "due": _due_text(order)
            }
        else:
            title = _("Supervision order %(number)s is overdue") % {"number": order.number}
            body = _("The reply was not given in time at the highest level.")
        recipients = target_user_ids(order)
        if order.issued_by_id:
            recipients.add(order.issued_by_id)
        _tell(
            recipients,
            order,
            title=title,
            body=body,
            condition=f"{outcome}:{order.level.rank}:{order.escalation_count}",
            now=now,
        )
    return outcome
