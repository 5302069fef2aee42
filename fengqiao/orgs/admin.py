from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts.roles import Capability
from fengqiao.audit.services import audit_record
from fengqiao.orgs.models import Agency, AgencyContact, MediationMembership, MediationOrganization
from fengqiao.web.admin_site import CapabilityAdmin, CapabilityInline


class AuditedConfigAdmin(CapabilityAdmin):
    """Configuration records have no workflow; the admin form is their one writer."""

    capability = Capability.CONFIGURE

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            actor=request.user,
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )


class AgencyContactInline(CapabilityInline):
    model = AgencyContact
    capability = Capability.CONFIGURE


@admin.register(Agency)
class AgencyAdmin(AuditedConfigAdmin):
    list_display = ["name", "kind", "area", "office_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [AgencyContactInline]


class MembershipInline(CapabilityInline):
    model = MediationMembership
    capability = Capability.CONFIGURE


@admin.register(MediationOrganization)
class MediationOrganizationAdmin(AuditedConfigAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    inlines = [MembershipInline]
