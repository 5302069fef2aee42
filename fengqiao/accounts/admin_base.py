"""The bases of every admin page, beside the access policy they apply: a page is open to
the holders of one capability (`roles.ROLE_CAPABILITIES`), and Django's own model
permissions are not used. Configuration records are written by their admin form alone, and
each save is audited (`AuditedConfigAdmin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts import jurisdiction
from fengqiao.accounts.roles import Capability
from fengqiao.audit.services import audit_record


class CapabilityAdmin(admin.ModelAdmin):
    """A model admin open to the holders of one capability; Django's own perms are unused."""

    capability: str = ""
    read_only: bool = False

    def _allowed(self, request: HttpRequest) -> bool:
        return jurisdiction.can(request.user, self.capability)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request) and not self.read_only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CapabilityInline(admin.TabularInline):
    capability: str = ""
    extra = 0

    def _allowed(self, request: HttpRequest) -> bool:
        return jurisdiction.can(request.user, self.capability)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


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
