"""Authentication events from Django's own signals (the framework offers no other hook)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fengqiao.audit.middleware import client_address
from fengqiao.audit.models import Outcome
from fengqiao.audit.services import audit_record


def _address(request: Any) -> str | None:
    return client_address(request) if request is not None else None


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", actor=user, target=user, client_address=_address(request))


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(action="auth.logout", actor=user, target=user, client_address=_address(request))


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The attempted username is kept (it is how an attack is seen); the password never.
    audit_record(
        action="auth.login_failed",
        actor_username=str(credentials.get("username", ""))[:150],
        outcome=Outcome.FAILURE,
        client_address=_address(request),
    )
