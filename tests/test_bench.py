"""The benchmarks of bench/ (the case engine's, the deadline sweep and rules pass's) run end
to end in a reduced size and report what they say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_case_benchmark_runs_in_a_reduced_size():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    arguments = ["--create", "400", "--single", "150", "--batch", "100", "--total", "1500"]
    arguments += ["--runs", "3", "--api-runs", "1", "--profile-sample", "20"]
    arguments += ["--never-analysed-runs", "2"]
    completed = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "bench.cases", *arguments, "--pg-name", "fengqiao_bench_cases_test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout)

    assert result["n"] == {"created_via_service": 400, "total": 1500}
    created = result["create"]
    assert created["single"]["service"] == "case_create"
    assert created["single"]["timed_cases"] == 150 - 1 - 20
    assert created["batch"]["service"] == "case_create_many"
    assert created["batch"]["timed_cases"] == 250
    assert created["single"]["cases_per_second"] > 0 and created["batch"]["cases_per_second"] > 0
    for size in ("400", "1500"):
        for role in ("grid_worker", "leader"):
            queue = result["queue"][size][role]
            assert 0 <= queue["rows"] <= 25
            assert queue["queries_per_page"] <= 3
            assert queue["page"]["p50_ms"] > 0 and queue["raw_sql"]["p50_ms"] > 0
    assert result["queue"]["1500"]["leader"]["rows"] > 0
    if result["database"]["vendor"] == "sqlite":
        assert {"1500_fresh_statistics", "1500_never_analysed"} <= set(result["queue"])
        assert result["queue"]["1500_never_analysed"]["leader"]["page"]["runs"] == 2
    assert set(result["statistics"]) == {"400", "1500"}
    assert {"create_per_second_one_by_one", "create_per_second_in_batches"} <= set(
        result["verdict"]
    )
    # The queue is judged by absolute time on SQLite, by the ratio on PostgreSQL.
    judged = "orm_over_raw_ms" if result["database"]["vendor"] == "sqlite" else "orm_to_raw"
    assert {f"{judged}_at_total", "queue_p50_ms_at_total"} <= set(result["verdict"])
    leader = result["queue"]["1500"]["leader"]
    if judged == "orm_over_raw_ms":
        over = leader["page"]["p50_ms"] - leader["raw_sql"]["p50_ms"]
        grid = result["queue"]["1500"]["grid_worker"]
        worst = max(over, grid["page"]["p50_ms"] - grid["raw_sql"]["p50_ms"])
        assert result["verdict"]["orm_over_raw_ms_at_total"]["value"] == round(worst, 3)


def test_the_rules_benchmark_runs_in_a_reduced_size(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.rules", "--cases", "300", "--pg-name", "fengqiao_bench_test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout)

    assert result["n"] == 300 and result["fill"]["cases"] == 300
    assert result["sweep_cold"]["overdue"] > 0 and result["sweep_cold"]["near"] > 0
    assert result["sweep_again"] == {**result["sweep_again"], "overdue": 0, "notifications": 0}
    assert result["rules_cold"]["alerts"] > 0 and result["rules_again"]["alerts"] == 0
    assert result["alerts_stored"] == result["rules_cold"]["alerts"]
    for figure in ("sweep_cold", "sweep_again", "rules_cold", "rules_again"):
        assert result[figure]["seconds"] >= 0
