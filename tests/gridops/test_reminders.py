"""The reminder to grid workers who have not logged today: from the rule's hour, on a
working day, once a day, only to those due and behind."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.gridops import services
from fengqiao.gridops.models import LogPolicy
from fengqiao.jobs import registry
from fengqiao.notify.models import Notification
from tests.fixtures import SATURDAY, SUNDAY, UserFactory, log_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers(town, grid_worker_b):
    """a1 logs on the adjusted working Saturday, a2 is on leave, b1 has not logged."""
    a1 = town.user(Role.GRID_WORKER)
    a2 = UserFactory(username="t_grid_a2", roles=[Role.GRID_WORKER], home_area=town.grid_a2)
    log_entry(a1, town.unit_a1, at=SATURDAY - dt.timedelta(hours=8))
    services.log_excuse_record(
        actor=town.user(Role.VILLAGE_CADRE),
        worker=a2.pk,
        starts_on=SATURDAY.date(),
        ends_on=SATURDAY.date(),
        kind="sick",
        reason="病假",
        now=SATURDAY - dt.timedelta(days=1),
    )
    return {"a1": a1, "a2": a2, "b1": grid_worker_b}


def reminded() -> list[int]:
    return sorted(
        Notification.objects.filter(dedupe_key__startswith="daily-log-reminder:").values_list(
            "recipient_id", flat=True
        )
    )


def test_after_the_hour_only_who_has_not_logged_is_reminded_and_only_once(town, workers):
    told = services.log_reminders_send(now=SATURDAY)
    again = services.log_reminders_send(now=SATURDAY + dt.timedelta(minutes=5))

    assert told == 1 and again == 0
    assert reminded() == [workers["b1"].pk]
    note = Notification.objects.get()
    assert note.link == "/field/log/new/"
    assert "民情日志" in note.title
    # the unit head and the village cadre keep a log too, but the rule is for grid workers
    assert town.user(Role.UNIT_HEAD).pk not in reminded()


def test_nothing_before_the_rule_s_hour(town, workers):
    policy = LogPolicy.objects.get(pk=1)
    before = SATURDAY.replace(hour=policy.reminder_hour - 1, minute=59)

    assert services.log_reminders_send(now=before) == 0
    assert reminded() == []


def test_the_hour_is_the_rule_s(town, workers):
    LogPolicy.objects.filter(pk=1).update(reminder_hour=19)

    assert services.log_reminders_send(now=SATURDAY) == 0  # 18:00
    assert services.log_reminders_send(now=SATURDAY.replace(hour=19)) == 1


def test_nothing_on_a_rest_day(town, workers):
    assert services.log_reminders_send(now=SUNDAY) == 0
    assert reminded() == []


def test_the_next_working_day_reminds_again(town, workers):
    services.log_reminders_send(now=SATURDAY)
    monday = SATURDAY + dt.timedelta(days=2)

    services.log_reminders_send(now=monday)

    # Monday 2 March: a1 has not logged that day, a2's leave is over
    assert reminded() == sorted(
        [workers["b1"].pk, workers["b1"].pk, workers["a1"].pk, workers["a2"].pk]
    )


def test_the_reminder_runs_with_the_periodic_passes(town, workers):
    results = registry.run_all(registry.RULE_PASSES, now=SATURDAY)

    assert results["daily_log_reminder"] == 1
    assert reminded() == [workers["b1"].pk]
