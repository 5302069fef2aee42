"""Writing notifications. `notify` is the one way to tell people something.

In-app rows are inserted at once, inside the caller's transaction, one per person and
condition (duplicates are ignored by the unique (recipient, dedupe_key)). Outbound
deliveries (email, SMS) are rows too, written in the same transaction and sent by the
job runner only after it commits: a rolled-back transition sends nothing, and a delivery
interrupted by a crash is found and sent again by `deliveries_send`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.core.identifiers import MOBILE_RE, normalise_phone
from fengqiao.core.sql import insert_new
from fengqiao.notify.channels import channel_get, outbound_channels
from fengqiao.notify.models import Delivery, DeliveryStatus, Notification, NotificationPreference

logger = logging.getLogger(__name__)

NOTIFICATION_FIELDS = (
    "recipient",
    "kind",
    "title",
    "body",
    "link",
    "case",
    "dedupe_key",
    "created_at",
    "read_at",
)
# How long a worker owns a delivery while sending it; after that another may retry it.
DELIVERY_LEASE = dt.timedelta(minutes=5)
DELIVERY_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Message:
    """One thing to tell some people; `dedupe_key` names the condition."""

    recipients: Iterable[Any]
    kind: str
    title: str
    dedupe_key: str
    body: str = ""
    link: str = ""
    case: Any = None


def _user_id(recipient: Any) -> int:
    return recipient if isinstance(recipient, int) else recipient.pk


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    case: Any = None,
    dedupe_key: str,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Tell `recipients` (users or user ids) once about the condition `dedupe_key`.

    Returns the notifications this call created (people already told are left out).
    """
    message = Message(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        link=link,
        case=case,
        dedupe_key=dedupe_key,
    )
    return notify_many([message], now=now)


def notify_many(
    messages: Sequence[Message], *, now: dt.datetime | None = None
) -> list[Notification]:
    """`notify` for many messages in a few queries (the deadline sweep's path)."""
    now = now or clock.now()
    wanted: dict[tuple[int, str], Notification] = {}
    for message in messages:
        if len(message.dedupe_key) > 200 or not message.dedupe_key:
            raise ValueError("dedupe_key must be 1 to 200 characters")
        for recipient in message.recipients:
            key = (_user_id(recipient), message.dedupe_key)
            wanted.setdefault(
                key,
                Notification(
                    recipient_id=key[0],
                    kind=message.kind,
                    title=message.title[:200],
                    body=message.body,
                    link=message.link,
                    case=message.case,
                    dedupe_key=message.dedupe_key,
                    created_at=now,
                ),
            )
    if not wanted:
        return []
    with transaction.atomic():
        # A person already told of a condition is skipped by the unique constraint, also
        # when two workers notice the same condition at once; what is returned is new.
        rows = list(wanted.values())
        inserted = insert_new(
            Notification,
            rows,
            fields=NOTIFICATION_FIELDS,
            returning=("id", "recipient", "dedupe_key"),
        )
        if not inserted:
            return []
        created = []
        for pk, recipient_id, dedupe_key in sorted(inserted):
            row = wanted[(recipient_id, dedupe_key)]
            row.pk = pk
            created.append(row)
        deliveries = _deliveries_for(created, now)
        if deliveries:
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
            ids = sorted({delivery.notification_id for delivery in deliveries})
            transaction.on_commit(lambda: _enqueue_sending(ids))
    return created


def _deliveries_for(notifications: list[Notification], now: dt.datetime) -> list[Delivery]:
    """A delivery for each outbound channel the recipient chose and has an address for."""
    channels = outbound_channels()
    if not channels or not notifications:
        return []
    user_ids = {row.recipient_id for row in notifications}
    choices = {
        (preference.user_id, preference.channel): preference
        for preference in NotificationPreference.objects.filter(
            user_id__in=user_ids, channel__in=list(channels)
        )
    }
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True)}
    defaults = set(settings.FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS)
    wanted: set[tuple[int, str]] = set()
    for user_id, user in users.items():
        for name, channel in channels.items():
            preference = choices.get((user_id, name))
            enabled = preference.enabled if preference is not None else name in defaults
            if enabled and channel.address(user, preference.address if preference else ""):
                wanted.add((user_id, name))
    return [
        Delivery(notification_id=row.pk, channel=name, created_at=now)
        for row in notifications
        for name in channels
        if (row.recipient_id, name) in wanted
    ]


