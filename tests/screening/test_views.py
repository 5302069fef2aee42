"""The screening pages: the rounds, a round's roll-up, opening and closing, reporting for an
area (zero report in one tap, or a finding), the late list, the export."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseCategory, Channel
from fengqiao.core import clock
from fengqiao.screening.models import ReportState, ScreeningReport, ScreeningRound
from tests.fixtures import (
    ROUND_AFTER_DUE,
    ROUND_DURING,
    UserFactory,
    file_findings,
    file_zero,
    found_hazard,
    open_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def during(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: ROUND_DURING)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def area_url(screening_round, area, action: str = "") -> str:
    return f"/screening/{screening_round.pk}/areas/{area.pk}/{action + '/' if action else ''}"


def test_a_grid_worker_sees_the_report_due_from_their_grid(town, during):
    screening_round = open_round(town)

    page = client_of(town.user(Role.GRID_WORKER)).get("/screening/")

    html = page.content.decode()
    assert page.status_code == 200
    assert area_url(screening_round, town.grid_a1) in html
    assert "2026年3月上半月矛盾纠纷排查" in html
    assert "/screening/open/" not in html


def test_the_menu_offers_screening_to_those_who_see_their_area_s_cases(town):
    for role, shown in [
        (Role.GRID_WORKER, True),
        (Role.UNIT_HEAD, True),
        (Role.LEADER, True),
        (Role.MEDIATOR, False),
        (Role.SYSTEM_ADMIN, False),
    ]:
        html = client_of(town.user(role)).get("/").content.decode()
        assert ('href="/screening/"' in html) == shown, role


def test_a_leader_opens_a_round_from_the_page(town, during):
    client = client_of(town.user(Role.LEADER))
    assert client.get("/screening/open/").status_code == 200

    response = client.post("/screening/open/", {"kind": "regular", "areas": [str(town.town.pk)]})

    screening_round = ScreeningRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/screening/{screening_round.pk}/"
    again = client.post("/screening/open/", {"kind": "regular", "areas": [str(town.town.pk)]})
    assert again.status_code == 409
    assert "已存在" in again.content.decode()


def test_a_special_round_without_its_period_shows_every_problem(town, during):
    response = client_of(town.user(Role.LEADER)).post(
        "/screening/open/", {"kind": "special", "areas": [str(town.town.pk)]}
    )

    assert response.status_code == 400
    assert "请填写排查起始日" in response.content.decode()


def test_only_a_leader_may_open_a_round(town):
    assert client_of(town.user(Role.VILLAGE_CADRE)).get("/screening/open/").status_code == 403
    assert client_of(town.user(Role.SYSTEM_ADMIN)).get("/screening/").status_code == 403


def test_the_round_page_shows_the_roll_up_and_the_tree(town, during):
    screening_round = open_round(town)
    file_zero(town.user(Role.GRID_WORKER), screening_round)

    page = client_of(town.user(Role.LEADER)).get(f"/screening/{screening_round.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    for text in ("东村一网格", "东村1组", "按时上报", "未上报", "结束本轮排查", "统计口径"):
        assert text in html
    assert f"/screening/{screening_round.pk}/export/" in html


def test_a_zero_report_in_one_tap_and_a_second_is_refused_on_the_page(town, during):
    screening_round = open_round(town)
    client = client_of(town.user(Role.UNIT_HEAD))
    page = client.get(area_url(screening_round, town.unit_a1))
    assert "报送零报告" in page.content.decode()

    first = client.post(area_url(screening_round, town.unit_a1, "nothing"), follow=True)
    second = client.post(area_url(screening_round, town.unit_a1, "nothing"))

    assert "已报送零报告" in first.content.decode()
    assert second.status_code == 409
    assert "不能重复报送" in second.content.decode()
    report = ScreeningReport.objects.get(round=screening_round, area=town.unit_a1)
    assert report.state == ReportState.NOTHING_FOUND
    assert AuditEvent.objects.filter(action="screening.report_nothing", outcome="denied").exists()


def test_a_report_after_the_deadline_says_it_is_marked_late(town, monkeypatch):
    screening_round = open_round(town)
    monkeypatch.setattr(clock, "now", lambda: ROUND_AFTER_DUE)

    page = client_of(town.user(Role.UNIT_HEAD)).post(
        area_url(screening_round, town.unit_a1, "nothing"), follow=True
    )

    assert "标注逾期" in page.content.decode()
    assert ScreeningReport.objects.get(area=town.unit_a1).late


def test_a_finding_reported_from_the_page_becomes_a_case(town, residents, during):
    screening_round = open_round(town)
    client = client_of(town.user(Role.GRID_WORKER))
    neighbours = CaseCategory.objects.get(code="neighbours")

    refused = client.post(
        area_url(screening_round, town.grid_a1, "findings"),
        {
            "kind": "dispute",
            "category": neighbours.pk,
            "text": "两户因排水沟争执",
            "area": town.grid_a1.pk,
        },
    )
    assert refused.status_code == 400
    assert "矛盾纠纷须有申请人" in refused.content.decode()

    done = client.post(
        area_url(screening_round, town.grid_a1, "findings"),
        {
            "kind": "dispute",
            "category": neighbours.pk,
            "text": "两户因排水沟争执",
            "area": town.unit_a1.pk,
            "grade": "general",
            "applicant-person": residents["a1"].pk,
        },
    )

    assert done.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.area, case.reported_by) == (
        Channel.SCREENING,
        town.unit_a1,
        town.user(Role.GRID_WORKER),
    )
    page = client.get(area_url(screening_round, town.grid_a1)).content.decode()
    assert case.number in page and "补充排查发现" in page


def test_a_grid_worker_of_the_other_village_sees_nothing_of_village_a(town, during):
    screening_round = open_round(town)
    file_zero(town.user(Role.GRID_WORKER), screening_round)
    west = UserFactory(roles=[Role.GRID_WORKER], home_area=town.grid_b1)
    client = client_of(west)

    for url in (
        area_url(screening_round, town.grid_a1),
        area_url(screening_round, town.village_a),
    ):
        assert client.get(url).status_code == 404
    assert client.post(area_url(screening_round, town.unit_a1, "nothing")).status_code == 404
    html = client.get(f"/screening/{screening_round.pk}/").content.decode()
    assert "东村" not in html


def test_the_late_list_is_for_leaders_and_cadres(town, monkeypatch):
    open_round(town)
    monkeypatch.setattr(clock, "now", lambda: ROUND_AFTER_DUE)

    page = client_of(town.user(Role.LEADER)).get("/screening/late/")

    assert page.status_code == 200
    assert "东村一网格" in page.content.decode()
    assert client_of(town.user(Role.GRID_WORKER)).get("/screening/late/").status_code == 403
    home = client_of(town.user(Role.LEADER)).get("/screening/").content.decode()
    assert "3个区域逾期未报" in home


def test_a_leader_closes_the_round(town, during):
    screening_round = open_round(town)
    close = f"/screening/{screening_round.pk}/close/"
    assert client_of(town.user(Role.GRID_WORKER)).post(close).status_code == 403

    response = client_of(town.user(Role.LEADER)).post(close, {"note": "本轮结束"})

    assert response.status_code == 302
    screening_round.refresh_from_db()
    assert screening_round.state == "closed"
    assert client_of(town.user(Role.LEADER)).post(close).status_code == 409


def test_the_export_escapes_formulas_and_is_audited(town, during):
    screening_round = open_round(town)
    file_findings(
        town.user(Role.GRID_WORKER), screening_round, [found_hazard(text="=HYPERLINK(1)楼道堆物")]
    )

    response = client_of(town.user(Role.LEADER)).get(f"/screening/{screening_round.pk}/export/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "上报情况", "排查发现"]
    findings = list(book["排查发现"].iter_rows(values_only=True))
    assert findings[1][3] == "'=HYPERLINK(1)楼道堆物"
    assert [row[0] for row in book["汇总"].iter_rows(values_only=True)][6:10] == [
        "层级",
        "村（社区）",
        "网格",
        "单元",
    ]
    assert AuditEvent.objects.filter(action="screening.export").count() == 1
    assert (
        client_of(town.user(Role.GRID_WORKER))
        .get(f"/screening/{screening_round.pk}/export/")
        .status_code
        == 403
    )


def test_the_home_page_shows_the_report_due_and_the_late_areas(town, monkeypatch):
    screening_round = open_round(town)
    monkeypatch.setattr(clock, "now", lambda: ROUND_AFTER_DUE)

    worker_home = client_of(town.user(Role.GRID_WORKER)).get("/").content.decode()
    leader_home = client_of(town.user(Role.LEADER)).get("/").content.decode()

    assert area_url(screening_round, town.grid_a1) in worker_home
    assert "3个区域逾期未报" in leader_home and "/screening/late/" in leader_home
    assert "/screening/late/" not in worker_home
