"""Reminders to the areas that have not reported: the day before the deadline, and after it,
each once, whatever the number of times the daily pass runs."""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.notify.models import Kind, Notification
from fengqiao.screening import services
from tests.fixtures import (
    file_zero,
    open_round,
    shanghai,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_immediate")]

# The round's reports are due at the end of Tuesday 17 March.
TWO_DAYS_BEFORE = shanghai(2026, 3, 15, 7, 30)
DAY_BEFORE = shanghai(2026, 3, 16, 7, 30)
DUE_DAY = shanghai(2026, 3, 17, 7, 30)
DAY_AFTER = shanghai(2026, 3, 18, 7, 30)


def told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_the_reporters_yet_to_report_are_reminded_the_day_before_and_after_once_each(town):
    screening_round = open_round(town)
    file_zero(town.user(Role.GRID_WORKER), screening_round)
    unit_head, cadre = town.user(Role.UNIT_HEAD), town.user(Role.VILLAGE_CADRE)

    # two days before: nothing yet (and the half month's round is the leader's, opened)
    assert services.screening_daily_pass(now=TWO_DAYS_BEFORE) == {
        "opened": 0,
        "soon": 0,
        "overdue": 0,
    }
    assert told(unit_head, Kind.DEADLINE_NEAR) == 0

    first = services.screening_remind(now=DAY_BEFORE)
    again = services.screening_remind(now=DUE_DAY)
    assert first == {"soon": 2, "overdue": 0} and again == {"soon": 0, "overdue": 0}
    assert told(unit_head, Kind.DEADLINE_NEAR) == told(cadre, Kind.DEADLINE_NEAR) == 1
    # the grid worker filed: no reminder
    assert told(town.user(Role.GRID_WORKER), Kind.DEADLINE_NEAR) == 0

    file_zero(unit_head, screening_round, now=DUE_DAY)
    after = services.screening_remind(now=DAY_AFTER)
    after_again = services.screening_remind(now=DAY_AFTER.replace(hour=9))
    assert after == {"soon": 0, "overdue": 1} and after_again == {"soon": 0, "overdue": 0}
    reminder = Notification.objects.get(recipient=cadre, kind=Kind.DEADLINE_OVERDUE)
    assert "东村" in reminder.title
    assert reminder.link == f"/screening/{screening_round.pk}/areas/{town.village_a.pk}/"


def test_a_closed_round_reminds_nobody(town):
    screening_round = open_round(town)
    services.screening_round_close(actor=town.user(Role.LEADER), round_id=screening_round.pk)

    assert services.screening_remind(now=DAY_AFTER) == {"soon": 0, "overdue": 0}
    assert not Notification.objects.exists()
