"""The daily log's benchmark (bench/gridops.py) runs end to end in a reduced size and
reports what it says: the district filled, the compliance figures of the leader and of a
community's cadre, entries saved one by one, a verdict against the targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fixtures import PROJECT


def test_the_daily_log_benchmark_runs_in_a_reduced_size():
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
    arguments = ["--villages", "2", "--grids", "5", "--days", "40", "--runs", "2", "--saves", "5"]
    arguments += ["--dir-name", "gridops-test", "--pg-name", "fengqiao_bench_gridops_test"]
    completed = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "bench.gridops", *arguments],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout)

    fill = result["fill"]
    assert fill["workers"] == 10 and fill["entries"] > 200 and fill["days"] <= fill["entries"]
    leader, cadre = result["compliance"]["leader"], result["compliance"]["cadre"]
    for period in ("today", "week", "month"):
        assert leader["selector"][period]["workers"] == 10
        assert cadre["selector"][period]["workers"] == 5
        # the figures are read in a few statements, whatever the number of workers
        statements = leader["selector"][period]["statements"]
        assert statements == cadre["selector"][period]["statements"] <= 12
        assert leader["selector"][period]["selector"]["p50_ms"] > 0
    month = leader["selector"]["month"]["total"]
    assert 0 < month["kept"] <= month["due"]
    assert leader["selector_and_render"]["month"]["page"]["runs"] == 2
    if "page" in leader:
        assert leader["page"]["month"]["page"]["runs"] == 2
        assert "compliance_page_as_served_p50_ms" in result["verdict"]
    assert result["save"]["service"] == "log_entry_create"
    assert result["save"]["save"]["runs"] == 5 and result["save"]["statements_per_entry"] <= 20
    assert {"compliance_page_p50_ms", "entry_save_p50_ms"} <= set(result["verdict"])
    assert all(isinstance(figure["met"], bool) for figure in result["verdict"].values())
