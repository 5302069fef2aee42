"""Deadlines recomputed when the calendar changes (a new year's holidays entered)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fengqiao.audit.services import audit_record
from fengqiao.cases import sla
from fengqiao.cases.models import Case
from fengqiao.cases.services.timeline import append_event
from fengqiao.core import clock
from fengqiao.workcal.calendar import WorkingCalendar
from fengqiao.workcal.selectors import calendar_load


def case_recompute_deadlines(*, actor: Any = None, calendar: WorkingCalendar | None = None) -> int:
    """Recompute the open cases whose deadline is provisional, e.g. after the system admin
    enters a new year's holidays. Each changed case gets a timeline entry and a new version.
    """
    calendar = calendar or calendar_load()
    now = clock.now()
    changed = 0
    ids = list(Case.objects.filter(is_open=True, due_provisional=True).values_list("id", flat=True))
    for case_id in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            before = (case.due_at, case.due_provisional)
            sla.recompute_deadline(case, calendar)
            if (case.due_at, case.due_provisional) == before:
                continue
            case.version += 1
            case.updated_at = now
            case.save(
                update_fields=["due_at", "due_provisional", "on_time", "version", "updated_at"]
            )
            append_event(
                case,
                actor,
                "deadline_recomputed",
                case.state,
                case.state,
                now,
                note="",
                data={
                    "from": before[0].isoformat(),
                    "to": case.due_at.isoformat(),
                    "provisional": case.due_provisional,
                },
            )
            changed += 1
    if changed:
        audit_record(action="case.deadlines_recomputed", actor=actor, details={"cases": changed})
    return changed
