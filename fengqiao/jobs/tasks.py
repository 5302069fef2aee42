"""The periodic jobs. Each is a thin wrapper round a plain function that needs no job
runner (tests and management commands call those directly)."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fengqiao.core import clock
from fengqiao.jobs import registry
from fengqiao.jobs.deadlines import deadline_sweep
from fengqiao.jobs.maintenance import database_optimize


@db_periodic_task(crontab(minute="*"))
def deadline_sweep_job() -> dict[str, Any]:
    return deadline_sweep(now=clock.now())


@db_periodic_task(crontab(minute="*/5"))
def rules_pass_job() -> dict[str, Any]:
    return registry.run_all(registry.RULE_PASSES, now=clock.now())


# Huey's schedule is in UTC: 23:30 UTC is 07:30 in the centre (China keeps no summer time).
@db_periodic_task(crontab(minute="30", hour="23"))
def followup_reminders_job() -> dict[str, Any]:
    return registry.run_all(registry.FOLLOWUP_PASSES, now=clock.now())


@db_periodic_task(crontab(minute="15", hour="19"))  # 03:15 in the centre
def database_optimize_job() -> str:
    return database_optimize()
