"""Alerts and their lifecycle through the services: the leader's flag, the thresholds each
rule is given, acknowledging, handling and dismissing, the pass run by the job runner."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fengqiao.alerts.models import Alert, AlertRule, Severity, Status
from fengqiao.alerts.rules import all_rules
from fengqiao.alerts.services import alert_act, alert_flag_case, alert_rules_install, alerts_run_all
from fengqiao.audit.models import AuditEvent
from fengqiao.core.errors import DomainError
from tests.fixtures import (
    ALERTS_NOW,
    QUIET,
    act,
    alerts_of,
    build_town,
    category,
    days_ago,
    new_case,
    register,
    run_together,
)

NOW = ALERTS_NOW


# --------------------------------------------------------------------------- leader's flag
def test_a_leader_flags_a_case(town):
    case = register(town, town.unit_a1)

    alert = alert_flag_case(actor=town.user("leader"), case_id=case.pk, note="请东村重点跟进")

    assert alert.rule_code == "leader_flag"
    assert alert.raised_by == town.user("leader")
    assert alert.severity == Severity.HIGH
    assert list(alert.cases.all()) == [case]
    assert AuditEvent.objects.filter(action="alert.raise", target_id=str(alert.pk)).exists()
    # a second flag while the first is not handled is refused
    with pytest.raises(DomainError) as refused:
        alert_flag_case(actor=town.user("leader"), case_id=case.pk, note="再次关注")
    assert refused.value.code == "already_flagged"
    # once handled, the case can be flagged again
    alert_act(actor=town.user("leader"), alert_id=alert.pk, action="handle", note="已跟进")
    again = alert_flag_case(actor=town.user("leader"), case_id=case.pk, note="再次关注")
    assert again.pk != alert.pk


@pytest.mark.parametrize("role", ["dispatcher", "village_cadre", "grid_worker", "system_admin"])
def test_only_a_leader_may_flag_a_case(town, role):
    case = register(town, town.unit_a1)

    with pytest.raises(DomainError) as refused:
        alert_flag_case(actor=town.user(role), case_id=case.pk, note="关注")

    assert refused.value.code == "not_allowed"
    assert not Alert.objects.exists()


def test_a_flag_without_a_reason_is_refused(town):
    case = register(town, town.unit_a1)

    with pytest.raises(DomainError) as refused:
        alert_flag_case(actor=town.user("leader"), case_id=case.pk, note="  ")

    assert refused.value.field == "note"
    assert not Alert.objects.exists()


# --------------------------------------------------------------------------- thresholds
@pytest.mark.parametrize(
    ("code", "thresholds", "message"),
    [
        ("hotspot", {"cases": 1, "days": 7}, "between 2 and 1000"),
        ("hotspot", {"cases": 3, "days": 0}, "between 1 and 90"),
        ("hotspot", {"cases": 3, "days": 91}, "between 1 and 90"),
        ("repeat_party", {"cases": 1, "days": 30}, "between 2 and 100"),
        ("repeat_party", {"cases": "two", "days": 30}, "whole number"),
        ("many_people", {"people": 1, "severe": 30}, "between 2 and 10000"),
        ("many_people", {"people": 30, "severe": 30}, "greater than the normal one"),
        ("many_people", {"people": 5, "severe": 30, "size": 3}, "Unknown thresholds: size"),
    ],
)
def test_thresholds_out_of_range_are_refused(db, code, thresholds, message):
    rule = alert_rules_install()[code]
    before = dict(rule.thresholds)
    rule.thresholds = thresholds

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        rule.full_clean()

    assert any(message in text for text in refused.value.message_dict["thresholds"])
    rule.refresh_from_db()
    assert rule.thresholds == before


def test_the_admin_refuses_a_threshold_out_of_range_and_saves_nothing(client, town):
    rule = alert_rules_install()["hotspot"]
    client.force_login(town.user("system_admin"))
    url = f"/admin/alerts/alertrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"enabled": "on", "thresholds": '{"cases": 1, "days": 120}'})

    assert response.status_code == 200
    body = response.content.decode()
    assert "1000" in body and "90" in body
    rule.refresh_from_db()
    assert rule.thresholds == {"cases": 3, "days": 7}

    response = client.post(url, {"enabled": "on", "thresholds": '{"cases": 4, "days": 10}'})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.thresholds == {"cases": 4, "days": 10}
    assert AuditEvent.objects.filter(action="alertrule.update", target_id=str(rule.pk)).exists()


def test_a_disabled_rule_raises_nothing(town):
    alert_rules_install()
    AlertRule.objects.filter(code="many_people").update(enabled=False)
    register(town, town.unit_a1, people_involved=50)

    alerts_run_all(now=NOW)

    assert not alerts_of("many_people").exists()


def test_every_rule_has_a_settings_row_with_valid_defaults(db):
    rows = alert_rules_install()

    assert set(rows) == set(all_rules())
    for row in rows.values():
        row.full_clean()


# --------------------------------------------------------------------------- transitions
def test_an_alert_is_acknowledged_then_handled_with_a_note(town, alert):
    cadre = town.user("village_cadre")

    alert_act(actor=cadre, alert_id=alert.pk, action="acknowledge")
    handled = alert_act(actor=cadre, alert_id=alert.pk, action="handle", note="已上门化解")

    assert handled.status == Status.HANDLED
    assert handled.acknowledged_by == cadre and handled.closed_by == cadre
    assert handled.closing_note == "已上门化解"
    actions = set(
        AuditEvent.objects.filter(target_id=str(alert.pk), target_type="alerts.alert").values_list(
            "action", flat=True
        )
    )
    assert {"alert.raise", "alert.acknowledge", "alert.handle"} <= actions


@pytest.mark.parametrize("action", ["dismiss", "handle"])
def test_dismissing_or_handling_without_a_reason_is_refused(town, alert, action):
    with pytest.raises(DomainError) as refused:
        alert_act(actor=town.user("leader"), alert_id=alert.pk, action=action, note=" ")

    assert refused.value.field == "note"
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_a_dismissed_alert_keeps_its_reason_and_cannot_be_handled(town, alert):
    alert_act(actor=town.user("leader"), alert_id=alert.pk, action="dismiss", note="重复登记")

    with pytest.raises(DomainError) as refused:
        alert_act(actor=town.user("leader"), alert_id=alert.pk, action="handle", note="x")

    assert refused.value.code == "wrong_state"
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED
    assert alert.closing_note == "重复登记"


# --------------------------------------------------------------------------- two workers
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_pass_at_once_raise_each_alert_once():

    town = build_town()
    for days in (3, 2, 1):
        new_case(town.user("intake_clerk"), town.unit_a1, now=days_ago(days), account=QUIET)
    new_case(
        town.user("intake_clerk"),
        town.unit_a2,
        now=NOW,
        people_involved=12,
        account="扬言要去北京",
        category=category("land"),
    )

    results = run_together(lambda: alerts_run_all(now=NOW), lambda: alerts_run_all(now=NOW))

    assert not any(isinstance(r, Exception) for r in results), results
    raised = [alert.condition_key for result in results for alert in result]
    assert len(raised) == len(set(raised))
    assert sorted(Alert.objects.values_list("rule_code", flat=True)) == [
        "hotspot",
        "many_people",
        "risk_words",
    ]
    assert Alert.objects.get(rule_code="hotspot").cases.count() == 3


# --------------------------------------------------------------------------- notifications
def test_a_new_alert_notifies_the_leader_of_the_area_and_the_handler(town):
    notify_models = pytest.importorskip("fengqiao.notify.models")
    pytest.importorskip("fengqiao.notify.services")
    case = register(town, town.unit_a1, people_involved=9)
    act(town.user("intake_clerk"), case, "accept")
    act(town.user("dispatcher"), case, "dispatch", handler={"user": town.user("grid_worker").pk})

    alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    alert = alerts_of("many_people").get()
    told = set(
        notify_models.Notification.objects.filter(dedupe_key=f"alert:{alert.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    # the town's leader (over 东村1组) and the handler; nobody of 西村
    assert told == {"t_leader", "t_grid_worker"}


def test_the_pass_is_registered_with_the_job_runner(db):
    registry = pytest.importorskip("fengqiao.jobs.registry")

    assert ("alerts", alerts_run_all) in registry.RULE_PASSES


def test_a_rule_with_broken_saved_thresholds_is_skipped_and_the_others_run(town):
    alert_rules_install()
    AlertRule.objects.filter(code="hotspot").update(thresholds={"cases": 0})
    for _ in range(3):
        register(town, town.unit_a1)
    register(town, town.unit_a1, people_involved=7)

    alerts_run_all(now=NOW)

    assert not alerts_of("hotspot").exists()
    assert alerts_of("many_people").exists()
