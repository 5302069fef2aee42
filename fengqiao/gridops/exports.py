"""The daily log's compliance figures as an Excel workbook: by village, by grid, each
worker (with who has not logged today), and the definitions of the figures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fengqiao.cases.exports import spreadsheet_text
from fengqiao.gridops.selectors import COMPLIANCE_DEFINITIONS, Compliance, Tally, WorkerDays

PERCENT_FORMAT = "0.0"


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return None
    return spreadsheet_text(str(value)) if not isinstance(value, int | float) else value


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]):
    sheet = workbook.create_sheet(title=title)
    sheet.append([_cell(label) for label in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(str(label)) * 2 + 2)
    sheet.freeze_panes = "A2"
    return sheet


def _tally_rows(tallies: Sequence[Tally]) -> list[list[Any]]:
    return [
        [
            tally.area.name if tally.area else _("No area"),
            tally.workers,
            tally.due,
            tally.kept,
            tally.due - tally.kept,
            tally.rate,
            tally.not_logged_today,
        ]
        for tally in tallies
    ]


def compliance_xlsx(
    figures: Compliance,
    *,
    period: str,
    workers: Sequence[WorkerDays] | None = None,
) -> bytes:
    """The workbook of `figures` (a period of the compliance page); `workers` the rows
    listed as the page lists them (all of them in the area's order by default)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    tally_header = [
        _("Area"),
        _("Workers"),
        _("Due days"),
        _("Kept days"),
        _("Missed"),
        _("Kept rate (%)"),
        _("Not logged today"),
    ]
    summary = _sheet(
        workbook,
        _("By village"),
        tally_header,
        [*_tally_rows(figures.by_village), [_("Total"), *_tally_rows([figures.total])[0][1:]]],
    )
    summary.insert_rows(1, amount=2)
    summary["A1"] = spreadsheet_text(
        _("%(period)s: %(start)s to %(end)s (today %(today)s)")
        % {
            "period": period,
            "start": figures.start.isoformat(),
            "end": figures.end.isoformat(),
            "today": figures.today.isoformat(),
        }
    )
    summary.freeze_panes = "A4"
    _sheet(workbook, _("By grid"), tally_header, _tally_rows(figures.by_grid))
    _sheet(
        workbook,
        _("Each worker"),
        [
            _("Worker"),
            _("Village"),
            _("Grid"),
            _("Due days"),
            _("Kept days"),
            _("Excused days"),
            _("Missed"),
            _("Kept rate (%)"),
            _("Entries"),
            _("Entries today"),
            _("Logged today"),
            _("Run (working days)"),
        ],
        [
            [
                str(row.worker),
                row.village.name if row.village else "",
                row.grid.name if row.grid else "",
                row.due,
                row.kept,
                row.excused,
                row.missed,
                row.rate,
                row.entries,
                row.entries_today,
                _("Yes") if row.kept_today else _("No"),
                row.run,
            ]
            for row in (figures.workers if workers is None else workers)
        ],
    )
    _sheet(
        workbook,
        _("Definitions"),
        [_("Figure"), _("Definition")],
        [[str(term), str(text)] for term, text in COMPLIANCE_DEFINITIONS],
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = PERCENT_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
