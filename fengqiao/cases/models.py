"""Cases (事件/工单): every consultation, dispute, demand, hazard and emergency.

The state and the deadline columns of a case are written by `cases.services` alone; the
timeline (`CaseEvent`) is append-only in the database itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseCategory(models.Model):
    """The editable taxonomy of matters (neighbours, property, land, wages …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    DISPUTE = "dispute", _("Dispute")
    DEMAND = "demand", _("Demand")
    HAZARD = "hazard", _("Hazard")
    EMERGENCY = "emergency", _("Emergency")


class Grade(models.TextChoices):
    GENERAL = "general", _("General")
    IMPORTANT = "important", _("Important")
    COMPLEX = "complex", _("Complex")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    GRID_REPORT = "grid_report", _("Grid worker report")
    DAILY_LOG = "daily_log", _("Daily log")
    ONLINE = "online", _("Online")
    REFERRAL = "referral", _("Agency or court referral")
    SCREENING = "screening", _("Screening")


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged into another case")
    DISPATCHED = "dispatched", _("Dispatched, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    TRANSFERRED = "transferred", _("Transferred to an agency")
    ESCALATED = "escalated", _("Escalated above the town")
    RESOLVED = "resolved", _("Handled, awaiting closure")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    LITIGATION = "litigation", _("Not resolved: guided to litigation")
    ARBITRATION = "arbitration", _("Not resolved: guided to arbitration")
    ADMINISTRATIVE = "administrative", _("Not resolved: guided to an administrative channel")


class HandlingLevel(models.IntegerChoices):
    UNIT = 4, _("Unit")
    GRID = 3, _("Grid")
    VILLAGE = 2, _("Village / community")
    TOWN = 1, _("Town centre")
    ABOVE = 0, _("Above the town")


class Milestone(models.TextChoices):
    REPLY = "reply", _("Reply")
    FEEDBACK = "feedback", _("Feedback")
    CONCLUDED = "concluded", _("Concluded and answered")
    INITIAL_OPINION = "initial_opinion", _("Initial handling opinion")
    RESPONSE = "response", _("Response")


class SlaPolicy(models.Model):
    """One tier of the deadline policy (13715 by default): a kind (and grade) → N working days."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    milestone = models.CharField(_("milestone"), max_length=20, choices=Milestone.choices)
    working_days = models.PositiveSmallIntegerField(
        _("working days"),
        help_text=_("0 means by the end of the day of receipt."),
        validators=[MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("deadline tier")
        verbose_name_plural = _("deadline tiers")
        ordering = ["kind", "grade"]
        constraints = [models.UniqueConstraint(fields=["kind", "grade"], name="unique_sla_tier")]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.grade:
            label = f"{self.get_grade_display()}{label}"
        return f"{label}: {self.get_milestone_display()} {self.working_days}"


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=120)
    account = models.TextField(_("account"))
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        # Cases are found by `area_path` (the indexes below); by the area's id only when an
        # administrator deletes an area.
        db_index=False,
    )
    # The area's path, copied so that a jurisdiction filter and the deadline order can be
    # served by one index; kept in step by `areas.services.area_move`.
    area_path = models.CharField(max_length=40, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    people_involved = models.PositiveIntegerField(_("people involved"), default=1)
    amount_involved = models.DecimalField(
        _("amount involved (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    received_at = models.DateTimeField(_("received at"))
    backdate_reason = models.CharField(
        _("reason for an earlier receipt time"), max_length=200, blank=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"))

    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    is_open = models.BooleanField(_("open"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("last changed"))
    handling_level = models.PositiveSmallIntegerField(
        _("handling level"), choices=HandlingLevel.choices, null=True, blank=True
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Served by the case_*_open_due index, which leads with this column.
        db_index=False,
    )
    handler_team = models.ForeignKey(
        "orgs.MediationOrganization",
        verbose_name=_("handling team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Served by the case_*_open_due index, which leads with this column.
        db_index=False,
    )
    handler_agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("handling agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # Served by the case_*_open_due index, which leads with this column.
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    resolved_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolved_level = models.PositiveSmallIntegerField(
        _("level where handled"), choices=HandlingLevel.choices, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The deadline (one per case, from the policy tier of its kind and grade), counted in
    # working days from `clock_start`: the receipt, or the reopening of a reopened case.
    clock_start = models.DateTimeField(_("clock started at"))
    milestone = models.CharField(_("milestone"), max_length=20, choices=Milestone.choices)
    sla_working_days = models.PositiveSmallIntegerField(_("working days allowed"))
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("suspended (working days)"), default=0)
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    milestone_met_at = models.DateTimeField(_("milestone met at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    extension_requested_days = models.PositiveSmallIntegerField(
        _("extension requested (working days)"), null=True, blank=True
    )
    extension_request_reason = models.CharField(_("extension reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["is_open", "due_at"], name="case_open_due"),
            models.Index(fields=["area_path", "is_open", "due_at"], name="case_area_open_due"),
            models.Index(fields=["handler_user", "is_open", "due_at"], name="case_user_open_due"),
            models.Index(fields=["handler_team", "is_open", "due_at"], name="case_team_open_due"),
            models.Index(
                fields=["handler_agency", "is_open", "due_at"], name="case_agency_open_due"
            ),
            models.Index(fields=["received_at"], name="case_received"),
            # The work queue: open cases in deadline order, carrying every column the
            # visibility filter reads, so a page is an ordered scan that stops at 25 rows
            # whatever mix of area, assignment and reporter the user's scope is.
            models.Index(
                fields=[
                    "due_at",
                    "id",
                    "area_path",
                    "handler_user",
                    "handler_team",
                    "handler_agency",
                    "reported_by",
                ],
                condition=models.Q(is_open=True),
                name="case_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def handler(self) -> Any:
        """Who handles the case now: the person, team or agency it was sent to, or None."""
        return self.handler_user or self.handler_team or self.handler_agency


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class CaseParty(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("party role"), max_length=16, choices=PartyRole.choices)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_parties",
    )
    organization = models.ForeignKey(
        "people.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_parties",
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organization__isnull=True)
                    | models.Q(person__isnull=True, organization__isnull=False)
                ),
                name="party_is_person_or_organization",
            )
        ]

    def __str__(self) -> str:
        return str(self.person or self.organization)

    @property
    def party(self) -> models.Model:
        return self.person or self.organization


class CaseAttachment(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """One step on a case's timeline. Never edited or deleted (database triggers)."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="events",
        # Served by the unique (case, sequence) index.
        db_index=False,
    )
    sequence = models.PositiveIntegerField(_("step"))
    at = models.DateTimeField(_("time"))
    # None: the system itself (the deadline sweep, an automatic supervision order).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="unique_case_step")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.action}"
