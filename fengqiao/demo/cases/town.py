"""The parts of a town plan that cases need: units and their residents, who works
where, which team takes which category."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fengqiao.accounts.roles import Role
from fengqiao.areas.models import Level
from fengqiao.demo import data
from fengqiao.orgs.models import MediationKind, MembershipRole

if TYPE_CHECKING:
    from fengqiao.demo.generator import TownPlan


@dataclass
class Unit:
    code: str
    name: str
    place: str
    village: Village
    grid: Grid
    latitude: Decimal
    longitude: Decimal
    residents: list[int] = field(default_factory=list)
    head: str = ""


@dataclass
class Grid:
    code: str
    village: Village
    units: list[Unit] = field(default_factory=list)
    worker: str = ""


@dataclass
class Village:
    index: int
    code: str
    name: str
    community: bool
    grids: list[Grid] = field(default_factory=list)
    cadre: str = ""
    committee: str = ""
    committee_member: str = ""
    property_company: str = ""

    @property
    def units(self) -> list[Unit]:
        return [unit for grid in self.grids for unit in grid.units]


class TownView:
    """The parts of a town plan that cases need: units and their residents, who works
    where, which team takes which category."""

    def __init__(self, town: TownPlan) -> None:
        self.plan = town
        self.full_names = {account.username: account.full_name for account in town.accounts}
        self.villages: list[Village] = []
        grids: dict[str, Grid] = {}
        units: dict[str, Unit] = {}
        villages: dict[str, Village] = {}
        for area in town.areas:
            if area.level == Level.VILLAGE:
                index = len(self.villages)
                village = Village(index, area.code, area.name, data.VILLAGES[index][2])
                self.villages.append(village)
                villages[area.code] = village
            elif area.level == Level.GRID:
                village = villages[area.parent_code]
                grid = Grid(area.code, village)
                village.grids.append(grid)
                grids[area.code] = grid
            elif area.level == Level.UNIT:
                grid = grids[area.parent_code]
                unit = Unit(
                    area.code,
                    area.name,
                    place_name(grid.village.name, area.name),
                    grid.village,
                    grid,
                    area.center_lat,
                    area.center_lng,
                )
                grid.units.append(unit)
                units[area.code] = unit
        self.units = units
        self.story_person = -1
        for index, person in enumerate(town.persons):
            if person.name == data.STORY_RESIDENT_NAME:
                self.story_person = index
            else:
                units[person.area_code].residents.append(index)

        self.team_by_category: dict[str, tuple[str, str]] = {}
        heads = {
            account.mediation_organization: account.username
            for account in town.accounts
            if account.mediation_role == MembershipRole.HEAD
        }
        # The mediator heading the town's first team: who the centre turns to when a
        # case's usual handlers cannot take it.
        self.first_team_head = ""
        for organization in town.mediation_organizations:
            if organization.kind == MediationKind.TEAM:
                self.first_team_head = self.first_team_head or heads[organization.name]
                for category in organization.category_codes:
                    self.team_by_category[category] = (organization.name, heads[organization.name])
            else:
                villages[organization.area_code].committee = organization.name
        self.liaisons: dict[str, str] = {}
        for account in town.accounts:
            if account.role == Role.GRID_WORKER:
                grids[account.home_area_code].worker = account.username
            elif account.role == Role.UNIT_HEAD:
                units[account.home_area_code].head = account.username
            elif account.role == Role.VILLAGE_CADRE:
                villages[account.home_area_code].cadre = account.username
            elif account.role == Role.AGENCY_LIAISON:
                self.liaisons[account.agency_kind] = account.username
            if account.mediation_organization and account.mediation_role == MembershipRole.MEMBER:
                for village in self.villages:
                    if village.committee == account.mediation_organization:
                        village.committee_member = account.username
        self.villages[0].property_company = data.PROPERTY_COMPANY_NAME
        for name, _representative, village_index, _address in data.OTHER_PROPERTY_COMPANIES:
            self.villages[village_index].property_company = name
        self.community_units = [u for v in self.villages if v.community for u in v.units]
        self.village_units = [u for v in self.villages if not v.community for u in v.units]
        self.all_units = [u for v in self.villages for u in v.units]


def place_name(village: str, unit: str) -> str:
    """How people name the place: "万泉佳苑C区3栋", "红旗社区12号楼", "小召湾村第6村民小组"."""
    if unit.startswith("第") or unit[0].isdigit():
        return village + unit
    return unit


def weighted(rng: random.Random, choices: Iterable[tuple[Any, int]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
