"""Four-level dispute screening (四级排查): rounds the town opens, and the reports each
village/community, grid and unit files up the tree for a round.

A round (排查轮次) covers a period — half a month for a regular round (常规排查), a week or
any period for a special one (专项排查) before a holiday or a sensitive date — and the areas
the town opened it for; its reports are due by a deadline. When it opens, a report is
expected from every area that has someone to file it (`ScreeningReport.expected`): a
village with a village cadre, a grid with a grid worker, a unit with a unit head. Each
report is a zero report (零报告: nothing found) or findings (`ScreeningFinding`); a finding
becomes a case of channel 排查, or is recorded as handled on the spot.

The states of rounds and reports are written by `screening.services` alone, each move
checked against its table in `screening.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.cases.models import Kind


class ScreeningPolicy(models.Model):
    """The screening rule, one row, editable by the system administrator."""

    auto_open_regular = models.BooleanField(
        _("open the regular rounds automatically"),
        default=True,
        help_text=_(
            "Each half month (the 1st–15th and the 16th–end of the month) a regular round is "
            "opened for the town when none exists for it yet."
        ),
    )
    report_working_days = models.PositiveSmallIntegerField(
        _("working days to report after the period"),
        default=2,
        validators=[MaxValueValidator(30)],
        help_text=_(
            "The default deadline of a round: the end of this many working days after its "
            "period ends (0: the last day of the period)."
        ),
    )

    class Meta:
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class RoundKind(models.TextChoices):
    REGULAR = "regular", _("Regular screening")
    SPECIAL = "special", _("Special screening")


class RoundState(models.TextChoices):
    OPEN = "open", pgettext_lazy("screening round", "Open")
    CLOSED = "closed", pgettext_lazy("screening round", "Closed")


class ScreeningRound(models.Model):
    number = models.CharField(_("round number"), max_length=20, unique=True)
    kind = models.CharField(_("kind of round"), max_length=16, choices=RoundKind.choices)
    title = models.CharField(_("title"), max_length=100)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_at = models.DateTimeField(_("reports due by"))
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    areas = models.ManyToManyField("areas.Area", verbose_name=_("areas screened"), related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=RoundState.choices, default=RoundState.OPEN
    )
    # None: opened by the daily pass under the policy.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("note on closing"), blank=True)
    # A regular round's period and areas ("2026-03-01:7"): with the unique constraint, one
    # regular round per half month for the same areas, however often the daily pass runs.
    regular_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regular_key"],
                condition=~models.Q(regular_key=""),
                name="screening_one_regular_round",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="screening_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="screening_round_state_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN


class ReportState(models.TextChoices):
    PENDING = "pending", _("Not yet reported")
    NOTHING_FOUND = "nothing_found", _("Zero report")
    FOUND = "found", _("Findings reported")


FILED_STATES = (ReportState.NOTHING_FOUND, ReportState.FOUND)


class ScreeningReport(models.Model):
    """One area's report for one round: expected when the round opened (pending until
    filed), or filed for an area nobody was expected from (on its behalf)."""

    round = models.ForeignKey(
        ScreeningRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="reports"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's path and level, copied so that scoping and the roll-up need no join; the
    # path is kept in step by `areas.services.area_move`.
    area_path = models.CharField(max_length=40, editable=False)
    level = models.PositiveSmallIntegerField(_("level"))
    expected = models.BooleanField(_("expected"), default=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    on_behalf = models.BooleanField(_("reported on the area's behalf"), default=False)
    late = models.BooleanField(_("reported late"), default=False)
    after_close = models.BooleanField(_("reported after the round closed"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("screening report")
        verbose_name_plural = _("screening reports")
        ordering = ["round", "area_path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="screening_one_report_per_area")
        ]
        indexes = [
            models.Index(fields=["round", "area_path"], name="screening_report_round_path"),
            models.Index(fields=["area_path", "state"], name="screening_report_path_state"),
        ]

    def __str__(self) -> str:
        return f"{self.round.number} {self.area}"

    @property
    def is_filed(self) -> bool:
        return self.state in FILED_STATES


# The kinds of matter a screening finds: a dispute, a hazard (including a dispute brewing
# with no party known yet, 矛盾隐患), a resident's demand.
FINDING_KINDS = (Kind.DISPUTE, Kind.HAZARD, Kind.DEMAND)


class FindingKind(models.TextChoices):
    DISPUTE = Kind.DISPUTE.value, Kind.DISPUTE.label
    HAZARD = Kind.HAZARD.value, Kind.HAZARD.label
    DEMAND = Kind.DEMAND.value, Kind.DEMAND.label


class ScreeningFinding(models.Model):
    """One matter a report found: a case of channel 排查, or handled on the spot."""

    report = models.ForeignKey(
        ScreeningReport,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    # Where it was found: the report's area or a place under it.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of matter"), max_length=16, choices=FindingKind.choices)
    category = models.ForeignKey(
        "cases.CaseCategory", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("what was found"))
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_finding",
    )
    handled_on_spot = models.BooleanField(_("handled on the spot"), default=False)
    handled_note = models.TextField(_("how it was handled"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("screening finding")
        verbose_name_plural = _("screening findings")
        ordering = ["report", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(case__isnull=False, handled_on_spot=False)
                    | models.Q(case__isnull=True, handled_on_spot=True)
                ),
                name="screening_finding_case_or_handled",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]
