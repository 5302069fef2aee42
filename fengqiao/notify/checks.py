"""Startup checks: a notification setting that cannot work stops the server from starting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string


def check_channels(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from fengqiao.notify.channels import CHANNEL_CLASSES, unknown_channels

    errors: list[checks.CheckMessage] = []
    unknown = unknown_channels()
    if unknown:
        errors.append(
            checks.Error(
                f"FENGQIAO_NOTIFICATION_CHANNELS names unknown channel(s): {', '.join(unknown)}.",
                hint=f"Known channels: {', '.join(sorted(CHANNEL_CLASSES))}.",
                id="notify.E001",
            )
        )
    defaults = set(settings.FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS)
    stray = sorted(defaults - set(settings.FENGQIAO_NOTIFICATION_CHANNELS))
    if stray:
        errors.append(
            checks.Error(
                "FENGQIAO_NOTIFICATION_DEFAULT_CHANNELS names channel(s) that are not "
                f"enabled: {', '.join(stray)}.",
                hint="List only channels that FENGQIAO_NOTIFICATION_CHANNELS enables.",
                id="notify.E002",
            )
        )
    if "sms" in settings.FENGQIAO_NOTIFICATION_CHANNELS:
        try:
            import_string(settings.FENGQIAO_SMS_BACKEND)
        except ImportError as error:
            errors.append(
                checks.Error(
                    f"FENGQIAO_SMS_BACKEND cannot be imported: {error}.",
                    hint="Give the dotted path of an SmsBackend subclass.",
                    id="notify.E003",
                )
            )
    return errors
