"""The demo town 万泉镇: areas, staff, partners, about two thousand residents, and a
year of cases.

`build_plan(seed)` decides everything with generators seeded by `seed` and touches no
database, so a seed always gives the same town and a test can compare two plans.
`write_plan` stores a plan through the services, in one transaction: a half-loaded
demo town is never left behind.

The area tree, the categories, the partner bodies and the staff accounts do not depend
on the seed (the accounts are documented, so they must stay put); the seed decides the
residents, contacts and numbers, and the cases of the year (see `demo.cases`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.accounts.services import user_create
from fengqiao.areas.models import Area, Level
from fengqiao.areas.services import area_create
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import CaseCategory
from fengqiao.core.errors import DomainError
from fengqiao.core.identifiers import id_check_char, uscc_check_char
from fengqiao.demo import data, geography
from fengqiao.demo.cases import (
    FULL_YEAR,
    CasePlan,
    CaseRefs,
    CaseVolume,
    SupervisionPlan,
    plan_cases,
    plan_supervision,
    write_cases,
)
from fengqiao.demo.keypersons import write_keypersons
from fengqiao.demo.logs import write_logs
from fengqiao.demo.progress import Progress, Stage, no_progress
from fengqiao.demo.screening import write_screening
from fengqiao.orgs.models import (
    Agency,
    AgencyContact,
    AgencyKind,
    MediationKind,
    MediationMembership,
    MediationOrganization,
    MembershipRole,
)
from fengqiao.people.models import Gender, Person
from fengqiao.people.services import id_digest, organization_create, phone_digest

DEFAULT_SEED = 2026
# The code of the DomainError `write_plan` raises when the database already holds areas.
ALREADY_LOADED = "demo_already_loaded"
# Ages (for occupations) are counted from a fixed year, not from today, so a plan does
# not change as the calendar moves.
REFERENCE_YEAR = 2026
OLDEST_BIRTH_YEAR = 1940
YOUNGEST_BIRTH_YEAR = 2006
ID_REGION = data.TOWN_CODE[:6]


# ------------------------------------------------------------------ the plan
@dataclass(frozen=True)
class AreaPlan:
    code: str
    name: str
    level: int
    parent_code: str | None
    center_lat: Decimal
    center_lng: Decimal
    boundary: dict[str, Any] | None = None


@dataclass(frozen=True)
class CategoryPlan:
    code: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class ContactPlan:
    name: str
    title: str
    mobile: str


@dataclass(frozen=True)
class AgencyPlan:
    kind: str
    name: str
    address: str
    office_phone: str
    contacts: tuple[ContactPlan, ...]


@dataclass(frozen=True)
class MediationOrganizationPlan:
    kind: str
    name: str
    area_code: str
    category_codes: tuple[str, ...]
    phone: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    home_area_code: str
    home_area_name: str
    agency_kind: str = ""
    mediation_organization: str = ""
    mediation_role: str = ""


@dataclass(frozen=True)
class PersonPlan:
    name: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    occupation: str
    id_number: str
    phone: str
    address: str
    area_code: str


@dataclass(frozen=True)
class OrganizationPlan:
    name: str
    credit_code: str
    legal_representative: str
    phone: str
    address: str
    area_code: str


@dataclass(frozen=True)
class TownPlan:
    seed: int
    areas: tuple[AreaPlan, ...]
    categories: tuple[CategoryPlan, ...]
    agencies: tuple[AgencyPlan, ...]
    mediation_organizations: tuple[MediationOrganizationPlan, ...]
    accounts: tuple[DemoAccount, ...]
    persons: tuple[PersonPlan, ...]
    organizations: tuple[OrganizationPlan, ...]
    cases: tuple[CasePlan, ...] = ()
    supervision: tuple[SupervisionPlan, ...] = ()


# ------------------------------------------------------------- the geography
def village_code(village: int) -> str:
    """`village` counts from 0 in the order of `data.VILLAGES`."""
    return data.TOWN_CODE + data.VILLAGES[village][0]


def village_name(village: int) -> str:
    return data.VILLAGES[village][1]


def grid_code(village: int, grid: int) -> str:
    """`grid` counts from 1 within its village."""
    return f"{village_code(village)}{grid:02d}"


def grid_name(village: int, grid: int) -> str:
    return f"{village_name(village)}第{data.GRID_ORDINALS[grid - 1]}网格"


def unit_code(village: int, grid: int, unit: int) -> str:
    """`unit` counts from 1 within its grid."""
    return f"{grid_code(village, grid)}{unit:02d}"


def unit_name(village: int, grid: int, unit: int) -> str:
    if village == 0 and grid == 1:
        return data.FIRST_ESTATE_GRID_UNITS[unit - 1]
    _suffix, _name, _community, pattern, zones = data.VILLAGES[village]
    return pattern.format(
        n=(grid - 1) * data.UNITS_PER_GRID + unit,
        k=unit,
        zone=zones[grid - 1] if zones else "",
    )


def committee_name(village: int) -> str:
    return f"{village_name(village)}人民调解委员会"


def _plan_areas() -> tuple[AreaPlan, ...]:
    """The tree with its geometry (`demo.geography`): the town, villages and grids as
    polygons that tile the town, units as centre points."""
    areas = [
        AreaPlan(
            data.TOWN_CODE,
            data.TOWN_NAME,
            Level.TOWN,
            None,
            *geography.town_centre(),
            geography.town_boundary(),
        )
    ]
    for village in range(len(data.VILLAGES)):
        areas.append(
            AreaPlan(
                village_code(village),
                village_name(village),
                Level.VILLAGE,
                data.TOWN_CODE,
                *geography.village_centre(village),
                geography.village_boundary(village),
            )
        )
        for grid in range(1, data.GRIDS_PER_VILLAGE + 1):
            areas.append(
                AreaPlan(
                    grid_code(village, grid),
                    grid_name(village, grid),
                    Level.GRID,
                    village_code(village),
                    *geography.grid_centre(village, grid),
                    geography.grid_boundary(village, grid),
                )
            )
            for unit in range(1, data.UNITS_PER_GRID + 1):
                areas.append(
                    AreaPlan(
                        unit_code(village, grid, unit),
                        unit_name(village, grid, unit),
                        Level.UNIT,
                        grid_code(village, grid),
                        *geography.unit_centre(village, grid, unit),
                    )
                )
    return tuple(areas)


# --------------------------------------------------------------- the accounts
def _demo_accounts() -> tuple[DemoAccount, ...]:
    town = (data.TOWN_CODE, data.TOWN_NAME)

    def village(index: int) -> tuple[str, str]:
        return village_code(index), village_name(index)

    def grid(index: int, number: int) -> tuple[str, str]:
        return grid_code(index, number), grid_name(index, number)

    def unit(index: int, grid_number: int, number: int) -> tuple[str, str]:
        return unit_code(index, grid_number, number), unit_name(index, grid_number, number)

    accounts = [
        DemoAccount("leader", "高志远", Role.LEADER, *town),
        DemoAccount("clerk", "李婷", Role.INTAKE_CLERK, *town),
        DemoAccount("clerk02", "王雪梅", Role.INTAKE_CLERK, *town),
        DemoAccount("dispatcher", "张伟", Role.DISPATCHER, *town),
    ]
    team_heads = ("刘建国", "赵德胜", "陈立军", "杨秀芳", "周海涛")
    for number, ((team, _categories), name) in enumerate(
        zip(data.TEAMS, team_heads, strict=True), start=1
    ):
        accounts.append(
            DemoAccount(
                f"mediator{number:02d}",
                name,
                Role.MEDIATOR,
                *town,
                mediation_organization=team,
                mediation_role=MembershipRole.HEAD,
            )
        )
    for index, name in enumerate(("吴桂兰", "郭永强", "马丽娟")):
        accounts.append(
            DemoAccount(
                f"mediator{index + 6:02d}",
                name,
                Role.MEDIATOR,
                *village(index),
                mediation_organization=committee_name(index),
                mediation_role=MembershipRole.MEMBER,
            )
        )
    grid_workers = (
        "孙悦", "胡晓燕", "朱鹏", "林静", "何磊", "罗小军", "梁慧", "宋佳",
        "郑浩", "谢敏", "韩冬梅", "唐亮", "冯雅琴", "于洋", "董丽", "程晨",
    )  # fmt: skip
    for number, name in enumerate(grid_workers, start=1):
        index, grid_number = divmod(number - 1, data.GRIDS_PER_VILLAGE)
        accounts.append(
            DemoAccount(f"grid{number:02d}", name, Role.GRID_WORKER, *grid(index, grid_number + 1))
        )
    for number, name in enumerate(("曹玉珍", "彭志刚", "袁淑华"), start=1):
        accounts.append(DemoAccount(f"unit{number:02d}", name, Role.UNIT_HEAD, *unit(0, 1, number)))
    cadres = ("包金花", "白永亮", "潘建军", "蒋国华", "蔡春燕", "贾文明", "丁志强", "魏红霞")
    for index, name in enumerate(cadres):
        accounts.append(
            DemoAccount(f"cadre{index + 1:02d}", name, Role.VILLAGE_CADRE, *village(index))
        )
    liaisons = (
        ("liaison_court", "薛明", AgencyKind.COURT),
        ("liaison_police", "闫勇", AgencyKind.POLICE),
        ("liaison_judicial", "段丽萍", AgencyKind.JUDICIAL),
        ("liaison_petition", "雷振华", AgencyKind.PETITION),
        ("liaison_labour", "侯建平", AgencyKind.LABOUR),
        ("liaison_12345", "邵婷婷", AgencyKind.HOTLINE),
        ("liaison_health", "尹雪琴", AgencyKind.HEALTH),
    )
    for username, name, kind in liaisons:
        accounts.append(DemoAccount(username, name, Role.AGENCY_LIAISON, *town, agency_kind=kind))
    accounts += [
        DemoAccount("sysadmin", "孟凡", Role.SYSTEM_ADMIN, *town),
        DemoAccount("secadmin", "秦海", Role.SECURITY_ADMIN, *town),
        DemoAccount("auditadmin", "史静", Role.AUDIT_ADMIN, *town),
    ]
    return tuple(accounts)


# The staff of the demo town: one password for all, printed by `seed_demo`.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = _demo_accounts()


# ---------------------------------------------------------- people and numbers
class _Numbers:
    """Draws identifiers from the plan's generator and keeps them unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def id_number(self, birth: dt.date, *, male: bool) -> str:
        while True:
            order = self.rng.randint(0, 99)
            # The 17th digit is odd for men and even for women (GB 11643).
            gender_digit = self.rng.choice("13579" if male else "02468")
            first17 = f"{ID_REGION}{birth:%Y%m%d}{order:02d}{gender_digit}"
            number = first17 + id_check_char(first17)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = f"{self.rng.choice(data.MOBILE_PREFIXES)}{self.rng.randint(0, 10**8 - 1):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def landline(self) -> str:
        while True:
            number = f"{data.CITY_AREA_CODE}-{self.rng.randint(2_000_000, 8_999_999)}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _surname(rng: random.Random, ethnicity: str) -> str:
    """A surname fitting the ethnic group; "" for a Mongolian name used on its own."""
    if ethnicity == "蒙古族":
        return "" if rng.random() < 0.5 else rng.choice(data.MONGOL_SURNAMES)
    if ethnicity == "回族":
        return rng.choice(data.HUI_SURNAMES)
    if ethnicity == "满族":
        return rng.choice(data.MANCHU_SURNAMES)
    return _weighted(rng, data.SURNAMES)


