"""Audit events are chained: each carries the hash of the one before, every recorded fact
counts in the hash, and the time keeps its offset."""

from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_chain_verify, audit_record, event_hash


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
