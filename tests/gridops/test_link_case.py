"""Linking an entry to the case it raised, when the case was registered apart from it (at
the centre, by an import): both ways, audited, and only a daily-log case no entry names
yet, to an entry that found something, by its author or those who run its area."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.audit.models import AuditEvent
from fengqiao.cases.models import Channel
from fengqiao.core.errors import NotAllowed, OutOfScope, WrongState
from fengqiao.gridops.models import Finding
from fengqiao.gridops.services import log_entry_link_case
from tests.fixtures import UserFactory, log_entry, new_case, shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 3, 10, 0)


@pytest.fixture
def found(town):
    """An entry of the grid worker's that found a resident's demand, and the case the
    centre registered from it."""
    worker = town.user("grid_worker")
    entry = log_entry(
        worker,
        town.unit_a1,
        at=NOW - dt.timedelta(hours=1),
        finding=Finding.DEMAND,
        text="东村1组路灯不亮，居民夜间出行不便。",
    )
    case = new_case(
        worker,
        town.unit_a1,
        kind="demand",
        grade="",
        channel=Channel.DAILY_LOG,
        title="东村1组路灯不亮",
        now=NOW,
    )
    return entry, case


def test_the_entry_and_its_case_name_each_other(town, found):
    entry, case = found

    linked = log_entry_link_case(
        actor=town.user("grid_worker"), entry_id=entry.pk, case_id=case.pk, now=NOW
    )

    assert linked.case == case
    case.refresh_from_db()
    assert case.log_entry == linked
    event = AuditEvent.objects.get(action="log.link_case", target_id=str(entry.pk))
    assert event.details["case"] == case.pk


def test_the_village_cadre_may_link_an_entry_of_the_village(town, found):
    entry, case = found

    log_entry_link_case(actor=town.user("village_cadre"), entry_id=entry.pk, case_id=case.pk)

    entry.refresh_from_db()
    assert entry.case_id == case.pk


def test_only_a_daily_log_case_that_no_entry_names_yet(town, found):
    entry, case = found
    walk_in = new_case(town.user("intake_clerk"), town.unit_a1, now=NOW)
    with pytest.raises(WrongState) as refused:
        log_entry_link_case(actor=town.user("grid_worker"), entry_id=entry.pk, case_id=walk_in.pk)
    assert refused.value.code == "not_from_the_log"

    log_entry_link_case(actor=town.user("grid_worker"), entry_id=entry.pk, case_id=case.pk)
    other = log_entry(
        town.user("grid_worker"),
        town.unit_a1,
        at=NOW - dt.timedelta(minutes=30),
        finding=Finding.DEMAND,
        text="又有居民反映路灯不亮。",
    )
    with pytest.raises(WrongState) as refused:
        log_entry_link_case(actor=town.user("grid_worker"), entry_id=other.pk, case_id=case.pk)
    assert refused.value.code == "case_already_linked"
    with pytest.raises(WrongState) as refused:
        log_entry_link_case(actor=town.user("grid_worker"), entry_id=entry.pk, case_id=case.pk)
    assert refused.value.code == "already_a_case"


def test_an_entry_that_found_nothing_raised_no_case(town, found):
    _entry, case = found
    quiet = log_entry(town.user("grid_worker"), town.unit_a1, at=NOW - dt.timedelta(hours=2))

    with pytest.raises(WrongState) as refused:
        log_entry_link_case(actor=town.user("grid_worker"), entry_id=quiet.pk, case_id=case.pk)

    assert refused.value.code == "nothing_found"


def test_another_writer_or_another_village_may_not_link(town, found, grid_worker_b):
    entry, case = found
    neighbour = UserFactory(username="t_grid_a1_b", roles=["grid_worker"], home_area=town.grid_a1)

    with pytest.raises(NotAllowed):
        log_entry_link_case(actor=neighbour, entry_id=entry.pk, case_id=case.pk)
    with pytest.raises(OutOfScope):
        log_entry_link_case(actor=grid_worker_b, entry_id=entry.pk, case_id=case.pk)
    # both refusals are on the record: the one refused, the one to whom the entry is not
    assert AuditEvent.objects.filter(action="log.link_case", actor=neighbour).exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=grid_worker_b).exists()
    entry.refresh_from_db()
    assert entry.case_id is None
