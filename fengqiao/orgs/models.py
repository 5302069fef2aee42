"""Linked agencies, village mediation committees and specialised mediation teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField


class AgencyKind(models.TextChoices):
    COURT = "court", _("People's court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    POLICE = "police", _("Police station")
    JUDICIAL = "judicial", _("Judicial office")
    PETITION = "petition", _("Petition office")
    LABOUR = "labour", _("Labour inspection")
    HOTLINE = "hotline_12345", _("12345 hotline")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HEALTH = "health", _("Health centre")
    EMERGENCY = "emergency", _("Emergency management")
    FIRE = "fire", _("Fire and rescue")
    MARKET = "market", _("Market regulation")
    OTHER = "other", _("Other")


class Agency(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("linked agency")
        verbose_name_plural = _("linked agencies")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class AgencyContact(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("post"), max_length=50, blank=True)
    mobile = EncryptedTextField(_("mobile"), blank=True)
    on_duty_note = models.CharField(_("when to call"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("agency contact")
        verbose_name_plural = _("agency contacts")

    def __str__(self) -> str:
        return f"{self.agency} · {self.name}"


class MediationKind(models.TextChoices):
    COMMITTEE = "committee", _("People's mediation committee")
    TEAM = "team", _("Specialised mediation team")


class MediationOrganization(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=MediationKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        "cases.CaseCategory",
        verbose_name=_("case categories taken"),
        blank=True,
        related_name="mediation_organizations",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="MediationMembership",
        verbose_name=_("members"),
        related_name="mediation_organizations",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("mediation organisation")
        verbose_name_plural = _("mediation organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    HEAD = "head", _("Head")
    MEMBER = "member", _("Member")


class MediationMembership(models.Model):
    organization = models.ForeignKey(
        MediationOrganization, verbose_name=_("organisation"), on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.user}"
