"""Follow-ups (回访): "follow it to the end" (跟到底).

Resolving a case schedules follow-ups (`FollowUpPolicy`: some days after the result, and
at each agreed term's performance deadline). Each visit or call is a `FollowUpAttempt`;
a reached party's answers are kept on it (satisfaction, notes) with one `TermCheck` per
agreed term. Everything here is written by `followups.services` alone.

Agreed terms belong to the mediation app, which may redraft them; a follow-up therefore
keeps the term's id and a copy of its wording as they were when checked, not a foreign key.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Grade, Kind

MAX_OFFSET_DAYS = 366


class Method(models.TextChoices):
    PHONE = "phone", _("By phone")
    HOME_VISIT = "home_visit", _("Home visit")
    ON_SITE = "on_site", _("On site")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Reason(models.TextChoices):
    TERM_DEADLINE = "term_deadline", _("Performance deadline of an agreed term")
    AFTER_RESULT = "after_result", _("Days after the result")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Result(models.TextChoices):
    KEPT = "kept", _("Kept, party satisfied")
    NOT_KEPT = "not_kept", _("Not kept or party dissatisfied")


class OnFailure(models.TextChoices):
    """What a follow-up that finds the agreement not kept asks for."""

    REOPEN = "reopen", _("Reopen the case")
    ESCALATE = "escalate", _("Reopen and escalate one level up")


def parse_offsets(text: str) -> list[int]:
    """ "7, 30" → [7, 30]; raises ValueError on anything else."""
    parts = [part.strip() for part in (text or "").replace("，", ",").split(",")]
    days = sorted({int(part) for part in parts if part})
    if any(day < 1 or day > MAX_OFFSET_DAYS for day in days):
        raise ValueError("out of range")
    return days


class FollowUpPolicy(models.Model):
    """When a resolved case of a kind (and grade) is followed up. Blank kind or grade: any.

    The most specific row applies: kind and grade, then kind, then the general row.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    offsets_days = models.CharField(
        _("days after the result"),
        max_length=100,
        blank=True,
        help_text=_("Calendar days, separated by commas, e.g. “7, 30”. Empty: none."),
    )
    term_deadlines = models.BooleanField(
        _("follow up at each term's deadline"),
        default=True,
        help_text=_("A follow-up on the performance deadline of each agreed term."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        ordering = ["kind", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "grade"], name="unique_followup_policy")
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display() if self.kind else _("Any kind")
        grade = f"{self.get_grade_display()} · " if self.grade else ""
        return f"{grade}{kind}: {self.offsets_days or '—'}"

    def clean(self) -> None:
        try:
            days = parse_offsets(self.offsets_days)
        except ValueError as error:
            raise ValidationError(
                {
                    "offsets_days": _(
                        "Give whole numbers of days from 1 to %(max)d, separated by commas."
                    )
                    % {"max": MAX_OFFSET_DAYS}
                }
            ) from error
        self.offsets_days = ", ".join(str(day) for day in days)
        if self.grade and self.kind != Kind.DISPUTE:
            raise ValidationError({"grade": _("Only disputes have a grade.")})

    @property
    def offsets(self) -> list[int]:
        return parse_offsets(self.offsets_days)


class FollowUp(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="followups"
    )
    reason = models.CharField(_("why"), max_length=16, choices=Reason.choices)
    offset_days = models.PositiveSmallIntegerField(_("days after the result"), default=0)
    term_id = models.PositiveIntegerField(_("agreed term"), null=True, blank=True)
    term_label = models.CharField(_("agreed term"), max_length=300, blank=True)
    # The day planned when scheduled (part of what makes the follow-up one follow-up) and
    # the day it is due now (moved to the next working day after an unreachable attempt).
    scheduled_on = models.DateField(_("planned for"))
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("scheduled at"))
    completed_at = models.DateTimeField(_("done or cancelled at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done or cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    finding = models.TextField(_("finding"), blank=True)
    # A follow-up that found the agreement not kept, recorded by someone who may not
    # reopen the case, waits here for a leader's decision.
    requested_action = models.CharField(
        _("requested action"), max_length=16, choices=OnFailure.choices, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="followup_status_due"),
            models.Index(fields=["assignee", "status", "due_on"], name="followup_assignee_due"),
            models.Index(fields=["case", "status"], name="followup_case_status"),
        ]
        constraints = [
            # Scheduling twice (a repeated hook, the mediation app calling again) finds
            # the follow-ups already there.
            models.UniqueConstraint(
                fields=["case", "reason", "offset_days", "scheduled_on"],
                condition=models.Q(term_id__isnull=True),
                name="unique_followup_after_result",
            ),
            models.UniqueConstraint(
                fields=["case", "term_id", "scheduled_on"],
                condition=models.Q(term_id__isnull=False),
                name="unique_followup_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_reason_display()} {self.due_on:%Y-%m-%d}"

    @property
    def reason_label(self) -> str:
        if self.reason == Reason.AFTER_RESULT:
            return str(_("%(days)d days after the result") % {"days": self.offset_days})
        return str(_("Deadline of term: %(term)s") % {"term": self.term_label})

    @property
    def awaits_decision(self) -> bool:
        return bool(self.requested_action) and self.decided_at is None


# In a query: the follow-ups whose finding awaits a leader's decision (`awaits_decision`).
AWAITING_DECISION = models.Q(decided_at__isnull=True) & ~models.Q(requested_action="")


class FollowUpAttempt(models.Model):
    followup = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        related_name="attempt_rows",
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followed up by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    reached = models.BooleanField(_("party reached"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("follow-up attempt")
        verbose_name_plural = _("follow-up attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.at:%Y-%m-%d %H:%M}"


class TermCheck(models.Model):
    attempt = models.ForeignKey(
        FollowUpAttempt,
        verbose_name=_("attempt"),
        on_delete=models.PROTECT,
        related_name="term_checks",
    )
    term_id = models.PositiveIntegerField(_("agreed term"))
    term_label = models.CharField(_("agreed term"), max_length=300)
    performed = models.BooleanField(_("performed"))

    class Meta:
        verbose_name = _("term check")
        verbose_name_plural = _("term checks")
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "term_id"], name="unique_term_check")
        ]

    def __str__(self) -> str:
        return f"{self.term_label}: {self.performed}"
