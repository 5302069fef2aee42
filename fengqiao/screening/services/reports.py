"""Filing reports and their findings.

- `screening_report_nothing`: a zero report (零报告) for an area: nothing found;
- `screening_report_findings`: findings for an area, filing its report, or adding to the
  report already filed while the round is open.

Each checks the area is in the actor's jurisdiction and screened by the round (404), locks
the report (written now for an area nobody was expected from), asks the table
(`workflow.REPORT_LIFECYCLE`), then the input (every problem at once), and writes the
report, its findings, the cases they become and the audit rows in one transaction.

A report filed after the deadline is accepted and marked late; one filed after the round
closed too (`after_close`). A report filed by someone other than the area's own reporter
is marked as filed on its behalf.

A finding becomes a case of channel 排查 in its place (the report's area or one under it),
registered by the reporter through `case_create`, with a timeline entry naming the round;
or it names a screening case already registered (`case`); or it was handled on the spot,
with a note, and becomes no case. A dispute needs its applicant — a resident (found with
the intake's person search) or an organisation; a matter with no party known yet is
recorded as a hazard (矛盾隐患), never silently turned into another kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import Case, CaseCategory, Channel, Grade, Kind, PartyRole
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.cases.services import PartyInput, case_create, case_record_event
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, InvalidInput, Problems, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.screening import workflow
from fengqiao.screening.models import (
    FindingKind,
    ReportState,
    ScreeningFinding,
    ScreeningReport,
    ScreeningRound,
)
from fengqiao.screening.selectors import (
    is_area_reporter,
    report_area_for_user,
    reporting_area,
    round_get_for_user,
)
from fengqiao.screening.services.common import MAX_FINDINGS, MAX_TEXT, refusal_audit
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

TITLE_LENGTH = 30


@dataclass(frozen=True)
class FindingInput:
    """One matter found. `kind`: dispute, hazard or demand; `parties`: a dispute's applicant
    (and respondents) as the intake takes them; `area`: a place under the report's area
    (default: the report's area). `handled_on_spot` with `handled_note`: no case is made.
    `case`: a screening case already registered, which this finding is."""

    kind: str = ""
    category: Any = None
    text: str = ""
    grade: str = ""
    parties: Sequence[PartyInput] = ()
    area: Any = None
    handled_on_spot: bool = False
    handled_note: str = ""
    case: Any = None


def finding_title(text: str) -> str:
    """A case's title from what was found: its first sentence, shortened."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    for stop in "。！？!?；;，,":
        first = first.split(stop)[0]
    return first[:TITLE_LENGTH]


# --------------------------------------------------------------------------- the report
def _scope(actor: Any, round_id: Any, area_id: Any) -> tuple[ScreeningRound, Area]:
    """The round and the area reported for, both in the actor's view (404 otherwise); the
    actor's own area when none is named."""
    screening_round = round_get_for_user(user=actor, pk=round_id)
    if area_id in (None, ""):
        own = reporting_area(actor)
        if own is None:
            raise DomainError("area", _("Choose the area you report for."), field="area")
        area_id = own.pk
    area = report_area_for_user(user=actor, screening_round=screening_round, area_id=area_id)
    return screening_round, area


def _locked(screening_round: ScreeningRound, area: Area) -> tuple[ScreeningRound, ScreeningReport]:
    """The round and the area's report, locked; the report is written now (not expected)
    for an area nobody was expected from."""
    locked_round = ScreeningRound.objects.select_for_update().get(pk=screening_round.pk)
    report = (
        ScreeningReport.objects.select_for_update().filter(round=locked_round, area=area).first()
    )
    if report is None:
        try:
            with transaction.atomic():
                report = ScreeningReport.objects.create(
                    round=locked_round,
                    area=area,
                    area_path=area.path,
                    level=area.level,
                    expected=False,
                )
        except IntegrityError:
            report = ScreeningReport.objects.select_for_update().get(round=locked_round, area=area)
    report.round = locked_round
    report.area = area
    return locked_round, report


def _audit(actor: Any, action: str, report: ScreeningReport) -> dict[str, Any]:
    return refusal_audit(
        actor,
        action,
        target=report,
        area=report.area,
        details={"round": report.round_id, "state": report.state},
    )


def _already_reported(actor: Any, report: ScreeningReport) -> WrongState:
    """The refusal of a second zero report, saying what was filed, when and by whom."""
    values = {
        "area": report.area.name,
        "when": timezone.localtime(report.filed_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")
        if report.filed_at
        else "",
        "who": str(report.filed_by or ""),
    }
    if report.state == ReportState.NOTHING_FOUND:
        message = _(
            "A zero report for %(area)s in this round was already filed on %(when)s by "
            "%(who)s; it is not filed twice."
        )
    else:
        message = _(
            "%(area)s has already reported findings in this round (%(when)s, %(who)s); a zero "
            "report cannot replace them."
        )
    return WrongState(
        message % values, audit=_audit(actor, "report_nothing", report), code="already_reported"
    )


def _file(
    report: ScreeningReport,
    *,
    actor: Any,
    screening_round: ScreeningRound,
    state: str,
    now: dt.datetime,
    note: str = "",
) -> None:
    report.state = state
    report.filed_by = actor
    report.filed_at = now
    report.on_behalf = not is_area_reporter(actor, report.area)
    report.after_close = not screening_round.is_open
    report.late = report.after_close or now > screening_round.due_at
    report.note = note
    report.save(
        update_fields=["state", "filed_by", "filed_at", "on_behalf", "after_close", "late", "note"]
    )


def _report_details(report: ScreeningReport, **more: Any) -> dict[str, Any]:
    return {
        "round": report.round_id,
        "state": report.state,
        "late": report.late,
        "after_close": report.after_close,
        "on_behalf": report.on_behalf,
        **more,
    }


@audits_refusals
def screening_report_nothing(
    *,
    actor: Any,
    round_id: Any,
    area_id: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> ScreeningReport:
    """A zero report (零报告) for the area (default: the actor's own): nothing was found in
    the round's period. Filed once; a second one is refused (409), whoever sends it."""
    now = now or clock.now()
    screening_round, area = _scope(actor, round_id, area_id)
    with transaction.atomic():
        screening_round, report = _locked(screening_round, area)
        refused = workflow.report_refusal(
            actor,
            report.state,
            area,
            "report_nothing",
            audit=_audit(actor, "report_nothing", report),
        )
        if refused is not None:
            raise _already_reported(actor, report) if isinstance(refused, WrongState) else refused
        note = (note or "").strip()
        if len(note) > MAX_TEXT:
            raise DomainError(
                "note", _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}, field="note"
            )
        _file(
            report,
            actor=actor,
            screening_round=screening_round,
            state=ReportState.NOTHING_FOUND,
            now=now,
            note=note,
        )
        audit_record(
            action="screening.report",
            actor=actor,
            target=report,
            area=area,
            details=_report_details(report),
        )
    return report


@audits_refusals
def screening_report_findings(
    *,
    actor: Any,
    round_id: Any,
    findings: Sequence[FindingInput],
    area_id: Any = None,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ScreeningReport:
    """Findings for the area (default: the actor's own): they file its report, or are added
    to the report already filed (a zero report then becomes a report with findings) while
    the round is open. Each finding becomes a case of channel 排查, names a screening case
    already registered, or is recorded as handled on the spot."""
    now = now or clock.now()
    screening_round, area = _scope(actor, round_id, area_id)
    with transaction.atomic():
        screening_round, report = _locked(screening_round, area)
        action = "report_findings" if report.state == ReportState.PENDING else "add_findings"
        refused = workflow.report_refusal(
            actor, report.state, area, action, audit=_audit(actor, action, report)
        )
        if refused is not None:
            raise refused
        if action == "add_findings" and not screening_round.is_open:
            raise WrongState(
                _(
                    "The round is closed: findings can no longer be added to its reports. "
                    "Register the matter as a case."
                ),
                audit=_audit(actor, action, report),
                code="round_closed",
            )
        recorded = _record_findings(actor, report, findings, now=now, calendar=calendar)
        if action == "report_findings":
            _file(
                report,
                actor=actor,
                screening_round=screening_round,
                state=ReportState.FOUND,
                now=now,
            )
        elif report.state != ReportState.FOUND:
            report.state = ReportState.FOUND
            report.save(update_fields=["state"])
        audit_record(
            action=f"screening.{'report' if action == 'report_findings' else 'add_findings'}",
            actor=actor,
            target=report,
            area=area,
            details=_report_details(
                report,
                findings=len(recorded),
                cases=[finding.case_id for finding in recorded if finding.case_id],
            ),
        )
    return report


# --------------------------------------------------------------------------- findings
@dataclass
class _Checked:
    item: FindingInput
    kind: str
    category: CaseCategory
    text: str
    grade: str
    area: Area
    case: Case | None


def _check(
    actor: Any, report: ScreeningReport, item: FindingInput, prefix: str, problems: Problems
) -> _Checked | None:
    found = len(problems.found)

    def problem(code: str, message: str, name: str) -> None:
        problems.add(code, message, field=f"{prefix}{name}")

    case = None
    if item.case not in (None, ""):
        case = (
            case_list_for_user(user=actor)
            .select_related("category", "area")
            .filter(pk=id_of(item.case))
            .first()
        )
        if case is None:
            problem("case", _("This case was not found."), "case")
            return None
        if (
            case.channel != Channel.SCREENING
            or case.kind not in FindingKind.values
            or not case.area_path.startswith(report.area_path)
        ):
            problem(
                "case",
                _("Only a screening case of %(area)s can be named as a finding.")
                % {"area": report.area.name},
                "case",
            )
        elif ScreeningFinding.objects.filter(case=case).exists():
            problem("case", _("This case is already a finding of a screening report."), "case")
        elif item.handled_on_spot:
            problem("handled", _("A matter handled on the spot is not a case."), "handled_on_spot")
    if case is not None:
        kind, category, area = case.kind, case.category, case.area
        text = (item.text or "").strip() or case.title
    else:
        kind = item.kind
        if kind not in FindingKind.values:
            problem("kind", _("Choose what kind of matter was found."), "kind")
        category = CaseCategory.objects.filter(pk=id_of(item.category), is_active=True).first()
        if category is None:
            problem("category", _("Choose a category from the list."), "category")
        text = (item.text or "").strip()
        area = report.area
        if item.area not in (None, "") and id_of(item.area) != report.area_id:
            area = Area.objects.filter(
                pk=id_of(item.area), path__startswith=report.area_path
            ).first()
            if area is None:
                problem(
                    "area",
                    _("Choose a place within %(area)s.") % {"area": report.area.name},
                    "area",
                )
    if not text:
        problem("text", _("Say what was found."), "text")
    elif len(text) > MAX_TEXT:
        problem("text", _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}, "text")
    grade = ""
    if kind == Kind.DISPUTE and case is None:
        grade = item.grade or Grade.GENERAL
        if grade not in Grade.values:
            problem("grade", _("Choose the dispute's grade."), "grade")
    handled_note = (item.handled_note or "").strip()
    if item.handled_on_spot and case is None:
        if not handled_note:
            problem("handled_note", _("Say how it was handled on the spot."), "handled_note")
        elif len(handled_note) > MAX_TEXT:
            problem(
                "handled_note",
                _("Keep it under %(n)d characters.") % {"n": MAX_TEXT},
                "handled_note",
            )
    elif (
        kind == Kind.DISPUTE
        and case is None
        and not any(party.role == PartyRole.APPLICANT for party in item.parties)
    ):
        problem(
            "applicant",
            _(
                "A dispute needs its applicant: choose the resident or organisation who "
                "raised it. If no party is known yet, record it as a hazard."
            ),
            "parties",
        )
    if len(problems.found) > found:
        return None
    assert category is not None and area is not None
    return _Checked(item, kind, category, text, grade, area, case)


def _prefixed(error: DomainError, prefix: str) -> InvalidInput:
    return InvalidInput(
        DomainError(
            problem.code,
            problem.message,
            field=f"{prefix}{problem.field}" if problem.field else prefix.rstrip("."),
        )
        for problem in error.problems
    )


def _record_findings(
    actor: Any,
    report: ScreeningReport,
    findings: Sequence[FindingInput],
    *,
    now: dt.datetime,
    calendar: WorkingCalendar | None,
) -> list[ScreeningFinding]:
    if not findings:
        raise DomainError(
            "findings",
            _("Report at least one finding, or file a zero report."),
            field="findings",
        )
    if len(findings) > MAX_FINDINGS:
        raise DomainError(
            "findings",
            _("Report at most %(n)d findings at once.") % {"n": MAX_FINDINGS},
            field="findings",
        )
    problems = Problems()
    checked = [
        _check(actor, report, item, f"findings.{index}.", problems)
        for index, item in enumerate(findings)
    ]
    problems.raise_if_any()
    calendar = calendar or calendar_load()
    recorded = []
    for index, entry in enumerate(checked):
        assert entry is not None
        case = entry.case
        if case is None and not entry.item.handled_on_spot:
            try:
                case = case_create(
                    actor=actor,
                    kind=entry.kind,
                    grade=entry.grade,
                    category=entry.category,
                    channel=Channel.SCREENING,
                    title=finding_title(entry.text),
                    account=entry.text,
                    area=entry.area.pk,
                    parties=list(entry.item.parties),
                    now=now,
                    calendar=calendar,
                )
            except DomainError as error:
                if error.status != DomainError.status:
                    raise
                raise _prefixed(error, f"findings.{index}.") from None
        finding = ScreeningFinding.objects.create(
            report=report,
            area=entry.area,
            kind=entry.kind,
            category=entry.category,
            text=entry.text,
            case=case,
            handled_on_spot=case is None,
            handled_note=(entry.item.handled_note or "").strip() if case is None else "",
            recorded_by=actor,
            recorded_at=now,
        )
        if case is not None and entry.case is None:
            # A case made from the finding says so on its timeline, at its registration;
            # a screening case registered before and named by the report keeps its own.
            case_record_event(
                actor=actor,
                case=case,
                action="screening_found",
                note=report.round.title,
                data={
                    "round": report.round_id,
                    "round_number": report.round.number,
                    "report": report.pk,
                    "area": report.area.name,
                },
                now=now,
            )
        recorded.append(finding)
    return recorded
