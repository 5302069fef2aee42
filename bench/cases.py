"""Benchmark of the case engine: registration throughput and the work queue at scale.

    .venv/bin/python -m bench.cases            # or: make bench
    .venv/bin/python -m bench.cases --create 2000 --total 20000 --runs 10   # a quick look

It works on a database of its own, created here and never the demo's: a SQLite file
under var/bench/ (with the keys it needs beside it), or, when DATABASE_URL points to
PostgreSQL, a database named `fengqiao_bench` on that server, dropped again at the end
(--keep leaves either in place). Then:

1. the demo town (no cases), and `--create` cases registered through the full service:
   `--single` of them one by one through `case_create`, one transaction each as a request
   would have it (a sample runs under cProfile for the top costs), the rest through
   `case_create_many` in batches of `--batch`, as an import of the day's 12345 work orders
   would; the calendar is loaded once and passed in;
2. those cases reshaped in bulk to a working town's mix (the recent ones open in every
   state, the rest closed, a few rejected or merged), then filled up to `--total` with
   rows in bulk: the same mix, spread over the units, with area paths, deadlines and the
   open flag consistent (the filled rows have no timeline or parties);
3. the work queue — `case_queue(scope="area")`, first page of 25, evaluated — for a grid
   worker and for the centre leader: p50/p95 over `--runs` runs, queries per page, the
   query plan; at the created count (the year so far, with its statistics from the
   nightly job), at the total with those statistics still (the fill lands between two
   nightly runs), and at the total after the job; on SQLite also, for comparison, with no
   statistics at all;
4. the API list `/api/v1/cases` with a bearer token, when the API is there;
5. the SQL of the queue run raw through the cursor, for the ORM's overhead.

Progress goes to stderr; stdout gets one JSON object at the end. It reports figures
against the targets and never fails on time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The moment the queue is looked at; registrations lie before it.
BENCH_NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
CREATED_FROM = dt.datetime(2026, 1, 5, 8, 30, tzinfo=SHANGHAI)
HISTORY_FROM = dt.datetime(2022, 1, 4, 8, 30, tzinfo=SHANGHAI)
# Cases received within this many days before BENCH_NOW are the open ones.
OPEN_WINDOW = dt.timedelta(days=18)
OPEN_SHARE = 0.05
PAGE = 25
# The queue is judged on SQLite by absolute time (the ORM page within the raw SQL's time
# + 3 ms, p50 at most 50 ms), on PostgreSQL by the ratio of the ORM page to the raw SQL.
TARGETS = {
    "create_per_second": 900,
    "queue_p50_ms_at_total": 50,
    "orm_over_raw_ms_at_most_sqlite": 3.0,
    "orm_to_raw_at_most_postgresql": 3.0,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the database
class Database:
    """The throwaway database: chosen and created before Django starts."""

    def __init__(self, *, keep: bool, pg_name: str) -> None:
        self.keep = keep
        self.drop: Callable[[], None] | None = None
        url = os.environ.get("DATABASE_URL", "")
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        if url.startswith(("postgres://", "postgresql://")):
            self.vendor = "postgresql"
            self.name = pg_name
            self._postgres(url, pg_name)
        else:
            # A SQLite DATABASE_URL could be the demo's own file: the bench uses its own.
            self.vendor = "sqlite"
            path = BENCH_DIR / "cases.sqlite3"
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            self.name = str(path)
            os.environ["DATABASE_URL"] = f"sqlite:///{path}"

            def drop() -> None:
                from django.db import connections

                connections.close_all()
                for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    leftover.unlink(missing_ok=True)

            self.drop = drop
        # Keys, uploads and the like of the bench stay beside its database.
        os.environ["FENGQIAO_DATA_DIR"] = str(BENCH_DIR)
        (BENCH_DIR / "static").mkdir(exist_ok=True)
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.config.settings")

    def _postgres(self, url: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(path="/postgres"))

        def run(statement: sql.Composable) -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(statement)

        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

        self.drop = drop

    def versions(self) -> dict[str, Any]:
        import sqlite3

        import django
        from django.db import connection

        info: dict[str, Any] = {
            "vendor": self.vendor,
            "name": self.name,
            "python": platform.python_version(),
            "django": django.get_version(),
        }
        if self.vendor == "sqlite":
            info["sqlite"] = sqlite3.sqlite_version
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                info["postgresql"] = cursor.fetchone()[0]
        return info

    def finish(self) -> None:
        if not self.keep and self.drop is not None:
            self.drop()


# ------------------------------------------------------------------ helpers
def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timings(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "min_ms": round(min(samples), 3),
        "runs": len(samples),
    }


class StatementCounter:
    """Counts the statements sent on the default connection while it is active.

    Not CaptureQueriesContext: a request through the test client resets the query log
    when it starts, and on SQLite reconnects, so the log would come back empty.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self) -> StatementCounter:
        from django.db import connection

        self._wrapping = connection.execute_wrapper(self)
        self._wrapping.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapping.__exit__(*exc)

    def __len__(self) -> int:
        return len(self.statements)


