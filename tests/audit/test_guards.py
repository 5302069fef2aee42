"""The audit log is append-only: the database refuses to change or remove a row, whatever
asks."""

import pytest
from django.db import DatabaseError, connection, transaction

from fengqiao.audit.models import AuditEvent


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
