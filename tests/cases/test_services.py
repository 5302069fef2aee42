"""The case engine: registration (one case or a batch), the lifecycle table, the timeline,
conflicts and deadlines."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.http import Http404

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ADMIN_ROLES, Role
from fengqiao.areas.services import area_move
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify
from fengqiao.cases import workflow
from fengqiao.cases.models import Case, CaseCategory, CaseEvent, CaseParty, State
from fengqiao.cases.selectors import case_list_for_user, handler_eligible
from fengqiao.cases.services import (
    CREATE_MANY_LIMIT,
    CaseConflict,
    PartyInput,
    available_actions,
    case_act,
    case_create,
    case_create_many,
    is_assignee,
    permission_refusal,
    readiness_refusal,
)
from fengqiao.core.errors import DomainError
from fengqiao.core.models import YearlySequence
from fengqiao.orgs.models import Agency, MediationOrganization
from fengqiao.people.models import Person
from tests.fixtures import (
    act,
    applicant,
    build_town,
    case_in_state,
    inputs_for,
    new_case,
    png,
    property_team,
    run_together,
    shanghai,
)

pytestmark = pytest.mark.django_db


def test_a_registered_dispute_gets_a_number_a_deadline_and_a_first_timeline_entry(town):
    clerk = town.user("intake_clerk")
    case = new_case(
        clerk,
        town.unit_a1,
        received_at=shanghai(2025, 9, 30, 10, 0),
        backdate_reason="来访登记补录",
        now=shanghai(2025, 9, 30, 11, 0),
    )
    assert case.number == "FQ-2025-000001"
    assert case.state == State.REPORTED
    # General dispute: feedback within 3 working days; Oct 1–8 are the National Day and
    # Mid-Autumn holidays, Saturday Oct 11 is an adjusted working day.
    assert case.milestone == "feedback"
    assert case.due_at == shanghai(2025, 10, 11, 23, 59, 59)
    assert not case.due_provisional
    event = case.events.get()
    assert (event.action, event.from_state, event.to_state) == ("report", "", State.REPORTED)
    assert case.parties.get().role == "applicant"


def test_numbers_run_per_year(town):
    clerk = town.user("intake_clerk")
    first = new_case(clerk, town.unit_a1, now=shanghai(2026, 1, 5, 9))
    second = new_case(clerk, town.unit_a1, now=shanghai(2026, 1, 5, 10))
    assert (first.number, second.number) == ("FQ-2026-000001", "FQ-2026-000002")


def test_an_existing_person_is_found_by_id_number_not_duplicated(town, residents):
    zhang = residents["a1"]
    case = new_case(
        town.user("intake_clerk"),
        town.unit_a1,
        parties=[
            PartyInput(role="applicant", new_person={"name": "张三", "id_number": zhang.id_number})
        ],
    )
    assert case.parties.get().person == zhang
    assert Person.objects.filter(name="张三").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": 999999}, "category"),
        ({"parties": []}, "parties"),
        (
            {
                "parties": [
                    PartyInput(role="respondent", new_person={"name": "王经理", "gender": "M"})
                ]
            },
            "parties",
        ),
        ({"kind": "unknown"}, "kind"),
        ({"grade": ""}, "grade"),
        ({"title": " "}, "title"),
        ({"received_at": shanghai(2031, 1, 1, 9)}, "received_at"),
        ({"received_at": shanghai(2020, 1, 1, 9)}, "backdate_reason"),
        ({"attachments": [png(size=11 * 1024 * 1024)]}, "attachments"),
        (
            {"attachments": [SimpleUploadedFile("伪装.png", b"MZ\x90\x00" * 10, "image/png")]},
            "attachments",
        ),
    ],
)
def test_bad_input_is_refused_with_a_field_and_nothing_is_saved(town, overrides, field):
    with pytest.raises(DomainError) as caught:
        new_case(town.user("intake_clerk"), town.unit_a1, **overrides)
    assert caught.value.field == field
    assert caught.value.message
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_an_area_outside_the_jurisdiction_is_refused(town):
    with pytest.raises(DomainError) as caught:
        new_case(town.user("grid_worker"), town.unit_b1)
    assert caught.value.field == "area"


def test_roles_that_do_not_register_cases_are_refused(town):
    for role in (Role.MEDIATOR, Role.AGENCY_LIAISON, *ADMIN_ROLES):
        with pytest.raises(DomainError):
            new_case(town.user(role), town.unit_a1)


def test_a_photo_is_stored_with_the_case(town):
    case = new_case(town.user("grid_worker"), town.unit_a1, attachments=[png()])
    attachment = case.attachments.get()
    assert (attachment.content_type, attachment.original_name) == ("image/png", "现场照片.png")
    assert case.events.get().data["files"] == ["现场照片.png"]


# ------------------------------------------------------------------ the whole table
ROLES = list(Role)


def handler_may_be_sent(user, case, action, town) -> bool:
    """Whether the handler `inputs_for` names is one this user may send the case to."""
    handler = inputs_for(action, town=town).get("handler")
    agency = inputs_for(action, town=town).get("agency")
    if handler is None and agency is None:
        return True
    named = {
        "user": User.objects.filter(pk=(handler or {}).get("user")).first(),
        "team": MediationOrganization.objects.filter(pk=(handler or {}).get("team")).first(),
        "agency": Agency.objects.filter(pk=agency or (handler or {}).get("agency")).first(),
    }
    return handler_eligible(actor=user, case=case, action=action, **named)


@pytest.mark.parametrize("state", list(State))
def test_every_action_by_every_role_in_every_state(town, state):
    """Done exactly when the table allows it; otherwise refused with a reason."""
    other = new_case(town.user("intake_clerk"), town.unit_a1, title="另一件")
    case = case_in_state(town, state)
    problems = []
    done_by_role: dict[str, set[str]] = {role: set() for role in ROLES}
    for transition in workflow.TRANSITIONS:
        for role in ROLES:
            user = town.user(role)
            case.refresh_from_db()
            offered_by_table = (
                case.state in transition.sources
                and role not in ADMIN_ROLES
                and (
                    role in transition.actors
                    or (workflow.ASSIGNEE in transition.actors and is_assignee(user, case))
                    or (workflow.REPORTER in transition.actors and case.reported_by == user)
                )
                and permission_refusal(user, case, transition.action) is None
                and readiness_refusal(case, transition.action, user) is None
            )
            # Offered, but the team these inputs name is not one this user may send to.
            if offered_by_table and not handler_may_be_sent(user, case, transition.action, town):
                done_by_role[role].add(transition.action)
                allowed_by_table = False
            else:
                allowed_by_table = offered_by_table
            savepoint = transaction.savepoint()
            try:
                result = case_act(
                    actor=user,
                    case_id=case.pk,
                    action=transition.action,
                    expected_version=case.version,
                    **inputs_for(transition.action, town=town, other_case=other),
                )
            except DomainError as error:
                done, message = False, error.message
            except Http404:
                done, message = False, "404"
            else:
                done, message = True, ""
                done_by_role[role].add(transition.action)
                expected_states = transition.targets or {state}
                if result.state not in expected_states:
                    problems.append((transition.action, role, "went to", result.state))
            finally:
                transaction.savepoint_rollback(savepoint)
            if done != allowed_by_table:
                problems.append((transition.action, role, done, message))
            if not done and not message:
                problems.append((transition.action, role, "refused without a reason"))
    case.refresh_from_db()
    for role in ROLES:
        offered = {t.action for t in available_actions(town.user(role), case)}
        if offered != done_by_role[role]:
            problems.append((role, "offered", sorted(offered), "done", sorted(done_by_role[role])))
    assert problems == []


def test_spot_checks_of_the_table(town):
    case = case_in_state(town, State.ACCEPTED)
    with pytest.raises(DomainError) as caught:
        act(town.user("grid_worker"), case, "dispatch", handler={"team": property_team(town).pk})
    assert "分派" in caught.value.message
    case = act(town.user("dispatcher"), case, "dispatch", handler={"team": property_team(town).pk})
    # The mediator of the team is the assignee and may acknowledge; the leader may not.
    with pytest.raises(DomainError):
        act(town.user("leader"), case, "acknowledge")
    assert act(town.user("mediator"), case, "acknowledge").state == State.ACKNOWLEDGED


def test_a_case_outside_the_jurisdiction_is_not_found_for_acting(town):
    case = new_case(town.user("intake_clerk"), town.unit_b1)
    with pytest.raises(Http404):
        act(town.user("village_cadre"), case, "accept")


def test_required_inputs_are_named(town):
    case = case_in_state(town, State.REPORTED)
    with pytest.raises(DomainError) as caught:
        act(town.user("intake_clerk"), case, "reject", reason="  ")
    assert caught.value.field == "reason"
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.version == 1


# ------------------------------------------------------------------ timeline and conflicts
def test_each_action_is_on_the_timeline_and_in_the_audit_log(town):
    case = case_in_state(town, State.IN_PROGRESS)
    steps = list(case.events.order_by("sequence").values_list("action", "from_state", "to_state"))
    assert steps == [
        ("report", "", "reported"),
        ("accept", "reported", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("acknowledge", "dispatched", "acknowledged"),
        ("start", "acknowledged", "in_progress"),
    ]
    assert case.version == 5
    assert (
        AuditEvent.objects.filter(target_id=str(case.pk), action__startswith="case.").count() == 5
    )


def test_timeline_entries_cannot_be_changed(town):
    case = case_in_state(town, State.ACCEPTED)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(note="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(case=case).delete()


def test_a_stale_version_names_who_changed_the_case(town):
    case = case_in_state(town, State.REPORTED)
    seen = case.version
    act(town.user("dispatcher"), case, "accept")
    with pytest.raises(CaseConflict) as caught:
        case_act(
            actor=town.user("intake_clerk"),
            case_id=case.pk,
            action="reject",
            expected_version=seen,
            reason="重复",
        )
    assert town.user("dispatcher").full_name in caught.value.message
    assert caught.value.current_version == seen + 1
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


# ------------------------------------------------------------------ deadlines
def test_suspension_pushes_the_deadline_by_the_working_days_suspended(town):
    clerk = town.user("intake_clerk")
    mediator = town.user("mediator")
    start = shanghai(2026, 3, 2, 9)  # Monday
    case = new_case(clerk, town.unit_a1, now=start)
    assert case.due_at == shanghai(2026, 3, 5, 23, 59, 59)  # Thursday
    for role, action in [
        ("intake_clerk", "accept"),
        ("dispatcher", "dispatch"),
        ("mediator", "acknowledge"),
        ("mediator", "start"),
    ]:
        case = case_act(
            actor=town.user(role),
            case_id=case.pk,
            action=action,
            expected_version=case.version,
            now=start,
            **inputs_for(action, town=town),
        )
    case = case_act(
        actor=mediator,
        case_id=case.pk,
        action="suspend",
        reason="等待鉴定",
        expected_version=case.version,
        now=shanghai(2026, 3, 3, 10),
    )
    case = case_act(
        actor=mediator,
        case_id=case.pk,
        action="resume",
        expected_version=case.version,
        now=shanghai(2026, 3, 9, 15),
    )
    # Suspended after Tue 3 Mar, resumed Mon 9 Mar: Wed, Thu, Fri, Mon = 4 working days.
    assert case.suspended_days == 4
    assert case.due_at == shanghai(2026, 3, 11, 23, 59, 59)


def test_an_approved_extension_adds_working_days(town):
    case = case_in_state(town, State.IN_PROGRESS)
    due = case.due_at
    case = act(town.user("mediator"), case, "request_extension", days=2, reason="需现场勘查")
    assert case.due_at == due
    case = act(town.user("leader"), case, "approve_extension")
    assert case.extension_days == 2
    assert case.due_at > due
    assert case.extension_requested_days is None


def test_regrading_recomputes_from_the_original_receipt(town):
    received = shanghai(2026, 3, 2, 9)
    case = new_case(town.user("intake_clerk"), town.unit_a1, now=received)
    case = case_act(
        actor=town.user("leader"),
        case_id=case.pk,
        action="regrade",
        expected_version=case.version,
        grade="complex",
        reason="涉及面广",
        now=shanghai(2026, 3, 4, 9),
    )
    assert case.milestone == "initial_opinion"
    # 15 working days after Mon 2 Mar 2026 → Mon 23 Mar.
    assert case.due_at == shanghai(2026, 3, 23, 23, 59, 59)


def test_the_milestone_is_met_on_time_or_late(town):
    case = case_in_state(town, State.IN_PROGRESS)
    case = case_act(
        actor=town.user("mediator"),
        case_id=case.pk,
        action="record_milestone",
        note="已反馈",
        expected_version=case.version,
        now=case.due_at + dt.timedelta(hours=1),
    )
    assert case.milestone_met_at is not None
    assert case.on_time is False


def test_escalation_climbs_one_level_at_a_time(town):
    cadre = town.user("village_cadre")
    case = new_case(town.user("grid_worker"), town.unit_a1)
    case = act(cadre, case, "accept")
    assert case.handling_level == 2
    case = act(cadre, case, "escalate", reason="村级调解未果")
    assert (case.state, case.handling_level) == (State.ACCEPTED, 1)
    case = act(town.user("dispatcher"), case, "escalate", reason="需上级协调")
    assert (case.state, case.handling_level) == (State.ESCALATED, 0)


def test_a_moved_grid_carries_its_cases_into_the_new_village(town):
    case = new_case(town.user("intake_clerk"), town.unit_a2)
    area_move(actor=None, area=town.grid_a2, new_parent=town.village_b)
    case.refresh_from_db()
    assert case.area_path.startswith(town.village_b.path)
    assert not case_list_for_user(user=town.user("village_cadre")).filter(pk=case.pk).exists()


def test_an_agency_sees_what_is_transferred_to_it(town):
    case = case_in_state(town, State.TRANSFERRED)
    liaison = town.user("agency_liaison")
    assert case_list_for_user(user=liaison).filter(pk=case.pk).exists()
    case = act(liaison, case, "resolve", outcome="litigation", note="引导当事人诉讼")
    assert case.state == State.RESOLVED


def test_merging_notes_the_duplicate_on_both_cases(town):
    original = new_case(town.user("intake_clerk"), town.unit_a1)
    duplicate = new_case(town.user("intake_clerk"), town.unit_a1, parties=[applicant("田某")])
    duplicate = act(town.user("intake_clerk"), duplicate, "merge", target_case=original.pk)
    assert duplicate.merged_into == original and not duplicate.is_open
    assert original.events.filter(action="merged_from").exists()


def test_a_provisional_deadline_is_recomputed_when_its_year_is_entered(
    town, django_capture_on_commit_callbacks
):
    from fengqiao.workcal.models import CalendarDay, CalendarYear
    from fengqiao.workcal.services import calendar_changed

    # Christmas Eve 2031 lies in a year the calendar does not know: weekends only.
    case = new_case(town.user("intake_clerk"), town.unit_a1, now=shanghai(2031, 9, 30, 9))
    assert case.due_provisional
    assert case.due_at == shanghai(2031, 10, 3, 23, 59, 59)
    year = CalendarYear.objects.create(year=2031, source="manual")
    for day in range(1, 8):
        CalendarDay.objects.create(date=f"2031-10-0{day}", kind="holiday", name="国庆节", year=year)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_changed(actor=town.user("system_admin"))
    case.refresh_from_db()
    assert not case.due_provisional
    assert case.due_at == shanghai(2031, 10, 10, 23, 59, 59)
    assert case.events.filter(action="deadline_recomputed").exists()


def test_a_recomputation_by_the_system_is_on_the_timeline_as_the_system(town, client):
    from fengqiao.cases.services import case_recompute_deadlines
    from fengqiao.workcal.models import CalendarDay, CalendarYear

    case = new_case(town.user("intake_clerk"), town.unit_a1, now=shanghai(2031, 9, 30, 9))
    year = CalendarYear.objects.create(year=2031, source="manual")
    CalendarDay.objects.create(date="2031-10-01", kind="holiday", name="国庆节", year=year)

    assert case_recompute_deadlines(actor=None) == 1

    entry = case.events.get(action="deadline_recomputed")
    assert entry.actor is None
    client.force_login(town.user("leader"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "系统" in page


def test_a_refused_action_stays_on_the_audit_record(town):
    case = case_in_state(town, State.ACCEPTED)
    grid_worker = town.user("grid_worker")
    with pytest.raises(DomainError):
        act(grid_worker, case, "dispatch", handler={"team": property_team(town).pk})
    refused = AuditEvent.objects.get(action="case.dispatch", outcome="denied")
    assert refused.actor == grid_worker
    assert refused.target_id == str(case.pk)


@pytest.mark.parametrize("given", ["as a number", "as text"])
def test_an_existing_person_may_be_named_by_id_as_a_number_or_as_text(town, residents, given):
    zhang = residents["a1"]
    person_id = zhang.pk if given == "as a number" else str(zhang.pk)
    case = new_case(
        town.user("intake_clerk"),
        town.unit_a1,
        parties=[PartyInput(role="applicant", person_id=person_id)],
    )
    assert case.parties.get().person_id == zhang.pk


def test_a_person_id_that_is_not_a_number_is_refused_by_name(town):
    with pytest.raises(DomainError) as caught:
        new_case(
            town.user("intake_clerk"),
            town.unit_a1,
            parties=[PartyInput(role="applicant", person_id="张三")],
        )
    assert caught.value.field == "parties.0"
    assert not Case.objects.exists()


# ------------------------------------------------------------------ a batch
# Registering a batch of matters at once (`case_create_many`), e.g. the day's 12345 orders,
# on Monday 2 March 2026.
NOW = shanghai(2026, 3, 2, 9, 0)


def order(town, person, **overrides):
    fields = {
        "kind": "demand",
        "category": CaseCategory.objects.get(code="property"),
        "channel": "hotline_12345",
        "title": "小区路灯不亮",
        "account": "市民来电反映小区东门路灯已坏一周，夜间出行不便。",
        "area": town.unit_a1,
        "parties": [PartyInput(role="applicant", person_id=person.pk)],
    }
    fields.update(overrides)
    return fields


def test_a_batch_registers_each_matter_as_case_create_would(town, residents):
    # given three orders and, for comparison, the same order registered alone
    clerk = town.user("intake_clerk")
    items = [order(town, residents["a1"], title=f"路灯不亮 {n}") for n in range(3)]
    alone = case_create(actor=clerk, now=NOW, **order(town, residents["a1"]))

    # when
    cases = case_create_many(actor=clerk, items=items, now=NOW)

    # then each has the next number, the same deadline, its party, timeline and audit row
    assert [case.number for case in cases] == [f"FQ-2026-{n:06d}" for n in (2, 3, 4)]
    assert {case.due_at for case in cases} == {alone.due_at}
    for case in cases:
        case.refresh_from_db()
        assert case.state == "reported" and case.is_open
        assert CaseParty.objects.get(case=case).person_id == residents["a1"].pk
        assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
            "report"
        ]
        assert AuditEvent.objects.filter(action="case.report", target_id=str(case.pk)).count() == 1
    assert audit_chain_verify() == []


def test_a_batch_mixing_kinds_gives_each_its_own_tier(town, residents):
    clerk = town.user("intake_clerk")
    dispute = order(town, residents["a1"], kind="dispute", grade="complex")
    demand = order(town, residents["a1"])
    alone = {
        "dispute": case_create(actor=clerk, now=NOW, **dispute),
        "demand": case_create(actor=clerk, now=NOW, **demand),
    }

    cases = case_create_many(actor=clerk, items=[dispute, demand], now=NOW)

    assert [(c.kind, c.sla_working_days, c.due_at) for c in cases] == [
        (kind, alone[kind].sla_working_days, alone[kind].due_at) for kind in ("dispute", "demand")
    ]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"area": "unit_b1"}, "items.1.area"),
        ({"title": "  "}, "items.1.title"),
        ({"kind": "dispute", "grade": "general", "parties": []}, "items.1.parties"),
        ({"category": 999_999}, "items.1.category"),
        ({"person": "b1"}, "items.1.parties.0"),
    ],
)
def test_one_bad_order_names_itself_and_nothing_of_the_batch_is_saved(town, residents, bad, field):
    # given a batch whose second order is wrong (a grid of another village for a clerk of
    # this one, no title, a dispute without applicant, an unknown category, a person
    # outside the jurisdiction)
    clerk = town.user("grid_worker")
    overrides = dict(bad)
    if "area" in overrides:
        overrides["area"] = getattr(town, overrides["area"])
    if "person" in overrides:
        person = residents[overrides.pop("person")]
        overrides["parties"] = [PartyInput(role="applicant", person_id=person.pk)]
    items = [order(town, residents["a1"]), order(town, residents["a1"], **overrides)]
    before = (Case.objects.count(), AuditEvent.objects.filter(action="case.report").count())

    # when / then
    with pytest.raises(DomainError) as refused:
        case_create_many(actor=clerk, items=items, now=NOW)
    assert refused.value.field == field
    assert (Case.objects.count(), AuditEvent.objects.filter(action="case.report").count()) == before
    assert not YearlySequence.objects.filter(name="case", last__gt=0).exists()


def test_a_role_that_does_not_register_cannot_register_a_batch(town, residents):
    with pytest.raises(DomainError) as refused:
        case_create_many(
            actor=town.user("audit_admin"), items=[order(town, residents["a1"])], now=NOW
        )
    assert refused.value.code == "not_allowed"
    assert not Case.objects.exists()


def test_a_batch_larger_than_the_limit_is_refused(town, residents):
    items = [order(town, residents["a1"])] * (CREATE_MANY_LIMIT + 1)
    with pytest.raises(DomainError) as refused:
        case_create_many(actor=town.user("intake_clerk"), items=items, now=NOW)
    assert refused.value.field == "items"
    assert not Case.objects.exists()


def test_an_empty_batch_registers_nothing(town):
    assert case_create_many(actor=town.user("intake_clerk"), items=[], now=NOW) == []


def test_ids_given_as_numbers_or_numeric_strings_are_accepted(town, residents):
    category = CaseCategory.objects.get(code="property")
    item = order(town, residents["a1"], category=str(category.pk), area=town.unit_a1.pk)
    (case,) = case_create_many(actor=town.user("intake_clerk"), items=[item], now=NOW)
    assert (case.category_id, case.area_id) == (category.pk, town.unit_a1.pk)


# ------------------------------------------------------------------ at the same moment
# Two people acting on one case at the same moment: one wins, the other is told.
@pytest.mark.django_db(transaction=True)
def test_two_actors_at_once_one_wins_one_gets_the_conflict():
    town = build_town()
    case = new_case(town.user("intake_clerk"), town.unit_a1)
    seen = case.version

    results = run_together(
        lambda: case_act(
            actor=town.user("intake_clerk"), case_id=case.pk, action="accept", expected_version=seen
        ),
        lambda: case_act(
            actor=town.user("dispatcher"),
            case_id=case.pk,
            action="reject",
            expected_version=seen,
            reason="不属于受理范围",
        ),
    )

    winners = [r for r in results if isinstance(r, Case)]
    conflicts = [r for r in results if isinstance(r, CaseConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    case.refresh_from_db()
    assert case.version == seen + 1
    assert case.state == winners[0].state
    assert case.state in (State.ACCEPTED, State.REJECTED)
    # Nothing half-written: one new timeline entry, one case audit row for the winner.
    assert CaseEvent.objects.filter(case=case).count() == 2
    assert (
        AuditEvent.objects.filter(
            target_id=str(case.pk), action__in=["case.accept", "case.reject"]
        ).count()
        == 1
    )
