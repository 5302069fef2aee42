"""Dispute screening in the demo year: half-monthly rounds with zero reports and findings,
the year's screening cases named by their village's report, some late, a couple missing."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import Count

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel
from fengqiao.demo.cases import REFERENCE_NOW
from fengqiao.demo.generator import TownPlan, write_plan
from fengqiao.screening import selectors
from fengqiao.screening.models import (
    ReportState,
    RoundKind,
    RoundState,
    ScreeningFinding,
    ScreeningReport,
    ScreeningRound,
)
from tests.fixtures import DEMO_PASSWORD


@pytest.mark.django_db
def test_the_demo_year_screens_every_half_month(small_year: TownPlan) -> None:
    # when
    counts = write_plan(small_year, password=DEMO_PASSWORD)

    # then a regular round every half month from December 2025, and three special ones
    regular = list(ScreeningRound.objects.filter(kind=RoundKind.REGULAR).order_by("period_start"))
    assert (regular[0].period_start, regular[-1].period_end) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 11, 30),
    )
    for earlier, later in itertools.pairwise(regular):
        assert later.period_start == earlier.period_end + dt.timedelta(days=1)
    assert all(screening_round.opened_by is None for screening_round in regular)
    assert ScreeningRound.objects.filter(kind=RoundKind.SPECIAL).count() == 3
    assert counts["screening_rounds"] == ScreeningRound.objects.count() == 27
    # all closed but the last two
    open_rounds = list(
        ScreeningRound.objects.filter(state=RoundState.OPEN).order_by("period_start")
    )
    assert [(r.period_start.month, r.period_start.day) for r in open_rounds] == [(11, 1), (11, 16)]

    # each round expects the 8 villages, the 16 grids with a worker, the 3 units with a head
    assert set(
        ScreeningReport.objects.filter(expected=True)
        .values("round")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ) == {27}
    # mostly zero reports; some late, one after the round closed
    filed = ScreeningReport.objects.exclude(state=ReportState.PENDING)
    assert filed.filter(state=ReportState.NOTHING_FOUND).count() > filed.count() * 0.8
    assert filed.filter(late=True).count() >= 3
    assert filed.filter(after_close=True).count() == 1

    # the year's screening cases are findings of their village's report, none registered twice
    screening_cases = Case.objects.filter(channel=Channel.SCREENING)
    assert screening_cases.exists()
    assert ScreeningFinding.objects.filter(case__isnull=False).count() == screening_cases.count()
    assert Case.objects.count() == len(small_year.cases)
    for finding in ScreeningFinding.objects.filter(case__isnull=False).select_related(
        "case", "report__round", "report__area"
    ):
        day = finding.case.received_at.astimezone(REFERENCE_NOW.tzinfo).date()
        assert finding.report.round.period_start <= day <= finding.report.round.period_end
        assert finding.case.area_path.startswith(finding.report.area_path)
        assert finding.report.level == 2
    assert ScreeningFinding.objects.filter(handled_on_spot=True).exists()

    # at the demo's now the 1–15 November round has two areas past the deadline
    leader = User.objects.get(username="leader")
    late = selectors.late_reporters(user=leader, now=REFERENCE_NOW)
    assert len([row for row in late if not row.filed]) == 2
    missing_closed = ScreeningReport.objects.filter(
        round__state=RoundState.CLOSED, expected=True, state=ReportState.PENDING
    )
    assert missing_closed.count() == 2
