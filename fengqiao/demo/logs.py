"""A year of daily logs (民情日志) in the demo town, written through the daily log's services.

`plan_logs(plan)` decides every entry and every leave from a generator seeded by the town's
seed (and nothing else: the cases are as they are with or without the logs), and touches
no database; `write_logs` writes each writer's entries in the order they were written, in
batches checked as one entry is (`log_entries_create_many`, each entry with `now=` the
moment it was written), links the demo's daily-log cases to the entries that raised them
(`log_entry_link_case`) and records leave through `log_excuse_record` where it came.

How the year looks:
- Every grid worker (grid01 … grid16) logs on working days (the official calendar: public
  holidays off, adjusted working weekends on): usually one entry, often two, now and then
  three — patrols, home visits, policy publicity, dispute screening, visits to people who
  need watching — mostly "nothing unusual", in the worker's own words, placed by the
  phone inside the unit or grid (now and then with no position).
- Gaps: a diligent worker misses a day now and then; two habitual non-loggers (grid06 and
  grid13) leave a third of their days blank and write much of the rest a day or two late.
  Most entries are written minutes after the visit; a few the next day, and a rare one
  after the three days the rule allows, with the reason.
- Leave: each worker is away once to three times a year (annual leave, sick leave,
  training), recorded by their village's cadre, which excuses those days.
- On rest days a worker on duty logs now and then (more over the Spring Festival and the
  National Day holidays).
- Each of the demo's cases that came in through the daily log (channel 民情日志) has the
  entry that raised it: written by the case's reporter (the grid worker, or the village
  cadre where the grid has none) minutes before the case was registered, at the case's
  place, with its residents and its finding, and linked to it.

A small year of cases (`--small-year`, the tests) gets the last four weeks of logs, and
the entries of its daily-log cases, so that it still loads in seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Channel, Kind
from fengqiao.demo.cases.plan import CUTOFF, SHANGHAI, YEAR_START, CasePlan, package_calendar
from fengqiao.demo.cases.town import TownView, Unit
from fengqiao.demo.progress import Progress, Stage, no_progress
from fengqiao.gridops.models import ExcuseKind, Finding

if TYPE_CHECKING:
    from fengqiao.demo.cases import CaseRefs
    from fengqiao.demo.generator import TownPlan

MINUTE = dt.timedelta(minutes=1)
LAST_DAY = CUTOFF.astimezone(SHANGHAI).date()
# A plan with fewer cases than this is a small year: four weeks of logs.
SMALL_YEAR_CASES = 500
SMALL_YEAR_DAYS = 28
# The share of working days a worker leaves without an entry.
MISSES = 0.025
HABITUAL_NON_LOGGERS = {"grid06": 0.34, "grid13": 0.38}
# How many entries a day brings, by weight.
ENTRIES_PER_DAY = ((1, 62), (2, 30), (3, 8))
KIND_FINDING = {Kind.DISPUTE: Finding.DISPUTE, Kind.HAZARD: Finding.HAZARD}


@dataclass(frozen=True)
class EntryPlan:
    author: str
    at: dt.datetime  # when it happened
    written_at: dt.datetime  # when it was written (the service's `now`)
    area_code: str
    activities: tuple[str, ...]  # activity codes
    finding: str
    text: str
    residents: tuple[int, ...] = ()  # indexes into TownPlan.persons
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    backdate_reason: str = ""
    case: str = ""  # the key of the case it raised


@dataclass(frozen=True)
class LeavePlan:
    worker: str
    recorded_by: str
    recorded_at: dt.datetime
    starts_on: dt.date
    ends_on: dt.date
    kind: str
    reason: str


@dataclass(frozen=True)
class LogPlan:
    entries: tuple[EntryPlan, ...]
    leave: tuple[LeavePlan, ...]


# ------------------------------------------------------------------- the words
def _season(day: dt.date) -> str:
    if day.month in (12, 1, 2):
        return "winter"
    if day.month in (6, 7, 8):
        return "summer"
    return "spring" if day.month in (3, 4, 5) else "autumn"


# (activity codes, text, where: "" any | "community" | "village", season: "" any)
# {place}: the unit; {name}: a resident met; {n}: a small number; {m}: leaflets handed out.
ROUTINE: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("patrol",), "巡查{place}，楼道消防通道畅通，未发现电动车入户充电。", "community", ""),
    (("patrol",), "上午巡查{place}及周边道路，路灯、井盖完好，无占道经营。", "", ""),
    (("patrol",), "巡查{place}，提醒两家商户清理门前杂物，现场已整改，无异常。", "community", ""),
    (("patrol",), "巡查{place}村道和灌渠，渠道通畅，无私搭乱建。", "village", ""),
    (("patrol",), "巡查{place}空置房屋和彩钢房，门窗完好，未发现安全隐患。", "village", ""),
    (("patrol",), "巡查{place}垃圾收集点，清运及时，周边环境整洁。", "", ""),
    (
        ("patrol",),
        "巡查{place}，检查独居老人家中煤炉和烟道，提醒开窗通风，防范煤气中毒。",
        "",
        "winter",
    ),
    (("patrol",), "雪后巡查{place}，主要通道积雪已清扫，提醒居民出行注意防滑。", "", "winter"),
    (("patrol",), "雨后巡查{place}，排水正常，低洼处无积水。", "", "summer"),
    (("patrol",), "巡查{place}农田和机井，秋收进展顺利，无焚烧秸秆现象。", "village", "autumn"),
    (("home_visit",), "走访{place}居民{n}户，了解家中近况，{name}家老人身体尚可，无诉求。", "", ""),
    (("home_visit",), "入户走访{name}家，核实家庭人口信息，更新网格台账。", "", ""),
    (
        ("home_visit",),
        "走访{place}{n}户，听取对小区环境和物业服务的意见，居民总体满意。",
        "community",
        "",
    ),
    (
        ("home_visit",),
        "到{place}走访农户{n}户，了解春耕备耕情况，种子化肥已备齐，无困难反映。",
        "village",
        "spring",
    ),
    (
        ("home_visit",),
        "走访{place}农户{n}户，了解秋收和玉米销售情况，{name}反映价格尚可。",
        "village",
        "autumn",
    ),
    (("home_visit", "publicity"), "走访{name}家，宣传冬季取暖安全，检查烟道通畅。", "", "winter"),
    (
        ("publicity",),
        "在{place}开展反电信诈骗宣传，发放宣传折页{m}份，提醒居民安装国家反诈中心App。",
        "",
        "",
    ),
    (("publicity",), "入户宣传城乡居民医保缴费政策，{n}户已了解缴费时间和方式。", "", "autumn"),
    (("publicity",), "在{place}开展消防安全宣传，讲解电动车充电和楼道堆物的危害。", "", ""),
    (("publicity",), "宣传垃圾分类知识，引导{place}居民定点投放。", "community", ""),
    (("publicity",), "开展防溺水安全宣传，提醒家长看护好孩子，不到河渠边玩水。", "", "summer"),
    (
        ("publicity",),
        "在{place}宣传秸秆禁烧和森林草原防火规定，发放告知书{m}份。",
        "village",
        "spring",
    ),
    (
        ("publicity", "home_visit"),
        "入户讲解《民法典》相邻关系的规定，{name}表示今后有事多商量。",
        "",
        "",
    ),
    (
        ("dispute_screening",),
        "开展矛盾纠纷排查，走访楼栋长、单元长{n}名，辖区暂未发现矛盾纠纷。",
        "community",
        "",
    ),
    (
        ("dispute_screening",),
        "排查{place}邻里、家庭矛盾，走访村民小组长，无新增纠纷线索。",
        "village",
        "",
    ),
    (("dispute_screening",), "回访前期调解的纠纷当事人，双方相处正常，协议履行良好。", "", ""),
    (
        ("dispute_screening", "patrol"),
        "节前排查{place}，重点了解务工人员工资支付情况，无欠薪反映。",
        "",
        "winter",
    ),
    (("key_person_visit",), "走访辖区重点关注人员，了解近期生活和工作情况，情绪稳定。", "", ""),
    (("key_person_visit",), "走访独居老人和困难家庭{n}户，生活正常，无紧急需求。", "", ""),
)
# Entries that note something without its becoming a case.
NOTED: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("key_person_visit",),
        "走访重点关注人员，其近期外出务工，已与家属保持联系，掌握动态。",
        Finding.KEY_PERSON,
    ),
    (
        ("key_person_visit",),
        "走访社区矫正对象，按时报到，情绪平稳，近期想找工作，已推荐就业信息。",
        Finding.KEY_PERSON,
    ),
    (("home_visit",), "{name}咨询养老保险资格认证，已当场指导用手机完成认证。", Finding.OTHER),
    (("home_visit",), "{name}咨询孩子入学所需材料，已告知并留下社区电话。", Finding.OTHER),
)
DUTY = (
    (("patrol",), "节日值班，巡查{place}，烟花爆竹燃放点周边无隐患，一切正常。"),
    (("patrol",), "周末值班巡查{place}，无异常。"),
    (("patrol", "key_person_visit"), "值班期间电话联系重点关注人员，情绪稳定，在家过节。"),
)
CASE_ACTIVITIES = {
    Kind.DISPUTE: ("dispute_screening", "home_visit"),
    Kind.DEMAND: ("home_visit",),
    Kind.HAZARD: ("patrol",),
}
LATE_REASONS = ("下乡走访时手机没有信号，回来后补记。", "连续几天参加防汛值守，回来后补记。")
LEAVE = (
    (ExcuseKind.LEAVE, "年休假", (2, 5)),
    (ExcuseKind.LEAVE, "事假：家中老人住院陪护", (1, 3)),
    (ExcuseKind.SICK, "病假：感冒发烧", (1, 2)),
    (ExcuseKind.DUTY, "参加区网格员业务培训", (2, 3)),
    (ExcuseKind.DUTY, "抽调参加全区矛盾纠纷大排查", (3, 5)),
)


# ------------------------------------------------------------------- the plan
class _Planner:
    def __init__(self, plan: TownPlan) -> None:
        self.town_plan = plan
        self.town = TownView(plan)
        self.rng = random.Random(f"fengqiao-demo-logs-{plan.seed}")
        self.calendar = package_calendar()
        small = len(plan.cases) < SMALL_YEAR_CASES
        self.first_day = LAST_DAY - dt.timedelta(days=SMALL_YEAR_DAYS) if small else YEAR_START
        self.grids = {grid.code: grid for village in self.town.villages for grid in village.grids}
        self.workers = [
            (account.username, self.grids[account.home_area_code])
            for account in plan.accounts
            if account.role == Role.GRID_WORKER
        ]

    def days(self) -> list[dt.date]:
        count = (LAST_DAY - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=offset) for offset in range(count)]

    def moment(self, day: dt.date, start: dt.time, end: dt.time) -> dt.datetime:
        opens = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
        span = int((dt.datetime.combine(day, end, tzinfo=SHANGHAI) - opens) / MINUTE)
        return opens + MINUTE * self.rng.randint(0, span)

    def position(self, unit: Unit) -> tuple[Decimal | None, Decimal | None]:
        """Where the phone put the entry: near the unit's centre, or nowhere (no fix)."""
        if self.rng.random() < 0.12:
            return None, None
        jitter = Decimal("0.000001")
        return (
            (unit.latitude + Decimal(self.rng.randint(-600, 600)) * jitter).quantize(jitter),
            (unit.longitude + Decimal(self.rng.randint(-600, 600)) * jitter).quantize(jitter),
        )

    # ------------------------------------------------------------ the entries
    def case_entries(self) -> list[EntryPlan]:
        """The entry behind each case that came in through the daily log."""
        entries = []
        for case in self.town_plan.cases:
            if case.channel != Channel.DAILY_LOG:
                continue
            entries.append(self.case_entry(case))
        return entries

    def case_entry(self, case: CasePlan) -> EntryPlan:
        local = case.received_at.astimezone(SHANGHAI)
        earliest = dt.datetime.combine(local.date(), dt.time(8, 0), tzinfo=SHANGHAI)
        at = max(earliest, case.received_at - MINUTE * self.rng.randint(15, 75))
        written = at + (case.received_at - at) * self.rng.uniform(0.2, 0.8)
        # The case's account without the centre's heading (【民情日志·孙悦】): the worker's words.
        text = case.account
        if text.startswith("【") and "】" in text:
            text = text[text.index("】") + 1 :]
        return EntryPlan(
            author=case.reporter,
            at=at,
            written_at=written.replace(second=0, microsecond=0),
            area_code=case.area_code,
            activities=CASE_ACTIVITIES.get(case.kind, ("home_visit",)),
            finding=KIND_FINDING.get(case.kind, Finding.DEMAND),
            text=text,
            residents=tuple(party.person for party in case.parties if party.person >= 0),
            latitude=case.latitude,
            longitude=case.longitude,
            case=case.key,
        )

    def routine(self, worker: str, unit: Unit, at: dt.datetime, *, duty: bool) -> EntryPlan:
        rng = self.rng
        day = at.date()
        where = "community" if unit.village.community else "village"
        values = {
            "place": unit.place,
            "n": rng.randint(2, 6),
            "m": rng.choice((30, 40, 50, 60, 80)),
            "name": "",
        }
        residents: tuple[int, ...] = ()
        finding = Finding.NOTHING
        if duty:
            activities, pattern = rng.choice(DUTY)
        elif rng.random() < 0.03:
            activities, pattern, finding = rng.choice(NOTED)
        else:
            fitting = [
                (acts, words)
                for acts, words, place, season in ROUTINE
                if place in ("", where) and season in ("", _season(day))
            ]
            activities, pattern = rng.choice(fitting)
        if "{name}" in pattern and unit.residents:
            person = rng.choice(unit.residents)
            residents = (person,)
            values["name"] = self.town_plan.persons[person].name
        latitude, longitude = self.position(unit)
        return EntryPlan(
            author=worker,
            at=at,
            written_at=at,
            area_code=unit.code,
            activities=activities,
            finding=finding,
            text=pattern.format(**values),
            residents=residents,
            latitude=latitude,
            longitude=longitude,
        )

    def written(self, entry: EntryPlan, *, habitual: bool) -> EntryPlan:
        """When it was written: minutes later mostly; a day or two later now and then (the
        habitual non-loggers often); rarely after the rule's three days, with the reason."""
        rng = self.rng
        chance = rng.random()
        late = 0.3 if habitual else 0.04
        if chance < 0.004:
            days, reason = rng.randint(4, 6), rng.choice(LATE_REASONS)
        elif chance < late:
            days, reason = rng.randint(1, 2), ""
        else:
            return _replace(entry, written_at=entry.at + MINUTE * rng.randint(3, 40))
        day = entry.at.date() + dt.timedelta(days=days)
        written = self.moment(day, dt.time(19, 0), dt.time(21, 30))
        if written > CUTOFF:
            # Nothing in the demo happens after the cut-off.
            return _replace(entry, written_at=entry.at + MINUTE * rng.randint(3, 40))
        return _replace(entry, written_at=written, backdate_reason=reason)

    def leave(self, worker: str, grid: Any, busy: set[dt.date]) -> list[LeavePlan]:
        rng = self.rng
        working = [day for day in self.days() if self.calendar.is_working_day(day)]
        taken: list[LeavePlan] = []
        for _time in range(rng.randint(1, 3)):
            kind, reason, (low, high) = rng.choice(LEAVE)
            length = rng.randint(low, high)
            start = rng.randrange(0, max(1, len(working) - length))
            days = working[start : start + length]
            if not days or any(day in busy for day in days):
                continue
            busy.update(days)
            first, last = days[0], days[-1]
            cadre = grid.village.cadre
            if kind == ExcuseKind.SICK:
                # Rung in that morning; the cadre records it on the day.
                recorded = self.moment(first, dt.time(8, 30), dt.time(10, 0))
            else:
                before = first - dt.timedelta(days=1)
                while not self.calendar.is_working_day(before):
                    before -= dt.timedelta(days=1)
                recorded = self.moment(before, dt.time(15, 0), dt.time(17, 30))
            taken.append(LeavePlan(worker, cadre, recorded, first, last, kind, reason))
        return taken

    def plan(self) -> LogPlan:
        rng = self.rng
        from_cases = self.case_entries()
        with_case: dict[tuple[str, dt.date], int] = Counter(
            (entry.author, entry.at.date()) for entry in from_cases
        )
        entries = [entry for entry in from_cases if entry.at.date() >= self.first_day]
        # Entries of cases before the logs' first day are written anyway, so that every
        # daily-log case has its entry.
        entries += [entry for entry in from_cases if entry.at.date() < self.first_day]
        leave: list[LeavePlan] = []
        for worker, grid in self.workers:
            busy = {day for (author, day) in with_case if author == worker}
            away = self.leave(worker, grid, set(busy))
            leave += away
            off = {
                away_plan.starts_on + dt.timedelta(days=offset)
                for away_plan in away
                for offset in range((away_plan.ends_on - away_plan.starts_on).days + 1)
            }
            misses = HABITUAL_NON_LOGGERS.get(worker, MISSES)
            for day in self.days():
                if day in off:
                    continue
                done = with_case.get((worker, day), 0)
                if not self.calendar.is_working_day(day):
                    holiday = day in self.calendar.holidays
                    if rng.random() < (0.08 if holiday else 0.03):
                        at = self.moment(day, dt.time(9, 0), dt.time(16, 30))
                        unit = rng.choice(grid.units)
                        entry = self.routine(worker, unit, at, duty=True)
                        entries.append(self.written(entry, habitual=False))
                    continue
                if not done and rng.random() < misses:
                    continue
                count = max(0, _weighted(rng, ENTRIES_PER_DAY) - done)
                slots = (
                    (dt.time(8, 40), dt.time(11, 40)),
                    (dt.time(14, 0), dt.time(17, 10)),
                    (dt.time(17, 15), dt.time(18, 45)),
                )
                for number in range(count):
                    at = self.moment(day, *slots[number])
                    entry = self.routine(worker, rng.choice(grid.units), at, duty=False)
                    entries.append(self.written(entry, habitual=worker in HABITUAL_NON_LOGGERS))
        entries.sort(key=lambda entry: (entry.written_at, entry.author, entry.at))
        leave.sort(key=lambda plan: (plan.recorded_at, plan.worker))
        return LogPlan(entries=tuple(entries), leave=tuple(leave))