def _other_surname(rng: random.Random, ethnicity: str, avoid: str) -> str:
    while True:
        surname = _surname(rng, ethnicity)
        if surname != avoid or not surname:
            return surname


def _full_name(rng: random.Random, surname: str, *, male: bool, birth_year: int) -> str:
    while True:
        if not surname:
            given_pool = data.MONGOL_MALE if male else data.MONGOL_FEMALE
        elif birth_year < 1975:
            given_pool = data.GIVEN_OLDER_MALE if male else data.GIVEN_OLDER_FEMALE
        else:
            given_pool = data.GIVEN_YOUNGER_MALE if male else data.GIVEN_YOUNGER_FEMALE
        name = surname + rng.choice(given_pool)
        # The resident of the walkthrough must be the only one with her name.
        if name != data.STORY_RESIDENT_NAME:
            return name


def _birth_date(rng: random.Random, year: int) -> dt.date:
    first = dt.date(year, 1, 1)
    days_in_year = (dt.date(year + 1, 1, 1) - first).days
    return first + dt.timedelta(days=rng.randrange(days_in_year))


def _occupation(rng: random.Random, age: int, *, community: bool) -> str:
    if age <= 22:
        return "学生" if rng.random() < 0.85 else "待业"
    if age >= 60:
        if community:
            return "退休人员"
        return "农民" if rng.random() < 0.8 else "无业"
    return _weighted(rng, data.COMMUNITY_OCCUPATIONS if community else data.VILLAGE_OCCUPATIONS)


