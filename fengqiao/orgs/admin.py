from django.contrib import admin

from fengqiao.accounts.admin_base import AuditedConfigAdmin, CapabilityInline
from fengqiao.accounts.roles import Capability
from fengqiao.orgs.models import Agency, AgencyContact, MediationMembership, MediationOrganization


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
