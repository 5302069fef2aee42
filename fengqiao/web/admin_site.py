"""The Django admin, for the three administrator roles only, each in its own lane."""

from __future__ import annotations

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
