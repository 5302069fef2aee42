"""Opening and closing rounds.

- `screening_round_open`: a centre leader opens a round (regular or special) over areas of
  their jurisdiction; the reports it expects are written with it, one per area with someone
  to file it (`selectors.areas_with_reporters`);
- `screening_round_close`: a leader over every area of the round closes it;
- `screening_rounds_open_due`: the daily pass opens the half month's regular round for each
  town that has none, when the policy says so; idempotent (a unique key per period and
  areas keeps it to one however often, and on however many workers, it runs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.areas.models import Area, Level
from fengqiao.audit.services import audit_record
from fengqiao.core import clock
from fengqiao.core.errors import Problems, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.core.sql import insert_rows
from fengqiao.screening import periods, workflow
from fengqiao.screening.models import (
    ReportState,
    RoundKind,
    RoundState,
    ScreeningReport,
    ScreeningRound,
)
from fengqiao.screening.selectors import (
    areas_with_reporters,
    round_list_for_user,
    screening_policy,
)
from fengqiao.screening.services.common import MAX_TEXT, next_number, refusal_audit
from fengqiao.workcal.calendar import CENTRE_TZ, WorkingCalendar
from fengqiao.workcal.selectors import calendar_load

logger = logging.getLogger(__name__)

# The levels a round may be opened over: a town, or one village/community of it.
ROUND_LEVELS = (Level.TOWN, Level.VILLAGE)
MAX_TITLE = 100


def regular_key(period_start: dt.date, areas: Sequence[Area]) -> str:
    return f"{period_start.isoformat()}:{','.join(str(pk) for pk in sorted(a.pk for a in areas))}"


def _round_areas(actor: Any, areas: Sequence[Any], problems: Problems) -> list[Area]:
    """The areas named (default: the leader's home area), each in the leader's jurisdiction
    and a town or village; an area under another one named is covered by it already."""
    if not areas:
        home = getattr(actor, "home_area", None)
        areas = [home] if home is not None else []
    wanted = {id_of(area) for area in areas}
    wanted.discard(None)
    found = list(
        (jurisdiction.areas_visible(actor) if actor is not None else Area.objects.all())
        .filter(pk__in=wanted, level__in=ROUND_LEVELS)
        .order_by("path")
    )
    if not wanted or len(found) != len(wanted):
        problems.add(
            "areas",
            _("Choose the town or the villages of your jurisdiction that the round screens."),
            field="areas",
        )
    kept: list[Area] = []
    for area in found:
        if not any(area.path.startswith(outer.path) for outer in kept):
            kept.append(area)
    return kept


@audits_refusals
def screening_round_open(
    *,
    actor: Any,
    kind: str = RoundKind.REGULAR,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    due_on: dt.date | None = None,
    title: str = "",
    areas: Sequence[Any] = (),
    now: dt.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ScreeningRound:
    """A centre leader opens a round. A regular round's period defaults to the current half
    month; a special round names its period. The deadline defaults to the policy's working
    days after the period ends; the title to the one the centre writes ("2026年3月上半月矛盾
    纠纷排查"). Every problem is reported at once (400); a second regular round for the
    same period and areas is refused (409)."""
    now = now or clock.now()
    refused = workflow.round_refusal(actor, None, "open", audit=refusal_audit(actor, "open"))
    if refused is not None:
        raise refused
    today = timezone.localtime(now, CENTRE_TZ).date()
    problems = Problems()
    if kind not in RoundKind.values:
        problems.add("kind", _("Choose regular or special screening."), field="kind")
    if period_start is None and kind == RoundKind.REGULAR:
        period_start, period_end = periods.half_month(today)
    elif period_start is None:
        problems.add(
            "period", _("Give the first day of the period screened."), field="period_start"
        )
    if period_start is not None and period_end is None:
        if kind == RoundKind.REGULAR:
            period_end = periods.half_month(period_start)[1]
        else:
            problems.add(
                "period", _("Give the last day of the period screened."), field="period_end"
            )
    if period_start is not None and period_end is not None:
        if period_end < period_start:
            problems.add("period", _("The period ends before it starts."), field="period_end")
        elif (period_end - period_start).days + 1 > periods.MAX_PERIOD_DAYS:
            problems.add(
                "period",
                _("A round screens at most %(days)d days.") % {"days": periods.MAX_PERIOD_DAYS},
                field="period_end",
            )
    chosen = _round_areas(actor, areas, problems)
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        problems.add(
            "title", _("Keep the title under %(n)d characters.") % {"n": MAX_TITLE}, field="title"
        )
    due_at, provisional = None, False
    if due_on is not None:
        due_at = periods.end_of_day(due_on)
        if period_start is not None and due_on < period_start:
            problems.add(
                "due_on",
                _("The reports cannot be due before the period starts."),
                field="due_on",
            )
        elif due_at < now:
            problems.add("due_on", _("This deadline has already passed."), field="due_on")
    problems.raise_if_any()
    assert period_start is not None and period_end is not None
    if due_at is None:
        due = periods.report_due(
            calendar or calendar_load(), period_end, screening_policy().report_working_days
        )
        due_at, provisional = due.due_at, due.provisional
    if not title:
        with translation.override(settings.LANGUAGE_CODE):
            title = periods.default_title(kind, period_start, period_end)
    key = regular_key(period_start, chosen) if kind == RoundKind.REGULAR else ""
    existing = ScreeningRound.objects.filter(regular_key=key).first() if key else None
    if existing is not None:
        raise _exists(actor, existing)
    try:
        with transaction.atomic():
            return _create(
                actor=actor,
                kind=kind,
                title=title,
                period=(period_start, period_end),
                due=(due_at, provisional),
                areas=chosen,
                key=key,
                now=now,
            )
    except IntegrityError:
        # Opened by someone else (or the daily pass) at the same moment.
        raise _exists(actor, ScreeningRound.objects.get(regular_key=key)) from None


def _exists(actor: Any, existing: ScreeningRound) -> WrongState:
    return WrongState(
        _("A regular round for this period and these areas exists already: %(title)s.")
        % {"title": existing.title},
        audit=refusal_audit(actor, "open", target=existing),
        code="round_exists",
    )


def _create(
    *,
    actor: Any,
    kind: str,
    title: str,
    period: tuple[dt.date, dt.date],
    due: tuple[dt.datetime, bool],
    areas: list[Area],
    key: str,
    now: dt.datetime,
) -> ScreeningRound:
    screening_round = ScreeningRound.objects.create(
        number=next_number(period[0]),
        kind=kind,
        title=title,
        period_start=period[0],
        period_end=period[1],
        due_at=due[0],
        due_provisional=due[1],
        opened_by=actor,
        opened_at=now,
        regular_key=key,
    )
    screening_round.areas.set(areas)
    expected = areas_with_reporters([area.path for area in areas])
    insert_rows(
        ScreeningReport,
        [
            ScreeningReport(
                round=screening_round,
                area=area,
                area_path=area.path,
                level=area.level,
                expected=True,
                state=ReportState.PENDING,
            )
            for area in expected
        ],
    )
    audit_record(
        action="screening.open",
        actor=actor,
        target=screening_round,
        area=areas[0],
        details={
            "kind": kind,
            "period": [period[0].isoformat(), period[1].isoformat()],
            "due_at": due[0].isoformat(),
            "areas": [area.pk for area in areas],
            "expected": len(expected),
        },
    )
    return screening_round


@audits_refusals
@transaction.atomic
def screening_round_close(
    *, actor: Any, round_id: Any, note: str = "", now: dt.datetime | None = None
) -> ScreeningRound:
    """A leader over every area of the round closes it. Reports still missing stay missing;
    one filed later is accepted and marked late."""
    now = now or clock.now()
    jurisdiction.get_in_scope(actor, round_list_for_user(user=actor), round_id)
    screening_round = ScreeningRound.objects.select_for_update().get(pk=round_id)
    refused = workflow.round_refusal(
        actor,
        screening_round,
        "close",
        audit=refusal_audit(
            actor, "close", target=screening_round, details={"state": screening_round.state}
        ),
    )
    if refused is not None:
        raise refused
    note = (note or "").strip()
    problems = Problems()
    if len(note) > MAX_TEXT:
        problems.add("note", _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}, field="note")
    problems.raise_if_any()
    screening_round.state = RoundState.CLOSED
    screening_round.closed_by = actor
    screening_round.closed_at = now
    screening_round.close_note = note
    screening_round.save(update_fields=["state", "closed_by", "closed_at", "close_note"])
    missing = screening_round.reports.filter(expected=True, state=ReportState.PENDING).count()
    audit_record(
        action="screening.close",
        actor=actor,
        target=screening_round,
        area=screening_round.areas.order_by("path").first(),
        details={"not_reported": missing},
    )
    return screening_round


def screening_rounds_open_due(*, now: dt.datetime | None = None) -> int:
    """The daily pass: when the policy opens regular rounds by itself, open the current half
    month's round for each town that has none yet. Returns how many were opened."""
    now = now or clock.now()
    if not screening_policy().auto_open_regular:
        return 0
    today = timezone.localtime(now, CENTRE_TZ).date()
    start, end = periods.half_month(today)
    opened = 0
    calendar = calendar_load()
    for town in Area.objects.filter(level=Level.TOWN).order_by("path"):
        key = regular_key(start, [town])
        if ScreeningRound.objects.filter(regular_key=key).exists():
            continue
        refused = workflow.round_refusal(None, None, "open", audit=refusal_audit(None, "open"))
        if refused is not None:  # pragma: no cover - the table lets the daily pass open
            raise refused
        due = periods.report_due(calendar, end, screening_policy().report_working_days)
        with translation.override(settings.LANGUAGE_CODE):
            title = periods.default_title(RoundKind.REGULAR, start, end)
        try:
            with transaction.atomic():
                _create(
                    actor=None,
                    kind=RoundKind.REGULAR,
                    title=title,
                    period=(start, end),
                    due=(due.due_at, due.provisional),
                    areas=[town],
                    key=key,
                    now=now,
                )
        except IntegrityError:
            # Another worker opened it meanwhile.
            continue
        opened += 1
    return opened
