"""/screening: four-level dispute screening (四级排查) — rounds, their roll-up and summary, and
the reports of villages, grids and units. Scoped like the pages: a round or area outside the
user's jurisdiction is a 404 (audited); a role that may not act is a 403; a move the state
does not allow (a second zero report, findings added after the round closed, closing a
closed round) is a 409; bad input is a 400 with every problem listed."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from fengqiao.accounts import jurisdiction
from fengqiao.api.routing import READ_ERRORS, PageParams, Router, page_of, paginate
from fengqiao.api.schemas import PartyIn, Ref, StrictInput, ref
from fengqiao.api.types import LocalDatetime
from fengqiao.cases.models import Grade
from fengqiao.cases.services import PartyInput
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.screening import selectors, services, workflow
from fengqiao.screening.models import (
    FindingKind,
    ReportState,
    RoundKind,
    ScreeningReport,
    ScreeningRound,
)

router = Router(tags=["screening"])

TEXT = Field("", max_length=services.MAX_TEXT)


# --------------------------------------------------------------------------- schemas
class RoundFiguresOut(Schema):
    expected: int = 0
    reported: int = 0
    late: int = 0
    not_yet: int = 0


class RoundOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    period_start: dt.date
    period_end: dt.date
    due_at: LocalDatetime
    due_provisional: bool
    overdue: bool
    state: str
    state_label: str
    areas: list[Ref]
    opened_by: Ref | None = None
    opened_at: LocalDatetime
    closed_by: Ref | None = None
    closed_at: LocalDatetime | None = None
    close_note: str
    figures: RoundFiguresOut
    actions: list[str]


RoundPageOut = page_of(RoundOut, "ScreeningRoundPageOut")


class RoundParams(PageParams):
    state: Literal["", "open", "closed"] = ""


class LevelOut(Schema):
    level: int
    label: str
    expected: int
    reported: int
    on_time: int
    late: int
    not_yet: int
    overdue: int
    zero: int
    with_findings: int
    unassigned: int


class CaseStateOut(Schema):
    state: str
    label: str
    count: int


class FindingFiguresOut(Schema):
    found: int
    cases: int
    handled_on_spot: int
    resolved: int
    case_states: list[CaseStateOut]


class AreaRefOut(Schema):
    id: int
    name: str
    level: int
    parent_id: int | None = None


class ReportRowOut(Schema):
    id: int
    area: AreaRefOut
    expected: bool
    state: str
    state_label: str
    status: str
    filed_by: Ref | None = None
    filed_at: LocalDatetime | None = None
    on_behalf: bool
    late: bool
    after_close: bool
    findings: int


class RollupOut(RoundOut):
    definitions: str
    levels: list[LevelOut]
    findings: FindingFiguresOut
    reports: list[ReportRowOut]


class CategoryOut(Schema):
    category: str
    found: int
    cases: int
    handled_on_spot: int
    resolved: int


class KindOut(Schema):
    kind: str
    label: str
    count: int


class SummaryOut(Schema):
    round: RoundOut
    levels: list[LevelOut]
    totals: LevelOut
    findings: FindingFiguresOut
    by_category: list[CategoryOut]
    by_kind: list[KindOut]


class OpenIn(StrictInput):
    kind: RoundKind = RoundKind.REGULAR
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    due_on: dt.date | None = None
    title: str = Field("", max_length=200)
    area_ids: list[int] = Field(
        default_factory=list,
        max_length=50,
        description="The town or villages screened; empty: the leader's home area.",
    )


class CloseIn(StrictInput):
    note: str = TEXT


class FindingIn(StrictInput):
    kind: FindingKind | None = None
    category_id: int | None = None
    text: str = TEXT
    grade: Grade | None = None
    area_id: int | None = Field(None, description="A place under the report's area.")
    parties: list[PartyIn] = Field(
        default_factory=list,
        max_length=20,
        description="A dispute needs its applicant; with no party known, report a hazard.",
    )
    handled_on_spot: bool = False
    handled_note: str = TEXT
    case_id: int | None = Field(
        None, description="A screening case already registered that this finding is."
    )


class ReportIn(StrictInput):
    area_id: int | None = Field(None, description="Empty: the reporter's own area.")
    nothing_found: bool = Field(False, description="A zero report (零报告).")
    note: str = TEXT
    findings: list[FindingIn] = Field(default_factory=list, max_length=services.MAX_FINDINGS)


class FindingsIn(StrictInput):
    findings: list[FindingIn] = Field(min_length=1, max_length=services.MAX_FINDINGS)


class FindingOut(Schema):
    id: int
    area: Ref
    kind: str
    kind_label: str
    category: Ref
    text: str
    case: dict[str, Any] | None = None
    handled_on_spot: bool
    handled_note: str
    recorded_by: Ref
    recorded_at: LocalDatetime


class ReportOut(ReportRowOut):
    round: Ref
    note: str
    actions: list[str]
    finding_list: list[FindingOut]


class DueOut(Schema):
    round: RoundOut
    area: AreaRefOut
    overdue: bool


class LateOut(Schema):
    round: Ref
    report: ReportRowOut
    reporters: list[Ref]


# --------------------------------------------------------------------------- presenting
def _area(area: Any) -> dict[str, Any]:
    return {"id": area.pk, "name": area.name, "level": area.level, "parent_id": area.parent_id}


def round_body(
    user: Any, screening_round: ScreeningRound, *, now: dt.datetime, figures: dict | None = None
) -> dict[str, Any]:
    if figures is None:
        figures = selectors.round_list_figures(user=user, rounds=[screening_round]).get(
            screening_round.pk, {}
        )
    return {
        "id": screening_round.pk,
        "number": screening_round.number,
        "kind": screening_round.kind,
        "kind_label": screening_round.get_kind_display(),
        "title": screening_round.title,
        "period_start": screening_round.period_start,
        "period_end": screening_round.period_end,
        "due_at": screening_round.due_at,
        "due_provisional": screening_round.due_provisional,
        "overdue": screening_round.is_open and screening_round.due_at < now,
        "state": screening_round.state,
        "state_label": screening_round.get_state_display(),
        "areas": [ref(area) for area in screening_round.areas.order_by("path")],
        "opened_by": ref(screening_round.opened_by),
        "opened_at": screening_round.opened_at,
        "closed_by": ref(screening_round.closed_by),
        "closed_at": screening_round.closed_at,
        "close_note": screening_round.close_note,
        "figures": figures,
        "actions": [move.action for move in workflow.round_moves(user, screening_round)],
    }


def _level(figures: Any) -> dict[str, Any]:
    return {
        "level": figures.level,
        "label": figures.label if figures.level else _("All levels"),
        **{
            name: getattr(figures, name)
            for name in (
                "expected",
                "reported",
                "on_time",
                "late",
                "not_yet",
                "overdue",
                "zero",
                "with_findings",
                "unassigned",
            )
        },
    }


def _findings(figures: Any) -> dict[str, Any]:
    return {
        "found": figures.found,
        "cases": figures.cases,
        "handled_on_spot": figures.handled_on_spot,
        "resolved": figures.resolved,
        "case_states": [
            {"state": state, "label": label, "count": count}
            for state, label, count in figures.case_states
        ],
    }


def _report_row(
    report: ScreeningReport, screening_round: ScreeningRound, now: dt.datetime, findings: int
) -> dict[str, Any]:
    return {
        "id": report.pk,
        "area": _area(report.area),
        "expected": report.expected,
        "state": report.state,
        "state_label": report.get_state_display(),
        "status": selectors.report_status(report, screening_round, now),
        "filed_by": ref(report.filed_by),
        "filed_at": report.filed_at,
        "on_behalf": report.on_behalf,
        "late": report.late,
        "after_close": report.after_close,
        "findings": findings,
    }


def _report_json(user: Any, report_id: int) -> dict[str, Any]:
    now = clock.now()
    report = selectors.report_get_for_user(user=user, pk=report_id)
    findings = list(selectors.report_findings(report))
    return ReportOut.model_validate(
        {
            **_report_row(report, report.round, now, len(findings)),
            "round": ref(report.round),
            "note": report.note,
            "actions": [
                move.action
                for move in workflow.report_moves(
                    user, report.state, report.area, round_open=report.round.is_open
                )
            ],
            "finding_list": [
                {
                    "id": finding.pk,
                    "area": ref(finding.area),
                    "kind": finding.kind,
                    "kind_label": finding.get_kind_display(),
                    "category": ref(finding.category),
                    "text": finding.text,
                    "case": {
                        "id": finding.case.pk,
                        "number": finding.case.number,
                        "state": finding.case.state,
                        "state_label": finding.case.get_state_display(),
                    }
                    if finding.case
                    else None,
                    "handled_on_spot": finding.handled_on_spot,
                    "handled_note": finding.handled_note,
                    "recorded_by": ref(finding.recorded_by),
                    "recorded_at": finding.recorded_at,
                }
                for finding in findings
            ],
        }
    ).model_dump(mode="json")


def _finding_inputs(findings: list[FindingIn]) -> list[services.FindingInput]:
    return [
        services.FindingInput(
            kind=finding.kind.value if finding.kind else "",
            category=finding.category_id,
            text=finding.text,
            grade=finding.grade.value if finding.grade else "",
            area=finding.area_id,
            parties=[
                PartyInput(
                    role=party.role.value,
                    person_id=party.person_id,
                    organization_id=party.organization_id,
                    new_person=(
                        party.new_person.model_dump(exclude_none=True) if party.new_person else None
                    ),
                )
                for party in finding.parties
            ],
            handled_on_spot=finding.handled_on_spot,
            handled_note=finding.handled_note,
            case=finding.case_id,
        )
        for finding in findings
    ]


def _require(user: Any) -> None:
    jurisdiction.require(user, selectors.SCREENING_CAPABILITY, what="screening.api")


# --------------------------------------------------------------------------- rounds
@router.get(
    "/rounds",
    response={200: RoundPageOut, **READ_ERRORS},
    summary="Screening rounds covering the user's area: open first, newest period first",
    description="`figures` count the reports of the areas in the user's jurisdiction.",
)
def round_list(request: HttpRequest, params: Query[RoundParams]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    now = clock.now()
    rounds = selectors.round_list(user=user).prefetch_related("areas")
    if params.state:
        rounds = rounds.filter(state=params.state)
    page = paginate(rounds, params, lambda screening_round: screening_round)
    figures = selectors.round_list_figures(user=user, rounds=page["results"])
    page["results"] = [
        round_body(user, row, now=now, figures=figures.get(row.pk, {})) for row in page["results"]
    ]
    return page


@router.get(
    "/rounds/{int:round_id}",
    response={200: RollupOut, **READ_ERRORS},
    summary="One round with its roll-up: who has reported per level, what was found and what "
    "became of it, every report of the user's jurisdiction",
    description=selectors.__doc__.split("The figures of a round")[1].strip(),
)
def round_read(request: HttpRequest, round_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    now = clock.now()
    screening_round = selectors.round_get_for_user(user=user, pk=round_id)
    rollup = selectors.round_rollup(user=user, screening_round=screening_round, now=now)
    reports = (
        selectors.report_list_for_user(user=user)
        .filter(round=screening_round)
        .select_related("area", "filed_by")
        .order_by("area_path")
    )
    counts = selectors.finding_counts(reports)
    return {
        **round_body(user, screening_round, now=now),
        "definitions": selectors.__doc__.split("The figures of a round")[1].strip(),
        "levels": [_level(figures) for figures in rollup.levels],
        "findings": _findings(rollup.findings),
        "reports": [
            _report_row(report, screening_round, now, counts.get(report.pk, 0))
            for report in reports
        ],
    }


@router.get(
    "/rounds/{int:round_id}/summary",
    response={200: SummaryOut, **READ_ERRORS},
    summary="One round in figures: reports by level, findings by category and by kind",
)
def round_summary(request: HttpRequest, round_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    now = clock.now()
    summary = selectors.round_summary(user=user, round_id=round_id, now=now)
    return {
        "round": round_body(user, summary.round, now=now),
        "levels": [_level(figures) for figures in summary.levels],
        "totals": _level(summary.totals),
        "findings": _findings(summary.findings),
        "by_category": [figures.__dict__ for figures in summary.by_category],
        "by_kind": [
            {"kind": kind, "label": label, "count": count} for kind, label, count in summary.by_kind
        ],
    }


@router.write(
    "/rounds",
    status=201,
    response={201: RoundOut},
    summary="Open a screening round (centre leaders)",
    description=(
        "Regular: the current half month unless a period is given. Special: give the period. "
        "The deadline defaults to the screening rule's working days after the period; the "
        "title to the period's usual one. A second regular round for the same period and "
        "areas is a 409."
    ),
)
def round_open(request: HttpRequest, payload: OpenIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    screening_round = services.screening_round_open(
        actor=user,
        kind=payload.kind.value,
        period_start=payload.period_start,
        period_end=payload.period_end,
        due_on=payload.due_on,
        title=payload.title,
        areas=payload.area_ids,
    )
    return _round_json(user, screening_round.pk)


@router.write(
    "/rounds/{int:round_id}/close",
    response={200: RoundOut},
    summary="Close a round (a leader over every area of it)",
)
def round_close(request: HttpRequest, round_id: int, payload: CloseIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    services.screening_round_close(actor=user, round_id=round_id, note=payload.note)
    return _round_json(user, round_id)


def _round_json(user: Any, round_id: int) -> dict[str, Any]:
    screening_round = selectors.round_get_for_user(user=user, pk=round_id)
    return RoundOut.model_validate(round_body(user, screening_round, now=clock.now())).model_dump(
        mode="json"
    )


# --------------------------------------------------------------------------- reports
@router.get(
    "/rounds/{int:round_id}/areas/{int:area_id}",
    response={200: ReportOut, **READ_ERRORS},
    summary="An area's report for a round, with its findings (404 when it has none yet)",
)
def report_read(request: HttpRequest, round_id: int, area_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    screening_round = selectors.round_get_for_user(user=user, pk=round_id)
    area = selectors.report_area_for_user(
        user=user, screening_round=screening_round, area_id=area_id
    )
    report = selectors.report_of(screening_round, area)
    if report is None:
        # Nobody was expected from the area and nobody has reported for it.
        raise Http404
    return _report_json(user, report.pk)


@router.write(
    "/rounds/{int:round_id}/reports",
    status=201,
    response={201: ReportOut},
    summary="File an area's report: a zero report (`nothing_found`) or findings",
    description=(
        "For the reporter's own area, or (`area_id`) an area of the user's jurisdiction on "
        "its behalf (village cadres, leaders). Findings sent for an area that has reported "
        "already are added to its report while the round is open. A second zero report is a "
        "409; a report after the deadline or after the round closed is accepted, marked late."
    ),
)
def report_file(request: HttpRequest, round_id: int, payload: ReportIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    if payload.nothing_found == bool(payload.findings):
        raise DomainError(
            "invalid",
            _("Send either a zero report (nothing_found) or findings, not both or neither."),
            field="findings",
        )
    if payload.nothing_found:
        report = services.screening_report_nothing(
            actor=user, round_id=round_id, area_id=payload.area_id, note=payload.note
        )
    else:
        report = services.screening_report_findings(
            actor=user,
            round_id=round_id,
            area_id=payload.area_id,
            findings=_finding_inputs(payload.findings),
        )
    return _report_json(user, report.pk)


@router.write(
    "/reports/{int:report_id}/findings",
    response={200: ReportOut},
    summary="Add findings to a filed report while the round is open",
)
def report_add_findings(
    request: HttpRequest, report_id: int, payload: FindingsIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    report = selectors.report_get_for_user(user=user, pk=report_id)
    if report.state == ReportState.PENDING:
        raise DomainError(
            "not_filed",
            _("This area has not reported yet: file its report first."),
            field="findings",
        )
    services.screening_report_findings(
        actor=user,
        round_id=report.round_id,
        area_id=report.area_id,
        findings=_finding_inputs(payload.findings),
    )
    return _report_json(user, report.pk)


@router.get(
    "/due",
    response={200: list[DueOut], **READ_ERRORS},
    summary="The open rounds the user's own area has not reported for yet",
)
def due_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    now = clock.now()
    return [
        {
            "round": round_body(user, screening_round, now=now),
            "area": _area(screening_round.due_area),
            "overdue": screening_round.overdue,
        }
        for screening_round in selectors.reports_due_for(user, now=now)
    ]


@router.get(
    "/late",
    response={200: list[LateOut], **READ_ERRORS},
    summary="Across open rounds: areas past the deadline without a report, then late reports "
    "(leaders and village cadres)",
)
def late_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    _require(user)
    if not selectors.may_see_late_list(user):
        jurisdiction.deny(user, what="screening.late")
    now = clock.now()
    rows = selectors.late_reporters(user=user, now=now)
    counts = selectors.finding_counts([row.report for row in rows])
    return [
        {
            "round": ref(row.round),
            "report": _report_row(row.report, row.round, now, counts.get(row.report.pk, 0)),
            "reporters": [ref(person) for person in row.reporters],
        }
        for row in rows
    ]
