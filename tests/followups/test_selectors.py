"""The follow-up queue (due today, overdue, upcoming), scoped like the cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from fengqiao.core import clock
from fengqiao.followups.models import FollowUpAttempt
from fengqiao.followups.selectors import (
    QueueFilter,
    followup_counts,
    followup_list_for_user,
    followup_queue,
)
from tests.fixtures import followups, resolved_case, satisfied, shanghai

pytestmark = pytest.mark.django_db


# Monday 15 September 2025, 10:00 in Shanghai. Seven days on is Monday 22 September;
# thirty days on is Wednesday 15 October, after the National Day holidays (1–8 October).
NOW = shanghai(2025, 9, 15, 10, 0)
DAY_7 = dt.date(2025, 9, 22)
DAY_30 = dt.date(2025, 10, 15)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ queue and scope
def test_the_queue_shows_due_today_overdue_and_upcoming(town):
    case = resolved_case(town)
    worker = town.user("grid_worker")

    def bucket(name: str, today: dt.date) -> list[dt.date]:
        queue = followup_queue(user=worker, filters=QueueFilter(bucket=name), today=today)
        return [f.due_on for f in queue if f.case_id == case.pk]

    assert bucket("today", DAY_7) == [DAY_7]
    assert bucket("upcoming", DAY_7) == [DAY_30]
    assert bucket("overdue", DAY_7) == []
    assert bucket("overdue", dt.date(2025, 9, 25)) == [DAY_7]
    # The tabs count what each bucket lists.
    for today in (DAY_7, dt.date(2025, 9, 25)):
        counts = followup_counts(user=worker, today=today)
        for name in ("today", "upcoming", "overdue", "decision"):
            listed = followup_queue(user=worker, filters=QueueFilter(bucket=name), today=today)
            assert counts[name] == listed.count(), (today, name)
    assert followup_counts(user=worker, today=DAY_7) == {
        "overdue": 0,
        "today": 1,
        "upcoming": 1,
        "decision": 0,
    }


def test_follow_ups_are_scoped_like_their_cases(town, grid_worker_b):
    case = resolved_case(town)
    first = followups(case)[0]

    for role in ("grid_worker", "leader", "mediator", "village_cadre"):
        assert followup_list_for_user(user=town.user(role)).filter(case=case).count() == 2, role
    for user in (grid_worker_b, town.user("agency_liaison"), town.user("system_admin")):
        assert not followup_list_for_user(user=user).exists()
    with pytest.raises(Http404):
        satisfied(grid_worker_b, first)
    assert not FollowUpAttempt.objects.exists()
