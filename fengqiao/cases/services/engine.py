"""The action engine: `case_act` performs any action of the lifecycle table.

Each call runs in one transaction: lock the case, check the table, the actor's role and
jurisdiction and the version they saw, apply the action's effect, append the timeline
entry and the audit event, recompute the deadline. Nothing else writes a case's state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import ADMIN_ROLES
from fengqiao.audit.services import audit_record
from fengqiao.cases import hooks, sla, workflow
from fengqiao.cases.models import Case, CaseEvent, Kind
from fengqiao.cases.selectors import case_assigned_q, case_list_for_user, escalation_refusal
from fengqiao.cases.services.effects import EFFECTS, REQUIRED_MESSAGES, Context
from fengqiao.cases.services.timeline import action_label, actor_name, append_event
from fengqiao.core import clock
from fengqiao.core.errors import (
    ActionRefused,
    Conflict,
    DomainError,
    NotAllowed,
    WrongState,
    audits_refusals,
)
from fengqiao.core.lifecycle import cached
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load


class CaseConflict(Conflict):
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
        # What the API adds to the error: who changed the case, when, to which version.
        self.extra = {
            "current_version": self.current_version,
            "changed_by": self.changed_by,
            "changed_at": timezone.localtime(last.at).isoformat() if last else None,
        }


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


# --------------------------------------------------------------------------- who may
def is_assignee(user: Any, case: Case) -> bool:
    return Case.objects.filter(pk=case.pk).filter(case_assigned_q(user)).exists()


def _related(user: Any, case: Case) -> Any:
    return cached(
        {
            workflow.ASSIGNEE: lambda: is_assignee(user, case),
            workflow.REPORTER: lambda: case.reported_by_id == getattr(user, "pk", None),
        }
    )


def permission_refusal(user: Any, case: Case, action: str, related: Any = None) -> str | None:
    """Beyond the table's roles: why this actor may not take this action on this case."""
    related = related or _related(user, case)
    if action == "escalate":
        return escalation_refusal(actor=user, case=case, is_assignee=related(workflow.ASSIGNEE))
    return None


def readiness_refusal(case: Case, action: str, actor: Any) -> str | None:
    """Why the case is not ready for the action now (a wrong state in the wider sense)."""
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


def refusal(user: Any, case: Case, transition: workflow.Transition) -> ActionRefused | None:
    """Why `user` may not take `transition` on `case` now (the refusal to raise, with its
    audit row); None when they may."""
    audit = {
        "action": f"case.{transition.action}",
        "actor": user,
        "target": case,
        "details": {"state": case.state},
    }
    roles = jurisdiction.roles_of(user)
    related = _related(user, case)
    refused = workflow.CASE_LIFECYCLE.refusal(
        transition, state=case.state, roles=roles, related=related, audit=audit
    )
    if refused is not None:
        return refused
    reason = permission_refusal(user, case, transition.action, related)
    if roles & ADMIN_ROLES or reason is not None:
        message = reason or workflow.CASE_LIFECYCLE.not_allowed() % {"action": transition.label}
        return NotAllowed(message, audit=audit)
    reason = readiness_refusal(case, transition.action, user)
    return WrongState(reason, audit=audit) if reason is not None else None


def available_actions(user: Any, case: Case) -> list[workflow.Transition]:
    """Exactly the actions this user may take on this case now (for pages and the API)."""
    roles = jurisdiction.roles_of(user)
    if not roles or roles & ADMIN_ROLES:
        return []
    related = _related(user, case)
    return [
        transition
        for transition in workflow.CASE_LIFECYCLE.available(
            state=case.state, roles=roles, related=related
        )
        if permission_refusal(user, case, transition.action, related) is None
        and readiness_refusal(case, transition.action, user) is None
    ]


# --------------------------------------------------------------------------- acting
def _require(inputs: dict[str, Any], name: str) -> Any:
    value = inputs.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"missing_{name}", REQUIRED_MESSAGES[name](), field=name)
    return value.strip() if isinstance(value, str) else value


@audits_refusals
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
    """Perform one lifecycle action. Raises NotAllowed (403), WrongState or CaseConflict
    (409), DomainError (400: the inputs) or Http404 (the case is not in the actor's
    jurisdiction).

    Scope is checked before the transaction opens, and a refusal is audited after it has
    rolled back, so neither audit row is lost with the refused change. A caller that wraps
    this in a transaction of its own wraps itself in `core.errors.audits_refusals` too.
    """
    workflow.CASE_LIFECYCLE.get(action)
    # Scope first: a case outside the jurisdiction does not exist for this actor.
    jurisdiction.get_in_scope(actor, case_list_for_user(user=actor), case_id)
    return _case_act_locked(
        actor=actor,
        case_id=case_id,
        action=action,
        expected_version=expected_version,
        now=now,
        calendar=calendar,
        inputs=inputs,
    )


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
    refused = refusal(actor, case, transition)
    if refused is not None:
        raise refused
    for name in transition.requires:
        _require(inputs, name)
    ctx = Context(
        actor=actor,
        action=action,
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
    append_event(case, actor, action, from_state, to_state, now, note=ctx.note, data=ctx.data)
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
