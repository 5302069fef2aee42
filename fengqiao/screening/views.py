"""Screening pages. Thin: validate, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.screening import selectors, services, workflow
from fengqiao.screening.exports import round_workbook
from fengqiao.screening.forms import CloseRoundForm, FindingForm, OpenRoundForm, ZeroReportForm
from fengqiao.screening.models import (
    ReportState,
    ScreeningFinding,
    ScreeningReport,
    ScreeningRound,
)
from fengqiao.ui.downloads import download_response
from fengqiao.ui.forms import apply_domain_error

FINDING_FIELDS = ("kind", "category", "text", "area", "grade", "handled_on_spot", "handled_note")


def _require_screening(request: HttpRequest, what: str) -> None:
    jurisdiction.require(request.user, selectors.SCREENING_CAPABILITY, what=what)


def _tell_filed(request: HttpRequest, report: ScreeningReport, done: str) -> None:
    """Say the report was filed, and whether it counts as late."""
    messages.success(request, done)
    if report.after_close:
        messages.warning(
            request, _("The round was already closed: your report is accepted and marked late.")
        )
    elif report.late:
        messages.warning(
            request, _("The deadline had passed: your report is accepted and marked late.")
        )


# --------------------------------------------------------------------------- rounds
@require_GET
def screening_list(request: HttpRequest) -> HttpResponse:
    _require_screening(request, "screening.list")
    user = request.user
    now = clock.now()
    page = Paginator(selectors.round_list(user=user), 20).get_page(request.GET.get("page"))
    rounds = list(page)
    figures = selectors.round_list_figures(user=user, rounds=rounds)
    for screening_round in rounds:
        screening_round.figures = figures.get(screening_round.pk, {})
        screening_round.overdue = screening_round.is_open and screening_round.due_at < now
    return render(
        request,
        "screening/list.html",
        {
            "page": page,
            "rounds": rounds,
            "due": selectors.reports_due_for(user, now=now),
            "may_open": workflow.may_open_rounds(user),
            "may_see_late": selectors.may_see_late_list(user),
            "late_count": selectors.late_count(user=user, now=now),
        },
    )


@require_http_methods(["GET", "POST"])
def screening_open(request: HttpRequest) -> HttpResponse:
    _require_screening(request, "screening.open")
    if not workflow.may_open_rounds(request.user):
        jurisdiction.deny(request.user, what="screening.open")
    form = OpenRoundForm(request.POST or None, actor=request.user)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            screening_round = services.screening_round_open(
                actor=request.user,
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                due_on=data["due_on"],
                title=data["title"],
                areas=data["areas"],
            )
        except DomainError as error:
            apply_domain_error(form, error, {"period": "period_start"})
            status = error.status
        else:
            messages.success(
                request,
                _("Round opened: %(title)s (%(number)s)")
                % {"title": screening_round.title, "number": screening_round.number},
            )
            return redirect("screening_round", pk=screening_round.pk)
    return render(request, "screening/open.html", {"form": form}, status=status)


def _render_round(
    request: HttpRequest,
    screening_round: ScreeningRound,
    *,
    close_form: CloseRoundForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = clock.now()
    rollup = selectors.round_rollup(user=user, screening_round=screening_round, now=now)
    own = selectors.reporting_area(user)
    if own is not None and not selectors.round_covers(screening_round, own):
        own = None
    return render(
        request,
        "screening/round.html",
        {
            "round": screening_round,
            "rollup": rollup,
            "totals": rollup.totals,
            "past_due": screening_round.due_at < now,
            "own_area": own,
            "own_report": selectors.report_of(screening_round, own) if own else None,
            "may_close": any(
                move.action == "close" for move in workflow.round_moves(user, screening_round)
            ),
            "may_report_on_behalf": bool(jurisdiction.roles_of(user) & selectors.ON_BEHALF_ROLES),
            "may_export": jurisdiction.can(user, Capability.EXPORT_CASES),
            "close_form": close_form or CloseRoundForm(),
            "areas": screening_round.areas.order_by("path"),
        },
        status=status,
    )


@require_GET
def screening_round(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request, "screening.round")
    return _render_round(request, selectors.round_get_for_user(user=request.user, pk=pk))


@require_POST
def screening_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request, "screening.close")
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        return _render_round(request, screening_round, close_form=form, status=400)
    try:
        services.screening_round_close(
            actor=request.user, round_id=screening_round.pk, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        messages.error(request, error.message)
        screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
        return _render_round(request, screening_round, close_form=form, status=error.status)
    messages.success(request, _("Round closed: %(title)s") % {"title": screening_round.title})
    return redirect("screening_round", pk=screening_round.pk)


@require_GET
def screening_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require_screening(request, "screening.export")
    jurisdiction.require(request.user, Capability.EXPORT_CASES, what="screening.export")
    now = clock.now()
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    content = round_workbook(user=request.user, screening_round=screening_round, now=now)
    audit_record(
        action="screening.export",
        actor=request.user,
        target=screening_round,
        details={"round": screening_round.number},
    )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return download_response(content, filename=f"{screening_round.title}-{stamp}.xlsx")


@require_GET
def screening_late(request: HttpRequest) -> HttpResponse:
    _require_screening(request, "screening.late")
    if not selectors.may_see_late_list(request.user):
        jurisdiction.deny(request.user, what="screening.late")
    now = clock.now()
    rows = selectors.late_reporters(user=request.user, now=now)
    return render(
        request,
        "screening/late.html",
        {
            "missing": [row for row in rows if not row.filed],
            "late": [row for row in rows if row.filed],
            "now": now,
        },
    )


# --------------------------------------------------------------------------- reports
@require_GET
def screening_report(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Report for my area": the user's own area's page, or the round to choose one."""
    _require_screening(request, "screening.report")
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    own = selectors.reporting_area(request.user)
    if own is not None and selectors.round_covers(screening_round, own):
        return redirect("screening_area", pk=screening_round.pk, area_id=own.pk)
    messages.info(request, _("Choose an area below to report for it."))
    return redirect(reverse("screening_round", args=[screening_round.pk]) + "#tree")


