"""Deadlines of cases: the policy tiers (13715 by default) and the working-day arithmetic.

The deadline of a case is always recomputed from scratch:
    due = the end of the Nth working day after `clock_start`, where
    N = the tier's working days + approved extensions + working days spent suspended.
So regrading, extending, suspending and a calendar correction all land in one formula.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Kind, SlaPolicy
from fengqiao.core.errors import DomainError
from fengqiao.workcal.calendar import WorkingCalendar, due_after, working_days_between


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def sla_tier(*, kind: str, grade: str) -> SlaPolicy:
    tier = SlaPolicy.objects.filter(kind=kind, grade=grade if kind == Kind.DISPUTE else "").first()
    if tier is None:
        raise DomainError(
            "no_deadline_tier",
            _(
                "No deadline tier is configured for this kind and grade; "
                "ask the system administrator."
            ),
            field="grade",
        )
    return tier


def apply_tier(case: Case, tier: SlaPolicy) -> None:
    case.milestone = tier.milestone
    case.sla_working_days = tier.working_days


def recompute_deadline(case: Case, calendar: WorkingCalendar) -> None:
    total = case.sla_working_days + case.extension_days + case.suspended_days
    due = due_after(calendar, case.clock_start, total)
    case.due_at = due.due_at
    case.due_provisional = due.provisional
    if case.milestone_met_at is not None:
        case.on_time = case.milestone_met_at <= case.due_at


def suspended_working_days(
    calendar: WorkingCalendar, since: dt.datetime, until: dt.datetime
) -> int:
    """Working days the clock stood still: those after the day of suspension up to the day
    of resumption (the same convention as counting from receipt)."""
    return working_days_between(calendar, local_date(since), local_date(until))


DEADLINE_FIELDS = [
    "milestone",
    "sla_working_days",
    "extension_days",
    "suspended_days",
    "suspended_at",
    "clock_start",
    "due_at",
    "due_provisional",
    "milestone_met_at",
    "on_time",
    "extension_requested_days",
    "extension_request_reason",
]
