"""Printable mediation documents: the 人民调解协议书 and the 调解笔录, as Word or PDF.

The mediation app fills the dataclasses in `data` and calls `render_agreement` /
`render_minutes`; nothing here touches the database.
"""

from __future__ import annotations

from fengqiao.mediation.documents.data import (
    AgreementDocument,
    MinutesDocument,
    PartyParticulars,
    Signatory,
    TermText,
)
from fengqiao.mediation.documents.layout import Layout, agreement_layout, minutes_layout

FORMATS = ("docx", "pdf")

__all__ = [
    "FORMATS",
    "AgreementDocument",
    "MinutesDocument",
    "PartyParticulars",
    "Signatory",
    "TermText",
    "render_agreement",
    "render_minutes",
]


def _render(layout: Layout, fmt: str) -> bytes:
    if fmt == "docx":
        from fengqiao.mediation.documents.word import render_docx

        return render_docx(layout)
    if fmt == "pdf":
        from fengqiao.mediation.documents.pdf import render_pdf

        return render_pdf(layout)
    raise ValueError(f"unknown document format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_agreement(doc: AgreementDocument, fmt: str) -> bytes:
    """The agreement (or the record of an oral agreement) as .docx or .pdf bytes."""
    return _render(agreement_layout(doc), fmt)


def render_minutes(doc: MinutesDocument, fmt: str) -> bytes:
    """The minutes of one mediation session as .docx or .pdf bytes."""
    return _render(minutes_layout(doc), fmt)
