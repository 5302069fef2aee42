from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.gridops.models import Activity, LogPolicy


@admin.register(Activity)
class ActivityAdmin(AuditedConfigAdmin):
    """What a daily log entry may say was done (巡查, 走访入户 …)."""

    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    fields = ["code", "name", "sort_order", "is_active"]


@admin.register(LogPolicy)
class LogPolicyAdmin(AuditedConfigAdmin):
    """The daily rule: one row, changed but never added or removed."""

    list_display = ["__str__", "min_entries_per_working_day", "reminder_hour", "max_days_back"]
    fields = ["min_entries_per_working_day", "reminder_hour", "max_days_back"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not LogPolicy.objects.exists()
