"""/reports: the dispute-resolution figures as JSON, counted by the same selectors as the
figures page (`reports.mediation`), so both answer the same numbers.

Rates are decimal fractions as strings ("0.6667"), exact as counted, or null when nothing
is counted under them. Roles that see no area's cases are refused (403); an area outside
the user's jurisdiction is a 404; a date that is not a date, or a period that ends before
it starts, is a 400 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.routing import READ_ERRORS, Router
from fengqiao.api.schemas import Input, Ref, ref
from fengqiao.core.errors import DomainError
from fengqiao.orgs.models import MediationOrganization
from fengqiao.reports.mediation import (
    FIGURES_CAPABILITY,
    FigureFilter,
    dispute_figures,
    dispute_figures_by,
)

router = Router(tags=["reports"])

# Ids beyond a database integer are refused as input, not left to fail in the query.
MAX_ID = 2_147_483_647


class FigureParams(Input):
    start: dt.date
    end: dt.date
    area: int | None = Field(
        None, ge=1, le=MAX_ID, description="An area in your jurisdiction (subtree)."
    )
    team: int | None = Field(None, ge=1, le=MAX_ID, description="The handling team.")
    by: Literal["area", "team", "month"] | None = Field(
        None, description="Also break the figures down by area, team or month."
    )


class FiguresOut(Schema):
    received: int
    accepted: int
    resolved: int
    resolution_rate: Decimal | None
    resolved_unit_grid: int
    resolved_village: int
    resolved_town_above: int
    share_unit_grid: Decimal | None
    share_village: Decimal | None
    share_town_above: Decimal | None
    agreements_made: int
    agreements_kept: int
    agreements_broken: int
    agreements_settled: int
    performance_rate: Decimal | None
    answers: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    satisfaction_rate: Decimal | None


class PeriodOut(Schema):
    start: dt.date
    end: dt.date


class FigureRowOut(Schema):
    key: int | str | None
    label: str
    figures: FiguresOut


class DisputeFiguresOut(Schema):
    period: PeriodOut
    area: Ref | None
    team: Ref | None
    figures: FiguresOut
    by: str | None
    rows: list[FigureRowOut]


@router.get(
    "/disputes",
    response={200: DisputeFiguresOut, **READ_ERRORS},
    summary="Dispute-resolution figures for a period, area and team",
)
def report_disputes(request: HttpRequest, params: Query[FigureParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    jurisdiction.require(user, FIGURES_CAPABILITY, what="report.disputes")
    area = None
    if params.area is not None:
        area = jurisdiction.get_in_scope(user, jurisdiction.areas_visible(user), params.area)
    team = None
    if params.team is not None:
        team = MediationOrganization.objects.filter(pk=params.team).first()
        if team is None:
            raise DomainError("team", _("There is no such handling team."), field="team")
    filter = FigureFilter(period_start=params.start, period_end=params.end, area=area, team=team)
    figures = dispute_figures(user=user, filter=filter)
    rows = dispute_figures_by(user=user, filter=filter, by=params.by) if params.by else []
    return {
        "period": {"start": params.start, "end": params.end},
        "area": ref(area),
        "team": ref(team),
        "figures": figures.as_dict(),
        "by": params.by,
        "rows": [
            {
                "key": row.key.isoformat() if isinstance(row.key, dt.date) else row.key,
                "label": row.label,
                "figures": row.figures.as_dict(),
            }
            for row in rows
        ],
    }
