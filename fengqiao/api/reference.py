"""Reference lists a client needs to fill in a case: categories, areas, teams, agencies,
and the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query

from fengqiao.accounts import jurisdiction
from fengqiao.api.routing import READ_ERRORS, Router
from fengqiao.api.schemas import (
    AgencyOut,
    AreaOut,
    AreaParams,
    CategoryOut,
    DueOut,
    DueParams,
    TeamOut,
)
from fengqiao.areas.selectors import area_search
from fengqiao.cases.models import CaseCategory
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.workcal.calendar import due_after
from fengqiao.workcal.selectors import calendar_load

router = Router(tags=["reference"])


@router.get("/categories", response={200: list[CategoryOut], **READ_ERRORS})
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    active = CaseCategory.objects.filter(is_active=True)
    return list(active.values("id", "code", "name", "parent_id"))


@router.get(
    "/areas",
    response={200: list[AreaOut], **READ_ERRORS},
    summary="Areas in the user's jurisdiction",
    description="`q` matches the name or the start of the code; `parent_id` lists children.",
)
def areas(request: HttpRequest, params: Query[AreaParams]) -> list[dict[str, Any]]:
    visible = jurisdiction.areas_visible(request.auth)  # type: ignore[attr-defined]
    if params.parent_id is not None:
        visible = visible.filter(parent_id=params.parent_id)
    return [
        {
            "id": area.pk,
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "level_label": area.get_level_display(),
            "parent_id": area.parent_id,
        }
        for area in area_search(queryset=visible, text=params.q, limit=params.limit)
    ]


@router.get(
    "/teams", response={200: list[TeamOut], **READ_ERRORS}, summary="Mediation organisations"
)
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": team.pk,
            "kind": team.kind,
            "kind_label": team.get_kind_display(),
            "name": team.name,
            "area_id": team.area_id,
        }
        for team in MediationOrganization.objects.order_by("kind", "name")
    ]


@router.get("/agencies", response={200: list[AgencyOut], **READ_ERRORS}, summary="Linked agencies")
def agencies(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": agency.pk,
            "kind": agency.kind,
            "kind_label": agency.get_kind_display(),
            "name": agency.name,
        }
        for agency in Agency.objects.filter(is_active=True).order_by("kind", "name")
    ]


@router.get(
    "/calendar/due",
    response={200: DueOut, **READ_ERRORS},
    summary="The deadline N working days after an instant",
    description=(
        "The end (23:59:59 Asia/Shanghai) of the Nth working day after the Shanghai date of "
        "`start` (ISO 8601 with its offset). `provisional` is true when a year the calendar "
        "does not know yet was counted (Monday to Friday assumed)."
    ),
)
def calendar_due(request: HttpRequest, params: Query[DueParams]) -> dict[str, Any]:
    due = due_after(calendar_load(), params.start, params.working_days)
    return {"due_at": due.due_at, "provisional": due.provisional}
