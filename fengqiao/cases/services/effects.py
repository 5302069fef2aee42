"""What each action of the lifecycle does to the case, one function per action.

An effect receives the locked case and the action's `Context`, changes the case's fields
and returns the state it leads to (`engine.case_act` checks it against the table, saves,
and writes the timeline and the audit). Inputs are validated here, where their meaning is
known; who may send a case where is the rule of `cases.selectors` (`handler_*`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.areas.models import Area
from fengqiao.cases import sla, workflow
from fengqiao.cases.models import Case, CaseAttachment, Grade, HandlingLevel, Outcome, State
from fengqiao.cases.selectors import case_list_for_user, handler_eligible
from fengqiao.cases.services.timeline import append_event
from fengqiao.core.errors import DomainError, NotAllowed
from fengqiao.core.ids import id_of
from fengqiao.core.uploads import uploads_store, uploads_validate
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.workcal.calendar import WorkingCalendar

MAX_EXTENSION_DAYS = 30

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
    action: str
    now: dt.datetime
    calendar: WorkingCalendar
    inputs: dict[str, Any]
    data: dict[str, Any]
    note: str = ""

    def not_allowed(self, case: Case, message: str, **details: Any) -> NotAllowed:
        """A refusal of this step, audited (see `core.errors.ActionRefused`)."""
        return NotAllowed(
            message,
            audit={
                "action": f"case.{self.action}",
                "actor": self.actor,
                "target": case,
                "details": {"state": case.state, **details},
            },
        )


# --------------------------------------------------------------------------- handlers
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
        user = User.objects.filter(pk=id_of(user_id), is_active=True).first()
        if user is None or not jurisdiction.roles_of(user) or jurisdiction.is_administrator(user):
            raise DomainError("handler", _("This person cannot handle cases."), field="handler")
        return user, None, None
    if team_id:
        team = MediationOrganization.objects.filter(pk=id_of(team_id)).first()
        if team is None:
            raise DomainError("handler", _("This team was not found."), field="handler")
        return None, team, None
    agency = Agency.objects.filter(pk=id_of(agency_id), is_active=True).first()
    if agency is None:
        raise DomainError("handler", _("This agency was not found."), field="handler")
    return None, None, agency


def _require_eligible(
    case: Case, ctx: Context, user: Any = None, team: Any = None, agency: Any = None
) -> None:
    if not handler_eligible(
        actor=ctx.actor, case=case, action=ctx.action, user=user, team=team, agency=agency
    ):
        named = user or team or agency
        raise ctx.not_allowed(
            case,
            _(
                "You may not send this case to %(handler)s: choose one of the handlers offered "
                "for it (its own area and those above and below it, within your area)."
            )
            % {"handler": named},
            handler=f"{named._meta.model_name}:{named.pk}",
        )


def _set_handler(case: Case, user: Any, team: Any, agency: Any) -> None:
    case.handler_user, case.handler_team, case.handler_agency = user, team, agency


def _handler_level(user: Any, team: Any, agency: Any) -> int:
    if user is not None and user.home_area_id:
        return Area.objects.get(pk=user.home_area_id).level
    if team is not None:
        return team.area.level
    return HandlingLevel.TOWN


# --------------------------------------------------------------------------- effects
def _do_accept(case: Case, ctx: Context) -> str:
    home = ctx.actor.home_area
    case.handling_level = home.level if home is not None else HandlingLevel.TOWN
    return State.ACCEPTED


def _do_reject(case: Case, ctx: Context) -> str:
    return State.REJECTED


def _do_merge(case: Case, ctx: Context) -> str:
    target_id = ctx.inputs["target_case"]
    target = case_list_for_user(user=ctx.actor).filter(pk=id_of(target_id)).first()
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
    append_event(
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
    """Dispatch and reassign: send the case to a person, a team or an agency."""
    user, team, agency = _handler_from(ctx.inputs)
    _require_eligible(case, ctx, user, team, agency)
    if ctx.action == "reassign" and (user, team, agency) == (
        case.handler_user,
        case.handler_team,
        case.handler_agency,
    ):
        raise DomainError(
            "handler",
            _("%(handler)s already handles this case; choose another handler.")
            % {"handler": case.handler},
            field="handler",
        )
    _set_handler(case, user, team, agency)
    level = ctx.inputs.get("level")
    case.handling_level = (
        int(level) if level not in (None, "") else _handler_level(user, team, agency)
    )
    ctx.data["handler"] = str(user or team or agency)
    ctx.data["level"] = case.handling_level
    return State.DISPATCHED


def _do_return(case: Case, ctx: Context) -> str:
    ctx.data["returned_by"] = str(case.handler)
    _set_handler(case, None, None, None)
    return State.ACCEPTED


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
    agency = Agency.objects.filter(pk=id_of(ctx.inputs["agency"]), is_active=True).first()
    if agency is None:
        raise DomainError("agency", _("This agency was not found."), field="agency")
    _require_eligible(case, ctx, agency=agency)
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


def _do_settle_on_spot(case: Case, ctx: Context) -> str:
    """Resolved where it was found, at the level of the one who found it, who handled it."""
    home = ctx.actor.home_area
    level = home.level if home is not None else HandlingLevel.TOWN
    _set_handler(case, ctx.actor, None, None)
    case.handling_level = level
    case.outcome = Outcome.RESOLVED
    case.resolved_at = ctx.now
    case.resolved_level = level
    if case.milestone_met_at is None:
        case.milestone_met_at = ctx.now
    ctx.data["outcome"] = Outcome.RESOLVED
    ctx.data["level"] = level
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


def _to(state: str) -> Callable[[Case, Context], str]:
    def effect(case: Case, ctx: Context) -> str:
        return state

    return effect


EFFECTS: dict[str, Callable[[Case, Context], str]] = {
    "accept": _do_accept,
    "reject": _do_reject,
    "merge": _do_merge,
    "dispatch": _do_dispatch,
    "reassign": _do_dispatch,
    "acknowledge": _to(State.ACKNOWLEDGED),
    "return": _do_return,
    "start": _to(State.IN_PROGRESS),
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
    "settle_on_spot": _do_settle_on_spot,
    "close": _do_close,
    "close_early": _do_close,
    "reopen": _do_reopen,
    "attach": _do_attach,
}
