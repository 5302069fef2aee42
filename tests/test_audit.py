import pytest
from django.db import DatabaseError, connection, transaction

from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify, audit_record, event_hash


@pytest.fixture
def event(db):
    return audit_record(action="test.event", details={"note": "原始记录"})


def test_the_orm_cannot_update_an_audit_row(event):
    event.action = "tampered"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_raw_sql_cannot_update_an_audit_row(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_raw_sql_cannot_delete_an_audit_row(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_orm_cannot_delete_audit_rows(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_the_chain_links_each_event_to_the_one_before(db):
    first = audit_record(action="test.one")
    second = audit_record(action="test.two")
    assert second.previous_hash == first.row_hash
    assert audit_chain_verify() == []


def test_the_hash_changes_when_any_recorded_fact_changes(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert event_hash(stored) == stored.row_hash
    stored.details = {"note": "改过的记录"}
    assert event_hash(stored) != stored.row_hash


def test_time_is_kept_with_its_offset(event):
    from django.utils import timezone

    local = timezone.localtime(AuditEvent.objects.get(pk=event.pk).occurred_at)
    assert local.isoformat().endswith("+08:00")


def test_login_logout_and_failures_are_audited(client, town):
    user = town.user("grid_worker")
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "nobody-here", "password": "wrong"})
    client.post("/accounts/login/", {"username": user.username, "password": "Test-pass-2026"})
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


def test_failed_login_shows_the_same_message_for_real_and_unknown_users(client, town):
    real = client.post(
        "/accounts/login/", {"username": town.user("leader").username, "password": "wrong"}
    ).content.decode()
    unknown = client.post(
        "/accounts/login/", {"username": "ghost", "password": "wrong"}
    ).content.decode()

    def error_of(page):
        start = page.index('class="errors"')
        return page[start : page.index("</div>", start)]

    assert error_of(real) == error_of(unknown)


def test_five_failures_lock_the_username_from_that_address(client, town):
    from django.conf import settings

    user = town.user("leader")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(
                "/accounts/login/", {"username": user.username, "password": "wrong"}
            ).status_code
            == 200
        )
    locked = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    # Even the right password is refused while the lock lasts.
    again = client.post(
        "/accounts/login/", {"username": user.username, "password": "Test-pass-2026"}
    )
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5


def test_an_unknown_username_is_locked_the_same_way(client, db):
    from django.conf import settings

    responses = [
        client.post("/accounts/login/", {"username": "ghost", "password": "wrong"}).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1] == 429
