"""The planned year played through the case, mediation, follow-up and supervision services."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify
from fengqiao.cases.models import Case, CaseEvent, Kind, Outcome, State
from fengqiao.cases.selectors import overdue_q
from fengqiao.demo import data
from fengqiao.demo.cases import CUTOFF, OPEN_STATES_SHOWN, REFERENCE_NOW, SMALL_YEAR
from fengqiao.demo.cases.plan import (
    AgreementPlan,
    FollowUpPlan,
    MediationStartPlan,
    SessionPlan,
    SignaturePlan,
)
from fengqiao.demo.generator import TownPlan, write_plan
from fengqiao.followups.models import (
    FollowUp,
    FollowUpAttempt,
    Method,
    Result,
    Satisfaction,
    Status,
)
from fengqiao.followups.selectors import followup_counts
from fengqiao.mediation.models import (
    Agreement,
    AgreementSignature,
    Mediation,
    MediationSession,
    MediationStatus,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import judicial_warning
from fengqiao.supervision import selectors as supervision_selectors
from fengqiao.supervision.models import OrderState, Origin, SupervisionOrder
from fengqiao.supervision.services import supervision_escalate_missed
from tests.fixtures import DEMO_PASSWORD


@pytest.mark.django_db
def test_write_plan_plays_every_case_through_the_services(small_year: TownPlan) -> None:
    # when
    counts = write_plan(small_year, password=DEMO_PASSWORD)

    # then every planned case is there, in its planned state, in the order of receipt
    assert counts["cases"] == len(small_year.cases) == Case.objects.count()
    stored = list(Case.objects.order_by("id"))
    for planned, case in zip(small_year.cases, stored, strict=True):
        assert (case.title, case.kind, case.state) == (planned.title, planned.kind, planned.state)
        assert case.received_at == planned.received_at
        assert case.is_open == planned.is_open
    # and everyone told of an emergency has said "I have it", minutes later
    from fengqiao.emergency.models import EmergencyAcknowledgement

    told = EmergencyAcknowledgement.objects.select_related("dispatch__case")
    assert told.exists()
    for row in told:
        assert row.acknowledged_at is not None
        assert (
            dt.timedelta(0)
            < row.acknowledged_at - row.dispatch.case.received_at
            < dt.timedelta(minutes=30)
        )
    disputes = Case.objects.filter(kind=Kind.DISPUTE)
    assert disputes.count() == SMALL_YEAR.disputes
    resolved = disputes.filter(state__in=[State.RESOLVED, State.CLOSED], outcome=Outcome.RESOLVED)
    assert resolved.count() == SMALL_YEAR.disputes_resolved

    # the mediation records and follow-ups, as planned
    planned = [record for case in small_year.cases for record in case.records]

    def count(kind: type) -> int:
        return sum(isinstance(record, kind) for record in planned)

    assert Mediation.objects.count() == count(MediationStartPlan) > 0
    assert MediationSession.objects.count() == count(SessionPlan)
    assert Agreement.objects.count() == count(AgreementPlan)
    assert AgreementSignature.objects.count() == count(SignaturePlan)
    assert FollowUpAttempt.objects.count() == count(FollowUpPlan)
    # every written agreement took effect; every mediation concluded ended in success
    assert not Agreement.objects.filter(effective_on__isnull=True).exists()
    assert not Mediation.objects.exclude(
        status__in=[MediationStatus.SUCCEEDED, MediationStatus.OPEN]
    ).exists()
    under_way = Mediation.objects.filter(status=MediationStatus.OPEN)
    assert under_way.exists()
    for mediation in under_way:
        assert mediation.case.is_open and mediation.sessions.exists()
        assert not Agreement.objects.filter(mediation=mediation).exists()
    # closed cases have every follow-up done (or cancelled by a reopening)
    assert not FollowUp.objects.filter(case__state=State.CLOSED, status=Status.SCHEDULED).exists()

    # each timeline replays, step by step, into the case's current state
    steps: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "sequence"):
        steps.setdefault(event.case_id, []).append(event)
    for case in stored:
        state = ""
        for number, event in enumerate(steps[case.pk], start=1):
            assert (event.sequence, event.from_state) == (number, state)
            state = event.to_state
        assert state == case.state
        times = [event.at for event in steps[case.pk]]
        assert times == sorted(times)

    # open cases stand in every open state; some are overdue, some due soon, some wait
    open_states = set(Case.objects.filter(is_open=True).values_list("state", flat=True))
    assert open_states == set(OPEN_STATES_SHOWN)
    assert Case.objects.filter(overdue_q(REFERENCE_NOW)).exists()
    soon = REFERENCE_NOW + dt.timedelta(days=7)
    assert Case.objects.filter(
        is_open=True, milestone_met_at__isnull=True, due_at__gt=REFERENCE_NOW, due_at__lt=soon
    ).exists()
    assert Case.objects.filter(extension_requested_days__isnull=False).exists()
    assert AuditEvent.objects.get(action="demo.seed").details["cases"] == len(small_year.cases)

    # the follow-up queue has work at "now", and one agreement's judicial window is closing
    leader = User.objects.get(username="leader")
    today = REFERENCE_NOW.date()
    counts = followup_counts(user=leader, today=today)
    assert counts["overdue"] + counts["today"] > 0
    warned = [a for a in Agreement.objects.all() if judicial_warning(a, today)]
    assert len(warned) == 1
    assert warned[0].mediation.case.state == State.RESOLVED


@pytest.mark.django_db
def test_the_story_case_is_stored_with_its_timeline(small_year: TownPlan) -> None:
    # when
    write_plan(small_year, password=DEMO_PASSWORD)

    # then
    story = Case.objects.get(title="万泉佳苑B区杨柳树遮挡采光纠纷")
    assert story.reported_by.username == "grid01"
    assert story.area.name == data.STORY_UNIT_NAME
    assert story.handler_team.name == "物业纠纷调解队"
    assert (story.state, story.outcome, story.on_time) == (State.CLOSED, Outcome.RESOLVED, True)
    parties = {party.role: str(party) for party in story.parties.all()}
    assert parties == {
        "applicant": data.STORY_RESIDENT_NAME,
        "respondent": data.PROPERTY_COMPANY_NAME,
    }
    timeline = [
        (event.actor.username, event.action, event.to_state)
        for event in story.events.select_related("actor").order_by("sequence")
    ]
    assert timeline == [
        ("grid01", "report", State.REPORTED),
        ("clerk", "accept", State.ACCEPTED),
        ("dispatcher", "dispatch", State.DISPATCHED),
        ("mediator01", "acknowledge", State.ACKNOWLEDGED),
        ("mediator01", "start", State.IN_PROGRESS),
        ("mediator01", "mediation_start", State.IN_PROGRESS),
        ("mediator01", "mediation_session", State.IN_PROGRESS),
        ("mediator01", "agreement_draft", State.IN_PROGRESS),
        ("mediator01", "agreement_sign", State.IN_PROGRESS),
        ("mediator01", "agreement_sign", State.IN_PROGRESS),
        ("mediator01", "agreement_sign", State.IN_PROGRESS),
        ("mediator01", "resolve", State.RESOLVED),
        ("grid01", "followup_kept", State.RESOLVED),
        ("grid01", "followup_kept", State.RESOLVED),
        ("grid01", "followup_kept", State.RESOLVED),
        ("clerk", "close", State.CLOSED),
    ]
    first, *_middle, last = story.events.order_by("sequence")
    assert first.at.date() == dt.date(2026, 5, 11)
    assert last.at.date() == dt.date(2026, 6, 15)

    # the on-site session, with the dialogue in its minutes
    mediation = story.mediations.get()
    assert (mediation.regime, mediation.status) == (Regime.PEOPLE, MediationStatus.SUCCEEDED)
    assert mediation.organization.name == "物业纠纷调解队"
    assert [user.username for user in mediation.mediators.all()] == ["mediator01"]
    (session,) = mediation.sessions.all()
    assert session.setting == Setting.ON_SITE
    assert session.place == "万泉佳苑B区3号楼前"
    assert "田秀兰：同意。" in session.minutes and "屋里也得开灯" in session.minutes
    assert set(session.parties_present.all()) == set(story.parties.all())

    # the agreement: the company prunes by 25 May, then trims every spring and autumn
    agreement = mediation.agreement
    assert not agreement.oral
    (term,) = agreement.terms.all()
    assert str(term.obligor) == data.PROPERTY_COMPANY_NAME
    assert term.due_on == dt.date(2026, 5, 25)
    assert "杨树、柳树" in term.content and "春、秋两季" in term.recurring
    signers = {str(s.party or s.mediator.username) for s in agreement.signatures.all()}
    assert signers == {data.STORY_RESIDENT_NAME, data.PROPERTY_COMPANY_NAME, "mediator01"}
    assert agreement.effective_on == dt.date(2026, 5, 13)
    assert agreement.judicial_deadline == dt.date(2026, 6, 12)

    # followed up on the policy's days; the visit after the deadline finds the trees pruned
    followups = list(story.followups.order_by("scheduled_on", "id"))
    assert [(f.scheduled_on, f.status, f.result) for f in followups] == [
        (dt.date(2026, 5, 20), Status.DONE, Result.KEPT),
        (dt.date(2026, 5, 25), Status.DONE, Result.KEPT),
        (dt.date(2026, 6, 12), Status.DONE, Result.KEPT),
    ]
    visit = followups[1].attempt_rows.get()
    assert visit.by.username == "grid01" and visit.at.date() == dt.date(2026, 5, 26)
    assert (visit.method, visit.reached, visit.satisfaction) == (
        Method.HOME_VISIT,
        True,
        Satisfaction.SATISFIED,
    )
    assert list(visit.term_checks.values_list("performed", flat=True)) == [True]
    assert "亮堂" in visit.notes


@pytest.mark.django_db
def test_write_plan_plays_the_supervision_orders_through_the_services(
    small_year: TownPlan,
) -> None:
    # when
    write_plan(small_year, password=DEMO_PASSWORD)

    # then every planned order is stored as planned
    planned = small_year.supervision
    case_ids = {
        case.key: pk
        for case, pk in zip(
            small_year.cases, Case.objects.order_by("id").values_list("pk", flat=True), strict=True
        )
    }
    orders = SupervisionOrder.objects.select_related("level", "issued_by", "replied_by")
    stored = {(order.case_id, order.issued_at, order.origin): order for order in orders}
    assert len(stored) == len(planned)
    for order in planned:
        found = stored[(case_ids[order.case], order.raised_at, order.origin)]
        levels = [step.level for step in order.escalations] or [order.level]
        assert (found.state, found.level.code) == (order.state, levels[-1])
        assert (found.reply_due_at, found.escalation_count) == (
            order.due_now,
            len(order.escalations),
        )
        reply = next((step for step in order.steps if step.action == "reply"), None)
        if reply is not None:
            assert found.reply_text == reply.text
            assert found.replied_by.username == reply.actor
        if order.origin == Origin.LEADER:
            assert found.issued_by.username == "leader" and found.matter == order.matter
        else:
            assert found.issued_by is None and found.case_due_at == order.case_due_at

    # in every state: awaiting a reply, one of them overdue at "now", replied and awaiting
    # review, closed, withdrawn with a reason; escalated and answered late
    assert set(orders.values_list("state", flat=True)) == set(OrderState.values)
    assert orders.filter(state=OrderState.OPEN, reply_due_at__gt=REFERENCE_NOW).exists()
    assert orders.filter(supervision_selectors.overdue_q(REFERENCE_NOW)).exists()
    assert orders.filter(state=OrderState.WITHDRAWN).exclude(withdraw_reason="").exists()
    assert orders.filter(escalation_count__gte=1, replied_on_time=False).exists()
    assert orders.filter(state=OrderState.CLOSED).exclude(review_text="").exists()

    # the sweep's orders: one per case and deadline, on every case whose deadline passed
    automatic = orders.filter(origin=Origin.OVERDUE)
    deadlines = list(automatic.values_list("case_id", "case_due_at"))
    assert deadlines and len(set(deadlines)) == len(deadlines)
    late = set(Case.objects.filter(on_time=False).values_list("pk", flat=True))
    assert late and late <= {case_id for case_id, _due in deadlines}
    # so the sweep and the escalation pass, run at the cut-off, find nothing left to do
    from fengqiao.jobs.deadlines import deadline_sweep

    deadline_sweep(now=CUTOFF)
    assert SupervisionOrder.objects.count() == len(planned)
    assert supervision_escalate_missed(now=CUTOFF) == {"escalated": 0, "overdue": 0}

    # each order is on its case's timeline and in the audit trail, whose chain holds
    raised = CaseEvent.objects.filter(action="supervision_raised")
    assert raised.count() == AuditEvent.objects.filter(action="supervision.raise").count()
    assert raised.count() == len(planned)
    assert not raised.filter(actor__isnull=False).exclude(actor__username="leader").exists()
    assert audit_chain_verify() == []
