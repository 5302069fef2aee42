"""Who calls /api/v1: a token bought with a password and stored only as its hash, refused
once expired, revoked or its account disabled, purged when old; failures audited and
locked out like the login page's."""

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.conf import settings

from fengqiao.api.models import ApiToken, IdempotencyRecord
from fengqiao.api.services import api_purge, api_token_issue
from fengqiao.audit.models import AuditEvent
from fengqiao.core import clock
from tests.fixtures import PASSWORD, as_, assert_error, bearer, case_body, shanghai

pytestmark = pytest.mark.django_db


# Monday 29 September 2025, 10:00 in Shanghai: the National Day holidays (1–8 October)
# lie ahead, Saturday 11 October is an adjusted working day.
NOW = shanghai(2025, 9, 29, 10, 0)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# --------------------------------------------------------------------------- tokens
def test_a_password_buys_a_token_stored_only_as_its_hash(client, town):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "t_leader", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=town.user("leader"))
    assert token.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    assert body["expires_at"] == "2025-10-29T10:00:00+08:00"
    assert AuditEvent.objects.filter(action="api.token_issue", actor=town.user("leader")).exists()
    listed = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert listed.status_code == 200


def test_a_wrong_password_is_a_401_in_json_and_audited(client, town):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "t_leader", "password": "wrong"},
        content_type="application/json",
    )

    assert_error(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_username="t_leader").exists()


def test_repeated_failures_lock_the_username_with_a_429_in_json(client, town):
    def attempt(password: str) -> Any:
        return client.post(
            "/api/v1/auth/token",
            {"username": "t_leader", "password": password},
            content_type="application/json",
        )

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("wrong").status_code == 401
    assert_error(attempt("wrong"), 429, "locked_out")
    # Even the right password is refused while the lock lasts.
    assert_error(attempt(PASSWORD), 429, "locked_out")
    assert not ApiToken.objects.exists()


def test_without_a_token_a_data_endpoint_answers_401_json_not_a_login_redirect(client, town):
    assert_error(client.get("/api/v1/cases"), 401, "unauthorized")
    assert_error(
        client.get("/api/v1/categories", HTTP_AUTHORIZATION="Bearer nonsense"), 401, "invalid_token"
    )


def test_an_expired_token_or_a_disabled_account_is_refused(client, town):
    leader = town.user("leader")
    expired = api_token_issue(user=leader, now=NOW - dt.timedelta(days=31))
    assert_error(
        client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {expired.key}"),
        401,
        "token_expired",
    )
    clerk = town.user("intake_clerk")
    headers = bearer(clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/cases", **headers), 401, "invalid_token")


def test_a_revoked_token_no_longer_works(town):
    api = as_(town, "leader")
    assert api.client.delete("/api/v1/auth/token", **api.headers).status_code == 204
    assert_error(api.get("/cases"), 401, "invalid_token")


def test_the_purge_drops_expired_tokens_and_old_idempotency_records(town):
    api_token_issue(user=town.user("leader"), now=NOW - dt.timedelta(days=31))
    current = api_token_issue(user=town.user("intake_clerk"))
    as_(town, "intake_clerk").post("/cases", case_body(town), HTTP_IDEMPOTENCY_KEY="old")

    assert api_purge(now=NOW + dt.timedelta(hours=25)) == {
        "tokens": 1,
        "idempotency_records": 1,
    }
    assert ApiToken.objects.filter(pk=current.token.pk).exists()
    assert ApiToken.objects.count() == 2  # the clerk's: one above, one for the request
    assert not IdempotencyRecord.objects.exists()
