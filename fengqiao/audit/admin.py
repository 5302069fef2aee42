from django.contrib import admin

from fengqiao.accounts.roles import Capability
from fengqiao.audit.models import AuditEvent
from fengqiao.web.admin_site import CapabilityAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(CapabilityAdmin):
    capability = Capability.READ_AUDIT
    read_only = True
    list_display = [
        "occurred_at",
        "actor_username",
        "action",
        "outcome",
        "target_type",
        "target_label",
        "client_address",
    ]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_username", "action", "target_label", "target_id"]
    date_hierarchy = "occurred_at"
