"""The Django admin, for the three administrator roles only, each in its own lane."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import jurisdiction


class FengqiaoAdminSite(admin.AdminSite):
    site_header = _("Fengqiao configuration")
    site_title = _("Fengqiao")
    index_title = _("Configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and jurisdiction.is_administrator(request.user)


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
