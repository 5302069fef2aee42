"""The key-person register (重点人员): residents who need care and control, each with their
categories and the particulars each category asks for, a colour level that sets how often
they are visited, their responsible staff (包保), a management plan, and the visits and
talks that are recorded.

The most sensitive data the platform holds: who may see a record is decided by
`keypersons.selectors.key_person_visible_q` alone (need to know); what the categories'
particulars, the notes, the plan and the visits say is encrypted at rest. The level and
the categories stay plain, since the figures and the schedule count by them.

Every change is written by `keypersons.services`; a level change follows its table in
`keypersons.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.fields import EncryptedTextField


class Colour(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class Level(models.Model):
    """A colour level of the scheme (editable): how often a person at it is visited."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=20)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher is more serious.")
    )
    visit_every_days = models.PositiveSmallIntegerField(
        _("visit at least every (days)"), validators=[MaxValueValidator(366)]
    )
    after_incident_days = models.PositiveSmallIntegerField(
        _("visit within (days) after an incident"),
        null=True,
        blank=True,
        help_text=_("Empty: an incident does not bring the next visit forward."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("colour level")
        verbose_name_plural = _("colour levels")
        ordering = ["-rank"]

    def __str__(self) -> str:
        return self.name


class ParticularKind(models.TextChoices):
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    NUMBER = "number", _("Whole number")
    CHOICE = "choice", _("One of a list")


class Category(models.Model):
    """A kind of key person (editable). `particulars` lists what a record of the category
    holds, as data: `[{"key", "label", "kind", "required", "choices", "min", "max",
    "years_after"}]` — `kind` one of `ParticularKind`; a date with `years_after` is
    worked out from another date (the end of the resettlement window five years after
    release). `agency_kinds` names the linked agencies whose liaisons see its records."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    particulars = models.JSONField(_("particulars"), default=list, blank=True)
    agency_kinds = models.JSONField(_("linked agencies"), default=list, blank=True)
    mental_health = models.BooleanField(
        _("severe mental disorder"),
        default=False,
        help_text=_(
            "Records of this category are seen only by the responsible staff, the leaders and "
            "the health liaisons, and are visited on the national schedule of the risk level."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("key-person category")
        verbose_name_plural = _("key-person categories")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class KeyPersonPolicy(models.Model):
    """The register's rule, one row, editable by the system administrator."""

    alert_grace_days = models.PositiveSmallIntegerField(
        _("working days overdue before an alert"), default=3
    )

    class Meta:
        verbose_name = _("key-person rule")
        verbose_name_plural = _("key-person rules")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Status(models.TextChoices):
    ACTIVE = "active", _("Under care")
    REMOVED = "removed", _("Taken off the register")


class KeyPerson(models.Model):
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="key_record",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's path, copied so that the jurisdiction filter is one index range.
    area_path = models.CharField(max_length=40, editable=False, db_index=True)
    level = models.ForeignKey(
        Level, verbose_name=_("colour level"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        Category, through="Membership", verbose_name=_("categories"), related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    # The last risk assessment of a severe mental disorder (0–5), from the latest visit.
    mental_risk = models.PositiveSmallIntegerField(
        _("risk level (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    # An incident (a case in which the person is a party) asks for the level to be reviewed.
    review_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("level review asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    # Taken off the register (撤管) by a leader, with the reason; put back by registering again.
    removed_at = models.DateTimeField(_("taken off at"), null=True, blank=True)
    removed_reason = EncryptedTextField(_("why taken off"), blank=True)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [
            models.Index(fields=["status", "next_visit_due"], name="key_person_due"),
        ]

    def __str__(self) -> str:
        return self.person.name


class Membership(models.Model):
    """A person's category, with its particulars (encrypted JSON)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="memberships")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    particulars = EncryptedTextField(_("particulars"), blank=True)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("category of a key person")
        verbose_name_plural = _("categories of key persons")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "category"], name="membership_once")
        ]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"{self.category_id}"


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", _("In effect")
    PENDING = "pending", _("Awaiting a leader's approval")
    REFUSED = "refused", _("Not approved")


class LevelChange(models.Model):
    """A change of colour level, with its reason: raising takes effect at once, lowering
    waits for a leader (`keypersons.workflow`). The history of a person's level."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="changes")
    from_level = models.ForeignKey(
        Level, verbose_name=_("from"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_level = models.ForeignKey(
        Level, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(_("reason"))
    status = models.CharField(_("status"), max_length=8, choices=ChangeStatus.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"#{self.pk}"


class Duty(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    VILLAGE_CADRE = "village_cadre", _("Village / community cadre")
    POLICE = "police", _("Police")
    JUDICIAL = "judicial", _("Judicial office")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class Responsible(models.Model):
    """One of a person's responsible staff (包保责任人)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="responsibles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="key_persons_cared",
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("responsible staff member")
        verbose_name_plural = _("responsible staff")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "user"], name="responsible_once")
        ]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"{self.user_id} {self.duty}"


class PlanTask(models.Model):
    """A task of a person's management plan (管控帮扶方案)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="tasks")
    text = EncryptedTextField(_("task"))
    due_on = models.DateField(_("by"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = EncryptedTextField(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"#{self.pk} {self.due_on}"


class VisitKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    TALK = "talk", _("Heart-to-heart talk")
    HOLIDAY = "holiday", _("Holiday visit")
    COUNSELLING = "counselling", _("Psychological counselling")
    LEGAL = "legal", _("Legal help")


class VisitMethod(models.TextChoices):
    HOME = "home", _("At home")
    OFFICE = "office", _("At the office")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Visit(models.Model):
    """A visit or talk with a key person: when, who, how, what was found, the risk."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices)
    method = models.CharField(_("how"), max_length=8, choices=VisitMethod.choices)
    occurred_on = models.DateField(_("date"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    companions = models.CharField(_("with"), max_length=100, blank=True)
    findings = EncryptedTextField(_("what was found"))
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    mental_risk = models.PositiveSmallIntegerField(
        _("risk level (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    log_entry = models.ForeignKey(
        "gridops.LogEntry",
        verbose_name=_("daily log entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"#{self.pk} {self.occurred_on}"


class Review(models.Model):
    """Comprehensive screening (全面排查): a resident of a grid reviewed on a day, and
    whether they were found to be a key person — "no household missed"."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=40, editable=False, db_index=True)
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    found = models.BooleanField(_("found to be a key person"), default=False)

    class Meta:
        verbose_name = _("resident reviewed")
        verbose_name_plural = _("residents reviewed")
        constraints = [
            models.UniqueConstraint(fields=["person", "reviewed_on"], name="review_once_a_day")
        ]

    def __str__(self) -> str:
        # No content of the record: names of rows appear in logs and the admin.
        return f"{self.person_id} {self.reviewed_on}"
