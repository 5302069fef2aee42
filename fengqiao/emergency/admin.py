from django.contrib import admin

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.emergency.models import CategoryAgency


@admin.register(CategoryAgency)
class CategoryAgencyAdmin(AuditedConfigAdmin):
    """Which agencies (by kind) an emergency of each category is sent to at once."""

    list_display = ["category", "agency_kind"]
    list_filter = ["agency_kind", "category"]
