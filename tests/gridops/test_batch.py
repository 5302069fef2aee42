"""A batch of one writer's entries (a paper log brought in, the demo's year): checked as one
entry is, every problem of every item said at once, and the days counted as written alone."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.audit.models import AuditEvent
from fengqiao.core.errors import DomainError, NotAllowed
from fengqiao.gridops import services
from fengqiao.gridops.models import Activity, Finding, LogDay, LogEntry
from tests.fixtures import PersonFactory, UserFactory, shanghai

pytestmark = pytest.mark.django_db

# A fortnight of March 2026: working days Monday to Friday, 2–6 and 9–13 March.
MONDAY = shanghai(2026, 3, 2, 9, 0)


def items_for(town, *, days: int = 10, **overrides):
    """An entry on each of `days` days from Monday (rest days too), written minutes after,
    one written three days late, and the leave that excuses Thursday 5 March."""
    patrol = Activity.objects.get(code="patrol").pk
    items = []
    for offset in range(days):
        at = MONDAY + dt.timedelta(days=offset)
        items.append(
            {
                "occurred_at": at,
                "area": town.unit_a1,
                "finding": Finding.NOTHING,
                "text": f"巡查东村1组，第{offset + 1}天，无异常。",
                "activities": [patrol],
                "now": at + dt.timedelta(minutes=20),
                **overrides,
            }
        )
    # Wednesday's entry is written on Saturday, after Thursday's and Friday's.
    items.append(items.pop(2) | {"now": MONDAY + dt.timedelta(days=5)})
    return [item for item in items if item["occurred_at"].day != 5]


def days_of(worker) -> list[tuple[dt.date, int, int]]:
    return list(
        LogDay.objects.filter(worker=worker).order_by("day").values_list("day", "entries", "streak")
    )


def test_a_batch_counts_every_day_as_the_entries_written_one_by_one(town):
    # given two workers of the same grid with the same fortnight, the same leave
    alone = town.user(Role.GRID_WORKER)
    batched = UserFactory(username="t_grid_batch", roles=[Role.GRID_WORKER], home_area=town.grid_a1)
    for worker in (alone, batched):
        services.log_excuse_record(
            actor=town.user(Role.VILLAGE_CADRE),
            worker=worker,
            starts_on=dt.date(2026, 3, 5),
            ends_on=dt.date(2026, 3, 5),
            kind="leave",
            reason="事假",
            now=MONDAY,
        )
    items = items_for(town)

    # when one writes them one at a time and the other in one batch
    for item in items:
        fields = dict(item)
        services.log_entry_create(actor=alone, now=fields.pop("now"), **fields)
    written = services.log_entries_create_many(actor=batched, items=items)

    # then the entries are the same, and so are the days and their runs
    assert len(written) == len(items) == LogEntry.objects.filter(author=batched).count()
    assert days_of(batched) == days_of(alone)
    # (Friday's run stood at 2 when it was written, before Wednesday's late entry: the run
    # then grows from it, over the weekend, to 5 on Wednesday 11)
    assert days_of(batched)[-1] == (dt.date(2026, 3, 11), 1, 5)
    first = LogEntry.objects.filter(author=batched).order_by("occurred_at").first()
    assert first.created_at == MONDAY + dt.timedelta(minutes=20)
    assert [a.code for a in first.activities.all()] == ["patrol"]
    events = AuditEvent.objects.filter(action="log.create", actor=batched)
    assert events.count() == len(items)


def test_a_batch_adds_to_a_day_already_counted(town):
    worker = town.user(Role.GRID_WORKER)
    services.log_entry_create(
        actor=worker,
        occurred_at=MONDAY,
        area=town.unit_a1,
        finding=Finding.NOTHING,
        text="上午巡查。",
        now=MONDAY,
    )
    resident = PersonFactory(name="张三", area=town.unit_a1)

    services.log_entries_create_many(
        actor=worker,
        items=[
            {
                "occurred_at": MONDAY + dt.timedelta(hours=5),
                "area": town.unit_a1,
                "finding": Finding.NOTHING,
                "text": "下午走访张三家。",
                "residents": [resident.pk],
                "now": MONDAY + dt.timedelta(hours=6),
            }
        ],
    )

    assert days_of(worker) == [(dt.date(2026, 3, 2), 2, 1)]
    visit = LogEntry.objects.get(text="下午走访张三家。")
    assert list(visit.residents.all()) == [resident]


def test_every_problem_of_every_item_is_said_at_once_and_nothing_is_written(town):
    items = items_for(town, days=3)
    items[0] |= {"area": town.unit_b1, "text": " "}
    items[1] |= {"now": items[1]["occurred_at"] - dt.timedelta(hours=1)}
    items[2] |= {"occurred_at": MONDAY - dt.timedelta(days=10), "settled_on_spot": True}

    with pytest.raises(DomainError) as refused:
        services.log_entries_create_many(actor=town.user(Role.GRID_WORKER), items=items)

    fields = sorted(problem.field for problem in refused.value.problems)
    assert fields == [
        "items.0.area",
        "items.0.text",
        "items.1.occurred_at",
        "items.2.backdate_reason",
        "items.2.category",
        "items.2.settled_on_spot",
        "items.2.settled_on_spot",
        "items.2.settlement",
    ]
    assert not LogEntry.objects.exists() and not LogDay.objects.exists()


def test_a_role_that_keeps_no_log_or_a_batch_too_big_is_refused(town):
    with pytest.raises(NotAllowed):
        services.log_entries_create_many(actor=town.user(Role.DISPATCHER), items=items_for(town))
    with pytest.raises(DomainError) as refused:
        services.log_entries_create_many(
            actor=town.user(Role.GRID_WORKER), items=[{}] * (services.BATCH_LIMIT + 1)
        )
    assert refused.value.field == "items"
    with pytest.raises(TypeError):
        services.log_entries_create_many(
            actor=town.user(Role.GRID_WORKER), items=[items_for(town)[0] | {"photos": []}]
        )
