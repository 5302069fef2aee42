"""Who handles a case: where it happens, who reports it, who takes it on and who closes it.

The channels a matter of each kind comes through, the agencies that take over what the
centre transfers, and the route a case takes from acceptance to result, all drawn from
the planner's generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fengqiao.cases.models import Channel, Kind, State
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.plan import Handler
from fengqiao.demo.cases.town import TownView, Unit, weighted

if TYPE_CHECKING:
    from fengqiao.demo.cases.spec import CaseSpec


@dataclass(frozen=True)
class Route:
    """Who takes a case from acceptance to result."""

    intake: str  # accepts it
    director: str  # dispatches, transfers or escalates it
    handler: Handler | None  # None: transferred (agency) or escalated above the town
    worker: str  # acknowledges, works on and resolves it
    agency: str = ""  # when transferred
    above: bool = False  # escalated above the town
    cadre: str = ""  # the village's cadre, who takes it on when it comes back


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


class Routing:
    """Picks the places, the people and the route of the town's cases."""

    def __init__(self, town: TownView, rng: random.Random) -> None:
        self.town = town
        self.rng = rng

    def pick_unit(self, template: text.Template) -> Unit:
        """Where the matter happens: a unit of a community, of a village, or any."""
        if template.where == text.COMMUNITY:
            pool = self.town.community_units
        elif template.where == text.VILLAGE:
            pool = self.town.village_units
        else:
            pool = self.town.all_units
        return self.rng.choice(pool)

    def neighbour(self, unit: Unit, applicant: int, *, household: bool) -> int:
        """The other party: one of the applicant's household when `household` allows,
        else a resident of another home in the unit (or, failing that, in the grid)."""
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

    def route(self, spec: CaseSpec, unit: Unit, reporter: str) -> Route:
        """Who takes the case on, given where it happens and who reported it."""
        template, kind = spec.template, spec.kind
        village = unit.village
        in_field = reporter not in {"clerk", "clerk02"}
        intake = (
            village.cadre if in_field else (reporter if reporter.startswith("clerk") else "clerk")
        )
        director = village.cadre if in_field else "dispatcher"
        team = self.town.team_by_category.get(template.category)

        def local(handler: Handler, worker: str) -> Route:
            return Route(intake, director, handler, worker, cadre=village.cadre)

        def centre(handler: Handler, worker: str) -> Route:
            """Sent by the centre's dispatcher; a field report is accepted at the centre."""
            return Route(
                "clerk" if in_field else intake, "dispatcher", handler, worker, cadre=village.cadre
            )

        def agency(kind_: str) -> Route:
            return Route(
                "clerk" if in_field else intake,
                "dispatcher",
                None,
                self.town.liaisons.get(kind_, "leader"),
                agency=kind_,
                cadre=village.cadre,
            )

        if spec.triangle:
            # The village sends the unit head's report to the grid's worker first.
            return local(Handler("user", unit.grid.worker), unit.grid.worker)
        in_mediation = kind == Kind.DISPUTE and spec.open_state in {
            State.IN_PROGRESS,
            State.SUSPENDED,
        }
        if (spec.judicial_window or in_mediation) and team:
            # With a team: the dispute whose agreement's window is closing, and those
            # standing open in mediation (else with the village committee, below).
            name, head = team
            return centre(Handler("team", name), head)
        if in_mediation and village.committee_member:
            return local(Handler("team", village.committee), village.committee_member)
        if spec.open_state == State.TRANSFERRED:
            return agency(AGENCY_BY_CATEGORY.get(template.category, "civil_affairs"))
        if spec.open_state == State.ESCALATED:
            return Route("clerk", "dispatcher", None, "leader", above=True)
        if kind == Kind.EMERGENCY:
            found = next(
                (a for word, a in EMERGENCY_AGENCIES.items() if word in template.title), ""
            )
            return Route(
                "dispatcher",
                "dispatcher",
                None,
                self.town.liaisons.get(found, "leader"),
                found or "emergency",
            )
        if kind == Kind.CONSULTATION:
            if template.category != "other" and self.rng.random() < 0.3:
                return agency("judicial")
            # Answered by the mediator whose team knows the matter, else the village's cadre.
            answerer = team[1] if team else village.cadre
            return Route(
                intake, "dispatcher", Handler("user", answerer), answerer, cadre=village.cadre
            )

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
            return centre(Handler("team", name), head)
        if choice == "agency":
            if kind == Kind.HAZARD:
                found = (a for word, a in HAZARD_AGENCIES.items() if word in template.title)
                return agency(next(found, "emergency"))
            return agency(AGENCY_BY_CATEGORY[template.category])
        return committee

    def fallback(self, route: Route, current: Handler | None) -> tuple[Handler, str]:
        """Who takes a case that was returned or reassigned: the village cadre takes it on
        themselves; the centre gives it to the village's cadre, or, when the cadre has it
        already, to the mediator heading the first team."""
        if route.director != "dispatcher":
            return Handler("user", route.director), route.director
        cadre = Handler("user", route.cadre)
        if route.cadre and cadre != current:
            return cadre, route.cadre
        head = self.town.first_team_head
        return Handler("user", head), head
