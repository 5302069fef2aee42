"""Early-warning alerts (预警) and the editable thresholds of the rules that raise them.

An alert is raised once per condition (`condition_key` is unique) and then goes
open → acknowledged → handled (with a note) or dismissed (with a reason); its status is
written by `alerts.services` alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Most severe first; the board sorts by this.
SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    HANDLED = "handled", _("Handled")
    DISMISSED = "dismissed", _("Dismissed")


ACTIVE_STATUSES = (Status.OPEN, Status.ACKNOWLEDGED)


class AlertRule(models.Model):
    """One rule's switch and thresholds; the rule's code and meaning live in `alerts.rules`."""

    code = models.SlugField(_("rule"), max_length=32, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["code"]

    def __str__(self) -> str:
        from fengqiao.alerts.rules import rule_label

        return str(rule_label(self.code))

    def clean(self) -> None:
        from fengqiao.alerts.rules import get_rule

        rule = get_rule(self.code)
        if rule is None:
            raise ValidationError({"code": _("There is no warning rule with this code.")})
        if not isinstance(self.thresholds, dict):
            raise ValidationError(
                {"thresholds": _("Give the thresholds as an object of names and numbers.")}
            )
        rule.validate(self.effective_thresholds())

    def effective_thresholds(self) -> dict[str, Any]:
        """The rule's defaults, overridden by what the administrator saved."""
        from fengqiao.alerts.rules import get_rule

        rule = get_rule(self.code)
        defaults = dict(rule.default_thresholds) if rule else {}
        return {**defaults, **(self.thresholds if isinstance(self.thresholds, dict) else {})}


class Alert(models.Model):
    rule_code = models.SlugField(_("rule"), max_length=32)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's path, copied so that the jurisdiction filter is one index range (as for
    # cases); kept in step by `areas.services.area_move`.
    area_path = models.CharField(max_length=40, editable=False)
    # What makes the condition one condition (e.g. "hotspot:<village>:<category>:<case>");
    # unique, so that two passes, or two workers at once, raise it once.
    condition_key = models.CharField(_("condition"), max_length=200, unique=True)

    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), related_name="alerts", blank=True
    )
    # The resident the alert is about when its news is theirs alone (a key person): seen
    # only by those the register lets see them (`selectors.PERSON_SCOPE`).
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("note or reason"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "status", "created_at"], name="alert_area_status"),
            models.Index(fields=["status", "created_at"], name="alert_status_created"),
            models.Index(fields=["rule_code", "created_at"], name="alert_rule_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def rule_label(self) -> Any:
        from fengqiao.alerts.rules import rule_label

        return rule_label(self.rule_code)

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 0)
