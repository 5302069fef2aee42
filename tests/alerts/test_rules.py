"""Early warning, rule by rule: each rule raises one alert per condition, and stays quiet
below its threshold."""

from __future__ import annotations

import pytest

from fengqiao.alerts.lexicon import RiskCategory, RiskMatcher
from fengqiao.alerts.models import Severity
from fengqiao.alerts.rules import key_person as key_person_rule
from fengqiao.alerts.rules.key_person import KeyPersonMatch
from fengqiao.alerts.services import alert_rules_install, alerts_run_all
from fengqiao.cases.services import PartyInput
from tests.fixtures import ALERTS_NOW, act, alerts_of, case_in_state, category, days_ago, register

NOW = ALERTS_NOW


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
