"""The follow-up queue, a follow-up's page with its record form, and the case panel.
Thin: validate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.cases.models import State
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.followups import selectors, services
from fengqiao.followups.forms import QueueFilterForm, RecordForm
from fengqiao.followups.models import FollowUp, Status


def _require_followup_user(request: HttpRequest, what: str) -> None:
    if not selectors.can_see_followups(request.user):
        jurisdiction.deny(request.user, what=what)


@require_GET
def followup_queue(request: HttpRequest) -> HttpResponse:
    _require_followup_user(request, "followup.list")
    form = QueueFilterForm(request.GET or None)
    filters = selectors.QueueFilter()
    if form.is_valid():
        filters = selectors.QueueFilter(
            bucket=form.cleaned_data["bucket"], mine=form.cleaned_data["mine"]
        )
    today = clock.today()
    queue = selectors.followup_queue(user=request.user, filters=filters, today=today)
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followups/queue.html",
        {
            "page": page,
            "form": form if form.is_bound else QueueFilterForm(initial={"bucket": "all"}),
            "counts": selectors.followup_counts(user=request.user, today=today),
            "today": today,
            "query": query.urlencode(),
        },
    )


def _render_detail(
    request: HttpRequest, followup: FollowUp, form: RecordForm | None = None, *, status: int = 200
) -> HttpResponse:
    terms = selectors.agreement_terms(followup.case)
    labels = {term.pk: selectors.term_label(term) for term in terms}
    if form is None:
        form = RecordForm(terms=terms, labels=labels)
    attempts = followup.attempt_rows.select_related("by").prefetch_related("term_checks")
    return render(
        request,
        "followups/detail.html",
        {
            "followup": followup,
            "case": followup.case,
            "form": form,
            "attempts": attempts,
            "can_record": followup.status == Status.SCHEDULED
            and followup.case.state == State.RESOLVED,
            "can_decide": followup.awaits_decision
            and services.may_act(request.user, followup.case, "reopen"),
            "today": clock.today(),
        },
        status=status,
    )


@require_GET
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, selectors.followup_get_for_user(user=request.user, pk=pk))


@require_POST
def followup_record(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get_for_user(user=request.user, pk=pk)
    terms = selectors.agreement_terms(followup.case)
    labels = {term.pk: selectors.term_label(term) for term in terms}
    form = RecordForm(request.POST, terms=terms, labels=labels)
    if not form.is_valid():
        return _render_detail(request, followup, form, status=400)
    try:
        attempt = services.followup_record(
            actor=request.user, followup=followup, **form.service_inputs()
        )
    except DomainError as error:
        # Nothing was saved; the form is shown again with the reason.
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            form.add_error(None, error.message)
        return _render_detail(request, followup, form, status=400)
    followup.refresh_from_db()
    if not attempt.reached:
        messages.info(
            request,
            _("Recorded: not reached. The follow-up is due again on %(date)s.")
            % {"date": f"{followup.due_on:%Y-%m-%d}"},
        )
    elif followup.awaits_decision:
        messages.warning(request, _("Recorded. The centre's leaders are asked to reopen the case."))
    else:
        messages.success(request, _("The follow-up is recorded."))
    return redirect("followup_detail", pk=followup.pk)


@require_POST
def followup_decide(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_get_for_user(user=request.user, pk=pk)
    try:
        case = services.followup_apply_finding(actor=request.user, followup=followup)
    except DomainError as error:
        messages.error(request, error.message)
        return _render_detail(request, followup, status=400)
    messages.success(
        request,
        _("Done: the case is now “%(state)s”.") % {"state": case.get_state_display()},
    )
    return redirect("case_detail", pk=case.pk)


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """The follow-ups of a case, on its page (left out when it has none)."""
    if not selectors.can_see_followups(request.user):
        return None
    followups = list(selectors.followups_of_case(case=case))
    if not followups:
        return None
    return {"followups": followups, "today": clock.today()}
