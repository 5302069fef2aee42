"""Extension points of the scheduled jobs, filled by other modules from their `ready()`.

- `register_periodic("hotspot", run)` adds a rule pass to `rules_pass` (every 5 minutes);
- `register_followup("kept_agreements", run)` adds to `followup_reminders` (daily);
- `register_overdue_hook(raise_supervision_orders)`: `hook(cases, now=now)` is called
  with the list of cases that have just become overdue, a chunk of the sweep at a time
  (never empty); each case comes once per deadline (a recomputed deadline that passes
  again counts again). Hooks work on the whole list at once: a chunk holds hundreds of
  cases, and a few statements per chunk rather than per case keep the sweep fast. The
  cases carry the columns the sweep reads (`deadlines.CASE_FIELDS`); a hook reads what
  else it needs for all of them in one query.

Runners take `now=` and must be idempotent: they re-derive their work from the database
each time, so running twice or on two workers at once creates nothing twice. Overdue
hooks run inside the sweep's transaction (what they write commits with the warning, or
not at all); slow outside work belongs in `transaction.on_commit`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Runner = Callable[..., Any]

RULE_PASSES: list[tuple[str, Runner]] = []
FOLLOWUP_PASSES: list[tuple[str, Runner]] = []
OVERDUE_HOOKS: list[Runner] = []


def _add(registry: list[tuple[str, Runner]], name: str, func: Runner) -> None:
    # Re-registering a name replaces it, so an app's ready() may run twice harmlessly.
    registry[:] = [(known, runner) for known, runner in registry if known != name]
    registry.append((name, func))


def register_periodic(name: str, func: Runner) -> None:
    _add(RULE_PASSES, name, func)


def register_followup(name: str, func: Runner) -> None:
    _add(FOLLOWUP_PASSES, name, func)


def register_overdue_hook(func: Runner) -> None:
    if func not in OVERDUE_HOOKS:
        OVERDUE_HOOKS.append(func)


def run_all(registry: list[tuple[str, Runner]], *, now: dt.datetime) -> dict[str, Any]:
    """Run each pass; one failing pass is logged and does not stop the others."""
    results: dict[str, Any] = {}
    for name, runner in list(registry):
        try:
            results[name] = runner(now=now)
        except Exception:
            logger.exception("periodic pass %s failed", name)
            results[name] = "failed"
    return results
