"""Dispute screening (四级排查) in the demo year, played through the screening services.

Every half month from December 2025 the daily pass opens the regular round (常规排查) for
万泉镇 on its first morning; the leader opens three special rounds (专项排查) a week long
before the Spring Festival, during the Two Sessions and before National Day. Each round
expects a report from the 8 villages and communities (their cadres), the 16 grids with a
grid worker and the 3 units with a unit head. Most report on time in the last days of the
period or the working days after it, nearly all with a zero report (零报告); now and then a
grid worker or unit head reports a small matter handled on the spot; a few report late, one
after the round closed, and a couple never report. The leader closes each round a few days
after its deadline.

The year's cases of channel 排查 (registered by the village cadres, see `demo.cases`) are
the findings of their village's report in the regular round whose half month they came in:
the report names them (`FindingInput.case`), so no case is registered twice.

At the demo's "now" the round of 1–15 November is still open with two areas past the
deadline without a report (they have had their reminder), and the round of 16–30 November
is under way.

Everything is drawn from a generator seeded by the town's seed and played after the cases,
so a seed always gives the same screening and the cases stay as they are.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fengqiao.areas.models import Area, Level
from fengqiao.cases.models import Case, CaseCategory, Channel
from fengqiao.demo.cases import CUTOFF, YEAR_START
from fengqiao.demo.cases.plan import SHANGHAI
from fengqiao.screening import periods, services
from fengqiao.screening.models import ReportState, RoundKind, ScreeningRound
from fengqiao.screening.selectors import area_reporters

OPENS_AT = dt.time(7, 30)
# The special rounds: title, first and last day, reports due on.
SPECIAL_ROUNDS = (
    (
        "2026年春节前矛盾纠纷专项排查",
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 8),
        dt.date(2026, 2, 10),
    ),
    (
        "2026年全国两会期间矛盾纠纷专项排查",
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 8),
        dt.date(2026, 3, 9),
    ),
    (
        "2026年国庆节前矛盾纠纷专项排查",
        dt.date(2026, 9, 21),
        dt.date(2026, 9, 27),
        dt.date(2026, 9, 28),
    ),
)
# How often a report is filed late, and how often a grid or unit reports a small matter
# it settled on the spot rather than nothing.
LATE_SHARE = 0.04
HANDLED_SHARE = 0.07
# Reports never filed in the closed rounds, and in the round still open past its deadline.
MISSING_IN_CLOSED = 2
MISSING_IN_OPEN = 2
# The leader closes a round this long after its deadline.
CLOSED_AFTER = dt.timedelta(days=2, hours=16)

# Small matters settled on the spot: (what was found, how it was handled, category code).
HANDLED = (
    ("楼道内堆放纸箱杂物，影响通行", "当场劝导住户清理，已清空楼道", "other"),
    ("两户因楼上漏水发生口角", "上门查看后协调维修，双方表示理解", "neighbours"),
    ("住户晚间装修噪声扰邻", "约定施工时间为8:00至18:00，双方认可", "environment"),
    ("电动车在楼道内充电", "当场制止，引导到集中充电桩充电", "other"),
    ("相邻两户因院墙排水沟堵塞争执", "组织双方共同清理排水沟，矛盾化解", "neighbours"),
    ("物业费收取标准有疑问", "联系物业当面解释收费依据，居民无异议", "property"),
    ("外卖电动车占用消防通道", "联系商户规范停放，通道已畅通", "other"),
    ("老人反映邻居饲养犬只未拴绳", "上门提醒文明养犬，犬主承诺外出拴绳", "neighbours"),
)


@dataclass
class _Round:
    kind: str
    start: dt.date
    end: dt.date
    opens_at: dt.datetime
    title: str = ""
    due_on: dt.date | None = None


@dataclass
class _Filing:
    at: dt.datetime
    area: Area
    reporter: Any
    cases: list[int] = field(default_factory=list)
    handled: tuple[str, str, str] | None = None


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


def _rounds() -> list[_Round]:
    rounds = []
    day = YEAR_START
    while day <= CUTOFF.date():
        start, end = periods.half_month(day)
        rounds.append(_Round(RoundKind.REGULAR, start, end, _at(start, OPENS_AT)))
        day = end + dt.timedelta(days=1)
    for title, start, end, due_on in SPECIAL_ROUNDS:
        # The leader opens it on the Friday before it starts.
        opens_at = _at(start - dt.timedelta(days=3), dt.time(15, 0))
        rounds.append(_Round(RoundKind.SPECIAL, start, end, opens_at, title, due_on))
    return sorted(rounds, key=lambda planned: planned.opens_at)


def _open(planned: _Round, leader: Any) -> ScreeningRound:
    if planned.kind == RoundKind.REGULAR:
        services.screening_rounds_open_due(now=planned.opens_at)
        return ScreeningRound.objects.get(kind=RoundKind.REGULAR, period_start=planned.start)
    return services.screening_round_open(
        actor=leader,
        kind=RoundKind.SPECIAL,
        period_start=planned.start,
        period_end=planned.end,
        due_on=planned.due_on,
        title=planned.title,
        now=planned.opens_at,
    )


def _screening_cases(regular: dict[dt.date, ScreeningRound]) -> dict[tuple[int, int], list[Case]]:
    """The year's screening cases by (regular round, village), in order of receipt."""
    found: dict[tuple[int, int], list[Case]] = defaultdict(list)
    cases = Case.objects.filter(channel=Channel.SCREENING).select_related("area")
    for case in cases.order_by("received_at", "pk"):
        start, _end = periods.half_month(case.received_at.astimezone(SHANGHAI).date())
        screening_round = regular.get(start)
        if screening_round is not None:
            village = case.area.ancestor_ids[Level.VILLAGE - 1]
            found[(screening_round.pk, village)].append(case)
    return found


