"""A case in the hands of a person or team: dispatched, acknowledged and worked on (now
and then suspended, given more time, or sent up by a village that cannot settle it),
resolved, followed up and closed; reopened when a follow-up finds an agreement not kept.
Pure, like the planner: everything comes from the planner's generator.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fengqiao.cases.models import Grade, Kind, Outcome, State
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.mediating import MediationDrawer
from fengqiao.demo.cases.plan import Handler
from fengqiao.demo.cases.routing import CLOSERS, Route, Routing
from fengqiao.demo.cases.spec import CasePath, CaseSpec, PathStopped, fill
from fengqiao.demo.cases.town import TownView, weighted
from fengqiao.demo.cases.worktime import WorkingClock


class Handling:
    """Draws the steps of a case from its dispatch to its closing."""

    def __init__(
        self,
        town: TownView,
        rng: random.Random,
        clock: WorkingClock,
        routing: Routing,
        drawer: MediationDrawer,
    ) -> None:
        self.town = town
        self.rng = rng
        self.clock = clock
        self.routing = routing
        self.drawer = drawer

    def handle(
        self,
        path: CasePath,
        spec: CaseSpec,
        route: Route,
        grade: str,
        tier: int,
        values: dict[str, Any],
        received_at: dt.datetime,
    ) -> None:
        """Sent to a person or team, who acknowledge it, work on it and record the result;
        then followed up and closed."""
        worker = self.dispatch(path, spec, route)
        if spec.triangle:
            worker, finish = self.up_the_triangle(path, route, worker)
            self.resolve(path, spec, worker, grade, values, finish)
            return
        extension_days = self.suspend(path, spec, worker, values)
        finish = self.work(path, spec, worker, grade, tier, values, received_at, extension_days)
        worker, finish = self.escalate_to_town(path, spec, route.director, worker, finish)
        self.resolve(path, spec, worker, grade, values, finish)

    def dispatch(self, path: CasePath, spec: CaseSpec, route: Route) -> str:
        """Dispatched, now and then sent back or reassigned, acknowledged and started;
        returns who works on it."""
        rng, later, kind = self.rng, self.clock.later, spec.kind
        handler, worker = route.handler, route.worker
        director = route.director
        path.add(
            later(path.t, 5, 120),
            director,
            "dispatch",
            State.DISPATCHED,
            handler=handler,
            note=rng.choice(text.DISPATCH_NOTES),
        )
        if kind == Kind.DEMAND and rng.random() < 0.01 and handler and handler.kind == "user":
            # The handler sends it back; the director takes it on themselves or sends it on.
            path.add(
                later(path.t, 20, 300),
                worker,
                "return",
                State.ACCEPTED,
                note=rng.choice(text.RETURN_NOTES),
            )
            handler, worker = self.routing.fallback(route, None)
            path.add(
                later(path.t, 10, 120),
                director,
                "dispatch",
                State.DISPATCHED,
                handler=handler,
                note="重新派遣。",
            )
        if kind in {Kind.DISPUTE, Kind.DEMAND} and rng.random() < 0.01 and director == "dispatcher":
            handler, worker = self.routing.fallback(route, handler)
            path.add(
                later(path.t, 30, 300),
                "dispatcher",
                "reassign",
                State.DISPATCHED,
                handler=handler,
                note=rng.choice(text.REASSIGN_NOTES),
            )
        path.add(later(path.t, 10, 240), worker, "acknowledge", State.ACKNOWLEDGED)
        path.add(
            later(path.t, 10, 480),
            worker,
            "start",
            State.IN_PROGRESS,
            note=rng.choice(text.START_NOTES),
        )
        path.mediating = (path.t, worker)
        return worker

    def suspend(self, path: CasePath, spec: CaseSpec, worker: str, values: dict[str, Any]) -> int:
        """Now and then suspended and resumed; returns the working days it was paused."""
        rng = self.rng
        if not (
            spec.force_suspend
            or (spec.kind == Kind.DISPUTE and rng.random() < 0.04)
            or rng.random() < 0.004
        ):
            return 0
        path.add(
            self.clock.later(path.t, 60, 600),
            worker,
            "suspend",
            State.SUSPENDED,
            note=(spec.outcome_note and fill(spec.outcome_note, values))
            or rng.choice(text.SUSPEND_NOTES),
        )
        if spec.force_suspend:
            raise PathStopped  # stands suspended at the cut-off
        paused = rng.randint(2, 12)
        path.add(
            self.clock.working_days_after(path.t, paused),
            worker,
            "resume",
            State.IN_PROGRESS,
            note=rng.choice(text.RESUME_NOTES),
        )
        return paused

    def work(
        self,
        path: CasePath,
        spec: CaseSpec,
        worker: str,
        grade: str,
        tier: int,
        values: dict[str, Any],
        received_at: dt.datetime,
        extension_days: int,
    ) -> dt.datetime:
        """The work until the result (a complex dispute's initial opinion, an extension
        asked for, a longer mediation's feedback); returns when the result is due."""
        rng, after = self.rng, self.clock.working_days_after
        kind = spec.kind
        if kind == Kind.DISPUTE and grade == Grade.COMPLEX:
            path.add(
                after(received_at, rng.randint(4, 14)),
                worker,
                "record_milestone",
                note=rng.choice(text.INITIAL_OPINION_NOTES),
            )
            return after(received_at, rng.randint(16, 40) + extension_days)
        if spec.extension_pending or (grade == Grade.IMPORTANT and rng.random() < 0.12):
            days = rng.randint(5, 10)
            request_at = after(received_at, max(tier - 2, 1))
            path.add(
                request_at,
                worker,
                "request_extension",
                days=days,
                note=rng.choice(text.EXTENSION_NOTES),
            )
            if rng.random() < 0.8:
                path.add(
                    self.clock.later(path.t, 60, 900),
                    "leader",
                    "approve_extension",
                    note=rng.choice(text.APPROVE_NOTES),
                )
                return after(received_at, tier + rng.randint(1, days) + extension_days)
            path.add(
                self.clock.later(path.t, 60, 900),
                "leader",
                "deny_extension",
                note=text.DENY_NOTES[0],
            )
            return after(received_at, tier)
        if kind == Kind.DISPUTE and rng.random() < 0.25:
            # A longer mediation: feedback to the applicant in time, the result later.
            path.add(
                after(received_at, rng.randint(1, tier)),
                worker,
                "record_milestone",
                note=fill(rng.choice(text.FEEDBACK_NOTES), values),
            )
            return after(received_at, tier + rng.randint(1, 10) + extension_days)
        return after(received_at, self.clock.resolution_days(tier) + extension_days)

    def up_the_triangle(self, path: CasePath, route: Route, worker: str) -> tuple[str, dt.datetime]:
        """The iron triangle (铁三角), each hand-over a step of the case: the grid worker
        cannot settle what the unit head reported and passes it up to the village; the
        cadre gives it to the village's mediation committee, whose mediator passes it up
        to the town; the centre brings in the judicial office. Returns who resolves it and
        when it is due."""
        later, after = self.clock.later, self.clock.working_days_after
        notes = text.TRIANGLE_NOTES
        village = next(v for v in self.town.villages if v.cadre == route.cadre)
        path.add(after(path.t, 1), worker, "record_milestone", note=notes["feedback"])
        path.add(later(path.t, 30, 120), worker, "escalate", State.ACCEPTED, note=notes["grid"])
        path.add(
            later(path.t, 20, 180),
            route.cadre,
            "dispatch",
            State.DISPATCHED,
            handler=Handler("team", village.committee),
            note=notes["dispatch"],
        )
        member = village.committee_member
        path.add(later(path.t, 10, 120), member, "acknowledge", State.ACKNOWLEDGED)
        path.add(later(path.t, 10, 240), member, "start", State.IN_PROGRESS, note=notes["start"])
        path.add(
            after(path.t, self.rng.randint(1, 2)),
            member,
            "escalate",
            State.ACCEPTED,
            note=notes["village"],
        )
        path.add(
            later(path.t, 10, 240),
            "dispatcher",
            "transfer",
            State.TRANSFERRED,
            agency="judicial",
            note=notes["transfer"],
        )
        path.mediating = None
        return self.town.liaisons["judicial"], after(path.t, self.rng.randint(2, 4))

    def escalate_to_town(
        self, path: CasePath, spec: CaseSpec, director: str, worker: str, finish: dt.datetime
    ) -> tuple[str, dt.datetime]:
        """Now and then the village cannot settle a dispute: up to the town, and to a town
        team or the judicial office. Returns who resolves it and when it is due."""
        rng = self.rng
        if (
            spec.kind != Kind.DISPUTE
            or director == "dispatcher"
            or spec.fate != "closed"
            or rng.random() >= 0.08
        ):
            return worker, finish
        path.add(
            self.clock.working_days_after(path.t, rng.randint(1, 3)),
            director,
            "escalate",
            State.ACCEPTED,
            note=rng.choice(text.ESCALATE_NOTES),
        )
        team = self.town.team_by_category.get(spec.template.category)
        if team:
            path.add(
                self.clock.later(path.t, 10, 240),
                "dispatcher",
                "dispatch",
                State.DISPATCHED,
                handler=Handler("team", team[0]),
                note="上报后由镇专业调解队办理。",
            )
            worker = team[1]
            path.add(self.clock.later(path.t, 10, 240), worker, "acknowledge", State.ACKNOWLEDGED)
            path.add(self.clock.later(path.t, 10, 480), worker, "start", State.IN_PROGRESS)
            path.mediating = (path.t, worker)
        else:
            path.add(
                self.clock.later(path.t, 10, 240),
                "dispatcher",
                "transfer",
                State.TRANSFERRED,
                agency="judicial",
                note="上报后移交司法所组织调解。",
            )
            worker = self.town.liaisons["judicial"]
            path.mediating = None
        return worker, self.clock.working_days_after(path.t, rng.randint(2, 8))

    def resolve(
        self,
        path: CasePath,
        spec: CaseSpec,
        worker: str,
        grade: str,
        values: dict[str, Any],
        finish: dt.datetime,
    ) -> None:
        """The result (mediated, for a dispute with a committee or team), then the
        follow-ups and the closing; or the reopening when an agreement is not kept."""
        resolution = (
            spec.outcome_note
            if spec.outcome != Outcome.RESOLVED
            else self.rng.choice(spec.template.resolutions)
        )
        resolve_at = max(finish, self.clock.later(path.t, 30, 240))
        mediated = self.drawer.mediate(path, spec, worker, grade, resolve_at)
        path.add(
            resolve_at,
            worker,
            "resolve",
            State.RESOLVED,
            outcome=spec.outcome,
            note=fill(resolution, values),
        )
        if mediated:
            self.drawer.maybe_apply(
                path, worker=worker, judicial=False if spec.reopen or spec.judicial_window else None
            )
        if not spec.reopen:
            self.close(path, spec)
            return
        self.reopen(path, spec, worker, grade, resolve_at)

    def reopen(
        self, path: CasePath, spec: CaseSpec, worker: str, grade: str, resolved_at: dt.datetime
    ) -> None:
        """The follow-up finds the agreement not kept; a leader reopens the case on the
        finding, it is mediated again and followed up once more."""
        fail = spec.reopen if spec.reopen != "term" or self.drawer.terms else "dissatisfied"
        self.drawer.follow_up(
            path, kind=spec.kind, actor=spec.followup_actor, resolved_at=resolved_at, fail=fail
        )
        path.add(
            self.clock.later(path.t, 60, 600),
            "leader",
            "reopen",
            State.IN_PROGRESS,
            note=text.REOPEN_NOTES[0],
        )
        path.mediating = (path.t, worker)
        resolve_at = self.clock.working_days_after(path.t, self.rng.randint(2, 6))
        self.drawer.mediate(path, spec, worker, grade, resolve_at, written=True)
        path.add(
            resolve_at,
            worker,
            "resolve",
            State.RESOLVED,
            outcome=Outcome.RESOLVED,
            note="再次调解，对方已按协议履行完毕。",
        )
        self.close(path, spec)

    def close(self, path: CasePath, spec: CaseSpec) -> None:
        """Follow the handled case up on the policy's days, then close it."""
        kind = spec.kind
        resolved_at = next(step.at for step in reversed(path.steps) if step.action == "resolve")
        self.drawer.follow_up(path, kind=kind, actor=spec.followup_actor, resolved_at=resolved_at)
        closer = weighted(self.rng, CLOSERS)
        days = self.rng.choice((0, 0, 1, 1, 2))
        path.add(
            self.clock.working_days_after(path.t, days),
            closer,
            "close",
            State.CLOSED,
            note=self.rng.choice(
                text.CLOSE_NOTES_DISPUTE if kind == Kind.DISPUTE else text.CLOSE_NOTES
            ),
        )
