"""Benchmark of the daily log at a district's scale: the compliance page and saving an entry.

    .venv/bin/python -m bench.gridops            # or: make bench
    .venv/bin/python -m bench.gridops --villages 5 --days 60 --runs 5   # a quick look

On a database of its own, like `bench.cases` (a SQLite file under var/bench/gridops/, or
`fengqiao_bench_gridops` when DATABASE_URL points to PostgreSQL; dropped at the end unless
--keep; `--dir-name` and `--pg-name` choose others). Then:

1. a district: one root (the district, at the top of the tree), `--villages` communities of
   `--grids` grids each (100 × 20 = 2,000 by default) with a grid worker each and two units
   per grid, a cadre per community and a leader over the whole district;
2. a year of their daily logs (`--days` days up to the bench's "today", 26 Nov 2026, a
   Thursday, 9:00): on each working day of the official calendar most workers write one
   entry, some two, a few none, and a few a duty entry on a rest day; some are on leave now
   and then; today's entries so far for a third of them. About 500,000 entries by default,
   written in bulk with their activities, the days of the log (`LogDay`: entries and the
   run of days kept, as the service counts them) and the leave;
3. the compliance figures for the leader over the whole district (and for one community's
   cadre), for today, this week and this month: the selector
   `gridops.selectors.compliance`; what the page reads and shows of one page of workers
   (the figures, 50 workers and the communities' tallies rendered);
   and the page /logs/compliance/ itself through the test client when the site has it;
4. saving an entry through `log_entry_create`, a transaction each as a request has it.

Progress goes to stderr; stdout gets one JSON object with the figures and a verdict
against the targets (the compliance page p50 ≤ 100 ms: the figures and one page of
workers, and the page as served when it is there; saving an entry p50 ≤ 50 ms). It never
fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench import cases as bench_cases
from bench.rules import insert_rows

BENCH_NOW = bench_cases.BENCH_NOW
SHANGHAI = bench_cases.SHANGHAI
TARGETS = {"compliance_page_p50_ms": 100, "entry_save_p50_ms": 50}
# What a day of a worker brings, by weight: nothing (a missed day), one entry, two.
DAY_MIX = ((0, 5), (1, 82), (2, 13))
LEAVE_SHARE = 0.004  # of worker-days begin a leave (of one to five days)
DUTY_SHARE = 0.03  # of rest days a worker logs on duty
TODAY_SHARE = 0.35  # of workers have logged by 9:00 today
CHUNK = 20_000
PERIODS = ("today", "week", "month")
ROWS_PER_PAGE = 50
log = bench_cases.log
timings = bench_cases.timings


def time_ms(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


# --------------------------------------------------------------------- the district
class District:
    """The areas and accounts of the bench, written in bulk (the tree's paths as
    `areas.services.area_create` makes them)."""

    def __init__(self, villages: int, grids: int) -> None:
        from django.contrib.auth.hashers import make_password
        from django.db import transaction

        from fengqiao.accounts.models import RoleGrant, User
        from fengqiao.accounts.roles import Role
        from fengqiao.accounts.services import user_create
        from fengqiao.areas.models import PATH_WIDTH, Area, Level
        from fengqiao.areas.services import area_create

        def segment(area: Area) -> str:
            return str(area.pk).zfill(PATH_WIDTH)

        def level_of(parents: list[Area], per_parent: int, level: int, code: str) -> list[Area]:
            rows = [
                Area(
                    code=f"{parent.code}{code}{number:02d}",
                    name=f"{parent.name}{number}{'网格' if level == Level.GRID else ''}",
                    level=level,
                    parent=parent,
                    path=f"tmp-{parent.pk}-{number}",
                )
                for parent in parents
                for number in range(1, per_parent + 1)
            ]
            Area.objects.bulk_create(rows, batch_size=2000)
            for row in rows:
                row.path = row.parent.path + segment(row)
            Area.objects.bulk_update(rows, ["path"], batch_size=2000)
            return rows

        with transaction.atomic():
            self.root = area_create(
                actor=None, code="150291", name="稀土高新区", level=Level.TOWN, audit=False
            )
            self.villages = level_of([self.root], villages, Level.VILLAGE, "V")
            self.grids = level_of(self.villages, grids, Level.GRID, "G")
            self.units = level_of(self.grids, 2, Level.UNIT, "U")
            password = make_password(None)
            self.leader = user_create(
                actor=None,
                username="leader",
                password=None,
                full_name="区中心领导",
                roles=[Role.LEADER],
                home_area=self.root,
            )
            self.cadre = user_create(
                actor=None,
                username="cadre",
                password=None,
                full_name="社区干部",
                roles=[Role.VILLAGE_CADRE],
                home_area=self.villages[0],
            )
            workers = [
                User(
                    username=f"grid{number:04d}",
                    full_name=f"网格员{number:04d}",
                    home_area=grid,
                    password=password,
                )
                for number, grid in enumerate(self.grids, start=1)
            ]
            User.objects.bulk_create(workers, batch_size=2000)
            RoleGrant.objects.bulk_create(
                [RoleGrant(user=worker, role=Role.GRID_WORKER) for worker in workers],
                batch_size=2000,
            )
        self.workers = workers
        self.units_of = {grid.pk: [] for grid in self.grids}
        for unit in self.units:
            self.units_of[unit.parent_id].append(unit)


# ------------------------------------------------------------------------ the logs
def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def fill_logs(district: District, *, days: int, rng: random.Random) -> dict[str, Any]:
    """A year (`days`) of entries, their activities, days and leave, in bulk; the days and
    their runs counted as `gridops.services.log_day_count` counts them."""
    from fengqiao.gridops.models import Activity, Excuse, LogDay, LogEntry
    from fengqiao.workcal.selectors import calendar_load

    started = time.perf_counter()
    calendar = calendar_load()
    today = BENCH_NOW.date()
    first = today - dt.timedelta(days=days - 1)
    dates = list(_days(first, today))
    activity_ids = list(Activity.objects.values_list("pk", flat=True))
    through = LogEntry.activities.through
    next_id = (LogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    entries: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    log_days: list[dict[str, Any]] = []
    leave: list[dict[str, Any]] = []
    counts = {"entries": 0, "days": 0, "leave": 0}

    def flush(final: bool = False) -> None:
        if entries and (final or len(entries) >= CHUNK):
            insert_rows(LogEntry, entries)
            insert_rows(through, links)
            entries.clear()
            links.clear()
        if log_days and (final or len(log_days) >= CHUNK):
            insert_rows(LogDay, log_days)
            log_days.clear()

    texts = ("巡查楼道和周边道路，无异常。", "走访入户，了解居民近况，无诉求。", "开展反诈宣传。")
    for worker in district.workers:
        units = district.units_of[worker.home_area_id]
        away: set[dt.date] = set()
        run = 0
        for day in dates:
            working = calendar.is_working_day(day)
            if working and day not in away and rng.random() < LEAVE_SHARE:
                length = rng.randint(1, 5)
                ends = day + dt.timedelta(days=length - 1)
                away.update(_days(day, ends))
                leave.append(
                    {
                        "worker_id": worker.pk,
                        "starts_on": day,
                        "ends_on": ends,
                        "kind": "leave",
                        "reason": "年休假",
                        "recorded_by_id": district.cadre.pk,
                        "recorded_at": dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI),
                    }
                )
            if day == today:
                count = 1 if rng.random() < TODAY_SHARE else 0
            elif working:
                count = 0 if day in away else bench_cases.weighted(rng, DAY_MIX)
            else:
                count = 1 if rng.random() < DUTY_SHARE else 0
            if working:
                # The run of kept (or excused) working days, as the service counts it.
                run = run + 1 if count or day in away else 0
            if not count:
                continue
            for number in range(count):
                at = dt.datetime.combine(
                    day, dt.time(9 + number * 5, rng.randint(0, 59)), tzinfo=SHANGHAI
                )
                if day == today:
                    at = BENCH_NOW - dt.timedelta(minutes=rng.randint(5, 60))
                unit = rng.choice(units)
                entries.append(
                    {
                        "author_id": worker.pk,
                        "occurred_at": at,
                        "occurred_on": day,
                        "area_id": unit.pk,
                        "area_path": unit.path,
                        "finding": "nothing",
                        "text": rng.choice(texts),
                        "created_at": at + dt.timedelta(minutes=rng.randint(2, 30)),
                    }
                )
                links.append({"logentry_id": next_id, "activity_id": rng.choice(activity_ids)})
                next_id += 1
            # A rest day's entry carries the run up to it, one more.
            streak = run if working else run + 1
            log_days.append(
                {"worker_id": worker.pk, "day": day, "entries": count, "streak": max(streak, 1)}
            )
            counts["entries"] += count
            counts["days"] += 1
            flush()
    flush(final=True)
    insert_rows(Excuse, leave)
    counts["leave"] = len(leave)
    counts["workers"] = len(district.workers)
    counts["first_day"] = first.isoformat()
    counts["today"] = today.isoformat()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    stored = LogEntry.objects.count()
    assert stored == counts["entries"], (stored, counts)
    return counts


def statistics() -> dict[str, Any]:
    """After the fill, what the database does by itself before a page is asked for: the
    nightly statistics job on SQLite; on PostgreSQL autovacuum, which since version 13
    vacuums a table after inserts as well as analysing it (the visibility map it sets lets
    the compliance counts read the index alone)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return bench_cases.refresh_statistics()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "how": "VACUUM ANALYZE, as autovacuum would",
        "seconds": round(time.perf_counter() - started, 2),
    }


