"""Notifications: one in-app row per person and condition, and its outbound deliveries.

`dedupe_key` names the condition ("deadline:overdue:<case>:<due>"); unique together with
the recipient, so a condition reaches a person once however often, and by however many
workers at once, it is noticed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField


class Kind(models.TextChoices):
    DEADLINE_NEAR = "deadline_near", _("Deadline near")
    DEADLINE_OVERDUE = "deadline_overdue", _("Deadline missed")
    SUPERVISION = "supervision", _("Supervision")
    ALERT = "alert", _("Early warning")
    EMERGENCY = "emergency", _("Emergency")
    SYSTEM = "system", _("System")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    dedupe_key = models.CharField(_("condition"), max_length=200)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="unique_notification_condition"
            )
        ]
        indexes = [
            # The inbox and the header count: a person's unread rows, newest first.
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"


class NotificationPreference(models.Model):
    """Whether a person receives an outbound channel, and where (in-app is always on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channel = models.CharField(_("channel"), max_length=20)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The phone number for SMS; for email, blank means the account's address.
    address = EncryptedTextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="unique_preference_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.channel}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("No address")


class Delivery(models.Model):
    """One notification on one outbound channel; claimed with a lease while being sent.

    A worker killed while sending leaves the lease to run out, and the retry job sends it
    again: at least once, never lost.
    """

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    leased_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="unique_delivery_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "leased_until"], name="delivery_pending")]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.channel} · {self.status}"
