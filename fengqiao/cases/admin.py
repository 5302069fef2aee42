from django.contrib import admin

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.cases.models import CaseCategory, SlaPolicy


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedConfigAdmin):
    list_display = ["name", "code", "parent", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedConfigAdmin):
    """The deadline tiers (13715 by default). A change applies to cases registered after it."""

    list_display = ["kind", "grade", "milestone", "working_days"]
    list_editable = ["milestone", "working_days"]
    list_filter = ["kind"]
