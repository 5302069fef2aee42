"""Who is acting and from where, for the duration of one request or command."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    client_address: str | None = None


EMPTY = AuditContext()
current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "fengqiao_audit_context", default=None
)


def get() -> AuditContext:
    return current.get() or EMPTY
