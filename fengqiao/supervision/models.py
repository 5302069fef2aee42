"""Supervision orders (督办单): a leader's, or the deadline sweep's, written demand that the
handler of a case reply by a date; escalating one tier when the reply is missed.

An order goes open → replied → closed (a leader reviews the reply), or is withdrawn by a
leader with a reason; its state, level and reply deadline are written by
`supervision.services` alone. Tiers are data (`SupervisionLevel`), ranked, each with its
own reply time in working days.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupervisionLevel(models.Model):
    """One tier of supervision; a missed reply moves an order to the next rank up."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher is more serious; escalation goes up one.")
    )
    reply_working_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"),
        help_text=_("0 means by the end of the day the order is raised."),
        validators=[MaxValueValidator(60)],
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#2563eb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as #RRGGBB."))],
        help_text=_("Many places use blue, orange and red for their three tiers."),
    )

    class Meta:
        verbose_name = _("supervision level")
        verbose_name_plural = _("supervision levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    REPLIED = "replied", _("Replied, awaiting review")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_STATES = (OrderState.OPEN, OrderState.REPLIED)


class Origin(models.TextChoices):
    LEADER = "leader", _("Raised by a leader")
    OVERDUE = "overdue", _("Raised automatically: case overdue")


class TargetKind(models.TextChoices):
    PERSON = "person", _("Person")
    TEAM = "team", _("Mediation team")
    AGENCY = "agency", _("Agency")
    # A case nobody handles yet is the dispatchers' to move: the order goes to the
    # dispatchers over the case (the town centre's command desk).
    CENTRE = "centre", _("Dispatchers of the centre")


class SupervisionOrder(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    level = models.ForeignKey(
        SupervisionLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    matter = models.TextField(_("matter supervised"))
    instruction = models.TextField(_("instruction"))

    target_kind = models.CharField(_("lead unit kind"), max_length=16, choices=TargetKind.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_team = models.ForeignKey(
        "orgs.MediationOrganization",
        verbose_name=_("lead team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("lead agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assisting_teams = models.ManyToManyField(
        "orgs.MediationOrganization",
        verbose_name=_("assisting teams"),
        blank=True,
        related_name="+",
    )
    assisting_agencies = models.ManyToManyField(
        "orgs.Agency", verbose_name=_("assisting agencies"), blank=True, related_name="+"
    )

    state = models.CharField(
        _("state"), max_length=16, choices=OrderState.choices, default=OrderState.OPEN
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))
    # The case deadline an automatic order answers; with the unique constraint below, one
    # order per (case, deadline) however often or on however many workers the sweep runs.
    case_due_at = models.DateTimeField(_("case deadline supervised"), null=True, blank=True)

    reply_due_at = models.DateTimeField(_("reply due at"))
    reply_due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    escalation_count = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True)
    # Set when the reply is missed at the top tier, where there is nowhere left to go.
    overdue_at_top = models.BooleanField(_("overdue at the top tier"), default=False)

    reply_text = models.TextField(_("reply of the handler"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_on_time = models.BooleanField(_("replied on time"), null=True, blank=True)

    review_text = models.TextField(_("review of the supervision office"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed or withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed or withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "case_due_at"],
                condition=models.Q(origin="overdue"),
                name="one_overdue_order_per_case_deadline",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        target_kind="person",
                        target_user__isnull=False,
                        target_team__isnull=True,
                        target_agency__isnull=True,
                    )
                    | models.Q(
                        target_kind="team",
                        target_user__isnull=True,
                        target_team__isnull=False,
                        target_agency__isnull=True,
                    )
                    | models.Q(
                        target_kind="agency",
                        target_user__isnull=True,
                        target_team__isnull=True,
                        target_agency__isnull=False,
                    )
                    | models.Q(
                        target_kind="centre",
                        target_user__isnull=True,
                        target_team__isnull=True,
                        target_agency__isnull=True,
                    )
                ),
                name="supervision_one_lead_unit",
            ),
        ]
        indexes = [
            # The escalation pass: open orders whose reply time has passed.
            models.Index(fields=["state", "reply_due_at"], name="supervision_state_due"),
            models.Index(fields=["target_user", "state"], name="supervision_user_state"),
            models.Index(fields=["target_team", "state"], name="supervision_team_state"),
            models.Index(fields=["target_agency", "state"], name="supervision_agency_state"),
            models.Index(fields=["issued_at"], name="supervision_issued"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def target(self) -> models.Model | None:
        return self.target_user or self.target_team or self.target_agency

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
