"""`insert_new`: insert what is new, skip what a unique constraint already holds."""

from __future__ import annotations

from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.sql import _as_is, _converter, insert_new
from fengqiao.notify.models import Notification
from fengqiao.people.models import Person
from tests.cases_helpers import shanghai

FIELDS = ("recipient", "kind", "title", "body", "link", "dedupe_key", "created_at")


def test_new_rows_are_inserted_and_returned_and_known_ones_skipped(town):
    leader, mediator = town.user("leader"), town.user("mediator")
    at = shanghai(2026, 3, 2, 9, 30)

    def row(user, key):
        return Notification(
            recipient=user, kind="system", title="标题", dedupe_key=key, created_at=at
        )

    first = insert_new(
        Notification,
        [row(leader, "a")],
        fields=FIELDS,
        returning=("recipient", "dedupe_key"),
    )
    again = insert_new(
        Notification,
        [row(leader, "a"), row(mediator, "a")],
        fields=FIELDS,
        returning=("recipient", "dedupe_key"),
    )

    assert first == [(leader.pk, "a")]
    assert again == [(mediator.pk, "a")]
    stored = Notification.objects.get(recipient=mediator)
    assert stored.created_at == at and stored.title == "标题"
    assert Notification.objects.count() == 2


def test_a_field_with_its_own_conversion_keeps_it():
    encrypted = next(
        field for field in Person._meta.get_fields() if isinstance(field, EncryptedTextField)
    )
    assert _converter(encrypted) is not _as_is
    assert _converter(Notification._meta.get_field("title")) is _as_is
