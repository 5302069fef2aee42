"""Mediation of disputes under three regimes (三调融合): people's, administrative and judicial.

A case (a dispute) may have several mediations over its life, at most one open at a time.
A mediation holds its sessions (调解笔录), and a successful one its agreement (调解协议),
whose terms the follow-up app checks, whose signatures make it effective, and whose
judicial confirmation (司法确认) is tracked within the 30 days the law allows. Everything
here is written by `mediation.services` alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Regime(models.TextChoices):
    PEOPLE = "people", _("People's mediation")
    ADMINISTRATIVE = "administrative", _("Administrative mediation")
    JUDICIAL = "judicial", _("Judicial mediation")


class MediationStatus(models.TextChoices):
    OPEN = "open", _("Under way")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", pgettext_lazy("mediation", "Failed")


class Setting(models.TextChoices):
    CENTRE = "centre", _("At the centre")
    ON_SITE = "on_site", _("On site (in the fields)")
    HOME = "home", _("At a home")
    NEIGHBOURS = "neighbours", _("Among neighbours")


class CategoryTeam(models.Model):
    """Which specialised team takes a category of dispute (property → the property team).

    Proposed on the dispatch form; the dispatcher may choose otherwise.
    """

    category = models.OneToOneField(
        "cases.CaseCategory",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="mediation_route",
    )
    team = models.ForeignKey(
        "orgs.MediationOrganization",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="routed_categories",
    )

    class Meta:
        verbose_name = _("category routing")
        verbose_name_plural = _("category routing")
        ordering = ["category__sort_order", "category__code"]

    def __str__(self) -> str:
        return f"{self.category} → {self.team}"


class Mediation(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="mediations"
    )
    regime = models.CharField(_("regime"), max_length=16, choices=Regime.choices)
    organization = models.ForeignKey(
        "orgs.MediationOrganization",
        verbose_name=_("committee or team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mediators"), related_name="mediations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For a failed mediation: where the parties were guided (a case Outcome value).
    case_outcome = models.CharField(_("result recorded on the case"), max_length=16, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="open"),
                name="one_open_mediation_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=True) | models.Q(agency__isnull=True),
                name="mediation_by_organization_or_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_regime_display()} · {self.conducted_by}"

    @property
    def conducted_by(self) -> models.Model | None:
        return self.organization or self.agency

    @property
    def is_open(self) -> bool:
        return self.status == MediationStatus.OPEN


class MediationSession(models.Model):
    mediation = models.ForeignKey(
        Mediation, verbose_name=_("mediation"), on_delete=models.PROTECT, related_name="sessions"
    )
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    setting = models.CharField(_("setting"), max_length=16, choices=Setting.choices)
    parties_present = models.ManyToManyField(
        "cases.CaseParty", verbose_name=_("parties present"), blank=True, related_name="+"
    )
    others_present = models.TextField(_("others present"), blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField(_("minutes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.mediation_id} · {self.held_at:%Y-%m-%d %H:%M}"

    def others_list(self) -> list[str]:
        return [line.strip() for line in self.others_present.splitlines() if line.strip()]


class Agreement(models.Model):
    mediation = models.OneToOneField(
        Mediation, verbose_name=_("mediation"), on_delete=models.PROTECT, related_name="agreement"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    oral = models.BooleanField(_("oral agreement"), default=False)
    parties = models.ManyToManyField(
        "cases.CaseParty", verbose_name=_("parties"), related_name="mediation_agreements"
    )
    facts = models.TextField(_("main facts"))
    matters = models.TextField(_("matters in dispute"))
    responsibilities = models.TextField(_("each party's responsibility"), blank=True)
    performance_note = models.TextField(_("manner and time of performance"), blank=True)
    made_on = models.DateField(_("made on"))
    # The day every party and a mediator have signed (an oral agreement: the day it was
    # made); stored, and with it the last day to apply for judicial confirmation.
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    judicial_deadline = models.DateField(
        _("last day to apply for judicial confirmation"), null=True, blank=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted at"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return self.number


class AgreementTerm(models.Model):
    """One agreed term: who does what, how, by when (and what regular upkeep after)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="terms"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    obligor = models.ForeignKey(
        "cases.CaseParty",
        verbose_name=_("who performs"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    obligor_text = models.CharField(_("who performs (as written)"), max_length=100, blank=True)
    content = models.TextField(_("what"))
    manner = models.CharField(_("how"), max_length=200, blank=True)
    due_on = models.DateField(_("by when"))
    recurring = models.CharField(_("regular upkeep afterwards"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agreed term")
        verbose_name_plural = _("agreed terms")
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="unique_term_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.content[:40]}"

    @property
    def obligor_name(self) -> str:
        if self.obligor_text:
            return self.obligor_text
        return str(self.obligor) if self.obligor_id else ""


class AgreementSignature(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="signatures"
    )
    party = models.ForeignKey(
        "cases.CaseParty",
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(party__isnull=False, mediator__isnull=True)
                    | models.Q(party__isnull=True, mediator__isnull=False)
                ),
                name="signature_by_party_or_mediator",
            ),
            models.UniqueConstraint(
                fields=["agreement", "party"],
                condition=models.Q(party__isnull=False),
                name="one_signature_per_party",
            ),
            models.UniqueConstraint(
                fields=["agreement", "mediator"],
                condition=models.Q(mediator__isnull=False),
                name="one_signature_per_mediator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer} · {self.signed_on}"

    @property
    def signer(self) -> object:
        return self.party if self.party_id else self.mediator


class JudicialResult(models.TextChoices):
    PENDING = "pending", _("Awaiting the court")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("judicial confirmation", "Withdrawn")


class JudicialConfirmation(models.Model):
    """The parties' joint application to a court to confirm the agreement (司法确认)."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="judicial_confirmations",
    )
    applied_on = models.DateField(_("applied on"))
    court = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("court"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    court_name = models.CharField(_("court (as written)"), max_length=100, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=JudicialResult.choices, default=JudicialResult.PENDING
    )
    result_on = models.DateField(_("result on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")
        ordering = ["applied_on", "id"]

    def __str__(self) -> str:
        return f"{self.court_label} · {self.applied_on}"

    @property
    def court_label(self) -> str:
        return str(self.court) if self.court_id else self.court_name


class MediationAttachment(models.Model):
    """A scan or photo of a session or of the signed agreement."""

    mediation = models.ForeignKey(
        Mediation,
        verbose_name=_("mediation"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    session = models.ForeignKey(
        MediationSession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="mediation/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("mediation attachment")
        verbose_name_plural = _("mediation attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
