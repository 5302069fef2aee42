"""The few tables of the shared base."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class YearlySequence(models.Model):
    """The last number issued in a year by one numbering (case numbers, supervision
    orders, mediation agreements); its row is locked while the next numbers are taken
    (`core.sequences.sequence_take`)."""

    name = models.CharField(_("numbering"), max_length=32)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("yearly number sequence")
        verbose_name_plural = _("yearly number sequences")
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="yearly_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.last}"
