"""Benchmark of the periodic passes: the deadline sweep and the warning rules at 100,000 open
cases.

    .venv/bin/python -m bench.rules              # or: make bench
    .venv/bin/python -m bench.rules --cases 300  # a quick look (what the test suite runs)

On a database of its own, like `bench.cases` (a SQLite file under var/bench/rules/, or
`fengqiao_bench_rules` when DATABASE_URL points to PostgreSQL; dropped at the end unless
--keep): the demo town (no cases), then `--cases` open cases written in bulk with a working
town's spread — over every unit and category, received within the last 30 days, 8 % overdue,
10 % due within the day, the rest later; one applicant each and a respondent for a third,
with 0.5 % of parties appearing again (repeat parties); 0.5 % of accounts given a risk word
(the demo's texts hold some already); 1 % of cases with many people involved. Then it times:

1. `deadline_sweep` from cold (every near and missed deadline warned for the first time);
2. `deadline_sweep` again (nothing new);
3. `alerts_run_all`, a pass of every rule, from cold (every alert raised for the first
   time), and again (nothing new: the steady state of a pass every five minutes).

`--without-overdue-hooks` leaves out what other modules do for the overdue cases (the
supervision orders), to time the sweep alone. stdout gets one JSON object; figures in
seconds. It reports against the target (sweep + rules ≤ 5 s on SQLite), never fails on time.
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
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import cases as bench_cases

BENCH_NOW = bench_cases.BENCH_NOW
TARGET_SECONDS = 5.0
WINDOW = dt.timedelta(days=30)
OVERDUE_SHARE, NEAR_SHARE = 0.08, 0.10
REPEAT_SHARE, RISK_SHARE, MANY_PEOPLE_SHARE = 0.005, 0.005, 0.01
RISK_PHRASES = (
    "对方扬言要去北京上访。",
    "当事人情绪激动，说不解决就跳楼。",
    "双方发生口角，一方扬言要拿刀砍人。",
    "有人扬言要放火烧了对方的房子。",
    "组织了二十多人准备到镇政府门口聚集。",
)
OPEN_MIX = (
    ("reported", 8),
    ("accepted", 8),
    ("dispatched", 14),
    ("acknowledged", 12),
    ("in_progress", 34),
    ("suspended", 4),
    ("transferred", 6),
    ("escalated", 2),
    ("resolved", 12),
)
ASSIGNED = {"dispatched", "acknowledged", "in_progress", "suspended", "resolved"}
log = bench_cases.log


def timed(run: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    """Wall-clock seconds, and the CPU seconds of this process: on a machine shared with
    other work the second varies less (on PostgreSQL it leaves out the server's share)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run()
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
    }, result


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """A prepared INSERT in batches of 5,000 (as `bench.cases.fill` does, for its reasons)."""
    from django.db import connection, transaction

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    datetimes = {f.attname for f in fields if f.get_internal_type() == "DateTimeField"}
    adapt = bench_cases.stored_datetime(connection.vendor)
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    defaults = {field.attname: field.get_default() for field in fields}
    values = [
        tuple(
            adapt(v) if f.attname in datetimes and v is not None else v
            for f in fields
            for v in [(defaults | row)[f.attname]]
        )
        for row in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(statement, values[start : start + 5000])


def fill(town: Any, count: int, rng: random.Random) -> dict[str, Any]:
    """`count` open cases with their parties, written in bulk."""
    from fengqiao.cases.models import Case, CaseParty, SlaPolicy
    from fengqiao.core.models import YearlySequence
    from fengqiao.demo.cases.texts import DEMANDS, DISPUTES
    from fengqiao.people.models import Person

    started = time.perf_counter()
    tiers = {(t.kind, t.grade): t for t in SlaPolicy.objects.all()}
    reporters = [town.users["clerk"].pk, town.users["clerk02"].pk]
    channels = ("hotline_12345", "daily_log", "phone", "walk_in", "online", "grid_report")
    year = BENCH_NOW.astimezone(bench_cases.SHANGHAI).year
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_person = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    cases: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    overdue = near = 0
    for index in range(count):
        unit = rng.choice(town.units)
        dispute = rng.random() < 0.25
        template = rng.choice(DISPUTES if dispute else DEMANDS)
        grade = rng.choice(("general",) * 8 + ("important", "complex")) if dispute else ""
        tier = tiers[(template.kind, grade if template.kind == "dispute" else "")]
        received_at = BENCH_NOW - WINDOW * rng.random()
        draw = rng.random()
        if draw < OVERDUE_SHARE:
            due_at = received_at + (BENCH_NOW - received_at) * rng.uniform(0.2, 0.95)
            overdue += 1
        elif draw < OVERDUE_SHARE + NEAR_SHARE:
            due_at = BENCH_NOW + dt.timedelta(hours=rng.uniform(0.5, 20))
            near += 1
        else:
            due_at = BENCH_NOW + dt.timedelta(days=rng.uniform(2, 20))
        state = bench_cases.weighted(rng, OPEN_MIX)
        worker = town.grid_worker_of[unit.pk]
        handler_user = handler_team = handler_agency = None
        if state in ASSIGNED:
            if worker is not None and rng.random() < 0.6:
                handler_user = worker.pk
            else:
                handler_team = rng.choice(town.teams).pk
        elif state == "transferred":
            handler_agency = rng.choice(town.agencies).pk
        names = {"place": unit.name, "name": "居民", "other": "邻居", "company": "物业公司"}
        names |= {"n": 3, "people": 2, "amount": "2000", "village": "", "reporter": ""}
        account = template.account.format(**names)
        if rng.random() < RISK_SHARE:
            account += rng.choice(RISK_PHRASES)
        case_id = first_id + index
        cases.append(
            {
                "id": case_id,
                "number": f"FQ-{year}-{index + 1:06d}",
                "kind": template.kind,
                "grade": grade,
                "category_id": rng.choice(town.categories).pk,
                "channel": rng.choice(channels),
                "title": template.title.format(**names)[:120],
                "account": account,
                "area_id": unit.pk,
                "area_path": unit.path,
                "people_involved": (
                    rng.randint(5, 60) if rng.random() < MANY_PEOPLE_SHARE else rng.randint(1, 3)
                ),
                "received_at": received_at,
                "reported_by_id": rng.choice(reporters),
                "created_at": received_at,
                "state": state,
                "is_open": True,
                "version": 3,
                "updated_at": received_at,
                "handler_user_id": handler_user,
                "handler_team_id": handler_team,
                "handler_agency_id": handler_agency,
                "handling_level": 3
                if handler_user
                else (1 if handler_team or handler_agency else None),
                "clock_start": received_at,
                "milestone": tier.milestone,
                "sla_working_days": tier.working_days,
                "due_at": due_at,
                "suspended_at": received_at if state == "suspended" else None,
                "milestone_met_at": BENCH_NOW - dt.timedelta(hours=1)
                if state == "resolved"
                else None,
            }
        )
        for role in ("applicant",) + (("respondent",) if rng.random() < 0.33 else ()):
            if people and rng.random() < REPEAT_SHARE:
                person_id = rng.choice(people)["id"]
            else:
                person_id = first_person + len(people)
                people.append(
                    {
                        "id": person_id,
                        "name": rng.choice("王李张刘陈杨赵黄周吴")
                        + rng.choice("建国秀兰志强丽华明"),
                        "gender": rng.choice("MF"),
                        "area_id": unit.pk,
                        "created_at": received_at,
                    }
                )
            parties.append({"case_id": case_id, "role": role, "person_id": person_id})
    insert_rows(Person, people)
    insert_rows(Case, cases)
    insert_rows(CaseParty, parties)
    YearlySequence.objects.update_or_create(name="case", year=year, defaults={"last": count})
    return {
        "cases": count,
        "people": len(people),
        "parties": len(parties),
        "overdue_by_construction": overdue,
        "due_within_a_day_by_construction": near,
        "seconds": round(time.perf_counter() - started, 2),
        "how": "prepared INSERT, 5,000 rows a transaction; no timeline rows",
    }


def top_costs(profiler: cProfile.Profile, limit: int = 12) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        short = filename.split("site-packages/")[-1].replace(str(bench_cases.ROOT) + "/", "")
        rows.append((short, line, name, ncalls, tottime, cumtime))
    ours = [row for row in rows if row[0].startswith("fengqiao/")]
    return [
        {
            "function": f"{s}:{line}({name})",
            "calls": n,
            "own_s": round(t, 3),
            "total_s": round(c, 3),
        }
        for s, line, name, n, t, c in sorted(ours, key=lambda row: -row[5])[:limit]
    ]


def run_passes(*, profile: bool) -> dict[str, Any]:
    from fengqiao.alerts.models import Alert
    from fengqiao.alerts.services import alerts_run_all
    from fengqiao.jobs.deadlines import deadline_sweep
    from fengqiao.notify.models import Notification

    result: dict[str, Any] = {}
    log("deadline sweep, cold")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    times, outcome = timed(lambda: deadline_sweep(now=BENCH_NOW))
    if profiler:
        profiler.disable()
        result["sweep_cold_profile"] = {
            "note": "the cold sweep under cProfile (which slows it about twofold)",
            "project_functions_by_total": top_costs(profiler),
        }
    result["sweep_cold"] = {**times, **outcome}
    log("deadline sweep, again")
    times, outcome = timed(lambda: deadline_sweep(now=BENCH_NOW + dt.timedelta(minutes=1)))
    result["sweep_again"] = {**times, **outcome}
    log("warning rules, cold")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    times, raised = timed(lambda: alerts_run_all(now=BENCH_NOW))
    if profiler:
        profiler.disable()
    by_rule: dict[str, int] = {}
    for alert in raised:
        by_rule[alert.rule_code] = by_rule.get(alert.rule_code, 0) + 1
    result["rules_cold"] = {**times, "alerts": len(raised), "by_rule": by_rule}
    log("warning rules, again")
    times, again = timed(lambda: alerts_run_all(now=BENCH_NOW + dt.timedelta(minutes=5)))
    result["rules_again"] = {**times, "alerts": len(again)}
    result["alerts_stored"] = Alert.objects.count()
    result["notifications_stored"] = Notification.objects.count()
    result["sweep_plus_rules_cold_seconds"] = round(
        result["sweep_cold"]["seconds"] + result["rules_cold"]["seconds"], 3
    )
    result["sweep_plus_rules_steady_seconds"] = round(
        result["sweep_again"]["seconds"] + result["rules_again"]["seconds"], 3
    )
    if profiler:
        result["rules_cold_profile"] = {
            "note": "the cold pass under cProfile (which slows it about twofold)",
            "project_functions_by_total": top_costs(profiler),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rules", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=100_000, help="open cases written in bulk")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile", action="store_true", help="profile the cold sweep and the cold rules pass"
    )
    parser.add_argument(
        "--without-overdue-hooks",
        action="store_true",
        help="time the sweep alone, without what other modules do for each overdue case",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--pg-name", default="fengqiao_bench_rules")
    args = parser.parse_args(argv)

    # A directory of its own, so that it never shares a file with `bench.cases`.
    bench_cases.BENCH_DIR = bench_cases.ROOT / "var" / "bench" / "rules"
    database = bench_cases.Database(keep=args.keep, pg_name=args.pg_name)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import translation

    result: dict[str, Any] = {"bench": "rules", "started": dt.datetime.now(dt.UTC).isoformat()}
    try:
        log(f"database: {database.vendor} {database.name}")
        call_command("migrate", verbosity=0, interactive=False)
        result["database"] = database.versions()
        result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
        result["n"] = args.cases
        result["target"] = {"sweep_plus_rules_seconds_on_sqlite": TARGET_SECONDS}
        rng = random.Random(args.seed)
        log("building the demo town")
        town = bench_cases.Town()
        log(f"writing {args.cases:,} open cases")
        result["fill"] = fill(town, args.cases, rng)
        # Statistics, as PostgreSQL's autovacuum and SQLite's nightly statistics job keep.
        result["statistics"] = bench_cases.refresh_statistics()
        from fengqiao.jobs import registry

        result["overdue_hooks"] = [
            f"{hook.__module__}.{hook.__qualname__}" for hook in registry.OVERDUE_HOOKS
        ]
        if args.without_overdue_hooks:
            registry.OVERDUE_HOOKS[:] = []
            result["overdue_hooks"] = "left out (--without-overdue-hooks)"
        with translation.override(settings.LANGUAGE_CODE):
            result |= run_passes(profile=args.profile)
        cold = result["sweep_plus_rules_cold_seconds"]
        result["verdict"] = (
            f"sweep + rules from cold {cold} s against {TARGET_SECONDS} s"
            f" ({'within' if cold <= TARGET_SECONDS else 'over'} target)"
        )
    finally:
        database.finish()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
