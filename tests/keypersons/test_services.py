"""The register's rules through its services: need to know, particulars checked against
their category, level changes, visits and the schedule, the overdue sweep, incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from fengqiao.accounts.roles import Role
from fengqiao.alerts.models import Alert
from fengqiao.alerts.selectors import alert_list_for_user
from fengqiao.audit.models import AuditEvent
from fengqiao.core.errors import InvalidInput, NotAllowed
from fengqiao.keypersons import selectors, services
from fengqiao.keypersons.models import ChangeStatus, Duty, KeyPerson, Level
from fengqiao.notify.models import Notification
from tests.fixtures import (
    HEALTH,
    KP_NOW,
    POLICE,
    PersonFactory,
    liaison,
    log_entry,
    new_case,
    put_on_register,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(town):
    return {
        "released": PersonFactory(name="甲", area=town.unit_a1),
        "drugs": PersonFactory(name="乙", area=town.unit_a1),
        "mental": PersonFactory(name="丙", area=town.unit_a1),
        "other": PersonFactory(name="丁", area=town.unit_b1),
    }


@pytest.fixture
def register(town, people):
    worker = town.user(Role.GRID_WORKER)
    return {
        code: put_on_register(worker, people[code], code)
        for code in ("released", "drugs", "mental")
    }


def seen_by(user):
    return {kp.person.name for kp in selectors.key_persons_for_user(user=user)}


def test_who_sees_which_record(town, register, grid_worker_b):
    police = liaison(town, POLICE, "枫桥派出所")
    health = liaison(town, HEALTH, "枫桥镇卫生院")

    assert seen_by(town.user(Role.GRID_WORKER)) == {"甲", "乙", "丙"}  # responsible staff
    assert seen_by(town.user(Role.VILLAGE_CADRE)) == {"甲", "乙", "丙"}  # responsible staff
    assert seen_by(town.user(Role.LEADER)) == {"甲", "乙", "丙"}
    assert seen_by(police) == {"甲", "乙"}  # released and drugs, not the mental record
    assert seen_by(health) == {"丙"}
    for nobody in (
        grid_worker_b,
        town.user(Role.DISPATCHER),
        town.user(Role.INTAKE_CLERK),
        town.user(Role.MEDIATOR),
        town.user(Role.UNIT_HEAD),
        town.user(Role.AGENCY_LIAISON),  # the court's
        town.user(Role.SYSTEM_ADMIN),
    ):
        assert seen_by(nobody) == set(), nobody


def test_opening_a_record_outside_need_to_know_is_a_404_with_an_audit_row(
    town, register, grid_worker_b
):
    record = register["released"]

    with pytest.raises(Http404):
        selectors.key_person_get(user=grid_worker_b, pk=record.pk)

    assert AuditEvent.objects.filter(
        action="access.denied", actor=grid_worker_b, target_id=str(record.pk)
    ).exists()


def test_the_registration_names_the_staff_and_works_out_the_resettlement_window(town, register):
    record = register["released"]

    staff = dict(record.responsibles.values_list("user__username", "duty"))
    assert staff == {"t_grid_worker": Duty.GRID_WORKER, "t_village_cadre": Duty.VILLAGE_CADRE}
    (membership,) = record.memberships.all()
    assert selectors.particulars_of(membership)["resettlement_ends"] == "2030-06-30"
    # encrypted at rest: the raw column holds no particular in clear
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT particulars FROM keypersons_membership WHERE id = %s", [membership.pk]
        )
        assert "2025-06-30" not in cursor.fetchone()[0]
    # yellow: a visit within 30 days of registration
    assert record.next_visit_due == dt.date(2026, 4, 8)


def test_bad_input_is_refused_all_at_once_and_nothing_is_saved(town, people, register):
    from fengqiao.keypersons.models import Category

    worker = town.user(Role.GRID_WORKER)
    correction = Category.objects.get(code="correction")
    before = KeyPerson.objects.count()

    with pytest.raises(InvalidInput) as refused:
        services.key_person_register(
            actor=worker,
            person_id=people["released"].pk,  # already on the register
            level_id=Level.objects.get(code="red").pk,
            categories=[(correction.pk, {"starts_on": "明年", "ends_on": 5, "colour": "red"})],
            reason="",
            now=KP_NOW,
        )

    codes = {problem.code for problem in refused.value.problems}
    assert codes == {
        "already_registered",
        "reason",
        "particular_invalid",
        "particular_unknown",
        "particular_required",
    }
    messages = " ".join(problem.message for problem in refused.value.problems)
    assert "矫正起始日" in messages and "监管司法所" in messages
    assert KeyPerson.objects.count() == before


def test_raising_takes_effect_at_once_and_lowering_waits_for_a_leader(town, register):
    record = register["drugs"]
    worker, leader = town.user(Role.GRID_WORKER), town.user(Role.LEADER)
    red, green = Level.objects.get(code="red"), Level.objects.get(code="green")

    with pytest.raises(InvalidInput):
        services.level_change_request(
            actor=worker, key_person_id=record.pk, level_id=red.pk, reason=" ", now=KP_NOW
        )
    raised = services.level_change_request(
        actor=worker, key_person_id=record.pk, level_id=red.pk, reason="复吸嫌疑", now=KP_NOW
    )
    record.refresh_from_db()
    assert raised.status == ChangeStatus.APPLIED and record.level == red
    # red: a visit within a week of the last one (none yet: of the registration)
    assert record.next_visit_due == dt.date(2026, 3, 16)

    lowered = services.level_change_request(
        actor=worker, key_person_id=record.pk, level_id=green.pk, reason="尿检正常", now=KP_NOW
    )
    record.refresh_from_db()
    assert lowered.status == ChangeStatus.PENDING and record.level == red
    with pytest.raises(NotAllowed):
        services.level_change_decide(actor=worker, change_id=lowered.pk, approve=True)
    services.level_change_decide(actor=leader, change_id=lowered.pk, approve=True, now=KP_NOW)
    record.refresh_from_db()
    assert record.level == green
    history = list(record.changes.order_by("pk").values_list("to_level__code", "status"))
    assert history == [("yellow", "applied"), ("red", "applied"), ("green", "applied")]


def test_a_visit_moves_the_schedule_and_a_future_date_is_refused(town, register):
    worker = town.user(Role.GRID_WORKER)
    mental = register["mental"]

    with pytest.raises(InvalidInput) as refused:
        services.visit_record(
            actor=worker,
            key_person_id=mental.pk,
            kind="visit",
            method="home",
            occurred_on=dt.date(2026, 3, 10),
            findings="情绪稳定",
            risk="low",
            now=KP_NOW,
        )
    assert {p.code for p in refused.value.problems} == {"occurred_on_future", "mental_risk"}

    services.visit_record(
        actor=worker,
        key_person_id=mental.pk,
        kind="visit",
        method="home",
        occurred_on=dt.date(2026, 3, 9),
        findings="按时服药，情绪稳定",
        risk="low",
        mental_risk=0,
        now=KP_NOW,
    )
    mental.refresh_from_db()
    # stable (0): within three months; yellow allows 30 days: the nearer wins
    assert mental.next_visit_due == dt.date(2026, 4, 8)
    services.visit_record(
        actor=worker,
        key_person_id=mental.pk,
        kind="talk",
        method="home",
        occurred_on=dt.date(2026, 3, 9),
        findings="情绪激动，摔砸物品",
        risk="high",
        mental_risk=3,
        now=KP_NOW,
    )
    mental.refresh_from_db()
    assert (mental.mental_risk, mental.next_visit_due) == (3, dt.date(2026, 3, 23))
    # unstable: referred at once, a task of the plan due the same day
    (task,) = mental.tasks.all()
    assert task.due_on == dt.date(2026, 3, 9) and "立即转诊" in task.text


def test_the_sweep_tells_the_staff_and_raises_one_alert_after_the_grace(town, register):
    record = register["released"]
    KeyPerson.objects.filter(pk=record.pk).update(next_visit_due=dt.date(2026, 3, 2))
    KeyPerson.objects.exclude(pk=record.pk).update(next_visit_due=dt.date(2026, 12, 31))

    first = services.visits_overdue_sweep(now=shanghai(2026, 3, 4, 8, 0))
    assert first == {"overdue": 1, "told": 2, "alerts": 0}  # two working days: within grace
    late = shanghai(2026, 3, 9, 8, 0)
    second = services.visits_overdue_sweep(now=late)
    again = services.visits_overdue_sweep(now=late)

    assert second["alerts"] == 1 and again["alerts"] == 0 and again["told"] == 0
    assert Alert.objects.filter(rule_code="key_person_visit").count() == 1
    assert Notification.objects.filter(title="走访已超期").count() == 2
    # the alert is about one resident: seen by those who may see the record only
    alert = Alert.objects.get(rule_code="key_person_visit")
    assert alert_list_for_user(user=town.user(Role.LEADER)).filter(pk=alert.pk).exists()
    assert not alert_list_for_user(user=town.user(Role.DISPATCHER)).filter(pk=alert.pk).exists()


def test_an_incident_asks_for_a_review_and_raises_the_key_person_warning(town, register):
    from fengqiao.alerts.services import alerts_run_all
    from fengqiao.cases.services import PartyInput

    record = register["drugs"]
    Level.objects.filter(code="yellow").update(after_incident_days=1)
    case = new_case(
        town.user(Role.INTAKE_CLERK),
        town.unit_a1,
        parties=[PartyInput(role="applicant", person_id=record.person_id)],
        now=KP_NOW,
        received_at=KP_NOW,
    )

    record.refresh_from_db()
    assert record.review_case_id == case.pk
    assert record.next_visit_due == dt.date(2026, 3, 10)
    raised = alerts_run_all(now=KP_NOW + dt.timedelta(minutes=5))
    warning = [alert for alert in raised if alert.rule_code == "key_person"]
    assert len(warning) == 1 and warning[0].person_id == record.person_id
    assert (
        not alert_list_for_user(user=town.user(Role.DISPATCHER)).filter(pk=warning[0].pk).exists()
    )


def test_small_counts_show_as_less_than_five():
    assert [selectors.small_count(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", "5", "12"]


def test_a_visit_is_recorded_from_the_workers_own_daily_log_entry(town, register, grid_worker_b):
    worker = town.user(Role.GRID_WORKER)
    record = register["released"]
    met = log_entry(
        worker,
        town.unit_a1,
        at=shanghai(2026, 3, 9, 9, 0),
        finding="key_person",
        text="走访刑满释放人员，了解就业情况",
        residents=[record.person_id],
    )
    elsewhere = log_entry(grid_worker_b, town.unit_b1, at=shanghai(2026, 3, 9, 9, 0))

    offered = selectors.log_entries_for_visit(
        user=worker, key_person=record, today=dt.date(2026, 3, 9)
    )
    assert list(offered) == [met]
    with pytest.raises(InvalidInput) as refused:
        services.visit_record(
            actor=worker,
            key_person_id=record.pk,
            kind="visit",
            method="home",
            occurred_on=dt.date(2026, 3, 9),
            findings="就业稳定",
            risk="low",
            log_entry=elsewhere.pk,
            now=KP_NOW,
        )
    assert [p.code for p in refused.value.problems] == ["log_entry"]
    visit = services.visit_record(
        actor=worker,
        key_person_id=record.pk,
        kind="visit",
        method="home",
        occurred_on=dt.date(2026, 3, 9),
        findings="就业稳定",
        risk="low",
        log_entry=met.pk,
        now=KP_NOW,
    )
    assert visit.log_entry == met


def test_a_leader_takes_a_person_off_and_the_register_takes_them_back(town, register, people):
    from fengqiao.core.errors import WrongState

    record = register["drugs"]
    worker, leader = town.user(Role.GRID_WORKER), town.user(Role.LEADER)

    with pytest.raises(NotAllowed):
        services.key_person_remove(actor=worker, key_person_id=record.pk, reason="戒断三年")
    with pytest.raises(InvalidInput):
        services.key_person_remove(actor=leader, key_person_id=record.pk, reason="")
    services.key_person_remove(actor=leader, key_person_id=record.pk, reason="戒断三年未复吸")
    with pytest.raises(WrongState):
        services.key_person_remove(actor=leader, key_person_id=record.pk, reason="再次")

    record.refresh_from_db()
    assert (record.status, record.next_visit_due) == ("removed", None)
    KeyPerson.objects.exclude(pk=record.pk).update(next_visit_due=dt.date(2030, 1, 1))
    assert services.visits_overdue_sweep(now=shanghai(2027, 1, 4, 8, 0))["overdue"] == 0
    back = put_on_register(worker, people["drugs"], "drugs", level="orange")
    assert back.pk == record.pk and back.status == "active" and back.level.code == "orange"
    assert list(back.changes.values_list("to_level__code", flat=True))[:1] == ["orange"]
