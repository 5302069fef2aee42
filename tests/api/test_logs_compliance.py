"""/api/v1/logs/compliance: the figures of the daily log's rule by worker, grid and village,
the grids and villages named by id and name."""

from __future__ import annotations

import pytest

from fengqiao.accounts.roles import Role
from fengqiao.core import clock
from tests.fixtures import as_, log_entry, shanghai

pytestmark = pytest.mark.django_db

# Friday 13 March 2026, evening.
FRIDAY = shanghai(2026, 3, 13, 18, 0)


def test_the_week_s_figures_name_each_worker_s_grid_and_village(town, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: FRIDAY)
    worker = town.user(Role.GRID_WORKER)
    for day in (9, 10, 12):
        log_entry(worker, town.unit_a1, at=shanghai(2026, 3, day, 10))
    # a second entry on Thursday, and one on Sunday 8 March, the week before
    log_entry(worker, town.unit_a1, at=shanghai(2026, 3, 12, 15))
    log_entry(worker, town.unit_a1, at=shanghai(2026, 3, 8, 10))

    response = as_(town, Role.LEADER).get("/logs/compliance", {"period": "week"})

    assert response.status_code == 200, response.content
    body = response.json()
    (row,) = [row for row in body["workers"] if row["worker"]["id"] == worker.pk]
    assert row["grid"] == {"id": town.grid_a1.pk, "name": "东村一网格"}
    assert row["village"] == {"id": town.village_a.pk, "name": "东村"}
    assert (row["due"], row["kept"], row["missed"]) == (5, 3, 2)
    assert (row["entries"], row["entries_today"], row["kept_today"]) == (4, 0, False)
    assert row["worker"]["name"] == str(worker)
    assert {tally["area"]["name"] for tally in body["by_village"]} == {"东村"}
    assert body["total"]["kept"] == 3
