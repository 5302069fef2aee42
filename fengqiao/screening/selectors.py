"""Reads of screening rounds and reports, and the figures of a round, defined once here.

Who sees what: the everyday roles that see their area's cases (`SCREENING_CAPABILITY`: a
leader, a clerk, a dispatcher, a village cadre, a grid worker, a unit head) see the rounds
that cover their area, and of each round the reports of the areas in their jurisdiction; a
report outside it is a 404. Administrators, mediators and agency liaisons see none.

Who reports (`REPORTING_ROLE`): for a village/community its village cadre, for a grid its
grid worker, for a unit its unit head — the holders of that role whose home area it is. A
village cadre or a leader may report for any area of their jurisdiction on its behalf.

The figures of a round (`round_rollup`), per level (village, grid, unit), over the areas
both in the round and in the reader's jurisdiction:

- expected: areas a report was expected from when the round opened — those with someone to
  file it;
- reported: reports filed (a zero report or findings), expected or filed on behalf of an
  area nobody was expected from; on time: filed by the deadline; late: filed after it,
  including those filed after the round closed;
- not yet: expected and not filed; overdue: not yet, with the deadline passed (逾期未报);
- zero reports (零报告): filed with nothing found; with findings: filed with at least one;
- unassigned: areas of the level in the round with no report and nobody to file one.

And over the findings of those reports: found; became cases (channel 排查); handled on the
spot; the cases by their state now; resolved = cases handled with the outcome "resolved"
(化解成功), awaiting closure or closed — as the dispute figures count them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas.models import PATH_WIDTH, Area, Level, subtree_q
from fengqiao.cases.models import Outcome, State
from fengqiao.core import clock
from fengqiao.core.errors import OutOfScope
from fengqiao.screening.models import (
    FILED_STATES,
    ReportState,
    RoundState,
    ScreeningFinding,
    ScreeningPolicy,
    ScreeningReport,
    ScreeningRound,
)

SCREENING_CAPABILITY = Capability.VIEW_AREA_CASES
# The role that files the report of each level of the tree.
REPORTING_ROLE: dict[int, str] = {
    Level.VILLAGE: Role.VILLAGE_CADRE,
    Level.GRID: Role.GRID_WORKER,
    Level.UNIT: Role.UNIT_HEAD,
}
REPORTING_LEVELS = (Level.VILLAGE, Level.GRID, Level.UNIT)
# Who may report for an area of their jurisdiction on its behalf.
ON_BEHALF_ROLES = frozenset({Role.VILLAGE_CADRE, Role.LEADER})
# Who opens and closes rounds.
ROUND_MANAGERS = frozenset({Role.LEADER})
RESOLVED_STATES = (State.RESOLVED, State.CLOSED)


def screening_policy() -> ScreeningPolicy:
    """The screening rule (its one row, made with the defaults if missing)."""
    policy, _created = ScreeningPolicy.objects.get_or_create(pk=1)
    return policy


def can_see_screening(user: Any) -> bool:
    return jurisdiction.can(user, SCREENING_CAPABILITY)


def _root_paths(user: Any) -> list[str]:
    if not can_see_screening(user):
        return []
    return [area.path for area in jurisdiction.area_roots(user)]


def ancestor_paths(path: str) -> list[str]:
    """The paths of an area and of every area above it."""
    return [path[:end] for end in range(PATH_WIDTH, len(path) + 1, PATH_WIDTH)]


# --------------------------------------------------------------------------- who reports
def reporting_area(user: Any) -> Area | None:
    """The area the user reports for: their home area, when they hold the role that reports
    for its level (a village cadre's village, a grid worker's grid, a unit head's unit)."""
    area = getattr(user, "home_area", None)
    if area is None or not can_see_screening(user):
        return None
    role = REPORTING_ROLE.get(area.level)
    return area if role in jurisdiction.roles_of(user) else None


def is_area_reporter(user: Any, area: Area) -> bool:
    own = reporting_area(user)
    return own is not None and own.pk == area.pk


def area_reporters(area_ids: list[int]) -> dict[int, list[User]]:
    """The active people who report for each of these areas, by area id."""
    found: dict[int, list[User]] = defaultdict(list)
    users = (
        User.objects.filter(
            is_active=True,
            home_area_id__in=area_ids,
            role_grants__role__in=set(REPORTING_ROLE.values()),
        )
        .select_related("home_area")
        .prefetch_related("role_grants")
        .distinct()
        .order_by("pk")
    )
    for user in users:
        if REPORTING_ROLE.get(user.home_area.level) in {
            grant.role for grant in user.role_grants.all()
        }:
            found[user.home_area_id].append(user)
    return found


def areas_with_reporters(paths: list[str]) -> list[Area]:
    """The areas under `paths` that have someone to report for them: what a round opened
    over those areas expects a report from."""
    wanted = Q(pk__in=[])
    for level, role in REPORTING_ROLE.items():
        wanted |= Q(home_area__level=level, role_grants__role=role)
    area_ids = (
        User.objects.filter(is_active=True)
        .filter(wanted)
        .filter(subtree_q(paths, via="home_area__"))
        .values_list("home_area_id", flat=True)
        .distinct()
    )
    return list(Area.objects.filter(pk__in=list(area_ids)).order_by("path"))


# --------------------------------------------------------------------------- rounds
def round_visible_q(user: Any) -> Q:
    """Rounds one of whose areas lies in the user's jurisdiction or above it."""
    query = Q(pk__in=[])
    for path in _root_paths(user):
        query |= subtree_q([path], via="areas__") | Q(areas__path__in=ancestor_paths(path))
    return query


def round_list_for_user(*, user: Any) -> QuerySet[ScreeningRound]:
    visible = ScreeningRound.objects.filter(round_visible_q(user)).values("pk")
    return ScreeningRound.objects.filter(pk__in=visible)


def round_list(*, user: Any) -> QuerySet[ScreeningRound]:
    """Open rounds first, then the closed ones; the newest period first in each."""
    return (
        round_list_for_user(user=user)
        .select_related("opened_by", "closed_by")
        # "open" sorts after "closed": descending puts the open rounds first.
        .order_by("-state", "-period_start", "-id")
    )


def round_get_for_user(*, user: Any, pk: Any) -> ScreeningRound:
    return jurisdiction.get_in_scope(
        user, round_list_for_user(user=user).select_related("opened_by", "closed_by"), pk
    )


def round_paths(screening_round: ScreeningRound) -> list[str]:
    return list(screening_round.areas.values_list("path", flat=True))


def user_manages_round(user: Any, screening_round: ScreeningRound) -> bool:
    """A leader whose jurisdiction holds every area of the round."""
    if not jurisdiction.roles_of(user) & ROUND_MANAGERS:
        return False
    roots = _root_paths(user)
    return bool(roots) and all(
        any(path.startswith(root) for root in roots) for path in round_paths(screening_round)
    )


def round_covers(screening_round: ScreeningRound, area: Area) -> bool:
    return any(area.path.startswith(path) for path in round_paths(screening_round))


# --------------------------------------------------------------------------- reports
def report_visible_q(user: Any) -> Q:
    return subtree_q(_root_paths(user), via="area_")


def report_list_for_user(*, user: Any) -> QuerySet[ScreeningReport]:
    return ScreeningReport.objects.filter(report_visible_q(user))


def report_get_for_user(*, user: Any, pk: Any) -> ScreeningReport:
    return jurisdiction.get_in_scope(
        user,
        report_list_for_user(user=user).select_related("round", "area", "filed_by"),
        pk,
    )


def report_area_for_user(*, user: Any, screening_round: ScreeningRound, area_id: Any) -> Area:
    """An area of the round in the user's jurisdiction, to read or file its report; any
    other is a 404 (audited when it exists)."""
    areas = (
        jurisdiction.areas_visible(user).filter(level__in=REPORTING_LEVELS)
        if can_see_screening(user)
        else Area.objects.none()
    )
    area = jurisdiction.get_in_scope(user, areas, area_id)
    if not round_covers(screening_round, area):
        # In the user's view, but not screened by this round: nothing to find here.
        raise OutOfScope()
    return area


def report_of(screening_round: ScreeningRound, area: Area) -> ScreeningReport | None:
    return (
        ScreeningReport.objects.filter(round=screening_round, area=area)
        .select_related("filed_by", "area")
        .first()
    )


def finding_counts(reports: Any) -> dict[int, int]:
    """How many findings each of these reports has, by report id, in one query."""
    ids = [report.pk for report in reports]
    return dict(
        ScreeningFinding.objects.filter(report_id__in=ids)
        .values("report_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("report_id", "n")
    )


def report_findings(report: ScreeningReport) -> QuerySet[ScreeningFinding]:
    return report.findings.select_related("area", "category", "case", "recorded_by").order_by(
        "recorded_at", "pk"
    )


def reports_due_for(user: Any, *, now: dt.datetime | None = None) -> list[ScreeningRound]:
    """The open rounds for which the user's own area (see `reporting_area`) has not
    reported yet, nearest deadline first. Each carries `due_area` (the area to report for:
    its page is `screening_area` with the round's and the area's ids) and `overdue` (the
    deadline has passed; a report is still accepted, marked late)."""
    area = reporting_area(user)
    if area is None:
        return []
    now = now or clock.now()
    filed = ScreeningReport.objects.filter(area=area, state__in=FILED_STATES).values("round_id")
    rounds = list(
        round_list_for_user(user=user)
        .filter(state=RoundState.OPEN, areas__path__in=ancestor_paths(area.path))
        .exclude(pk__in=filed)
        .distinct()
        .order_by("due_at", "pk")
    )
    for screening_round in rounds:
        screening_round.due_area = area
        screening_round.overdue = screening_round.due_at < now
    return rounds


# --------------------------------------------------------------------------- figures
@dataclass
class LevelFigures:
    level: int
    expected: int = 0
    reported: int = 0
    on_time: int = 0
    late: int = 0
    not_yet: int = 0
    overdue: int = 0
    zero: int = 0
    with_findings: int = 0
    unassigned: int = 0

    @property
    def label(self) -> str:
        return str(Level(self.level).label)


@dataclass
class FindingFigures:
    found: int = 0
    cases: int = 0
    handled_on_spot: int = 0
    resolved: int = 0
    # (state, label, count) of the cases, in the lifecycle's order.
    case_states: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Node:
    """An area of the roll-up's tree, with its report (None: nobody reports for it)."""

    area: Area
    report: ScreeningReport | None
    status: str
    children: list[Node] = field(default_factory=list)
    findings: int = 0


@dataclass
class RoundRollup:
    round: ScreeningRound
    levels: list[LevelFigures]
    findings: FindingFigures
    tree: list[Node]

    @property
    def totals(self) -> LevelFigures:
        total = LevelFigures(level=0)
        for figures in self.levels:
            for name in (
                "expected",
                "reported",
                "on_time",
                "late",
                "not_yet",
                "overdue",
                "zero",
                "with_findings",
                "unassigned",
            ):
                setattr(total, name, getattr(total, name) + getattr(figures, name))
        return total


# A report's status on the roll-up, as its tag names it.
STATUS_ON_TIME = "on_time"
STATUS_LATE = "late"
STATUS_PENDING = "pending"
STATUS_OVERDUE = "overdue"
STATUS_NOBODY = "nobody"


def report_status(
    report: ScreeningReport | None, screening_round: ScreeningRound, now: dt.datetime
) -> str:
    if report is None:
        return STATUS_NOBODY
    if report.is_filed:
        return STATUS_LATE if report.late else STATUS_ON_TIME
    return STATUS_OVERDUE if screening_round.due_at < now else STATUS_PENDING


# The counts of reports every figure is made of (prefixed: the model has `expected` and
# `late` columns, which an annotation must not shadow).
REPORT_COUNTS = {
    "n_rows": Count("pk"),
    "n_expected": Count("pk", filter=Q(expected=True)),
    "n_reported": Count("pk", filter=Q(state__in=FILED_STATES)),
    "n_late": Count("pk", filter=Q(state__in=FILED_STATES, late=True)),
    "n_not_yet": Count("pk", filter=Q(expected=True, state=ReportState.PENDING)),
    "n_zero": Count("pk", filter=Q(state=ReportState.NOTHING_FOUND)),
    "n_with_findings": Count("pk", filter=Q(state=ReportState.FOUND)),
}


def _scope_q(user: Any, screening_round: ScreeningRound, *, via: str) -> Q:
    return subtree_q(round_paths(screening_round), via=via) & subtree_q(_root_paths(user), via=via)


def _round_reports(user: Any, screening_round: ScreeningRound) -> QuerySet[ScreeningReport]:
    return report_list_for_user(user=user).filter(round=screening_round)


def level_figures(
    *, user: Any, screening_round: ScreeningRound, now: dt.datetime | None = None
) -> list[LevelFigures]:
    now = now or clock.now()
    past_due = screening_round.due_at < now
    rows = (
        _round_reports(user, screening_round).values("level").annotate(**REPORT_COUNTS).order_by()
    )
    by_level = {row["level"]: row for row in rows}
    areas = dict(
        Area.objects.filter(level__in=REPORTING_LEVELS)
        .filter(_scope_q(user, screening_round, via=""))
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("level", "n")
    )
    # Levels above the reader's own area are not theirs to count (a grid worker sees the
    # grid and its units).
    top = min((root.level for root in jurisdiction.area_roots(user)), default=Level.TOWN)
    figures = []
    for level in REPORTING_LEVELS:
        if level < top:
            continue
        row = by_level.get(level, {})
        reported, late = row.get("n_reported", 0), row.get("n_late", 0)
        not_yet = row.get("n_not_yet", 0)
        figures.append(
            LevelFigures(
                level=level,
                expected=row.get("n_expected", 0),
                reported=reported,
                on_time=reported - late,
                late=late,
                not_yet=not_yet,
                overdue=not_yet if past_due else 0,
                zero=row.get("n_zero", 0),
                with_findings=row.get("n_with_findings", 0),
                unassigned=max(areas.get(level, 0) - row.get("n_rows", 0), 0),
            )
        )
    return figures


def _findings_in_scope(user: Any, screening_round: ScreeningRound) -> QuerySet[ScreeningFinding]:
    return ScreeningFinding.objects.filter(
        report__in=_round_reports(user, screening_round).values("pk")
    )


def finding_figures(*, user: Any, screening_round: ScreeningRound) -> FindingFigures:
    findings = _findings_in_scope(user, screening_round)
    totals = findings.aggregate(
        found=Count("pk"),
        cases=Count("pk", filter=Q(case__isnull=False)),
        handled=Count("pk", filter=Q(handled_on_spot=True)),
        resolved=Count(
            "pk", filter=Q(case__state__in=RESOLVED_STATES, case__outcome=Outcome.RESOLVED)
        ),
    )
    states = dict(
        findings.filter(case__isnull=False)
        .values("case__state")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("case__state", "n")
    )
    return FindingFigures(
        found=totals["found"],
        cases=totals["cases"],
        handled_on_spot=totals["handled"],
        resolved=totals["resolved"],
        case_states=[
            (state, str(label), states[state]) for state, label in State.choices if state in states
        ],
    )


def round_tree(
    *, user: Any, screening_round: ScreeningRound, now: dt.datetime | None = None
) -> list[Node]:
    """Villages → grids → units of the round in the user's jurisdiction that have a report
    (expected or filed), with the areas between them, each with its status."""
    now = now or clock.now()
    reports = list(
        _round_reports(user, screening_round)
        .select_related("area", "filed_by")
        .order_by("area_path")
    )
    counts = dict(
        _findings_in_scope(user, screening_round)
        .values("report_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("report_id", "n")
    )
    by_area = {report.area_id: report for report in reports}
    wanted: set[int] = set()
    for report in reports:
        wanted |= {area_id for area_id in report.area.ancestor_ids}
    roots = _root_paths(user)
    areas = [
        area
        for area in Area.objects.filter(pk__in=wanted, level__in=REPORTING_LEVELS).order_by("path")
        if any(area.path.startswith(root) for root in roots)
    ]
    nodes: dict[str, Node] = {}
    tree: list[Node] = []
    for area in areas:
        report = by_area.get(area.pk)
        node = Node(
            area=area,
            report=report,
            status=report_status(report, screening_round, now),
            findings=counts.get(report.pk, 0) if report else 0,
        )
        nodes[area.path] = node
        parent = nodes.get(area.path[:-PATH_WIDTH])
        (parent.children if parent else tree).append(node)
    return tree


def round_rollup(
    *, user: Any, screening_round: ScreeningRound, now: dt.datetime | None = None
) -> RoundRollup:
    now = now or clock.now()
    return RoundRollup(
        round=screening_round,
        levels=level_figures(user=user, screening_round=screening_round, now=now),
        findings=finding_figures(user=user, screening_round=screening_round),
        tree=round_tree(user=user, screening_round=screening_round, now=now),
    )


@dataclass
class CategoryFigures:
    category: str
    found: int
    cases: int
    handled_on_spot: int
    resolved: int


@dataclass
class RoundSummary:
    """One round in figures, for the analysis report: reports by level, findings by
    category and by kind (as `round_rollup` defines them)."""

    round: ScreeningRound
    levels: list[LevelFigures]
    totals: LevelFigures
    findings: FindingFigures
    by_category: list[CategoryFigures]
    by_kind: list[tuple[str, str, int]]


def round_summary(*, user: Any, round_id: Any, now: dt.datetime | None = None) -> RoundSummary:
    """The figures of one round in the user's jurisdiction (404 outside it)."""
    now = now or clock.now()
    screening_round = round_get_for_user(user=user, pk=round_id)
    levels = level_figures(user=user, screening_round=screening_round, now=now)
    findings = _findings_in_scope(user, screening_round)
    by_category = [
        CategoryFigures(
            category=row["category__name"],
            found=row["found"],
            cases=row["cases"],
            handled_on_spot=row["handled"],
            resolved=row["resolved"],
        )
        for row in findings.values("category__name", "category__sort_order")
        .annotate(
            found=Count("pk"),
            cases=Count("pk", filter=Q(case__isnull=False)),
            handled=Count("pk", filter=Q(handled_on_spot=True)),
            resolved=Count(
                "pk", filter=Q(case__state__in=RESOLVED_STATES, case__outcome=Outcome.RESOLVED)
            ),
        )
        .order_by("-found", "category__sort_order", "category__name")
    ]
    kinds = dict(
        findings.values("kind").annotate(n=Count("pk")).order_by().values_list("kind", "n")
    )
    rollup = RoundRollup(screening_round, levels, FindingFigures(), [])
    return RoundSummary(
        round=screening_round,
        levels=levels,
        totals=rollup.totals,
        findings=finding_figures(user=user, screening_round=screening_round),
        by_category=by_category,
        by_kind=[
            (kind, str(label), kinds[kind])
            for kind, label in ScreeningFinding._meta.get_field("kind").choices
            if kind in kinds
        ],
    )


def round_list_figures(*, user: Any, rounds: list[ScreeningRound]) -> dict[int, dict[str, int]]:
    """For the rounds list: expected, reported and not yet (all levels) in the user's
    jurisdiction, by round id, in one query."""
    rows = (
        report_list_for_user(user=user)
        .filter(round__in=[screening_round.pk for screening_round in rounds])
        .values("round_id")
        .annotate(**REPORT_COUNTS)
        .order_by()
    )
    return {
        row["round_id"]: {
            name: row[f"n_{name}"] for name in ("expected", "reported", "late", "not_yet")
        }
        for row in rows
    }


@dataclass
class LateRow:
    round: ScreeningRound
    report: ScreeningReport
    reporters: list[User]

    @property
    def filed(self) -> bool:
        return self.report.is_filed


def late_reporters(*, user: Any, now: dt.datetime | None = None) -> list[LateRow]:
    """Across the open rounds the user sees, in their jurisdiction: the areas past the
    deadline without a report (逾期未报) first, then those that reported late; by round
    deadline, then by place."""
    now = now or clock.now()
    overdue = Q(expected=True, state=ReportState.PENDING, round__due_at__lt=now)
    late = Q(state__in=FILED_STATES, late=True)
    reports = list(
        report_list_for_user(user=user)
        .filter(round__in=round_list_for_user(user=user).filter(state=RoundState.OPEN).values("pk"))
        .filter(overdue | late)
        .select_related("round", "area", "filed_by")
        .order_by("round__due_at", "round_id", "area_path")
    )
    reporters = area_reporters([report.area_id for report in reports if not report.is_filed])
    rows = [LateRow(report.round, report, reporters.get(report.area_id, [])) for report in reports]
    return sorted(rows, key=lambda row: (row.filed, row.round.due_at, row.report.area_path))


def late_count(*, user: Any, now: dt.datetime | None = None) -> int:
    """Areas past the deadline of an open round without a report, in the user's view."""
    now = now or clock.now()
    return (
        report_list_for_user(user=user)
        .filter(
            expected=True,
            state=ReportState.PENDING,
            round__state=RoundState.OPEN,
            round__due_at__lt=now,
            round__in=round_list_for_user(user=user).values("pk"),
        )
        .count()
    )


def screening_nav_allowed(user: Any) -> bool:
    """Screening in the menu: whoever sees their area's cases (and so its screening)."""
    return can_see_screening(user)


def may_see_late_list(user: Any) -> bool:
    """The list of late reporters is for those who chase them: leaders and village cadres."""
    return can_see_screening(user) and bool(jurisdiction.roles_of(user) & ON_BEHALF_ROLES)
