"""Emergency linkage (应急联动): who is told at once of an emergency, and who has it in hand.

An emergency case (kind `emergency`) is linked once: one `EmergencyDispatch` per case and
one `EmergencyAcknowledgement` per person told (the dispatchers over the case's area, and
the liaisons of the agencies its category names). Both are unique, so linking twice, or on
two workers at once, creates nothing twice. Rows are written by `emergency.services` alone.

Categories name agencies by *kind* (`CategoryAgency`): a kind resolves, at linkage time, to
the active agencies of that kind whose area served covers the case. The mapping can thus
be seeded by a migration, before any agency exists, and holds when an agency is replaced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.orgs.models import AgencyKind


class CategoryAgency(models.Model):
    category = models.ForeignKey(
        "cases.CaseCategory",
        verbose_name=_("case category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency_kind = models.CharField(_("agency"), max_length=32, choices=AgencyKind.choices)

    class Meta:
        verbose_name = _("agency told of emergencies")
        verbose_name_plural = _("agencies told of emergencies")
        ordering = ["category__sort_order", "agency_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "agency_kind"], name="unique_category_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.get_agency_kind_display()}"


class EmergencyDispatch(models.Model):
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="emergency_dispatch",
    )
    linked_at = models.DateTimeField(_("linked at"))
    agencies = models.ManyToManyField(
        "orgs.Agency", verbose_name=_("agencies told"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("emergency dispatch")
        verbose_name_plural = _("emergency dispatches")
        ordering = ["-linked_at", "-id"]

    def __str__(self) -> str:
        return str(self.case)


class Reason(models.TextChoices):
    DISPATCHER = "dispatcher", _("Dispatcher over the area")
    AGENCY = "agency", _("Liaison of a named agency")


class EmergencyAcknowledgement(models.Model):
    """One person told of an emergency; `acknowledged_at` once they said "I have it"."""

    dispatch = models.ForeignKey(
        EmergencyDispatch,
        verbose_name=_("emergency dispatch"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person told"),
        on_delete=models.PROTECT,
        related_name="emergency_acknowledgements",
    )
    reason = models.CharField(_("why told"), max_length=16, choices=Reason.choices)
    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    told_at = models.DateTimeField(_("told at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency acknowledgement")
        verbose_name_plural = _("emergency acknowledgements")
        ordering = ["dispatch", "told_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "user"], name="unique_emergency_recipient")
        ]
        indexes = [
            models.Index(fields=["user", "acknowledged_at"], name="emergency_ack_user"),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} · {self.user}"
