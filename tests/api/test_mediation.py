"""/api/v1/mediation: starting a mediation, an agreement and a session's scans, each once per
Idempotency-Key; the documents; a 404 in JSON outside the jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fengqiao.api.services import api_token_issue
from fengqiao.core import clock
from fengqiao.mediation import services
from fengqiao.mediation.models import Mediation
from tests.fixtures import NOW, TODAY, dispute, effective_agreement, png, property_team, start


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ API
def api(user: Any) -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user).key}")
    return client


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json", **headers)


def test_the_api_starts_a_mediation_once_per_idempotency_key(town):
    case = dispute(town)
    client = api(town.user("mediator"))
    body = {
        "regime": "people",
        "organization_id": property_team(town).pk,
        "mediator_ids": [town.user("mediator").pk],
    }
    first = post(client, f"/mediation/cases/{case.pk}", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, f"/mediation/cases/{case.pk}", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert Mediation.objects.filter(case=case).count() == 1


def test_the_api_records_an_agreement_and_refuses_a_term_without_deadline(town):
    case = dispute(town)
    mediation = start(town, case)
    client = api(town.user("mediator"))
    parties = list(case.parties.values_list("pk", flat=True))
    body = {
        "party_ids": parties,
        "facts": "事实",
        "matters": "争议",
        "made_on": TODAY.isoformat(),
        "terms": [{"content": "修剪树木", "obligor_party_id": parties[1]}],
    }
    refused = post(client, f"/mediation/{mediation.pk}/agreement", body)
    assert refused.status_code == 400
    assert refused.json()["field"] == "terms.0.due_on"
    body["terms"][0]["due_on"] = (TODAY + dt.timedelta(days=5)).isoformat()
    saved = post(client, f"/mediation/{mediation.pk}/agreement", body)
    assert saved.status_code == 200
    assert saved.json()["agreement"]["terms"][0]["content"] == "修剪树木"


def test_the_api_answers_404_json_outside_the_jurisdiction(town, grid_worker_b):
    mediation = start(town, dispute(town))
    response = api(grid_worker_b).get(f"/api/v1/mediation/{mediation.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_downloads_the_agreement_document(town):
    agreement = effective_agreement(town)
    response = api(town.user("mediator")).get(
        f"/api/v1/mediation/agreements/{agreement.pk}/document.docx"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"PK")
    assert response["Cache-Control"] == "no-store"
    refused = api(town.user("grid_worker")).get(
        f"/api/v1/mediation/agreements/{agreement.pk}/document.pdf"
    )
    assert refused.status_code == 403


def test_the_api_adds_a_scan_to_a_session_once_per_key(town):
    mediation = start(town, dispute(town))
    session = services.mediation_session_record(
        actor=town.user("mediator"),
        mediation_id=mediation.pk,
        held_at=NOW,
        place="调解室",
        setting="centre",
        minutes="调解员：请陈述。",
    )
    client = api(town.user("mediator"))
    path = f"/api/v1/mediation/sessions/{session.pk}/attachments"
    sent = client.post(path, {"files": [png("笔录第1页.png")]}, HTTP_IDEMPOTENCY_KEY="scan-1")
    again = client.post(path, {"files": [png("笔录第1页.png")]}, HTTP_IDEMPOTENCY_KEY="scan-1")
    assert sent.status_code == 201 and again.status_code == 201
    assert session.attachments.count() == 1
    bad = client.post(path, {"files": [png("x.png", size=10)]})
    bad_file = SimpleUploadedFile("笔录.txt", b"not a scan", content_type="text/plain")
    refused = client.post(path, {"files": [bad_file]})
    assert refused.status_code == 400 and refused.json()["field"] == "files"
    assert bad.status_code == 201
    assert session.attachments.count() == 2
