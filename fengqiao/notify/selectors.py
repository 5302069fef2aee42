"""Reads of notifications: a person only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from fengqiao.notify.channels import outbound_channels
from fengqiao.notify.models import Notification, NotificationPreference


def notification_list_for_user(*, user: Any) -> QuerySet[Notification]:
    """The user's inbox: unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient=user)
        .alias(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("is_read", "-created_at", "-id")
    )


def notification_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_preferences_for_user(*, user: Any) -> list[dict[str, Any]]:
    """Each outbound channel with the user's choice (or the default) and address."""
    from django.conf import settings

    saved = {
        preference.channel: preference
        for preference in NotificationPreference.objects.filter(user=user)
    }
    defaults = set(settings.FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS)
    rows = []
    for name in outbound_channels():
        preference = saved.get(name)
        rows.append(
            {
                "channel": name,
                "enabled": preference.enabled if preference else name in defaults,
                "address": preference.address if preference else "",
            }
        )
    return rows