# ----------------------------------------------------------------------- measuring
def measure_selector(user: Any, runs: int, **extra: Any) -> dict[str, Any]:
    """`gridops.selectors.compliance` for each period, fully evaluated."""
    from fengqiao.gridops.selectors import compliance, period_bounds
    from fengqiao.workcal.selectors import calendar_load

    today = BENCH_NOW.date()
    figures: dict[str, Any] = {}
    for period in PERIODS:
        start, end = period_bounds(period, today)

        def run(start: dt.date = start, end: dt.date = end) -> tuple[Any, list[Any]]:
            result = compliance(
                user=user, start=start, end=end, today=today, calendar=calendar_load(), **extra
            )
            # What a page reads of it: every row's figures, the tallies.
            read = [(row.rate, row.missed, row.kept_today) for row in result.workers]
            read += [(tally.rate,) for tally in (*result.by_grid, *result.by_village)]
            return result, read

        run()  # warm: the calendar, the policy, the statements
        with bench_cases.StatementCounter() as statements:
            result, _read = run()
        samples = [time_ms(run) for _ in range(runs)]
        figures[period] = {
            "workers": len(result.workers),
            "total": {
                "due": result.total.due,
                "kept": result.total.kept,
                "rate": str(result.total.rate),
                "not_logged_today": result.total.not_logged_today,
            },
            "statements": len(statements),
            "selector": timings(samples),
        }
    return figures


