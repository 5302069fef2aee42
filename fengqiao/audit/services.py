"""Writing audit events. Callers name the event explicitly; nothing is inferred."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from fengqiao.audit import context
from fengqiao.audit.models import AuditChainHead, AuditEvent, Outcome
from fengqiao.core import clock
from fengqiao.core.sql import insert_rows

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "occurred_at": event.occurred_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_username": event.actor_username,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "target_label": event.target_label,
            "area_id": event.area_id,
            "outcome": event.outcome,
            "client_address": event.client_address,
            "details": event.details,
            "previous_hash": event.previous_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event).encode()).hexdigest()


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_username: str = "",
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    area: Any = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    client_address: str | None = None,
) -> AuditEvent:
    """Append one event. Details must never hold a clear ID number or phone."""
    return audit_record_many([dict(locals())])[0]


def _event(
    *,
    action: str,
    actor: Any = None,
    actor_username: str = "",
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    area: Any = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    client_address: str | None = None,
    occurred_at: Any = None,
) -> AuditEvent:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:200]
        if area is None:
            area = getattr(target, "area", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        occurred_at=occurred_at,
        actor=actor,
        actor_username=actor_username or (actor.get_username() if actor else ""),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label,
        area=area,
        outcome=outcome,
        client_address=client_address or context.get().client_address,
        details=details or {},
    )


def audit_record_many(entries: Sequence[dict[str, Any]]) -> list[AuditEvent]:
    """Append events in order (each entry takes `audit_record`'s keyword arguments).

    The chain head row is locked so concurrent writers take turns and each event names
    the hash of the one before it; a batch costs three statements whatever its size.
    """
    now = clock.now()
    events = [_event(**{"occurred_at": now, **entry}) for entry in entries]
    # No savepoint of its own: inside a caller's transaction an audit row that cannot be
    # written must fail the whole change anyway, and a savepoint costs two statements.
    with transaction.atomic(savepoint=False):
        previous = _chain_head_lock()
        for event in events:
            event.previous_hash = previous
            event.row_hash = previous = event_hash(event)
        insert_rows(AuditEvent, events)
        _chain_head_move(previous)
    return events


def _chain_head_lock() -> str:
    """The last hash, with the head row locked until the transaction ends (SQLite's
    writers already take turns for the whole transaction). Plain statements: this runs
    with every change of the town."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {table} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
    return _chain_head_lock()


def _chain_head_move(last_hash: str) -> None:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_hash = %s WHERE id = 1", [last_hash])  # noqa: S608


def audit_chain_verify() -> list[int]:
    """Ids of events whose stored hash or link does not match; empty when intact."""
    broken: list[int] = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous or event_hash(event) != event.row_hash:
            broken.append(event.id)
        previous = event.row_hash
    return broken
