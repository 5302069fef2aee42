"""Every file the site serves goes out one way: never cached, not sniffed, its name kept
in Chinese (RFC 5987) with a plain ASCII fallback."""

import pytest
from django.urls import reverse

from fengqiao.cases.models import State
from fengqiao.supervision import services as supervision
from fengqiao.ui.downloads import download_response
from tests.fixtures import act, case_in_state, png

pytestmark = pytest.mark.django_db


def assert_protected(response, name_part: str) -> None:
    assert response.status_code == 200, response
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and name_part in disposition, disposition


def test_the_case_export_the_order_the_workbook_and_an_attachment(client, town):
    leader = town.user("leader")
    case = case_in_state(town, State.IN_PROGRESS)
    act(leader, case, "attach", files=[png("现场照片.png")])
    order = supervision.supervision_raise(actor=leader, case_id=case.pk, instruction="请办理")
    attachment = case.attachments.get()
    client.force_login(leader)

    assert_protected(client.get(reverse("case_export")), "cases-")
    assert_protected(
        client.get(reverse("supervision_document", args=[order.pk])),
        "%E7%9D%A3%E5%8A%9E%E5%8D%95",  # 督办单
    )
    assert_protected(client.get(reverse("report_disputes_export")), "disputes-")
    photo = client.get(reverse("case_attachment", args=[case.pk, attachment.pk]))
    assert_protected(photo, "%E7%8E%B0%E5%9C%BA")  # 现场
    assert photo["Content-Disposition"].startswith("inline;")  # a photo is shown


def test_a_name_in_chinese_keeps_an_ascii_fallback_and_the_type_from_its_extension():
    response = download_response(b"PK", filename="人民调解协议书（2026）万泉调字第1号.docx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="2026')
    assert "filename*=UTF-8''%E4%BA%BA%E6%B0%91" in response["Content-Disposition"]
