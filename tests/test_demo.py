"""The demo town 万泉镇 and its year of cases: a plan that depends only on its seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django.fixtures import Settings

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.areas.models import PATH_WIDTH, Area, Level
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify
from fengqiao.cases import workflow
from fengqiao.cases.models import Case, CaseEvent, Channel, Grade, Kind, Outcome, State
from fengqiao.cases.selectors import overdue_q
from fengqiao.core.identifiers import (
    id_birth_date,
    id_is_male,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
)
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
from fengqiao.demo.generator import DEMO_ACCOUNTS, TownPlan, build_plan, write_plan
from fengqiao.demo.management.commands.seed_demo import (
    case_summary,
    generate_password,
    supervision_summary,
)
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
    JudicialResult,
    Mediation,
    MediationSession,
    MediationStatus,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import judicial_warning
from fengqiao.orgs.models import MediationMembership, MediationOrganization, MembershipRole
from fengqiao.people.models import Gender, Organization, Person
from fengqiao.people.services import id_digest
from fengqiao.supervision import selectors as supervision_selectors
from fengqiao.supervision.models import OrderState, Origin, SupervisionOrder
from fengqiao.supervision.services import DEFAULT_LEVELS, supervision_escalate_missed
from fengqiao.workcal.calendar import due_after

PASSWORD = "Demo-pass-2026"


@pytest.fixture(scope="module")
def plan() -> TownPlan:
    return build_plan(2026)


@pytest.fixture(scope="module")
def town_only() -> TownPlan:
    return build_plan(2026, cases=None)


@pytest.fixture(scope="module")
def small_year() -> TownPlan:
    return build_plan(2026, cases=SMALL_YEAR)


def _areas(plan: TownPlan, level: int) -> list:
    return [area for area in plan.areas if area.level == level]


# ---------------------------------------------------------------- the plan
def test_the_same_seed_gives_the_same_town() -> None:
    # given / when
    first, second = build_plan(11), build_plan(11)

    # then
    assert first == second


def test_another_seed_gives_other_residents_and_cases() -> None:
    first, second = build_plan(11, cases=SMALL_YEAR), build_plan(12, cases=SMALL_YEAR)
    assert first.persons != second.persons
    assert first.cases != second.cases


def test_the_same_seed_gives_the_same_mediations_and_follow_ups() -> None:
    # given / when
    first, second = build_plan(11, cases=SMALL_YEAR), build_plan(11, cases=SMALL_YEAR)
    other = build_plan(12, cases=SMALL_YEAR)

    # then
    records = [case.records for case in first.cases]
    assert any(records)
    assert records == [case.records for case in second.cases]
    assert records != [case.records for case in other.cases]


def test_the_cases_leave_the_town_as_it_is(plan: TownPlan, town_only: TownPlan) -> None:
    assert dataclasses.replace(plan, cases=(), supervision=()) == town_only


def test_the_tree_has_eight_villages_of_five_grids_of_ten_units(plan: TownPlan) -> None:
    assert len(_areas(plan, Level.TOWN)) == 1
    assert len(_areas(plan, Level.VILLAGE)) == 8
    assert len(_areas(plan, Level.GRID)) == 40
    assert len(_areas(plan, Level.UNIT)) == 400
    villages = [area.name for area in _areas(plan, Level.VILLAGE)]
    assert villages[0] == "万泉佳苑社区"
    assert {"小召湾村", "红旗社区"} <= set(villages)
    assert any(name.endswith("村") for name in villages)
    assert any(name.endswith("社区") for name in villages)
    assert "小召湾村第一网格" in {area.name for area in _areas(plan, Level.GRID)}


def test_every_code_extends_its_parents_code(plan: TownPlan) -> None:
    codes = [area.code for area in plan.areas]
    assert len(set(codes)) == len(codes)
    for area in plan.areas:
        if area.parent_code is not None:
            assert area.code.startswith(area.parent_code)
    assert "150291100201" in codes


def test_the_story_unit_is_in_the_first_grid_of_the_estate(plan: TownPlan) -> None:
    by_code = {area.code: area for area in plan.areas}
    (unit,) = [area for area in plan.areas if area.name == data.STORY_UNIT_NAME]
    grid = by_code[unit.parent_code]
    assert grid.name == "万泉佳苑社区第一网格"


def test_every_id_number_is_valid_unique_and_agrees_with_the_person(plan: TownPlan) -> None:
    numbers = [person.id_number for person in plan.persons]
    assert len(set(numbers)) == len(numbers)
    for person in plan.persons:
        assert normalise_id_number(person.id_number) == person.id_number
        assert person.id_number.startswith("150291")
        assert id_birth_date(person.id_number) == person.birth_date
        assert id_is_male(person.id_number) == (person.gender == Gender.MALE)
        assert 1940 <= person.birth_date.year <= 2006


def test_every_phone_is_a_valid_unique_mobile(plan: TownPlan) -> None:
    phones = [person.phone for person in plan.persons if person.phone]
    phones += [contact.mobile for agency in plan.agencies for contact in agency.contacts]
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert normalise_phone(phone) == phone
        assert len(phone) == 11


def test_about_two_thousand_residents_live_in_units(plan: TownPlan) -> None:
    unit_codes = {area.code for area in _areas(plan, Level.UNIT)}
    assert 1800 <= len(plan.persons) <= 2200
    assert {person.area_code for person in plan.persons} == unit_codes
    ethnicities = Counter(person.ethnicity for person in plan.persons)
    assert ethnicities.most_common(1)[0][0] == "汉族"
    assert {"蒙古族", "回族", "满族"} <= set(ethnicities)


def test_the_story_resident_lives_alone_under_her_name_in_the_b_courtyard(
    plan: TownPlan,
) -> None:
    (unit,) = [area for area in plan.areas if area.name == data.STORY_UNIT_NAME]
    (tian,) = [person for person in plan.persons if person.name == data.STORY_RESIDENT_NAME]
    assert tian.area_code == unit.code
    assert data.STORY_UNIT_NAME in tian.address


def test_the_organisations_have_valid_credit_codes(plan: TownPlan) -> None:
    assert plan.organizations[0].name == data.PROPERTY_COMPANY_NAME
    codes = [organization.credit_code for organization in plan.organizations]
    assert len(set(codes)) == len(codes)
    for organization in plan.organizations:
        assert normalise_credit_code(organization.credit_code) == organization.credit_code
    # every community has its property company
    names = {organization.name for organization in plan.organizations}
    assert {name for name, *_rest in data.OTHER_PROPERTY_COMPANIES} <= names


# ------------------------------------------------------------ the accounts
def test_the_documented_accounts() -> None:
    usernames = [account.username for account in DEMO_ACCOUNTS]
    assert len(set(usernames)) == len(usernames) == 48
    expected = {
        "leader", "clerk", "clerk02", "dispatcher",
        *(f"mediator{n:02d}" for n in range(1, 9)),
        *(f"grid{n:02d}" for n in range(1, 17)),
        *(f"unit{n:02d}" for n in range(1, 4)),
        *(f"cadre{n:02d}" for n in range(1, 9)),
        "liaison_court", "liaison_police", "liaison_judicial", "liaison_petition",
        "liaison_labour", "liaison_12345", "sysadmin", "secadmin", "auditadmin",
    }  # fmt: skip
    assert set(usernames) == expected
    roles = Counter(account.role for account in DEMO_ACCOUNTS)
    assert roles[Role.MEDIATOR] == 8
    assert roles[Role.GRID_WORKER] == 16
    assert roles[Role.VILLAGE_CADRE] == 8
    assert roles[Role.AGENCY_LIAISON] == 6
    assert all(account.full_name for account in DEMO_ACCOUNTS)


def test_grid_workers_follow_the_grids_in_village_order() -> None:
    by_username = {account.username: account for account in DEMO_ACCOUNTS}
    assert by_username["grid01"].home_area_name == "万泉佳苑社区第一网格"
    assert by_username["grid02"].home_area_name == "万泉佳苑社区第二网格"
    assert by_username["grid06"].home_area_name == "小召湾村第一网格"
    assert by_username["unit02"].home_area_name == data.STORY_UNIT_NAME
    assert by_username["mediator01"].mediation_organization == "物业纠纷调解队"


def test_the_generated_password_passes_the_validators() -> None:
    password = generate_password()
    validate_password(password)


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


def test_the_summary_line_counts_the_cases(plan: TownPlan) -> None:
    line = case_summary(plan.cases)
    assert str(len(plan.cases)) in line and "129" in line and "2332" in line


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


def test_the_summary_line_counts_the_supervision_orders(plan: TownPlan) -> None:
    line = supervision_summary(plan.supervision)
    assert str(len(plan.supervision)) in line and str(FULL_YEAR.leader_orders) in line


@pytest.mark.django_db
def test_write_plan_plays_every_case_through_the_services(small_year: TownPlan) -> None:
    # when
    counts = write_plan(small_year, password=PASSWORD)

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
    write_plan(small_year, password=PASSWORD)

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
    write_plan(small_year, password=PASSWORD)

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


# --------------------------------------------------------------- loading
@pytest.mark.django_db
def test_write_plan_loads_the_town(town_only: TownPlan) -> None:
    plan = town_only

    # when
    counts = write_plan(plan, password=PASSWORD)

    # then the tree, with paths as area_create makes them
    assert counts["villages"] == 8 and counts["grids"] == 40 and counts["units"] == 400
    assert Area.objects.filter(level=Level.UNIT).count() == 400
    for area in Area.objects.select_related("parent"):
        parent_path = area.parent.path if area.parent else ""
        assert area.path == parent_path + str(area.pk).zfill(PATH_WIDTH)

    # the accounts, with their roles and home areas
    users = {user.username: user for user in User.objects.select_related("home_area")}
    assert set(users) == {account.username for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        user = users[account.username]
        assert user.roles == {account.role}
        assert user.home_area.code == account.home_area_code
    grid01 = users["grid01"].home_area
    assert grid01.level == Level.GRID
    assert grid01.parent.name == "万泉佳苑社区"
    assert users["leader"].check_password(PASSWORD)
    assert users["liaison_court"].agency.kind == "court"
    team = MediationOrganization.objects.get(name="物业纠纷调解队")
    assert MediationMembership.objects.get(organization=team).user == users["mediator01"]
    assert MediationMembership.objects.get(organization=team).role == MembershipRole.HEAD

    # the residents, encrypted at rest and found by their blind index
    assert Person.objects.count() == len(plan.persons)
    (planned,) = [p for p in plan.persons if p.name == data.STORY_RESIDENT_NAME]
    tian = Person.objects.get(id_number_digest=id_digest(planned.id_number))
    assert tian.name == data.STORY_RESIDENT_NAME
    assert tian.area.name == data.STORY_UNIT_NAME
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [tian.pk])
        stored_id_number, stored_phone = cursor.fetchone()
    assert stored_id_number.startswith("v1:") and tian.id_number not in stored_id_number
    assert stored_phone.startswith("v1:")
    assert Organization.objects.filter(name=data.PROPERTY_COMPANY_NAME).exists()

    # and one audit event for the whole load
    event = AuditEvent.objects.get(action="demo.seed")
    assert event.details["seed"] == 2026
    assert event.details["persons"] == len(plan.persons)


@pytest.mark.django_db
def test_the_command_loads_once_and_then_refuses(settings: Settings) -> None:
    # given
    settings.FENGQIAO_DEMO_PASSWORD = PASSWORD
    output = StringIO()

    # when
    call_command("seed_demo", "--seed", "3", "--no-cases", stdout=output)

    # then
    assert "grid01" in output.getvalue()
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert not Case.objects.exists()
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    quiet = StringIO()
    call_command("seed_demo", "--if-empty", stdout=quiet)
    assert User.objects.count() == len(DEMO_ACCOUNTS)
