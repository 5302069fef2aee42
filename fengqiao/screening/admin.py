from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.screening.models import ScreeningPolicy


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(AuditedConfigAdmin):
    """The screening rule: one row, changed but never added or removed."""

    list_display = ["__str__", "auto_open_regular", "report_working_days"]
    fields = ["auto_open_regular", "report_working_days"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not ScreeningPolicy.objects.exists()