def write_screening(plan: Any, refs: Any) -> dict[str, int]:
    """Play the year's screening rounds through the services, after the cases (whose
    screening cases the village reports name). Runs inside the caller's transaction."""
    rng = random.Random(f"screening:{plan.seed}")
    leader = refs.users["leader"]
    planned_rounds = _rounds()
    opened = [(planned, _open(planned, leader)) for planned in planned_rounds]
    regular = {
        planned.start: screening_round
        for planned, screening_round in opened
        if planned.kind == RoundKind.REGULAR
    }
    cases = _screening_cases(regular)
    still_open = {screening_round.pk for _p, screening_round in opened[-2:]}
    slots = {
        screening_round.pk: list(
            screening_round.reports.filter(state=ReportState.PENDING)
            .select_related("area")
            .order_by("area_path")
        )
        for _planned, screening_round in opened
    }
    reporters = area_reporters(
        sorted({report.area_id for reports in slots.values() for report in reports})
    )
    closed = [pk for pk in slots if pk not in still_open]
    missing = {
        (pk, report.area_id)
        for pk in rng.sample(closed, MISSING_IN_CLOSED)
        for report in [rng.choice([r for r in slots[pk] if r.level != Level.VILLAGE])]
    }
    overdue_round = opened[-2][1]
    missing |= {
        (overdue_round.pk, report.area_id)
        for report in rng.sample(
            [r for r in slots[overdue_round.pk] if r.level != Level.VILLAGE], MISSING_IN_OPEN
        )
    }
    after_close = rng.choice(closed)
    counts = {"screening_rounds": len(opened), "screening_reports": 0, "screening_findings": 0}
    for _planned, screening_round in opened:
        filings = _filings(
            rng,
            screening_round,
            slots[screening_round.pk],
            reporters,
            cases,
            missing,
            under_way=screening_round.pk == opened[-1][1].pk,
        )
        closes_at = None
        if screening_round.pk not in still_open:
            closes_at = screening_round.due_at + CLOSED_AFTER
            if screening_round.pk == after_close and filings:
                # One report comes in after the round closed: accepted, marked late.
                filings[-1].at = closes_at + dt.timedelta(hours=rng.randint(2, 40))
        filings.sort(key=lambda filing: filing.at)
        for filing in filings:
            if closes_at is not None and filing.at > closes_at:
                _close(leader, screening_round, closes_at)
                closes_at = None
            counts["screening_findings"] += _file(screening_round, filing)
            counts["screening_reports"] += 1
        if closes_at is not None:
            _close(leader, screening_round, closes_at)
    # The areas past the deadline of the open round have had their reminder.
    services.screening_remind(now=CUTOFF)
    return counts


def _filings(
    rng: random.Random,
    screening_round: ScreeningRound,
    slots: list[Any],
    reporters: dict[int, list[Any]],
    cases: dict[tuple[int, int], list[Case]],
    missing: set[tuple[int, int]],
    *,
    under_way: bool,
) -> list[_Filing]:
    """When and what each expected area of the round files."""
    filings = []
    window_start = _at(screening_round.period_end - dt.timedelta(days=1), dt.time(8, 30))
    window = (screening_round.due_at - dt.timedelta(hours=6) - window_start).total_seconds()
    for report in slots:
        found = cases.get((screening_round.pk, report.area_id), [])
        # Drawn for every slot, so that each round's draws do not depend on the others.
        late = rng.random() < LATE_SHARE
        handled = rng.random() < HANDLED_SHARE and report.level != Level.VILLAGE
        matter = rng.choice(HANDLED)
        after_found = dt.timedelta(minutes=rng.randint(30, 240))
        at = window_start + dt.timedelta(seconds=rng.uniform(0, window))
        if late:
            at = screening_round.due_at + dt.timedelta(hours=rng.uniform(3, 40))
        if (screening_round.pk, report.area_id) in missing:
            continue
        found_at = found[-1].received_at + after_found if found else None
        if under_way:
            # The period is not over: only what was found is reported yet, as it is found.
            if found_at is None:
                continue
            at = min(found_at, CUTOFF)
        elif found_at is not None:
            at = max(at, found_at)
        if at > CUTOFF:
            continue
        filings.append(
            _Filing(
                at=at,
                area=report.area,
                reporter=reporters[report.area_id][0],
                cases=[case.pk for case in found],
                handled=matter if handled else None,
            )
        )
    return filings


def _file(screening_round: ScreeningRound, filing: _Filing) -> int:
    """File one report through the services; the number of findings it reported."""
    findings = [services.FindingInput(case=pk) for pk in filing.cases]
    if filing.handled is not None:
        text, note, category = filing.handled
        findings.append(
            services.FindingInput(
                kind="hazard" if category == "other" else "dispute",
                category=_category(category),
                text=text,
                handled_on_spot=True,
                handled_note=note,
            )
        )
    if not findings:
        services.screening_report_nothing(
            actor=filing.reporter,
            round_id=screening_round.pk,
            area_id=filing.area.pk,
            now=filing.at,
        )
        return 0
    services.screening_report_findings(
        actor=filing.reporter,
        round_id=screening_round.pk,
        area_id=filing.area.pk,
        findings=findings,
        now=filing.at,
    )
    return len(findings)


def _close(leader: Any, screening_round: ScreeningRound, at: dt.datetime) -> None:
    services.screening_round_close(actor=leader, round_id=screening_round.pk, now=at)


def _category(code: str) -> CaseCategory:
    return CaseCategory.objects.get(code=code)