def time_ms(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


class Town:
    """The demo town (no cases) and what the bench needs of it."""

    def __init__(self) -> None:
        from fengqiao.accounts.models import User
        from fengqiao.areas.models import Area, Level
        from fengqiao.cases.models import CaseCategory
        from fengqiao.demo.generator import build_plan, write_plan
        from fengqiao.orgs.models import Agency, MediationOrganization
        from fengqiao.people.models import Person

        write_plan(build_plan(2026, cases=None), password=secrets.token_urlsafe(16))
        self.users = {u.username: u for u in User.objects.select_related("home_area")}
        self.units = list(Area.objects.filter(level=Level.UNIT).order_by("path"))
        self.categories = list(CaseCategory.objects.order_by("sort_order"))
        self.teams = list(MediationOrganization.objects.all())
        self.agencies = list(Agency.objects.all())
        residents: dict[int, list[int]] = {}
        for person_id, area_id in Person.objects.values_list("id", "area_id"):
            residents.setdefault(area_id, []).append(person_id)
        self.residents = residents
        grid_workers = {
            user.home_area_id: user
            for user in self.users.values()
            if user.home_area and user.home_area.level == Level.GRID
        }
        self.grid_worker_of = {unit.pk: grid_workers.get(unit.parent_id) for unit in self.units}


# --------------------------------------------------------------- 1. registrations
def case_inputs(town: Town, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """What `count` registrations bring, spread over the units and over the year so far."""
    from fengqiao.demo.cases.texts import DEMANDS, DISPUTES

    span = (BENCH_NOW - dt.timedelta(hours=1) - CREATED_FROM) / count
    categories = {category.code: category for category in town.categories}
    for number in range(count):
        unit = rng.choice(town.units)
        dispute = rng.random() < 0.1
        template = rng.choice(DISPUTES if dispute else DEMANDS)
        names = {"place": unit.name, "name": "居民", "other": "邻居", "company": "物业公司"}
        names |= {"n": 3, "people": 2, "amount": "2000", "village": "", "reporter": ""}
        yield {
            "actor": town.users["clerk" if number % 3 else "clerk02"],
            "kind": template.kind,
            "grade": rng.choice(("general",) * 8 + ("important", "complex")) if dispute else "",
            "category": categories[template.category],
            "channel": rng.choice(("hotline_12345", "daily_log", "phone", "walk_in", "online")),
            "title": template.title.format(**names),
            "account": template.account.format(**names),
            "area": unit,
            "person": rng.choice(town.residents[unit.pk]),
            "now": CREATED_FROM + span * number,
        }


def register(
    town: Town, count: int, rng: random.Random, *, single: int, batch: int, profile_sample: int
) -> dict[str, Any]:
    """`single` registrations one by one through `case_create` (a transaction each, as a
    request would have it), the rest through `case_create_many` in batches of `batch` (as
    an import of the day's 12345 work orders would)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengqiao.cases.services import PartyInput, case_create, case_create_many
    from fengqiao.workcal.selectors import calendar_load

    calendar = calendar_load()

    def fields(inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": inputs["kind"],
            "grade": inputs["grade"],
            "category": inputs["category"],
            "channel": inputs["channel"],
            "title": inputs["title"],
            "account": inputs["account"],
            "area": inputs["area"],
            "parties": [PartyInput(role="applicant", person_id=inputs["person"])],
        }

    def create(inputs: dict[str, Any]) -> None:
        case_create(actor=inputs["actor"], now=inputs["now"], calendar=calendar, **fields(inputs))

    single = max(2, min(single, count))
    inputs = case_inputs(town, count, rng)
    with CaptureQueriesContext(connection) as queries:
        create(next(inputs))
    statements = Counter(query["sql"].split()[0].upper() for query in queries.captured_queries)

    sample = min(profile_sample, single - 2)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(sample):
        create(next(inputs))
    profiler.disable()

    timed = single - 1 - sample
    log(f"registering {timed:,} cases one by one through case_create")
    started = time.perf_counter()
    for _ in range(timed):
        create(next(inputs))
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "cases": count,
        "single": {
            "service": "case_create",
            "transaction": "one per case, as a request",
            "timed_cases": timed,
            "seconds": round(seconds, 2),
            "cases_per_second": round(timed / max(seconds, 1e-9), 1),
            "queries_per_case": len(queries.captured_queries),
            "statements_per_case": dict(statements.most_common()),
            "profile": top_costs(profiler, sample),
        },
        "target_per_second": TARGETS["create_per_second"],
    }

    rest = count - single
    if rest <= 0:
        return result
    log(f"registering {rest:,} cases through case_create_many, {batch} at a time")
    started = time.perf_counter()
    done = 0
    statements_per_batch = 0
    while done < rest:
        group = [next(inputs) for _ in range(min(batch, rest - done))]
        by_actor: dict[Any, list[dict[str, Any]]] = {}
        for inputs_ in group:
            by_actor.setdefault(inputs_["actor"], []).append(inputs_)
        for actor, items in by_actor.items():
            with CaptureQueriesContext(connection) as batch_queries:
                case_create_many(
                    actor=actor,
                    items=[fields(item) for item in items],
                    now=items[-1]["now"],
                    calendar=calendar,
                )
            statements_per_batch = max(statements_per_batch, len(batch_queries.captured_queries))
        done += len(group)
        if done % 10_000 < batch:
            rate = done / (time.perf_counter() - started)
            log(f"  {done:,} registered, {rate:,.0f}/s")
    seconds = time.perf_counter() - started
    result["batch"] = {
        "service": "case_create_many",
        "transaction": f"one per batch of up to {batch} (split by registering clerk)",
        "timed_cases": rest,
        "seconds": round(seconds, 2),
        "cases_per_second": round(rest / max(seconds, 1e-9), 1),
        "statements_per_batch_at_most": statements_per_batch,
    }
    return result


def top_costs(profiler: cProfile.Profile, calls: int) -> dict[str, Any]:
    """The functions that cost most per registration, in ms per case."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        rows.append((short, line, name, ncalls, tottime, cumtime))

    def shown(row: tuple) -> dict[str, Any]:
        short, line, name, ncalls, tottime, cumtime = row
        return {
            "function": f"{short}:{line}({name})",
            "calls_per_case": round(ncalls / calls, 2),
            "own_ms_per_case": round(tottime / calls * 1000, 4),
            "total_ms_per_case": round(cumtime / calls * 1000, 4),
        }

    ours = [row for row in rows if row[0].startswith("fengqiao/")]
    return {
        "sample_cases": calls,
        "note": "under cProfile, which slows everything about twofold",
        "project_functions_by_total": [
            shown(row) for row in sorted(ours, key=lambda row: -row[5])[:15]
        ],
        "all_functions_by_own_time": [
            shown(row) for row in sorted(rows, key=lambda row: -row[4])[:15]
        ],
    }


# ------------------------------------------------------------- 2. the state mix
OPEN_MIX = (
    ("reported", 8),
    ("accepted", 8),
    ("dispatched", 14),
    ("acknowledged", 12),
    ("in_progress", 30),
    ("suspended", 4),
    ("transferred", 6),
    ("escalated", 2),
    ("resolved", 16),
)
CLOSED_MIX = (("closed", 960), ("rejected", 15), ("merged", 25))
OUTCOMES = (("resolved", 92), ("litigation", 3), ("arbitration", 2), ("administrative", 3))
ASSIGNED = {"dispatched", "acknowledged", "in_progress", "suspended", "resolved"}


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class Shaper:
    """The columns of a case that depend on where it stands, consistently with each other."""

    def __init__(self, town: Town, rng: random.Random) -> None:
        from fengqiao.cases.models import SlaPolicy
        from fengqiao.workcal.selectors import calendar_load

        self.town, self.rng = town, rng
        self.calendar = calendar_load()
        self.tiers = {(t.kind, t.grade): t for t in SlaPolicy.objects.all()}
        self.agency = next(a for a in town.agencies if a.kind == "judicial")

    def tier(self, kind: str, grade: str) -> Any:
        return self.tiers[(kind, grade if kind == "dispute" else "")]

    def state_columns(self, *, received_at: dt.datetime, unit: Any, tier: Any) -> dict[str, Any]:
        from fengqiao.workcal.calendar import due_after

        rng = self.rng
        is_open = received_at >= BENCH_NOW - OPEN_WINDOW
        state = weighted(rng, OPEN_MIX) if is_open else weighted(rng, CLOSED_MIX)
        due = due_after(self.calendar, received_at, tier.working_days)
        worker = self.town.grid_worker_of[unit.pk]
        columns: dict[str, Any] = {
            "state": state,
            "is_open": state not in {"closed", "rejected", "merged"},
            "due_at": due.due_at,
            "due_provisional": due.provisional,
            "handler_user_id": None,
            "handler_team_id": None,
            "handler_agency_id": None,
            "handling_level": None,
            "outcome": "",
            "resolved_at": None,
            "resolved_level": None,
            "closed_at": None,
            "milestone_met_at": None,
            "on_time": None,
            "suspended_at": None,
            "version": 1,
            "updated_at": received_at,
        }
        if state in ASSIGNED or state == "closed":
            if worker is not None and rng.random() < 0.6:
                columns["handler_user_id"], columns["handling_level"] = worker.pk, 3
            else:
                columns["handler_team_id"], columns["handling_level"] = (
                    rng.choice(self.town.teams).pk,
                    1,
                )
        if state == "transferred":
            columns["handler_agency_id"], columns["handling_level"] = self.agency.pk, 1
        if state == "escalated":
            columns["handling_level"] = 0
        if state in {"resolved", "closed"}:
            resolved_at = received_at + dt.timedelta(hours=rng.randint(3, 24 * 6))
            columns |= {
                "outcome": weighted(rng, OUTCOMES),
                "resolved_at": resolved_at,
                "resolved_level": columns["handling_level"],
                "milestone_met_at": resolved_at,
                "on_time": resolved_at <= due.due_at,
                "version": 7,
                "updated_at": resolved_at,
            }
            if state == "closed":
                columns["closed_at"] = resolved_at + dt.timedelta(hours=rng.randint(2, 96))
                columns["updated_at"] = columns["closed_at"]
        if state == "suspended":
            columns["suspended_at"] = received_at + dt.timedelta(hours=rng.randint(2, 48))
        return columns


def reshape_created(town: Town, shaper: Shaper) -> dict[str, Any]:
    """Give the registered cases (all "reported" so far) the mix of a working town."""
    from django.db import connection, transaction

    from fengqiao.cases.models import Case

    started = time.perf_counter()
    fields = [
        "state", "is_open", "due_at", "due_provisional", "handler_user_id", "handler_team_id",
        "handler_agency_id", "handling_level", "outcome", "resolved_at", "resolved_level",
        "closed_at", "milestone_met_at", "on_time", "suspended_at", "version", "updated_at",
    ]  # fmt: skip
    table = Case._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in fields)
    statement = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (names from the model)
    units = {unit.pk: unit for unit in town.units}
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    cases = Case.objects.values_list("id", "received_at", "area_id", "kind", "grade")
    for case_id, received_at, area_id, kind, grade in cases.iterator(chunk_size=5000):
        columns = shaper.state_columns(
            received_at=received_at, unit=units[area_id], tier=shaper.tier(kind, grade)
        )
        values = [adapt(v) if isinstance(v, dt.datetime) else v for v in map(columns.get, fields)]
        rows.append([*values, case_id])
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(statement, rows[start : start + 5000])
    return {"rows": len(rows), "seconds": round(time.perf_counter() - started, 2)}


# --------------------------------------------------------------------- 3. the fill
def stored_datetime(vendor: str) -> Callable[[dt.datetime], Any]:
    """A datetime as the backend stores it; on SQLite what Django writes (UTC text), made
    here without Django's per-value checks, which cost more than the insert."""
    if vendor != "sqlite":
        return lambda value: value
    return lambda value: str(value.astimezone(dt.UTC).replace(tzinfo=None))


def fill(town: Town, shaper: Shaper, *, up_to: int, rng: random.Random) -> dict[str, Any]:
    """Rows shaped like registered ones, up to `up_to` cases in all, by a prepared INSERT
    (the ORM's bulk_create spends more time preparing rows than the database storing them).
    """
    from django.db import connection, transaction

    from fengqiao.cases.models import Case
    from fengqiao.core.models import YearlySequence
    from fengqiao.demo.cases.texts import DEMANDS, DISPUTES

    existing = Case.objects.count()
    missing = max(0, up_to - existing)
    started = time.perf_counter()
    fields = [field for field in Case._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    datetimes = {field.attname for field in fields if field.get_internal_type() == "DateTimeField"}
    adapt = stored_datetime(connection.vendor)
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(Case._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    history = (BENCH_NOW - OPEN_WINDOW - HISTORY_FROM).total_seconds()
    next_number: Counter[int] = Counter(
        dict(YearlySequence.objects.filter(name="case").values_list("year", "last"))
    )
    reporters = [town.users["clerk"].pk, town.users["clerk02"].pk]
    channels = ("hotline_12345", "daily_log", "phone", "walk_in", "online")
    batch: list[tuple[Any, ...]] = []
    written = 0
    while written < missing:
        unit = rng.choice(town.units)
        dispute = rng.random() < 0.06
        template = rng.choice(DISPUTES if dispute else DEMANDS)
        grade = rng.choice(("general",) * 8 + ("important", "complex")) if dispute else ""
        if rng.random() < OPEN_SHARE:
            received_at = BENCH_NOW - OPEN_WINDOW * rng.random()
        else:
            received_at = HISTORY_FROM + dt.timedelta(seconds=history * rng.random())
        year = received_at.astimezone(SHANGHAI).year
        next_number[year] += 1
        tier = shaper.tier(template.kind, grade)
        worker = town.grid_worker_of[unit.pk]
        row = defaults | shaper.state_columns(received_at=received_at, unit=unit, tier=tier)
        row |= {
            "number": f"FQ-{year}-{next_number[year]:06d}",
            "kind": template.kind,
            "grade": grade,
            "category_id": rng.choice(town.categories).pk,
            "channel": rng.choice(channels),
            "title": template.title.format(place=unit.name),
            "account": f"{unit.name}居民反映的问题，详见工单。",
            "area_id": unit.pk,
            "area_path": unit.path,
            "received_at": received_at,
            "reported_by_id": (
                worker.pk if worker is not None and rng.random() < 0.4 else rng.choice(reporters)
            ),
            "created_at": received_at,
            "clock_start": received_at,
            "milestone": tier.milestone,
            "sla_working_days": tier.working_days,
        }
        batch.append(
            tuple(
                adapt(row[field.attname])
                if field.attname in datetimes and row[field.attname] is not None
                else row[field.attname]
                for field in fields
            )
        )
        if len(batch) == 5000 or written + len(batch) == missing:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(statement, batch)
            written += len(batch)
            batch = []
            if written % 100_000 == 0:
                log(f"  {existing + written:,} cases")
    for year, last in next_number.items():
        YearlySequence.objects.update_or_create(name="case", year=year, defaults={"last": last})
    seconds = time.perf_counter() - started
    return {
        "rows": written,
        "seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds, 1) if seconds else None,
        "how": "prepared INSERT, 5,000 rows a transaction; no timeline rows or parties",
    }


# ------------------------------------------------------------------ 4. the queue
def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def measure_queue(username: str, runs: int) -> dict[str, Any]:
    from django.db import connection

    from fengqiao.accounts.models import User
    from fengqiao.cases.selectors import QueueFilter, case_queue

    def fresh_user() -> Any:
        # As a request has it: the user loaded anew, nothing cached on it.
        return User.objects.select_related("home_area").get(username=username)

    def page(user: Any) -> list[Any]:
        return list(case_queue(user=user, filters=QueueFilter(scope="area"), now=BENCH_NOW)[:PAGE])

    user = fresh_user()
    with StatementCounter() as statements:
        rows = page(user)
    for _ in range(3):
        page(fresh_user())
    cold = []
    for _ in range(runs):
        user = fresh_user()
        cold.append(time_ms(lambda user=user: page(user)))
    warm = [time_ms(lambda: page(user)) for _ in range(runs)]

    sql, params = case_queue(user=user, filters=QueueFilter(scope="area"), now=BENCH_NOW)[
        :PAGE
    ].query.sql_with_params()

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    for _ in range(3):
        raw()
    raw_times = [time_ms(raw) for _ in range(runs)]
    result = {
        "rows": len(rows),
        "queries_per_page": len(statements),
        "page": timings(cold),
        "page_with_cached_user": timings(warm),
        "raw_sql": timings(raw_times),
        "orm_to_raw": round(statistics.median(warm) / statistics.median(raw_times), 2),
        "plan": explain(sql, params),
    }
    return result


def measure_api(username: str, runs: int) -> dict[str, Any]:
    import importlib.util

    if importlib.util.find_spec("fengqiao.api") is None:
        return {"skipped": "fengqiao/api is not there yet"}
    from django.test import Client

    from fengqiao.accounts.models import User

    try:
        from fengqiao.api.services import api_token_issue
    except ImportError as error:
        return {"skipped": f"no token service in fengqiao.api: {error}"}
    key = api_token_issue(user=User.objects.get(username=username)).key
    client = Client(headers={"authorization": f"Bearer {key}"})

    def get() -> Any:
        return client.get("/api/v1/cases", {"page_size": PAGE})

    response = get()
    if response.status_code != 200:
        return {"skipped": f"GET /api/v1/cases answered {response.status_code}"}
    with StatementCounter() as statements:
        get()
    for _ in range(2):
        get()
    return {
        "queries_per_request": len(statements),
        "note": "lists with a count of every visible case; the page is 25 rows",
        "request": timings([time_ms(get) for _ in range(runs)]),
    }


def refresh_statistics() -> dict[str, Any]:
    """The statistics job on SQLite (it runs nightly), ANALYZE on PostgreSQL (what
    autovacuum does by itself)."""
    from django.db import connection

    from fengqiao.jobs.maintenance import database_optimize

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        database_optimize()
        how = "jobs.maintenance.database_optimize, the nightly job"
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        how = "ANALYZE, as autovacuum would"
    return {"how": how, "seconds": round(time.perf_counter() - started, 2)}


def forget_statistics() -> None:
    """SQLite as never analysed: no statistics rows, read again by a new connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    connection.close()


def measure_at(label: str, runs: int, api_runs: int) -> dict[str, Any]:
    from fengqiao.cases.models import Case

    log(f"measuring the queue at {label}")
    result: dict[str, Any] = {
        "cases": Case.objects.count(),
        "open": Case.objects.filter(is_open=True).count(),
    }
    for role, username in (("grid_worker", "grid01"), ("leader", "leader")):
        result[role] = measure_queue(username, runs)
        result[role]["api"] = measure_api(username, api_runs)
    return result


# -------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cases", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--create", type=int, default=100_000, help="cases through the service")
    parser.add_argument(
        "--single", type=int, default=10_000, help="of those, one by one through case_create"
    )
    parser.add_argument("--batch", type=int, default=500, help="batch size of case_create_many")
    parser.add_argument("--total", type=int, default=1_000_000, help="cases after the bulk fill")
    parser.add_argument("--runs", type=int, default=50, help="runs per queue measurement")
    parser.add_argument("--api-runs", type=int, default=20, help="runs per API measurement")
    parser.add_argument("--profile-sample", type=int, default=1000)
    parser.add_argument(
        "--never-analysed-runs",
        type=int,
        default=10,
        help="SQLite: runs on the full database without statistics, for comparison (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--pg-name", default="fengqiao_bench")
    args = parser.parse_args(argv)

    database = Database(keep=args.keep, pg_name=args.pg_name)
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    result: dict[str, Any] = {"bench": "cases", "started": dt.datetime.now(dt.UTC).isoformat()}
    try:
        log(f"database: {database.vendor} {database.name}")
        call_command("migrate", verbosity=0, interactive=False)
        result["database"] = database.versions()
        result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
        result["n"] = {"created_via_service": args.create, "total": max(args.total, args.create)}
        result["targets"] = TARGETS
        rng = random.Random(args.seed)
        town = Town()
        result["create"] = register(
            town,
            args.create,
            rng,
            single=args.single,
            batch=args.batch,
            profile_sample=args.profile_sample,
        )
        shaper = Shaper(town, rng)
        result["reshape"] = reshape_created(town, shaper)
        # The registrations span the year so far: the statistics job has run every night
        # (SQLite), autovacuum has analysed as rows came (PostgreSQL).
        result["statistics"] = {str(args.create): refresh_statistics()}
        result["queue"] = {
            str(args.create): measure_at(f"{args.create:,}", args.runs, args.api_runs)
        }
        log(f"filling up to {args.total:,} cases")
        result["fill"] = fill(town, shaper, up_to=args.total, rng=rng)
        if database.vendor == "postgresql":
            # Autovacuum analyses a table once a tenth of it has changed.
            result["statistics"][str(args.total)] = refresh_statistics()
            result["queue"][str(args.total)] = measure_at(
                f"{args.total:,}", args.runs, args.api_runs
            )
        else:
            # Until the next night the statistics describe the town before the fill.
            result["queue"][str(args.total)] = measure_at(
                f"{args.total:,} with the statistics of {args.create:,}",
                args.runs,
                args.api_runs,
            )
            result["statistics"][str(args.total)] = refresh_statistics()
            result["queue"][f"{args.total}_fresh_statistics"] = measure_at(
                f"{args.total:,} after the statistics job", args.runs, args.api_runs
            )
            if args.never_analysed_runs:
                # For comparison only: a database that was never analysed (the job not
                # yet run since a bulk import into a new installation).
                forget_statistics()
                result["queue"][f"{args.total}_never_analysed"] = measure_at(
                    f"{args.total:,} never analysed",
                    args.never_analysed_runs,
                    min(args.api_runs, args.never_analysed_runs),
                )
        result["verdict"] = verdict(result, args)
    finally:
        result["seconds"] = round(time.perf_counter() - began, 1)
        database.finish()
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


def verdict(result: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Each target against the figures. On SQLite the queue at the total both with the
    statistics of the smaller town (between the fill and the next nightly job) and after
    the job; the never-analysed figures are reported, not judged: a running town has
    statistics from its first night on."""
    target = TARGETS["create_per_second"]
    single = result["create"]["single"]["cases_per_second"]
    batch = result["create"].get("batch", {}).get("cases_per_second")
    verdicts: dict[str, Any] = {
        "create_per_second_one_by_one": {"value": single, "met": single >= target},
        "create_per_second_in_batches": {
            "value": batch,
            "met": batch is not None and batch >= target,
        },
    }
    for label, key in (
        ("at_total", str(args.total)),
        ("at_total_fresh_statistics", f"{args.total}_fresh_statistics"),
    ):
        queue = result["queue"].get(key)
        if queue is None:
            continue
        roles = ("grid_worker", "leader")
        worst_p50 = max(queue[role]["page"]["p50_ms"] for role in roles)
        verdicts[f"queue_p50_ms_{label}"] = {
            "value": worst_p50,
            "met": worst_p50 <= TARGETS["queue_p50_ms_at_total"],
        }
        if result["database"]["vendor"] == "sqlite":
            worst_over = max(
                queue[role]["page"]["p50_ms"] - queue[role]["raw_sql"]["p50_ms"] for role in roles
            )
            verdicts[f"orm_over_raw_ms_{label}"] = {
                "value": round(worst_over, 3),
                "met": worst_over <= TARGETS["orm_over_raw_ms_at_most_sqlite"],
            }
        else:
            worst_ratio = max(queue[role]["orm_to_raw"] for role in roles)
            verdicts[f"orm_to_raw_{label}"] = {
                "value": worst_ratio,
                "met": worst_ratio <= TARGETS["orm_to_raw_at_most_postgresql"],
            }
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
