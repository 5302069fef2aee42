"""Mediation under three regimes through the services: the record, sessions, the agreement
with its terms and signatures, the outcome that resolves the case, every problem at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import CaseEvent, Outcome, State
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation import services
from fengqiao.mediation.models import (
    Agreement,
    AgreementSignature,
    Mediation,
    MediationAttachment,
    MediationSession,
    MediationStatus,
)
from fengqiao.mediation.selectors import mediation_get_for_user
from fengqiao.orgs.models import MediationMembership
from tests.fixtures import (
    NOW,
    TODAY,
    act,
    build_town,
    case_in_state,
    dispute,
    draft,
    new_case,
    png,
    property_team,
    run_together,
    sign_all,
    start,
    term,
)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def actions_of(case: Any) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("sequence").values_list("action", flat=True)
    )


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


def test_someone_outside_the_jurisdiction_finds_nothing(town, grid_worker_b):
    case = dispute(town)
    mediation = start(town, case)
    stranger = grid_worker_b
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


def test_memberships_do_not_leak_between_tests(town):
    # The property team helper is idempotent: one membership for the mediator.
    property_team(town)
    property_team(town)
    assert MediationMembership.objects.filter(user=town.user("mediator")).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_agreements_drafted_at_once_get_different_numbers():

    town = build_town()
    first = start(town, dispute(town))
    second = start(town, dispute(town, title="第二起纠纷"))
    results = run_together(lambda: draft(town, first), lambda: draft(town, second))
    assert all(isinstance(result, Agreement) for result in results), results
    assert sorted(a.number for a in Agreement.objects.all()) == [
        "（2026）枫桥调字第1号",
        "（2026）枫桥调字第2号",
    ]


def test_a_successful_mediation_hands_its_terms_to_the_follow_ups(town):
    from fengqiao.followups.models import FollowUp

    case = dispute(town)
    mediation = start(town, case)
    sign_all(town, draft(town, mediation))
    services.mediation_outcome_record(
        actor=town.user("mediator"), mediation_id=mediation.pk, outcome="success", note="达成协议"
    )
    assert FollowUp.objects.filter(case=case).exists()


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
