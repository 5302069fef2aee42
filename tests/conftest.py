"""The fixtures pytest injects everywhere: the named town (tests/fixtures/town.py) with one
named person per role, its residents, a grid worker of the other village, a case in
progress; the database's reference rows and the centre's language for each test; the
harness's handling of the append-only tables and of the live server.

What these are built from lives in `tests.fixtures`, which test modules import directly.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import State
from tests.fixtures import PersonFactory, Town, UserFactory, build_town, case_in_state

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


@pytest.fixture
def grid_worker_b(town: Town) -> Any:
    """A grid worker of the other village (西村), who must see nothing of village A (东村)."""
    return UserFactory(username="t_grid_b", roles=[Role.GRID_WORKER], home_area=town.grid_b1)


@pytest.fixture
def case(town: Town) -> Any:
    """A general dispute in village A, in progress with the property team (the mediator's)."""
    return case_in_state(town, State.IN_PROGRESS)


@pytest.fixture
def jobs_immediate() -> Any:
    """Jobs run in-process at once, on huey's in-memory queue. A module whose tests send
    notifications or run jobs asks for it: `pytest.mark.usefixtures("jobs_immediate")`."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was
