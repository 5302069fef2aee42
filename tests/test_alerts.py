"""Early warning: each rule raises one alert per condition, alerts are scoped and handled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from fengqiao.accounts.roles import Role
from fengqiao.alerts.lexicon import RiskCategory, RiskMatcher
from fengqiao.alerts.models import Alert, AlertRule, Severity, Status
from fengqiao.alerts.rules import all_rules
from fengqiao.alerts.rules import key_person as key_person_rule
from fengqiao.alerts.rules.key_person import KeyPersonMatch
from fengqiao.alerts.selectors import alert_list_for_user
from fengqiao.alerts.services import (
    alert_act,
    alert_flag_case,
    alert_rules_install,
    alerts_run_all,
)
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import CaseCategory
from fengqiao.cases.services import PartyInput
from fengqiao.core.errors import DomainError
from tests.cases_helpers import act, case_in_state, new_case, shanghai
from tests.conftest import build_town
from tests.factories import UserFactory

NOW = shanghai(2025, 10, 9, 10, 0)
# A neutral account, so that only the rule under test has something to say.
QUIET = "楼上住户夜间有噪音，影响休息，希望协调。"


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def register(town, area, *, when=NOW, **fields):
    fields.setdefault("account", QUIET)
    fields.setdefault("title", "邻里噪音")
    return new_case(town.user("intake_clerk"), area, now=when, **fields)


def alerts_of(rule_code):
    return Alert.objects.filter(rule_code=rule_code)


def category(code):
    return CaseCategory.objects.get(code=code)


@pytest.fixture
def village_b_grid_worker(town):
    """A grid worker of the other village, who must see nothing of 东村."""
    return UserFactory(username="t_grid_b", roles=[Role.GRID_WORKER], home_area=town.grid_b1)


# --------------------------------------------------------------------------- hotspot
def test_hotspot_fires_once_for_three_cases_of_one_category_in_one_village(town):
    # given three property cases in 东村 (two grids) within a week
    cases = [
        register(town, town.unit_a1, when=days_ago(6)),
        register(town, town.unit_a2, when=days_ago(3)),
        register(town, town.grid_a1, when=days_ago(1)),
    ]

    # when the pass runs twice
    first = alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    # then one hotspot alert, on the village, with the three cases
    hotspots = list(alerts_of("hotspot"))
    assert len(hotspots) == 1
    alert = hotspots[0]
    assert alert in first
    assert alert.area == town.village_a
    assert alert.area_path == town.village_a.path
    assert alert.severity == Severity.MEDIUM
    assert set(alert.cases.all()) == set(cases)
    assert "东村" in alert.title


def test_hotspot_stays_quiet_below_its_threshold(town):
    # two in 东村, one in 西村, one of another category, one too old
    register(town, town.unit_a1, when=days_ago(2))
    register(town, town.unit_a2, when=days_ago(2))
    register(town, town.unit_b1, when=days_ago(2))
    register(town, town.unit_a1, when=days_ago(2), category=category("land"))
    register(town, town.unit_a1, when=days_ago(8))

    alerts_run_all(now=NOW)

    assert not alerts_of("hotspot").exists()


def test_a_lasting_hotspot_raises_again_only_for_fresh_cases(town):
    for days in (6, 5, 4):
        register(town, town.unit_a1, when=days_ago(days))
    alerts_run_all(now=days_ago(3.5))
    assert alerts_of("hotspot").count() == 1

    # a fourth case continues the same hotspot: nothing new
    register(town, town.unit_a1, when=days_ago(3))
    alerts_run_all(now=days_ago(2.5))
    assert alerts_of("hotspot").count() == 1

    # two more make three fresh cases: a second alert, with the fresh cases only
    fresh = [register(town, town.unit_a1, when=days_ago(d)) for d in (2, 1)]
    alerts_run_all(now=NOW)
    assert alerts_of("hotspot").count() == 2
    latest = alerts_of("hotspot").order_by("-id").first()
    assert latest.cases.count() == 3
    assert set(fresh) <= set(latest.cases.all())


# --------------------------------------------------------------------------- repeat party
def test_repeat_party_fires_once_when_one_person_is_in_two_cases(town, residents):
    zhang = residents["a1"]
    party = [PartyInput(role="applicant", person_id=zhang.pk)]
    first = register(town, town.unit_a1, when=days_ago(20), parties=party)
    second = register(
        town, town.unit_b1, when=days_ago(2), parties=party, category=category("land")
    )

    alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    repeats = list(alerts_of("repeat_party"))
    assert len(repeats) == 1
    assert set(repeats[0].cases.all()) == {first, second}
    assert "张三" in repeats[0].title
    # on the area of the newest case
    assert repeats[0].area == town.unit_b1


def test_repeat_party_stays_quiet_for_cases_further_apart_than_the_window(town, residents):
    party = [PartyInput(role="applicant", person_id=residents["a1"].pk)]
    register(town, town.unit_a1, when=days_ago(40), parties=party)
    register(town, town.unit_a1, when=days_ago(2), parties=party)

    alerts_run_all(now=NOW)

    assert not alerts_of("repeat_party").exists()


def test_a_reopened_case_raises_one_alert(town):
    # given a case closed and then reopened (now, on the real clock)
    case = case_in_state(town, "closed")
    act(town.user("leader"), case, "reopen", reason="回访发现未履行")

    alerts_run_all()
    alerts_run_all()

    reopened = [a for a in alerts_of("repeat_party") if a.condition_key.startswith("reopened:")]
    assert len(reopened) == 1
    assert list(reopened[0].cases.all()) == [case]
    assert reopened[0].detail == "回访发现未履行"


# --------------------------------------------------------------------------- many people
@pytest.mark.parametrize(
    ("people", "severity"),
    [(5, Severity.MEDIUM), (10, Severity.HIGH), (30, Severity.CRITICAL)],
)
def test_many_people_fires_once_with_the_severity_of_its_band(town, people, severity):
    case = register(town, town.unit_a1, people_involved=people)

    alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    alerts = list(alerts_of("many_people"))
    assert len(alerts) == 1
    assert alerts[0].severity == severity
    assert list(alerts[0].cases.all()) == [case]


def test_many_people_stays_quiet_below_five(town):
    register(town, town.unit_a1, people_involved=4)

    alerts_run_all(now=NOW)

    assert not alerts_of("many_people").exists()


def test_many_people_follows_the_edited_thresholds(town):
    rule = alert_rules_install()["many_people"]
    rule.thresholds = {"people": 3, "severe": 4}
    rule.full_clean()
    rule.save()
    register(town, town.unit_a1, people_involved=4)

    alerts_run_all(now=NOW)

    assert alerts_of("many_people").get().severity == Severity.CRITICAL


# --------------------------------------------------------------------------- risk words
MATCHER = RiskMatcher()


@pytest.mark.parametrize(
    ("text", "category", "severity"),
    [
        ("再不给钱我就从楼上跳楼", RiskCategory.SELF_HARM, Severity.CRITICAL),
        ("老人说不想活了，要喝农药", RiskCategory.SELF_HARM, Severity.CRITICAL),
        ("他扬言要拿刀砍人", RiskCategory.VIOLENCE, Severity.HIGH),
        ("大不了跟他同归于尽", RiskCategory.VIOLENCE, Severity.CRITICAL),
        ("说要放火把他家房子点了", RiskCategory.ARSON, Severity.CRITICAL),
        ("买了一桶汽油放在门口", RiskCategory.ARSON, Severity.MEDIUM),
        ("楼道里闻到燃气泄漏的味道", RiskCategory.GAS, Severity.HIGH),
        ("搬了液化气罐到村委会", RiskCategory.GAS, Severity.HIGH),
        ("如果再不解决就去北京上访", RiskCategory.PETITION, Severity.HIGH),
        ("扬言要越级上访", RiskCategory.PETITION, Severity.HIGH),
        ("工人准备明天聚集到厂门口拉横幅", RiskCategory.GATHERING, Severity.HIGH),
        # normalised: full-width spaces and letters, ordinary spaces
        ("要　去 北 京！", RiskCategory.PETITION, Severity.HIGH),
    ],
)
def test_risk_words_are_found_in_each_category(text, category, severity):
    matches = MATCHER.matches(text)

    assert matches, text
    assert category in {m.term.category for m in matches}
    assert severity in {m.term.severity for m in matches}


@pytest.mark.parametrize(
    "text",
    [
        # the tree-pruning story: cutting branches is not violence
        "楼栋周边杨树、柳树多年未修剪，要求物业把树砍掉一些枝杈，或者直接砍树、砍伐后补种。",
        "商场跳楼价甩卖",
        "他说不会去北京，只想尽快解决",
        "儿子去北京打工了，家里只剩老人",
        "家住去北京路一号",
        "没有聚集，也没有堵路",
        "每月汽油费报销有争议",
        "孩子发烧了，没法来调解",
        "这件事捅破了窗户纸",
    ],
)
def test_innocent_words_are_not_risk_words(text):
    assert MATCHER.matches(text) == []


def test_risk_words_in_an_account_fire_once_per_case(town):
    case = register(
        town,
        town.unit_a1,
        title="工资拖欠",
        account="老板拖欠工资半年，工人说再不给就去北京上访，还有人说不想活了。",
    )

    alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    alert = alerts_of("risk_words").get()
    assert alert.severity == Severity.CRITICAL
    assert list(alert.cases.all()) == [case]
    assert "去北京" in alert.detail and "不想活了" in alert.detail


def test_the_tree_pruning_story_raises_no_risk_word_alert(town):
    register(
        town,
        town.unit_a1,
        title="杨柳树遮挡采光",
        account="楼栋周边杨树、柳树多年未修剪，枝叶遮挡窗户与阳台。居民要求物业把树砍掉一些枝杈，"
        "现场协商确定修剪方案。",
    )

    alerts_run_all(now=NOW)

    assert not alerts_of("risk_words").exists()


# --------------------------------------------------------------------------- key person
def test_no_key_person_check_means_no_key_person_alert(town, residents):
    register(
        town, town.unit_a1, parties=[PartyInput(role="applicant", person_id=residents["a1"].pk)]
    )

    alerts_run_all(now=NOW)

    assert not alerts_of("key_person").exists()


def test_a_registered_key_person_check_raises_one_alert(town, residents, monkeypatch):
    zhang = residents["a1"]
    case = register(town, town.unit_a1, parties=[PartyInput(role="applicant", person_id=zhang.pk)])
    register(town, town.unit_a2)

    def registry(person_ids):
        return (
            {zhang.pk: KeyPersonMatch(Severity.HIGH, "社区矫正对象")}
            if zhang.pk in person_ids
            else {}
        )

    monkeypatch.setattr(key_person_rule, "KEY_PERSON_CHECKS", [registry])

    alerts_run_all(now=NOW)
    alerts_run_all(now=NOW)

    alert = alerts_of("key_person").get()
    assert list(alert.cases.all()) == [case]
    assert alert.detail == "社区矫正对象"


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


def test_the_flag_page_refuses_a_non_leader(client, town):
    case = register(town, town.unit_a1)
    client.force_login(town.user("dispatcher"))

    response = client.post("/alerts/flag/", {"case": case.pk, "note": "关注"})

    assert response.status_code == 403
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
@pytest.fixture
def alert(town):
    register(town, town.unit_a1, people_involved=8)
    return alerts_run_all(now=NOW)[0]


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


def test_the_page_refuses_a_dismissal_without_a_reason(client, town, alert):
    client.force_login(town.user("leader"))

    response = client.post(f"/alerts/{alert.pk}/act/dismiss/", {"note": ""})

    assert response.status_code == 400
    assert "请填写排除该预警的原因" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_the_page_acknowledges_and_returns_to_the_board(client, town, alert):
    client.force_login(town.user("grid_worker"))

    response = client.post(f"/alerts/{alert.pk}/act/acknowledge/", {"next": "/alerts/"})

    assert response.status_code == 302
    assert response["Location"] == "/alerts/"
    alert.refresh_from_db()
    assert alert.status == Status.ACKNOWLEDGED


# --------------------------------------------------------------------------- scoping
def test_a_grid_worker_of_another_village_sees_nothing_of_it(
    client, town, alert, village_b_grid_worker
):
    outsider = village_b_grid_worker

    assert alert not in alert_list_for_user(user=outsider)
    with pytest.raises(Http404):
        alert_act(actor=outsider, alert_id=alert.pk, action="acknowledge")
    client.force_login(outsider)
    assert alert.title not in client.get("/alerts/").content.decode()
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/alerts/{alert.pk}/act/acknowledge/").status_code == 404
    alert.refresh_from_db()
    assert alert.status == Status.OPEN


def test_the_village_sees_its_alert_and_administrators_see_none(client, town, alert):
    for role in ("leader", "dispatcher", "intake_clerk", "village_cadre", "grid_worker"):
        assert alert in alert_list_for_user(user=town.user(role)), role
    for role in ("system_admin", "security_admin", "audit_admin", "mediator", "agency_liaison"):
        assert not alert_list_for_user(user=town.user(role)).exists(), role
    client.force_login(town.user("system_admin"))
    assert client.get("/alerts/").status_code == 403


# --------------------------------------------------------------------------- board
def test_the_board_lists_open_alerts_most_severe_first(client, town):
    register(town, town.unit_a1, people_involved=6, title="六户噪音")
    critical = register(town, town.unit_a2, people_involved=40, title="四十人讨薪")
    alerts_run_all(now=NOW)
    client.force_login(town.user("leader"))

    response = client.get("/alerts/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("四十人讨薪") < body.index("六户噪音")
    assert f'href="/cases/{critical.pk}/"' in body
    assert "/act/acknowledge/" in body and "/act/dismiss/" in body
    assert 'name="viewport"' in body


def test_the_board_filters_by_rule_severity_and_status(client, town):
    register(town, town.unit_a1, people_involved=6, title="六户噪音")
    register(town, town.unit_a2, title="讨薪", account="工人说要去北京上访")
    alerts_run_all(now=NOW)
    client.force_login(town.user("leader"))

    by_rule = client.get("/alerts/", {"rule": "risk_words"}).content.decode()
    assert "讨薪" in by_rule and "六户噪音" not in by_rule

    by_severity = client.get("/alerts/", {"severity": "medium"}).content.decode()
    assert "六户噪音" in by_severity and "讨薪" not in by_severity

    noise = alerts_of("many_people").get()
    alert_act(actor=town.user("leader"), alert_id=noise.pk, action="dismiss", note="误报")
    assert "六户噪音" not in client.get("/alerts/").content.decode()
    assert "六户噪音" in client.get("/alerts/", {"status": "dismissed"}).content.decode()


def test_the_detail_page_shows_the_alert_and_its_actions(client, town, alert):
    client.force_login(town.user("village_cadre"))

    response = client.get(f"/alerts/{alert.pk}/")

    assert response.status_code == 200
    assert alert.title in response.content.decode()


# --------------------------------------------------------------------------- two workers
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_pass_at_once_raise_each_alert_once():
    from tests.test_case_concurrency import run_together

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
