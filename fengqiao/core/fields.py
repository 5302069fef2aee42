"""Model fields for personal data kept encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models

from fengqiao.core import crypto


class EncryptedTextField(models.TextField):
    """Plain text in Python, AES-GCM ciphertext in the database.

    It cannot be filtered on; look values up through the blind-index column beside it.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
