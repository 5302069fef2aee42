"""Screening rounds and reports through the services: opening, filing, late, findings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Case, CaseEvent, Channel, Kind
from fengqiao.core.errors import DomainError, InvalidInput, NotAllowed, WrongState
from fengqiao.screening import services
from fengqiao.screening.models import (
    ReportState,
    RoundKind,
    RoundState,
    ScreeningPolicy,
    ScreeningReport,
    ScreeningRound,
)
from fengqiao.screening.selectors import reports_due_for
from tests.fixtures import (
    ROUND_AFTER_DUE,
    ROUND_DUE,
    ROUND_DURING,
    ROUND_OPENED,
    UserFactory,
    file_findings,
    file_zero,
    found_dispute,
    found_hazard,
    open_round,
    shanghai,
)

pytestmark = pytest.mark.django_db


def denied(action: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome="denied").count()


# --------------------------------------------------------------------------- rounds
def test_a_regular_round_screens_the_half_month_and_expects_each_area_with_a_reporter(town):
    # when the leader opens a regular round on 3 March without saying more
    screening_round = open_round(town)

    # then it screens 1–15 March, its reports are due two working days after the 15th
    assert (screening_round.period_start, screening_round.period_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
    )
    assert screening_round.due_at == ROUND_DUE
    assert screening_round.title == "2026年3月上半月矛盾纠纷排查"
    assert screening_round.number == "PC-2026-0001"
    assert list(screening_round.areas.all()) == [town.town]
    # and a report is expected from the village, grid and unit that have their reporter
    expected = ScreeningReport.objects.filter(round=screening_round, expected=True)
    assert {report.area for report in expected} == {town.village_a, town.grid_a1, town.unit_a1}
    assert {report.state for report in expected} == {ReportState.PENDING}
    assert AuditEvent.objects.filter(action="screening.open", outcome="success").count() == 1


def test_a_second_regular_round_for_the_same_half_month_is_refused(town):
    open_round(town)

    with pytest.raises(WrongState) as refused:
        open_round(town, now=ROUND_DURING)

    assert refused.value.code == "round_exists"
    assert ScreeningRound.objects.count() == 1
    assert denied("screening.open") == 1


def test_a_special_round_names_its_period_and_every_problem_is_said_at_once(town):
    with pytest.raises(InvalidInput) as invalid:
        open_round(town, kind=RoundKind.SPECIAL, title="节" * 101)

    assert {problem.field for problem in invalid.value.problems} == {"period_start", "title"}

    special = open_round(
        town,
        kind=RoundKind.SPECIAL,
        period_start=dt.date(2026, 3, 30),
        period_end=dt.date(2026, 4, 5),
        due_on=dt.date(2026, 4, 3),
        title="清明节前矛盾纠纷专项排查",
    )
    assert special.due_at == shanghai(2026, 4, 3, 23, 59, 59)
    assert special.regular_key == ""


def test_only_a_leader_opens_a_round(town):
    with pytest.raises(NotAllowed):
        services.screening_round_open(actor=town.user(Role.VILLAGE_CADRE), now=ROUND_OPENED)

    assert denied("screening.open") == 1
    assert not ScreeningRound.objects.exists()


def test_the_daily_pass_opens_the_half_month_s_round_once(town):
    first = services.screening_daily_pass(now=shanghai(2026, 3, 16, 7, 30))
    again = services.screening_daily_pass(now=shanghai(2026, 3, 17, 7, 30))

    assert first["opened"] == 1 and again["opened"] == 0
    screening_round = ScreeningRound.objects.get()
    assert screening_round.title == "2026年3月下半月矛盾纠纷排查"
    assert screening_round.opened_by is None
    assert (screening_round.period_start, screening_round.period_end) == (
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 31),
    )


def test_the_daily_pass_opens_nothing_when_the_rule_says_so(town):
    ScreeningPolicy.objects.update_or_create(pk=1, defaults={"auto_open_regular": False})

    assert services.screening_daily_pass(now=ROUND_OPENED)["opened"] == 0
    assert not ScreeningRound.objects.exists()


def test_a_leader_closes_a_round_and_then_it_cannot_be_closed_again(town):
    screening_round = open_round(town)

    services.screening_round_close(
        actor=town.user(Role.LEADER), round_id=screening_round.pk, now=ROUND_AFTER_DUE
    )

    screening_round.refresh_from_db()
    assert screening_round.state == RoundState.CLOSED
    with pytest.raises(WrongState):
        services.screening_round_close(actor=town.user(Role.LEADER), round_id=screening_round.pk)
    assert denied("screening.close") == 1


# --------------------------------------------------------------------------- reports
def test_a_zero_report_is_filed_once_and_a_second_is_refused(town):
    screening_round = open_round(town)
    worker = town.user(Role.GRID_WORKER)
    report = file_zero(worker, screening_round)
    assert report.state == ReportState.NOTHING_FOUND
    assert (report.late, report.on_behalf, report.filed_at) == (False, False, ROUND_DURING)

    # when the grid worker (or the cadre, on the grid's behalf) sends another zero report
    for sender in (worker, town.user(Role.VILLAGE_CADRE)):
        with pytest.raises(WrongState) as refused:
            file_zero(
                sender, screening_round, town.grid_a1, now=ROUND_DURING + dt.timedelta(hours=1)
            )
        assert refused.value.code == "already_reported"
        assert "已" in refused.value.message

    # then it is refused, audited each time, and nothing changed
    report.refresh_from_db()
    assert (report.filed_by, report.filed_at) == (worker, ROUND_DURING)
    assert denied("screening.report_nothing") == 2
    assert AuditEvent.objects.filter(action="screening.report").count() == 1


def test_a_report_after_the_deadline_is_accepted_and_marked_late(town):
    screening_round = open_round(town)

    report = file_zero(town.user(Role.UNIT_HEAD), screening_round, now=ROUND_AFTER_DUE)

    assert report.state == ReportState.NOTHING_FOUND
    assert report.late and not report.after_close


def test_a_report_after_the_round_closed_is_accepted_and_marked_late(town, residents):
    screening_round = open_round(town)
    services.screening_round_close(
        actor=town.user(Role.LEADER), round_id=screening_round.pk, now=ROUND_AFTER_DUE
    )

    report = file_findings(
        town.user(Role.GRID_WORKER), screening_round, [found_hazard()], now=ROUND_AFTER_DUE
    )

    assert report.state == ReportState.FOUND
    assert report.late and report.after_close


def test_findings_become_cases_of_the_screening_channel_in_their_place(town, residents):
    screening_round = open_round(town)
    worker = town.user(Role.GRID_WORKER)

    report = file_findings(
        worker,
        screening_round,
        [found_hazard(), found_dispute(residents["a1"], area=town.unit_a1)],
    )

    findings = list(report.findings.order_by("pk"))
    assert [finding.case.kind for finding in findings] == [Kind.HAZARD, Kind.DISPUTE]
    for finding, area in zip(findings, [town.grid_a1, town.unit_a1], strict=True):
        case = finding.case
        assert (case.channel, case.area, case.reported_by) == (Channel.SCREENING, area, worker)
        assert CaseEvent.objects.filter(case=case, action="screening_found").exists()
    assert findings[1].case.parties.get().person == residents["a1"]
    assert findings[0].case.title == "3号楼楼道堆放杂物"


def test_a_dispute_found_without_its_applicant_is_refused_with_the_way_out(town):
    screening_round = open_round(town)

    with pytest.raises(InvalidInput) as invalid:
        file_findings(
            town.user(Role.GRID_WORKER),
            screening_round,
            [found_hazard(text=""), found_dispute(None)],
        )

    fields = {problem.field for problem in invalid.value.problems}
    assert fields == {"findings.0.text", "findings.1.parties"}
    assert not Case.objects.exists()
    report = ScreeningReport.objects.get(round=screening_round, area=town.grid_a1)
    assert report.state == ReportState.PENDING


def test_a_matter_handled_on_the_spot_is_recorded_without_a_case(town):
    screening_round = open_round(town)

    report = file_findings(
        town.user(Role.UNIT_HEAD),
        screening_round,
        [found_hazard(handled_on_spot=True, handled_note="当场劝说清理，已清空")],
    )

    finding = report.findings.get()
    assert finding.case is None and finding.handled_on_spot
    assert not Case.objects.exists()


def test_findings_are_added_while_the_round_is_open_but_not_after_it_closed(town):
    screening_round = open_round(town)
    worker = town.user(Role.GRID_WORKER)
    file_zero(worker, screening_round)

    report = file_findings(
        worker, screening_round, [found_hazard()], now=ROUND_DURING + dt.timedelta(days=1)
    )
    assert report.state == ReportState.FOUND
    assert report.filed_at == ROUND_DURING  # filed when the zero report was

    services.screening_round_close(
        actor=town.user(Role.LEADER), round_id=screening_round.pk, now=ROUND_AFTER_DUE
    )
    with pytest.raises(WrongState) as refused:
        file_findings(worker, screening_round, [found_hazard()], now=ROUND_AFTER_DUE)
    assert refused.value.code == "round_closed"
    assert report.findings.count() == 1


def test_a_cadre_reports_on_behalf_of_an_area_nobody_reports_for(town):
    screening_round = open_round(town)

    report = file_zero(town.user(Role.VILLAGE_CADRE), screening_round, town.grid_a2)

    assert (report.expected, report.on_behalf) == (False, True)
    assert report.state == ReportState.NOTHING_FOUND


def test_a_grid_worker_may_not_report_for_a_unit_of_their_grid(town):
    screening_round = open_round(town)

    with pytest.raises(NotAllowed):
        file_zero(town.user(Role.GRID_WORKER), screening_round, town.unit_a1)

    assert denied("screening.report_nothing") == 1
    report = ScreeningReport.objects.get(round=screening_round, area=town.unit_a1)
    assert report.state == ReportState.PENDING


def test_a_grid_worker_of_the_other_village_sees_nothing_of_village_a(town, grid_worker_b):
    screening_round = open_round(town)

    for area in (town.grid_a1, town.unit_a1, town.village_a):
        with pytest.raises(Http404):
            file_zero(grid_worker_b, screening_round, area)

    assert not ScreeningReport.objects.filter(state=ReportState.NOTHING_FOUND).exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=grid_worker_b).count() == 3


def test_an_area_with_no_reporter_of_its_own_is_asked_to_name_one(town):
    screening_round = open_round(town)

    with pytest.raises(DomainError) as invalid:
        file_zero(town.user(Role.LEADER), screening_round)

    assert (invalid.value.status, invalid.value.field) == (400, "area")


def test_reports_due_for_lists_the_open_rounds_the_user_s_area_has_not_reported(town):
    screening_round = open_round(town)
    worker = town.user(Role.GRID_WORKER)

    assert [due.pk for due in reports_due_for(worker, now=ROUND_DURING)] == [screening_round.pk]
    assert reports_due_for(worker, now=ROUND_AFTER_DUE)[0].overdue
    assert reports_due_for(town.user(Role.LEADER), now=ROUND_DURING) == []
    file_zero(worker, screening_round)
    assert reports_due_for(worker, now=ROUND_DURING) == []
    # a new unit head, whose unit was not expected, still has the round to report for
    newcomer = UserFactory(roles=[Role.UNIT_HEAD], home_area=town.unit_b1)
    assert [due.due_area for due in reports_due_for(newcomer, now=ROUND_DURING)] == [town.unit_b1]
