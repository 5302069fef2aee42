"""The Word document of a supervision order."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from docx import Document
from docx.oxml.ns import qn

from fengqiao.audit.models import AuditEvent
from fengqiao.supervision import services
from tests.fixtures import raise_order

pytestmark = pytest.mark.usefixtures("jobs_immediate")


# --------------------------------------------------------------------------- the Word document
def test_the_word_document_carries_the_order_and_east_asian_fonts(town, case):
    order = raise_order(town, case, assisting_agencies=[town.court.pk])
    services.supervision_reply(actor=town.user("mediator"), order_id=order.pk, text="已组织调解")
    services.supervision_close(actor=town.user("leader"), order_id=order.pk, review="同意办结")
    client = Client()
    client.force_login(town.user("leader"))

    response = client.get(f"/supervision/{order.pk}/document/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(paragraphs + cells)
    assert paragraphs[0] == "督办单"
    for expected in (
        order.number,
        "枫桥镇综治中心",
        case.number,
        case.title,
        "三日内上门调处并书面报告",
        "一般",
        "物业纠纷调解队",
        "枫桥人民法庭",
        "2026年3月9日",
        "已组织调解",
        "同意办结",
        "督办事项",
        "督办要求",
        "承办人意见",
        "督办室意见",
    ):
        assert expected in text, expected
    runs = [run for p in document.paragraphs for run in p.runs] + [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert runs
    for run in runs:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
    assert AuditEvent.objects.filter(
        action="supervision.document", actor=town.user("leader"), target_id=str(order.pk)
    ).exists()
