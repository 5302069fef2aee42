"""The register's configuration: the colour levels and their visit frequencies, the
categories with their particulars and linked agencies, and the register's rule. The
records themselves are never in the admin: they are seen on need to know, in the pages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.keypersons.models import Category, KeyPersonPolicy, Level


@admin.register(Level)
class LevelAdmin(AuditedConfigAdmin):
    list_display = ["name", "code", "colour", "rank", "visit_every_days", "after_incident_days"]
    list_editable = ["visit_every_days", "after_incident_days"]
    fields = [
        "code",
        "name",
        "colour",
        "rank",
        "visit_every_days",
        "after_incident_days",
        "is_active",
    ]


@admin.register(Category)
class CategoryAdmin(AuditedConfigAdmin):
    list_display = ["name", "code", "mental_health", "order", "is_active"]
    list_editable = ["order", "is_active"]
    fields = ["code", "name", "particulars", "agency_kinds", "mental_health", "order", "is_active"]


@admin.register(KeyPersonPolicy)
class KeyPersonPolicyAdmin(AuditedConfigAdmin):
    list_display = ["__str__", "alert_grace_days"]
    fields = ["alert_grace_days"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not KeyPersonPolicy.objects.exists()
