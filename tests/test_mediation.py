"""Mediation under three regimes: the record, sessions, the agreement with its terms and
signatures, the outcome that resolves the case, judicial confirmation, routing, pages and
the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from fengqiao.accounts.roles import Role
from fengqiao.api.services import api_token_issue
from fengqiao.audit.models import AuditEvent
from fengqiao.cases import workflow
from fengqiao.cases.models import CaseCategory, CaseEvent, Outcome, State
from fengqiao.cases.services import PartyInput
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation import judicial, printing, services
from fengqiao.mediation.models import (
    Agreement,
    AgreementSignature,
    CategoryTeam,
    JudicialConfirmation,
    Mediation,
    MediationAttachment,
    MediationSession,
    MediationStatus,
)
from fengqiao.mediation.selectors import (
    judicial_days_left,
    judicial_warning,
    mediation_get_for_user,
    proposed_team_for,
)
from fengqiao.mediation.services import TermInput
from fengqiao.notify.models import Notification
from fengqiao.orgs.models import MediationKind, MediationMembership, MediationOrganization
from fengqiao.web.case_forms import ActionForm
from tests.cases_helpers import (
    PATHS,
    act,
    applicant,
    inputs_for,
    new_case,
    png,
    property_team,
    shanghai,
)
from tests.factories import UserFactory, make_id_number

# Monday 11 May 2026, 10:00 in Shanghai.
NOW = shanghai(2026, 5, 11, 10, 0)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def dispute(town: Any, **overrides: Any) -> Any:
    """A property dispute between two residents, dispatched to the property team and in
    progress with its mediator."""
    property_team(town)
    case = new_case(
        town.user("intake_clerk"),
        town.unit_a1,
        parties=[
            applicant("田秀兰"),
            PartyInput(
                role="respondent", new_person={"name": "赵德福", "id_number": make_id_number()}
            ),
        ],
        **overrides,
    )
    for role, action in PATHS[State.IN_PROGRESS]:
        case = act(town.user(role), case, action, **inputs_for(action, town=town))
    return case


def start(town: Any, case: Any, actor: Any = None) -> Mediation:
    return services.mediation_start(
        actor=actor or town.user("mediator"),
        case_id=case.pk,
        regime="people",
        organization=property_team(town),
        mediators=[town.user("mediator")],
    )


def term(**overrides: Any) -> TermInput:
    values: dict[str, Any] = {
        "content": "修剪楼前杨树、柳树枝叶",
        "due_on": TODAY + dt.timedelta(days=14),
        "manner": "物业公司派人修剪",
        "obligor_text": "物业公司",
        "recurring": "每年春季修剪一次",
    }
    values.update(overrides)
    return TermInput(**values)


def draft(town: Any, mediation: Mediation, **overrides: Any) -> Agreement:
    values: dict[str, Any] = {
        "actor": town.user("mediator"),
        "mediation_id": mediation.pk,
        "parties": list(mediation.case.parties.values_list("pk", flat=True)),
        "facts": "楼前杨树柳树多年未修剪，遮挡采光。",
        "matters": "树木修剪及今后养护。",
        "responsibilities": "物业公司负有养护责任。",
        "terms": [term()],
        "made_on": TODAY,
    }
    values.update(overrides)
    return services.agreement_draft(**values)


def sign_all(town: Any, agreement: Agreement, on: dt.date = TODAY) -> None:
    for party in agreement.parties.all():
        services.agreement_sign(
            actor=town.user("mediator"), agreement_id=agreement.pk, party=party.pk, signed_on=on
        )
    services.agreement_sign(
        actor=town.user("mediator"),
        agreement_id=agreement.pk,
        mediator=town.user("mediator").pk,
        signed_on=on,
    )


def actions_of(case: Any) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("sequence").values_list("action", flat=True)
    )


def outsider(town: Any) -> Any:
    return UserFactory(username="t_grid_b", roles=[Role.GRID_WORKER], home_area=town.grid_b1)


# ------------------------------------------------------------------ the record
def test_a_mediation_starts_on_the_timeline_and_in_the_audit(town):
    case = dispute(town)
    mediation = start(town, case)
    assert mediation.status == MediationStatus.OPEN
    assert list(mediation.mediators.all()) == [town.user("mediator")]
    assert actions_of(case)[-1] == "mediation_start"
    assert AuditEvent.objects.filter(action="mediation.start", target_id=str(mediation.pk)).exists()


def test_a_second_open_mediation_on_the_same_case_is_refused(town):
    case = dispute(town)
    start(town, case)
    with pytest.raises(DomainError) as refused:
        start(town, case)
    assert refused.value.code == "already_open"
    assert Mediation.objects.filter(case=case).count() == 1


def test_a_mediation_of_a_consultation_is_refused_and_nothing_saved(town):
    case = new_case(town.user("intake_clerk"), town.unit_a1, kind="consultation", grade="")
    with pytest.raises(DomainError) as refused:
        services.mediation_start(
            actor=town.user("leader"),
            case_id=case.pk,
            regime="people",
            organization=property_team(town),
            mediators=[town.user("mediator")],
        )
    assert refused.value.code == "not_dispute"
    assert not Mediation.objects.exists()


@pytest.mark.parametrize("state", [State.REJECTED, State.RESOLVED])
def test_a_mediation_of_a_closed_or_handled_case_is_refused_and_nothing_saved(town, state):
    from tests.cases_helpers import case_in_state

    case = case_in_state(town, state)
    with pytest.raises(DomainError) as refused:
        start(town, case, actor=town.user("leader"))
    assert refused.value.code == "case_state"
    assert not Mediation.objects.exists()


def test_judicial_mediation_must_be_conducted_by_a_court(town):
    case = dispute(town)
    with pytest.raises(DomainError) as refused:
        services.mediation_start(
            actor=town.user("leader"),
            case_id=case.pk,
            regime="judicial",
            organization=property_team(town),
            mediators=[town.user("mediator")],
        )
    assert refused.value.field == "agency"
    liaison = town.user("agency_liaison")  # a liaison of the town's court
    mediation = services.mediation_start(
        actor=town.user("leader"),
        case_id=case.pk,
        regime="judicial",
        agency=town.court,
        mediators=[liaison],
    )
    assert mediation.agency == town.court


def test_a_mediator_outside_the_team_is_refused(town):
    case = dispute(town)
    with pytest.raises(DomainError) as refused:
        services.mediation_start(
            actor=town.user("leader"),
            case_id=case.pk,
            regime="people",
            organization=property_team(town),
            mediators=[town.user("grid_worker")],
        )
    assert refused.value.field == "mediators"
    assert not Mediation.objects.exists()


def test_someone_outside_the_jurisdiction_finds_nothing(town):
    case = dispute(town)
    mediation = start(town, case)
    stranger = outsider(town)
    with pytest.raises(Http404):
        mediation_get_for_user(user=stranger, pk=mediation.pk)
    with pytest.raises(Http404):
        services.mediation_session_record(
            actor=stranger,
            mediation_id=mediation.pk,
            held_at=NOW,
            place="西村",
            setting="centre",
            minutes="……",
        )
    assert not MediationSession.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=stranger).exists()



def test_a_refused_mediation_step_stays_on_the_audit_record(town):
    # given a grid worker of the case's own grid, who sees the case but does not mediate it
    case = dispute(town)
    mediation = start(town, case)
    worker = town.user("grid_worker")
    # when they try to record a session
    with pytest.raises(DomainError) as caught:
        services.mediation_session_record(
            actor=worker,
            mediation_id=mediation.pk,
            held_at=NOW,
            place="东村",
            setting="centre",
            minutes="……",
        )
    # then nothing is saved, and the refusal outlives the rolled-back change
    assert caught.value.code == "not_allowed"
    assert not MediationSession.objects.exists()
    assert AuditEvent.objects.filter(
        action="mediation.session", actor=worker, outcome="denied"
    ).exists()

# ------------------------------------------------------------------ sessions
def test_a_session_is_recorded_with_its_scan_and_on_the_timeline(town):
    case = dispute(town)
    mediation = start(town, case)
    parties = list(case.parties.all())
    session = services.mediation_session_record(
        actor=town.user("mediator"),
        mediation_id=mediation.pk,
        held_at=NOW,
        place="东村1组田间",
        setting="on_site",
        minutes="调解员：请双方陈述。\n\n申请人：树挡了我家窗户。",
        parties_present=[p.pk for p in parties],
        others_present="村民小组长 王大爷\n律师 李明",
        attachments=[png("笔录.png")],
    )
    assert set(session.parties_present.all()) == set(parties)
    assert session.others_list() == ["村民小组长 王大爷", "律师 李明"]
    assert MediationAttachment.objects.get().session == session
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.action == "mediation_session"
    assert event.data["files"] == ["笔录.png"]


def test_a_session_dated_before_the_case_was_received_is_refused(town):
    case = dispute(town)
    mediation = start(town, case)
    with pytest.raises(DomainError) as refused:
        services.mediation_session_record(
            actor=town.user("mediator"),
            mediation_id=mediation.pk,
            held_at=case.received_at - dt.timedelta(days=1),
            place="调解室",
            setting="centre",
            minutes="……",
        )
    assert refused.value.code == "before_receipt"
    assert refused.value.field == "held_at"
    assert not MediationSession.objects.exists()


# ------------------------------------------------------------------ agreement
def test_an_agreement_is_numbered_per_year_for_the_town(town):
    first = draft(town, start(town, dispute(town)))
    second = draft(town, start(town, dispute(town, title="第二起纠纷")))
    assert first.number == "（2026）枫桥调字第1号"
    assert second.number == "（2026）枫桥调字第2号"
    assert first.terms.get().recurring == "每年春季修剪一次"


def test_an_agreement_without_terms_is_refused_and_nothing_saved(town):
    mediation = start(town, dispute(town))
    with pytest.raises(DomainError) as refused:
        draft(town, mediation, terms=[])
    assert refused.value.field == "terms"
    assert not Agreement.objects.exists()


def test_an_agreement_without_parties_is_refused_and_nothing_saved(town):
    mediation = start(town, dispute(town))
    with pytest.raises(DomainError) as refused:
        draft(town, mediation, parties=[])
    assert refused.value.field == "parties"
    assert not Agreement.objects.exists()


def test_a_term_without_a_deadline_is_refused_and_names_the_term(town):
    mediation = start(town, dispute(town))
    with pytest.raises(DomainError) as refused:
        draft(town, mediation, terms=[term(), term(due_on=None)])
    assert refused.value.field == "terms.1.due_on"
    assert "2" in refused.value.message
    assert not Agreement.objects.exists()


def test_an_oral_agreement_takes_effect_when_made_and_may_have_no_terms(town):
    mediation = start(town, dispute(town))
    agreement = draft(
        town, mediation, oral=True, terms=[], performance_note="双方口头同意由物业本周内修剪树木。"
    )
    assert agreement.oral and agreement.effective_on == TODAY
    assert agreement.judicial_deadline is None


def test_signatures_of_every_party_and_the_mediator_make_it_effective(town):
    mediation = start(town, dispute(town))
    agreement = draft(town, mediation)
    parties = list(agreement.parties.order_by("id"))
    services.agreement_sign(
        actor=town.user("mediator"), agreement_id=agreement.pk, party=parties[0].pk, signed_on=TODAY
    )
    agreement.refresh_from_db()
    assert agreement.effective_on is None
    later = NOW + dt.timedelta(days=2)
    services.agreement_sign(
        actor=town.user("mediator"),
        agreement_id=agreement.pk,
        party=parties[1].pk,
        signed_on=later.date(),
        attachments=[png("签字页.png")],
        now=later,
    )
    services.agreement_sign(
        actor=town.user("mediator"),
        agreement_id=agreement.pk,
        mediator=town.user("mediator").pk,
        signed_on=later.date(),
        now=later,
    )
    agreement.refresh_from_db()
    assert agreement.effective_on == later.date()
    assert agreement.judicial_deadline == later.date() + dt.timedelta(days=30)
    assert agreement.attachments.get().original_name == "签字页.png"
    with pytest.raises(DomainError):
        draft(town, mediation)  # signed: no more changes


def test_a_party_signs_once(town):
    agreement = draft(town, start(town, dispute(town)))
    party = agreement.parties.first()
    services.agreement_sign(
        actor=town.user("mediator"), agreement_id=agreement.pk, party=party.pk, signed_on=TODAY
    )
    with pytest.raises(DomainError):
        services.agreement_sign(
            actor=town.user("mediator"), agreement_id=agreement.pk, party=party.pk, signed_on=TODAY
        )
    assert AgreementSignature.objects.count() == 1


# ------------------------------------------------------------------ outcome
def test_success_resolves_the_case_in_the_same_step(town):
    case = dispute(town)
    mediation = start(town, case)
    sign_all(town, draft(town, mediation))
    services.mediation_outcome_record(
        actor=town.user("mediator"), mediation_id=mediation.pk, outcome="success", note="达成协议"
    )
    case.refresh_from_db()
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.SUCCEEDED
    assert case.state == State.RESOLVED and case.outcome == Outcome.RESOLVED
    assert actions_of(case)[-1] == "resolve"


def test_success_waits_for_the_signatures_and_nothing_changes(town):
    case = dispute(town)
    mediation = start(town, case)
    draft(town, mediation)
    with pytest.raises(DomainError) as refused:
        services.mediation_outcome_record(
            actor=town.user("mediator"), mediation_id=mediation.pk, outcome="success", note="达成"
        )
    assert refused.value.code == "not_effective"
    assert "赵德福" in refused.value.message
    mediation.refresh_from_db()
    case.refresh_from_db()
    assert mediation.status == MediationStatus.OPEN and case.state == State.IN_PROGRESS


def test_failure_guides_the_parties_and_records_the_case_result(town):
    case = dispute(town)
    mediation = start(town, case)
    with pytest.raises(DomainError) as refused:
        services.mediation_outcome_record(
            actor=town.user("mediator"), mediation_id=mediation.pk, outcome="failure", note="不成"
        )
    assert refused.value.field == "guided_to"
    services.mediation_outcome_record(
        actor=town.user("mediator"),
        mediation_id=mediation.pk,
        outcome="failure",
        note="双方分歧过大，告知可向法院起诉。",
        guided_to="litigation",
    )
    case.refresh_from_db()
    assert case.outcome == Outcome.LITIGATION and case.state == State.RESOLVED


def test_while_a_mediation_is_under_way_the_case_is_not_resolved_directly(town):
    case = dispute(town)
    start(town, case)
    with pytest.raises(DomainError) as refused:
        act(town.user("mediator"), case, "resolve", outcome="resolved", note="直接办结")
    assert "mediation" in refused.value.message.lower() or "调解" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS


# ------------------------------------------------------------------ judicial confirmation
def effective_agreement(town: Any) -> Agreement:
    mediation = start(town, dispute(town))
    agreement = draft(town, mediation)
    sign_all(town, agreement)
    agreement.refresh_from_db()
    return agreement


def test_days_left_and_the_warning_count_calendar_days(town):
    agreement = effective_agreement(town)
    assert judicial_days_left(agreement, TODAY) == 30
    assert not judicial_warning(agreement, TODAY)
    assert judicial_days_left(agreement, TODAY + dt.timedelta(days=23)) == 7
    assert judicial_warning(agreement, TODAY + dt.timedelta(days=23))
    assert not judicial_warning(agreement, TODAY + dt.timedelta(days=31))


def test_an_application_within_30_days_is_recorded_with_its_result(town):
    agreement = effective_agreement(town)
    on = TODAY + dt.timedelta(days=30)
    later = NOW + dt.timedelta(days=30)
    confirmation = judicial.judicial_apply(
        actor=town.user("mediator"),
        agreement_id=agreement.pk,
        applied_on=on,
        court=town.court,
        now=later,
    )
    assert confirmation.court == town.court
    assert not judicial_warning(agreement, on)
    judicial.judicial_result_record(
        actor=town.user("mediator"),
        confirmation_id=confirmation.pk,
        result="confirmed",
        result_on=on,
        now=later,
    )
    confirmation.refresh_from_db()
    assert confirmation.result == "confirmed"


def test_an_application_after_30_days_is_refused_and_nothing_saved(town):
    agreement = effective_agreement(town)
    late = NOW + dt.timedelta(days=31)
    with pytest.raises(DomainError) as refused:
        judicial.judicial_apply(
            actor=town.user("mediator"),
            agreement_id=agreement.pk,
            applied_on=late.date(),
            court=town.court,
            now=late,
        )
    assert refused.value.code == "window_closed"
    assert (TODAY + dt.timedelta(days=30)).isoformat() in refused.value.message
    assert not JudicialConfirmation.objects.exists()


def test_the_window_pass_tells_the_mediators_once(town):
    agreement = effective_agreement(town)
    assert judicial.judicial_window_pass(now=NOW) == 0
    near = NOW + dt.timedelta(days=25)
    assert judicial.judicial_window_pass(now=near) == 1
    assert judicial.judicial_window_pass(now=near + dt.timedelta(hours=1)) == 0
    notice = Notification.objects.get(recipient=town.user("mediator"))
    assert notice.dedupe_key == f"judicial_window:{agreement.pk}"


def test_the_window_pass_is_registered_with_the_scheduled_jobs():
    from fengqiao.jobs.registry import RULE_PASSES

    assert "judicial_window" in dict(RULE_PASSES)


# ------------------------------------------------------------------ routing
def test_the_category_proposes_its_team_and_the_dispatch_form_preselects_it(town):
    team = property_team(town)
    category = CaseCategory.objects.get(code="property")
    CategoryTeam.objects.create(category=category, team=team)
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    assert proposed_team_for(case) == team
    case = act(town.user("intake_clerk"), case, "accept")
    form = ActionForm(
        transition=workflow.ACTIONS["dispatch"], case=case, user=town.user("dispatcher")
    )
    assert form["handler"].value() == f"team:{team.pk}"
    other = new_case(
        town.user("intake_clerk"), town.unit_a1, category=CaseCategory.objects.get(code="debt")
    )
    assert proposed_team_for(other) is None


def test_a_team_given_categories_becomes_their_route_without_overriding_one_set(town):
    land = CaseCategory.objects.get(code="land")
    labour = CaseCategory.objects.get(code="labour")
    chosen = MediationOrganization.objects.create(
        kind=MediationKind.TEAM, name="劳资纠纷调解队", area=town.town
    )
    CategoryTeam.objects.create(category=labour, team=chosen)
    team = MediationOrganization.objects.create(
        kind=MediationKind.TEAM, name="土地纠纷调解队", area=town.town
    )
    team.categories.set([land, labour])
    assert CategoryTeam.objects.get(category=land).team == team
    assert CategoryTeam.objects.get(category=labour).team == chosen


# ------------------------------------------------------------------ documents
def test_the_print_data_carries_the_parties_in_full_and_the_reveal_is_audited(town):
    agreement = effective_agreement(town)
    doc = printing.agreement_print_data(actor=town.user("mediator"), agreement=agreement)
    respondent = agreement.parties.get(role="respondent").person
    printed = {p.name: p for p in doc.parties}
    assert printed["赵德福"].id_number == respondent.id_number
    assert printed["赵德福"].role == "被申请人"
    assert doc.number == agreement.number and doc.copies == 3
    assert doc.terms[0].due.endswith("日")
    assert AuditEvent.objects.filter(action="person.reveal", target_id=str(respondent.pk)).exists()


def test_a_grid_worker_may_not_print_the_agreement(town):
    from django.core.exceptions import PermissionDenied

    agreement = effective_agreement(town)
    with pytest.raises(PermissionDenied):
        printing.agreement_document(actor=town.user("grid_worker"), agreement=agreement, fmt="pdf")
    assert AuditEvent.objects.filter(
        action="access.denied",
        outcome="denied",
        details__what="mediation.agreement_document",
        target_id=str(agreement.pk),
    ).exists()


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_agreement_and_minutes_documents_are_generated_and_audited(town, fmt):
    mediation = start(town, dispute(town))
    session = services.mediation_session_record(
        actor=town.user("mediator"),
        mediation_id=mediation.pk,
        held_at=NOW,
        place="调解室",
        setting="centre",
        minutes="调解员：请陈述。",
    )
    agreement = draft(town, mediation)
    content = printing.agreement_document(actor=town.user("mediator"), agreement=agreement, fmt=fmt)
    minutes = printing.minutes_document(actor=town.user("mediator"), session=session, fmt=fmt)
    magic = b"PK" if fmt == "docx" else b"%PDF"
    assert content.startswith(magic) and minutes.startswith(magic)
    assert AuditEvent.objects.filter(action="mediation.agreement_document").exists()
    assert AuditEvent.objects.filter(action="mediation.minutes_document").exists()


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


def test_an_outsider_gets_a_404_on_the_mediation_pages(town):
    mediation = start(town, dispute(town))
    response = signed_in(outsider(town)).get(f"/mediation/{mediation.pk}/session/")
    assert response.status_code == 404


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


def test_the_api_answers_404_json_outside_the_jurisdiction(town):
    mediation = start(town, dispute(town))
    response = api(outsider(town)).get(f"/api/v1/mediation/{mediation.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_memberships_do_not_leak_between_tests(town):
    # The property team helper is idempotent: one membership for the mediator.
    property_team(town)
    property_team(town)
    assert MediationMembership.objects.filter(user=town.user("mediator")).count() == 1


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


@pytest.mark.django_db(transaction=True)
def test_two_agreements_drafted_at_once_get_different_numbers():
    from tests.conftest import build_town
    from tests.test_case_concurrency import run_together

    town = build_town()
    first = start(town, dispute(town))
    second = start(town, dispute(town, title="第二起纠纷"))
    results = run_together(lambda: draft(town, first), lambda: draft(town, second))
    assert all(isinstance(result, Agreement) for result in results), results
    assert sorted(a.number for a in Agreement.objects.all()) == [
        "（2026）枫桥调字第1号",
        "（2026）枫桥调字第2号",
    ]


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


def test_a_successful_mediation_hands_its_terms_to_the_follow_ups(town):
    from fengqiao.followups.models import FollowUp

    case = dispute(town)
    mediation = start(town, case)
    sign_all(town, draft(town, mediation))
    services.mediation_outcome_record(
        actor=town.user("mediator"), mediation_id=mediation.pk, outcome="success", note="达成协议"
    )
    assert FollowUp.objects.filter(case=case).exists()


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


# ------------------------------------------------------------------ every problem at once
def test_a_session_record_says_every_problem_at_once_and_saves_nothing(town):
    mediation = start(town, dispute(town))

    with pytest.raises(DomainError) as refused:
        services.mediation_session_record(
            actor=town.user("mediator"),
            mediation_id=mediation.pk,
            held_at=NOW,
            place=" ",
            setting="somewhere",
            minutes="",
        )

    assert {problem.field for problem in refused.value.problems} == {
        "place",
        "setting",
        "minutes",
    }
    assert not mediation.sessions.exists()


def test_an_agreement_draft_says_every_problem_at_once_and_saves_nothing(town):
    mediation = start(town, dispute(town))

    with pytest.raises(DomainError) as refused:
        draft(town, mediation, facts="", matters="", terms=[term(content="", due_on=None)])

    assert {problem.field for problem in refused.value.problems} == {
        "facts",
        "matters",
        "terms.0.content",
        "terms.0.due_on",
    }
    assert not Agreement.objects.filter(mediation=mediation).exists()