@dataclass(frozen=True)
class _Home:
    """The unit a household lives in, and its full address."""

    area_code: str
    address: str
    community: bool


def _person(
    rng: random.Random,
    numbers: _Numbers,
    home: _Home,
    *,
    surname: str,
    male: bool,
    birth_year: int,
    ethnicity: str,
    name: str = "",
    birth_date: dt.date | None = None,
    occupation: str = "",
) -> PersonPlan:
    birth = birth_date or _birth_date(rng, birth_year)
    age = REFERENCE_YEAR - birth.year
    has_phone = rng.random() < (0.6 if age >= 75 else 0.95)
    return PersonPlan(
        name=name or _full_name(rng, surname, male=male, birth_year=birth.year),
        gender=Gender.MALE if male else Gender.FEMALE,
        birth_date=birth,
        ethnicity=ethnicity,
        occupation=occupation or _occupation(rng, age, community=home.community),
        id_number=numbers.id_number(birth, male=male),
        phone=numbers.mobile() if has_phone else "",
        address=home.address,
        area_code=home.area_code,
    )


def _clamp_year(year: int) -> int:
    return max(OLDEST_BIRTH_YEAR, min(YOUNGEST_BIRTH_YEAR, year))


def _household(rng: random.Random, numbers: _Numbers, home: _Home, size: int) -> list[PersonPlan]:
    """A couple, then their children, or the head's parents when the head is young."""
    ethnicity = _weighted(rng, data.ETHNICITIES)
    head_male = rng.random() < 0.6
    head_year = rng.randint(1945, 1992)
    head_surname = _surname(rng, ethnicity)
    members = [
        _person(
            rng,
            numbers,
            home,
            surname=head_surname,
            male=head_male,
            birth_year=head_year,
            ethnicity=ethnicity,
        )
    ]
    father_surname = head_surname
    if size >= 2:
        spouse_ethnicity = ethnicity if rng.random() < 0.7 else "汉族"
        spouse_surname = _other_surname(rng, spouse_ethnicity, head_surname)
        if not head_male:
            father_surname = spouse_surname
        members.append(
            _person(
                rng,
                numbers,
                home,
                surname=spouse_surname,
                male=not head_male,
                birth_year=_clamp_year(head_year + rng.randint(-5, 5)),
                ethnicity=spouse_ethnicity,
            )
        )
    for extra in range(size - 2):
        if head_year + 22 <= YOUNGEST_BIRTH_YEAR:
            male = rng.random() < 0.5
            year = head_year + rng.randint(22, min(38, YOUNGEST_BIRTH_YEAR - head_year))
            surname = father_surname
        else:
            # A young head lives with a parent: the father shares the head's surname.
            male = extra == 0
            year = _clamp_year(head_year - rng.randint(22, 32))
            surname = head_surname if male else _other_surname(rng, ethnicity, head_surname)
        members.append(
            _person(
                rng,
                numbers,
                home,
                surname=surname,
                male=male,
                birth_year=year,
                ethnicity=ethnicity,
            )
        )
    return members


