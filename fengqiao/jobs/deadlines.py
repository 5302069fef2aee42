"""The deadline sweep: warn before a case's deadline passes, and act when it has.

For open cases whose milestone is not met and whose clock is running:
- *near*: not yet overdue, and fewer than `working_days` working days left (default 1:
  due today) or less than `fraction` of the allowed time left (default 20 %);
  the handler is told (the handling person, the members of the handling team, the
  liaisons of the handling agency; the dispatchers over the case while nobody handles it);
- *overdue*: the handler and the leaders over the case are told, and every
  `registry.OVERDUE_HOOKS` is called once per chunk with the chunk's newly overdue cases
  (the supervision module raises their orders there).

Each (case, kind, due time) is acted on once: a `DeadlineWarning` row claims it, inserted
in the same transaction as the notifications, so a second sweep (or one on another worker
at the same moment) finds nothing to do, and a sweep killed half-way leaves its unfinished
chunk to the next run. A recomputed deadline is a new due time and warns again.

Only cases inside the warning window and not yet warned are read, in chunks, through the
(is_open, due_at) index: the cost follows the number of new conditions, not of open cases.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Case, Milestone
from fengqiao.cases.selectors import overdue_q
from fengqiao.cases.workflow import CLOCK_STOPPED_STATES
from fengqiao.core import clock
from fengqiao.core.sql import insert_new
from fengqiao.jobs import registry
from fengqiao.jobs.models import DeadlineWarning, WarningKind
from fengqiao.notify.models import Kind
from fengqiao.notify.services import Message, notify_many
from fengqiao.orgs.selectors import unit_people
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar, add_working_days
from fengqiao.workcal.selectors import calendar_load

CHUNK_SIZE = 500
# The columns the sweep reads; the cases handed to the overdue hooks carry these and no
# more (a hook reads what else it needs for the whole chunk in one query).
CASE_FIELDS = (
    "number",
    "title",
    "milestone",
    "due_at",
    "area_path",
    "handler_user_id",
    "handler_team_id",
    "handler_agency_id",
)


def _not_warned(kind: str) -> Exists:
    return ~Exists(
        DeadlineWarning.objects.filter(case=OuterRef("pk"), kind=kind, due_at=OuterRef("due_at"))
    )


def overdue_candidates(now: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(overdue_q(now)).filter(_not_warned(WarningKind.OVERDUE))


class _Seconds(Func):
    """A datetime as a number of seconds, computed by the database's own code.

    Subtracting datetimes on SQLite runs a Python function for every row; SQLite's
    built-in `julianday` does not, which keeps the near-due window cheap on 100,000 open
    cases. Only differences are meaningful (the two databases count from different days).
    """

    output_field = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date_part, not EXTRACT: since PostgreSQL 14 EXTRACT gives a slower numeric.
        return super().as_sql(
            compiler, connection, template="date_part('epoch', %(expressions)s)", **extra
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s) * 86400.0)", **extra
        )


def near_due_candidates(now: dt.datetime, calendar: WorkingCalendar) -> QuerySet[Case]:
    thresholds = settings.FENGQIAO_DEADLINE_WARNING
    days, fraction = thresholds["working_days"], thresholds["fraction"]
    window = Q(pk__in=[])
    if days:
        # Fewer than `days` working days left ⟺ due before the start of the `days`-th
        # working day after today.
        first_safe_day, _provisional = add_working_days(
            calendar, now.astimezone(CENTRE_TZ).date(), days
        )
        window |= Q(due_at__lt=dt.datetime.combine(first_safe_day, dt.time.min, CENTRE_TZ))
    if fraction:
        window |= Q(seconds_left__lt=F("seconds_allowed") * float(fraction))
    return (
        Case.objects.filter(is_open=True, milestone_met_at__isnull=True, due_at__gte=now)
        .exclude(state__in=CLOCK_STOPPED_STATES)
        .alias(
            seconds_left=_Seconds(F("due_at")) - _Seconds(Value(now, output_field=DateTimeField())),
            seconds_allowed=_Seconds(F("due_at")) - _Seconds(F("clock_start")),
        )
        .filter(window)
        .filter(_not_warned(WarningKind.NEAR))
    )


@dataclass(frozen=True)
class _Overseers:
    """Leaders and dispatchers with their home areas, read once per sweep."""

    leaders: jurisdiction.Overseers
    dispatchers: jurisdiction.Overseers

    @classmethod
    def load(cls) -> _Overseers:
        return cls(
            leaders=jurisdiction.Overseers.of(Role.LEADER),
            dispatchers=jurisdiction.Overseers.of(Role.DISPATCHER),
        )


# Reversed once per sweep with a stand-in id, then filled per case: `reverse` costs more
# than everything else a message needs.
_LINK_STAND_IN = 987654321


def _case_link_pattern() -> str:
    try:
        return reverse("case_detail", args=[_LINK_STAND_IN])
    except NoReverseMatch:
        return ""


def _case_link(case: Case, pattern: str) -> str:
    return pattern.replace(str(_LINK_STAND_IN), str(case.pk))


def dedupe_key(kind: str, case: Case) -> str:
    return f"deadline:{kind}:{case.pk}:{case.due_at.astimezone(dt.UTC).isoformat()}"


@dataclass(frozen=True)
class _Texts:
    """The message templates, translated once per sweep rather than once per case."""

    titles: dict[str, str]
    bodies: dict[str, str]
    milestones: dict[str, str]
    case_link: str

    @classmethod
    def load(cls) -> _Texts:
        return cls(
            titles={
                WarningKind.NEAR: _("Deadline near: %(number)s %(title)s"),
                WarningKind.OVERDUE: _("Deadline missed: %(number)s %(title)s"),
            },
            bodies={
                WarningKind.NEAR: _("%(milestone)s is due by %(due)s."),
                WarningKind.OVERDUE: _("%(milestone)s was due by %(due)s."),
            },
            milestones={milestone.value: str(milestone.label) for milestone in Milestone},
            case_link=_case_link_pattern(),
        )


NOTIFICATION_KINDS = {
    WarningKind.NEAR: Kind.DEADLINE_NEAR,
    WarningKind.OVERDUE: Kind.DEADLINE_OVERDUE,
}


def _message(kind: str, case: Case, recipients: set[int], texts: _Texts) -> Message:
    due = timezone.localtime(case.due_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")
    milestone = texts.milestones.get(case.milestone, case.milestone)
    return Message(
        recipients=sorted(recipients),
        kind=NOTIFICATION_KINDS[kind],
        title=texts.titles[kind] % {"number": case.number, "title": case.title},
        body=texts.bodies[kind] % {"milestone": milestone, "due": due},
        link=_case_link(case, texts.case_link),
        case=case,
        dedupe_key=dedupe_key(kind, case),
    )


_CLAIM_COLUMNS = ("case", "kind", "due_at", "raised_at", "claim")


def _claim(kind: str, chunk: list[Case], now: dt.datetime) -> set[int]:
    """Insert the chunk's warning rows; the ids of the cases whose row this call inserted.

    A row another sweep inserted first is neither written again nor returned, so that case
    is the other sweep's. One statement per few hundred cases, where `bulk_create` and
    reading the rows back cost a tenth of a cold sweep at 100,000 open cases.
    """
    claim = uuid.uuid4().hex
    rows = [
        DeadlineWarning(case_id=case.pk, kind=kind, due_at=case.due_at, raised_at=now, claim=claim)
        for case in chunk
    ]
    return {
        case_id
        for (case_id,) in insert_new(
            DeadlineWarning, rows, fields=_CLAIM_COLUMNS, returning=("case",)
        )
    }


def _act_on_chunk(
    kind: str, chunk: list[Case], overseers: _Overseers, texts: _Texts, now: dt.datetime
) -> tuple[int, int]:
    """Claim the chunk's conditions, tell people, call the hooks: all or nothing."""
    with transaction.atomic():
        mine = _claim(kind, chunk, now)
        cases = [case for case in chunk if case.pk in mine]
        handlers = unit_people(
            (case.pk, case.handler_user_id, case.handler_team_id, case.handler_agency_id)
            for case in cases
        )
        messages = []
        for case in cases:
            recipients = handlers[case.pk] or overseers.dispatchers.over(case.area_path)
            if kind == WarningKind.OVERDUE:
                recipients = recipients | overseers.leaders.over(case.area_path)
            if recipients:
                messages.append(_message(kind, case, recipients, texts))
        created = notify_many(messages, now=now)
        if kind == WarningKind.OVERDUE and cases:
            for hook in registry.OVERDUE_HOOKS:
                hook(cases, now=now)
    return len(cases), len(created)


def deadline_sweep(
    *, now: dt.datetime | None = None, chunk_size: int = CHUNK_SIZE
) -> dict[str, Any]:
    """Warn of near and missed deadlines; the numbers of new conditions and notifications."""
    now = now or clock.now()
    calendar = calendar_load()
    overseers = _Overseers.load()
    result = {"overdue": 0, "near": 0, "notifications": 0}
    # Notifications are stored as text, written in the centre's language.
    with translation.override(settings.LANGUAGE_CODE):
        texts = _Texts.load()
        for kind, candidates in (
            (WarningKind.OVERDUE, overdue_candidates(now)),
            (WarningKind.NEAR, near_due_candidates(now, calendar)),
        ):
            last_pk = 0
            while True:
                chunk = list(
                    candidates.filter(pk__gt=last_pk).only(*CASE_FIELDS).order_by("pk")[:chunk_size]
                )
                if not chunk:
                    break
                last_pk = chunk[-1].pk
                conditions, notifications = _act_on_chunk(kind, chunk, overseers, texts, now)
                result[kind] += conditions
                result["notifications"] += notifications
    return result
