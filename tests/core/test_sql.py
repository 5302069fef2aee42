"""The statements the ORM does not write for us: `insert_new` (insert what is new, skip
what a unique constraint already holds), `insert_rows` (new rows, given their ids) and
`select_values` / `select_plain` (plain columns by equality or membership)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.areas.models import Area
from fengqiao.cases.models import Case, CaseCategory
from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.sql import (
    _as_is,
    _converter,
    insert_new,
    insert_rows,
    select_plain,
    select_values,
)
from fengqiao.notify.models import Notification
from fengqiao.people.models import Person
from fengqiao.workcal.models import CalendarYear
from tests.fixtures import shanghai

FIELDS = ("recipient", "kind", "title", "body", "link", "dedupe_key", "created_at")


def test_new_rows_are_inserted_and_returned_and_known_ones_skipped(town):
    leader, mediator = town.user("leader"), town.user("mediator")
    at = shanghai(2026, 3, 2, 9, 30)

    def row(user, key):
        return Notification(
            recipient=user, kind="system", title="标题", dedupe_key=key, created_at=at
        )

    first = insert_new(
        Notification,
        [row(leader, "a")],
        fields=FIELDS,
        returning=("recipient", "dedupe_key"),
    )
    again = insert_new(
        Notification,
        [row(leader, "a"), row(mediator, "a")],
        fields=FIELDS,
        returning=("recipient", "dedupe_key"),
    )

    assert first == [(leader.pk, "a")]
    assert again == [(mediator.pk, "a")]
    stored = Notification.objects.get(recipient=mediator)
    assert stored.created_at == at and stored.title == "标题"
    assert Notification.objects.count() == 2


def test_a_field_with_its_own_conversion_keeps_it():
    encrypted = next(
        field for field in Person._meta.get_fields() if isinstance(field, EncryptedTextField)
    )
    assert _converter(encrypted) is not _as_is
    assert _converter(Notification._meta.get_field("title")) is _as_is


def test_inserted_rows_get_their_ids_in_order_and_read_back_as_given(town):
    clerk = town.user("intake_clerk")
    received = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    category = CaseCategory.objects.get(code="property")

    def case(number, **fields):
        return Case(
            number=number, kind="dispute", grade="general", category=category,
            channel="walk_in", title="标题", account="经过", area=town.unit_a1,
            area_path=town.unit_a1.path, received_at=received, reported_by=clerk,
            created_at=received, updated_at=received, state="reported", clock_start=received,
            milestone="feedback", sla_working_days=3, due_at=received, **fields,
        )  # fmt: skip

    rows = [
        case("T-1", amount_involved=Decimal("12345.60"), latitude=Decimal("29.712345")),
        case("T-2"),
        case("T-3", people_involved=7),
    ]
    insert_rows(Case, rows)

    assert [row.pk for row in rows] == list(
        Case.objects.order_by("number").values_list("pk", flat=True)
    )
    assert all(not row._state.adding for row in rows)
    stored = Case.objects.get(number="T-1")
    assert stored.amount_involved == Decimal("12345.60")
    assert stored.latitude == Decimal("29.712345") and stored.longitude is None
    # 00:30 in Shanghai is the previous day in UTC; the moment is kept exactly.
    assert stored.received_at == received
    assert Case.objects.get(number="T-3").people_involved == 7


def test_an_inserted_row_with_auto_now_gets_the_time_as_save_would(db):
    year = CalendarYear(year=2031, note="待国务院办公厅通知")
    insert_rows(CalendarYear, [year])
    stored = CalendarYear.objects.get(year=2031)
    assert stored.pk == year.pk
    assert year.updated_at is not None and stored.updated_at == year.updated_at


def test_no_rows_no_statement(db):
    with CaptureQueriesContext(connection) as queries:
        insert_rows(CalendarYear, [])
        assert select_values(Area, ("id",), id=[]) == []
    assert len(queries) == 0


def test_plain_columns_are_selected_by_equality_and_membership(town):
    units = [town.unit_a1, town.unit_b1]
    found = select_values(Area, ("id", "path", "level"), id=[unit.pk for unit in units])
    assert sorted(found) == sorted((unit.pk, unit.path, unit.level) for unit in units)
    assert select_values(Area, ("name",), code=town.village_a.code) == [("东村",)]
    # Booleans come back as booleans on both databases.
    active = select_values(CaseCategory, ("is_active",), code="property")
    assert active == [(True,)] and type(active[0][0]) is bool


def test_selected_instances_load_the_rest_when_asked(town):
    (area,) = select_plain(Area, ("id", "path"), id=town.grid_a1.pk)
    assert (area.pk, area.path) == (town.grid_a1.pk, town.grid_a1.path)
    assert area.get_deferred_fields() >= {"name"}
    assert area.name == "东村一网格"  # loaded on first use, as with .only()


def test_a_column_that_needs_conversion_is_refused():
    with pytest.raises(ValueError, match="not a plain column"):
        select_values(Case, ("id", "due_at"), id=1)