def _address(rng: random.Random, village: int, unit: str, taken: set[str]) -> str:
    community = data.VILLAGES[village][2]
    while True:
        if not community:
            rest = f"{unit}{rng.randint(1, 80)}号"
        else:
            building = f"{rng.randint(1, 12)}号楼" if unit.endswith("区") else ""
            floor, door = rng.randint(1, 11), rng.randint(1, 2)
            rest = f"{unit}{building}{rng.randint(1, 4)}单元{floor}0{door}室"
        address = data.ADDRESS_PREFIX + village_name(village) + rest
        if address not in taken:
            taken.add(address)
            return address


HOUSEHOLD_SIZES = (("1", 10), ("2", 30), ("3", 35), ("4", 25))


def _plan_persons(rng: random.Random, numbers: _Numbers) -> tuple[PersonPlan, ...]:
    persons: list[PersonPlan] = []
    taken_addresses: set[str] = set()
    for village in range(len(data.VILLAGES)):
        community = data.VILLAGES[village][2]
        for grid in range(1, data.GRIDS_PER_VILLAGE + 1):
            for unit in range(1, data.UNITS_PER_GRID + 1):
                code, name = unit_code(village, grid, unit), unit_name(village, grid, unit)
                remaining = rng.randint(3, 7)
                if name == data.STORY_UNIT_NAME:
                    address = f"{data.ADDRESS_PREFIX}{village_name(village)}{name}3号楼2单元402室"
                    home = _Home(code, address, community)
                    taken_addresses.add(home.address)
                    persons.append(
                        _person(
                            rng,
                            numbers,
                            home,
                            surname="田",
                            male=False,
                            birth_year=1962,
                            ethnicity="汉族",
                            name=data.STORY_RESIDENT_NAME,
                            birth_date=dt.date(1962, 5, 14),
                            occupation="退休人员",
                        )
                    )
                    remaining -= 1
                while remaining > 0:
                    size = min(remaining, int(_weighted(rng, HOUSEHOLD_SIZES)))
                    home = _Home(code, _address(rng, village, name, taken_addresses), community)
                    persons += _household(rng, numbers, home, size)
                    remaining -= size
    return tuple(persons)


