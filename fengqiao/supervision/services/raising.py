"""Raising supervision orders.

- `supervision_raise`: a centre leader raises an order on an open case in their view;
- `supervision_raise_for_overdue`: the deadline sweep's hook, an order for each case of a
  chunk that has just become overdue, once per case and deadline (a partial unique index
  keeps it to one, whatever runs twice).

The order's texts, its timeline entry, audit row and notifications are written in the
transaction that creates it; the notification app sends e-mail and SMS after the commit.
Orders the system raises have no person behind them: no actor on their timeline entry and
audit row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.cases.services import case_record_events
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.core.sql import insert_rows
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import Message, notify_many
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.supervision import workflow
from fengqiao.supervision.models import (
    Origin,
    SupervisionLevel,
    SupervisionOrder,
    TargetKind,
)
from fengqiao.supervision.services.common import (
    GENERAL_LEVEL,
    MAX_TEXT,
    clean_text,
    default_matter,
    due_text,
    level_by_code,
    lowest_level,
    next_numbers,
    order_link,
    refusal_audit,
    reply_due,
    target_user_ids,
    target_user_ids_many,
    tell,
    timeline,
    timeline_data,
)
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

logger = logging.getLogger(__name__)


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


@audits_refusals
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
    refused = workflow.refusal(
        actor, None, "raise", audit=refusal_audit(actor, "raise", case_id=case_id)
    )
    if refused is not None:
        raise refused
    case = case_get_for_user(user=actor, pk=case_id)
    if not case.is_open:
        raise WrongState(
            _("This case is no longer open; there is nothing to supervise."),
            audit=refusal_audit(actor, "raise", case_id=case.pk),
            code="case_closed",
        )
    instruction = clean_text(
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
    due_at, provisional = reply_due(level, now, calendar)
    order = SupervisionOrder.objects.create(
        number=next_numbers(now, 1)[0],
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
    timeline(issued_by, order, "supervision_raised", now, note=instruction)
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
        tell(
            target_user_ids(order),
            order,
            title=_("Supervision order %(number)s: %(case)s %(title)s")
            % {"number": order.number, "case": case.number, "title": case.title},
            body=_("%(level)s. Reply by %(due)s. %(instruction)s")
            % {"level": level.name, "due": due_text(order), "instruction": instruction},
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
    due_at, provisional = reply_due(level, now, calendar_load())
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
            for order, number in zip(orders, next_numbers(now, len(orders)), strict=True):
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
                "data": timeline_data(order),
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
                    "due": due_text(order),
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
