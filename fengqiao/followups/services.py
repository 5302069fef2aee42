"""The only writers of follow-ups.

- `followups_schedule_for_case`: the follow-ups of a handled case, from its policy and
  its effective agreement's terms. Idempotent: called on "resolve" (a case hook) and
  again by the mediation app when an agreement takes effect later.
- `followup_record`: one visit or call. Unreachable → kept, retried the next working
  day. Reached → done; a term not performed or a dissatisfied party reopens the case
  (or reopens and escalates it, as the recorder chooses).
- `followup_apply_finding`: a leader's one click on a finding recorded by someone who may
  not reopen cases (a grid worker, a mediator): the reopening waits for it, the case
  cannot close meanwhile, and the leaders over the case's area are told.
- The case hooks: "reopen" and "close_early" cancel what remains; "close" is refused
  while anything remains (`close_refusal`).

Who is assigned a follow-up: the case's handler (a person), else the grid worker of the
case's grid (on the spot, with a phone), else a mediator of the handling team (its head
first); none when nobody fits, and anyone who sees the case may take it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Level
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import Case, State
from fengqiao.cases.services import available_actions, case_act, case_record_event
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, NotAllowed, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.followups.models import (
    AWAITING_DECISION,
    FollowUp,
    FollowUpAttempt,
    FollowUpPolicy,
    Method,
    OnFailure,
    Reason,
    Result,
    Satisfaction,
    Status,
    TermCheck,
    parse_offsets,
)
from fengqiao.followups.selectors import (
    FOLLOWUP_ROLES,
    agreement_terms,
    followup_list_for_user,
    followups_remaining,
    term_label,
)
from fengqiao.notify.services import Message, notify, notify_many
from fengqiao.orgs.models import MediationMembership
from fengqiao.workcal.calendar import WorkingCalendar, add_working_days
from fengqiao.workcal.selectors import calendar_load

# Used when no policy row applies (the seeded general row is the same).
DEFAULT_OFFSETS = (7, 30)
MAX_NOTES = 2000

EVENT_UNREACHABLE = "followup_unreachable"
EVENT_KEPT = "followup_kept"
EVENT_NOT_KEPT = "followup_not_kept"


# --------------------------------------------------------------------------- scheduling
def followup_policy_for(*, kind: str, grade: str) -> tuple[list[int], bool]:
    """(days after the result, whether each term's deadline gets a follow-up)."""
    rows = {(row.kind, row.grade): row for row in FollowUpPolicy.objects.all()}
    for key in ((kind, grade), (kind, ""), ("", "")):
        row = rows.get(key)
        if row is not None:
            try:
                return parse_offsets(row.offsets_days), row.term_deadlines
            except ValueError:
                break  # saved outside the admin's checks: fall back to the defaults
    return list(DEFAULT_OFFSETS), True


def _on_working_day(calendar: WorkingCalendar, day: dt.date) -> dt.date:
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def followup_assignee(case: Case) -> Any:
    if case.handler_user_id is not None:
        user = User.objects.filter(pk=case.handler_user_id, is_active=True).first()
        if user is not None and jurisdiction.roles_of(user) & FOLLOWUP_ROLES:
            return user
    grid = next((area for area in case.area.ancestors() if area.level == Level.GRID), None)
    if grid is not None:
        worker = (
            User.objects.filter(
                is_active=True, role_grants__role=Role.GRID_WORKER, home_area_id=grid.pk
            )
            .order_by("id")
            .first()
        )
        if worker is not None:
            return worker
    if case.handler_team_id is not None:
        membership = (
            MediationMembership.objects.filter(
                organization_id=case.handler_team_id,
                user__is_active=True,
                user__role_grants__role=Role.MEDIATOR,
            )
            .select_related("user")
            .order_by("role", "id")  # "head" before "member"
            .first()
        )
        if membership is not None:
            return membership.user
    return None


@transaction.atomic
def followups_schedule_for_case(
    *,
    case: Case,
    now: dt.datetime | None = None,
    actor: Any = None,
    calendar: WorkingCalendar | None = None,
) -> list[FollowUp]:
    """Schedule what the policy asks for a handled case; returns the follow-ups it added.

    Safe to call again (a term added later gets its follow-up, nothing is doubled): each
    follow-up is one (case, reason, days or term, planned day). A follow-up cancelled by
    an earlier reopening comes back if the case is handled again the same day.
    """
    now = now or clock.now()
    # Locked, so that two calls at once take turns and the second finds the first's rows.
    case = Case.objects.select_for_update().select_related("area").get(pk=case.pk)
    if case.state != State.RESOLVED or case.resolved_at is None:
        raise DomainError(
            "not_resolved",
            _("Follow-ups are for a handled case awaiting closure; this case is “%(state)s”.")
            % {"state": case.get_state_display()},
        )
    calendar = calendar or calendar_load()
    resolved_on = timezone.localdate(case.resolved_at)
    offsets, with_terms = followup_policy_for(kind=case.kind, grade=case.grade)
    planned: list[tuple[str, int, int | None, str, dt.date]] = [
        (
            Reason.AFTER_RESULT,
            days,
            None,
            "",
            _on_working_day(calendar, resolved_on + dt.timedelta(days=days)),
        )
        for days in offsets
    ]
    if with_terms:
        for term in agreement_terms(case):
            day = _on_working_day(calendar, max(term.due_on, resolved_on))
            planned.append((Reason.TERM_DEADLINE, 0, term.pk, term_label(term), day))
    assignee = followup_assignee(case)
    added: list[FollowUp] = []
    for reason, days, term_id, label, day in planned:
        same = FollowUp.objects.filter(case=case, scheduled_on=day)
        if term_id is None:
            same = same.filter(term_id__isnull=True, reason=reason, offset_days=days)
        else:
            same = same.filter(term_id=term_id)
        existing = same.first()
        if existing is not None:
            if (
                existing.status == Status.CANCELLED
                and existing.completed_at is not None
                and existing.completed_at <= case.resolved_at
            ):
                existing.status, existing.due_on = Status.SCHEDULED, day
                existing.completed_at = existing.completed_by = None
                existing.assignee = assignee
                existing.save(
                    update_fields=["status", "due_on", "completed_at", "completed_by", "assignee"]
                )
                added.append(existing)
            continue
        try:
            with transaction.atomic():
                added.append(
                    FollowUp.objects.create(
                        case=case,
                        reason=reason,
                        offset_days=days,
                        term_id=term_id,
                        term_label=label,
                        scheduled_on=day,
                        due_on=day,
                        assignee=assignee,
                        created_at=now,
                    )
                )
        except IntegrityError:
            continue  # scheduled meanwhile by another call
    if added:
        audit_record(
            action="followup.schedule",
            actor=actor,
            target=case,
            details={"followups": [f.pk for f in added], "due": [f"{f.due_on}" for f in added]},
        )
    return added


def _cancel_remaining(case: Case, actor: Any, now: dt.datetime, action: str) -> None:
    cancelled = list(
        FollowUp.objects.filter(case=case, status=Status.SCHEDULED).values_list("id", flat=True)
    )
    FollowUp.objects.filter(pk__in=cancelled).update(
        status=Status.CANCELLED, completed_at=now, completed_by=actor
    )
    # The leader reopened (or closed early) by other means: the finding is decided.
    FollowUp.objects.filter(AWAITING_DECISION, case=case).update(decided_at=now, decided_by=actor)
    if cancelled:
        audit_record(
            action="followup.cancel",
            actor=actor,
            target=case,
            details={"followups": cancelled, "because": action},
        )


def on_case_action(*, case: Case, action: str, actor: Any, now: dt.datetime, **kwargs: Any) -> None:
    """Registered with `cases.hooks.register_after_action`; runs inside the action."""
    if action in ("resolve", "settle_on_spot"):
        followups_schedule_for_case(case=case, now=now, actor=actor)
    elif action in ("reopen", "close_early"):
        _cancel_remaining(case, actor, now, action)


# --------------------------------------------------------------------------- closing
def close_refusal(case: Case, actor: Any) -> str | None:
    """Registered as the precondition of "close"."""
    remaining = followups_remaining(case)
    if remaining.exclude(requested_action="").exists():
        return _(
            "A follow-up found the agreement not kept; a leader must reopen the case, or "
            "close it early with a reason."
        )
    scheduled = remaining.filter(status=Status.SCHEDULED).order_by("due_on")
    count = scheduled.count()
    if not count:
        return None
    return ngettext(
        "%(n)d follow-up is still to be done (next due %(date)s).",
        "%(n)d follow-ups are still to be done (next due %(date)s).",
        count,
    ) % {"n": count, "date": formats.date_format(scheduled[0].due_on, "Y-m-d")}


def close_early_refusal(case: Case, actor: Any) -> str | None:
    """Registered as the precondition of "close_early": only while something remains."""
    if followups_remaining(case).exists():
        return None
    return _("No follow-up remains; close the case the usual way.")


# --------------------------------------------------------------------------- recording
def may_act(actor: Any, case: Case, action: str) -> bool:
    return any(t.action == action for t in available_actions(actor, case))


def _checked_terms(
    case: Case, followup: FollowUp, term_checks: Mapping[Any, Any]
) -> list[tuple[Any, bool]]:
    terms = {term.pk: term for term in agreement_terms(case)}
    checked: list[tuple[Any, bool]] = []
    for key, performed in term_checks.items():
        term_id = id_of(key)
        if term_id not in terms:
            raise DomainError(
                "term_unknown",
                _("A term checked is not an agreed term of this case; nothing was recorded."),
                field="term_checks",
            )
        if not isinstance(performed, bool):
            raise DomainError(
                "term_checks",
                _("Say for each term whether it was performed (yes or no)."),
                field="term_checks",
            )
        checked.append((terms[term_id], performed))
    if (
        followup.term_id is not None
        and followup.term_id in terms
        and followup.term_id not in {t.pk for t, _p in checked}
    ):
        raise DomainError(
            "term_missing",
            _("Say whether the term this follow-up is for was performed."),
            field="term_checks",
        )
    return checked


def _with_notes(text: str, notes: str) -> str:
    return f"{text}\n{notes}" if notes else text


def _finding(
    followup: FollowUp, method: str, satisfaction: str, not_performed: list[str], notes: str
) -> str:
    problems = [_("term not performed: %(term)s") % {"term": label} for label in not_performed]
    if satisfaction == Satisfaction.DISSATISFIED:
        problems.append(_("the party is dissatisfied"))
    text = _("Follow-up (%(method)s, %(reason)s) found: %(problems)s.") % {
        "method": Method(method).label,
        "reason": followup.reason_label,
        "problems": "; ".join(problems),
    }
    return _with_notes(text, notes)


@audits_refusals
def followup_record(
    *,
    actor: Any,
    followup: FollowUp | int,
    method: str,
    reached: bool,
    satisfaction: str = "",
    term_checks: Mapping[Any, Any] | None = None,
    notes: str = "",
    on_failure: str = OnFailure.REOPEN,
    now: dt.datetime | None = None,
) -> FollowUpAttempt:
    """Record one attempt. Raises DomainError (nothing saved) or Http404 (out of scope)."""
    followup_id = getattr(followup, "pk", followup)
    # Scope first: a follow-up of a case outside the jurisdiction does not exist.
    jurisdiction.get_in_scope(actor, followup_list_for_user(user=actor), followup_id)
    return _record_locked(
        actor=actor,
        followup_id=followup_id,
        method=method,
        reached=reached,
        satisfaction=satisfaction or "",
        term_checks=term_checks or {},
        notes=(notes or "").strip(),
        on_failure=on_failure or OnFailure.REOPEN,
        now=now or clock.now(),
    )


def _refusal_audit(actor: Any, action: str, followup: FollowUp) -> dict[str, Any]:
    return {
        "action": f"followup.{action}",
        "actor": actor,
        "target": followup,
        "details": {"status": followup.status},
    }


@transaction.atomic
def _record_locked(
    *,
    actor: Any,
    followup_id: int,
    method: str,
    reached: bool,
    satisfaction: str,
    term_checks: Mapping[Any, Any],
    notes: str,
    on_failure: str,
    now: dt.datetime,
) -> FollowUpAttempt:
    followup = FollowUp.objects.select_for_update().get(pk=followup_id)
    case = Case.objects.select_for_update().select_related("area").get(pk=followup.case_id)
    if followup.status != Status.SCHEDULED:
        raise WrongState(
            _("This follow-up is already “%(status)s”; nothing was recorded.")
            % {"status": followup.get_status_display()},
            audit=_refusal_audit(actor, "record", followup),
            code="followup_finished",
        )
    if case.state != State.RESOLVED:
        raise WrongState(
            _("The case is “%(state)s”, not awaiting follow-up; nothing was recorded.")
            % {"state": case.get_state_display()},
            audit=_refusal_audit(actor, "record", followup),
            code="not_resolved",
        )
    if method not in Method.values:
        raise DomainError(
            "method",
            _("Choose how the party was followed up: phone call, home visit or on site."),
            field="method",
        )
    if on_failure not in OnFailure.values:
        raise DomainError(
            "on_failure", _("Choose whether to reopen or to escalate."), field="on_failure"
        )
    if len(notes) > MAX_NOTES:
        raise DomainError(
            "notes", _("Notes are limited to %(n)d characters.") % {"n": MAX_NOTES}, field="notes"
        )
    if not isinstance(reached, bool):
        raise DomainError("reached", _("Say whether the party was reached."), field="reached")
    if not reached:
        if satisfaction:
            raise DomainError(
                "satisfaction",
                _("A party who was not reached gives no satisfaction."),
                field="satisfaction",
            )
        if term_checks:
            raise DomainError(
                "term_checks",
                _("Terms cannot be confirmed when the party was not reached."),
                field="term_checks",
            )
        checked: list[tuple[Any, bool]] = []
    else:
        if satisfaction not in Satisfaction.values:
            raise DomainError(
                "satisfaction",
                _(
                    "Choose the party's satisfaction: satisfied, basically satisfied or "
                    "dissatisfied."
                ),
                field="satisfaction",
            )
        checked = _checked_terms(case, followup, term_checks)

    attempt = FollowUpAttempt.objects.create(
        followup=followup,
        method=method,
        by=actor,
        at=now,
        reached=reached,
        satisfaction=satisfaction,
        notes=notes,
    )
    TermCheck.objects.bulk_create(
        [
            TermCheck(
                attempt=attempt, term_id=term.pk, term_label=term_label(term), performed=performed
            )
            for term, performed in checked
        ]
    )
    followup.attempts += 1
    data: dict[str, Any] = {"followup": followup.pk, "method": method}

    if not reached:
        retry_on, _provisional = add_working_days(calendar_load(), timezone.localdate(now), 1)
        followup.due_on = retry_on
        followup.save(update_fields=["attempts", "due_on"])
        data["retry_on"] = retry_on.isoformat()
        case_record_event(
            actor=actor,
            case=case,
            action=EVENT_UNREACHABLE,
            note=_with_notes(
                _("%(method)s: the party was not reached; due again on %(date)s.")
                % {"method": Method(method).label, "date": data["retry_on"]},
                notes,
            ),
            data=data,
            now=now,
        )
        audit_record(
            action="followup.attempt",
            actor=actor,
            target=followup,
            area=case.area,
            details={"reached": False, "retry_on": data["retry_on"]},
        )
        return attempt

    not_performed = [term_label(term) for term, performed in checked if not performed]
    failed = bool(not_performed) or satisfaction == Satisfaction.DISSATISFIED
    followup.status = Status.DONE
    followup.completed_at, followup.completed_by = now, actor
    followup.result = Result.NOT_KEPT if failed else Result.KEPT
    fields = ["attempts", "status", "completed_at", "completed_by", "result"]
    data.update(
        satisfaction=satisfaction,
        terms={str(term.pk): performed for term, performed in checked},
    )
    if failed:
        followup.finding = _finding(followup, method, satisfaction, not_performed, notes)
        followup.requested_action = on_failure
        fields += ["finding", "requested_action"]
        data["requested"] = on_failure
    followup.save(update_fields=fields)
    case_record_event(
        actor=actor,
        case=case,
        action=EVENT_NOT_KEPT if failed else EVENT_KEPT,
        note=followup.finding
        if failed
        else _with_notes(
            _("%(method)s: %(satisfaction)s.")
            % {"method": Method(method).label, "satisfaction": Satisfaction(satisfaction).label},
            notes,
        ),
        data=data,
        now=now,
    )
    audit_record(
        action="followup.attempt",
        actor=actor,
        target=followup,
        area=case.area,
        details={"reached": True, "satisfaction": satisfaction, "result": followup.result},
    )
    if failed:
        if may_act(actor, case, "reopen"):
            _carry_out(actor, followup, case, now)
        else:
            _ask_leaders(followup, case)
    return attempt


def _carry_out(actor: Any, followup: FollowUp, case: Case, now: dt.datetime) -> Case:
    """Reopen (and escalate, if asked) with the finding as the reason, in this transaction."""
    followup.decided_at, followup.decided_by = now, actor
    followup.save(update_fields=["decided_at", "decided_by"])
    case.refresh_from_db()
    case = case_act(
        actor=actor,
        case_id=case.pk,
        action="reopen",
        expected_version=case.version,
        now=now,
        reason=followup.finding,
    )
    if followup.requested_action == OnFailure.ESCALATE:
        case = case_act(
            actor=actor,
            case_id=case.pk,
            action="escalate",
            expected_version=case.version,
            now=now,
            reason=followup.finding,
        )
    return case


def _leaders_over(case: Case) -> list[Any]:
    leaders = jurisdiction.Overseers.of(Role.LEADER).over(case.area_path)
    return list(User.objects.filter(pk__in=leaders).order_by("id"))


def _ask_leaders(followup: FollowUp, case: Case) -> None:
    leaders = _leaders_over(case)
    if not leaders:
        return
    label = OnFailure(followup.requested_action).label
    notify(
        recipients=leaders,
        kind="system",
        title=_("Follow-up found the agreement not kept: %(number)s %(title)s")
        % {"number": case.number, "title": case.title},
        body="\n".join(
            [
                followup.finding,
                _("Requested: %(action)s. A centre leader decides.") % {"action": label},
            ]
        ),
        link=reverse("followup_detail", args=[followup.pk]),
        case=case,
        dedupe_key=f"followup-decision:{followup.pk}",
    )


@audits_refusals
def followup_apply_finding(
    *, actor: Any, followup: FollowUp | int, now: dt.datetime | None = None
) -> Case:
    """A leader carries out what a follow-up asked for (reopen, or reopen and escalate)."""
    followup_id = getattr(followup, "pk", followup)
    jurisdiction.get_in_scope(actor, followup_list_for_user(user=actor), followup_id)
    return _apply_locked(actor=actor, followup_id=followup_id, now=now or clock.now())


@transaction.atomic
def _apply_locked(*, actor: Any, followup_id: int, now: dt.datetime) -> Case:
    followup = FollowUp.objects.select_for_update().get(pk=followup_id)
    if not followup.awaits_decision:
        raise WrongState(
            _("This follow-up awaits no decision."),
            audit=_refusal_audit(actor, "decide", followup),
            code="no_decision",
        )
    case = Case.objects.select_related("area").get(pk=followup.case_id)
    if not may_act(actor, case, "reopen"):
        raise NotAllowed(
            _("Only a centre leader or a dispatcher can reopen this case."),
            audit=_refusal_audit(actor, "decide", followup),
        )
    case = _carry_out(actor, followup, case, now)
    audit_record(
        action="followup.decide",
        actor=actor,
        target=followup,
        area=case.area,
        details={"action": followup.requested_action},
    )
    return case


# --------------------------------------------------------------------------- reminders
def followups_remind(*, now: dt.datetime | None = None) -> int:
    """Tell each assignee of a follow-up due today or overdue, once per follow-up per day.

    Registered with the daily follow-up pass of the job runner; safe to run again.
    """
    now = now or clock.now()
    today = timezone.localdate(now)
    due = FollowUp.objects.filter(
        status=Status.SCHEDULED, due_on__lte=today, assignee__is_active=True
    ).select_related("case")
    messages = []
    for followup in due.order_by("due_on", "id"):
        case = followup.case
        if followup.due_on == today:
            title = _("Follow-up due today: %(number)s %(title)s")
        else:
            title = _("Follow-up overdue: %(number)s %(title)s")
        messages.append(
            Message(
                recipients=[followup.assignee_id],
                kind="system",
                title=title % {"number": case.number, "title": case.title},
                body=followup.reason_label,
                link=reverse("followup_detail", args=[followup.pk]),
                case=case,
                dedupe_key=f"followup:{followup.pk}:{today.isoformat()}",
            )
        )
    return len(notify_many(messages, now=now))
