"""Drawing the demo year: which matters come in, when, from whom, and each later step.

Everything comes from one generator seeded by the town's seed, and nothing touches the
database. Times follow the official working calendar (the package's copy of it, which
is what the database is seeded with): office work happens in office hours on working
days; the hotline and the website take matters every day; emergencies at any hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fengqiao.cases.models import Channel, Grade, Kind, Outcome, PartyRole, State
from fengqiao.demo import data
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.mediating import MediationDrawer
from fengqiao.demo.cases.plan import (
    CUTOFF,
    OPEN_STATES_SHOWN,
    REFERENCE_NOW,
    SHANGHAI,
    TIER_DAYS,
    YEAR_END,
    YEAR_START,
    AgreementPlan,
    CasePlan,
    CaseVolume,
    Handler,
    PartyPlan,
    StepPlan,
    package_calendar,
)
from fengqiao.demo.cases.story import story_case
from fengqiao.demo.cases.town import TownView, Unit, weighted
from fengqiao.workcal.calendar import add_working_days

if TYPE_CHECKING:
    from fengqiao.demo.generator import TownPlan

MINUTE = dt.timedelta(minutes=1)
# When an agreement must be made for its 30-day judicial-confirmation window to close in
# the week after the demo's "now" (the warning shows from 7 days before).
JUDICIAL_WINDOW = (
    REFERENCE_NOW.date() - dt.timedelta(days=29),
    REFERENCE_NOW.date() - dt.timedelta(days=24),
)
DAY_STARTS = dt.time(8, 30)
DAY_ENDS = dt.time(17, 45)


# ------------------------------------------------------------------- routes
@dataclass(frozen=True)
class _Route:
    """Who takes a case from acceptance to result."""

    intake: str  # accepts it
    director: str  # dispatches, transfers or escalates it
    handler: Handler | None  # None: transferred (agency) or escalated above the town
    worker: str  # acknowledges, works on and resolves it
    agency: str = ""  # when transferred
    above: bool = False  # escalated above the town


CHANNELS: dict[str, tuple[tuple[str, int], ...]] = {
    Kind.DISPUTE: (
        (Channel.WALK_IN, 30), (Channel.PHONE, 12), (Channel.LETTER, 2),
        (Channel.HOTLINE_12345, 6), (Channel.GRID_REPORT, 22), (Channel.DAILY_LOG, 8),
        (Channel.ONLINE, 4), (Channel.REFERRAL, 6), (Channel.SCREENING, 10),
    ),
    Kind.DEMAND: (
        (Channel.DAILY_LOG, 42), (Channel.HOTLINE_12345, 36), (Channel.PHONE, 8),
        (Channel.WALK_IN, 6), (Channel.ONLINE, 6), (Channel.LETTER, 1), (Channel.GRID_REPORT, 1),
    ),
    Kind.CONSULTATION: ((Channel.WALK_IN, 50), (Channel.PHONE, 35), (Channel.ONLINE, 15)),
    Kind.HAZARD: (
        (Channel.GRID_REPORT, 50), (Channel.SCREENING, 35), (Channel.DAILY_LOG, 10),
        (Channel.HOTLINE_12345, 5),
    ),
    Kind.EMERGENCY: ((Channel.PHONE, 80), (Channel.GRID_REPORT, 20)),
}  # fmt: skip
FIELD_CHANNELS = {Channel.GRID_REPORT, Channel.DAILY_LOG, Channel.SCREENING}
# Agencies that take over matters of a category, when the centre transfers them.
AGENCY_BY_CATEGORY = {
    "labour": "labour",
    "consumer": "market",
    "traffic": "police",
    "debt": "court",
    "family": "judicial",
    "land": "judicial",
    "other": "civil_affairs",
}
# Hazards go to the fire station when they are about fire, to the emergency office else.
HAZARD_AGENCIES = {"电动车": "fire", "消防": "fire", "燃气": "fire", "电线": "fire"}
EMERGENCY_AGENCIES = {
    "燃气": "fire",
    "起火": "fire",
    "暴雨": "emergency",
    "走失": "police",
    "讨薪": "labour",
}
CLERKS = (("clerk", 65), ("clerk02", 35))
CLOSERS = (("clerk", 60), ("clerk02", 30), ("dispatcher", 10))


@dataclass
class _Spec:
    """What is decided about a case before its path is drawn."""

    template: text.Template
    kind: str
    fate: str = "closed"  # closed (played to the end) | open (stopped in open_state) | rejected
    open_state: str = ""
    extension_pending: bool = False
    outcome: str = Outcome.RESOLVED
    outcome_note: str = ""
    grade: str = ""
    force_suspend: bool = False
    reopen: str = ""  # how a follow-up finds the agreement not kept: "term" | "dissatisfied"
    # resolved late in October: the judicial-confirmation window closes at the demo's "now"
    judicial_window: bool = False
    # filled when the case is drawn: who follows it up, and its words for the records
    followup_actor: str = ""
    words: dict[str, Any] | None = None


class _Stop(Exception):
    pass


class _Path:
    """The steps of one case, in time order, with the state each leaves it in."""

    def __init__(self, received_at: dt.datetime, stop: Callable[[StepPlan], bool] | None) -> None:
        self.t = received_at
        self.state: str = State.REPORTED
        self.steps: list[StepPlan] = []
        self.records: list[Any] = []
        self.stop = stop
        self.mediating: tuple[dt.datetime, str] | None = None  # since when, by whom

    def record(self, record: Any) -> None:
        """A mediation or follow-up record; the next step comes after it."""
        self.records.append(record)
        self.t = max(self.t, record.at)

    def add(self, at: dt.datetime, actor: str, action: str, state: str = "", **fields: Any) -> None:
        at = max(at, self.t + MINUTE)
        step = StepPlan(at=at, actor=actor, action=action, state=state or self.state, **fields)
        self.steps.append(step)
        self.t, self.state = at, step.state
        if self.stop is not None and self.stop(step):
            raise _Stop


# ------------------------------------------------------------------ the planner
class Planner:
    """Draws the year for one town and seed; `plan()` returns it."""

    def __init__(self, town: TownPlan, seed: int, volume: CaseVolume) -> None:
        self.town = TownView(town)
        self.rng = random.Random(f"fengqiao-demo-cases-{seed}")
        self.volume = volume
        self.calendar = package_calendar()
        self._day_cache: dict[tuple[dt.date, dt.date, tuple[int, ...]], tuple[list, list]] = {}
        self.counter = 0
        self.drawer = MediationDrawer(self)

    # ----------------------------------------------------------------- time
    def is_working_day(self, day: dt.date) -> bool:
        return self.calendar.is_working_day(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        return add_working_days(self.calendar, day, 1)[0]

    def working_moment(self, day: dt.date, start: dt.time = DAY_STARTS) -> dt.datetime:
        opening = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
        span = int((dt.datetime.combine(day, dt.time(17, 30), tzinfo=SHANGHAI) - opening) / MINUTE)
        return opening + MINUTE * self.rng.randint(0, max(span, 0))

    def later(self, t: dt.datetime, low: int, high: int, *, office: bool = True) -> dt.datetime:
        """`low`–`high` minutes after `t`; in office hours of a working day unless not."""
        moment = t + MINUTE * self.rng.randint(low, high)
        if not office:
            return moment
        local = moment.astimezone(SHANGHAI)
        if self.is_working_day(local.date()) and DAY_STARTS <= local.time() <= DAY_ENDS:
            return moment
        day = local.date()
        if not self.is_working_day(day) or local.time() > DAY_ENDS:
            day = self.next_working_day(day)
        opening = dt.datetime.combine(day, DAY_STARTS, tzinfo=SHANGHAI)
        return opening + MINUTE * self.rng.randint(0, 60)

    def working_days_after(self, t: dt.datetime, days: int) -> dt.datetime:
        """A moment on the `days`th working day after `t`'s day (`t`'s day itself for 0)."""
        if days <= 0:
            return self.later(t, 30, 240)
        day = add_working_days(self.calendar, t.astimezone(SHANGHAI).date(), days)[0]
        return max(self.working_moment(day), t + MINUTE)

    def working_days_after_day(self, day: dt.date, days: int) -> dt.date:
        return add_working_days(self.calendar, day, days)[0]

    def working_days_before(self, day: dt.date, days: int) -> dt.date:
        while days > 0:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def receipt_day(self, low: dt.date, high: dt.date, months: tuple[int, ...]) -> dt.date:
        key = (low, high, months)
        if key not in self._day_cache:
            days, weights = [], []
            day = low
            while day <= high:
                if not months or day.month in months:
                    days.append(day)
                    weights.append(text.MONTH_WEIGHTS[day.month])
                day += dt.timedelta(days=1)
            if not days:  # the template's season is outside the window: any day will do
                return self.receipt_day(low, high, ())
            self._day_cache[key] = (days, weights)
        days, weights = self._day_cache[key]
        return self.rng.choices(days, weights=weights)[0]

    def receipt_moment(self, day: dt.date, kind: str, channel: str) -> dt.datetime:
        moment = self._receipt_moment(day, kind, channel)
        return min(moment, CUTOFF - dt.timedelta(minutes=self.rng.randint(60, 240)))

    def _receipt_moment(self, day: dt.date, kind: str, channel: str) -> dt.datetime:
        if kind == Kind.EMERGENCY:
            start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
            return start + MINUTE * self.rng.randint(6 * 60, 23 * 60)
        if channel in {Channel.HOTLINE_12345, Channel.ONLINE}:
            # The hotline and the website take matters every day; the duty clerk
            # registers them as they come.
            start = dt.datetime.combine(day, dt.time(8, 0), tzinfo=SHANGHAI)
            return start + MINUTE * self.rng.randint(0, 12 * 60)
        while not self.is_working_day(day):
            day = self.next_working_day(day)
        return self.working_moment(day)

    # ---------------------------------------------------------------- people
    def pick_unit(self, template: text.Template) -> Unit:
        if template.where == text.COMMUNITY:
            pool = self.town.community_units
        elif template.where == text.VILLAGE:
            pool = self.town.village_units
        else:
            pool = self.town.all_units
        return self.rng.choice(pool)

    def neighbour(self, unit: Unit, applicant: int, *, household: bool) -> int:
        persons = self.town.plan.persons
        address = persons[applicant].address
        same_home = [i for i in unit.residents if i != applicant and persons[i].address == address]
        if household and same_home:
            return self.rng.choice(same_home)
        others = [i for i in unit.residents if i != applicant and persons[i].address != address]
        if not others:
            others = [
                i for u in unit.grid.units for i in u.residents if persons[i].address != address
            ]
        return self.rng.choice(others)

    # ------------------------------------------------------------- a case
    def new_key(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}-{self.counter:05d}"

    def reporter(self, channel: str, unit: Unit, *, unit_head: bool) -> str:
        """Who registers the matter: the field worker of the place, or a clerk at the centre.

        A unit head sees only their unit, so reports only what concerns its residents.
        """
        if channel in FIELD_CHANNELS:
            if channel == Channel.SCREENING:
                return unit.village.cadre
            if (
                unit_head
                and unit.head
                and channel == Channel.GRID_REPORT
                and self.rng.random() < 0.3
            ):
                return unit.head
            return unit.grid.worker or unit.village.cadre
        return weighted(self.rng, CLERKS)

    def route(self, spec: _Spec, unit: Unit, reporter: str) -> _Route:
        template, kind = spec.template, spec.kind
        village = unit.village
        in_field = reporter not in {"clerk", "clerk02"}
        intake = (
            village.cadre if in_field else (reporter if reporter.startswith("clerk") else "clerk")
        )
        director = village.cadre if in_field else "dispatcher"
        team = self.town.team_by_category.get(template.category)

        def local(handler: Handler, worker: str) -> _Route:
            return _Route(intake, director, handler, worker)

        def agency(kind_: str) -> _Route:
            return _Route(
                "clerk" if in_field else intake,
                "dispatcher",
                None,
                self.town.liaisons.get(kind_, "leader"),
                agency=kind_,
            )

        in_mediation = kind == Kind.DISPUTE and spec.open_state in {
            State.IN_PROGRESS,
            State.SUSPENDED,
        }
        if (spec.judicial_window or in_mediation) and team:
            # With a team: the dispute whose agreement's window is closing, and those
            # standing open in mediation (else with the village committee, below).
            name, head = team
            return _Route(
                "clerk" if in_field else intake, "dispatcher", Handler("team", name), head
            )
        if in_mediation and village.committee_member:
            return local(Handler("team", village.committee), village.committee_member)
        if spec.open_state == State.TRANSFERRED:
            return agency(AGENCY_BY_CATEGORY.get(template.category, "civil_affairs"))
        if spec.open_state == State.ESCALATED:
            return _Route("clerk", "dispatcher", None, "leader", above=True)
        if kind == Kind.EMERGENCY:
            found = next(
                (a for word, a in EMERGENCY_AGENCIES.items() if word in template.title), ""
            )
            return _Route(
                "dispatcher",
                "dispatcher",
                None,
                self.town.liaisons.get(found, "leader"),
                found or "emergency",
            )
        if kind == Kind.CONSULTATION:
            if template.category != "other" and self.rng.random() < 0.3:
                return agency("judicial")
            other_clerk = "clerk02" if intake == "clerk" else "clerk"
            return _Route(intake, "dispatcher", Handler("user", other_clerk), other_clerk)

        committee = (
            local(Handler("team", village.committee), village.committee_member)
            if village.committee_member
            else local(Handler("user", village.cadre), village.cadre)
        )
        options: list[tuple[str, int]] = []
        if unit.head:
            options.append(("unit", 10))
        if unit.grid.worker:
            options.append(("grid", 15 if kind == Kind.DISPUTE else 50))
        options.append(("village", 35 if kind == Kind.DISPUTE else 25))
        if team and kind in {Kind.DISPUTE, Kind.DEMAND}:
            options.append(("team", 35 if kind == Kind.DISPUTE else 12))
        dispatched = spec.open_state in {
            State.DISPATCHED,
            State.ACKNOWLEDGED,
            State.IN_PROGRESS,
            State.SUSPENDED,
        }
        if kind == Kind.DEMAND and template.category in AGENCY_BY_CATEGORY and not dispatched:
            options.append(("agency", 6))
        if kind == Kind.HAZARD:
            options.append(("agency", 25))
        choice = weighted(self.rng, options)
        if choice == "unit":
            return local(Handler("user", unit.head), unit.head)
        if choice == "grid":
            return local(Handler("user", unit.grid.worker), unit.grid.worker)
        if choice == "team" and team:
            name, head = team
            return _Route(
                "clerk" if in_field else intake, "dispatcher", Handler("team", name), head
            )
        if choice == "agency":
            if kind == Kind.HAZARD:
                found = (a for word, a in HAZARD_AGENCIES.items() if word in template.title)
                return agency(next(found, "emergency"))
            return agency(AGENCY_BY_CATEGORY[template.category])
        return committee

    def fill(self, pattern: str, values: dict[str, Any]) -> str:
        return pattern.format(**values)

    def plan_case(self, spec: _Spec, *, low: dt.date, high: dt.date) -> CasePlan:
        """Draw one case; retried with an earlier receipt when its path runs past the cut-off
        although it must end (a resolved dispute, an open case in a chosen state)."""
        rng = self.rng
        template, kind = spec.template, spec.kind
        unit = self.pick_unit(template)
        channel = weighted(rng, CHANNELS[kind])
        if kind != Kind.DISPUTE and channel == Channel.REFERRAL:
            channel = Channel.WALK_IN
        grade = spec.grade or (weighted(rng, template.grades) if kind == Kind.DISPUTE else "")

        parties: list[PartyPlan] = []
        applicant = -1
        with_applicant = kind in {Kind.DISPUTE, Kind.CONSULTATION} or (
            kind in {Kind.DEMAND, Kind.EMERGENCY} and channel not in {Channel.GRID_REPORT}
        )
        if kind == Kind.HAZARD:
            with_applicant = channel in {Channel.HOTLINE_12345, Channel.DAILY_LOG}
        if with_applicant:
            applicant = rng.choice(unit.residents)
            parties.append(PartyPlan(PartyRole.APPLICANT, person=applicant))
        persons = self.town.plan.persons
        values: dict[str, Any] = {
            "name": persons[applicant].name if applicant >= 0 else "",
            "other": "",
            "company": "",
            "place": unit.place,
            "village": unit.village.name,
            "n": rng.randint(2, 6),
            "people": rng.randint(*template.people),
            "amount": "",
        }
        organization = {
            text.PROPERTY_COMPANY: unit.village.property_company,
            text.BUILDER: data.ORGANIZATIONS[1][0],
            text.COOPERATIVE: data.ORGANIZATIONS[2][0],
            text.LOGISTICS: data.ORGANIZATIONS[3][0],
        }.get(template.respondent, "")
        if template.respondent == text.RESIDENT and applicant >= 0:
            other = self.neighbour(unit, applicant, household=template.category == "family")
            values["other"] = persons[other].name
            parties.append(PartyPlan(PartyRole.RESPONDENT, person=other))
            values["people"] = max(values["people"], 2)
        elif organization:
            values["company"] = organization
            parties.append(PartyPlan(PartyRole.RESPONDENT, organization=organization))
        residents_elsewhere = any(
            party.person >= 0 and persons[party.person].area_code != unit.code for party in parties
        )
        reporter = self.reporter(channel, unit, unit_head=not residents_elsewhere)
        values["reporter"] = self.town.full_names.get(reporter, "")
        amount = None
        if template.amount:
            low_amount, high_amount = template.amount
            amount = Decimal(rng.randint(low_amount // 100, high_amount // 100) * 100)
            values["amount"] = f"{amount:.0f}"

        opening = text.OPENINGS[channel]
        if applicant >= 0:
            opening += text.SAID.get(kind, "")
        account = self.fill(opening + template.account, values)
        title = self.fill(template.title, values)
        address = (
            persons[applicant].address
            if applicant >= 0
            else f"{data.ADDRESS_PREFIX}{unit.village.name}{unit.name}"
        )
        jitter = Decimal("0.000001")
        latitude = (unit.latitude + Decimal(rng.randint(-600, 600)) * jitter).quantize(jitter)
        longitude = (unit.longitude + Decimal(rng.randint(-600, 600)) * jitter).quantize(jitter)

        route = self.route(spec, unit, reporter)
        spec.followup_actor = unit.grid.worker or unit.village.cadre
        spec.words = {
            "values": values,
            "title": title,
            "account": account,
            "complaint": self.fill(template.account, values),
            "roles": tuple(party.role for party in parties),
        }
        months = template.months
        for _attempt in range(40):
            day = self.receipt_day(low, high, months)
            received_at = self.receipt_moment(day, kind, channel)
            steps, records = self.path(spec, route, grade, values, received_at)
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
            title=title,
            account=account,
            area_code=unit.code,
            address=address,
            latitude=latitude,
            longitude=longitude,
            people_involved=values["people"],
            amount_involved=amount,
            reporter=reporter,
            received_at=received_at,
            parties=tuple(parties),
            steps=tuple(steps),
            records=tuple(sorted(records, key=lambda record: record.at)),
        )

    # ------------------------------------------------------------------ a path
    def path(
        self,
        spec: _Spec,
        route: _Route,
        grade: str,
        values: dict[str, Any],
        received_at: dt.datetime,
    ) -> tuple[list[StepPlan], list[Any]]:
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
        path = _Path(received_at, stop)
        with contextlib.suppress(_Stop):
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
        self, path: _Path, spec: _Spec, route: _Route, grade: str, values: dict[str, Any]
    ) -> None:
        rng = self.rng
        kind = spec.kind
        emergency = kind == Kind.EMERGENCY
        office = not emergency
        received_at = path.t

        if spec.fate == "rejected":
            path.add(
                self.later(path.t, 10, 180),
                route.intake,
                "reject",
                State.REJECTED,
                note=rng.choice(text.REJECT_NOTES),
            )
            return
        if emergency:
            path.add(
                self.later(path.t, 1, 5, office=False),
                "dispatcher",
                "accept",
                State.ACCEPTED,
                note="立即启动应急联动。",
            )
        else:
            path.add(
                self.later(path.t, 5, 90),
                route.intake,
                "accept",
                State.ACCEPTED,
                note=rng.choice(text.ACCEPT_NOTES),
            )

        tier = TIER_DAYS[(kind, grade if kind == Kind.DISPUTE else "")]
        if grade == Grade.GENERAL and not spec.reopen and rng.random() < 0.04:
            path.add(
                self.later(path.t, 30, 300),
                "dispatcher",
                "regrade",
                grade=Grade.IMPORTANT,
                note=text.REGRADE_NOTES[0],
            )
            grade = Grade.IMPORTANT
            tier = TIER_DAYS[(kind, grade)]

        if route.above:
            path.add(
                self.later(path.t, 30, 600),
                route.director,
                "escalate",
                State.ESCALATED,
                note=rng.choice(text.ESCALATE_ABOVE_NOTES),
            )
            resolved_at = self.working_days_after(path.t, rng.randint(3, 12))
            path.add(
                resolved_at,
                "leader",
                "resolve",
                State.RESOLVED,
                outcome=Outcome.RESOLVED,
                note="经区综治中心协调相关部门，问题已解决。",
            )
            self.close(path, spec)
            return
        if route.agency:
            note = text.TRANSFER_NOTES.get(route.agency, "移交相关部门处理。")
            path.add(
                self.later(path.t, 2 if emergency else 10, 10 if emergency else 240, office=office),
                route.director,
                "transfer",
                State.TRANSFERRED,
                agency=route.agency,
                note=note,
            )
            if emergency:
                resolved_at = self.later(path.t, 40, 240, office=False)
                resolution = rng.choice(spec.template.resolutions)
            else:
                resolved_at = self.working_days_after(path.t, self.resolution_days(tier))
                resolution = text.TRANSFER_RESOLUTIONS.get(route.agency, "相关部门已处理完毕。")
            path.add(
                resolved_at,
                route.worker,
                "resolve",
                State.RESOLVED,
                outcome=spec.outcome,
                note=self.fill(resolution, values),
            )
            self.close(path, spec)
            return

        # Sent to a person or team, who acknowledge it, work on it and record the result.
        handler, worker = route.handler, route.worker
        director = route.director
        path.add(
            self.later(path.t, 5, 120),
            director,
            "dispatch",
            State.DISPATCHED,
            handler=handler,
            note=rng.choice(text.DISPATCH_NOTES),
        )
        if kind == Kind.DEMAND and rng.random() < 0.01 and handler and handler.kind == "user":
            # The handler sends it back; the director takes it on themselves or sends it on.
            path.add(
                self.later(path.t, 20, 300),
                worker,
                "return",
                State.ACCEPTED,
                note=rng.choice(text.RETURN_NOTES),
            )
            handler, worker = self.fallback(director)
            path.add(
                self.later(path.t, 10, 120),
                director,
                "dispatch",
                State.DISPATCHED,
                handler=handler,
                note="重新派遣。",
            )
        if kind in {Kind.DISPUTE, Kind.DEMAND} and rng.random() < 0.01 and director == "dispatcher":
            handler, worker = self.fallback(director)
            path.add(
                self.later(path.t, 30, 300),
                "dispatcher",
                "reassign",
                State.DISPATCHED,
                handler=handler,
                note=rng.choice(text.REASSIGN_NOTES),
            )
        path.add(self.later(path.t, 10, 240), worker, "acknowledge", State.ACKNOWLEDGED)
        path.add(
            self.later(path.t, 10, 480),
            worker,
            "start",
            State.IN_PROGRESS,
            note=rng.choice(text.START_NOTES),
        )
        path.mediating = (path.t, worker)

        extension_days = 0
        if (
            spec.force_suspend
            or (kind == Kind.DISPUTE and rng.random() < 0.04)
            or rng.random() < 0.004
        ):
            path.add(
                self.later(path.t, 60, 600),
                worker,
                "suspend",
                State.SUSPENDED,
                note=(spec.outcome_note and self.fill(spec.outcome_note, values))
                or rng.choice(text.SUSPEND_NOTES),
            )
            if spec.force_suspend:
                return  # stands suspended at the cut-off
            paused = rng.randint(2, 12)
            path.add(
                self.working_days_after(path.t, paused),
                worker,
                "resume",
                State.IN_PROGRESS,
                note=rng.choice(text.RESUME_NOTES),
            )
            extension_days += paused
        if kind == Kind.DISPUTE and grade == Grade.COMPLEX:
            path.add(
                self.working_days_after(received_at, rng.randint(4, 14)),
                worker,
                "record_milestone",
                note=rng.choice(text.INITIAL_OPINION_NOTES),
            )
            finish = self.working_days_after(received_at, rng.randint(16, 40) + extension_days)
        elif spec.extension_pending or (grade == Grade.IMPORTANT and rng.random() < 0.12):
            days = rng.randint(5, 10)
            request_at = self.working_days_after(received_at, max(tier - 2, 1))
            path.add(
                request_at,
                worker,
                "request_extension",
                days=days,
                note=rng.choice(text.EXTENSION_NOTES),
            )
            if rng.random() < 0.8:
                path.add(
                    self.later(path.t, 60, 900),
                    "leader",
                    "approve_extension",
                    note=rng.choice(text.APPROVE_NOTES),
                )
                extension_days += days
                finish = self.working_days_after(
                    received_at, tier + rng.randint(1, days) + extension_days - days
                )
            else:
                path.add(
                    self.later(path.t, 60, 900), "leader", "deny_extension", note=text.DENY_NOTES[0]
                )
                finish = self.working_days_after(received_at, tier)
        elif kind == Kind.DISPUTE and rng.random() < 0.25:
            # A longer mediation: feedback to the applicant in time, the result later.
            path.add(
                self.working_days_after(received_at, rng.randint(1, tier)),
                worker,
                "record_milestone",
                note=self.fill(rng.choice(text.FEEDBACK_NOTES), values),
            )
            finish = self.working_days_after(
                received_at, tier + rng.randint(1, 10) + extension_days
            )
        else:
            finish = self.working_days_after(
                received_at, self.resolution_days(tier) + extension_days
            )

        if (
            kind == Kind.DISPUTE
            and director != "dispatcher"
            and spec.fate == "closed"
            and rng.random() < 0.08
        ):
            # The village could not settle it: up to the town, and to a town team or the
            # judicial office.
            path.add(
                self.working_days_after(path.t, rng.randint(1, 3)),
                director,
                "escalate",
                State.ACCEPTED,
                note=rng.choice(text.ESCALATE_NOTES),
            )
            team = self.town.team_by_category.get(spec.template.category)
            if team:
                path.add(
                    self.later(path.t, 10, 240),
                    "dispatcher",
                    "dispatch",
                    State.DISPATCHED,
                    handler=Handler("team", team[0]),
                    note="上报后由镇专业调解队办理。",
                )
                worker = team[1]
                path.add(self.later(path.t, 10, 240), worker, "acknowledge", State.ACKNOWLEDGED)
                path.add(self.later(path.t, 10, 480), worker, "start", State.IN_PROGRESS)
                path.mediating = (path.t, worker)
            else:
                path.add(
                    self.later(path.t, 10, 240),
                    "dispatcher",
                    "transfer",
                    State.TRANSFERRED,
                    agency="judicial",
                    note="上报后移交司法所组织调解。",
                )
                worker = self.town.liaisons["judicial"]
                path.mediating = None
            finish = self.working_days_after(path.t, rng.randint(2, 8))

        resolution = (
            spec.outcome_note
            if spec.outcome != Outcome.RESOLVED
            else rng.choice(spec.template.resolutions)
        )
        resolve_at = max(finish, self.later(path.t, 30, 240))
        mediated = self.drawer.mediate(path, spec, worker, grade, resolve_at)
        path.add(
            resolve_at,
            worker,
            "resolve",
            State.RESOLVED,
            outcome=spec.outcome,
            note=self.fill(resolution, values),
        )
        if mediated:
            self.drawer.maybe_apply(
                path, worker=worker, judicial=False if spec.reopen or spec.judicial_window else None
            )
        if not spec.reopen:
            self.close(path, spec)
            return
        # The follow-up finds the agreement not kept; a leader reopens the case on the
        # finding, it is mediated again and followed up once more.
        fail = spec.reopen if spec.reopen != "term" or self.drawer.terms else "dissatisfied"
        self.drawer.follow_up(
            path, kind=kind, actor=spec.followup_actor, resolved_at=resolve_at, fail=fail
        )
        path.add(
            self.later(path.t, 60, 600),
            "leader",
            "reopen",
            State.IN_PROGRESS,
            note=text.REOPEN_NOTES[0],
        )
        path.mediating = (path.t, worker)
        resolve_at = self.working_days_after(path.t, rng.randint(2, 6))
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

    def close(self, path: _Path, spec: _Spec) -> None:
        """Follow the handled case up on the policy's days, then close it."""
        kind = spec.kind
        resolved_at = next(step.at for step in reversed(path.steps) if step.action == "resolve")
        self.drawer.follow_up(path, kind=kind, actor=spec.followup_actor, resolved_at=resolved_at)
        closer = weighted(self.rng, CLOSERS)
        days = self.rng.choice((0, 0, 1, 1, 2))
        path.add(
            self.working_days_after(path.t, days),
            closer,
            "close",
            State.CLOSED,
            note=self.rng.choice(
                text.CLOSE_NOTES_DISPUTE if kind == Kind.DISPUTE else text.CLOSE_NOTES
            ),
        )

    def fallback(self, director: str) -> tuple[Handler, str]:
        """Who takes a case that was returned or reassigned: the village cadre takes it on
        themselves; the centre gives it to the second clerk."""
        if director == "dispatcher":
            return Handler("user", "clerk02"), "clerk02"
        return Handler("user", director), director

    def resolution_days(self, tier: int) -> int:
        """Working days from receipt to the result: mostly within the tier, sometimes late."""
        if self.rng.random() < 0.05:
            return tier + self.rng.randint(1, 3)
        return self.rng.choice(
            [d for d in range(tier + 1) for _ in range(max(1, 3 - abs(d - tier // 2)))]
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
            spec = _Spec(
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
                low = self.working_days_before(JUDICIAL_WINDOW[0], 3)
                cases.append(self.plan_case(spec, low=low, high=JUDICIAL_WINDOW[1]))
                continue
            cases.append(self.plan_case(spec, low=late_start, high=high))
        unresolved = volume.disputes - volume.disputes_resolved
        by_title = {t.title: t for t in text.DISPUTES}
        for index in range(unresolved):
            title, ending, note = text.UNRESOLVED_DISPUTES[index % len(text.UNRESOLVED_DISPUTES)]
            spec = _Spec(by_title[title], Kind.DISPUTE, grade=Grade.IMPORTANT)
            if ending in Outcome.values:
                spec.outcome, spec.outcome_note = ending, note
                cases.append(self.plan_case(spec, low=late_start, high=dispute_window))
                continue
            spec.fate, spec.open_state = "open", ending
            if ending == State.IN_PROGRESS:
                spec.extension_pending = True
                low, high = self.recent(5, 6)
            elif ending == State.SUSPENDED:
                spec.force_suspend, spec.outcome_note = True, note
                low, high = self.recent(8, 25)
            else:
                low, high = self.recent(0, 2)
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
                spec = _Spec(template, Kind.DEMAND, fate="open", open_state=state)
                spec.force_suspend = state == State.SUSPENDED
                if state == State.IN_PROGRESS and number < 2:
                    spec.extension_pending = True
                low, high = self.recent(*open_windows[state])
                cases.append(self.plan_case(spec, low=low, high=high))
                planned_demands += 1
        rejected = max(1, round(volume.demands * volume.rejected_share))
        merged = max(1, round(volume.demands * volume.merged_share))
        for _ in range(rejected):
            template = weighted(rng, demand_templates)
            cases.append(
                self.plan_case(
                    _Spec(template, Kind.DEMAND, fate="rejected"), low=late_start, high=YEAR_END
                )
            )
        rest = volume.demands - planned_demands - rejected - merged
        demands: list[CasePlan] = []
        for _ in range(rest):
            template = weighted(rng, demand_templates)
            demands.append(
                self.plan_case(_Spec(template, Kind.DEMAND), low=late_start, high=YEAR_END)
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
                cases.append(self.plan_case(_Spec(template, kind), low=late_start, high=YEAR_END))

        cases.sort(key=lambda case: (case.received_at, case.key))
        return tuple(cases)

    def recent(self, newest: int, oldest: int) -> tuple[dt.date, dt.date]:
        """The days from `oldest` to `newest` working days before the last day of the year."""
        return (
            self.working_days_before(YEAR_END, oldest),
            self.working_days_before(YEAR_END, newest),
        )

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
