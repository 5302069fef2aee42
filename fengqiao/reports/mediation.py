"""Dispute-resolution figures (矛盾纠纷化解情况): reusable, scoped selectors.

Every figure counts only disputes (`Case.kind == "dispute"`) the user may see
(`cases.selectors.case_list_for_user`), narrowed by the filter's area (the subtree) and
team (the case's handling team). The period is a range of local dates, both ends included.

The figures, as counted here:

- **received**: disputes received in the period (`received_at`), whatever became of them.
- **accepted**: of those, the ones accepted: not still awaiting acceptance ("reported"),
  not rejected, not merged into another case.
- **resolved**: of the accepted, those handled or closed with the result "resolved"
  (化解); a case handled by guiding the parties to litigation, arbitration or an
  administrative channel is not resolved. A reopened case is not resolved until it is
  handled again. The state is today's: the figure is the fate of the period's intake.
- **resolution rate** (化解率) = resolved ÷ accepted, the usual formula (no official one).
- **resolved by level**: the resolved, by the level that handled them (`resolved_level`):
  unit or grid, village or community, town centre or above. Each share = that count ÷
  resolved (a case without a recorded level is in no share).
- **agreements made**: mediation agreements of those disputes that took effect in the
  period (`effective_on`: every signature given, or an oral agreement made). Disputes
  received earlier count here when their agreement takes effect in the period.
- **kept**: of the agreements made, those with at least one term, every term of which was
  found performed at the latest follow-up check of that term.
- **broken**: of the agreements made, those with a term due by today whose latest check
  found it not performed. (A term checked before its deadline and not yet performed is
  not a breach: it is still pending.)
- **performance rate** (履行率) = kept ÷ (kept + broken): the agreements whose performance
  is settled. Agreements with terms still pending or never checked wait outside it; an
  oral agreement without terms has nothing to check and is never in it.
- **satisfaction rate** (满意率) = (satisfied + basically satisfied) ÷ answers, where the
  answers are, per case, the latest follow-up in the period that reached a party and
  recorded their satisfaction (one answer per case, so a case followed up three times
  counts once).

A rate is a `Decimal` fraction rounded to four places (0.6667), or None when nothing is
counted under it: no rate is ever made up from a zero denominator.

Three queries answer the figures (cases, agreements, follow-up answers), and the same
three, grouped, answer a breakdown by area, team or month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.areas.models import Area, subtree_q, subtree_range
from fengqiao.cases.models import Case, HandlingLevel, Kind, Outcome, State
from fengqiao.cases.selectors import case_list_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.followups.models import FollowUpAttempt, Satisfaction, TermCheck
from fengqiao.mediation.models import Agreement, AgreementTerm
from fengqiao.orgs.models import MediationOrganization

# Who has the figures page and endpoint: the roles that see every case of their area. (The
# selectors themselves count, for anyone, only the disputes that person may see.)
FIGURES_CAPABILITY = Capability.VIEW_AREA_CASES
NOT_ACCEPTED = (State.REPORTED, State.REJECTED, State.MERGED)
HANDLED = (State.RESOLVED, State.CLOSED)
LEVELS_UNIT_GRID = (HandlingLevel.UNIT, HandlingLevel.GRID)
LEVELS_TOWN_ABOVE = (HandlingLevel.TOWN, HandlingLevel.ABOVE)
BREAKDOWNS = ("area", "team", "month")
# Dates a report can sensibly cover; beyond them a time zone conversion overflows.
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FigureFilter:
    period_start: dt.date
    period_end: dt.date
    area: Area | None = None
    team: MediationOrganization | None = None


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator as a fraction to four places; None for nothing counted."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class DisputeFigures:
    received: int = 0
    accepted: int = 0
    resolved: int = 0
    resolved_unit_grid: int = 0
    resolved_village: int = 0
    resolved_town_above: int = 0
    agreements_made: int = 0
    agreements_kept: int = 0
    agreements_broken: int = 0
    answers: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    @property
    def resolution_rate(self) -> Decimal | None:
        return rate(self.resolved, self.accepted)

    @property
    def share_unit_grid(self) -> Decimal | None:
        return rate(self.resolved_unit_grid, self.resolved)

    @property
    def share_village(self) -> Decimal | None:
        return rate(self.resolved_village, self.resolved)

    @property
    def share_town_above(self) -> Decimal | None:
        return rate(self.resolved_town_above, self.resolved)

    @property
    def agreements_settled(self) -> int:
        return self.agreements_kept + self.agreements_broken

    @property
    def performance_rate(self) -> Decimal | None:
        return rate(self.agreements_kept, self.agreements_settled)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied + self.basically_satisfied, self.answers)

    def as_dict(self) -> dict[str, Any]:
        """Every count and rate by name (what the API and the export show)."""
        return {name: getattr(self, name) for name in FIGURE_NAMES}


# The figures in the order pages, exports and the API show them.
FIGURE_NAMES = (
    "received",
    "accepted",
    "resolved",
    "resolution_rate",
    "resolved_unit_grid",
    "resolved_village",
    "resolved_town_above",
    "share_unit_grid",
    "share_village",
    "share_town_above",
    "agreements_made",
    "agreements_kept",
    "agreements_broken",
    "agreements_settled",
    "performance_rate",
    "answers",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "satisfaction_rate",
)
RATE_NAMES = frozenset(name for name in FIGURE_NAMES if name.endswith("_rate") or "share" in name)


@dataclass(frozen=True)
class FigureRow:
    """One line of a breakdown: an area, a team or a month, and its figures."""

    key: Any
    label: str
    figures: DisputeFigures = field(default_factory=DisputeFigures)


# --------------------------------------------------------------------------- checks
def figure_filter_check(filter: FigureFilter) -> None:
    """Refuse a period that cannot be counted (a DomainError naming the field)."""
    start, end = filter.period_start, filter.period_end
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise DomainError("start", _("Give the first day of the period."), field="start")
    if not isinstance(end, dt.date) or isinstance(end, dt.datetime):
        raise DomainError("end", _("Give the last day of the period."), field="end")
    for value, name in ((start, "start"), (end, "end")):
        if not EARLIEST <= value <= LATEST:
            raise DomainError(
                name,
                _("Give a date between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
                field=name,
            )
    if end < start:
        raise DomainError("period", _("The period ends before it starts."), field="end")


def _bounds(filter: FigureFilter) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in the centre's time zone: the first and the day after the last day."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(filter.period_start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filter.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def dispute_scope(*, user: Any, filter: FigureFilter) -> QuerySet[Case]:
    """The disputes the figures may count: visible to the user, in the area and team."""
    queryset = case_list_for_user(user=user).filter(kind=Kind.DISPUTE)
    if filter.area is not None:
        queryset = queryset.filter(subtree_q([filter.area.path], via="area_"))
    if filter.team is not None:
        queryset = queryset.filter(handler_team=filter.team)
    return queryset


# --------------------------------------------------------------------------- the three counts
Grouping = Callable[[str], Expression] | None


def _run(
    queryset: QuerySet[Any], aggregates: dict[str, Any], group: Grouping, prefix: str
) -> dict[Any, dict[str, int]]:
    if group is None:
        return {None: queryset.aggregate(**aggregates)}
    # order_by() drops the model's default ordering, which would split the groups.
    rows = (
        queryset.annotate(bucket=group(prefix)).values("bucket").annotate(**aggregates).order_by()
    )
    return {row.pop("bucket"): row for row in rows}


def _case_counts(
    scope: QuerySet[Case], filter: FigureFilter, group: Grouping
) -> dict[Any, dict[str, int]]:
    start, end = _bounds(filter)
    accepted = ~Q(state__in=NOT_ACCEPTED)
    resolved = accepted & Q(state__in=HANDLED, outcome=Outcome.RESOLVED)
    aggregates = {
        "received": Count("pk"),
        "accepted": Count("pk", filter=accepted),
        "resolved": Count("pk", filter=resolved),
        "resolved_unit_grid": Count("pk", filter=resolved & Q(resolved_level__in=LEVELS_UNIT_GRID)),
        "resolved_village": Count("pk", filter=resolved & Q(resolved_level=HandlingLevel.VILLAGE)),
        "resolved_town_above": Count(
            "pk", filter=resolved & Q(resolved_level__in=LEVELS_TOWN_ABOVE)
        ),
    }
    queryset = scope.filter(received_at__gte=start, received_at__lt=end)
    return _run(queryset, aggregates, group, "")


def _agreement_counts(
    scope: QuerySet[Case], filter: FigureFilter, group: Grouping, today: dt.date
) -> dict[Any, dict[str, int]]:
    # A term's state is what its latest check found (None: never checked).
    latest_check = (
        TermCheck.objects.filter(term_id=OuterRef("pk"))
        .order_by("-attempt__at", "-attempt_id", "-id")
        .values("performed")[:1]
    )
    terms = AgreementTerm.objects.filter(agreement=OuterRef("pk")).annotate(
        performed=Subquery(latest_check)
    )
    has_terms = Exists(terms)
    unsettled_or_broken = Exists(terms.filter(Q(performed=False) | Q(performed__isnull=True)))
    broken = Exists(terms.filter(performed=False, due_on__lte=today))
    aggregates = {
        "agreements_made": Count("pk"),
        "agreements_kept": Count("pk", filter=Q(has_terms) & ~Q(unsettled_or_broken)),
        "agreements_broken": Count("pk", filter=Q(broken)),
    }
    queryset = Agreement.objects.filter(
        mediation__case__in=scope.values("pk"),
        effective_on__gte=filter.period_start,
        effective_on__lte=filter.period_end,
    )
    return _run(queryset, aggregates, group, "mediation__case__")


def _answer_counts(
    scope: QuerySet[Case], filter: FigureFilter, group: Grouping
) -> dict[Any, dict[str, int]]:
    start, end = _bounds(filter)
    answers = FollowUpAttempt.objects.filter(reached=True, at__gte=start, at__lt=end).exclude(
        satisfaction=""
    )
    later_answer = answers.filter(followup__case_id=OuterRef("followup__case_id")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
    )
    queryset = answers.filter(followup__case__in=scope.values("pk")).filter(~Exists(later_answer))
    aggregates = {
        "answers": Count("pk"),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
    }
    return _run(queryset, aggregates, group, "followup__case__")


def _figures(
    *, user: Any, filter: FigureFilter, group: Grouping, now: dt.datetime | None
) -> dict[Any, DisputeFigures]:
    figure_filter_check(filter)
    today = timezone.localdate(now or clock.now())
    scope = dispute_scope(user=user, filter=filter)
    merged: dict[Any, dict[str, int]] = {}
    for counts in (
        _case_counts(scope, filter, group),
        _agreement_counts(scope, filter, group, today),
        _answer_counts(scope, filter, group),
    ):
        for key, values in counts.items():
            merged.setdefault(_month_key(key), {}).update({k: v or 0 for k, v in values.items()})
    return {key: DisputeFigures(**values) for key, values in merged.items()}


def dispute_figures(
    *, user: Any, filter: FigureFilter, now: dt.datetime | None = None
) -> DisputeFigures:
    """The figures of the disputes `user` may see, for the filter (see the module's notes).

    `now` fixes "today" for the terms' deadlines (default: the clock). Raises DomainError
    for a period that cannot be counted.
    """
    return _figures(user=user, filter=filter, group=None, now=now).get(None, DisputeFigures())


# --------------------------------------------------------------------------- breakdowns
def _months(filter: FigureFilter) -> list[dt.date]:
    month = filter.period_start.replace(day=1)
    months = []
    while month <= filter.period_end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_key(value: Any) -> Any:
    """A month bucket as the date of its first day, whichever column it was cut from."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _month_group(prefix: str) -> Expression:
    zone = timezone.get_current_timezone()
    if prefix == "mediation__case__":
        return TruncMonth("effective_on")
    if prefix == "followup__case__":
        return TruncMonth("at", tzinfo=zone)
    return TruncMonth("received_at", tzinfo=zone)


def breakdown_parent(*, user: Any, filter: FigureFilter) -> Area | None:
    """The area whose children the area breakdown lists: the filter's, or the user's own."""
    if filter.area is not None:
        return filter.area
    roots = jurisdiction.area_roots(user)
    return roots[0] if len(roots) == 1 else None


def _area_group(parent: Area | None, children: list[Area]) -> Callable[[str], Expression]:
    def group(prefix: str) -> Expression:
        if parent is None:
            return Value(None, output_field=IntegerField())
        branches = []
        for child in children:
            low, high = subtree_range(child.path)
            branches.append(
                When(
                    Q(**{f"{prefix}area_path__gte": low, f"{prefix}area_path__lt": high}),
                    then=Value(child.pk),
                )
            )
        # A case placed on the parent itself (not in any child) is its own line.
        return models.Case(*branches, default=Value(parent.pk), output_field=IntegerField())

    return group


def dispute_figures_by(
    *, user: Any, filter: FigureFilter, by: str, now: dt.datetime | None = None
) -> list[FigureRow]:
    """The figures line by line: by `area` (each child of the filter's area, or of the
    user's home area), by `team` (the handling team; cases with none on their own line) or
    by `month` (every month of the period). Lines of an area or month are listed even when
    empty; teams only when something counts for them."""
    if by not in BREAKDOWNS:
        raise DomainError("by", _("Choose a breakdown by area, team or month."), field="by")
    figure_filter_check(filter)
    if by == "month":
        by_month = _figures(user=user, filter=filter, group=_month_group, now=now)
        return [
            FigureRow(month, month.strftime("%Y-%m"), by_month.get(month, DisputeFigures()))
            for month in _months(filter)
        ]
    if by == "team":
        found = _figures(user=user, filter=filter, group=_team_group, now=now)
        teams = MediationOrganization.objects.in_bulk([key for key in found if key is not None])
        rows = [
            FigureRow(pk, teams[pk].name, found[pk])
            for pk in sorted(teams, key=lambda pk: teams[pk].name)
        ]
        if None in found:
            rows.append(FigureRow(None, _("No handling team"), found[None]))
        return rows
    parent = breakdown_parent(user=user, filter=filter)
    children = list(Area.objects.filter(parent=parent).order_by("code")) if parent else []
    found = _figures(user=user, filter=filter, group=_area_group(parent, children), now=now)
    if parent is None:
        return [FigureRow(None, _("All areas"), found.get(None, DisputeFigures()))]
    rows = [
        FigureRow(child.pk, child.name, found.get(child.pk, DisputeFigures())) for child in children
    ]
    if parent.pk in found or not children:
        label = parent.name if not children else _("%(area)s (itself)") % {"area": parent.name}
        rows.append(FigureRow(parent.pk, label, found.get(parent.pk, DisputeFigures())))
    return rows


def _team_group(prefix: str) -> Expression:
    return F(f"{prefix}handler_team")
