"""The official PRC working-day calendar, as data the system administrator can correct.

Only the exceptions to the weekend rule are stored: a weekday that is a public holiday
(or a rest day moved onto a weekday), and a weekend day that is worked (调休上班日). A
weekend day inside a holiday period is not stored: it is off anyway, and storing it would
give two answers to the same question. A year counts as known only when it has a
`CalendarYear` row; a known year with no days is a year without exceptions.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SATURDAY = 5


class Source(models.TextChoices):
    PACKAGE = "chinese-calendar", _("chinese-calendar package")
    MANUAL = "manual", _("Entered by hand")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (weekday off)")
    WORKDAY = "workday", _("Adjusted working day (weekend worked)")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages={"unique": _("The calendar already has this year.")},
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    note = models.TextField(_("note"), blank=True)
    # With the row count and highest id, lets `calendar_load` notice an edit cheaply.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(
        _("date"),
        unique=True,
        error_messages={"unique": _("This date is already in the calendar.")},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 国庆节 or 春节."))
    year = models.ForeignKey(
        CalendarYear,
        verbose_name=_("calendar year"),
        on_delete=models.CASCADE,
        related_name="days",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    def clean(self) -> None:
        """The rules the admin enforces; the importer produces only rows that keep them."""
        if self.date is None:
            return
        weekend = self.date.weekday() >= SATURDAY
        if self.kind == DayKind.HOLIDAY and weekend:
            raise ValidationError(
                {"date": _("A weekend day is off anyway; enter only weekdays that are holidays.")}
            )
        if self.kind == DayKind.WORKDAY and not weekend:
            raise ValidationError(
                {
                    "date": _(
                        "A weekday is a working day anyway; enter only weekend days that "
                        "are worked."
                    )
                }
            )
        if self.year_id is not None and self.year.year != self.date.year:
            raise ValidationError(
                {
                    "date": _("%(date)s is not in %(year)s.")
                    % {"date": self.date.isoformat(), "year": self.year.year}
                }
            )
