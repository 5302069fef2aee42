"""Text messages: one small interface, and a default backend that only writes a log line.

A real gateway is a class with `__init__(**options)` and `send(phone, text)`, named in
settings:

    FENGQIAO_SMS_BACKEND = "mycompany.sms.AliyunSmsBackend"   # env FENGQIAO_SMS_BACKEND
    FENGQIAO_SMS_OPTIONS = {"access_key_id": "...", "sign_name": "...", "template": "..."}
                                                              # env FENGQIAO_SMS_OPTIONS (JSON)

`send` raises on failure; the delivery is then retried with a back-off.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from fengqiao.core.identifiers import mask_phone

logger = logging.getLogger("fengqiao.sms")


class SmsBackend:
    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Sends nothing: logs the message (with the number masked) for development and demos."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        LogSmsBackend.sent.append((phone, text))


def sms_backend() -> SmsBackend:
    backend_class = import_string(settings.FENGQIAO_SMS_BACKEND)
    return backend_class(**settings.FENGQIAO_SMS_OPTIONS)
