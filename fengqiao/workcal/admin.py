from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.admin_base import AuditedConfigAdmin, CapabilityInline
from fengqiao.accounts.roles import Capability
from fengqiao.audit.services import audit_record
from fengqiao.workcal.models import CalendarDay, CalendarYear
from fengqiao.workcal.services import calendar_changed


class CalendarDayInline(CapabilityInline):
    model = CalendarDay
    capability = Capability.CONFIGURE
    fields = ["date", "kind", "name"]
    ordering = ["date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedConfigAdmin):
    list_display = ["year", "source", "day_count", "note"]
    list_filter = ["source"]
    fields = ["year", "source", "note"]
    readonly_fields = ["source"]
    inlines = [CalendarDayInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(day_total=Count("days"))

    @admin.display(description=_("days entered"), ordering="day_total")
    def day_count(self, obj: CalendarYear) -> int:
        return obj.day_total

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The days of a year are checked against its number; renumbering would orphan them.
        if obj is not None:
            return ["year", "source"]
        return self.readonly_fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        calendar_changed(actor=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        removed = [(f.instance.pk, str(f.instance)) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        label = CalendarDay._meta.label_lower
        for day in formset.new_objects:
            audit_record(action="calendarday.create", actor=request.user, target=day)
        for day, fields in formset.changed_objects:
            audit_record(
                action="calendarday.update",
                actor=request.user,
                target=day,
                details={"fields": sorted(fields)},
            )
        for pk, text in removed:
            audit_record(
                action="calendarday.delete",
                actor=request.user,
                target_type=label,
                target_id=str(pk),
                target_label=text,
            )


class CalendarDayForm(forms.ModelForm):
    """The year of a day follows from its date; the year must be entered first."""

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day = cleaned.get("date")
        if day is not None:
            calendar_year = CalendarYear.objects.filter(year=day.year).first()
            if calendar_year is None:
                self.add_error(
                    "date",
                    _("The calendar has no year %(year)s yet; add the year first.")
                    % {"year": day.year},
                )
            else:
                self.instance.year = calendar_year
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedConfigAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed(actor=request.user)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS[obj.date.weekday()]
