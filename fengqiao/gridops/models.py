"""Grid operations in the field: the daily log (民情日志), the rule that keeps it daily, and
the leave that excuses a day.

A log entry is written by a grid worker (or a unit head or a village cadre) about one
moment in one place: what was done, whom they met, what they found. One step turns an entry
into a case (`services.log_entry_to_case`), linked both ways (`LogEntry.case`); a matter
settled on the spot becomes a case settled there, at the writer's level
(`services.log_entry_settle`), so that it counts in the figures like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """What was done (巡查, 走访入户 …): an editable list."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("log activity")
        verbose_name_plural = _("log activities")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Finding(models.TextChoices):
    NOTHING = "nothing", _("Nothing unusual")
    DISPUTE = "dispute", _("A lead on a dispute")
    HAZARD = "hazard", _("A safety hazard")
    DEMAND = "demand", _("A resident's demand")
    KEY_PERSON = "key_person", _("News of a key person")
    OTHER = "other", _("Other")


class LogEntry(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="log_entries",
        # Served by the (author, occurred_on) index.
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("when"))
    # The local day of `occurred_at`: what the daily rule counts.
    occurred_on = models.DateField(_("day"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    # The area's path, copied so that the jurisdiction filter is one range on an index;
    # kept in step by `areas.services.area_move`.
    area_path = models.CharField(max_length=40, editable=False)
    address = models.CharField(_("address or household"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    activities = models.ManyToManyField(Activity, verbose_name=_("what was done"), blank=True)
    residents = models.ManyToManyField(
        "people.Person", verbose_name=_("residents met"), blank=True, related_name="+"
    )
    finding = models.CharField(_("what was found"), max_length=16, choices=Finding.choices)
    text = models.TextField(_("notes"))
    settled_on_spot = models.BooleanField(_("settled on the spot"), default=False)
    settlement = models.CharField(_("how it was settled"), max_length=500, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="log_entry",
    )
    backdate_reason = models.CharField(_("why it is written later"), max_length=200, blank=True)
    # The phone's own key for an entry written offline: sent again, it is the same entry.
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("daily log entry")
        verbose_name_plural = _("daily log entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["author", "occurred_on"], name="log_author_day"),
            models.Index(fields=["area_path", "occurred_on"], name="log_area_day"),
            models.Index(fields=["occurred_on", "author"], name="log_day_author"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~models.Q(client_key=""),
                name="log_client_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_finding_display()}"


class LogDay(models.Model):
    """One worker's day of the log: how many entries, and the run of days kept up to it.

    Written with each entry (one row per worker and day), so that the compliance page
    counts days, not entries: a month of a district is a few thousand rows, however much
    was written. `streak` is the number of working days in a row, up to and including this
    one, on which the worker logged or was excused, as it stood when the day's entries
    were written (an excuse recorded later recounts the worker's days).
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    entries = models.PositiveIntegerField(default=0)
    streak = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("day of the log")
        verbose_name_plural = _("days of the log")
        constraints = [
            models.UniqueConstraint(fields=["worker", "day"], name="log_day_once"),
        ]
        indexes = [
            # Both read alone, without the table: a worker's days of a period with their
            # entries (the compliance figures), and a day's workers with their entries and
            # runs (today's figures, the reminder).
            models.Index(fields=["worker", "day", "entries"], name="log_day_worker_entries"),
            models.Index(fields=["day", "worker", "entries", "streak"], name="log_day_day_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.day}: {self.entries}"


class LogPhoto(models.Model):
    entry = models.ForeignKey(
        LogEntry, verbose_name=_("log entry"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to="logs/%Y/%m/")
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
        verbose_name = _("log photo")
        verbose_name_plural = _("log photos")

    def __str__(self) -> str:
        return self.original_name


class LogPolicy(models.Model):
    """The daily rule, one row, editable by the system administrator."""

    min_entries_per_working_day = models.PositiveSmallIntegerField(
        _("entries required per working day"), default=1
    )
    reminder_hour = models.PositiveSmallIntegerField(
        _("hour of the reminder to those who have not logged"), default=17
    )
    max_days_back = models.PositiveSmallIntegerField(
        _("days an entry may be written late without a reason"), default=3
    )

    class Meta:
        verbose_name = _("daily log rule")
        verbose_name_plural = _("daily log rules")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class ExcuseKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    DUTY = "duty", _("Away on duty or training")
    SICK = "sick", _("Sick leave")


class Excuse(models.Model):
    """Days a worker is excused from the daily log, recorded by a village cadre or leader."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="log_excuses",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    kind = models.CharField(_("kind"), max_length=16, choices=ExcuseKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("log excuse")
        verbose_name_plural = _("log excuses")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["worker", "ends_on"], name="excuse_worker_end")]

    def __str__(self) -> str:
        return f"{self.worker} {self.starts_on}–{self.ends_on}"