def page_available() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("log_compliance")
    except NoReverseMatch:
        return False
    return True


def measure_page(user: Any, runs: int) -> dict[str, Any]:
    """The compliance page as the site serves it, through the test client."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    figures: dict[str, Any] = {}
    for period in PERIODS:
        url = f"/logs/compliance/?period={period}"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with bench_cases.StatementCounter() as statements:
            client.get(url)
        samples = [time_ms(lambda url=url: client.get(url)) for _ in range(runs)]
        figures[period] = {
            "url": url,
            "bytes": len(response.content),
            "statements": len(statements),
            "page": timings(samples),
        }
    return figures


def measure_render(user: Any, runs: int) -> dict[str, Any]:
    """What the page reads and shows of one page of its workers: the figures
    (`compliance`, the entries per worker among them), and the rows of the first page of
    workers with the communities' tallies, rendered."""
    from django.template import engines

    from fengqiao.gridops.selectors import compliance, period_bounds
    from fengqiao.workcal.selectors import calendar_load

    template = engines["django"].from_string(
        "{% for row in rows %}<tr><td>{{ row.worker }}</td><td>{{ row.grid.name }}</td>"
        "<td>{{ row.due }}</td><td>{{ row.kept }}</td><td>{{ row.excused }}</td>"
        "<td>{{ row.missed }}</td><td>{{ row.rate }}</td><td>{{ row.entries }}</td>"
        "<td>{{ row.entries_today }}</td><td>{{ row.kept_today }}</td><td>{{ row.run }}</td></tr>"
        "{% endfor %}{% for tally in villages %}<tr><td>{{ tally.area.name }}</td>"
        "<td>{{ tally.workers }}</td><td>{{ tally.due }}</td><td>{{ tally.kept }}</td>"
        "<td>{{ tally.rate }}</td><td>{{ tally.not_logged_today }}</td></tr>{% endfor %}"
    )
    today = BENCH_NOW.date()
    figures: dict[str, Any] = {}
    for period in PERIODS:
        start, end = period_bounds(period, today)

        def run(start: dt.date = start, end: dt.date = end) -> str:
            result = compliance(
                user=user, start=start, end=end, today=today, calendar=calendar_load()
            )
            rows = result.workers[:ROWS_PER_PAGE]
            return template.render({"rows": rows, "villages": result.by_village})

        run()
        with bench_cases.StatementCounter() as statements:
            run()
        samples = [time_ms(run) for _ in range(runs)]
        figures[period] = {
            "rows_rendered": ROWS_PER_PAGE,
            "statements": len(statements),
            "page": timings(samples),
        }
    return figures


