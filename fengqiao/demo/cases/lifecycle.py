"""Walking a case through its lifecycle: every step from its receipt to its closing.

A case is accepted (or rejected) and sometimes regraded; then it is escalated above the
town, transferred to an agency, or dispatched to a person or team (`handling`). A
mediated dispute gets its mediation records and every handled case its follow-ups
(`mediating` draws them) before it is closed. An open case stops in the state it is
drawn to stand in at the cut-off. Pure, like the planner: everything comes from the
planner's generator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from fengqiao.cases.models import Grade, Kind, Outcome, State
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.handling import Handling
from fengqiao.demo.cases.mediating import MediationDrawer
from fengqiao.demo.cases.plan import CUTOFF, TIER_DAYS, StepPlan
from fengqiao.demo.cases.routing import Route
from fengqiao.demo.cases.spec import CasePath, CaseSpec, PathStopped, fill
from fengqiao.demo.cases.worktime import WorkingClock


class Lifecycle:
    """Draws the steps and records of one case after another."""

    def __init__(
        self,
        rng: random.Random,
        clock: WorkingClock,
        drawer: MediationDrawer,
        handling: Handling,
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.drawer = drawer
        self.handling = handling

    def path(
        self,
        spec: CaseSpec,
        route: Route,
        grade: str,
        values: dict[str, Any],
        received_at: dt.datetime,
    ) -> tuple[list[StepPlan], list[Any]]:
        """The steps and records of a case received at `received_at`; an open case's
        stop where it is to stand."""
        stop: Callable[[StepPlan], bool] | None = None
        self.drawer.terms, self.drawer.effective_on = (), None
        self.drawer.case_terms = []
        if spec.fate == "open" and spec.open_state == State.REPORTED:
            return [], []
        if spec.fate == "open":
            if spec.extension_pending:
                stop = lambda step: step.action == "request_extension"  # noqa: E731
            else:
                target = spec.open_state
                stop = lambda step: step.state == target  # noqa: E731
        path = CasePath(received_at, stop)
        with contextlib.suppress(PathStopped):
            self.walk(path, spec, route, grade, values)
        if (
            spec.fate == "open"
            and spec.kind == Kind.DISPUTE
            and path.mediating is not None
            and self.drawer.mediates(path.mediating[1])
        ):
            # Stands open with the mediation under way: sessions so far, no outcome.
            since, worker = path.mediating
            until = (
                path.t if path.t - since > dt.timedelta(hours=2) else since + dt.timedelta(hours=20)
            )
            self.drawer.start_and_sessions(
                path,
                worker=worker,
                since=since,
                until=min(until, CUTOFF - dt.timedelta(hours=1)),
                category=spec.template.category,
                values=values,
                complaint=spec.words["complaint"] if spec.words else "",
                concluded=False,
            )
        return path.steps, path.records

    def walk(
        self, path: CasePath, spec: CaseSpec, route: Route, grade: str, values: dict[str, Any]
    ) -> None:
        """Every step of the case, in time order; raises PathStopped where it stands."""
        received_at = path.t
        if spec.fate == "rejected":
            path.add(
                self.clock.later(path.t, 10, 180),
                route.intake,
                "reject",
                State.REJECTED,
                note=self.rng.choice(text.REJECT_NOTES),
            )
            return
        self.accept(path, spec, route)
        grade, tier = self.regrade(path, spec, grade)
        if route.above:
            self.resolve_above(path, spec, route)
            return
        if route.agency:
            self.transfer(path, spec, route, tier, values)
            return
        self.handling.handle(path, spec, route, grade, tier, values, received_at)

    # --------------------------------------------------------------- the steps
    def accept(self, path: CasePath, spec: CaseSpec, route: Route) -> None:
        if spec.kind == Kind.EMERGENCY:
            path.add(
                self.clock.later(path.t, 1, 5, office=False),
                "dispatcher",
                "accept",
                State.ACCEPTED,
                note="立即启动应急联动。",
            )
        else:
            path.add(
                self.clock.later(path.t, 5, 90),
                route.intake,
                "accept",
                State.ACCEPTED,
                note=self.rng.choice(text.ACCEPT_NOTES),
            )

    def regrade(self, path: CasePath, spec: CaseSpec, grade: str) -> tuple[str, int]:
        """The grade and its tier of working days; now and then a general dispute turns
        out to be important."""
        kind = spec.kind
        tier = TIER_DAYS[(kind, grade if kind == Kind.DISPUTE else "")]
        if grade == Grade.GENERAL and not spec.reopen and self.rng.random() < 0.04:
            path.add(
                self.clock.later(path.t, 30, 300),
                "dispatcher",
                "regrade",
                grade=Grade.IMPORTANT,
                note=text.REGRADE_NOTES[0],
            )
            grade = Grade.IMPORTANT
            tier = TIER_DAYS[(kind, grade)]
        return grade, tier

    def resolve_above(self, path: CasePath, spec: CaseSpec, route: Route) -> None:
        """Escalated above the town, which resolves it with the departments concerned."""
        path.add(
            self.clock.later(path.t, 30, 600),
            route.director,
            "escalate",
            State.ESCALATED,
            note=self.rng.choice(text.ESCALATE_ABOVE_NOTES),
        )
        resolved_at = self.clock.working_days_after(path.t, self.rng.randint(3, 12))
        path.add(
            resolved_at,
            "leader",
            "resolve",
            State.RESOLVED,
            outcome=Outcome.RESOLVED,
            note="经区综治中心协调相关部门，问题已解决。",
        )
        self.handling.close(path, spec)

    def transfer(
        self, path: CasePath, spec: CaseSpec, route: Route, tier: int, values: dict[str, Any]
    ) -> None:
        """Transferred to an agency, whose liaison records the result."""
        emergency = spec.kind == Kind.EMERGENCY
        note = text.TRANSFER_NOTES.get(route.agency, "移交相关部门处理。")
        path.add(
            self.clock.later(
                path.t, 2 if emergency else 10, 10 if emergency else 240, office=not emergency
            ),
            route.director,
            "transfer",
            State.TRANSFERRED,
            agency=route.agency,
            note=note,
        )
        if emergency:
            resolved_at = self.clock.later(path.t, 40, 240, office=False)
            resolution = self.rng.choice(spec.template.resolutions)
        else:
            resolved_at = self.clock.working_days_after(path.t, self.clock.resolution_days(tier))
            resolution = text.TRANSFER_RESOLUTIONS.get(route.agency, "相关部门已处理完毕。")
        path.add(
            resolved_at,
            route.worker,
            "resolve",
            State.RESOLVED,
            outcome=spec.outcome,
            note=fill(resolution, values),
        )
        self.handling.close(path, spec)
