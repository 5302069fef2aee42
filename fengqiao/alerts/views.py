"""The alert board and its actions. Thin: validate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.alerts import selectors, services, workflow
from fengqiao.alerts.forms import AlertActForm, BoardFilterForm, FlagCaseForm
from fengqiao.alerts.models import Alert
from fengqiao.alerts.selectors import ALERT_CAPABILITY, BoardFilter, alert_get_for_user
from fengqiao.core.errors import DomainError, NotAllowed


def _moves(user: Any, alert: Any) -> list[tuple[str, Any, Any]]:
    """The moves the user may take, each with the prompt of the note it needs (if any)."""
    return [
        (move.action, move, workflow.NOTE_PROMPTS.get(move.action) if move.requires else None)
        for move in services.actions_for(user, alert)
    ]


@require_GET
def alert_board(request: HttpRequest) -> HttpResponse:
    jurisdiction.require(request.user, ALERT_CAPABILITY, what="alert.list")
    form = BoardFilterForm(request.GET or None)
    filters = BoardFilter()
    if form.is_valid():
        filters = BoardFilter(
            status=form.cleaned_data["status"] or "active",
            severity=form.cleaned_data["severity"],
            rule=form.cleaned_data["rule"],
        )
    page = Paginator(selectors.alert_board(user=request.user, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    for alert in page:
        alert.available_actions = _moves(request.user, alert)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/board.html",
        {
            "page": page,
            "form": form if form.is_bound else BoardFilterForm(initial={"status": "active"}),
            "query": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, alert_get_for_user(user=request.user, pk=pk))


def _render_detail(request: HttpRequest, alert: Alert, *, status: int = 200) -> HttpResponse:
    alert.available_actions = _moves(request.user, alert)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "trail": jurisdiction.area_trail(request.user, alert.area),
            "here": request.get_full_path(),
        },
        status=status,
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = alert_get_for_user(user=request.user, pk=pk)
    transition = workflow.ALERT_LIFECYCLE.actions.get(action)
    if transition is None or action == "flag":
        raise Http404
    form = AlertActForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.alert_act(actor=request.user, alert_id=alert.pk, action=action, note=note)
    except DomainError as error:
        # Nothing was saved; the alert is shown again with the reason.
        messages.error(request, error.message)
        return _render_detail(request, alert, status=error.status)
    messages.success(
        request, _("Done: %(action)s — %(title)s") % {"action": transition.label, "title": alert}
    )
    return _back(request, "/alerts/")


@require_POST
def alert_flag(request: HttpRequest) -> HttpResponse:
    form = FlagCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case needs attention."))
        return _back(request, "/alerts/")
    try:
        alert = services.alert_flag_case(
            actor=request.user,
            case_id=form.cleaned_data["case"],
            note=form.cleaned_data["note"],
            severity=form.cleaned_data["severity"] or "high",
        )
    except NotAllowed as refused:
        raise PermissionDenied from refused
    except DomainError as error:
        messages.error(request, error.message)
        return _back(request, "/alerts/")
    messages.success(request, _("The case is flagged: %(title)s") % {"title": alert})
    return _back(request, f"/alerts/{alert.pk}/")
