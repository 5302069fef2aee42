"""Shared fixtures: a small named town and one named person per role.

Town 枫桥镇 → village A 东村 (grids A1, A2, each with one unit) and village B 西村 (grid B1
with one unit). Every role has a named account whose home area is the usual level for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Area, Level
from fengqiao.orgs.models import Agency, AgencyKind
from tests.factories import AreaFactory, PersonFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Transactional tests end with a flush (DELETE on SQLite, TRUNCATE on PostgreSQL), which
# the append-only triggers rightly refuse. Only the test harness lifts them, for the flush
# alone, and puts them straight back; no code path in the product can.
def _drop_guards(connection, table: str) -> list[str]:
    if connection.vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


_original_teardown = TransactionTestCase._fixture_teardown


def _teardown_with_guards_lifted(self: TransactionTestCase) -> None:
    from fengqiao.audit import guards

    aliases = [alias for alias in connections if alias in (self.databases or ())]
    for alias in aliases:
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in guards.APPEND_ONLY_TABLES:
                for statement in _drop_guards(connection, table):
                    cursor.execute(statement)
    try:
        _original_teardown(self)
    finally:
        for alias in aliases:
            for table in guards.APPEND_ONLY_TABLES:
                guards.install(connections[alias], table)


TransactionTestCase._fixture_teardown = _teardown_with_guards_lifted


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, django_db_setup: None) -> Any:
    """pytest-django's live server, started after the test database exists so that it is
    stopped before the database is dropped: PostgreSQL refuses to drop a database that the
    server's threads still hold."""
    from pytest_django import live_server_helper

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = live_server_helper.LiveServer(address)
    yield server
    server.stop()
    # A browser's keep-alive connection keeps its request thread, and that thread's database
    # session, alive after the server stops; end those sessions so the database can go.
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with django_db_blocker_unblocked(request), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def django_db_blocker_unblocked(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("django_db_blocker").unblock()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the centre's language: the locale middleware leaves the last
    request's language active in the thread, whatever language that request asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Migrations load the calendar, tiers and categories, but a transactional test's flush
    empties every table; put them back for any test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") or set(request.fixturenames) & {
        "db",
        "transactional_db",
        "live_server",
    }
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from fengqiao.cases.defaults import install_defaults
    from fengqiao.workcal.models import CalendarYear
    from fengqiao.workcal.services import calendar_import_from_package

    if not CalendarYear.objects.exists():
        calendar_import_from_package(actor=None)
    install_defaults()


@dataclass
class Town:
    town: Area
    village_a: Area
    village_b: Area
    grid_a1: Area
    grid_a2: Area
    grid_b1: Area
    unit_a1: Area
    unit_a2: Area
    unit_b1: Area
    court: Agency
    users: dict[str, Any]

    def user(self, role: str) -> Any:
        return self.users[role]


def build_town() -> Town:
    town = AreaFactory(code="330681100", name="枫桥镇", level=Level.TOWN)
    village_a = AreaFactory(code="330681100201", name="东村", level=Level.VILLAGE, parent=town)
    village_b = AreaFactory(code="330681100202", name="西村", level=Level.VILLAGE, parent=town)
    grid_a1 = AreaFactory(
        code="33068110020101", name="东村一网格", level=Level.GRID, parent=village_a
    )
    grid_a2 = AreaFactory(
        code="33068110020102", name="东村二网格", level=Level.GRID, parent=village_a
    )
    grid_b1 = AreaFactory(
        code="33068110020201", name="西村一网格", level=Level.GRID, parent=village_b
    )
    unit_a1 = AreaFactory(code="3306811002010101", name="东村1组", level=Level.UNIT, parent=grid_a1)
    unit_a2 = AreaFactory(code="3306811002010201", name="东村2组", level=Level.UNIT, parent=grid_a2)
    unit_b1 = AreaFactory(code="3306811002020101", name="西村1组", level=Level.UNIT, parent=grid_b1)
    court = Agency.objects.create(kind=AgencyKind.COURT, name="枫桥人民法庭", area=town)
    homes = {
        Role.LEADER: town,
        Role.INTAKE_CLERK: town,
        Role.DISPATCHER: town,
        Role.MEDIATOR: town,
        Role.GRID_WORKER: grid_a1,
        Role.UNIT_HEAD: unit_a1,
        Role.VILLAGE_CADRE: village_a,
        Role.AGENCY_LIAISON: town,
        Role.SYSTEM_ADMIN: town,
        Role.SECURITY_ADMIN: town,
        Role.AUDIT_ADMIN: town,
    }
    users = {
        role: UserFactory(
            username=f"t_{role}",
            roles=[role],
            home_area=home,
            agency=court if role == Role.AGENCY_LIAISON else None,
        )
        for role, home in homes.items()
    }
    return Town(
        town,
        village_a,
        village_b,
        grid_a1,
        grid_a2,
        grid_b1,
        unit_a1,
        unit_a2,
        unit_b1,
        court,
        users,
    )


@pytest.fixture
def town(db: None) -> Town:
    return build_town()


@pytest.fixture
def residents(town: Town) -> dict[str, Any]:
    """One resident in each unit of the named town."""
    return {
        "a1": PersonFactory(name="张三", area=town.unit_a1),
        "a2": PersonFactory(name="李四", area=town.unit_a2),
        "b1": PersonFactory(name="王五", area=town.unit_b1),
    }