def _replace(entry: EntryPlan, **changes: Any) -> EntryPlan:
    import dataclasses

    return dataclasses.replace(entry, **changes)


def _weighted(rng: random.Random, choices: tuple[tuple[int, int], ...]) -> int:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def plan_logs(plan: TownPlan) -> LogPlan:
    """The year's entries and leave for a town plan with its cases; pure, so equal plans
    give equal logs."""
    return _Planner(plan).plan()


# ------------------------------------------------------------------ writing
def write_logs(
    plan: TownPlan, refs: CaseRefs, *, progress: Progress = no_progress
) -> dict[str, int]:
    """Write the logs of `plan_logs(plan)` through the services: each writer's entries in
    the order they were written, in batches (`log_entries_create_many`, checked as one
    entry is) cut where the writer's leave was recorded (`log_excuse_record`), so that
    every day is counted as it would have been then; each entry that raised a case is
    linked to it (`log_entry_link_case`). Runs inside the caller's transaction, after the
    cases are written."""
    from fengqiao.cases.models import Case
    from fengqiao.gridops.models import Activity
    from fengqiao.gridops.services import (
        BATCH_LIMIT,
        log_entries_create_many,
        log_entry_link_case,
        log_excuse_record,
    )
    from fengqiao.workcal.selectors import calendar_load

    logs = plan_logs(plan)
    users, areas, persons = refs.users, refs.areas, refs.persons
    calendar = calendar_load()
    activities = dict(Activity.objects.values_list("code", "pk"))
    by_receipt = {
        (received_at, title): pk
        for pk, received_at, title in Case.objects.filter(channel=Channel.DAILY_LOG).values_list(
            "pk", "received_at", "title"
        )
    }
    case_ids = {
        case.key: by_receipt[(case.received_at, case.title)]
        for case in plan.cases
        if case.channel == Channel.DAILY_LOG
    }
    by_writer: dict[str, list[EntryPlan]] = {}
    for entry in logs.entries:
        by_writer.setdefault(entry.author, []).append(entry)
    leave_of: dict[str, list[LeavePlan]] = {}
    for leave in logs.leave:
        leave_of.setdefault(leave.worker, []).append(leave)

    def write(author: str, batch: list[EntryPlan]) -> int:
        linked = 0
        for start in range(0, len(batch), BATCH_LIMIT):
            part = batch[start : start + BATCH_LIMIT]
            written = log_entries_create_many(
                actor=users[author],
                items=[
                    {
                        "occurred_at": entry.at,
                        "area": areas[entry.area_code],
                        "finding": entry.finding,
                        "text": entry.text,
                        "activities": [activities[code] for code in entry.activities],
                        "residents": [persons[person] for person in entry.residents],
                        "latitude": entry.latitude,
                        "longitude": entry.longitude,
                        "backdate_reason": entry.backdate_reason,
                        "now": entry.written_at,
                    }
                    for entry in part
                ],
                calendar=calendar,
            )
            for entry, stored in zip(part, written, strict=True):
                if entry.case:
                    log_entry_link_case(
                        actor=users[author],
                        entry_id=stored.pk,
                        case_id=case_ids[entry.case],
                        now=entry.written_at,
                    )
                    linked += 1
        return linked

    def record(leave: LeavePlan) -> None:
        log_excuse_record(
            actor=users[leave.recorded_by],
            worker=users[leave.worker],
            starts_on=leave.starts_on,
            ends_on=leave.ends_on,
            kind=leave.kind,
            reason=leave.reason,
            now=leave.recorded_at,
        )

    linked = 0
    for author, entries in by_writer.items():
        batch: list[EntryPlan] = []
        pending = list(leave_of.get(author, ()))
        for entry in entries:
            while pending and pending[0].recorded_at <= entry.written_at:
                linked += write(author, batch)
                batch = []
                record(pending.pop(0))
            batch.append(entry)
        linked += write(author, batch)
        for leave in pending:
            record(leave)
    counts = {
        "log_entries": len(logs.entries),
        "log_writers": len(by_writer),
        "log_leave": len(logs.leave),
        "log_cases_linked": linked,
    }
    progress(Stage.LOGS, counts)
    return counts
