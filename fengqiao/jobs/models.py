from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    NEAR = "near", _("Deadline near")
    OVERDUE = "overdue", _("Deadline missed")


class DeadlineWarning(models.Model):
    """A deadline condition the sweep has acted on: this case, this kind, this due time.

    Unique, so each condition is claimed by exactly one sweep however many run at once; a
    recomputed deadline is a new due time and so a new condition (the sweep's insert
    returns the rows it created; `claim` names the sweep run that created each).
    """

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=WarningKind.choices)
    due_at = models.DateTimeField(_("due at"))
    raised_at = models.DateTimeField(_("raised at"))
    claim = models.CharField(max_length=32, editable=False)

    class Meta:
        verbose_name = _("deadline warning")
        verbose_name_plural = _("deadline warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_at"], name="unique_deadline_warning"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_at:%Y-%m-%d}"
