"""The demo town's year of cases, mediations, follow-ups and supervision orders, as planned
from the seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from fengqiao.areas.models import Level
from fengqiao.cases import workflow
from fengqiao.cases.models import Channel, Grade, Kind, Outcome, State
from fengqiao.demo import data
from fengqiao.demo.cases import (
    CUTOFF,
    FULL_YEAR,
    OPEN_STATES_SHOWN,
    REFERENCE_NOW,
    SMALL_YEAR,
    STORY_KEY,
    YEAR_START,
    CasePlan,
    Handler,
    SupervisionPlan,
    plan_cases,
)
from fengqiao.demo.cases.plan import (
    SHANGHAI,
    AgreementPlan,
    FollowUpPlan,
    JudicialApplyPlan,
    JudicialResultPlan,
    MediationStartPlan,
    SessionPlan,
    SignaturePlan,
    package_calendar,
)
from fengqiao.demo.generator import TownPlan, build_plan
from fengqiao.followups.models import Satisfaction
from fengqiao.mediation.models import JudicialResult
from fengqiao.supervision.models import OrderState, Origin
from fengqiao.supervision.services import DEFAULT_LEVELS
from fengqiao.workcal.calendar import due_after


# ------------------------------------------------------------ the year of cases
def _disputes(plan: TownPlan) -> list[CasePlan]:
    return [case for case in plan.cases if case.kind == Kind.DISPUTE]


def test_the_year_has_the_shape_of_the_seed(plan: TownPlan) -> None:
    kinds = Counter(case.kind for case in plan.cases)
    disputes = _disputes(plan)

    # 134 disputes received, 129 resolved and closed (96%+)
    assert len(disputes) == 134
    assert sum(case.is_resolved for case in disputes) == 129
    # 2,332 demands from daily logs, 12345 and the other channels, most of them closed
    demands = [case for case in plan.cases if case.kind == Kind.DEMAND]
    assert len(demands) == 2332
    assert sum(case.state == State.CLOSED for case in demands) > 0.9 * len(demands)
    channels = Counter(case.channel for case in demands)
    assert channels.most_common(2)[0][0] in {Channel.DAILY_LOG, Channel.HOTLINE_12345}
    # and consultations, hazards and a few emergencies
    assert kinds[Kind.CONSULTATION] > 0 and kinds[Kind.HAZARD] > 0
    assert 0 < kinds[Kind.EMERGENCY] <= 10


def test_the_year_covers_every_kind_channel_grade_category_and_village(plan: TownPlan) -> None:
    assert {case.kind for case in plan.cases} == set(Kind.values)
    assert {case.channel for case in plan.cases} == set(Channel.values)
    assert {case.category for case in plan.cases} == {code for code, _name in data.CATEGORIES}
    grades = Counter(case.grade for case in _disputes(plan))
    assert set(grades) == set(Grade.values)
    assert grades[Grade.GENERAL] > grades[Grade.IMPORTANT] > grades[Grade.COMPLEX] > 0
    villages = {area.code for area in plan.areas if area.level == Level.VILLAGE}
    assert {case.area_code[: len(data.TOWN_CODE) + 3] for case in plan.cases} == villages
    assert all(case.kind == Kind.DISPUTE or not case.grade for case in plan.cases)


def test_every_case_happens_within_the_demo_year_in_order(plan: TownPlan) -> None:
    for case in plan.cases:
        assert case.received_at.date() >= YEAR_START
        times = [case.received_at, *(step.at for step in case.steps)]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] <= CUTOFF
        records = [record.at for record in case.records]
        assert records == sorted(records)
        assert all(case.received_at < at <= CUTOFF for at in records)


def test_every_step_is_allowed_by_the_lifecycle_table(plan: TownPlan) -> None:
    for case in plan.cases:
        state = State.REPORTED
        for step in case.steps:
            transition = workflow.ACTIONS[step.action]
            assert state in transition.sources, (case.key, step)
            if transition.keeps_state:
                assert step.state == state, (case.key, step)
            else:
                assert step.state in transition.targets, (case.key, step)
            state = step.state


def test_open_cases_stand_in_every_open_state(plan: TownPlan) -> None:
    open_cases = [case for case in plan.cases if case.is_open]
    assert {case.state for case in open_cases} == set(OPEN_STATES_SHOWN)
    assert 20 <= len(open_cases) <= 0.05 * len(plan.cases)
    waiting = [
        case
        for case in open_cases
        if any(step.action == "request_extension" for step in case.steps)
        and not any(
            step.action.endswith("_extension") and step.action != "request_extension"
            for step in case.steps
        )
    ]
    assert 2 <= len(waiting) <= 6


def test_duplicates_are_merged_into_an_earlier_case_still_open(plan: TownPlan) -> None:
    by_key = {case.key: case for case in plan.cases}
    merged = [case for case in plan.cases if case.state == State.MERGED]
    assert merged
    for case in merged:
        (merge,) = case.steps
        target = by_key[merge.target]
        assert target.received_at < case.received_at
        closing = [step.at for step in target.steps if step.state in workflow.TERMINAL_STATES]
        assert not closing or merge.at < closing[0]


def test_the_parties_live_where_the_matter_happened(plan: TownPlan) -> None:
    for case in plan.cases:
        grid = case.area_code[: len(data.TOWN_CODE) + 5]
        for party in case.parties:
            if party.person >= 0:
                assert plan.persons[party.person].area_code.startswith(grid)
            else:
                assert party.organization in {o.name for o in plan.organizations}


def test_the_story_case_follows_the_walkthrough(plan: TownPlan) -> None:
    (story,) = [case for case in plan.cases if case.key == STORY_KEY]
    assert story.title == "万泉佳苑B区杨柳树遮挡采光纠纷"
    assert (story.kind, story.grade, story.category) == (Kind.DISPUTE, Grade.GENERAL, "property")
    assert (story.channel, story.reporter) == (Channel.GRID_REPORT, "grid01")
    assert "杨树、柳树多年未修剪，枝叶遮挡窗户与阳台，采光严重不足" in story.account
    applicant, respondent = story.parties
    assert plan.persons[applicant.person].name == data.STORY_RESIDENT_NAME
    assert respondent.organization == data.PROPERTY_COMPANY_NAME
    assert [(step.actor, step.action) for step in story.steps] == [
        ("clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator01", "acknowledge"),
        ("mediator01", "start"),
        ("mediator01", "resolve"),
        ("clerk", "close"),
    ]
    assert story.steps[1].handler.ref == "物业纠纷调解队"
    assert story.is_resolved
    resolution = story.steps[4].note
    assert "5月25日前" in resolution and "长效养护" in resolution
    assert "回访" in story.steps[5].note
    assert [type(record).__name__ for record in story.records] == [
        "MediationStartPlan",
        "SessionPlan",
        "AgreementPlan",
        "SignaturePlan",
        "SignaturePlan",
        "SignaturePlan",
        "FollowUpPlan",
        "FollowUpPlan",
        "FollowUpPlan",
    ]


def _records(case: CasePlan, kind: type) -> list:
    return [record for record in case.records if isinstance(record, kind)]


def test_disputes_settled_by_a_committee_or_team_are_mediated_to_an_agreement(
    plan: TownPlan,
) -> None:
    disputes = _disputes(plan)
    mediated = [case for case in disputes if _records(case, MediationStartPlan)]
    agreements = [a for case in disputes for a in _records(case, AgreementPlan)]
    # most resolved disputes go through a committee or a specialised team
    assert 50 <= len(mediated) <= 110
    assert 50 <= len(agreements) <= 110
    oral = [agreement for agreement in agreements if agreement.oral]
    assert 5 <= len(oral) < len(agreements) / 2
    assert all(not a.terms and a.performance_note for a in oral)
    for case in mediated:
        sessions = _records(case, SessionPlan)
        assert sessions and all(s.place and s.minutes and s.held_at < s.at for s in sessions)
        roles = {party.role for party in case.parties}
        for agreement in _records(case, AgreementPlan):
            assert all(
                term.obligor in roles and term.due_on >= agreement.made_on
                for term in agreement.terms
            )
        signed = _records(case, SignaturePlan)
        written = [a for a in _records(case, AgreementPlan) if not a.oral]
        assert len(signed) == len(written) * (len(roles) + 1)
    # disputes guided elsewhere are not mediated here
    guided = [
        case for case in disputes if case.outcome in {Outcome.LITIGATION, Outcome.ARBITRATION}
    ]
    assert guided and not any(
        case.records and _records(case, MediationStartPlan) for case in guided
    )


def test_open_disputes_in_mediation_have_sessions_but_no_agreement(small_year: TownPlan) -> None:
    under_way = [
        case
        for case in _disputes(small_year)
        if case.is_open and case.state != State.RESOLVED and _records(case, MediationStartPlan)
    ]
    assert under_way
    for case in under_way:
        assert _records(case, SessionPlan)
        assert not _records(case, AgreementPlan) and not _records(case, SignaturePlan)


def test_a_few_agreements_go_to_court_for_confirmation_one_withdrawn(plan: TownPlan) -> None:
    results = [r.result for case in plan.cases for r in _records(case, JudicialResultPlan)]
    applications = [a for case in plan.cases for a in _records(case, JudicialApplyPlan)]
    assert len(applications) == len(results) >= 2
    assert results.count(JudicialResult.WITHDRAWN) == 1
    assert set(results) == {JudicialResult.WITHDRAWN, JudicialResult.CONFIRMED}


def test_one_agreement_s_judicial_window_closes_in_the_week_after_now(plan: TownPlan) -> None:
    today = REFERENCE_NOW.date()
    closing = [
        (case, agreement)
        for case in plan.cases
        for agreement in _records(case, AgreementPlan)
        if not agreement.oral and 0 <= (agreement.made_on + dt.timedelta(days=30) - today).days <= 7
    ]
    assert len(closing) == 1
    case, _agreement = closing[0]
    # resolved and still awaiting its 30-day follow-up: not closed, counted as resolved
    assert case.state == State.RESOLVED and case.is_resolved
    assert not _records(case, JudicialApplyPlan)


def test_follow_ups_are_varied_and_done_before_closing(plan: TownPlan) -> None:
    followups = [f for case in plan.cases for f in _records(case, FollowUpPlan)]
    reached = [f for f in followups if f.reached]
    satisfaction = Counter(f.satisfaction for f in reached)
    assert satisfaction[Satisfaction.SATISFIED] > 0.7 * len(reached)
    assert satisfaction[Satisfaction.BASICALLY_SATISFIED] > 0.05 * len(reached)
    assert satisfaction[Satisfaction.DISSATISFIED] == 1
    assert sum(not f.performed for f in followups) == 1
    unreached = [f for f in followups if not f.reached]
    assert 0 < len(unreached) < 0.06 * len(followups)
    for case in plan.cases:
        if any(step.action == "close" for step in case.steps):
            closed = max(step.at for step in case.steps if step.action == "close")
            assert all(f.at < closed for f in _records(case, FollowUpPlan))
    # a party not reached is called again and reached
    for miss in unreached:
        case = next(c for c in plan.cases if miss in c.records)
        later = case.records[case.records.index(miss) + 1 :]
        assert (
            any(
                isinstance(r, FollowUpPlan) and r.reached and r.scheduled_on == miss.scheduled_on
                for r in later
            )
            or later == ()
        )


def test_a_follow_up_that_finds_the_agreement_not_kept_reopens_the_case(plan: TownPlan) -> None:
    reopened = [case for case in _disputes(plan) if any(s.action == "reopen" for s in case.steps)]
    assert len(reopened) == 2
    for case in reopened:
        (reopen,) = [step for step in case.steps if step.action == "reopen"]
        failing = [
            f
            for f in _records(case, FollowUpPlan)
            if f.at < reopen.at and (not f.performed or f.satisfaction == Satisfaction.DISSATISFIED)
        ]
        assert len(failing) == 1 and reopen.actor == "leader"
        # mediated again, resolved and closed
        assert [s.action for s in case.steps if s.at > reopen.at] == ["resolve", "close"]
        assert case.is_resolved and case.state == State.CLOSED


# ------------------------------------------------------------ supervision (督办)
REPLY_DAYS = {code: days for code, _name, _rank, days, _colour in DEFAULT_LEVELS}
LEVEL_ORDER = [code for code, *_rest in sorted(DEFAULT_LEVELS, key=lambda level: level[2])]
HANDLED = {State.DISPATCHED, State.ACKNOWLEDGED, State.IN_PROGRESS, State.SUSPENDED}


def _orders(plan: TownPlan, origin: str) -> list[SupervisionPlan]:
    return [order for order in plan.supervision if order.origin == origin]


def _handler_at(case: CasePlan, moment: dt.datetime) -> tuple[Handler | None, str]:
    """Who handles the case at `moment`, and its state then, read from its steps."""
    handler, state = None, State.REPORTED
    for step in case.steps:
        if step.at > moment:
            break
        if step.action in {"dispatch", "reassign"}:
            handler = step.handler
        elif step.action == "transfer":
            handler = Handler("agency", step.agency)
        elif step.action in {"return", "escalate"}:
            handler = None
        state = step.state
    return handler, state


def test_supervision_is_drawn_apart_and_the_same_seed_gives_the_same_orders(
    small_year: TownPlan,
) -> None:
    # given / when
    again, other = build_plan(2026, cases=SMALL_YEAR), build_plan(12, cases=SMALL_YEAR)

    # then
    assert small_year.supervision and small_year.supervision == again.supervision
    assert small_year.supervision != other.supervision
    # the orders have a generator of their own: the cases are drawn as without them
    town = build_plan(2026, cases=None)
    assert small_year.cases == plan_cases(town, seed=2026, volume=SMALL_YEAR)


def test_the_leader_supervises_a_few_dozen_disputes_and_demands_at_three_levels(
    plan: TownPlan,
) -> None:
    cases = {case.key: case for case in plan.cases}
    orders = _orders(plan, Origin.LEADER)

    assert len(orders) == FULL_YEAR.leader_orders
    levels = Counter(order.level for order in orders)
    assert levels["general"] > levels["key"] > levels["listed"] > 0
    assert len({order.case for order in orders}) == len(orders)
    assert STORY_KEY not in {order.case for order in orders}
    assert {cases[order.case].kind for order in orders} == {Kind.DISPUTE, Kind.DEMAND}
    for order in orders:
        case = cases[order.case]
        if case.kind == Kind.DISPUTE:
            grades = {case.grade} | {s.grade for s in case.steps if s.action == "regrade"}
            assert grades & {Grade.IMPORTANT, Grade.COMPLEX}
        assert order.matter.startswith(case.title) and order.instruction
        # raised on a working day, to whoever handles the case then
        handler, state = _handler_at(case, order.raised_at)
        assert order.target == handler and state in HANDLED | {State.TRANSFERRED}
        local = order.raised_at.astimezone(SHANGHAI)
        assert package_calendar().is_working_day(local.date()) and 9 <= local.hour < 18
        days = REPLY_DAYS[order.level]
        assert order.reply_due_at == due_after(package_calendar(), order.raised_at, days).due_at
    assert any(order.assisting_teams for order in orders)
    assert any(order.assisting_agencies for order in orders)
    assert any(not (order.assisting_teams or order.assisting_agencies) for order in orders)


def test_most_orders_are_answered_in_time_a_few_late_after_escalating_two_withdrawn(
    plan: TownPlan,
) -> None:
    cases = {case.key: case for case in plan.cases}
    orders = _orders(plan, Origin.LEADER)

    states = Counter(order.state for order in orders)
    assert states[OrderState.CLOSED] > 0.75 * len(orders)
    assert states[OrderState.WITHDRAWN] == 2
    late = [order for order in orders if order.escalations]
    assert len(late) == 3 and max(len(order.escalations) for order in late) == 2
    for order in orders:
        times = [step.at for step in order.steps]
        assert times == sorted(times)
        assert all(order.raised_at < moment <= CUTOFF for moment in times)
        actions = [step.action for step in order.steps if step.action not in {"escalate"}]
        reply = next((step for step in order.steps if step.action == "reply"), None)
        if order.state == OrderState.CLOSED:
            assert actions == ["reply", "close"] and reply is not None and reply.text
            assert reply.actor != "leader" or order.target.kind == "agency"
            assert (reply.at <= order.reply_due_at) == (not order.escalations)
        if order.state == OrderState.WITHDRAWN:
            # the case was settled before the reply was due
            (withdraw,) = order.steps
            result = next(s for s in cases[order.case].steps if s.action == "resolve")
            assert order.raised_at < result.at < withdraw.at < order.reply_due_at
            assert withdraw.actor == "leader" and withdraw.text
        # each missed reply moves the order a level up at the next escalation pass
        due, level = order.reply_due_at, order.level
        for step in order.escalations:
            assert dt.timedelta(0) < step.at - due <= dt.timedelta(minutes=5)
            assert step.level == LEVEL_ORDER[LEVEL_ORDER.index(level) + 1]
            due, level = step.reply_due_at, step.level
            assert due == due_after(package_calendar(), step.at, REPLY_DAYS[level]).due_at


@pytest.mark.parametrize("year", ["plan", "small_year"])
def test_at_the_cut_off_orders_await_a_reply_one_overdue_and_one_awaits_review(
    year: str, request: pytest.FixtureRequest
) -> None:
    plan: TownPlan = request.getfixturevalue(year)
    cases = {case.key: case for case in plan.cases}
    orders = _orders(plan, Origin.LEADER)

    waiting = [order for order in orders if order.state == OrderState.OPEN]
    assert any(order.due_now > REFERENCE_NOW for order in waiting)
    # overdue at the demo's "now", and not yet escalated: its deadline passed after the cut-off
    assert any(CUTOFF < order.due_now < REFERENCE_NOW for order in waiting)
    replied = [order for order in orders if order.state == OrderState.REPLIED]
    assert replied
    for order in waiting + replied:
        assert cases[order.case].is_open


def test_the_sweep_raises_an_order_the_minute_a_case_s_deadline_has_passed(
    plan: TownPlan,
) -> None:
    cases = {case.key: case for case in plan.cases}
    orders = _orders(plan, Origin.OVERDUE)

    assert len(orders) > 100
    deadlines = [(order.case, order.case_due_at) for order in orders]
    assert len(set(deadlines)) == len(deadlines)
    for order in orders:
        assert order.case_due_at is not None
        assert order.case_due_at < order.raised_at <= CUTOFF
        assert order.raised_at.second == 0 and order.level == "general" and not order.matter
        case = cases[order.case]
        assert case.received_at < order.raised_at
        handler, state = _handler_at(case, order.raised_at)
        assert order.target == handler
        assert state not in {State.SUSPENDED, State.RESOLVED} | workflow.TERMINAL_STATES
    # the lead unit answers, mostly in time; the leader reviews and closes
    states = Counter(order.state for order in orders)
    assert states[OrderState.CLOSED] > 0.9 * len(orders)
    escalated = [order for order in orders if order.escalations]
    assert 0 < len(escalated) < 0.1 * len(orders)
