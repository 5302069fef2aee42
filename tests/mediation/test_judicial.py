"""Judicial confirmation: the 30 days to apply, counted in calendar days and warned of, the
application and its result, the daily pass that tells the mediators."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation import judicial
from fengqiao.mediation.models import JudicialConfirmation
from fengqiao.mediation.selectors import judicial_days_left, judicial_warning
from fengqiao.notify.models import Notification
from tests.fixtures import NOW, TODAY, effective_agreement


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_days_left_and_the_warning_count_calendar_days(town):
    agreement = effective_agreement(town)
    assert judicial_days_left(agreement, TODAY) == 30
    assert not judicial_warning(agreement, TODAY)
    assert judicial_days_left(agreement, TODAY + dt.timedelta(days=23)) == 7
    assert judicial_warning(agreement, TODAY + dt.timedelta(days=23))
    assert not judicial_warning(agreement, TODAY + dt.timedelta(days=31))


def test_an_application_within_30_days_is_recorded_with_its_result(town):
    agreement = effective_agreement(town)
    on = TODAY + dt.timedelta(days=30)
    later = NOW + dt.timedelta(days=30)
    confirmation = judicial.judicial_apply(
        actor=town.user("mediator"),
        agreement_id=agreement.pk,
        applied_on=on,
        court=town.court,
        now=later,
    )
    assert confirmation.court == town.court
    assert not judicial_warning(agreement, on)
    judicial.judicial_result_record(
        actor=town.user("mediator"),
        confirmation_id=confirmation.pk,
        result="confirmed",
        result_on=on,
        now=later,
    )
    confirmation.refresh_from_db()
    assert confirmation.result == "confirmed"


def test_an_application_after_30_days_is_refused_and_nothing_saved(town):
    agreement = effective_agreement(town)
    late = NOW + dt.timedelta(days=31)
    with pytest.raises(DomainError) as refused:
        judicial.judicial_apply(
            actor=town.user("mediator"),
            agreement_id=agreement.pk,
            applied_on=late.date(),
            court=town.court,
            now=late,
        )
    assert refused.value.code == "window_closed"
    assert (TODAY + dt.timedelta(days=30)).isoformat() in refused.value.message
    assert not JudicialConfirmation.objects.exists()


def test_the_window_pass_tells_the_mediators_once(town):
    agreement = effective_agreement(town)
    assert judicial.judicial_window_pass(now=NOW) == 0
    near = NOW + dt.timedelta(days=25)
    assert judicial.judicial_window_pass(now=near) == 1
    assert judicial.judicial_window_pass(now=near + dt.timedelta(hours=1)) == 0
    notice = Notification.objects.get(recipient=town.user("mediator"))
    assert notice.dedupe_key == f"judicial_window:{agreement.pk}"


def test_the_window_pass_is_registered_with_the_scheduled_jobs():
    from fengqiao.jobs.registry import RULE_PASSES

    assert "judicial_window" in dict(RULE_PASSES)
