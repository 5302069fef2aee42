from django.contrib import admin

from fengqiao.accounts.admin_base import AuditedConfigAdmin
from fengqiao.followups.models import FollowUpPolicy


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(AuditedConfigAdmin):
    """When resolved cases are followed up, by kind and grade. The model's `clean` checks
    the days; a row with blank kind and grade applies to every case no other row fits."""

    list_display = ["__str__", "kind", "grade", "offsets_days", "term_deadlines", "updated_at"]
    fields = ["kind", "grade", "offsets_days", "term_deadlines"]
