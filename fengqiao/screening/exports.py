"""One round as an Excel workbook: its figures by level, every report, every finding — over
the areas of the reader's jurisdiction, as the round's page shows them. Text that a
spreadsheet would take for a formula is written as text (`cases.exports.spreadsheet_text`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fengqiao.areas.models import Area, Level
from fengqiao.cases.exports import spreadsheet_text
from fengqiao.core import clock
from fengqiao.screening import selectors
from fengqiao.screening.models import ScreeningFinding, ScreeningRound

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the centre's wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def _sheet(
    workbook: Workbook, title: str, columns: list[tuple[str, int]], rows: Iterable[list[Any]]
) -> None:
    sheet = workbook.create_sheet(title=title)
    for index, (label, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index, value=spreadsheet_text(label))
        cell.font = Font(bold=True)
    count = 1
    for row in rows:
        count += 1
        for index, value in enumerate(row, start=1):
            if isinstance(value, Promise):
                value = str(value)
            cell = sheet.cell(
                row=count,
                column=index,
                value=spreadsheet_text(value) if isinstance(value, str) else value,
            )
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"


STATUS_LABELS = {
    selectors.STATUS_ON_TIME: lambda: _("Reported on time"),
    selectors.STATUS_LATE: lambda: _("Reported late"),
    selectors.STATUS_PENDING: lambda: _("Not yet reported"),
    selectors.STATUS_OVERDUE: lambda: _("Overdue, not reported"),
    selectors.STATUS_NOBODY: lambda: _("Nobody to report"),
}


def round_workbook(
    *, user: Any, screening_round: ScreeningRound, now: dt.datetime | None = None
) -> bytes:
    now = now or clock.now()
    workbook = Workbook()
    workbook.remove(workbook.active)
    levels = selectors.level_figures(user=user, screening_round=screening_round, now=now)
    findings = selectors.finding_figures(user=user, screening_round=screening_round)
    summary = [
        [_("Round"), f"{screening_round.number} {screening_round.title}"],
        [_("Period screened"), f"{screening_round.period_start} – {screening_round.period_end}"],
        [_("Reports due by"), _local(screening_round.due_at)],
        [_("State"), screening_round.get_state_display()],
        [],
        [
            _("Level"),
            _("Expected"),
            _("Reported"),
            _("On time"),
            _("Late"),
            _("Not yet"),
            _("Zero reports"),
            _("With findings"),
            _("Nobody to report"),
        ],
        *[
            [
                figures.label,
                figures.expected,
                figures.reported,
                figures.on_time,
                figures.late,
                figures.not_yet,
                figures.zero,
                figures.with_findings,
                figures.unassigned,
            ]
            for figures in levels
        ],
        [],
        [_("Findings"), findings.found],
        [_("Became cases"), findings.cases],
        [_("Handled on the spot"), findings.handled_on_spot],
        [_("Resolved"), findings.resolved],
        *[[label, count] for _state, label, count in findings.case_states],
    ]
    _sheet(workbook, _("Summary"), [(_("Screening"), 22), ("", 40)], summary)

    reports = list(
        selectors.report_list_for_user(user=user)
        .filter(round=screening_round)
        .select_related("area", "filed_by")
        .order_by("area_path")
    )
    counts = selectors.finding_counts(reports)
    places = _places(report.area for report in reports)
    _sheet(
        workbook,
        _("Reports"),
        [
            (_("Village / community"), 16),
            (_("Grid"), 18),
            (_("Unit"), 18),
            (_("Level"), 10),
            (_("Status"), 14),
            (_("Report"), 12),
            (_("Reported by"), 12),
            (_("Reported at"), 17),
            (_("On the area's behalf"), 10),
            (_("Findings"), 8),
        ],
        [
            [
                *places[report.area_id],
                Level(report.level).label,
                STATUS_LABELS[selectors.report_status(report, screening_round, now)](),
                report.get_state_display(),
                str(report.filed_by or ""),
                _local(report.filed_at),
                _yes(report.on_behalf) if report.is_filed else "",
                counts.get(report.pk, 0),
            ]
            for report in reports
        ],
    )
    rows = (
        ScreeningFinding.objects.filter(report__in=[report.pk for report in reports])
        .select_related("area", "category", "case", "recorded_by")
        .order_by("report__area_path", "recorded_at", "pk")
    )
    _sheet(
        workbook,
        _("Findings"),
        [
            (_("Place"), 18),
            (_("Kind of matter"), 10),
            (_("Category"), 12),
            (_("What was found"), 50),
            (_("Case"), 16),
            (_("Case state"), 18),
            (_("Handled on the spot"), 30),
            (_("Recorded by"), 12),
            (_("Recorded at"), 17),
        ],
        [
            [
                finding.area.name,
                finding.get_kind_display(),
                finding.category.name,
                finding.text,
                finding.case.number if finding.case else "",
                finding.case.get_state_display() if finding.case else "",
                finding.handled_note,
                str(finding.recorded_by),
                _local(finding.recorded_at),
            ]
            for finding in rows
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _places(areas: Iterable[Area]) -> dict[int, list[str]]:
    """Each area's village, grid and unit names (its own level and those above it)."""
    areas = list(areas)
    ancestors = {
        area.pk: area
        for area in Area.objects.filter(pk__in={pk for area in areas for pk in area.ancestor_ids})
    }
    places = {}
    for area in areas:
        names = {
            ancestors[pk].level: ancestors[pk].name for pk in area.ancestor_ids if pk in ancestors
        }
        places[area.pk] = [
            names.get(level, "") for level in (Level.VILLAGE, Level.GRID, Level.UNIT)
        ]
    return places
