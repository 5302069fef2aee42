from django.contrib import admin

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.mediation.models import CategoryTeam


@admin.register(CategoryTeam)
class CategoryTeamAdmin(AuditedConfigAdmin):
    """Which specialised team the dispatch form proposes for each category."""

    list_display = ["category", "team"]
    list_select_related = ["category", "team"]
    autocomplete_fields = ["team"]