# ------------------------------------------------------ partners and bodies
def _plan_categories() -> tuple[CategoryPlan, ...]:
    return tuple(
        CategoryPlan(code, name, (number + 1) * 10)
        for number, (code, name) in enumerate(data.CATEGORIES)
    )


def _contact_name(rng: random.Random) -> str:
    male = rng.random() < 0.6
    return _full_name(
        rng, _weighted(rng, data.SURNAMES), male=male, birth_year=rng.randint(1965, 1995)
    )


def _plan_agencies(
    rng: random.Random,
    numbers: _Numbers,
    agencies_data: tuple[tuple[str, str, str, tuple[str, ...]], ...] = data.AGENCIES,
) -> tuple[AgencyPlan, ...]:
    agencies = []
    for kind, name, street, posts in agencies_data:
        contacts = tuple(
            ContactPlan(_contact_name(rng), post, numbers.mobile())
            for post in posts[: rng.randint(1, 2)]
        )
        agencies.append(
            AgencyPlan(kind, name, data.ADDRESS_PREFIX + street, numbers.landline(), contacts)
        )
    return tuple(agencies)


def _plan_mediation(numbers: _Numbers) -> tuple[MediationOrganizationPlan, ...]:
    teams = [
        MediationOrganizationPlan(
            MediationKind.TEAM, name, data.TOWN_CODE, categories, numbers.landline()
        )
        for name, categories in data.TEAMS
    ]
    committees = [
        MediationOrganizationPlan(
            MediationKind.COMMITTEE,
            committee_name(village),
            village_code(village),
            data.COMMITTEE_CATEGORIES,
            numbers.landline(),
        )
        for village in range(len(data.VILLAGES))
    ]
    return tuple(teams + committees)


ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _credit_code(rng: random.Random) -> str:
    """A valid unified social credit code of a company registered in the district.

    "91" (market regulator, enterprise) + the district + a nine-character organisation
    code with its own GB 11714 check digit + the GB 32100 check character.
    """
    body = "".join(rng.choice("0123456789") for _digit in range(8))
    weighted = sum(int(c) * w for c, w in zip(body, ORGANIZATION_CODE_WEIGHTS, strict=True))
    remainder = 11 - weighted % 11
    organization_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    first17 = f"91{ID_REGION}{body}{organization_check}"
    return first17 + uscc_check_char(first17)


