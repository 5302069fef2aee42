"""The demo town's key persons (重点人员) and their year, written through the register's
services.

`plan_keypersons(plan)` decides everything from a generator seeded by the town's seed and
the town plan with its cases (and nothing else: the cases and logs are as they are with or
without it), and touches no database; `write_keypersons` plays the plan through
`keypersons.services` in time order, each step with `now=` its moment.

How the year looks:
- Sixty residents are on the register, spread over the eight villages and communities and
  their grids: released prisoners (刑满释放人员, with the release date and the offence; the
  five-year resettlement window worked out by the register), community-correction subjects
  (社区矫正对象, their period and the supervising 万泉司法所), people with a severe mental
  disorder (严重精神障碍患者, the diagnosis and their guardian, a member of the household),
  drug users (吸毒人员, their control status), petitioners (重点信访人员), young people
  (重点青少年), one person living with HIV and some idle adults (社会闲散人员), two with
  two categories. Most are yellow or green, ten orange, three red.
- The grid worker of the person's grid registers them in the first two weeks of December
  2025 (the village cadre where the grid has no worker); four come later in the year (a
  release, two new correction subjects, a diagnosis notified by the health centre). The
  liaison of the agency that follows them joins the responsible staff: the judicial office
  for correction, the police for the orange and red released prisoners and drug users, the
  health centre for the severe mental disorders.
- The responsible grid worker (or cadre) visits and talks with each on the level's schedule
  (red weekly, orange fortnightly, yellow monthly, green quarterly; a severe mental disorder
  no later than its risk assessment allows), a few days before the visit is due; now and
  then late (more often for the two habitual non-loggers, grid06 and grid13, and the
  cadres); with the Spring Festival and Mid-Autumn holiday visits (节日慰问), counselling
  (心理疏导) and legal help (法律帮扶) where they fit. Every visit to a severe mental
  disorder assesses the risk 0–5, mostly 0 or 1; at an unstable one (3–5) the register
  puts a referral in the plan, which the visitor sees to the next working day (the red
  patient's relapse of late October is one).
- At the demo's "now" a handful are overdue: the last visit their schedule asked for in
  November was missed.
- A few plan tasks (管控帮扶方案), most done.
- One resident is a party to a dispute of the year: the case is recorded against their
  record (`incident_record`, as the case's hook does when a case names a key person), the
  grid worker talks with them the next working day and raises them to red naming the case;
  weeks after the dispute is closed the grid worker asks to lower them to yellow, and the
  leader approves it two working days later.

A small year of cases (`--small-year`, the tests) gets the same register, changes and tasks
with only the visits of its last thirteen weeks (every record's last visits, so the schedule
stands at the end as in the whole year), so that it still loads in seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fengqiao.cases.models import Kind, PartyRole, State
from fengqiao.demo.cases.plan import CUTOFF, REFERENCE_NOW, SHANGHAI, STORY_KEY, package_calendar
from fengqiao.demo.cases.town import Grid, TownView
from fengqiao.demo.logs import SMALL_YEAR_CASES
from fengqiao.keypersons.models import Duty, Risk, VisitKind, VisitMethod
from fengqiao.keypersons.selectors import MENTAL_FOLLOW_UP_DAYS, UNSTABLE_RISK
from fengqiao.keypersons.services import DEFAULT_LEVELS
from fengqiao.people.models import Gender

if TYPE_CHECKING:
    from fengqiao.demo.cases import CaseRefs
    from fengqiao.demo.generator import PersonPlan, TownPlan

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
LAST_DAY = CUTOFF.astimezone(SHANGHAI).date()
# Overdue means not visited by the day the visit was due, counted on the demo's morning.
TODAY = REFERENCE_NOW.astimezone(SHANGHAI).date()
REFERENCE_YEAR = 2026
# Registration: the first two weeks of the demo year.
REGISTER_FROM, REGISTER_TO = dt.date(2025, 12, 1), dt.date(2025, 12, 12)
EVERY = {code: every for code, _name, _colour, _rank, every, _after in DEFAULT_LEVELS}
RANK = {code: rank for code, _name, _colour, rank, _every, _after in DEFAULT_LEVELS}
HABITUAL_LATE = {"grid06", "grid13"}
# A small year (`--small-year`, the tests) writes the visits of its last thirteen weeks
# only: every record's last visit, the green ones' included, and the state at the end.
SMALL_YEAR_DAYS = 91
# How much more a grid with a grid worker weighs than one with none, when spreading.
WORKER_WEIGHT = 3
# The risk assessed at a visit to a severe mental disorder (0–5), by weight: mostly stable.
MENTAL_RISKS = ((0, 70), (1, 25), (2, 5))
MENTAL_RISKS_RED = ((0, 3), (1, 6), (2, 2), (3, 1))
# How many are overdue at the demo's now: each misses the last visit the schedule asks for.
OVERDUE = 5
# The holiday visits: the working days before the Spring Festival and Mid-Autumn holidays,
# and the share of the register visited.
SPRING_FESTIVAL = (dt.date(2026, 2, 9), dt.date(2026, 2, 14), 0.7)
MID_AUTUMN = (dt.date(2026, 9, 21), dt.date(2026, 9, 24), 0.45)

# (categories, level, how many, ages, share of men): the register, apart from the resident
# of the incident (a released prisoner at yellow, found among the dispute's parties).
PROFILES: tuple[tuple[tuple[str, ...], str, int, tuple[int, int], float], ...] = (
    (("released",), "red", 1, (25, 45), 1.0),
    (("released",), "orange", 2, (25, 50), 0.9),
    (("released",), "yellow", 4, (25, 60), 0.85),
    (("released",), "green", 6, (30, 65), 0.8),
    (("released", "drugs"), "orange", 1, (25, 45), 1.0),
    (("correction",), "orange", 3, (22, 55), 0.85),
    (("correction",), "yellow", 4, (22, 60), 0.75),
    (("mental",), "red", 1, (25, 55), 0.6),
    (("mental",), "yellow", 4, (20, 70), 0.5),
    (("mental",), "green", 5, (25, 75), 0.5),
    (("drugs",), "red", 1, (22, 40), 0.9),
    (("drugs",), "orange", 2, (22, 45), 0.85),
    (("drugs",), "yellow", 3, (25, 50), 0.8),
    (("drugs",), "green", 2, (28, 55), 0.8),
    (("petition",), "orange", 2, (45, 75), 0.6),
    (("petition",), "yellow", 4, (40, 78), 0.6),
    (("petition",), "green", 2, (40, 78), 0.6),
    (("youth",), "yellow", 4, (20, 25), 0.75),
    (("youth",), "green", 2, (20, 25), 0.6),
    (("youth", "idle"), "yellow", 1, (20, 25), 1.0),
    (("hiv",), "green", 1, (25, 55), 0.7),
    (("idle",), "yellow", 1, (25, 45), 0.9),
    (("idle",), "green", 3, (25, 50), 0.8),
)
# Those who come onto the register during the year: (categories, level) → the day.
LATER: dict[tuple[tuple[str, ...], str], dt.date] = {
    (("correction",), "yellow"): dt.date(2026, 3, 16),
    (("released",), "yellow"): dt.date(2026, 4, 20),
    (("mental",), "green"): dt.date(2026, 6, 22),
    (("correction",), "orange"): dt.date(2026, 8, 10),
}

# ------------------------------------------------------------------- the words
OFFENCES_MEN = ("盗窃罪", "故意伤害罪", "寻衅滋事罪", "诈骗罪", "交通肇事罪", "开设赌场罪")
OFFENCES_WOMEN = ("盗窃罪", "诈骗罪", "组织卖淫罪", "非法吸收公众存款罪")
DIAGNOSES = (
    ("精神分裂症", 6),
    ("双相情感障碍", 2),
    ("偏执性精神病", 1),
    ("分裂情感性障碍", 1),
    ("癫痫所致精神障碍", 1),
    ("精神发育迟滞伴发精神障碍", 1),
)
PETITION_MATTERS = ("征地补偿", "拆迁安置", "工伤赔偿", "养老保险待遇", "宅基地确权", "欠薪")
WORK = (
    "附近物流园做装卸工",
    "镇上饭店帮厨",
    "建筑工地打零工",
    "家中务农",
    "跑网约车",
    "园区企业做保安",
    "亲戚的修车铺帮忙",
)
REASONS = {
    "released": "司法所移交的安置帮教对象，核实后登记。",
    "correction": "万泉司法所通报的社区矫正对象，纳入网格管理。",
    "mental": "镇卫生院提供的严重精神障碍患者名单，入户核实后登记。",
    "drugs": "派出所通报的吸毒人员，核实后纳入管理。",
    "petition": "多次到市、区信访部门反映问题，列为重点信访人员。",
    "youth": "全面排查发现，闲散在家、与社会人员来往较多。",
    "hiv": "疾控部门通报，按要求纳入关爱帮扶，注意保护个人隐私。",
    "idle": "全面排查发现，长期无固定工作。",
}
# What a visit finds, by category and kind; {work}, {matter}, {guardian} from the record.
FINDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "released": {
        VisitKind.VISIT: (
            "上门走访，其在{work}，收入稳定，与家人相处融洽，思想稳定。",
            "入户走访，了解近期生活和就业情况，本人表示遵纪守法，无异常。",
            "走访其家属，反映其近期按时上下班，作息规律，无不良交往。",
        ),
        VisitKind.TALK: (
            "谈心谈话，其对安置帮教工作表示感谢，表示珍惜现在的生活。",
            "谈心谈话，其想学驾驶技术，已告知区里技能培训的报名渠道。",
        ),
        VisitKind.LEGAL: ("为其讲解劳动合同和社保缴纳的规定，帮助维护自身合法权益。",),
    },
    "correction": {
        VisitKind.VISIT: (
            "走访核实居住情况，与登记地址一致，手机定位正常，未发现违规外出。",
            "入户走访，家属反映其按时到司法所报到，参加公益活动，表现良好。",
        ),
        VisitKind.TALK: (
            "谈心谈话，了解矫正期间思想动态，能遵守报到和请假规定，表现良好。",
            "谈心谈话，其在{work}，希望矫正期满后找份长期工作，已鼓励。",
        ),
        VisitKind.LEGAL: ("配合司法所开展法治教育，学习《社区矫正法》有关请假和外出的规定。",),
    },
    "mental": {
        VisitKind.VISIT: (
            "入户随访，患者在家，按时服药，病情稳定，监护人{guardian}看护到位。",
            "入户随访，精神状态良好，睡眠饮食正常，无肇事肇祸倾向。",
            "随访监护人{guardian}，反映患者近期服药规律，情绪平稳。",
        ),
        VisitKind.COUNSELLING: (
            "会同镇卫生院精防医生开展心理疏导，患者交流顺畅，情绪较前好转。",
            "开展心理疏导，提醒监护人{guardian}督促按时服药、按期复诊。",
        ),
    },
    "drugs": {
        VisitKind.VISIT: (
            "走访了解近况，其在{work}，生活规律，未发现复吸迹象。",
            "入户走访，家属反映其近期表现良好，按时参加尿检。",
        ),
        VisitKind.TALK: ("谈心谈话，强调远离毒品和原来的交往圈子，本人态度端正。",),
    },
    "petition": {
        VisitKind.VISIT: (
            "上门走访，其在家，生活正常，近期无到市、区上访的打算。",
            "走访了解{matter}问题的办理进展，其表示等待处理结果，情绪平稳。",
        ),
        VisitKind.TALK: (
            "谈心谈话，其仍反映{matter}问题，已耐心解释相关政策，情绪平稳。",
            "谈心谈话，了解家庭近况，其表示相信镇里能妥善处理{matter}问题。",
        ),
        VisitKind.LEGAL: ("邀请法律顾问为其解答{matter}的法律规定，引导通过法定途径表达诉求。",),
    },
    "youth": {
        VisitKind.VISIT: ("走访其家庭，近期作息规律，没有与社会闲散人员来往。",),
        VisitKind.TALK: (
            "谈心谈话，其近期在找工作，已推荐参加区里的技能培训。",
            "与其及家长交流，近期在{work}，表现稳定。",
        ),
        VisitKind.COUNSELLING: ("开展心理疏导，其讲述与父母沟通不畅的烦恼，已引导多与家人交流。",),
    },
    "hiv": {
        VisitKind.VISIT: ("走访了解治疗情况，按时到定点医院领药，身体状况良好。",),
        VisitKind.COUNSELLING: ("开展心理疏导，鼓励其坚持治疗、按时服药，注意保护个人隐私。",),
    },
    "idle": {
        VisitKind.VISIT: (
            "走访了解，其近期在家，无固定工作，已推荐到园区企业应聘。",
            "入户走访，其在{work}，无不良交往。",
        ),
        VisitKind.TALK: ("谈心谈话，劝导其找份稳定工作，本人表示愿意参加技能培训。",),
    },
}
HOLIDAY_WORDS = {
    SPRING_FESTIVAL: (
        "春节前上门慰问，送去米面油，其和家人表示感谢，节日期间无外出打算。",
        "春节前走访慰问，了解过节安排，提醒注意用火用电安全，情绪稳定。",
    ),
    MID_AUTUMN: (
        "中秋节前走访慰问，送去月饼，了解节日安排，情绪稳定。",
        "中秋节前上门慰问，与其家人拉家常，家庭和睦，无异常。",
    ),
}
UNEASY = (
    "近期与家人发生争吵，情绪有波动，已做疏导，继续密切关注。",
    "其近期外出务工，电话联系后返回时上门走访，情况正常。",
)
# What each category's visits usually are, by weight.
KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    "released": ((VisitKind.VISIT, 6), (VisitKind.TALK, 3), (VisitKind.LEGAL, 1)),
    "correction": ((VisitKind.VISIT, 4), (VisitKind.TALK, 4), (VisitKind.LEGAL, 2)),
    "mental": ((VisitKind.VISIT, 8), (VisitKind.COUNSELLING, 2)),
    "drugs": ((VisitKind.VISIT, 6), (VisitKind.TALK, 4)),
    "petition": ((VisitKind.VISIT, 3), (VisitKind.TALK, 5), (VisitKind.LEGAL, 2)),
    "youth": ((VisitKind.VISIT, 3), (VisitKind.TALK, 5), (VisitKind.COUNSELLING, 2)),
    "hiv": ((VisitKind.VISIT, 7), (VisitKind.COUNSELLING, 3)),
    "idle": ((VisitKind.VISIT, 6), (VisitKind.TALK, 4)),
}
# Plan tasks: (category, text, days after registration it is due, done after (days) or None).
TASKS = (
    ("released", "联系镇劳动保障所，推荐就业岗位", 45, 30),
    ("correction", "配合司法所落实每月集中教育和社区服务", 60, 40),
    ("mental", "协助监护人申领监护补贴（以奖代补）", 40, 25),
    ("mental", "督促按时服药，每月到镇卫生院取药复诊", 390, None),
    ("drugs", "配合派出所每季度开展尿检，记录结果", 90, 85),
    ("petition", "邀请法律顾问上门解答政策，引导依法表达诉求", 30, 20),
    ("youth", "联系区职业技能培训学校，动员报名参加培训", 120, None),
    ("idle", "推荐参加园区企业招聘会", 75, 60),
)
# The red patient's unstable visit of the autumn (within a small year's weeks too).
RELAPSE_FROM = dt.date(2026, 10, 19)
RELAPSE_WORDS = (
    "入户随访，监护人{guardian}反映患者近一周睡眠差、自言自语增多，自行减药，"
    "评估为3级，已联系镇卫生院精防医生，当日转诊。"
)
REFERRAL_NOTE = "已联系镇卫生院精防医生，送区精神卫生中心复诊并调整用药，监护人陪同，情绪已平稳。"
TASK_NOTES = {
    "released": "已推荐到园区物流公司做分拣工，已上岗。",
    "correction": "已按月参加集中教育和社区服务，司法所记录在案。",
    "mental": "已协助提交申请材料，监护补贴按季度发放。",
    "drugs": "已配合派出所完成本季度尿检，结果阴性。",
    "petition": "法律顾问已上门解答，其表示通过法定途径反映。",
    "idle": "已参加招聘会，与一家企业达成用工意向。",
}


# ------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class RecordPlan:
    key: int  # index into TownPlan.persons
    registrar: str
    registered_at: dt.datetime
    level: str
    categories: tuple[tuple[str, Mapping[str, Any]], ...]
    reason: str
    notes: str
    staff: tuple[tuple[str, str], ...] = ()  # (username, duty) joining the default staff


@dataclass(frozen=True)
class VisitPlan:
    key: int
    visitor: str
    on: dt.date
    written_at: dt.datetime
    kind: str
    method: str
    findings: str
    risk: str
    mental_risk: int | None = None
    companions: str = ""


@dataclass(frozen=True)
class ChangePlan:
    key: int
    actor: str
    at: dt.datetime
    level: str
    reason: str
    case: str = ""  # the key of the case
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class TaskPlan:
    key: int
    actor: str
    at: dt.datetime
    text: str
    due_on: dt.date
    assignee: str
    done_at: dt.datetime | None = None
    done_note: str = ""


@dataclass(frozen=True)
class IncidentPlan:
    key: int
    case: str
    at: dt.datetime


@dataclass(frozen=True)
class ReferralPlan:
    """The referral an unstable risk level (3–5) puts in the plan at the visit
    (`visit_record` adds the task), done by the visitor the next working day."""

    visit: VisitPlan
    done_at: dt.datetime
    note: str


@dataclass(frozen=True)
class KeyPersonPlan:
    records: tuple[RecordPlan, ...]
    visits: tuple[VisitPlan, ...]
    changes: tuple[ChangePlan, ...]
    tasks: tuple[TaskPlan, ...]
    incident: IncidentPlan | None
    referrals: tuple[ReferralPlan, ...] = ()


@dataclass
class _Person:
    """The planner's working state of one record."""

    record: RecordPlan
    grid: Grid
    visitor: str
    cadre: str
    companions: str
    words: dict[str, str]
    overdue: bool = False
    visits: list[VisitPlan] = field(default_factory=list)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _values in self.record.categories)

    @property
    def mental(self) -> bool:
        return "mental" in self.codes


