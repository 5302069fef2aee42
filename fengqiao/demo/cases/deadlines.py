"""The deadline of a planned case at every step, as the case services keep it, and the
moments the deadline sweep would find it overdue: what the sweep's supervision orders of
the demo year are drawn from (`supervising`). Pure: read from the case's planned steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fengqiao.cases.defaults import DEFAULT_TIERS
from fengqiao.cases.models import Kind, State
from fengqiao.cases.sla import suspended_working_days
from fengqiao.cases.workflow import CLOCK_STOPPED_STATES, TERMINAL_STATES
from fengqiao.demo.cases.plan import CUTOFF, CasePlan, Handler
from fengqiao.demo.cases.worktime import MINUTE
from fengqiao.workcal.calendar import WorkingCalendar, due_after

TIERS = {(kind, grade): (milestone, days) for kind, grade, milestone, days in DEFAULT_TIERS}
# How often the deadline sweep runs (`jobs.tasks`).
SWEEP_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Phase:
    """A stretch of a case's life between two of its steps."""

    start: dt.datetime
    state: str
    handler: Handler | None
    due_at: dt.datetime
    # open, its milestone not met and its clock running: what the deadline sweep watches
    watched: bool


def case_course(case: CasePlan, calendar: WorkingCalendar) -> tuple[Phase, ...]:
    """The case's phases from its receipt, with its deadline in each as the case services
    keep it (`cases.sla`): the end of the Nth working day after the clock's start, N the
    tier's working days plus approved extensions plus working days spent suspended."""
    kind, grade = case.kind, case.grade
    milestone, days = TIERS[(kind, grade if kind == Kind.DISPUTE else "")]
    clock_start = case.received_at
    extension = suspended = 0
    requested = 0
    suspended_at: dt.datetime | None = None
    met: dt.datetime | None = None
    state: str = State.REPORTED
    handler: Handler | None = None

    def phase(start: dt.datetime) -> Phase:
        due = due_after(calendar, clock_start, days + extension + suspended).due_at
        watched = state not in TERMINAL_STATES and state not in CLOCK_STOPPED_STATES
        return Phase(start, state, handler, due, watched and met is None)

    phases = [phase(case.received_at)]
    for step in case.steps:
        action = step.action
        if action in {"dispatch", "reassign"}:
            handler = step.handler
        elif action in {"return", "escalate"}:
            handler = None
        elif action == "transfer":
            handler = Handler("agency", step.agency)
            if suspended_at is not None:
                suspended, suspended_at = (
                    suspended + suspended_working_days(calendar, suspended_at, step.at),
                    None,
                )
        elif action == "record_milestone":
            met = step.at
        elif action == "suspend":
            suspended_at = step.at
        elif action == "resume":
            suspended, suspended_at = (
                suspended + suspended_working_days(calendar, suspended_at, step.at),
                None,
            )
        elif action == "request_extension":
            requested = step.days
        elif action == "approve_extension":
            extension, requested = extension + requested, 0
        elif action == "regrade":
            grade = step.grade
            new_milestone, days = TIERS[(kind, grade)]
            if new_milestone != milestone:
                met = None
            milestone = new_milestone
        elif action == "resolve":
            met = met or step.at
        elif action == "reopen":
            clock_start, extension, suspended, met = step.at, 0, 0, None
        state = step.state
        phases.append(phase(step.at))
    return tuple(phases)


def next_run(moment: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The first run of a job run every `every` (counted from the hour) after `moment`."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour + ((moment - hour) // every + 1) * every


def overdue_runs(phases: Sequence[Phase]) -> list[tuple[dt.datetime, Phase]]:
    """The sweep's runs that find the case newly overdue, with the phase each finds.

    A run sees the steps taken up to its moment; it acts once per deadline."""
    found: list[tuple[dt.datetime, Phase]] = []
    acted: set[dt.datetime] = set()
    for index, phase in enumerate(phases):
        if not phase.watched or phase.due_at in acted:
            continue
        run = max(next_run(phase.due_at, SWEEP_EVERY), next_run(phase.start - MINUTE, SWEEP_EVERY))
        ends = phases[index + 1].start if index + 1 < len(phases) else None
        if run <= CUTOFF and (ends is None or run < ends):
            found.append((run, phase))
            acted.add(phase.due_at)
    return found


def phase_at(phases: Sequence[Phase], moment: dt.datetime) -> Phase:
    """The phase the case is in at `moment` (its steps up to then taken)."""
    current = phases[0]
    for phase in phases:
        if phase.start > moment:
            break
        current = phase
    return current
