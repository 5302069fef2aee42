"""What the printed documents share: dates as Chinese forms write them, and the fonts of
a run of Word text (the East Asian face must be set on every run, or Word falls back)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from docx.oxml.ns import qn


def print_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def set_run_fonts(run: Any, *, east_asia: str, latin: str) -> None:
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