def measure_saves(
    writers: list[tuple[Any, list[int]]], count: int, rng: random.Random
) -> dict[str, Any]:
    """`log_entry_create` one by one, a transaction each as a request has it, by `writers`
    (each with the units of their grid)."""
    from fengqiao.gridops.models import Activity
    from fengqiao.gridops.services import log_entry_create

    activities = list(Activity.objects.values_list("pk", flat=True))

    def save() -> None:
        worker, units = rng.choice(writers)
        log_entry_create(
            actor=worker,
            occurred_at=BENCH_NOW - dt.timedelta(minutes=rng.randint(1, 50)),
            area=rng.choice(units),
            finding="nothing",
            text="巡查楼道和周边道路，消防通道畅通，无异常。",
            activities=[rng.choice(activities)],
            now=BENCH_NOW,
        )

    save()
    with bench_cases.StatementCounter() as statements:
        save()
    samples = [time_ms(save) for _ in range(count)]
    return {
        "service": "log_entry_create",
        "transaction": "one per entry, as a request",
        "statements_per_entry": len(statements),
        "save": timings(samples),
    }


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """The targets against the figures: the compliance page as the leader of the whole
    district has it (the figures and one page of workers), and as the site serves it (the
    whole district's figures, its hundred communities, and a page each of grids and
    workers), and saving an entry."""
    leader = result["compliance"]["leader"]
    target = TARGETS["compliance_page_p50_ms"]

    def worst(figures: dict[str, Any]) -> float:
        return max(figures[period]["page"]["p50_ms"] for period in PERIODS)

    one_page = worst(leader["selector_and_render"])
    verdicts: dict[str, Any] = {
        "compliance_page_p50_ms": {
            "value": one_page,
            "of": f"the leader's figures and {ROWS_PER_PAGE} workers rendered, slowest period",
            "target": target,
            "met": one_page <= target,
        }
    }
    if "page" in leader:
        served = worst(leader["page"])
        verdicts["compliance_page_as_served_p50_ms"] = {
            "value": served,
            "of": "/logs/compliance/ for the leader, slowest period",
            "workers_counted": leader["selector"]["month"]["workers"],
            "target": target,
            "met": served <= target,
        }
    save = result["save"]["save"]["p50_ms"]
    verdicts["entry_save_p50_ms"] = {
        "value": save,
        "target": TARGETS["entry_save_p50_ms"],
        "met": save <= TARGETS["entry_save_p50_ms"],
    }
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.gridops", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--villages", type=int, default=100, help="communities of the district")
    parser.add_argument("--grids", type=int, default=20, help="grids (workers) per community")
    parser.add_argument("--days", type=int, default=365, help="days of logs up to today")
    parser.add_argument("--runs", type=int, default=30, help="runs per compliance figure")
    parser.add_argument("--saves", type=int, default=300, help="entries saved one by one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--pg-name", default="fengqiao_bench_gridops")
    parser.add_argument(
        "--dir-name", default="gridops", help="the SQLite database's directory under var/bench/"
    )
    args = parser.parse_args(argv)

    # A directory of its own, so that it never shares a file with the other benchmarks.
    bench_cases.BENCH_DIR = bench_cases.ROOT / "var" / "bench" / args.dir_name
    database = bench_cases.Database(keep=args.keep, pg_name=args.pg_name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from fengqiao.core import clock

    # The pages name their static files; the bench collects none, so no manifest to read.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    # The pages and the services read "now" from the clock: the bench's morning.
    clock.now = lambda: BENCH_NOW
    began = time.perf_counter()
    result: dict[str, Any] = {"bench": "gridops", "started": dt.datetime.now(dt.UTC).isoformat()}
    try:
        log(f"database: {database.vendor} {database.name}")
        call_command("migrate", verbosity=0, interactive=False)
        result["database"] = database.versions()
        result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
        result["targets"] = TARGETS
        rng = random.Random(args.seed)
        log(f"the district: {args.villages} communities of {args.grids} grids")
        district = District(args.villages, args.grids)
        log(f"{args.days} days of logs for {len(district.workers):,} grid workers, in bulk")
        result["fill"] = fill_logs(district, days=args.days, rng=rng)
        log(f"  {result['fill']['entries']:,} entries in {result['fill']['seconds']} s")
        result["statistics"] = statistics()
        # A server holds no district in memory: what the saves need, and the district let go.
        leader, cadre = district.leader, district.cadre
        writers = [
            (worker, [unit.pk for unit in district.units_of[worker.home_area_id]])
            for worker in rng.sample(district.workers, min(50, len(district.workers)))
        ]
        del district
        result["compliance"] = {}
        for label, user in (("leader", leader), ("cadre", cadre)):
            log(f"compliance of the {label}")
            figures: dict[str, Any] = {
                "selector": measure_selector(user, args.runs),
                "selector_and_render": measure_render(user, args.runs),
            }
            if page_available():
                figures["page"] = measure_page(user, args.runs)
            result["compliance"][label] = figures
        log(f"saving {args.saves} entries one by one")
        result["save"] = measure_saves(writers, args.saves, rng)
        result["verdict"] = verdict(result)
    finally:
        result["seconds"] = round(time.perf_counter() - began, 1)
        database.finish()
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
