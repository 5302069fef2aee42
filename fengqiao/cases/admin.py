from django.contrib import admin

from fengqiao.cases.models import CaseCategory
from fengqiao.orgs.admin import AuditedConfigAdmin


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedConfigAdmin):
    list_display = ["name", "code", "parent", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]
