"""The case's timeline: entries are appended, never edited (database triggers refuse it).

`case_record_event(s)` write the entries of steps that leave the state as it is (a
mediation session, a supervision order, a follow-up); the lifecycle's own entries are
written by `engine.case_act` through `append_event`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from fengqiao.cases import hooks, workflow
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.core import clock
from fengqiao.core.sql import insert_rows


def actor_name(actor: Any) -> str:
    """Who took a step on a timeline; None is the system itself (sweeps, automatic orders)."""
    return str(actor) if actor is not None else str(_("System"))


def action_label(action: str) -> str:
    if action == workflow.REPORT:
        return _("Registered")
    if action == "deadline_recomputed":
        return _("Deadline recomputed with the updated calendar")
    if action == "merged_from":
        return _("Another case was merged into this one")
    if action in hooks.EVENT_LABELS:
        return str(hooks.EVENT_LABELS[action])
    transition = workflow.ACTIONS.get(action)
    return str(transition.label) if transition else action


def append_event(
    case: Case,
    actor: Any,
    action: str,
    from_state: str,
    to_state: str,
    now: dt.datetime,
    *,
    note: str,
    data: dict[str, Any],
) -> CaseEvent:
    """The next entry of a case whose row the caller holds locked."""
    last = case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    return CaseEvent.objects.create(
        case=case,
        sequence=last + 1,
        at=now,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def case_record_event(
    *,
    actor: Any,
    case: Case,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """A timeline entry that does not change the case's state (a mediation session, a
    supervision order, a follow-up). Call it inside the transaction that makes the change it
    records; the case row is locked so that two entries never take the same step. Name the
    entry with `hooks.register_event_label`.
    """
    entry = {"actor": actor, "case": case, "action": action, "note": note, "data": data}
    return case_record_events([{**entry, "now": now}])[0]


def case_record_events(entries: Sequence[dict[str, Any]]) -> list[CaseEvent]:
    """`case_record_event` for many entries (each takes its keyword arguments), in order.

    Three statements whatever the batch: the cases are locked in one query (in id order,
    so two batches over the same cases wait for each other rather than deadlock), their
    last steps read in one, the entries inserted in one. Entries for the same case take
    consecutive steps in the order given.
    """
    if not entries:
        return []
    case_ids = sorted({entry["case"].pk for entry in entries})
    states = dict(
        Case.objects.select_for_update()
        .filter(pk__in=case_ids)
        .order_by("pk")
        .values_list("pk", "state")
    )
    missing = set(case_ids) - set(states)
    if missing:
        raise Case.DoesNotExist(f"no case {sorted(missing)}")
    last = dict(
        CaseEvent.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(last=models.Max("sequence"))
        .values_list("case_id", "last")
    )
    default_now = clock.now()
    events = []
    for entry in entries:
        case_id = entry["case"].pk
        last[case_id] = step = (last.get(case_id) or 0) + 1
        state = states[case_id]
        events.append(
            CaseEvent(
                case=entry["case"],
                sequence=step,
                at=entry.get("now") or default_now,
                actor=entry.get("actor"),
                action=entry["action"],
                from_state=state,
                to_state=state,
                note=entry.get("note") or "",
                data=entry.get("data") or {},
            )
        )
    insert_rows(CaseEvent, events)
    return events
