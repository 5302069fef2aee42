"""Drawing the demo year: which matters come in, when, from whom, and each later step.

Everything comes from one generator seeded by the town's seed, and nothing touches the
database. The planner decides the year's mix of cases and draws each: the matter as it
comes in (`intake`), who takes it on (`routing`), and its steps in working time
(`lifecycle`, `worktime`) with its mediation and follow-ups (`mediating`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import TYPE_CHECKING

from fengqiao.cases.models import Channel, Grade, Kind, Outcome, PartyRole, State
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.deadlines import case_course, overdue_runs
from fengqiao.demo.cases.handling import Handling
from fengqiao.demo.cases.intake import draw_intake
from fengqiao.demo.cases.lifecycle import Lifecycle
from fengqiao.demo.cases.mediating import MediationDrawer
from fengqiao.demo.cases.plan import (
    CUTOFF,
    OPEN_STATES_SHOWN,
    REFERENCE_NOW,
    STORY_KEY,
    YEAR_END,
    YEAR_START,
    AgreementPlan,
    CasePlan,
    CaseVolume,
    JudicialApplyPlan,
    PartyPlan,
    StepPlan,
    package_calendar,
)
from fengqiao.demo.cases.routing import AGENCY_BY_CATEGORY, CLERKS, Routing
from fengqiao.demo.cases.spec import CaseSpec, fill
from fengqiao.demo.cases.story import story_case
from fengqiao.demo.cases.town import TownView, weighted
from fengqiao.demo.cases.worktime import MINUTE, WorkingClock

if TYPE_CHECKING:
    from fengqiao.demo.generator import TownPlan

# When an agreement must be made for its 30-day judicial-confirmation window to close in
# the week after the demo's "now" (the warning shows from 7 days before).
# The dispute that goes up the iron triangle: a leak between neighbours whose cause and
# compensation neither the grid nor the village can settle without an expert's finding.
TRIANGLE_TITLE = "{place}楼上漏水纠纷"
JUDICIAL_WINDOW = (
    REFERENCE_NOW.date() - dt.timedelta(days=29),
    REFERENCE_NOW.date() - dt.timedelta(days=24),
)


class Planner:
    """Draws the year for one town and seed; `plan()` returns it."""

    def __init__(self, town: TownPlan, seed: int, volume: CaseVolume) -> None:
        self.town = TownView(town)
        self.seed = seed
        self.rng = random.Random(f"fengqiao-demo-cases-{seed}")
        self.volume = volume
        self.clock = WorkingClock(self.rng, package_calendar())
        self.routing = Routing(self.town, self.rng)
        self.drawer = MediationDrawer(self.town, self.rng, self.clock)
        handling = Handling(self.town, self.rng, self.clock, self.routing, self.drawer)
        self.lifecycle = Lifecycle(self.rng, self.clock, self.drawer, handling)
        self.counter = 0

    def new_key(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}-{self.counter:05d}"

    def plan_case(self, spec: CaseSpec, *, low: dt.date, high: dt.date) -> CasePlan:
        """Draw one case; retried with an earlier receipt when its path runs past the cut-off
        although it must end (a resolved dispute, an open case in a chosen state)."""
        template, kind = spec.template, spec.kind
        intake = draw_intake(spec, town=self.town, routing=self.routing, rng=self.rng)
        unit, channel, grade, values = intake.unit, intake.channel, intake.grade, intake.values
        route = self.routing.route(spec, unit, intake.reporter)
        spec.followup_actor = unit.grid.worker or unit.village.cadre
        spec.words = {
            "values": values,
            "title": intake.title,
            "account": intake.account,
            "complaint": fill(template.account, values),
            "roles": tuple(party.role for party in intake.parties),
        }
        months = template.months
        for _attempt in range(40):
            day = self.clock.receipt_day(low, high, months)
            received_at = self.clock.receipt_moment(day, kind, channel)
            steps, records = self.lifecycle.path(spec, route, grade, values, received_at)
            if spec.judicial_window:
                made = [r.made_on for r in records if isinstance(r, AgreementPlan)]
                if made and JUDICIAL_WINDOW[0] <= made[0] <= JUDICIAL_WINDOW[1]:
                    break
                high, months = max(low, day - dt.timedelta(days=1)), ()
                continue
            must_finish = spec.fate != "closed" or kind == Kind.DISPUTE
            if not must_finish or not steps or steps[-1].at <= CUTOFF:
                break
            # Too late to get where it must be by the cut-off: come in earlier.
            high = day - dt.timedelta(days=3)
            low = min(low, high)
            months = ()
        else:  # pragma: no cover - the windows are wide enough
            raise AssertionError(f"no room in the year for {spec}")
        steps = [step for step in steps if step.at <= CUTOFF]
        records = [record for record in records if record.at <= CUTOFF]
        if spec.fate == "open":
            last = steps[-1] if steps else None
            reached = last.state if last else State.REPORTED
            assert reached == spec.open_state or (
                spec.extension_pending and last and last.action == "request_extension"
            ), (spec, steps)
        return CasePlan(
            key=self.new_key(kind),
            kind=kind,
            grade=grade,
            category=template.category,
            channel=channel,
            title=intake.title,
            account=intake.account,
            area_code=unit.code,
            address=intake.address,
            latitude=intake.latitude,
            longitude=intake.longitude,
            people_involved=values["people"],
            amount_involved=intake.amount,
            reporter=intake.reporter,
            received_at=received_at,
            parties=tuple(intake.parties),
            steps=tuple(steps),
            records=tuple(sorted(records, key=lambda record: record.at)),
        )

    # ------------------------------------------------------------------ the year
    def plan(self) -> tuple[CasePlan, ...]:
        volume = self.volume
        rng = self.rng
        cases: list[CasePlan] = [story_case(self.town)]
        late_start = YEAR_START
        # Disputes close after their 30-day follow-up.
        dispute_window = YEAR_END - dt.timedelta(days=80)
        complex_window = YEAR_END - dt.timedelta(days=125)
        reopen_window = YEAR_END - dt.timedelta(days=150)

        # Disputes: all but the story and the unresolved ones end resolved and closed,
        # one of them still awaiting its last follow-up at the cut-off (its agreement's
        # judicial-confirmation window about to close); two reopened on a follow-up.
        resolved = volume.disputes_resolved - 1
        reopens = ("term", "dissatisfied")[: min(2, resolved)]
        for index in range(resolved):
            template = weighted(rng, ((t, t.weight) for t in text.DISPUTES))
            spec = CaseSpec(
                template, Kind.DISPUTE, reopen=reopens[index] if index < len(reopens) else ""
            )
            grade = weighted(rng, template.grades)
            spec.grade = grade
            high = complex_window if grade == Grade.COMPLEX else dispute_window
            if spec.reopen:
                high = reopen_window
            if index == len(reopens):
                spec.judicial_window, spec.grade = True, Grade.GENERAL
                spec.template = rng.choice(
                    [t for t in text.DISPUTES if t.category in self.town.team_by_category]
                )
                low = self.clock.working_days_before(JUDICIAL_WINDOW[0], 3)
                cases.append(self.plan_case(spec, low=low, high=JUDICIAL_WINDOW[1]))
                continue
            cases.append(self.plan_case(spec, low=late_start, high=high))
        unresolved = volume.disputes - volume.disputes_resolved
        by_title = {t.title: t for t in text.DISPUTES}
        for index in range(unresolved):
            title, ending, note = text.UNRESOLVED_DISPUTES[index % len(text.UNRESOLVED_DISPUTES)]
            spec = CaseSpec(by_title[title], Kind.DISPUTE, grade=Grade.IMPORTANT)
            if ending in Outcome.values:
                spec.outcome, spec.outcome_note = ending, note
                cases.append(self.plan_case(spec, low=late_start, high=dispute_window))
                continue
            spec.fate, spec.open_state = "open", ending
            if ending == State.IN_PROGRESS:
                spec.extension_pending = True
                low, high = self.clock.recent(5, 6)
            elif ending == State.SUSPENDED:
                spec.force_suspend, spec.outcome_note = True, note
                low, high = self.clock.recent(8, 25)
            else:
                low, high = self.clock.recent(0, 2)
            cases.append(self.plan_case(spec, low=low, high=high))

        # Demands: a few left open in each state on purpose, a few rejected, some merged
        # into an earlier call about the same thing, the rest played to the end.
        demand_templates = tuple((t, t.weight) for t in text.DEMANDS)
        open_windows = {
            State.REPORTED: (0, 1),
            State.ACCEPTED: (0, 2),
            State.DISPATCHED: (0, 3),
            State.ACKNOWLEDGED: (1, 6),
            State.IN_PROGRESS: (2, 12),
            State.SUSPENDED: (3, 25),
            State.TRANSFERRED: (1, 15),
            State.ESCALATED: (3, 20),
            State.RESOLVED: (0, 4),
        }
        planned_demands = 0
        for state in OPEN_STATES_SHOWN:
            for number in range(volume.open_per_state):
                template = weighted(rng, demand_templates)
                if state == State.TRANSFERRED:
                    template = rng.choice(
                        [t for t in text.DEMANDS if t.category in AGENCY_BY_CATEGORY]
                    )
                spec = CaseSpec(template, Kind.DEMAND, fate="open", open_state=state)
                spec.force_suspend = state == State.SUSPENDED
                if state == State.IN_PROGRESS and number < 2:
                    spec.extension_pending = True
                low, high = self.clock.recent(*open_windows[state])
                cases.append(self.plan_case(spec, low=low, high=high))
                planned_demands += 1
        rejected = max(1, round(volume.demands * volume.rejected_share))
        merged = max(1, round(volume.demands * volume.merged_share))
        for _ in range(rejected):
            template = weighted(rng, demand_templates)
            cases.append(
                self.plan_case(
                    CaseSpec(template, Kind.DEMAND, fate="rejected"), low=late_start, high=YEAR_END
                )
            )
        rest = volume.demands - planned_demands - rejected - merged
        demands: list[CasePlan] = []
        for _ in range(rest):
            template = weighted(rng, demand_templates)
            demands.append(
                self.plan_case(CaseSpec(template, Kind.DEMAND), low=late_start, high=YEAR_END)
            )
        cases += demands
        cases += self.duplicates(demands, merged)

        for kind, templates, count in (
            (Kind.CONSULTATION, text.CONSULTATIONS, volume.consultations),
            (Kind.HAZARD, text.HAZARDS, volume.hazards),
            (Kind.EMERGENCY, text.EMERGENCIES, volume.emergencies),
        ):
            choices = tuple((t, t.weight) for t in templates)
            for _ in range(count):
                template = weighted(rng, choices)
                cases.append(
                    self.plan_case(CaseSpec(template, kind), low=late_start, high=YEAR_END)
                )

        cases = self.with_the_triangle(cases, low=late_start, high=dispute_window)
        cases.sort(key=lambda case: (case.received_at, case.key))
        return tuple(cases)

    def with_the_triangle(
        self, cases: list[CasePlan], *, low: dt.date, high: dt.date
    ) -> list[CasePlan]:
        """The iron triangle (`Handling.up_the_triangle`), once in the year, in the place of
        a general dispute settled in time. Drawn last, from a generator of its own, and in
        time itself, so that every other case, and the supervision orders drawn from them,
        are what they would be without it."""
        calendar = self.clock.calendar

        def replaceable(case: CasePlan) -> bool:
            actions = {step.action for step in case.steps}
            return (
                case.kind == Kind.DISPUTE
                and case.grade == Grade.GENERAL
                and case.key != STORY_KEY
                and case.state == State.CLOSED
                and case.is_resolved
                and not actions & {"regrade", "reopen", "escalate", "suspend", "transfer"}
                and not any(isinstance(record, JudicialApplyPlan) for record in case.records)
                and not overdue_runs(case_course(case, calendar))
            )

        index = next(number for number, case in enumerate(cases) if replaceable(case))
        self.rng.seed(f"fengqiao-demo-triangle-{self.seed}")
        template = next(t for t in text.DISPUTES if t.title == TRIANGLE_TITLE)
        spec = CaseSpec(template, Kind.DISPUTE, grade=Grade.GENERAL, triangle=True)
        triangle = self.plan_case(spec, low=low, high=high)
        assert not overdue_runs(case_course(triangle, calendar)), triangle
        cases[index] = dataclasses.replace(triangle, key=cases[index].key)
        return cases

    def duplicates(self, demands: list[CasePlan], count: int) -> list[CasePlan]:
        """Second calls about a matter already registered: merged into the first."""
        candidates = [
            case
            for case in demands
            if case.channel in {Channel.HOTLINE_12345, Channel.DAILY_LOG}
            and len(case.steps) >= 2
            and case.steps[-1].at - case.received_at > dt.timedelta(hours=6)
        ]
        duplicates = []
        for target in self.rng.sample(candidates, min(count, len(candidates))):
            end = min(target.steps[-1].at, CUTOFF) - dt.timedelta(hours=2)
            span = int((end - target.received_at) / MINUTE)
            received_at = target.received_at + MINUTE * self.rng.randint(min(60, span), span)
            unit = self.town.units[target.area_code]
            caller = self.rng.choice(unit.residents)
            persons = self.town.plan.persons
            clerk = weighted(self.rng, CLERKS)
            merge_at = received_at + MINUTE * self.rng.randint(10, 90)
            duplicates.append(
                CasePlan(
                    key=self.new_key(Kind.DEMAND),
                    kind=Kind.DEMAND,
                    grade="",
                    category=target.category,
                    channel=Channel.HOTLINE_12345,
                    title=target.title,
                    account=f"{text.OPENINGS[Channel.HOTLINE_12345]}{persons[caller].name}反映："
                    f"{target.title}，与此前反映的是同一事项。",
                    area_code=target.area_code,
                    address=persons[caller].address,
                    latitude=target.latitude,
                    longitude=target.longitude,
                    people_involved=1,
                    amount_involved=None,
                    reporter=clerk,
                    received_at=received_at,
                    parties=(PartyPlan(PartyRole.APPLICANT, person=caller),),
                    steps=(
                        StepPlan(
                            at=merge_at,
                            actor=clerk,
                            action="merge",
                            state=State.MERGED,
                            target=target.key,
                            note=self.rng.choice(text.MERGE_NOTES),
                        ),
                    ),
                )
            )
        return duplicates


def plan_cases(town: TownPlan, *, seed: int, volume: CaseVolume) -> tuple[CasePlan, ...]:
    """The year's cases for a town plan; pure, so equal inputs give equal cases."""
    return Planner(town, seed, volume).plan()