def _age(person: PersonPlan) -> int:
    return REFERENCE_YEAR - person.birth_date.year


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + DAY * rng.randint(0, (last - first).days)


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28))


def due_after(level: str, since: dt.date, *, mental: bool, mental_risk: int | None) -> dt.date:
    """The register's schedule (`keypersons.selectors.next_visit_due`) for the default
    levels: the level's interval, and for a severe mental disorder no later than its risk
    assessment allows."""
    due = since + DAY * EVERY[level]
    if mental:
        days = MENTAL_FOLLOW_UP_DAYS.get(mental_risk if mental_risk is not None else 0, 90)
        due = min(due, since + DAY * days)
    return due


class _Planner:
    def __init__(self, plan: TownPlan) -> None:
        self.town_plan = plan
        self.town = TownView(plan)
        self.rng = random.Random(f"fengqiao-demo-keypersons-{plan.seed}")
        self.calendar = package_calendar()
        self.names = {account.username: account.full_name for account in plan.accounts}
        self.liaisons = self.town.liaisons
        self.households: dict[str, list[int]] = defaultdict(list)
        for index, person in enumerate(plan.persons):
            self.households[person.address].append(index)
        self.taken: set[int] = set()
        self.busy: set[str] = set()  # households with a record
        self.per_grid: Counter[str] = Counter()
        self.small = len(plan.cases) < SMALL_YEAR_CASES

    # ------------------------------------------------------------ days and times
    def working_on_or_after(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day += DAY
        return day

    def working_on_or_before(self, day: dt.date) -> dt.date:
        while not self.calendar.is_working_day(day):
            day -= DAY
        return day

    def moment(self, day: dt.date, start: dt.time, end: dt.time) -> dt.datetime:
        opens = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
        span = int((dt.datetime.combine(day, end, tzinfo=SHANGHAI) - opens) / MINUTE)
        return opens + MINUTE * self.rng.randint(0, span)

    # ------------------------------------------------------------ who
    def pick(self, ages: tuple[int, int], male_share: float, *, guardian: bool) -> int:
        """A resident who fits, not in a household already on the register (with a grown-up
        to be the guardian where one is needed): from the village, then the grid, with the
        fewest records for its weight so far, so that the register spreads over the town
        (the grids with a grid worker weigh more: most records are a grid worker's)."""
        rng = self.rng
        villages = list(self.town.villages)
        rng.shuffle(villages)
        villages.sort(key=lambda village: self.load(village.grids))
        male = rng.random() < male_share
        for relaxed in (False, True):
            for village in villages:
                grids = list(village.grids)
                rng.shuffle(grids)
                grids.sort(key=lambda grid: self.load([grid]))
                for grid in grids:
                    fitting = [
                        index
                        for unit in grid.units
                        for index in unit.residents
                        if self.fits(index, ages, male, guardian=guardian, relaxed=relaxed)
                    ]
                    if fitting:
                        self.per_grid[grid.code] += 1
                        return rng.choice(fitting)
        raise ValueError(f"no resident aged {ages} left for the register")

    def load(self, grids: list[Grid]) -> float:
        """Records so far in `grids` for their weight (a grid with a grid worker weighs
        WORKER_WEIGHT, one looked after by the village cadre alone 1)."""
        weight = sum(WORKER_WEIGHT if grid.worker else 1 for grid in grids)
        return sum(self.per_grid[grid.code] for grid in grids) / weight

    def fits(
        self, index: int, ages: tuple[int, int], male: bool, *, guardian: bool, relaxed: bool
    ) -> bool:
        person = self.town_plan.persons[index]
        if index in self.taken or person.address in self.busy:
            return False
        if not ages[0] <= _age(person) <= ages[1]:
            return False
        if not relaxed and (person.gender == Gender.MALE) != male:
            return False
        return not guardian or self.guardian_of(index) is not None

    def guardian_of(self, index: int) -> int | None:
        person = self.town_plan.persons[index]
        others = [
            other
            for other in self.households[person.address]
            if other != index and 18 <= _age(self.town_plan.persons[other]) <= 80
        ]
        return others[0] if others else None

    def relation(self, index: int, other: int) -> str:
        person, member = self.town_plan.persons[index], self.town_plan.persons[other]
        gap = person.birth_date.year - member.birth_date.year
        male = member.gender == Gender.MALE
        if gap >= 18:
            return "父亲" if male else "母亲"
        if gap <= -18:
            return "儿子" if male else "女儿"
        if member.gender != person.gender:
            return "丈夫" if male else "妻子"
        return "兄弟" if male else "姐妹"

    # ------------------------------------------------------------ the records
    def particulars(self, code: str, level: str, index: int, registered: dt.date) -> dict[str, Any]:
        rng = self.rng
        person = self.town_plan.persons[index]
        recent = RANK[level] >= RANK["orange"]
        if code == "released":
            if registered > REGISTER_TO:
                released = registered - DAY * rng.randint(2, 5)
            elif recent:
                released = _date_between(rng, dt.date(2025, 3, 1), dt.date(2025, 11, 20))
            else:
                released = _date_between(rng, dt.date(2021, 3, 1), dt.date(2025, 6, 30))
            offences = OFFENCES_MEN if person.gender == Gender.MALE else OFFENCES_WOMEN
            return {"release_date": released.isoformat(), "offence": rng.choice(offences)}
        if code == "correction":
            if registered > REGISTER_TO:
                starts = registered - DAY * rng.randint(1, 4)
            else:
                starts = _date_between(rng, dt.date(2025, 1, 6), dt.date(2025, 11, 14))
            ends = _months_later(starts, rng.choice((12, 18, 24, 36))) - DAY
            while ends <= dt.date(2026, 12, 31):
                ends = _months_later(ends, 12)
            return {
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat(),
                "judicial_office": "万泉司法所",
            }
        if code == "mental":
            guardian = self.guardian_of(index)
            assert guardian is not None
            member = self.town_plan.persons[guardian]
            values = {
                "diagnosis": _weighted(rng, DIAGNOSES),
                "guardian": f"{member.name}（{self.relation(index, guardian)}）",
            }
            if member.phone:
                values["guardian_phone"] = member.phone
            return values
        if code == "drugs":
            status = {
                "red": "社区戒毒",
                "orange": "社区康复",
                "yellow": rng.choice(("社区康复", "戒断三年未复吸")),
                "green": "戒断三年未复吸",
            }[level]
            since = {
                "社区戒毒": (dt.date(2025, 6, 1), dt.date(2025, 10, 31)),
                "社区康复": (dt.date(2023, 3, 1), dt.date(2025, 5, 31)),
                "戒断三年未复吸": (dt.date(2019, 1, 1), dt.date(2022, 10, 31)),
            }[status]
            return {"status": status, "since": _date_between(rng, *since).isoformat()}
        return {}

    def record(
        self,
        index: int,
        codes: tuple[str, ...],
        level: str,
        *,
        arrival: dt.date | None = None,
        offence: str = "",
    ) -> _Person:
        rng = self.rng
        person = self.town_plan.persons[index]
        self.taken.add(index)
        self.busy.add(person.address)
        unit = self.town.units[person.area_code]
        grid, village = unit.grid, unit.village
        registrar = grid.worker or village.cadre
        if arrival is None:
            day = self.working_on_or_after(_date_between(rng, REGISTER_FROM, REGISTER_TO))
        else:
            day = self.working_on_or_after(arrival)
        registered_at = self.moment(day, dt.time(9, 0), dt.time(17, 0))
        categories = []
        for code in codes:
            values = self.particulars(code, level, index, day)
            if code == "released" and offence:
                values["offence"] = offence
            categories.append((code, values))
        words = {
            "work": rng.choice(WORK),
            "matter": rng.choice(PETITION_MATTERS),
            "guardian": "",
        }
        notes = ""
        if "petition" in codes:
            notes = f"反映{words['matter']}问题，曾到市、区信访部门上访。"
        if "mental" in codes:
            guardian = dict(categories)["mental"]["guardian"]
            words["guardian"] = guardian.split("（")[0]
            notes = f"与监护人{guardian}同住。"
        elif "released" in codes or "drugs" in codes or "idle" in codes:
            notes = f"现在{words['work']}。"
        staff = []
        companions = ""
        if "correction" in codes:
            staff.append((self.liaisons["judicial"], Duty.JUDICIAL))
            companions = f"万泉司法所{self.names[self.liaisons['judicial']]}"
        if "mental" in codes and "health" in self.liaisons:
            staff.append((self.liaisons["health"], Duty.HEALTH))
            companions = f"镇卫生院精防医生{self.names[self.liaisons['health']]}"
        if {"released", "drugs"} & set(codes) and RANK[level] >= RANK["orange"]:
            staff.append((self.liaisons["police"], Duty.POLICE))
            companions = f"社区民警{self.names[self.liaisons['police']]}"
        record = RecordPlan(
            key=index,
            registrar=registrar,
            registered_at=registered_at,
            level=level,
            categories=tuple(categories),
            reason=" ".join(dict.fromkeys(REASONS[code] for code in codes)),
            notes=notes,
            staff=tuple(staff),
        )
        return _Person(record, grid, registrar, village.cadre, companions, words)

    # ------------------------------------------------------------ the visits
    def late_share(self, person: _Person) -> float:
        if person.visitor in HABITUAL_LATE:
            return 0.25
        return 0.08 if person.visitor == person.cadre else 0.05

    def visit_day(self, person: _Person, since: dt.date, due: dt.date) -> dt.date:
        """A few days before the visit is due, on a working day; now and then late."""
        rng = self.rng
        interval = (due - since).days
        # (Someone who lapses at the end is visited on time before, so that they do.)
        if not person.overdue and rng.random() < self.late_share(person):
            day = self.working_on_or_after(due + DAY * rng.randint(1, max(2, interval // 3)))
            if day <= LAST_DAY:
                return day
        day = self.working_on_or_before(due - DAY * rng.randint(0, min(6, interval // 4)))
        # Where no working day lies between, the visit is made on the rest day.
        return day if day > since else max(since + DAY, due - DAY * rng.randint(0, 1))

    def visit(
        self,
        person: _Person,
        day: dt.date,
        level: str,
        *,
        kind: str = "",
        findings: str = "",
        risk: str = "",
        holiday: tuple[dt.date, dt.date, float] | None = None,
    ) -> VisitPlan:
        rng = self.rng
        code = person.codes[0]
        if holiday is not None:
            kind = VisitKind.HOLIDAY
            findings = rng.choice(HOLIDAY_WORDS[holiday])
        kind = kind or _weighted(rng, KINDS[code])
        if not findings:
            if rng.random() < (0.12 if RANK[level] >= RANK["orange"] else 0.03):
                findings, risk = rng.choice(UNEASY), risk or Risk.MEDIUM
            else:
                findings = rng.choice(FINDINGS[code].get(kind) or FINDINGS[code][VisitKind.VISIT])
        findings = findings.format(**person.words)
        if not risk:
            medium = {"red": 0.3, "orange": 0.12}.get(level, 0.0)
            risk = Risk.MEDIUM if rng.random() < medium else Risk.LOW
        method = VisitMethod.HOME
        if kind == VisitKind.HOLIDAY:
            method = VisitMethod.HOME
        elif kind == VisitKind.LEGAL or (code == "correction" and rng.random() < 0.3):
            method = VisitMethod.OFFICE
        elif RANK[level] <= RANK["yellow"] and rng.random() < 0.15:
            method = rng.choice((VisitMethod.PHONE, VisitMethod.PHONE, VisitMethod.VIDEO))
        mental_risk = None
        if person.mental:
            weights = (
                ((0, 2), (1, 5), (2, 2), (3, 1)) if level == "red" else ((0, 70), (1, 25), (2, 5))
            )
            mental_risk = _weighted(rng, weights)
        visitor, companions = person.visitor, ""
        if kind == VisitKind.HOLIDAY and person.grid.worker and rng.random() < 0.5:
            # The village cadre brings the holiday visit, with the grid worker.
            visitor, companions = person.cadre, f"网格员{self.names[person.grid.worker]}"
        elif person.companions and rng.random() < 0.4 and method != VisitMethod.PHONE:
            companions = person.companions
        at = self.moment(day, dt.time(8, 45), dt.time(17, 15))
        written = at + MINUTE * rng.randint(10, 90)
        if rng.random() < 0.15:
            written = self.moment(day, dt.time(19, 0), dt.time(21, 30))
        visit = VisitPlan(
            key=person.record.key,
            visitor=visitor,
            on=day,
            written_at=min(written, CUTOFF),
            kind=kind,
            method=method,
            findings=findings,
            risk=risk,
            mental_risk=mental_risk,
            companions=companions,
        )
        person.visits.append(visit)
        return visit

    def holidays_of(self, person: _Person) -> list[tuple[dt.date, dt.date, float]]:
        return [
            holiday for holiday in (SPRING_FESTIVAL, MID_AUTUMN) if self.rng.random() < holiday[2]
        ]

    def follow(
        self,
        person: _Person,
        level: str,
        since: dt.date,
        *,
        until: dt.date = TODAY,
        holidays: list[tuple[dt.date, dt.date, float]] | None = None,
    ) -> dt.date:
        """Visit on the level's schedule from `since` until the next visit is due on or
        after `until` (or, for a person who lapses, until a visit due in the last month is
        missed); the day of the last visit."""
        rng = self.rng
        holidays = list(holidays or [])
        mental_risk = next((visit.mental_risk for visit in reversed(person.visits)), None)
        while True:
            due = due_after(level, since, mental=person.mental, mental_risk=mental_risk)
            if due >= until:
                return since
            if (
                person.overdue
                and due_after(level, due, mental=person.mental, mental_risk=mental_risk) >= until
            ):
                # The last visit the schedule asks for before the end is missed.
                return since
            day = self.visit_day(person, since, due)
            if day >= until:
                return since
            # A holiday visit that falls before it takes its place.
            festive = next((h for h in holidays if since < h[0] <= day), None)
            if festive is not None:
                holidays.remove(festive)
                last = max(festive[0], min(festive[1], day))
                day = self.working_on_or_after(_date_between(rng, festive[0], last))
                visit = self.visit(person, day, level, holiday=festive)
            else:
                visit = self.visit(person, day, level)
            mental_risk, since = visit.mental_risk, day

    def autumn_relapse(self, person: _Person) -> None:
        """The red patient's first visit from late October finds them unstable (risk 3):
        the service refers them, and the visitor sees to it the next working day. (Weekly
        visits stay weekly: the schedule is as it was.)"""
        for number, visit in enumerate(person.visits):
            if visit.on >= RELAPSE_FROM:
                person.visits[number] = dataclasses.replace(
                    visit,
                    kind=VisitKind.VISIT,
                    method=VisitMethod.HOME,
                    findings=RELAPSE_WORDS.format(**person.words),
                    risk=Risk.HIGH,
                    mental_risk=UNSTABLE_RISK,
                )
                return

    # ------------------------------------------------------------ the incident
    def incident_case(self) -> tuple[Any, int] | None:
        """A dispute of the spring or summer, settled and closed by the autumn, with a
        resident of a grid that has a grid worker among its parties (the respondent if
        possible); the iron triangle's and the walkthrough's are left as they are."""
        for case in sorted(self.town_plan.cases, key=lambda case: case.received_at):
            if case.kind != Kind.DISPUTE or case.key == STORY_KEY or case.state != State.CLOSED:
                continue
            if not dt.date(2026, 3, 1) <= case.received_at.date() <= dt.date(2026, 8, 31):
                continue
            if any(step.action == "escalate" for step in case.steps):
                continue
            closed = [step.at for step in case.steps if step.action == "close"]
            if not closed or closed[-1].date() > dt.date(2026, 9, 30):
                continue
            parties = sorted(
                (party for party in case.parties if party.person >= 0),
                key=lambda party: party.role != PartyRole.RESPONDENT,
            )
            for party in parties:
                person = self.town_plan.persons[party.person]
                if (
                    25 <= _age(person) <= 62
                    and party.person != self.town.story_person
                    and self.town.units[person.area_code].grid.worker
                ):
                    return case, party.person
        return None

    def play_incident(self, person: _Person, case: Any, changes: list[ChangePlan]) -> IncidentPlan:
        rng = self.rng
        worker = person.visitor
        received = case.received_at.astimezone(SHANGHAI)
        start = person.record.registered_at.date()
        self.follow(person, "yellow", start, until=received.date(), holidays=[SPRING_FESTIVAL])
        # The next working day the grid worker talks with them, and raises them to red.
        talk_on = self.working_on_or_after(received.date() + DAY)
        talk = self.visit(
            person,
            talk_on,
            "yellow",
            kind=VisitKind.TALK,
            findings=(
                f"因{case.title}与对方当事人发生争执，情绪激动，言语中有过激言论，已劝导，"
                "并通报社区民警。"
            ),
            risk=Risk.HIGH,
        )
        raised_at = talk.written_at + MINUTE * rng.randint(10, 40)
        changes.append(
            ChangePlan(
                key=person.record.key,
                actor=worker,
                at=raised_at,
                level="red",
                reason=(
                    f"作为当事人卷入{{number}}（{case.title}），争执中情绪激动、扬言报复，"
                    "存在矛盾激化风险，升为红色，每周走访。"
                ),
                case=case.key,
            )
        )
        # Red: every week, until some weeks after the dispute was closed.
        closed = max(step.at for step in case.steps if step.action == "close")
        ask_from = max(closed.date() + DAY * 14, talk_on + DAY * 42)
        since = talk_on
        weeks = 0
        while True:
            due = due_after("red", since, mental=False, mental_risk=None)
            day = self.working_on_or_before(due - DAY * rng.randint(0, 1))
            day = day if day > since else due
            calm = weeks >= 2
            self.visit(
                person,
                day,
                "red",
                kind=VisitKind.VISIT if weeks % 2 else VisitKind.TALK,
                findings=(
                    "走访了解，其情绪已平稳，生活和工作正常，与对方见面能打招呼，无过激言行。"
                    if calm
                    else "事件调处期间走访，其情绪逐步平稳，表示接受调解。"
                ),
                risk=Risk.LOW if calm else Risk.MEDIUM,
            )
            since, weeks = day, weeks + 1
            if day >= ask_from:
                break
        asked = person.visits[-1].written_at + MINUTE * rng.randint(20, 90)
        decided_on = self.working_on_or_after(asked.date() + DAY)
        decided_on = self.working_on_or_after(decided_on + DAY)
        changes.append(
            ChangePlan(
                key=person.record.key,
                actor=worker,
                at=asked,
                level="yellow",
                reason=(
                    f"{{number}}已调解化解并结案，连续{weeks}周走访其情绪稳定，"
                    "无过激言行，申请降为黄色。"
                ),
                case=case.key,
                decided_by="leader",
                decided_at=self.moment(decided_on, dt.time(9, 0), dt.time(11, 30)),
                decision_note="同意降为黄色，继续按月走访。",
            )
        )
        # After the approval, monthly again (the Mid-Autumn visit among them).
        self.follow(person, "yellow", since, holidays=[MID_AUTUMN] if since < MID_AUTUMN[0] else [])
        return IncidentPlan(person.record.key, case.key, case.received_at)

    # ------------------------------------------------------------ the year
    def plan(self) -> KeyPersonPlan:
        rng = self.rng
        people: list[_Person] = []
        changes: list[ChangePlan] = []
        found = self.incident_case()
        incident_person = None
        if found is not None:
            _case, index = found
            person = self.town_plan.persons[index]
            offence = "寻衅滋事罪" if person.gender == Gender.MALE else "故意伤害罪"
            incident_person = self.record(index, ("released",), "yellow", offence=offence)
            self.per_grid[self.town.units[person.area_code].grid.code] += 1
            people.append(incident_person)
        for codes, level, count, ages, male_share in PROFILES:
            for number in range(count):
                arrival = LATER.get((codes, level)) if number == 0 else None
                index = self.pick(ages, male_share, guardian="mental" in codes)
                people.append(self.record(index, codes, level, arrival=arrival))
        # A handful lapse in the autumn: the habitual non-loggers' first, then others.
        lapsing = [
            person
            for person in people
            if person is not incident_person
            and person.record.level in ("yellow", "orange")
            and person.record.registered_at.date() <= REGISTER_TO
        ]
        rng.shuffle(lapsing)
        lapsing.sort(key=lambda person: person.visitor not in HABITUAL_LATE)
        for person in lapsing[:OVERDUE]:
            person.overdue = True
        incident = None
        for person in people:
            if person is incident_person:
                assert found is not None
                incident = self.play_incident(person, found[0], changes)
                continue
            self.follow(
                person,
                person.record.level,
                person.record.registered_at.date(),
                holidays=self.holidays_of(person),
            )
        for person in people:
            if person.mental and person.record.level == "red":
                self.autumn_relapse(person)
        tasks = self.tasks(people)
        # A small year keeps the visits of its last weeks only (each record's last visits,
        # so that the schedule stands at the end as in the whole year).
        first = LAST_DAY - DAY * SMALL_YEAR_DAYS if self.small else dt.date.min
        visits = sorted(
            (visit for person in people for visit in person.visits if visit.on >= first),
            key=lambda visit: (visit.written_at, visit.key),
        )
        referrals = []
        for visit in visits:
            if visit.mental_risk is not None and visit.mental_risk >= UNSTABLE_RISK:
                day = self.working_on_or_after(visit.on + DAY)
                done_at = self.moment(day, dt.time(9, 0), dt.time(11, 30))
                if done_at <= CUTOFF:  # (one of the last day stands open at the demo's now)
                    referrals.append(ReferralPlan(visit, done_at, REFERRAL_NOTE))
        return KeyPersonPlan(
            records=tuple(sorted((p.record for p in people), key=lambda r: r.registered_at)),
            visits=tuple(visits),
            changes=tuple(changes),
            tasks=tasks,
            incident=incident,
            referrals=tuple(referrals),
        )

    def tasks(self, people: list[_Person]) -> tuple[TaskPlan, ...]:
        rng = self.rng
        tasks = []
        for code, text, due_days, done_days in TASKS:
            person = next(
                (
                    p
                    for p in people
                    if p.codes[0] == code
                    and p.record.registered_at.date() <= REGISTER_TO
                    and not any(t.key == p.record.key for t in tasks)
                ),
                None,
            )
            if person is None:
                continue
            record = person.record
            created_on = record.registered_at.date() + DAY * rng.randint(1, 3)
            created = self.moment(
                self.working_on_or_after(created_on), dt.time(9, 0), dt.time(17, 0)
            )
            assignee = person.visitor
            if code == "correction":
                assignee = self.liaisons["judicial"]
            done_at = None
            if done_days is not None:
                day = self.working_on_or_after(record.registered_at.date() + DAY * done_days)
                done_at = self.moment(day, dt.time(9, 30), dt.time(17, 0))
            tasks.append(
                TaskPlan(
                    key=record.key,
                    actor=record.registrar,
                    at=created,
                    text=text,
                    due_on=record.registered_at.date() + DAY * due_days,
                    assignee=assignee,
                    done_at=done_at,
                    done_note=TASK_NOTES.get(code, "") if done_at else "",
                )
            )
        return tuple(tasks)


def plan_keypersons(plan: TownPlan) -> KeyPersonPlan:
    """The register of the town plan with its cases, and its year; pure, so equal plans give
    equal registers."""
    return _Planner(plan).plan()


# ------------------------------------------------------------------ writing
def write_keypersons(plan: TownPlan, refs: CaseRefs) -> dict[str, int]:
    """Write `plan_keypersons(plan)` through the register's services, every step in time
    order with `now=` its moment. Runs inside the caller's transaction, after the cases."""
    from fengqiao.cases.models import Case
    from fengqiao.keypersons import services
    from fengqiao.keypersons.models import Category, Level, PlanTask

    register = plan_keypersons(plan)
    users, persons = refs.users, refs.persons
    levels = dict(Level.objects.values_list("code", "pk"))
    categories = dict(Category.objects.values_list("code", "pk"))
    cases: dict[str, Case] = {}
    if register.incident is not None:
        planned = next(case for case in plan.cases if case.key == register.incident.case)
        cases[planned.key] = Case.objects.get(received_at=planned.received_at, title=planned.title)
    records: dict[int, Any] = {}
    pending: dict[int, Any] = {}

    def registered(step: RecordPlan) -> None:
        record = services.key_person_register(
            actor=users[step.registrar],
            person_id=persons[step.key].pk,
            level_id=levels[step.level],
            categories=[(categories[code], values) for code, values in step.categories],
            reason=step.reason,
            notes=step.notes,
            now=step.registered_at,
        )
        records[step.key] = record
        for number, (username, duty) in enumerate(step.staff, start=1):
            services.responsible_add(
                actor=users[step.registrar],
                key_person_id=record.pk,
                user_id=users[username].pk,
                duty=duty,
                now=step.registered_at + MINUTE * number,
            )

    referred: dict[int, Any] = {}

    def visited(step: VisitPlan) -> None:
        visit = services.visit_record(
            actor=users[step.visitor],
            key_person_id=records[step.key].pk,
            kind=step.kind,
            method=step.method,
            occurred_on=step.on,
            findings=step.findings,
            risk=step.risk,
            mental_risk=step.mental_risk,
            companions=step.companions,
            now=step.written_at,
        )
        if step.mental_risk is not None and step.mental_risk >= UNSTABLE_RISK:
            # The referral the service put in the plan at the visit.
            referred[id(step)] = PlanTask.objects.filter(
                key_person_id=visit.key_person_id, created_at=step.written_at, done_on=None
            ).latest("pk")

    def referral_done(step: ReferralPlan) -> None:
        task = referred[id(step.visit)]
        services.plan_task_done(
            actor=users[step.visit.visitor],
            key_person_id=task.key_person_id,
            task_id=task.pk,
            note=step.note,
            now=step.done_at,
        )

    def changed(step: ChangePlan) -> None:
        case = cases.get(step.case)
        pending[id(step)] = services.level_change_request(
            actor=users[step.actor],
            key_person_id=records[step.key].pk,
            level_id=levels[step.level],
            reason=step.reason.format(number=case.number if case else ""),
            case=case,
            now=step.at,
        )

    def decided(step: ChangePlan) -> None:
        services.level_change_decide(
            actor=users[step.decided_by],
            change_id=pending[id(step)].pk,
            approve=True,
            note=step.decision_note,
            now=step.decided_at,
        )

    tasks: dict[int, Any] = {}

    def task_added(step: TaskPlan) -> None:
        tasks[id(step)] = services.plan_task_add(
            actor=users[step.actor],
            key_person_id=records[step.key].pk,
            text=step.text,
            due_on=step.due_on,
            assignee_id=users[step.assignee].pk,
            now=step.at,
        )

    def task_done(step: TaskPlan) -> None:
        services.plan_task_done(
            actor=users[step.assignee],
            key_person_id=records[step.key].pk,
            task_id=tasks[id(step)].pk,
            note=step.done_note,
            now=step.done_at,
        )

    def incident(step: IncidentPlan) -> None:
        # What the case's hook does when a case names a key person among its parties.
        services.incident_record(
            case=cases[step.case], person_ids=[persons[step.key].pk], now=step.at
        )

    steps: list[tuple[dt.datetime, int, Any, Any]] = []
    order = 0

    def add(at: dt.datetime | None, play: Any, step: Any) -> None:
        nonlocal order
        assert at is not None
        steps.append((at, order, play, step))
        order += 1

    for record in register.records:
        add(record.registered_at, registered, record)
    for visit in register.visits:
        add(visit.written_at, visited, visit)
    for change in register.changes:
        add(change.at, changed, change)
        if change.decided_by:
            add(change.decided_at, decided, change)
    for task in register.tasks:
        add(task.at, task_added, task)
        if task.done_at is not None:
            add(task.done_at, task_done, task)
    for referral in register.referrals:
        add(referral.done_at, referral_done, referral)
    if register.incident is not None:
        add(register.incident.at, incident, register.incident)
    for _at, _order, play, step in sorted(steps, key=lambda item: (item[0], item[1])):
        play(step)
    return {
        "key_persons": len(register.records),
        "key_person_visits": len(register.visits),
        "key_person_level_changes": len(register.changes),
        "key_person_tasks": len(register.tasks),
    }
