from django.contrib import admin

from fengqiao.emergency.models import CategoryAgency
from fengqiao.orgs.admin import AuditedConfigAdmin


@admin.register(CategoryAgency)
class CategoryAgencyAdmin(AuditedConfigAdmin):
    """Which agencies (by kind) an emergency of each category is sent to at once."""

    list_display = ["category", "agency_kind"]
    list_filter = ["agency_kind", "category"]