def _plan_organizations(
    rng: random.Random,
    numbers: _Numbers,
    organizations: tuple[tuple[str, str, int, str], ...] = data.ORGANIZATIONS,
) -> tuple[OrganizationPlan, ...]:
    return tuple(
        OrganizationPlan(
            name,
            _credit_code(rng),
            representative,
            numbers.landline(),
            data.ADDRESS_PREFIX + village_name(village) + address,
            village_code(village),
        )
        for name, representative, village, address in organizations
    )


def build_plan(seed: int, *, cases: CaseVolume | None = FULL_YEAR) -> TownPlan:
    """The whole demo town for `seed`, with a year of cases of `cases`' size (none when
    None); pure, so equal arguments give equal plans."""
    rng = random.Random(seed)
    numbers = _Numbers(rng)
    agencies = _plan_agencies(rng, numbers)
    mediation = _plan_mediation(numbers)
    organizations = _plan_organizations(rng, numbers)
    persons = _plan_persons(rng, numbers)
    # Drawn after the residents, so that adding them left every resident as it was.
    organizations += _plan_organizations(rng, numbers, data.OTHER_PROPERTY_COMPANIES)
    agencies += _plan_agencies(rng, numbers, data.LATER_AGENCIES)
    town = TownPlan(
        seed=seed,
        areas=_plan_areas(),
        categories=_plan_categories(),
        agencies=agencies,
        mediation_organizations=mediation,
        accounts=DEMO_ACCOUNTS,
        persons=persons,
        organizations=organizations,
    )
    if cases is None:
        return town
    planned = plan_cases(town, seed=seed, volume=cases)
    # Drawn from a generator of their own: the cases are as they were without them.
    supervision = plan_supervision(town, planned, seed=seed, volume=cases)
    return dataclasses.replace(town, cases=planned, supervision=supervision)


