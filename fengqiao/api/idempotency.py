"""`Idempotency-Key`: a retried POST returns the first result instead of acting twice.

The record is inserted before the work and completed after it, in one transaction. A
concurrent request with the same key blocks on the unique (user, key) index until the
first commits, then finds its record and replays it; if the first failed, its record
went with it and the second does the work. Refusals are not remembered: nothing was
done, so a retry may simply try again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from fengqiao.api.errors import ApiError
from fengqiao.api.models import IdempotencyRecord
from fengqiao.core import clock
from fengqiao.core.errors import AuditedRefusal

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def json_response(body: Any, status: int, *, replayed: bool = False) -> HttpResponse:
    # Keys sorted: PostgreSQL's jsonb does not keep their order, and a replay must be
    # byte for byte the first answer.
    content = json.dumps(body, ensure_ascii=False, sort_keys=True)
    response = HttpResponse(content, status=status, content_type="application/json; charset=utf-8")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _request_hash(fingerprint: Any) -> str:
    canonical = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _checked_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ApiError(
            400,
            "invalid",
            _("The Idempotency-Key must be 1 to %(n)d printable ASCII characters.")
            % {"n": MAX_KEY_LENGTH},
            field=HEADER,
        )
    return key


def _replay(record: IdempotencyRecord, method_path: str, request_hash: str) -> HttpResponse:
    if record.method_path != method_path or record.request_hash != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was already used for a different request; "
                "use a new key for a new request."
            ),
            field=HEADER,
        )
    return json_response(record.response_body, record.status_code, replayed=True)


def idempotent(
    request: HttpRequest,
    *,
    key: str | None,
    fingerprint: Any,
    run: Callable[[], tuple[int, Any]],
) -> HttpResponse:
    """Run `run` (which returns a status and a JSON-ready body) at most once per key."""
    if key is None:
        status, body = run()
        return json_response(body, status)
    key = _checked_key(key)
    user = request.auth  # type: ignore[attr-defined]
    method_path = f"{request.method} {request.path}"[:300]
    request_hash = _request_hash(fingerprint)
    mine = IdempotencyRecord.objects.filter(user=user, key=key)
    existing = mine.first()
    if existing is not None:
        return _replay(existing, method_path, request_hash)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method_path=method_path,
                        request_hash=request_hash,
                        status_code=0,
                        response_body={},
                        created_at=clock.now(),
                    )
            except IntegrityError:
                return _replay(mine.get(), method_path, request_hash)
            status, body = run()
            record.status_code, record.response_body = status, body
            record.save(update_fields=["status_code", "response_body"])
    except AuditedRefusal as refused:
        # This transaction took the refusal's audit row down with it; write it again.
        refused.write_audit()
        raise
    return json_response(body, status)
