"""Case lists as Excel workbooks (openpyxl, streamed row by row)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fengqiao.cases.models import Case
from fengqiao.cases.selectors import case_is_overdue
from fengqiao.core import clock

# A cell starting with one of these is taken for a formula by spreadsheet programs
# (=HYPERLINK(...), +cmd|..., -2+3, @SUM(...)); tab and carriage return start the same
# trick in some of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def spreadsheet_text(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula it would run."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _handler(case: Case) -> str:
    return str(case.handler or "")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the centre's wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _columns() -> list[tuple[str, int]]:
    return [
        (_("Case number"), 16),
        (_("Kind of matter"), 10),
        (_("Grade"), 8),
        (_("Category"), 14),
        (_("Title"), 40),
        (_("Area"), 16),
        (_("State"), 20),
        (_("Handler"), 20),
        (_("Received at"), 17),
        (_("Due at"), 17),
        (_("Overdue"), 8),
    ]


def _row(case: Case, now: dt.datetime) -> list[Any]:
    return [
        case.number,
        case.get_kind_display(),
        case.get_grade_display() if case.grade else "",
        case.category.name,
        case.title,
        case.area.name,
        case.get_state_display(),
        _handler(case),
        _local(case.received_at),
        _local(case.due_at),
        _("Yes") if case_is_overdue(case, now) else _("No"),
    ]


def _cells(sheet: Any, values: Iterable[Any], *, bold: bool = False) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        if isinstance(value, str):
            value = spreadsheet_text(value)
        cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        if isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        cells.append(cell)
    return cells


def case_export_xlsx(queryset: QuerySet[Case], *, now: dt.datetime | None = None) -> bytes:
    """One sheet of the cases in `queryset`, in its order, with a header row."""
    now = now or clock.now()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Cases"))
    columns = _columns()
    for index, (_label, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_cells(sheet, [label for label, _width in columns], bold=True))
    rows = queryset.select_related(
        "category", "area", "handler_user", "handler_team", "handler_agency"
    )
    count = 0
    for case in rows.iterator(chunk_size=500):
        sheet.append(_cells(sheet, _row(case, now)))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
