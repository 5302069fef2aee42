"""The daily log's writers: an entry with every check at once, one step to a case, leave,
the days counted as entries are written, and the quick report from the field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import CaseCategory, Channel, Kind, State
from fengqiao.core.errors import DomainError, NotAllowed, WrongState
from fengqiao.gridops import services
from fengqiao.gridops.models import Activity, Finding, LogDay, LogEntry
from fengqiao.gridops.selectors import compliance, period_bounds
from fengqiao.workcal.selectors import calendar_load

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 3 March 2026, 10:00: a working day; Monday 2 March was one too.
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "楼道.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def write(town, *, actor=None, at=NOW, **overrides):
    fields = {
        "occurred_at": at,
        "area": town.unit_a1,
        "finding": Finding.NOTHING,
        "text": "巡查东村1组，楼道通畅，无异常。",
        "activities": [Activity.objects.get(code="patrol").pk],
        "now": NOW,
    }
    fields.update(overrides)
    return services.log_entry_create(actor=actor or town.user("grid_worker"), **fields)


def test_an_entry_is_written_with_its_photo_and_counts_its_day(town):
    entry = write(town, photos=[photo()])

    assert entry.occurred_on == dt.date(2026, 3, 3)
    assert entry.area_path == town.unit_a1.path
    assert [p.original_name for p in entry.photos.all()] == ["楼道.png"]
    day = LogDay.objects.get(worker=town.user("grid_worker"), day=entry.occurred_on)
    assert (day.entries, day.streak) == (1, 1)
    write(town)
    day.refresh_from_db()
    assert day.entries == 2
    assert AuditEvent.objects.filter(action="log.create", target_id=str(entry.pk)).exists()


def test_every_problem_of_an_entry_is_said_at_once_and_nothing_is_written(town):
    with pytest.raises(DomainError) as refused:
        write(
            town,
            at=NOW + dt.timedelta(days=1),
            area=town.unit_b1,
            text=" ",
            finding="gossip",
            photos=[photo("报告.pdf", b"%PDF-1.4")],
        )

    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"occurred_at", "area", "text", "finding", "photos"}
    assert not LogEntry.objects.exists() and not LogDay.objects.exists()


def test_an_entry_written_long_after_needs_a_reason(town):
    with pytest.raises(DomainError) as refused:
        write(town, at=NOW - dt.timedelta(days=5))
    assert refused.value.field == "backdate_reason"

    entry = write(town, at=NOW - dt.timedelta(days=5), backdate_reason="下乡无信号，回来补记")
    assert entry.backdate_reason


def test_the_same_phone_entry_sent_twice_is_one_entry(town):
    first = write(town, client_key="6f1c2a")
    again = write(town, client_key="6f1c2a", text="重发")

    assert first.pk == again.pk and LogEntry.objects.count() == 1
    assert LogDay.objects.get().entries == 1


def test_a_role_that_keeps_no_log_is_refused_and_audited(town):
    with pytest.raises(NotAllowed):
        write(town, actor=town.user("intake_clerk"))
    assert AuditEvent.objects.filter(action="log.create", outcome="denied").count() == 1


def test_an_entry_becomes_one_case_linked_both_ways_with_its_photos(town):
    entry = write(
        town, finding=Finding.HAZARD, text="1组楼道堆放电动车电池，有起火隐患。", photos=[photo()]
    )
    category = CaseCategory.objects.get(code="other")

    case = services.log_entry_to_case(
        actor=town.user("grid_worker"), entry_id=entry.pk, category=category, now=NOW
    )

    entry.refresh_from_db()
    assert entry.case == case and case.log_entry == entry
    assert (case.kind, case.channel, case.state) == (Kind.HAZARD, Channel.DAILY_LOG, State.REPORTED)
    assert case.title == "1组楼道堆放电动车电池"  # the sentence's first clause
    assert [a.original_name for a in case.attachments.all()] == ["楼道.png"]
    with pytest.raises(WrongState):
        services.log_entry_to_case(
            actor=town.user("grid_worker"), entry_id=entry.pk, category=category, now=NOW
        )


def test_leave_excuses_a_day_and_keeps_the_run(town):
    worker = town.user("grid_worker")
    # Saturday 28 February 2026 is a working day (调休上班 after the Spring Festival).
    saturday = dt.datetime(2026, 2, 28, 9, 0, tzinfo=SHANGHAI)
    write(town, at=saturday, backdate_reason="补记")
    services.log_excuse_record(
        actor=town.user("village_cadre"),
        worker=worker.pk,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 2),
        kind="leave",
        reason="事假",
        now=NOW,
    )
    write(town)  # Tuesday

    assert LogDay.objects.get(worker=worker, day=dt.date(2026, 3, 3)).streak == 3
    start, end = period_bounds("week", NOW.date())
    figures = compliance(
        user=town.user("leader"), start=start, end=end, today=NOW.date(), calendar=calendar_load()
    )
    (row,) = figures.workers
    assert (row.due, row.kept, row.excused, row.run, row.kept_today) == (1, 1, 1, 3, True)


def test_a_quick_report_is_a_grid_report_in_four_things(town):
    case = services.quick_report(
        actor=town.user("grid_worker"),
        kind=Kind.HAZARD,
        category=CaseCategory.objects.get(code="other"),
        text="东村一网格路灯坏了三盏。晚上看不见路。",
        photos=[photo()],
        latitude="40.6",
        longitude="109.8",
        now=NOW,
    )

    assert (case.channel, case.area, case.title) == (
        Channel.GRID_REPORT,
        town.grid_a1,
        "东村一网格路灯坏了三盏",
    )
    assert case.attachments.count() == 1
    with pytest.raises(DomainError) as refused:
        services.quick_report(
            actor=town.user("grid_worker"), kind=Kind.DISPUTE, category=1, text="x", now=NOW
        )
    assert refused.value.field == "kind"


def test_a_matter_settled_on_the_spot_is_a_case_resolved_at_the_workers_level(town):
    from fengqiao.cases.models import HandlingLevel, Outcome
    from fengqiao.followups.models import FollowUp
    from fengqiao.people.models import Person
    from tests.fixtures import PersonFactory

    resident = PersonFactory(name="王大妈", area=town.unit_a1)
    entry = write(
        town,
        finding=Finding.DISPUTE,
        text="两户因楼道堆物争吵，现场劝解，双方同意当天清理。",
        residents=[resident.pk],
        settled_on_spot=True,
        settlement="双方当场同意清理楼道杂物",
        category=CaseCategory.objects.get(code="neighbours"),
    )

    case = entry.case
    assert case is not None and case.log_entry == entry
    assert (case.state, case.outcome, case.resolved_level) == (
        State.RESOLVED,
        Outcome.RESOLVED,
        HandlingLevel.GRID,
    )
    assert case.handler_user == town.user("grid_worker")
    assert [event.action for event in case.events.order_by("sequence")] == [
        "report",
        "settle_on_spot",
    ]
    assert FollowUp.objects.filter(case=case).exists()  # followed up like any other
    assert Person.objects.filter(pk=resident.pk).exists()


def test_settling_needs_its_category_and_for_a_dispute_a_resident(town):
    with pytest.raises(DomainError) as refused:
        write(
            town,
            finding=Finding.DISPUTE,
            settled_on_spot=True,
            settlement="当场化解",
        )

    assert {problem.field for problem in refused.value.problems} == {"category", "residents"}
    assert not LogEntry.objects.exists()
