"""Signing in and out, and failing to, are audited from Django's own signals."""

from fengqiao.audit.models import AuditEvent
from tests.fixtures import PASSWORD


def test_login_logout_and_failures_are_audited(client, town):
    user = town.user("grid_worker")
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "nobody-here", "password": "wrong"})
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/logout/")
    actions = list(
        AuditEvent.objects.order_by("id").values_list("action", "actor_username", "outcome")
    )
    assert actions[-4:] == [
        ("auth.login_failed", user.username, "failure"),
        ("auth.login_failed", "nobody-here", "failure"),
        ("auth.login", user.username, "success"),
        ("auth.logout", user.username, "success"),
    ]
    assert AuditEvent.objects.filter(action="auth.login").get().client_address == "127.0.0.1"
