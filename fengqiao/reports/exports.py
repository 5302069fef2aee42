"""The dispute figures as an Excel workbook: the headline figures and the breakdown."""

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
from fengqiao.reports.mediation import FIGURE_NAMES, DisputeFigures, FigureFilter, FigureRow
from fengqiao.reports.presenting import (
    BREAKDOWN_COLUMNS,
    BREAKDOWN_LABELS,
    FIGURE_LABELS,
    is_rate,
)

PERCENT_FORMAT = "0.0%"


def _value(value: Any) -> Any:
    # A rate is a fraction shown as a percentage; no rate (nothing counted) stays empty.
    if isinstance(value, Decimal):
        return float(value)
    return value


def _text(value: Any) -> Any:
    return spreadsheet_text(value) if isinstance(value, str) else value


def _append(sheet: Any, values: Sequence[Any], *, bold: bool = False) -> None:
    sheet.append([_text(value) for value in values])
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def _format_rates(sheet: Any, row: int, columns: Sequence[tuple[int, str]]) -> None:
    for column, name in columns:
        if is_rate(name):
            sheet.cell(row=row, column=column).number_format = PERCENT_FORMAT


def figures_export_xlsx(
    *, filter: FigureFilter, figures: DisputeFigures, rows: Sequence[FigureRow], by: str
) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Figures")
    for letter, width in (("A", 34), ("B", 14), ("C", 22)):
        summary.column_dimensions[letter].width = width
    _append(summary, [_("Figure"), _("Value"), _("Code")], bold=True)
    for name in FIGURE_NAMES:
        _append(summary, [str(FIGURE_LABELS[name]), _value(getattr(figures, name)), name])
        _format_rates(summary, summary.max_row, [(2, name)])
    summary.append([])
    _append(
        summary,
        [_("Period"), f"{filter.period_start:%Y-%m-%d} – {filter.period_end:%Y-%m-%d}"],
    )
    _append(summary, [_("Area"), filter.area.name if filter.area else _("All of your area")])
    _append(summary, [_("Handling team"), filter.team.name if filter.team else _("All teams")])

    table = workbook.create_sheet(_("Breakdown"))
    _append(
        table,
        [str(BREAKDOWN_LABELS[by]), *(str(FIGURE_LABELS[name]) for name in BREAKDOWN_COLUMNS)],
        bold=True,
    )
    table.column_dimensions["A"].width = 22
    for index in range(2, len(BREAKDOWN_COLUMNS) + 2):
        table.column_dimensions[get_column_letter(index)].width = 14
    table.freeze_panes = "B2"
    for row in rows:
        _append(
            table,
            [row.label, *(_value(getattr(row.figures, name)) for name in BREAKDOWN_COLUMNS)],
        )
        _format_rates(
            table,
            table.max_row,
            [(index, name) for index, name in enumerate(BREAKDOWN_COLUMNS, start=2)],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
