"""The Word document of a supervision order (督办单), as the supervision office prints it.

Chinese text needs its East Asian font named on every run (`w:eastAsia` on `w:rFonts`):
python-docx's `font.name` sets only the Western faces, and Word would otherwise fall back
to a face of its choosing.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from fengqiao.areas.models import Area
from fengqiao.core.printing import print_date, set_run_fonts
from fengqiao.supervision.models import SupervisionOrder
from fengqiao.workcal.calendar import CENTRE_TZ

TITLE_FONT = "黑体"
BODY_FONT = "仿宋"
LABEL_FONT = "黑体"


def _run(paragraph: Any, text: str, *, font: str = BODY_FONT, size: float = 14, bold=False):
    run = paragraph.add_run(text)
    set_run_fonts(run, east_asia=font, latin=font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _date(moment: Any) -> str:
    return print_date(timezone.localtime(moment, CENTRE_TZ).date()) if moment else ""


def issuing_body(order: SupervisionOrder) -> str:
    """The town centre: the name of the root of the case's area tree, and 综治中心."""
    root_id = order.case.area.ancestor_ids[0]
    root = Area.objects.filter(pk=root_id).values_list("name", flat=True).first() or ""
    return f"{root}综治中心"


def _units(order: SupervisionOrder) -> tuple[str, str]:
    # A centre order (nobody handled the case) is the dispatchers' of the centre.
    lead = str(order.target) if order.target is not None else f"{issuing_body(order)}调度员"
    assisting = [team.name for team in order.assisting_teams.all()] + [
        agency.name for agency in order.assisting_agencies.all()
    ]
    return lead, "、".join(assisting) or "无"


def order_document(order: SupervisionOrder) -> bytes:
    """The .docx bytes of the order, with the reply and the review when there are any."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "督办单", font=TITLE_FONT, size=22, bold=True)

    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(header, f"编号：{order.number}　　签发日期：{_date(order.issued_at)}", size=12)

    body = issuing_body(order)
    lead, assisting = _units(order)
    case = order.case
    rows = [
        ("督办单位", body),
        ("案件编号", case.number),
        ("案件标题", case.title),
        ("督办事项", order.matter),
        ("督办要求", order.instruction),
        ("督办等级", order.level.name),
        ("牵头（承办）单位", lead),
        ("协办单位", assisting),
        ("办理时限", f"{_date(order.reply_due_at)}前书面回复"),
        ("承办人意见", order.reply_text or ""),
        ("督办室意见", order.review_text or ""),
    ]
    if order.withdraw_reason:
        rows.append(("撤销原因", order.withdraw_reason))
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        _run(cells[0].paragraphs[0], label, font=LABEL_FONT, size=12)
        lines = str(value).splitlines() or [""]
        paragraph = cells[1].paragraphs[0]
        for index, line in enumerate(lines):
            if index:
                paragraph = cells[1].add_paragraph()
            _run(paragraph, line, size=12)

    if order.replied_at is not None:
        replied = document.add_paragraph()
        _run(
            replied,
            f"承办人：{order.replied_by or ''}　　回复日期：{_date(order.replied_at)}",
            size=12,
        )

    document.add_paragraph()
    for line in (
        f"签发：{order.issued_by or '系统自动督办'}",
        f"（{body}督办室盖章）",
        f"日期：{_date(order.issued_at)}",
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, line, size=14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