# The service names a finding's fields as the first of a list.
FINDING_ALIASES = {f"findings.0.{name}": name for name in FINDING_FIELDS}


def _render_area(
    request: HttpRequest,
    screening_round: ScreeningRound,
    area: Any,
    *,
    finding_form: FindingForm | None = None,
    zero_form: ZeroReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = clock.now()
    report = selectors.report_of(screening_round, area)
    state = report.state if report is not None else ReportState.PENDING
    moves = {
        move.action
        for move in workflow.report_moves(user, state, area, round_open=screening_round.is_open)
    }
    return render(
        request,
        "screening/area.html",
        {
            "round": screening_round,
            "area": area,
            "report": report,
            "status": selectors.report_status(report, screening_round, now)
            if report is not None
            else selectors.STATUS_PENDING,
            "findings": list(selectors.report_findings(report)) if report is not None else [],
            "reporters": selectors.area_reporters([area.pk]).get(area.pk, []),
            "on_behalf": not selectors.is_area_reporter(user, area),
            "may_zero": "report_nothing" in moves,
            "may_find": bool(moves & {"report_findings", "add_findings"}),
            "past_due": screening_round.due_at < now,
            "zero_form": zero_form or ZeroReportForm(),
            "finding_form": finding_form or FindingForm(actor=user, area=area),
        },
        status=status,
    )


@require_GET
def screening_area(request: HttpRequest, pk: int, area_id: int) -> HttpResponse:
    _require_screening(request, "screening.area")
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    area = selectors.report_area_for_user(
        user=request.user, screening_round=screening_round, area_id=area_id
    )
    return _render_area(request, screening_round, area)


@require_POST
def screening_nothing(request: HttpRequest, pk: int, area_id: int) -> HttpResponse:
    _require_screening(request, "screening.report_nothing")
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    area = selectors.report_area_for_user(
        user=request.user, screening_round=screening_round, area_id=area_id
    )
    form = ZeroReportForm(request.POST)
    if not form.is_valid():
        return _render_area(request, screening_round, area, zero_form=form, status=400)
    try:
        report = services.screening_report_nothing(
            actor=request.user,
            round_id=screening_round.pk,
            area_id=area.pk,
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _render_area(request, screening_round, area, zero_form=form, status=error.status)
    _tell_filed(request, report, _("Zero report filed."))
    return redirect("screening_area", pk=screening_round.pk, area_id=area.pk)


@require_POST
def screening_findings(request: HttpRequest, pk: int, area_id: int) -> HttpResponse:
    _require_screening(request, "screening.report_findings")
    screening_round = selectors.round_get_for_user(user=request.user, pk=pk)
    area = selectors.report_area_for_user(
        user=request.user, screening_round=screening_round, area_id=area_id
    )
    form = FindingForm(request.POST, actor=request.user, area=area)
    if not form.is_valid():
        return _render_area(request, screening_round, area, finding_form=form, status=400)
    before = selectors.report_of(screening_round, area)
    try:
        report = services.screening_report_findings(
            actor=request.user,
            round_id=screening_round.pk,
            area_id=area.pk,
            findings=[form.finding()],
        )
    except DomainError as error:
        if error.status == DomainError.status:
            apply_domain_error(form, error, FINDING_ALIASES)
        else:
            messages.error(request, error.message)
        return _render_area(request, screening_round, area, finding_form=form, status=error.status)
    if before is not None and before.is_filed:
        messages.success(request, _("Finding added to the report."))
    else:
        _tell_filed(request, report, _("Findings reported."))
    return redirect("screening_area", pk=screening_round.pk, area_id=area.pk)


def case_panel_context(request: HttpRequest, case: Any) -> dict[str, Any] | None:
    """The case page's screening section: the round and report that found the case."""
    finding = (
        ScreeningFinding.objects.filter(case=case)
        .select_related("report", "report__round", "report__area")
        .first()
    )
    if finding is None:
        return None
    report = finding.report
    in_view = selectors.report_list_for_user(user=request.user).filter(pk=report.pk).exists()
    return {"finding": finding, "report": report, "round": report.round, "in_view": in_view}