# ----------------------------------------------------------------- writing
def write_plan(
    plan: TownPlan, *, password: str, progress: Progress = no_progress
) -> dict[str, int]:
    """Store `plan` in an empty database; every account gets `password`.

    Raises DomainError(ALREADY_LOADED) when areas already exist. The password is
    hashed once and the hash shared, which keeps seeding fast. `progress` hears of each
    stage once it is written (see `demo.progress`).
    """
    encoded_password = make_password(password)
    with transaction.atomic():
        # Checked inside the transaction: with SQLite's IMMEDIATE mode a second seeder
        # waits here and then finds the town; on PostgreSQL the unique area codes stop it.
        if Area.objects.exists():
            raise DomainError(
                ALREADY_LOADED,
                _("The database already holds areas; the demo town is loaded only once."),
            )
        areas: dict[str, Area] = {}
        for spec in plan.areas:
            areas[spec.code] = area_create(
                actor=None,
                code=spec.code,
                name=spec.name,
                level=spec.level,
                parent=areas[spec.parent_code] if spec.parent_code else None,
                center_lat=spec.center_lat,
                center_lng=spec.center_lng,
                boundary=spec.boundary,
                audit=False,
            )
        town = areas[data.TOWN_CODE]

        categories = {
            spec.code: CaseCategory.objects.get_or_create(
                code=spec.code, defaults={"name": spec.name, "sort_order": spec.sort_order}
            )[0]
            for spec in plan.categories
        }

        agencies: dict[str, Agency] = {}
        contacts: list[AgencyContact] = []
        for spec in plan.agencies:
            agency = Agency.objects.create(
                kind=spec.kind,
                name=spec.name,
                area=town,
                address=spec.address,
                office_phone=spec.office_phone,
            )
            agencies[spec.kind] = agency
            contacts += [
                AgencyContact(agency=agency, name=c.name, title=c.title, mobile=c.mobile)
                for c in spec.contacts
            ]
        AgencyContact.objects.bulk_create(contacts)

        mediation: dict[str, MediationOrganization] = {}
        for spec in plan.mediation_organizations:
            organization = MediationOrganization.objects.create(
                kind=spec.kind, name=spec.name, area=areas[spec.area_code], phone=spec.phone
            )
            organization.categories.set([categories[code] for code in spec.category_codes])
            mediation[spec.name] = organization

        memberships: list[MediationMembership] = []
        for account in plan.accounts:
            user = user_create(
                actor=None,
                username=account.username,
                password=None,
                full_name=account.full_name,
                roles=[account.role],
                home_area=areas[account.home_area_code],
                agency=agencies[account.agency_kind] if account.agency_kind else None,
                encoded_password=encoded_password,
            )
            if account.mediation_organization:
                memberships.append(
                    MediationMembership(
                        organization=mediation[account.mediation_organization],
                        user=user,
                        role=account.mediation_role,
                    )
                )
        MediationMembership.objects.bulk_create(memberships)
        progress(
            Stage.TOWN,
            {
                "areas": len(areas),
                "categories": len(categories),
                "agencies": len(agencies),
                "mediation_organizations": len(mediation),
                "users": len(plan.accounts),
            },
        )

        # Residents are many, so they are inserted in bulk. The identifiers were built
        # valid (see _Numbers); the encrypted fields seal themselves on insert, and the
        # blind indexes are computed here exactly as person_create computes them.
        persons = Person.objects.bulk_create(
            [
                Person(
                    name=spec.name,
                    gender=spec.gender,
                    birth_date=spec.birth_date,
                    ethnicity=spec.ethnicity,
                    occupation=spec.occupation,
                    id_number=spec.id_number,
                    id_number_digest=id_digest(spec.id_number),
                    phone=spec.phone,
                    phone_digest=phone_digest(spec.phone),
                    address=spec.address,
                    area=areas[spec.area_code],
                )
                for spec in plan.persons
            ],
            batch_size=500,
        )

        organizations = {}
        for spec in plan.organizations:
            organizations[spec.name] = organization_create(
                actor=None,
                name=spec.name,
                area=areas[spec.area_code],
                credit_code=spec.credit_code,
                legal_representative=spec.legal_representative,
                phone=spec.phone,
                address=spec.address,
            )
        progress(Stage.RESIDENTS, {"persons": len(persons), "organizations": len(organizations)})

        levels = [spec.level for spec in plan.areas]
        counts = {
            "areas": len(plan.areas),
            "villages": levels.count(Level.VILLAGE),
            "grids": levels.count(Level.GRID),
            "units": levels.count(Level.UNIT),
            "categories": len(categories),
            "agencies": len(agencies),
            "agency_contacts": len(contacts),
            "mediation_organizations": len(mediation),
            "users": len(plan.accounts),
            "persons": len(plan.persons),
            "organizations": len(plan.organizations),
        }
        if plan.cases:
            refs = CaseRefs(
                users={user.username: user for user in User.objects.select_related("home_area")},
                areas=areas,
                categories=categories,
                teams=mediation,
                agencies=agencies,
                organizations=organizations,
                persons=persons,
            )
            counts |= write_cases(plan.cases, refs, supervision=plan.supervision, progress=progress)
            counts |= write_logs(plan, refs, progress=progress)
            counts |= write_screening(plan, refs)
            counts |= write_keypersons(plan, refs)
        audit_record(action="demo.seed", area=town, details={"seed": plan.seed, **counts})
    return counts