def _enqueue_sending(notification_ids: list[int]) -> None:
    from fengqiao.notify.tasks import send_deliveries

    try:
        send_deliveries(notification_ids)
    except Exception:
        # The queue is unreachable: the rows are committed, and the retry job sends them.
        logger.exception("could not queue the sending of notifications %s", notification_ids)


def deliveries_send(
    *,
    notification_ids: Sequence[int] | None = None,
    now: dt.datetime | None = None,
    limit: int = 500,
) -> int:
    """Send pending deliveries (of these notifications, or all that are due); the count sent.

    Each delivery is claimed with a compare-and-set on its lease, so two workers never
    send the same one at the same time.
    """
    now = now or clock.now()
    due = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    pending = Delivery.objects.filter(due, status=DeliveryStatus.PENDING)
    if notification_ids is not None:
        pending = pending.filter(notification_id__in=list(notification_ids))
    sent = 0
    for delivery_id in list(pending.order_by("id").values_list("id", flat=True)[:limit]):
        claimed = Delivery.objects.filter(
            due, pk=delivery_id, status=DeliveryStatus.PENDING
        ).update(leased_until=now + DELIVERY_LEASE, attempts=F("attempts") + 1)
        if claimed:
            sent += _send_one(delivery_id, now)
    return sent


def _send_one(delivery_id: int, now: dt.datetime) -> int:
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    recipient = notification.recipient
    preference = NotificationPreference.objects.filter(
        user=recipient, channel=delivery.channel
    ).first()
    channel = channel_get(delivery.channel)
    enabled = (
        preference.enabled
        if preference is not None
        else delivery.channel in settings.FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS
    )
    address = (
        channel.address(recipient, preference.address if preference else "") if channel else ""
    )
    if channel is None or not enabled or not address or not recipient.is_active:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SKIPPED)
        return 0
    try:
        channel.send(notification, address)
    except Exception as error:
        logger.exception("sending notification %s by %s failed", notification.pk, delivery.channel)
        failed = delivery.attempts >= DELIVERY_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            # Back off: 5, 10, 15 … minutes before the next try.
            leased_until=now + DELIVERY_LEASE * delivery.attempts,
            last_error=str(error)[:300],
        )
        return 0
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=clock.now(), leased_until=None, last_error=""
    )
    return 1


def notification_mark_read(*, user: Any, ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Mark the user's own notifications read; others' ids are ignored. The count changed."""
    return Notification.objects.filter(
        recipient=user, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=now or clock.now())


def notification_mark_all_read(*, user: Any, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or clock.now()
    )


def notification_preference_set(
    *, actor: Any, channel: str, enabled: bool, address: str = ""
) -> NotificationPreference:
    """The actor's own choice for one outbound channel."""
    if channel not in outbound_channels():
        raise DomainError("unknown_channel", _("This channel is not available."), field="channel")
    address = address.strip()
    if channel == "sms" and (enabled or address):
        try:
            address = normalise_phone(address)
        except ValidationError:
            address = ""
        if not MOBILE_RE.fullmatch(address):
            raise DomainError(
                "mobile_required",
                _("Enter an 11-digit mobile number to receive text messages."),
                field="address",
            )
    if channel == "email" and address:
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(
                "email_invalid", _("Enter a valid e-mail address."), field="address"
            ) from None
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor, channel=channel, defaults={"enabled": enabled, "address": address}
    )
    return preference
