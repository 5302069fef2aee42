"""The mediation pages: the case page's panel, the forms for a mediation, a session, an
agreement and its terms, each saying what is wrong and saving nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from fengqiao.core import clock
from fengqiao.mediation import judicial
from fengqiao.mediation.models import Agreement, Mediation, MediationSession
from tests.fixtures import (
    NOW,
    TODAY,
    dispute,
    draft,
    effective_agreement,
    property_team,
    sign_all,
    start,
)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ pages
def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_page_shows_the_mediation_panel(town):
    case = dispute(town)
    mediation = start(town, case)
    sign_all(town, draft(town, mediation))
    page = signed_in(town.user("mediator")).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="mediation"' in text
    assert "（2026）枫桥调字第1号" in text
    assert f"/mediation/agreements/{mediation.agreement.pk}/document.pdf" in text


def test_the_start_form_explains_a_mistake_and_saves_nothing(town):
    case = dispute(town)
    response = signed_in(town.user("mediator")).post(
        f"/mediation/cases/{case.pk}/start/", {"regime": "people"}
    )
    assert response.status_code == 400
    assert not Mediation.objects.exists()
    response = signed_in(town.user("mediator")).post(
        f"/mediation/cases/{case.pk}/start/",
        {
            "regime": "people",
            "organization": property_team(town).pk,
            "mediators": [town.user("mediator").pk],
        },
    )
    assert response.status_code == 302
    assert Mediation.objects.filter(case=case).exists()


def test_the_agreement_form_adds_a_term_row_and_names_the_term_without_a_deadline(town):
    case = dispute(town)
    mediation = start(town, case)
    client = signed_in(town.user("mediator"))
    parties = list(case.parties.values_list("pk", flat=True))
    body = {
        "made_on": TODAY.isoformat(),
        "facts": "事实",
        "matters": "争议",
        "parties": parties,
        "terms-TOTAL_FORMS": "1",
        "terms-INITIAL_FORMS": "0",
        "terms-0-obligor": str(parties[1]),
        "terms-0-content": "修剪树木",
    }
    added = client.post(f"/mediation/{mediation.pk}/agreement/", {**body, "add_term": "1"})
    assert added.status_code == 200
    assert 'name="terms-1-content"' in added.content.decode()
    refused = client.post(f"/mediation/{mediation.pk}/agreement/", body)
    assert refused.status_code == 400
    assert not Agreement.objects.exists()
    body["terms-0-due_on"] = (TODAY + dt.timedelta(days=7)).isoformat()
    saved = client.post(f"/mediation/{mediation.pk}/agreement/", body)
    assert saved.status_code == 302
    assert Agreement.objects.get().terms.get().obligor_id == parties[1]


def test_an_outsider_gets_a_404_on_the_mediation_pages(town, grid_worker_b):
    mediation = start(town, dispute(town))
    response = signed_in(grid_worker_b).get(f"/mediation/{mediation.pk}/session/")
    assert response.status_code == 404


def test_every_mediation_form_page_opens_for_the_mediator(town):
    case = dispute(town)
    mediation = start(town, case)
    agreement = draft(town, mediation)
    sign_all(town, agreement)
    judicial.judicial_apply(
        actor=town.user("mediator"), agreement_id=agreement.pk, applied_on=TODAY, court=town.court
    )
    client = signed_in(town.user("mediator"))
    for path in (
        f"/mediation/cases/{case.pk}/start/",
        f"/mediation/{mediation.pk}/session/",
        f"/mediation/{mediation.pk}/outcome/",
        f"/mediation/{mediation.pk}/agreement/",
        f"/mediation/agreements/{agreement.pk}/sign/",
        f"/mediation/agreements/{agreement.pk}/judicial/",
        f"/mediation/agreements/{agreement.pk}/judicial/result/",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/mediation/agreements/{agreement.pk}/judicial/result/" in page


def test_a_session_form_with_a_time_before_receipt_is_shown_again_with_the_reason(town):
    case = dispute(town)
    mediation = start(town, case)
    response = signed_in(town.user("mediator")).post(
        f"/mediation/{mediation.pk}/session/",
        {
            "held_at": "2026-01-01T09:00",
            "place": "调解室",
            "setting": "centre",
            "minutes": "调解员：请陈述。",
        },
    )
    assert response.status_code == 400
    assert "调解时间不能早于受理时间" in response.content.decode()
    assert not MediationSession.objects.exists()


def test_the_panel_warns_when_the_judicial_window_is_closing(town, monkeypatch):
    agreement = effective_agreement(town)
    case = agreement.mediation.case
    client = signed_in(town.user("mediator"))
    assert "只剩" not in client.get(f"/cases/{case.pk}/").content.decode()
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=25))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "申请司法确认只剩 5 天" in page
    assert f"/mediation/agreements/{agreement.pk}/judicial/" in page
    # Once the window has closed the application is no longer offered.
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=31))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/mediation/agreements/{agreement.pk}/judicial/" not in page
