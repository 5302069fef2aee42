"""Outbound channels, pluggable: a name in `FENGQIAO_NOTIFICATION_CHANNELS` → a class here.

The in-app inbox is always on: the notification row is its delivery. Each outbound
channel finds a person's address and sends one notification there. A plug-in adds a
channel with `register_channel("wecom", WeComChannel)` from its app's `ready()`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from fengqiao.notify.models import Notification
from fengqiao.notify.sms import sms_backend

INAPP = "inapp"


class Channel:
    name = ""
    outbound = True

    def address(self, user: Any, preference_address: str) -> str:
        """Where this person receives the channel; empty when they cannot."""
        return preference_address

    def send(self, notification: Notification, address: str) -> None:
        raise NotImplementedError


def absolute_link(link: str) -> str:
    return f"{settings.FENGQIAO_SITE_URL.rstrip('/')}{link}" if link else ""


class InAppChannel(Channel):
    name = INAPP
    outbound = False

    def send(self, notification: Notification, address: str) -> None:
        pass


class EmailChannel(Channel):
    name = "email"

    def address(self, user: Any, preference_address: str) -> str:
        return preference_address or user.email

    def send(self, notification: Notification, address: str) -> None:
        link = absolute_link(notification.link)
        body = "\n\n".join(part for part in (notification.body, link) if part)
        send_mail(notification.title, body, None, [address], fail_silently=False)


class SmsChannel(Channel):
    name = "sms"

    def send(self, notification: Notification, address: str) -> None:
        text = " ".join(
            part for part in (notification.title, absolute_link(notification.link)) if part
        )
        sms_backend().send(address, text)


CHANNEL_CLASSES: dict[str, type[Channel]] = {
    InAppChannel.name: InAppChannel,
    EmailChannel.name: EmailChannel,
    SmsChannel.name: SmsChannel,
}


def register_channel(name: str, channel_class: type[Channel]) -> None:
    CHANNEL_CLASSES[name] = channel_class


def unknown_channels() -> list[str]:
    return [name for name in settings.FENGQIAO_NOTIFICATION_CHANNELS if name not in CHANNEL_CLASSES]


def outbound_channels() -> dict[str, Channel]:
    """The configured outbound channels, by name."""
    unknown = unknown_channels()
    if unknown:
        raise ImproperlyConfigured(f"Unknown notification channel(s): {', '.join(unknown)}")
    return {
        name: CHANNEL_CLASSES[name]()
        for name in settings.FENGQIAO_NOTIFICATION_CHANNELS
        if CHANNEL_CLASSES[name].outbound
    }


def channel_get(name: str) -> Channel | None:
    return outbound_channels().get(name)
