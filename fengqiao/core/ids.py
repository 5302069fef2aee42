"""Ids as callers give them: a model instance, a number or a numeric string."""

from __future__ import annotations

from typing import Any

from django.db import models


def id_of(value: Any) -> int | None:
    """The id of `value`: its primary key, or the number it is; None for anything else."""
    if isinstance(value, models.Model):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
