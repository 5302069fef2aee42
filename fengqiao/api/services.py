"""Issuing and checking API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fengqiao.api.models import ApiToken, IdempotencyRecord
from fengqiao.audit.services import audit_record
from fengqiao.core import clock

TOKEN_LIFETIME = dt.timedelta(days=30)
# How long a retry with the same Idempotency-Key gets the first answer. The stored answer
# repeats a case's details, so it is not kept longer than a client would retry.
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
TOKEN_PREFIX = "fq_"  # noqa: S105 (a label that makes a leaked token recognisable)
# `last_used_at` is a hint for the security administrator, not a log: writing it on every
# request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    key: str
    token: ApiToken


@transaction.atomic
def api_token_issue(*, user: Any, now: dt.datetime | None = None) -> IssuedToken:
    """A new token for `user`; the clear key is returned once and never stored."""
    now = now or clock.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(key),
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
    )
    audit_record(
        action="api.token_issue",
        actor=user,
        target=user,
        details={"token": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(key=key, token=token)


class TokenRefused(Exception):
    """The key is unknown, expired, or belongs to a disabled account."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def api_token_authenticate(*, key: str, now: dt.datetime | None = None) -> ApiToken:
    now = now or clock.now()
    token = (
        ApiToken.objects.select_related("user", "user__home_area")
        .filter(key_hash=token_hash(key))
        .first()
    )
    if token is None:
        raise TokenRefused("unknown")
    if token.expires_at <= now:
        raise TokenRefused("expired")
    if not token.user.is_active:
        raise TokenRefused("inactive")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    audit_record(
        action="api.token_revoke", actor=token.user, target=token.user, details={"token": token.pk}
    )
    token.delete()


def api_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired tokens and idempotency records past their window. Idempotent."""
    now = now or clock.now()
    tokens, _ = ApiToken.objects.filter(expires_at__lte=now).delete()
    records, _ = IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    return {"tokens": tokens, "idempotency_records": records}
