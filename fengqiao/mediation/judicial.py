"""Judicial confirmation (司法确认) of a mediation agreement: the parties' application to a
court within 30 days of the agreement taking effect, the court's result, and the periodic
pass that warns the mediators when the window is about to close with no application.

Written like the other mediation services (one transaction, scope first, timeline, audit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, audits_refusals
from fengqiao.mediation.models import Agreement, JudicialConfirmation, JudicialResult
from fengqiao.mediation.selectors import (
    JUDICIAL_WINDOW_DAYS,
    agreements_closing_window,
    judicial_applied,
    judicial_days_left,
)
from fengqiao.mediation.services import (
    _check_day,
    _event,
    _mediation_locked,
    _not_now,
    _require_mediator,
    _text,
)
from fengqiao.orgs.models import Agency, AgencyKind


@audits_refusals
@transaction.atomic
def judicial_apply(
    *,
    actor: Any,
    agreement_id: int,
    applied_on: dt.date,
    court: Any = None,
    court_name: str = "",
    now: dt.datetime | None = None,
) -> JudicialConfirmation:
    """Record the parties' application to a court to confirm the agreement."""
    now = now or clock.now()
    agreement = Agreement.objects.filter(pk=agreement_id).only("id", "mediation_id").first()
    if agreement is None:
        from django.http import Http404

        raise Http404
    mediation, case = _mediation_locked(actor, agreement.mediation_id)
    _require_mediator(actor, case, "judicial_apply", mediation)
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    if agreement.oral:
        raise _not_now(
            actor,
            "judicial_apply",
            agreement,
            "oral",
            _("An oral agreement cannot be confirmed by a court; write it up and sign it."),
        )
    if agreement.effective_on is None:
        raise _not_now(
            actor,
            "judicial_apply",
            agreement,
            "not_effective",
            _("The agreement is not in effect yet; it needs every signature first."),
        )
    applied_on = _check_day(
        applied_on,
        field="applied_on",
        case=case,
        today=timezone.localdate(now),
        not_before=agreement.effective_on,
    )
    if applied_on > agreement.judicial_deadline:
        raise DomainError(
            "window_closed",
            _(
                "The parties could apply within %(days)d days of the agreement taking effect, "
                "that is by %(last)s; an application on %(day)s is too late."
            )
            % {
                "days": JUDICIAL_WINDOW_DAYS,
                "last": agreement.judicial_deadline.isoformat(),
                "day": applied_on.isoformat(),
            },
            field="applied_on",
        )
    if judicial_applied(agreement):
        raise _not_now(
            actor,
            "judicial_apply",
            agreement,
            "already_applied",
            _("An application for judicial confirmation is already recorded."),
        )
    court_id = getattr(court, "pk", court)
    court_row = None
    if court_id:
        court_row = Agency.objects.filter(pk=court_id, kind=AgencyKind.COURT).first()
        if court_row is None:
            raise DomainError("court", _("Choose a court from the list."), field="court")
    elif not _text(court_name):
        raise DomainError("court", _("Name the court applied to."), field="court")
    confirmation = JudicialConfirmation.objects.create(
        agreement=agreement,
        applied_on=applied_on,
        court=court_row,
        court_name="" if court_row else _text(court_name)[:100],
        recorded_by=actor,
        recorded_at=now,
    )
    _event(
        actor,
        case,
        "judicial_apply",
        now,
        agreement=agreement.number,
        court=confirmation.court_label,
        applied_on=applied_on.isoformat(),
    )
    audit_record(
        action="mediation.judicial_apply",
        actor=actor,
        target=confirmation,
        area=case.area,
        details={"agreement": agreement.pk},
    )
    return confirmation


@audits_refusals
@transaction.atomic
def judicial_result_record(
    *,
    actor: Any,
    confirmation_id: int,
    result: str,
    result_on: dt.date,
    now: dt.datetime | None = None,
) -> JudicialConfirmation:
    now = now or clock.now()
    confirmation = (
        JudicialConfirmation.objects.filter(pk=confirmation_id).select_related("agreement").first()
    )
    if confirmation is None:
        from django.http import Http404

        raise Http404
    mediation, case = _mediation_locked(actor, confirmation.agreement.mediation_id)
    _require_mediator(actor, case, "judicial_result", mediation)
    confirmation = JudicialConfirmation.objects.select_for_update().get(pk=confirmation_id)
    if confirmation.result != JudicialResult.PENDING:
        raise _not_now(
            actor,
            "judicial_result",
            confirmation,
            "decided",
            _("The court's result is already recorded."),
        )
    if result not in JudicialResult.values or result == JudicialResult.PENDING:
        raise DomainError("result", _("Choose confirmed, rejected or withdrawn."), field="result")
    result_on = _check_day(
        result_on,
        field="result_on",
        case=case,
        today=timezone.localdate(now),
        not_before=confirmation.applied_on,
    )
    confirmation.result, confirmation.result_on = result, result_on
    confirmation.save(update_fields=["result", "result_on"])
    _event(
        actor,
        case,
        "judicial_result",
        now,
        court=confirmation.court_label,
        result=result,
        result_on=result_on.isoformat(),
    )
    audit_record(
        action="mediation.judicial_result",
        actor=actor,
        target=confirmation,
        area=case.area,
        details={"result": result},
    )
    return confirmation


def judicial_window_pass(*, now: dt.datetime | None = None) -> int:
    """Tell the mediators of each agreement whose judicial-confirmation window closes within
    the warning period, with no application recorded. Once per agreement (dedupe key)."""
    from fengqiao.notify.services import notify

    now = now or clock.now()
    today = timezone.localdate(now)
    told = 0
    for agreement in agreements_closing_window(today):
        case = agreement.mediation.case
        mediators = list(agreement.mediation.mediators.filter(is_active=True))
        if not mediators:
            continue
        left = judicial_days_left(agreement, today)
        with transaction.atomic():
            told += len(
                notify(
                    recipients=mediators,
                    kind="deadline_near",
                    title=_("Judicial confirmation: %(days)d days left for %(number)s")
                    % {"days": left, "number": agreement.number},
                    body=_(
                        "The parties to agreement %(number)s (case %(case)s) may apply to a "
                        "court for judicial confirmation until %(last)s; no application is "
                        "recorded."
                    )
                    % {
                        "number": agreement.number,
                        "case": case.number,
                        "last": agreement.judicial_deadline.isoformat(),
                    },
                    link=reverse("case_detail", args=[case.pk]) + "#mediation",
                    case=case,
                    dedupe_key=f"judicial_window:{agreement.pk}",
                    now=now,
                )
            )
    return told
