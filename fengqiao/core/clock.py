"""The one source of "now" and "today", so tests can stand on any date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today in the centre's time zone (Asia/Shanghai), not in UTC."""
    return timezone.localdate(now())
