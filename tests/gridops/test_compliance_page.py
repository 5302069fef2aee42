"""The compliance page and its export against a week counted by hand (tests/fixtures/
gridops.py `log_week`): an adjusted working Saturday, a holiday Monday, a day of leave."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from tests.fixtures import SATURDAY, log_entry, log_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(town, grid_worker_b, monkeypatch):
    from fengqiao.core import clock

    monkeypatch.setattr(clock, "now", lambda: SATURDAY)
    return log_week(town, grid_worker_b)


def page_for(user, **query):
    client = Client()
    client.force_login(user)
    return client.get(reverse("log_compliance"), query)


def figures_of(row):
    return (row.due, row.kept, row.excused, row.missed, row.rate, row.run, row.kept_today)


def test_the_week_as_the_leader_sees_it(town, week):
    response = page_for(town.user(Role.LEADER), period="week")

    figures = response.context["figures"]
    assert (figures.start.isoformat(), figures.end.isoformat()) == ("2026-02-23", "2026-03-01")
    rows = {row.worker.username: (row, row.entries) for row in response.context["worker_page"]}
    a1, a1_entries = rows[week.a1.username]
    a2, a2_entries = rows[week.a2.username]
    b1, b1_entries = rows[week.b1.username]
    assert figures_of(a1) == (4, 4, 1, 0, Decimal("100.0"), 5, True)
    assert figures_of(a2) == (5, 1, 0, 4, Decimal("20.0"), 0, False)
    assert figures_of(b1) == (5, 2, 0, 3, Decimal("40.0"), 2, True)
    assert (a1_entries, a2_entries, b1_entries) == (5, 2, 2)
    villages = {
        t.area.name: (t.workers, t.due, t.kept, t.rate, t.not_logged_today)
        for t in figures.by_village
    }
    assert villages == {
        "东村": (2, 9, 5, Decimal("55.6"), 1),
        "西村": (1, 5, 2, Decimal("40.0"), 0),
    }
    grids = {t.area.name: (t.due, t.kept) for t in figures.by_grid}
    assert grids == {"东村一网格": (4, 4), "东村二网格": (5, 1), "西村一网格": (5, 2)}
    total = figures.total
    assert (total.due, total.kept, total.rate) == (14, 7, Decimal("50.0"))
    assert [row.worker.pk for row in figures.not_logged_today] == [week.a2.pk]
    page = response.content.decode()
    assert "55.6%" in page and "50.0%" in page
    # the definitions are on the page, in the reader's language
    assert "已记天数 ÷ 应记天数" in page and "调休上班日" in page


def test_today_counts_only_today(town, week):
    figures = page_for(town.user(Role.LEADER)).context["figures"]

    rows = {row.worker.username: figures_of(row) for row in figures.workers}
    assert rows[week.a1.username][:2] == (1, 1)
    assert rows[week.a2.username][:2] == (1, 0)
    assert (figures.total.due, figures.total.kept) == (3, 2)


def test_a_village_cadre_sees_their_village_only(town, week):
    response = page_for(town.user(Role.VILLAGE_CADRE), period="week")

    workers = {row.worker.pk for row in response.context["figures"].workers}
    assert workers == {week.a1.pk, week.a2.pk}
    assert "西村" not in response.content.decode()


def test_the_leader_narrows_to_one_village(town, week):
    response = page_for(town.user(Role.LEADER), period="week", village=town.village_b.pk)

    assert [row.worker.pk for row in response.context["figures"].workers] == [week.b1.pk]


def test_a_village_outside_the_cadres_area_is_not_a_choice(town, week):
    response = page_for(town.user(Role.VILLAGE_CADRE), period="week", village=town.village_b.pk)

    # the choice is refused and the page falls back to the cadre's whole area
    assert {row.worker.pk for row in response.context["figures"].workers} == {
        week.a1.pk,
        week.a2.pk,
    }


def test_the_export_carries_the_same_figures_escaped_and_audited(town, week):
    # a worker's name that a spreadsheet would take for a formula
    week.a2.full_name = "=HYPERLINK(1)"
    week.a2.save(update_fields=["full_name"])
    client = Client()
    client.force_login(town.user(Role.LEADER))

    response = client.get(reverse("log_compliance_export"), {"period": "week"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按村（社区）", "按网格", "每名网格员", "口径说明"]
    villages = [row for row in book["按村（社区）"].iter_rows(values_only=True) if row[0]]
    assert ("东村", 2, 9, 5, 4, 55.6, 1) in villages
    assert ("合计", 3, 14, 7, 7, 50.0, 1) in villages
    workers = {row[0]: row for row in book["每名网格员"].iter_rows(min_row=2, values_only=True)}
    assert workers["'=HYPERLINK(1)"][3:] == (5, 1, 0, 4, 20.0, 2, 0, "否", 0)
    assert AuditEvent.objects.filter(
        action="log.compliance_export", actor=town.user(Role.LEADER)
    ).exists()


def test_the_export_is_refused_to_whom_the_page_is_refused(town, week):
    client = Client()
    client.force_login(town.user(Role.GRID_WORKER))

    assert client.get(reverse("log_compliance_export")).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_a_second_entry_is_needed_when_the_rule_asks_two(town, week):
    from fengqiao.gridops.models import LogPolicy

    LogPolicy.objects.filter(pk=1).update(min_entries_per_working_day=2)
    log_entry(week.b1, town.unit_b1, at=SATURDAY)

    rows = {
        row.worker.username: figures_of(row)
        for row in page_for(town.user(Role.LEADER), period="week").context["figures"].workers
    }
    # a1 wrote two on Thursday 26 only; b1 now two today
    assert rows[week.a1.username][:2] == (4, 1)
    assert rows[week.b1.username][:2] == (5, 1)


def listed(response):
    return [row.worker.username for row in response.context["worker_page"]]


def test_the_workers_listed_filtered_and_ordered(town, week):
    leader = town.user(Role.LEADER)
    a1, a2, b1 = week.a1.username, week.a2.username, week.b1.username

    assert listed(page_for(leader, period="week")) == [a1, a2, b1]
    assert listed(page_for(leader, period="week", show="not_logged")) == [a2]
    assert listed(page_for(leader, period="week", show="missed")) == [a2, b1]
    assert listed(page_for(leader, period="week", sort="missed")) == [a2, b1, a1]
    assert listed(page_for(leader, period="week", sort="rate")) == [a2, b1, a1]
    assert listed(page_for(leader, period="week", sort="run")) == [a2, b1, a1]
    # what the list does not know falls back to all, by village and grid
    assert listed(page_for(leader, period="week", show="nobody", sort="?")) == [a1, a2, b1]
    # the figures above the list stay the whole area's
    response = page_for(leader, period="week", show="not_logged")
    assert response.context["figures"].total.workers == 3
    assert response.context["worker_page"].paginator.count == 1


def test_the_tables_come_a_page_at_a_time_keeping_the_filters(town, week, monkeypatch):
    from fengqiao.gridops import views

    monkeypatch.setattr(views, "COMPLIANCE_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "NOT_LOGGED_SHOWN", 0)
    leader = town.user(Role.LEADER)

    first = page_for(leader, period="week", sort="missed")
    second = page_for(leader, period="week", sort="missed", page=2)
    grids = page_for(leader, period="week", grid_page=2)

    assert listed(first) == [week.a2.username, week.b1.username]
    assert listed(second) == [week.a1.username]
    html = first.content.decode()
    assert 'href="?period=week&amp;sort=missed&amp;page=2#workers"' in html
    assert 'href="?period=week&amp;sort=missed&amp;grid_page=2#grids"' in html
    assert [t.area.name for t in grids.context["grid_page"]] == ["西村一网格"]
    # the names not shown of those not logged today are a link away
    assert 'href="?period=week&amp;sort=missed&amp;show=not_logged#workers"' in html
    # the export lists the workers as the page does, not only its first page
    export = Client()
    export.force_login(leader)
    book = load_workbook(
        io.BytesIO(
            export.get(
                reverse("log_compliance_export"), {"period": "week", "sort": "missed", "page": 2}
            ).content
        )
    )
    names = [row[0] for row in book["每名网格员"].iter_rows(min_row=2, values_only=True)]
    assert names == [str(week.a2), str(week.b1), str(week.a1)]
