"""Residents and organisations: the future parties to cases.

ID numbers and phones are stored encrypted (`EncryptedTextField`); the `*_digest` columns
beside them are HMAC blind indexes for exact lookup. Nothing else about them is
searchable, and they are shown masked unless revealed with a reason (audited).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.identifiers import mask_id_number, mask_phone


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnic group"), max_length=20, blank=True)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="persons"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="unique_person_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Organization(models.Model):
    """A company, property manager, co-operative or other body that can be a party."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, db_index=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
