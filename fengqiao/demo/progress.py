"""How writing the demo town reports its progress while it runs.

`write_plan` calls a `Progress` callback at the end of each stage with the stage and what
it wrote; the `seed_demo` command turns those into lines. The callback only looks: the town
written is the same with or without one, and the domain code prints nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    # counts: areas, categories, agencies, mediation_organizations, users
    TOWN = "town"
    # counts: persons, organizations
    RESIDENTS = "residents"
    # One month of the case year, played through the services. counts: month (its first
    # day), what was played in it — cases (registered), steps, mediation (records),
    # followups, orders (supervision orders raised) — and registered (so far) of total.
    MONTH = "month"
    # The year's daily logs (`demo.logs`). counts: log_entries, log_writers, log_leave,
    # log_cases_linked
    LOGS = "logs"


Progress = Callable[[Stage, Mapping[str, Any]], None]


def no_progress(stage: Stage, counts: Mapping[str, Any]) -> None:
    """The callback of a caller that does not follow the progress."""
