"""A matter as it comes in: where it happens, through which channel, who brings it and
against whom, in what words and for how much. Drawn from the planner's generator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fengqiao.cases.models import Channel, Kind, PartyRole
from fengqiao.demo import data
from fengqiao.demo.cases import texts as text
from fengqiao.demo.cases.plan import PartyPlan
from fengqiao.demo.cases.routing import CHANNELS, Routing
from fengqiao.demo.cases.spec import CaseSpec, fill
from fengqiao.demo.cases.town import TownView, Unit, weighted


@dataclass
class Intake:
    """What is known of a case when it is registered, before its path is drawn."""

    unit: Unit
    channel: str
    grade: str
    parties: list[PartyPlan]
    values: dict[str, Any]  # the names, places and figures the texts are filled with
    reporter: str
    amount: Decimal | None
    account: str
    title: str
    address: str
    latitude: Decimal
    longitude: Decimal


def _households(town: TownView, unit: Unit) -> int:
    return len({town.plan.persons[index].address for index in unit.residents})


def draw_intake(spec: CaseSpec, *, town: TownView, routing: Routing, rng: random.Random) -> Intake:
    """The matter of `spec` as it comes in."""
    template, kind = spec.template, spec.kind
    unit = routing.pick_unit(template)
    channel = weighted(rng, CHANNELS[kind])
    if spec.triangle:
        # A unit head reports from their own unit, where both households live.
        unit = rng.choice([u for u in town.all_units if u.head and _households(town, u) > 1])
        channel = Channel.GRID_REPORT
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
    persons = town.plan.persons
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
        other = routing.neighbour(unit, applicant, household=template.category == "family")
        values["other"] = persons[other].name
        parties.append(PartyPlan(PartyRole.RESPONDENT, person=other))
        values["people"] = max(values["people"], 2)
    elif organization:
        values["company"] = organization
        parties.append(PartyPlan(PartyRole.RESPONDENT, organization=organization))
    residents_elsewhere = any(
        party.person >= 0 and persons[party.person].area_code != unit.code for party in parties
    )
    reporter = routing.reporter(channel, unit, unit_head=not residents_elsewhere)
    if spec.triangle:
        reporter = unit.head
    values["reporter"] = town.full_names.get(reporter, "")
    amount = None
    if template.amount:
        low_amount, high_amount = template.amount
        amount = Decimal(rng.randint(low_amount // 100, high_amount // 100) * 100)
        values["amount"] = f"{amount:.0f}"

    opening = text.OPENINGS[channel]
    if applicant >= 0:
        opening += text.SAID.get(kind, "")
    address = (
        persons[applicant].address
        if applicant >= 0
        else f"{data.ADDRESS_PREFIX}{unit.village.name}{unit.name}"
    )
    jitter = Decimal("0.000001")
    latitude = (unit.latitude + Decimal(rng.randint(-600, 600)) * jitter).quantize(jitter)
    longitude = (unit.longitude + Decimal(rng.randint(-600, 600)) * jitter).quantize(jitter)
    return Intake(
        unit=unit,
        channel=channel,
        grade=grade,
        parties=parties,
        values=values,
        reporter=reporter,
        amount=amount,
        account=fill(opening + template.account, values),
        title=fill(template.title, values),
        address=address,
        latitude=latitude,
        longitude=longitude,
    )
