"""The dispute figures page and its Excel export. Thin: read the filter, call the selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fengqiao.accounts import jurisdiction
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.reports.exports import figures_export_xlsx
from fengqiao.reports.forms import FigureFilterForm
from fengqiao.reports.mediation import (
    FIGURES_CAPABILITY,
    DisputeFigures,
    FigureRow,
    dispute_figures,
    dispute_figures_by,
)
from fengqiao.reports.presenting import (
    BREAKDOWN_COLUMNS,
    BREAKDOWN_LABELS,
    FIGURE_LABELS,
    HEADLINE_GROUPS,
    is_rate,
    shown,
)
from fengqiao.ui.downloads import download_response


def _count(
    request: HttpRequest,
) -> tuple[FigureFilterForm, DisputeFigures | None, list[FigureRow] | None]:
    """The form, and the figures and breakdown it asks for (None while it has errors)."""
    now = clock.now()
    form = FigureFilterForm(request.GET or None, user=request.user, today=timezone.localdate(now))
    if not form.is_valid():
        return form, None, None
    try:
        filter = form.figure_filter()
        figures = dispute_figures(user=request.user, filter=filter, now=now)
        rows = dispute_figures_by(user=request.user, filter=filter, by=form.breakdown, now=now)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return form, None, None
    return form, figures, rows


def _render(
    request: HttpRequest,
    form: FigureFilterForm,
    figures: DisputeFigures | None,
    rows: list[FigureRow] | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "figures": figures, "rows": rows}
    if figures is not None and rows is not None:
        context.update(
            groups=[
                (
                    title,
                    [(FIGURE_LABELS[name], shown(name, getattr(figures, name))) for name in names],
                )
                for title, names in HEADLINE_GROUPS
            ],
            columns=[(FIGURE_LABELS[name], is_rate(name)) for name in BREAKDOWN_COLUMNS],
            table=[
                (row.label, [shown(name, getattr(row.figures, name)) for name in BREAKDOWN_COLUMNS])
                for row in rows
            ],
            breakdown_label=BREAKDOWN_LABELS[form.breakdown],
            query=request.GET.urlencode(),
        )
    return render(request, "reports/disputes.html", context, status=status)


@require_GET
def dispute_figures_page(request: HttpRequest) -> HttpResponse:
    jurisdiction.require(request.user, FIGURES_CAPABILITY, what="report.disputes")
    form, figures, rows = _count(request)
    return _render(request, form, figures, rows)


@require_GET
def dispute_figures_export(request: HttpRequest) -> HttpResponse:
    jurisdiction.require(request.user, FIGURES_CAPABILITY, what="report.disputes.export")
    form, figures, rows = _count(request)
    if figures is None or rows is None:
        return _render(request, form, figures, rows, status=400)
    filter = form.figure_filter()
    content = figures_export_xlsx(filter=filter, figures=figures, rows=rows, by=form.breakdown)
    # Counts only, no personal data; still an export, so it is on the audit log.
    audit_record(
        action="report.export",
        actor=request.user,
        area=filter.area,
        details={
            "report": "disputes",
            "start": filter.period_start.isoformat(),
            "end": filter.period_end.isoformat(),
            "team": filter.team.pk if filter.team else None,
            "by": form.breakdown,
        },
    )
    name = f"disputes-{filter.period_start:%Y%m%d}-{filter.period_end:%Y%m%d}.xlsx"
    return download_response(content, filename=name)
